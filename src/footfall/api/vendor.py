"""The vendor actions of SPEC §1, registered into an `ActionRegistry` by `register_vendor`."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool
from starlette.responses import PlainTextResponse, Response

from footfall.api.actions import OPERATOR_ONLY, Action, ActionRegistry, Call
from footfall.api.cntfile import cnt_filename, render_cnt
from footfall.api.formats import render_csv, render_json, render_xml
from footfall.api.logs import log_archive, show_logs_text
from footfall.api.params import params_json, redacted, setparams_changes
from footfall.api.status import counter_status
from footfall.config import Level
from footfall.counting.area import Area
from footfall.errors import BadRequest
from footfall.store import bins
from footfall.store.base import Passage, Store, StoreUnavailable

log = logging.getLogger(__name__)

OCCUPANCY_ACTIONS = (
    "live-occupancy.json",
    "occupancy-reset",
    "occupancy-export-csv",
    "occupancy-export-json",
    "occupancy-export-xml",
)


class LiveTotals:
    """Today's (in, out) for live-sum.json, cached in memory.

    Recomputed from the store when a passage was ingested since the last answer (`on_passage`,
    subscribed to `Ingest`), when the local day or zone changed (midnight), and at least every
    `refresh_s` so that passages written by another process (`footfall replay` on the same data
    directory) show up too.
    """

    def __init__(
        self, store: Store, zone: Callable[[], ZoneInfo], *, refresh_s: float = 1.0
    ) -> None:
        self._store = store
        self._zone = zone
        self._refresh_s = refresh_s
        self._dirty = True
        self._key: tuple[date, str] | None = None
        self._fetched = 0.0
        self._value = (0, 0)
        self._lock = threading.Lock()

    def on_passage(self, passage: Passage) -> None:
        """Ingest listener: the cache is stale."""
        self._dirty = True

    def invalidate(self) -> None:
        """Forget the cached totals (clear-data, a change of zone)."""
        self._dirty = True

    def get(self, now_utc: datetime) -> tuple[int, int]:
        """Today's (in, out) in the counter's zone at `now_utc`."""
        zone = self._zone()
        key = (now_utc.astimezone(zone).date(), zone.key)
        mono = time.monotonic()
        if self._dirty or key != self._key or mono - self._fetched >= self._refresh_s:
            with self._lock:
                self._dirty = False  # a passage arriving during the query sets it again
                self._value = bins.today_totals(self._store, zone, now_utc)
                self._key = key
                self._fetched = mono
        return self._value


def json_response(body: Any, status: int = 200) -> Response:
    """Compact JSON, UTF-8 as it is (no \\u escapes), as every JSON reply of the API."""
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    return Response(text, status_code=status, media_type="application/json")


async def live_sum(call: Call) -> Response:
    """`live-sum.json`: today's totals (SPEC §1)."""
    ctx = call.ctx
    now = datetime.now(UTC)
    total_in, total_out = ctx.live.get(now)
    return json_response(
        {
            "serial": ctx.serial,
            "name": ctx.name(),
            "timestamp": ctx.local_timestamp(now),
            "in": total_in,
            "out": total_out,
        }
    )


async def list_cnt(call: Call) -> Response:
    """`list-cnt.json`: the local days that hold data."""
    ctx = call.ctx
    days = await run_in_threadpool(bins.days_with_data, ctx.store, ctx.zone())
    return json_response(
        {"timestamp": ctx.local_timestamp(), "days": [day.strftime("%Y%m%d") for day in days]}
    )


async def _report(call: Call) -> tuple[list[bins.DayBins], int]:
    days = bins.parse_dates(call.param("date"))
    res_s = bins.parse_res(call.param("res"))
    report = await run_in_threadpool(
        bins.count_report, call.ctx.store, call.ctx.zone(), days, res_s
    )
    return report, res_s


async def export_csv(call: Call) -> Response:
    """`export-csv` (SPEC §3)."""
    report, _ = await _report(call)
    body = render_csv(report, call.ctx.serial, call.ctx.name())
    return Response(body, media_type="text/csv; charset=utf-8")


async def export_json(call: Call) -> Response:
    """`export-json` (SPEC §3)."""
    report, res_s = await _report(call)
    body = render_json(report, call.ctx.serial, call.ctx.name(), res_s)
    return Response(body, media_type="application/json")


async def export_xml(call: Call) -> Response:
    """`export-xml` (SPEC §3)."""
    report, res_s = await _report(call)
    body = render_xml(report, call.ctx.serial, call.ctx.name(), res_s)
    return Response(body, media_type="application/xml")


async def export_cnt(call: Call) -> Response:
    """`export-cnt`: our documented binary format (SPEC §4)."""
    report, res_s = await _report(call)
    ctx = call.ctx
    body = render_cnt(report, ctx.serial, ctx.name(), ctx.zone().key, res_s)
    filename = cnt_filename(ctx.serial, call.param("date") or "all")
    return Response(
        body,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


async def cntpos(call: Call) -> Response:
    """`cntpos.json`: the counting area from `Params.Area` (SPEC §5)."""
    return json_response(Area.from_params(call.ctx.params.current.Area).as_cntpos())


async def params(call: Call) -> Response:
    """`params.json`: every parameter, nested by group, secrets left out (SPEC §6)."""
    ctx = call.ctx
    return json_response(params_json(ctx.params.current, ctx.serial, ctx.name()))


async def setparams(call: Call) -> Response:
    """`setparams`: both body forms, GET query too; all or nothing (SPEC §6)."""
    changes = setparams_changes(call.pairs)  # the dispatcher put the form body's pairs in
    await run_in_threadpool(call.ctx.params.update, changes)
    return PlainTextResponse("OK")


async def clear_data(call: Call) -> Response:
    """`clear-data`: delete every bin and event."""
    ctx = call.ctx
    await run_in_threadpool(ctx.store.clear)
    ctx.live.invalidate()
    for hook in ctx.on_clear:
        try:
            hook()
        except Exception:
            log.exception("clear-data hook %r failed", hook)
    log.info("clear-data by %s", call.principal.name or "anonymous")
    return PlainTextResponse("OK")


async def show_logs(call: Call) -> Response:
    """`show-logs`: the recent log lines of this process."""
    return PlainTextResponse(show_logs_text(call.ctx.log_ring, call.ctx.serial))


async def generate_logs(call: Call) -> Response:
    """`generate-logs`: a gzip tar of logs, params without secrets and store statistics."""
    ctx = call.ctx
    try:
        stats = await run_in_threadpool(ctx.store.stats)
    except StoreUnavailable as exc:  # the bundle matters most exactly then
        stats = {"error": str(exc)}
    status = await run_in_threadpool(counter_status, ctx)
    body = log_archive(ctx.data_dir, ctx.log_ring, redacted(ctx.params.current), stats, status)
    stamp = ctx.local_timestamp()
    return Response(
        body,
        media_type="application/gzip",
        headers={
            "Content-Disposition": f"attachment; filename=footfall-{ctx.serial}-{stamp}.tar.gz"
        },
    )


async def status_json(call: Call) -> Response:
    """`status.json` (ours, operator): what `generate-logs` bundles as status.json, live."""
    body = json_response(await run_in_threadpool(counter_status, call.ctx))
    body.headers["Cache-Control"] = "no-store"
    return body


async def occupancy_stub(call: Call) -> Response:
    """Occupancy actions until their module registers real handlers (SPEC §7)."""
    raise BadRequest("occupancy is not available in this build", status=409)


def register_vendor(registry: ActionRegistry) -> None:
    """Register every vendor action of SPEC §1 (occupancy as 409 stubs)."""
    viewer = {
        "live-sum.json": live_sum,
        "list-cnt.json": list_cnt,
        "export-csv": export_csv,
        "export-json": export_json,
        "export-xml": export_xml,
        "export-cnt": export_cnt,
        "cntpos.json": cntpos,
        "params.json": params,
    }
    for name, handler in viewer.items():
        registry.register(Action(name, handler))
    for name, handler in {
        "setparams": setparams,
        "clear-data": clear_data,
        "show-logs": show_logs,
        "generate-logs": generate_logs,
    }.items():
        registry.register(Action(name, handler, level="operator", endpoints=OPERATOR_ONLY))
    registry.register(Action("status.json", status_json, level="operator"))
    for name in OCCUPANCY_ACTIONS:
        level: Level = "operator" if name == "occupancy-reset" else "viewer"
        registry.register(Action(name, occupancy_stub, level=level, needs_occupancy=True))

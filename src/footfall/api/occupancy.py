"""Occupancy, alarm and live-stream endpoints, installed into the app as a plugin (SPEC §7).

    app = create_app(settings, params, store, ingest=ingest, plugins=[occupancy.install])

Actions (registry of api/actions.py): `live-occupancy.json`, `occupancy-reset&occ=N`,
`occupancy-export-csv|json|xml&date=…&res=1m|15m|1h|24h` (409 "occupancy is not enabled" while
`Occupancy.Enable` is 0), and ours: `alarm-export-json|csv&date=…&kind=…`. Route:
`GET /footfall/events` (server-sent events, viewer level). The live work is done by
`delivery.hub.Hub`, started and stopped with the app.
"""

from __future__ import annotations

import asyncio
import math
import signal
import socket
import threading
import urllib.parse
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from types import FrameType
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from footfall.api import formats
from footfall.api.actions import Action, ApiContext, Call
from footfall.api.auth import AuthFailure
from footfall.api.vendor import json_response
from footfall.config import Level, Params
from footfall.counting.alarms import ALARM_KINDS
from footfall.counting.occupancy_db import OccupancyBook
from footfall.counting.occupancy_report import occupancy_report
from footfall.delivery.hub import Hub
from footfall.delivery.outbox import Outbox
from footfall.delivery.stream import event_stream, parse_last_id
from footfall.errors import BadRequest
from footfall.store import bins

OCCUPANCY_CSV_COLUMNS = ("Occupancy", "Average Time", "Total In", "Total Out")  # SPEC §3
# ... and a hand-count check's outcome (`api/check_record.py`, `check-result`)
EVENT_KINDS = (*ALARM_KINDS, "occupancy_reset", "occupancy_rezero", "check")
STREAM_PATH = "/footfall/events"
STREAM_TYPES = ("passage", "alarm", "occupancy")  # the outbox message kinds
DB_FILE = "delivery.sqlite3"  # used when the counts are not in a SQLite file


async def live_occupancy(hub: Hub, call: Call) -> Response:
    """`live-occupancy.json` (SPEC §7), with the aliases two clients need."""
    now = datetime.now(UTC)
    live = await run_in_threadpool(hub.live, now)
    ctx = call.ctx
    return json_response(
        {
            "serial": ctx.serial,
            "name": ctx.name(),
            "timestamp": ctx.local_timestamp(now),
            "unixtime": int(now.timestamp()),
            "occupancy": live.occupancy,
            "average visit time": live.average_visit_s,
            "total in": live.total_in,
            "total out": live.total_out,
            "totalin": live.total_in,
            "totalout": live.total_out,
            "averagevisittime": live.average_visit_s,
        }
    )


def parse_occ(value: str | None) -> int:
    """`occ` of occupancy-reset: a whole number >= 0 (absent: 0)."""
    if value is None or value.strip() == "":
        return 0
    text = value.strip()
    # isdecimal, not isdigit: int() refuses digits such as '²' that isdigit accepts (a 500).
    if not text.isdecimal() or len(text) > 9:
        raise BadRequest(f"occ must be a whole number from 0 to 999999999, not {text[:20]!r}")
    return int(text)


async def occupancy_reset(hub: Hub, call: Call) -> Response:
    """`occupancy-reset&occ=N`: naive mode only (SPEC §7)."""
    inside = parse_occ(call.param("occ"))
    try:
        await run_in_threadpool(hub.reset, inside)
    except BadRequest as exc:
        return json_response({"status": f"Error: {exc.message}"}, exc.status)
    return json_response({"status": "OK"})


async def _report(hub: Hub, call: Call) -> tuple[list[bins.DayBins], int]:
    days = bins.parse_dates(call.param("date"))
    res_s = bins.parse_res(call.param("res"), allow_1m=True)
    report = await run_in_threadpool(
        occupancy_report, call.ctx.store, hub.book, call.ctx.zone(), days, res_s
    )
    return report, res_s


async def occupancy_csv(hub: Hub, call: Call) -> Response:
    """`occupancy-export-csv` (SPEC §3, §7)."""
    report, _ = await _report(hub, call)
    body = formats.render_csv(report, call.ctx.serial, call.ctx.name(), OCCUPANCY_CSV_COLUMNS)
    return Response(body, media_type="text/csv; charset=utf-8")


async def occupancy_json(hub: Hub, call: Call) -> Response:
    """`occupancy-export-json` (SPEC §3, §7)."""
    report, res_s = await _report(hub, call)
    types = formats.OCCUPANCY_TYPES
    body = formats.render_json(report, call.ctx.serial, call.ctx.name(), res_s, types)
    return Response(body, media_type="application/json")


async def occupancy_xml(hub: Hub, call: Call) -> Response:
    """`occupancy-export-xml` (SPEC §3, §7)."""
    report, res_s = await _report(hub, call)
    types = formats.OCCUPANCY_TYPES
    body = formats.render_xml(report, call.ctx.serial, call.ctx.name(), res_s, types)
    return Response(body, media_type="application/xml")


def parse_kinds(value: str | None) -> tuple[str, ...]:
    """`kind` of the alarm exports: comma list of event kinds, `all`, or absent (the alarms)."""
    if value is None or value.strip() == "":
        return ALARM_KINDS
    if value.strip() == "all":
        return EVENT_KINDS
    kinds = tuple(k.strip() for k in value.split(","))
    for kind in kinds:
        if kind not in EVENT_KINDS:
            raise BadRequest(f"kind {kind[:40]!r} is not one of {', '.join(EVENT_KINDS)} or all")
    return kinds


def _event_rows(call: Call) -> list[dict[str, Any]]:
    ctx = call.ctx
    zone = ctx.zone()
    days = bins.parse_dates(call.param("date"))
    kinds = parse_kinds(call.param("kind"))
    spans = [bins.day_bounds_utc(d, zone) for d in days] if days else [(0, 2**40)]
    rows = []
    for start, end in spans:
        for event in ctx.store.events(start, end):
            if event.kind in kinds:
                local = event.time.astimezone(zone).strftime("%Y%m%d%H%M%S")
                rows.append(
                    {
                        "id": event.id,
                        "timestamp": local,
                        "unixtime": math.floor(event.time.timestamp()),
                        "kind": event.kind,
                        **event.payload,
                    }
                )
    return rows


async def alarm_json(call: Call) -> Response:
    """`alarm-export-json&date=…&kind=…` (ours): stored alarm events, oldest first."""
    rows = await run_in_threadpool(_event_rows, call)
    ctx = call.ctx
    return json_response({"serial": ctx.serial, "name": ctx.name(), "events": rows})


async def alarm_csv(call: Call) -> Response:
    """`alarm-export-csv&date=…&kind=…` (ours): one line per event, details as key=value;…"""
    rows = await run_in_threadpool(_event_rows, call)
    ctx = call.ctx
    name = "".join(" " if c in ',"\r\n' else c for c in ctx.name())  # CSV never quotes (SPEC §2)
    lead = f"{ctx.serial},{name}"
    lines = ["Time,Unixtime,Camera serial number,Counter name,Id,Kind,Details\n"]
    for row in rows:
        extra = {k: v for k, v in row.items() if k not in ("id", "timestamp", "unixtime", "kind")}
        detail = ";".join(f"{k}={v}" for k, v in extra.items()).replace(",", " ")
        when = datetime.strptime(row["timestamp"], "%Y%m%d%H%M%S")
        lines.append(
            f"{when:%Y-%m-%d %H:%M:%S},{row['unixtime']},{lead},{row['id']},{row['kind']},"
            f"{detail}\n"
        )
    return Response("".join(lines), media_type="text/csv; charset=utf-8")


def check_delivery(current: Params, candidate: Params) -> None:
    """Refuse `candidate` when it newly enables a broker or webhook host that does not resolve."""
    mqtt, hook = candidate.MQTT, candidate.Webhook
    if mqtt.Enable and (mqtt.Host, mqtt.Enable) != (current.MQTT.Host, current.MQTT.Enable):
        _resolves(mqtt.Host, "MQTT.Host")
    if hook.Enable and (hook.URL, hook.Enable) != (current.Webhook.URL, current.Webhook.Enable):
        host = urllib.parse.urlsplit(hook.URL).hostname or ""
        _resolves(host, "Webhook.URL")


def _resolves(host: str, name: str) -> None:
    try:
        socket.getaddrinfo(host, None)
    except (OSError, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise BadRequest(f"{name}: the host {host!r} cannot be resolved ({reason})") from None


def _db_path(ctx: ApiContext) -> str:
    path = getattr(ctx.store, "path", None)
    if isinstance(path, Path) and path.suffix.startswith(".sqlite"):
        return str(path)  # the counts' own SQLite file: migrations 0002 and 0003 live there
    return str(ctx.data_dir / DB_FILE) if ctx.data_dir is not None else ":memory:"


def close_streams_on_signal(closing: threading.Event, outbox: Outbox) -> None:
    """Make SIGTERM/SIGINT end the open event streams, so a graceful shutdown does not wait.

    uvicorn waits for open responses before it stops, and an event stream never ends by itself
    (it would hold `footfall serve` for up to `LIFETIME_S`). Called at start-up, after uvicorn
    installed its handlers, which still run. Only possible in the main thread.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous = signal.getsignal(sig)

        def handler(signum: int, frame: FrameType | None, previous: Any = previous) -> None:
            closing.set()
            loop.call_soon_threadsafe(outbox.kick)  # no lock taken inside a signal handler
            if callable(previous):
                previous(signum, frame)

        signal.signal(sig, handler)


def _stream_route(ctx: ApiContext, outbox: Outbox, closing: threading.Event) -> Route:
    async def stream(request: Request) -> Response:
        from footfall.api.app import raw_target, unauthorized

        auth = request.headers.get("authorization")
        try:
            principal = ctx.auth.authenticate(auth, request.method, raw_target(request))
        except AuthFailure as failure:
            return unauthorized(ctx.auth, failure.message, stale=failure.stale)
        if principal is None:
            return unauthorized(ctx.auth, "authentication required")
        last = parse_last_id(
            request.headers.get("last-event-id") or request.query_params.get("lastEventId")
        )
        kinds = request.query_params.get("types")
        wanted = [k.strip() for k in kinds.split(",")] if kinds else None
        unknown = sorted(set(wanted or ()) - set(STREAM_TYPES))
        if unknown:  # a typo would otherwise give a stream that stays silent for ever
            text = f"unknown message type {unknown[0]!r} in types; use {', '.join(STREAM_TYPES)}\n"
            return Response(text, status_code=400, media_type="text/plain")
        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        if request.method == "HEAD":  # the headers only: an endless body would hold the connection
            return Response(status_code=200, media_type="text/event-stream", headers=headers)
        body = event_stream(outbox, last, wanted, closing=closing)
        return StreamingResponse(body, media_type="text/event-stream", headers=headers)

    return Route(STREAM_PATH, stream, methods=["GET"])


def install(ctx: ApiContext) -> None:
    """The plugin: build the hub, wire it to ingest, params and clear-data, register actions."""
    path = _db_path(ctx)
    book, outbox = OccupancyBook(path), Outbox(path)
    hub = Hub(ctx.store, book, outbox, ctx.params.current, ctx.serial, ctx.zone, ctx.name)
    if ctx.ingest is not None:
        ctx.ingest.subscribe(hub.on_passage)
    ctx.params.add_validator(lambda p: check_delivery(ctx.params.current, p))
    ctx.params.add_listener(hub.apply)
    ctx.on_clear.append(hub.clear)
    ctx.status["occupancy and delivery"] = hub.status
    closing = threading.Event()
    ctx.routes.append(_stream_route(ctx, outbox, closing))

    async def start() -> None:
        close_streams_on_signal(closing, outbox)
        await run_in_threadpool(hub.start)

    async def stop() -> None:
        await run_in_threadpool(hub.stop)

    ctx.on_startup.append(start)
    ctx.on_shutdown.append(stop)
    occupancy: list[tuple[str, Callable[[Hub, Call], Awaitable[Response]], Level]] = [
        ("live-occupancy.json", live_occupancy, "viewer"),
        ("occupancy-reset", occupancy_reset, "operator"),
        ("occupancy-export-csv", occupancy_csv, "viewer"),
        ("occupancy-export-json", occupancy_json, "viewer"),
        ("occupancy-export-xml", occupancy_xml, "viewer"),
    ]
    for name, handler, level in occupancy:
        action = Action(name, partial(handler, hub), level=level, needs_occupancy=True)
        ctx.actions.register(action, replace=True)
    ctx.actions.register(Action("alarm-export-json", alarm_json))
    ctx.actions.register(Action("alarm-export-csv", alarm_csv))

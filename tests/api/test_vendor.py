"""Every vendor action over a real socket (SPEC §1-§5), on real SQLite data."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from lxml import etree
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from footfall.api.actions import Action, ApiContext, Call
from footfall.api.cntfile import read_cnt
from footfall.api.vendor import LiveTotals
from footfall.store.base import Passage
from footfall.store.sqlite import SQLiteStore
from tests.api.liveserver import SERIAL, LiveServer, start_server

PREFIXES = ["/local/tvpc", "/local/people-counter", "/local/occupancy-estimator", "/tvpc"]


def at(text: str) -> datetime:
    """A UTC time from 'YYYY-MM-DD hh:mm'."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def counter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server in UTC named "Exit south" with passages on 2017-05-12 and 2017-05-15."""
    live = start_server(tmp_path_factory.mktemp("counter"))
    live.ctx.params.update({"Counter.TimeZone": "UTC", "Counter.Name": "Exit south"})
    live.ingest.add(
        [
            Passage(at("2017-05-12 00:05"), "out"),
            Passage(at("2017-05-12 00:07"), "out"),
            Passage(at("2017-05-12 00:20"), "in"),
            Passage(at("2017-05-15 23:59"), "in"),
        ]
    )
    yield live
    live.stop()


def get(
    live: LiveServer, query: str, prefix: str = "/local/tvpc", api: str = ".api"
) -> httpx.Response:
    with live.client(httpx.DigestAuth("root", "pass")) as client:
        return client.get(f"{prefix}/{api}?{query}")


@pytest.mark.parametrize("prefix", PREFIXES)
def test_export_csv_matches_spec_bytes(counter: LiveServer, prefix: str) -> None:
    response = get(counter, "export-csv&date=20170512&res=15m", prefix)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text.split("\n")
    assert lines[0] == (
        "Interval start,Interval stop,Camera serial number,Counter name,"
        "Pedestrians coming in,Pedestrians going out"
    )
    assert lines[1] == "2017-05-12 00:00:00,2017-05-12 00:15:00,ACCC8E019C5F,Exit south,0,2"
    assert lines[2] == "2017-05-12 00:15:00,2017-05-12 00:30:00,ACCC8E019C5F,Exit south,1,0"
    assert len(lines) == 1 + 96 + 1 and lines[-1] == ""


def test_export_json_and_dates(counter: LiveServer) -> None:
    body = get(counter, "export-json&date=20170512%2C20170515&res=24h").json()
    assert body["counter"] == {
        "name": "Exit south",
        "serial": SERIAL,
        "delta": 86400,
        "types": {"Pedestrians coming in": 3, "Pedestrians going out": 4},
    }
    assert body["data"] == {"20170513000000": [1, 2], "20170516000000": [1, 0]}
    all_days = get(counter, "export-json&res=1h").json()["data"]
    assert len(all_days) == 48
    ranged = get(counter, "export-json&date=20170511-20170514&res=1h&callback=x&_=1").json()
    assert next(iter(ranged["data"])) == "20170512010000" and len(ranged["data"]) == 24


def test_export_xml_validates_against_the_served_dtd(counter: LiveServer) -> None:
    response = get(counter, "export-xml&date=all&res=1h")
    assert response.headers["content-type"].startswith("application/xml")
    dtd_text = get(counter, "", api="appdata.dtd").content
    dtd = etree.DTD(io.BytesIO(dtd_text))
    document = etree.fromstring(response.content)
    assert dtd.validate(document), dtd.error_log
    assert len(document.findall("cntset")) == 2


@pytest.mark.parametrize("prefix", PREFIXES)
def test_dtd_under_every_prefix_without_credentials(counter: LiveServer, prefix: str) -> None:
    response = counter.client().get(f"{prefix}/appdata.dtd")
    assert response.status_code == 200 and b"<!ELEMENT" in response.content


def test_export_cnt(counter: LiveServer) -> None:
    response = get(counter, "export-cnt&date=20170512-20170515")
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"] == (
        f"attachment; filename={SERIAL}_20170512-20170515.cnt"
    )
    parsed = read_cnt(response.content)
    assert (parsed.serial, parsed.name, parsed.tz_name) == (SERIAL, "Exit south", "UTC")
    totals = [sum(b.values[i] for d in parsed.to_days() for b in d.bins) for i in (0, 1)]
    assert totals == [2, 2]


def test_list_cnt_and_timestamps(counter: LiveServer) -> None:
    body = get(counter, "list-cnt.json").json()
    assert body["days"] == ["20170512", "20170515"]
    assert len(body["timestamp"]) == 14 and body["timestamp"].isdigit()


def test_cntpos_follows_area_params(server: LiveServer) -> None:
    assert get(server, "cntpos.json").json() == {
        "width": 320, "height": 240, "left": 0, "right": 320, "top": 90, "bottom": 150,
        "yfirst": 90, "ylast": 150, "radius": 0,
    }  # fmt: skip
    server.ctx.params.update({"Area.Right": "296", "Area.Bottom": "224", "Area.Top": "88"})
    assert get(server, "cntpos.json").json()["right"] == 296


def test_live_sum_counts_today_immediately(server: LiveServer) -> None:
    server.ctx.params.update({"Counter.TimeZone": "Europe/Stockholm"})
    now = datetime.now(UTC)
    response = get(server, "live-sum.json")
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert (body["in"], body["out"]) == (0, 0)
    assert body["name"] == f"footfall-{SERIAL}" and body["serial"] == SERIAL
    local_now = now.astimezone(ZoneInfo("Europe/Stockholm"))
    assert body["timestamp"][:8] == local_now.strftime("%Y%m%d")
    server.ingest.add([Passage(now, "in"), Passage(now, "in"), Passage(now, "out")])
    server.ingest.add([Passage(now - timedelta(days=2), "in")])
    body = get(server, "live-sum.json").json()
    assert (body["in"], body["out"]) == (2, 1)


def test_live_totals_across_midnight(tmp_path: Path) -> None:
    zone = ZoneInfo("Europe/Stockholm")
    store = SQLiteStore(tmp_path / "s.sqlite3")
    try:
        totals = LiveTotals(store, lambda: zone, refresh_s=3600)
        evening = datetime(2024, 3, 9, 23, 58, tzinfo=zone).astimezone(UTC)
        store.add_passages([Passage(evening, "in")])
        assert totals.get(evening + timedelta(seconds=30)) == (1, 0)
        store.add_passages([Passage(evening + timedelta(minutes=3), "out")])  # after midnight
        assert totals.get(evening + timedelta(minutes=4)) == (0, 1)
    finally:
        store.close()


def test_clear_data(server: LiveServer) -> None:
    server.ingest.add([Passage(datetime.now(UTC), "in")])
    assert get(server, "live-sum.json").json()["in"] == 1
    cleared: list[bool] = []
    server.ctx.on_clear.append(lambda: cleared.append(True))
    response = get(server, "clear-data", api=".apioperator")
    assert (response.status_code, response.text) == (200, "OK")
    assert cleared == [True]
    assert get(server, "live-sum.json").json()["in"] == 0
    assert get(server, "list-cnt.json").json()["days"] == []
    assert get(server, "clear-data").status_code == 404  # operator actions live on .apioperator


def test_occupancy_actions_answer_409_until_enabled(server: LiveServer) -> None:
    for action in ("live-occupancy.json", "occupancy-export-json&date=all&res=1m"):
        response = get(server, action)
        assert (response.status_code, response.text.strip()) == (409, "occupancy is not enabled")
    response = get(server, "occupancy-reset&occ=0", api=".apioperator")
    assert response.status_code == 409


def test_plugins_register_actions_routes_and_validators(tmp_path: Path) -> None:
    async def live_occupancy(call: Call) -> Response:
        return PlainTextResponse(f"occupancy for {call.principal.name}")

    async def events(request: object) -> Response:
        return PlainTextResponse("data: hello\n\n", media_type="text/event-stream")

    def refuse_tall(candidate: object) -> None:
        from footfall.config import Params
        from footfall.errors import BadRequest

        assert isinstance(candidate, Params)
        if candidate.Counter.Height > 900:
            raise BadRequest("Counter.Height above 900 cm is refused by the plugin")

    seen: list[tuple[int, int]] = []

    def install(ctx: ApiContext) -> None:
        ctx.actions.register(
            Action("live-occupancy.json", live_occupancy, needs_occupancy=True), replace=True
        )
        ctx.routes.append(Route("/footfall/events", events))
        ctx.params.add_validator(refuse_tall)
        ctx.params.add_listener(
            lambda new, old: seen.append((old.Counter.Height, new.Counter.Height))
        )

    live = start_server(tmp_path, plugins=[install])
    try:
        assert get(live, "live-occupancy.json").status_code == 409
        live.ctx.params.update({"Occupancy.Enable": "1"})
        assert get(live, "live-occupancy.json").text == "occupancy for root"
        assert live.client().get("/footfall/events").text.startswith("data: hello")
        response = get(live, "setparams&Counter.Height=950", api=".apioperator")
        assert response.status_code == 400 and "plugin" in response.text
        assert get(live, "setparams&Counter.Height=300", api=".apioperator").text == "OK"
        assert seen == [(280, 280), (280, 300)]  # Occupancy.Enable, then Counter.Height
    finally:
        live.stop()


def test_head_and_methods(counter: LiveServer) -> None:
    with counter.client(httpx.DigestAuth("root", "pass")) as client:
        head = client.head("/local/tvpc/.api?live-sum.json")
        assert head.status_code == 200 and head.content == b""
        response = client.put("/local/tvpc/.api?live-sum.json")
        assert response.status_code == 405 and "PUT" in response.text


def test_generate_logs_archive(server: LiveServer) -> None:
    import tarfile

    get(server, "setparams&MQTT.Password=hunter2&Counter.Height=301", api=".apioperator")
    response = get(server, "generate-logs", api=".apioperator")
    assert response.headers["content-type"] == "application/gzip"
    assert "attachment; filename=footfall-" in response.headers["content-disposition"]
    with tarfile.open(fileobj=io.BytesIO(response.content), mode="r:gz") as tar:
        names = {m.name.split("/", 1)[1] for m in tar.getmembers()}
        assert {"recent.log", "params.json", "store-stats.json", "status.json"} <= names
        contents = b"".join(
            tar.extractfile(m).read()
            for m in tar.getmembers()
            if m.isfile()  # type: ignore[union-attr]
        )
        params = json.loads(tar.extractfile("footfall-logs/params.json").read())  # type: ignore[union-attr]
        status = json.loads(tar.extractfile("footfall-logs/status.json").read())  # type: ignore[union-attr]
    assert status["settings"]["users"] == {"root": "admin", "op": "operator", "viewer": "viewer"}
    assert b"viewpass" not in contents
    assert b"hunter2" not in contents
    assert params["Counter"]["Height"] == 301 and "Password" not in params["MQTT"]
    logs = get(server, "show-logs", api=".apioperator")
    assert logs.headers["content-type"].startswith("text/plain")
    assert "Counter.Height='301'" in logs.text and "MQTT.Password=***" in logs.text
    assert "hunter2" not in logs.text


def test_status_json_is_the_bundles_status_live_for_operators(tmp_path: Path) -> None:
    """`status.json` answers what generate-logs bundles as status.json, now: each part's report
    (one that fails says so), the settings without any password, to operators only."""
    live = start_server(tmp_path, source="rtsp://cam:s3cret@10.0.0.9/axis-media/media.amp")
    try:
        reports = iter([{"state": "running", "frames": 1}, {"state": "running", "frames": 2}])
        live.ctx.status["counting"] = lambda: next(reports)
        live.ctx.status["broken"] = lambda: 1 / 0
        with live.client(httpx.DigestAuth("viewer", "viewpass")) as c:
            assert c.get("/local/tvpc/.api?status.json").status_code in (401, 403)
        first = get(live, "status.json", api=".apioperator")
        second = get(live, "status.json")  # an operator may ask on .api too
    finally:
        live.stop()
    assert first.status_code == 200 and first.headers["cache-control"] == "no-store"
    body = first.json()
    assert body["counting"] == {"state": "running", "frames": 1}
    assert second.json()["counting"]["frames"] == 2  # asked again, reported again
    assert body["broken"].startswith("unavailable:")
    assert body["serial"] == "ACCC8E019C5F" and body["settings"]["users"]["op"] == "operator"
    assert "s3cret" not in first.text and "viewpass" not in first.text
    assert body["settings"]["source"].startswith("rtsp://")


def test_a_bug_is_a_500_sentence_without_traceback(tmp_path: Path) -> None:
    async def broken(call: Call) -> Response:
        raise RuntimeError("secret internals")

    def install(ctx: ApiContext) -> None:
        ctx.actions.register(Action("broken", broken))

    live = start_server(tmp_path, plugins=[install])
    try:
        response = get(live, "broken")
        assert response.status_code == 500
        assert response.headers["content-type"].startswith("text/plain")
        assert "secret internals" not in response.text and "Traceback" not in response.text
        assert "show-logs" in response.text
        logs = get(live, "show-logs", api=".apioperator").text
        assert "internal error on GET /local/tvpc/.api?broken" in logs
    finally:
        live.stop()


def test_retention_purges_old_bins_at_start(tmp_path: Path) -> None:
    from footfall.api.params import ParamsStore

    ParamsStore(path=tmp_path / "params.json").update({"Storage.RetentionDays": "30"})
    store = SQLiteStore(tmp_path / "counts.sqlite3")
    now = datetime.now(UTC)
    store.add_passages([Passage(now - timedelta(days=40), "in"), Passage(now, "out")])
    store.close()
    live = start_server(tmp_path)
    try:
        for _ in range(100):
            if live.store.totals(0, 2**40) == (0, 1):
                break
            time.sleep(0.02)
        assert live.store.totals(0, 2**40) == (0, 1)
    finally:
        live.stop()

"""Occupancy, alarms and the live stream over a real socket (SPEC §7, issue 5)."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from lxml import etree

from footfall.api import occupancy
from footfall.api.params import ParamsStore
from footfall.api.vendor import OCCUPANCY_ACTIONS
from footfall.store.base import Passage
from tests.api.liveserver import SERIAL, LiveServer, start_server

ROOT = httpx.DigestAuth("root", "pass")


def at(text: str) -> datetime:
    """A UTC time from 'YYYY-MM-DD hh:mm[:ss]'."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def get(live: LiveServer, query: str, api: str = ".api") -> httpx.Response:
    with live.client(ROOT) as client:
        return client.get(f"/local/tvpc/{api}?{query}")


def setparams(live: LiveServer, query: str) -> httpx.Response:
    return get(live, f"setparams&{query}", api=".apioperator")


def boot(data: Path, **params: str) -> LiveServer:
    # stored before the start, as after a restart: no message for switching occupancy on
    ParamsStore.load(data).update({"Counter.TimeZone": "UTC", "Counter.Name": "Door", **params})
    return start_server(data, plugins=[occupancy.install])


@pytest.fixture
def occ(tmp_path: Path) -> Iterator[LiveServer]:
    """A server with occupancy enabled, in UTC, smart mode."""
    live = boot(tmp_path, **{"Occupancy.Enable": "1"})
    yield live
    live.stop()


def test_live_occupancy_body_and_aliases(occ: LiveServer) -> None:
    now = datetime.now(UTC)
    # seconds before now, within the day's totals (a minute back crossed midnight when the
    # suite ran at 00:10 and "total in" began again from 0)
    occ.ingest.add(
        [Passage(now - timedelta(seconds=s), d) for s, d in [(20, "in"), (18, "in"), (8, "out")]]
    )
    body = get(occ, "live-occupancy.json").json()
    assert list(body) == [
        "serial", "name", "timestamp", "unixtime", "occupancy", "average visit time",
        "total in", "total out", "totalin", "totalout", "averagevisittime",
    ]  # fmt: skip
    assert (body["serial"], body["name"], body["occupancy"]) == (SERIAL, "Door", 1)
    assert (body["total in"], body["total out"], body["totalin"], body["totalout"]) == (2, 1, 2, 1)
    assert body["average visit time"] == body["averagevisittime"] == 12  # FIFO: 20 s -> 8 s
    assert abs(body["unixtime"] - now.timestamp()) < 5
    assert body["timestamp"] == datetime.fromtimestamp(body["unixtime"], UTC).strftime(
        "%Y%m%d%H%M%S"
    )


def test_reset_only_in_naive_mode(occ: LiveServer) -> None:
    response = get(occ, "occupancy-reset&occ=5", api=".apioperator")
    assert response.status_code == 409
    assert response.json() == {
        "status": "Error: occupancy-reset works only in naive mode; Occupancy.Mode is smart"
    }
    assert setparams(occ, "Occupancy.Mode=naive").text == "OK"
    response = get(occ, "occupancy-reset&occ=5", api=".apioperator")
    assert (response.status_code, response.json()) == (200, {"status": "OK"})
    assert get(occ, "live-occupancy.json").json()["occupancy"] == 5
    occ.ingest.add([Passage(datetime.now(UTC), "out")])
    assert get(occ, "live-occupancy.json").json()["occupancy"] == 4
    with occ.client(httpx.DigestAuth("viewer", "viewpass")) as client:
        assert client.get("/local/tvpc/.api?occupancy-reset&occ=1").status_code == 401


def test_switching_the_mode_sends_the_new_figure_and_ends_a_raised_alarm(occ: LiveServer) -> None:
    setparams(occ, "Occupancy.Mode=naive&Alarm.OccupancyEnable=1&Alarm.OccupancyThreshold=2")
    get(occ, "occupancy-reset&occ=5", api=".apioperator")  # naive 5 (> 2): alarm up
    assert setparams(occ, "Occupancy.Mode=smart").text == "OK"  # smart is 0
    assert get(occ, "live-occupancy.json").json()["occupancy"] == 0
    events = get(occ, "alarm-export-json&kind=occupancy_high,occupancy_normal").json()["events"]
    assert [e["kind"] for e in events] == ["occupancy_high", "occupancy_normal"]
    bodies = [json.loads(f["data"]) for f in read_stream(occ, {"Last-Event-ID": "0"}, 5)]
    # naive (0), reset to 5, occupancy_high, smart (0), occupancy_normal
    assert [(b["type"], b.get("reason") or b.get("kind")) for b in bodies] == [
        ("occupancy", "mode"), ("occupancy", "reset"), ("alarm", "occupancy_high"),
        ("occupancy", "mode"), ("alarm", "occupancy_normal"),
    ]  # fmt: skip
    assert (bodies[3]["occupancy"], bodies[3]["mode"]) == (0, "smart")


def test_switching_occupancy_on_sends_the_current_figure(tmp_path: Path) -> None:
    live = boot(tmp_path)  # occupancy off
    try:
        live.ingest.add([Passage(datetime.now(UTC), "in")])
        assert setparams(live, "Occupancy.Enable=1").text == "OK"
        bodies = [json.loads(f["data"]) for f in read_stream(live, {"Last-Event-ID": "1"}, 1)]
        assert (bodies[0]["type"], bodies[0]["reason"], bodies[0]["occupancy"]) == (
            "occupancy", "mode", 1
        )  # fmt: skip
    finally:
        live.stop()


# %C2%B2 is '²': str.isdigit() accepts it but int() does not (it was a 500).
@pytest.mark.parametrize("value", ["-1", "abc", "1.5", "9999999999", "%C2%B2", "1%C2%B2"])
def test_reset_refuses_a_bad_occ(occ: LiveServer, value: str) -> None:
    setparams(occ, "Occupancy.Mode=naive")
    response = get(occ, f"occupancy-reset&occ={value}", api=".apioperator")
    assert response.status_code == 400
    assert "occ must be a whole number" in response.text


def test_every_occupancy_action_is_409_while_disabled(tmp_path: Path) -> None:
    live = boot(tmp_path)
    try:
        for action in OCCUPANCY_ACTIONS:
            api = ".apioperator" if action == "occupancy-reset" else ".api"
            response = get(live, f"{action}&date=all&res=1h", api=api)
            assert (response.status_code, response.text.strip()) == (
                409, "occupancy is not enabled"
            ), action  # fmt: skip
    finally:
        live.stop()


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Passages on 2017-05-12 (UTC): visits of 5 and 20 minutes, one person still inside."""
    live = boot(tmp_path_factory.mktemp("history"), **{"Occupancy.Enable": "1"})
    live.ctx.params.update({"Occupancy.QuietPeriod": "0"})  # keep the 2017 estimate as it is
    live.ingest.add(
        [
            Passage(at("2017-05-12 08:00"), "in"),
            Passage(at("2017-05-12 08:05:30"), "out"),  # FIFO: 08:00 -> 5.5 min
            Passage(at("2017-05-12 08:10"), "in"),
            Passage(at("2017-05-12 08:30"), "in"),
            Passage(at("2017-05-12 08:30:30"), "out"),  # 08:10 -> 20.5 min
        ]
    )
    yield live
    live.stop()


def test_export_json_rows_and_types(history: LiveServer) -> None:
    body = get(history, "occupancy-export-json&date=20170512&res=1h").json()
    assert body["counter"] == {
        "name": "Door", "serial": SERIAL, "delta": 3600,
        "types": {"Occupancy": 64, "Average Time": 65, "Total In": 66, "Total Out": 67},
    }  # fmt: skip
    data = body["data"]
    assert len(data) == 24
    assert data["20170512080000"] == [0, 0, 0, 0]
    # 08:00-09:00: 3 in, 2 out; one left at the end; visits 330 s and 1230 s -> 780 s
    assert data["20170512090000"] == [1, 780, 3, 2]
    assert data["20170513000000"] == [1, 0, 0, 0]


EXPORT_CASES = [
    ("1m", 1440, "20170512080600", [0, 330, 0, 1]),  # the 08:05 minute: 1 out, visit 5.5 min
    ("15m", 96, "20170512081500", [1, 330, 2, 1]),
    ("1h", 24, "20170512090000", [1, 780, 3, 2]),
    ("24h", 1, "20170513000000", [1, 780, 3, 2]),
]


@pytest.mark.parametrize(("res", "rows", "key", "row"), EXPORT_CASES)
def test_export_resolutions(
    history: LiveServer, res: str, rows: int, key: str, row: list[int]
) -> None:
    data = get(history, f"occupancy-export-json&date=all&res={res}").json()["data"]
    assert len(data) == rows
    assert data[key] == row


def test_export_csv_and_xml(history: LiveServer) -> None:
    csv = get(history, "occupancy-export-csv&date=20170512&res=24h")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text == (
        "Interval start,Interval stop,Camera serial number,Counter name,"
        "Occupancy,Average Time,Total In,Total Out\n"
        f"2017-05-12 00:00:00,2017-05-13 00:00:00,{SERIAL},Door,1,780,3,2\n"
    )
    xml = get(history, "occupancy-export-xml&date=20170512&res=24h")
    dtd = get(history, "export-xml").request.url  # any request; the DTD is served next to .api
    with history.client() as client:
        dtd_text = client.get("/local/tvpc/appdata.dtd").content
    parser = etree.XMLParser(dtd_validation=False, load_dtd=False)
    doc = etree.fromstring(xml.content, parser)
    assert etree.DTD(io.BytesIO(dtd_text)).validate(doc), dtd
    assert [t.get("typeid") for t in doc.iter("type")] == ["64", "65", "66", "67"]
    assert [c.text for c in doc.iter("cnt")] == ["1", "780", "3", "2"]


@pytest.mark.parametrize(
    ("query", "sentence"),
    [
        ("date=2017051&res=1h", "is not of the form YYYYMMDD"),
        ("date=20170512&res=5m", "is not one of 1m, 15m, 1h or 24h"),
    ],
)
def test_export_bad_input(history: LiveServer, query: str, sentence: str) -> None:
    response = get(history, f"occupancy-export-csv&{query}")
    assert response.status_code == 400
    assert sentence in response.text


def test_export_of_a_day_without_data_is_empty(history: LiveServer) -> None:
    assert get(history, "occupancy-export-json&date=20170601&res=1h").json()["data"] == {}


def test_state_survives_a_restart(tmp_path: Path) -> None:
    live = boot(tmp_path, **{"Occupancy.Enable": "1"})
    now = datetime.now(UTC)
    live.ingest.add([Passage(now - timedelta(seconds=30), "in"), Passage(now, "in")])
    live.stop()
    again = start_server(tmp_path, plugins=[occupancy.install])
    try:
        assert get(again, "live-occupancy.json").json()["occupancy"] == 2
        again.ingest.add([Passage(datetime.now(UTC), "out")])
        body = get(again, "live-occupancy.json").json()
        assert body["occupancy"] == 1
        assert 25 <= body["average visit time"] <= 40  # the FIFO survived too
    finally:
        again.stop()


def test_smart_quiet_rezero_is_stored_as_an_event(tmp_path: Path) -> None:
    live = boot(tmp_path, **{"Occupancy.Enable": "1", "Occupancy.QuietPeriod": "1"})
    try:
        live.ingest.add([Passage(datetime.now(UTC) - timedelta(minutes=5), "in")])
        # No check of the estimate here: the once-a-second rule may already have re-zeroed it;
        # the event's `before` below says it was 1.
        events = get(live, "alarm-export-json&kind=all")
        for _ in range(100):  # the re-zero rules are checked every second
            events = get(live, "alarm-export-json&kind=all")
            if events.json()["events"]:
                break
            threading.Event().wait(0.1)
        [event] = events.json()["events"]
        assert (event["kind"], event["reason"], event["before"]) == ("occupancy_rezero", "quiet", 1)
        assert get(live, "live-occupancy.json").json()["occupancy"] == 0
    finally:
        live.stop()


SETPARAMS_REFUSED = [
    ("Alarm.OccupancyThreshold=0", "Alarm.OccupancyThreshold"),
    ("Alarm.OccupancyThreshold=5&Alarm.OccupancyHysteresis=6", "must not exceed"),
    ("Alarm.TailgatingInterval=0", "Alarm.TailgatingInterval"),
    ("Alarm.AllowedDirection=sideways", "Alarm.AllowedDirection"),
    ("Webhook.Enable=1", "Webhook.URL is empty"),
    ("Webhook.URL=ftp://example.org/x", "is not an http:// or https:// URL"),
    ("MQTT.TopicPrefix=a/%23", "must be non-empty, without '+', '#'"),
    ("MQTT.Port=0", "MQTT.Port"),
    ("MQTT.Enable=1&MQTT.Host=no-such-host.invalid", "cannot be resolved"),
    ("Webhook.Enable=1&Webhook.URL=http://no-such-host.invalid/x", "cannot be resolved"),
    ("Occupancy.ClosingTime=25:00", "is not a local time HH:MM"),
    ("Occupancy.Mode=clever", "Occupancy.Mode"),
]


@pytest.mark.parametrize(("query", "sentence"), SETPARAMS_REFUSED)
def test_setparams_refuses_bad_settings(occ: LiveServer, query: str, sentence: str) -> None:
    response = setparams(occ, query)
    assert response.status_code == 400, response.text
    assert sentence in response.text
    assert get(occ, "live-occupancy.json").status_code == 200  # counting goes on


def test_alarms_are_stored_exported_and_streamed(occ: LiveServer) -> None:
    assert setparams(occ, "Alarm.TailgatingEnable=1&Alarm.WrongDirectionEnable=1").text == "OK"
    t = datetime.now(UTC)
    occ.ingest.add([Passage(t, "in"), Passage(t + timedelta(seconds=0.5), "in")])
    occ.ingest.add([Passage(t + timedelta(seconds=3), "out")])
    body = get(occ, "alarm-export-json").json()
    assert [e["kind"] for e in body["events"]] == ["tailgating", "wrong_direction"]
    assert body["events"][0]["interval_s"] == 0.5
    csv = get(occ, "alarm-export-csv").text.splitlines()
    assert csv[0] == "Time,Unixtime,Camera serial number,Counter name,Id,Kind,Details"
    assert csv[1].split(",")[5] == "tailgating"
    assert get(occ, "alarm-export-json&kind=bogus").status_code == 400
    # The stream replays everything after Last-Event-ID 0: 3 passages, 2 alarms, in order.
    frames = read_stream(occ, {"Last-Event-ID": "0"}, 5)
    assert [f["event"] for f in frames] == ["passage", "passage", "alarm", "passage", "alarm"]
    assert [int(f["id"]) for f in frames] == [1, 2, 3, 4, 5]
    assert json.loads(frames[2]["data"])["kind"] == "tailgating"
    later = read_stream(occ, {"Last-Event-ID": "3"}, 2)
    assert [int(f["id"]) for f in later] == [4, 5]


def read_stream(
    live: LiveServer, headers: dict[str, str], count: int, ready: threading.Event | None = None
) -> list[dict[str, str]]:
    """The first `count` events of GET /footfall/events; `ready` is set once the stream is open."""
    frames: list[dict[str, str]] = []
    with (
        live.client(ROOT) as client,
        client.stream("GET", "/footfall/events", headers=headers) as response,
    ):
        assert response.headers["content-type"].startswith("text/event-stream")
        frame: dict[str, str] = {}
        for line in response.iter_lines():
            if ready is not None and line.startswith("retry:"):
                ready.set()
            if not line:
                if "id" in frame:
                    frames.append(frame)
                frame = {}
                if len(frames) == count:
                    break
                continue
            key, _, value = line.partition(": ")
            frame[key] = value
    return frames


def test_stream_needs_credentials_and_sends_live_events(occ: LiveServer) -> None:
    with occ.client() as client:
        assert client.get("/footfall/events").status_code == 401
    got: list[list[dict[str, str]]] = []
    ready = threading.Event()
    reader = threading.Thread(target=lambda: got.append(read_stream(occ, {}, 2, ready)))
    reader.start()
    assert ready.wait(10)  # the stream starts after the newest message
    occ.ingest.add([Passage(datetime.now(UTC), "in"), Passage(datetime.now(UTC), "out")])
    reader.join(10)
    assert [json.loads(f["data"])["direction"] for f in got[0]] == ["in", "out"]


def test_stream_refuses_an_unknown_message_type(occ: LiveServer) -> None:
    with occ.client(ROOT) as client:
        response = client.get("/footfall/events?types=alarm,alarms")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert "'alarms'" in response.text


class _Hook(BaseHTTPRequestHandler):
    bodies: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        _Hook.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_webhook_switched_on_by_setparams_delivers_passages_and_alarms(occ: LiveServer) -> None:
    hook = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    _Hook.bodies = []
    try:
        url = f"http://127.0.0.1:{hook.server_address[1]}/in"
        query = f"Webhook.Enable=1&Webhook.URL={url}&Webhook.Secret=x&Alarm.WrongDirectionEnable=1"
        assert setparams(occ, query).text == "OK"
        occ.ingest.add([Passage(datetime.now(UTC), "out")])
        for _ in range(100):
            if len(_Hook.bodies) == 2:
                break
            threading.Event().wait(0.05)
        assert [b["type"] for b in _Hook.bodies] == ["passage", "alarm"]
        assert _Hook.bodies[1]["kind"] == "wrong_direction"
        assert _Hook.bodies[0]["serial"] == SERIAL
    finally:
        hook.shutdown()
        hook.server_close()


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_broker_and_receiver_are_reported_in_show_logs(occ: LiveServer) -> None:
    port = _closed_port()
    query = (
        f"MQTT.Enable=1&MQTT.Port={port}&Webhook.Enable=1&Webhook.URL=http://127.0.0.1:{port}/hook"
    )
    assert setparams(occ, query).text == "OK"  # accepted: a broker may be down for a while
    occ.ingest.add([Passage(datetime.now(UTC), "in")])  # counting goes on
    assert get(occ, "live-occupancy.json").json()["occupancy"] == 1
    logs = ""
    for _ in range(100):
        logs = get(occ, "show-logs", api=".apioperator").text
        if "MQTT cannot connect" in logs and f"webhook http://127.0.0.1:{port}/hook" in logs:
            break
        threading.Event().wait(0.1)
    assert f"MQTT cannot connect to the broker 127.0.0.1:{port}" in logs
    assert f"webhook http://127.0.0.1:{port}/hook: ConnectError" in logs


def test_a_head_of_the_event_stream_leaves_the_connection_usable(occ: LiveServer) -> None:
    """HEAD gets the stream's headers and no body (the endless stream behind it held the
    keep-alive connection, and the next request on it got no answer)."""
    import base64
    import http.client

    basic = {"Authorization": "Basic " + base64.b64encode(b"root:pass").decode()}
    connection = http.client.HTTPConnection("127.0.0.1", occ.port, timeout=5)
    try:
        connection.request("HEAD", "/footfall/events", headers=basic)
        head = connection.getresponse()
        head.read()
        assert head.status == 200 and head.getheader("content-type", "").startswith(
            "text/event-stream"
        )
        connection.request("GET", "/local/tvpc/.api?live-sum.json", headers=basic)
        after = connection.getresponse()
        assert after.status == 200 and b'"in"' in after.read()
    finally:
        connection.close()

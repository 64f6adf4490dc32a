"""params.json and setparams (SPEC §6): both forms, atomic, validated, persisted, secrets hidden."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from footfall.api.params import ParamsStore, setparams_changes
from footfall.errors import BadRequest
from tests.api.liveserver import SERIAL, LiveServer, start_server

OPERATOR = "/local/tvpc/.apioperator"


def client(live: LiveServer) -> httpx.Client:
    return live.client(httpx.DigestAuth("op", "oppass"))


def params(live: LiveServer) -> dict[str, dict[str, object]]:
    with client(live) as c:
        body: dict[str, dict[str, object]] = c.get("/local/tvpc/.api?params.json").json()
    return body


def test_params_json_shape(server: LiveServer) -> None:
    body = params(server)
    assert list(body) == [
        "Counter", "Area", "Occupancy", "Alarm", "MQTT", "Webhook", "Storage", "Build", "Static",
    ]  # fmt: skip
    assert body["Counter"]["Enable"] == body["Counter"]["Enabled"] == 1
    assert body["Counter"]["Height"] == 280 and body["Counter"]["Name"] == f"footfall-{SERIAL}"
    assert body["Static"] == {"Manufacturer": "footfall", "ModelName": "footfall", "Serial": SERIAL}
    assert set(body["Build"]) == {"Name", "Version"}
    assert "Password" not in body["MQTT"] and "Secret" not in body["Webhook"]


@pytest.mark.parametrize(
    ("method", "query", "body"),
    [
        ("POST", "setparams", "p1=Counter.Enable&v1=0&p2=Counter.Height&v2=290&setparams=x"),
        ("POST", "setparams", "&p1=Counter.Enable&v1=0&p2=Counter.Height&v2=290&setparams=x"),
        ("POST", "", "p1=Counter.Enable&v1=0&p2=Counter.Height&v2=290&setparams=needstobeincluded"),
        ("POST", "", "setparams&Counter.Enable=0&Counter.Height=290"),
        ("POST", "setparams", "Counter.Enabled=0&counter.height=290"),
        ("GET", "setparams&Counter.Enable=0&Counter.Height=290&_=1700000000", ""),
        ("GET", "setparams&p1=Counter.Height&v1=290&p2=Counter.Enable&v2=0", ""),
    ],
)
def test_setparams_forms(server: LiveServer, method: str, query: str, body: str) -> None:
    with client(server) as c:
        response = c.request(method, f"{OPERATOR}?{query}", content=body.encode())
    assert (response.status_code, response.text) == (200, "OK")
    counter = params(server)["Counter"]
    assert (counter["Enable"], counter["Height"]) == (0, 290)


def test_setparams_is_all_or_nothing_and_persisted(tmp_path: Path) -> None:
    live = start_server(tmp_path)
    try:
        with client(live) as c:
            ok = c.get(
                f"{OPERATOR}?setparams&Counter.Name=Exit%20south&Counter.Height=300"
                "&Counter.Crowds=0"
            )
            assert ok.text == "OK"
            saved = (tmp_path / "params.json").read_bytes()
            bad = c.get(f"{OPERATOR}?setparams&Counter.Height=310&Counter.Name=a%2Cb")
            assert bad.status_code == 400 and "Counter.Name" in bad.text
            bad = c.get(f"{OPERATOR}?setparams&Counter.Height=310&Area.Right=999")
            assert bad.status_code == 400 and "Area.Right" in bad.text
            bad = c.get(f"{OPERATOR}?setparams&Counter.Height=310&Counter.Rotation=45")
            assert bad.status_code == 400
            assert "Counter.Rotation" in bad.text and "0, 90, 180 or 270" in bad.text
            bad = c.get(f"{OPERATOR}?setparams&Counter.Height=310&Counter.Crowds=2")
            assert bad.status_code == 400 and "Counter.Crowds" in bad.text
        assert (tmp_path / "params.json").read_bytes() == saved
        assert params(live)["Counter"]["Height"] == 300
        assert not list(tmp_path.glob(".params-*"))
    finally:
        live.stop()
    again = start_server(tmp_path)  # a restart keeps what was committed
    try:
        counter = params(again)["Counter"]
        assert (counter["Name"], counter["Height"], counter["Crowds"]) == ("Exit south", 300, 0)
    finally:
        again.stop()


def test_secrets_are_write_only(server: LiveServer) -> None:
    with client(server) as c:
        response = c.post(
            f"{OPERATOR}?setparams", content=b"MQTT.Password=hunter2&MQTT.Username=me"
        )
    assert response.text == "OK"
    assert "Password" not in params(server)["MQTT"] and params(server)["MQTT"]["Username"] == "me"
    assert server.ctx.params.current.MQTT.Password == "hunter2"
    stored = json.loads((server.data / "params.json").read_text())
    assert stored["MQTT"]["Password"] == "hunter2"
    assert (server.data / "params.json").stat().st_mode & 0o077 == 0


def test_a_password_in_the_webhook_url_is_write_only(server: LiveServer) -> None:
    url = "http://hook:s3cr%40t@127.0.0.1:9/in?x=1"
    with client(server) as c:
        assert c.post(f"{OPERATOR}?setparams", data={"Webhook.URL": url}).text == "OK"
        shown = params(server)["Webhook"]["URL"]
        assert shown == "http://hook:***@127.0.0.1:9/in?x=1"
        assert "s3cr" not in server.ctx.log_ring.text()
        # a client that writes params.json back unchanged keeps the stored password
        assert c.post(f"{OPERATOR}?setparams", data={"Webhook.URL": shown}).text == "OK"
        assert url == server.ctx.params.current.Webhook.URL
        other = "http://hook:***@127.0.0.2:9/in"  # another host: *** is taken as written
        assert c.post(f"{OPERATOR}?setparams", data={"Webhook.URL": other}).text == "OK"
        assert other == server.ctx.params.current.Webhook.URL


BAD = [
    ("setparams&Counter.Height=abc", "Counter.Height"),
    ("setparams&Counter.Height=149", "Counter.Height"),
    ("setparams&Counter.Enable=2", "Counter.Enable"),
    ("setparams&Counter.Nope=1", "Counter.Nope"),
    ("setparams&Nope.Height=1", "Nope.Height"),
    ("setparams&Static.Serial=000000000000", "read-only"),
    ("setparams&Build.Version=9", "read-only"),
    ("setparams&Counter.Name=a%22b", "Counter.Name"),
    ("setparams&Counter.Name=a%0Ab", "Counter.Name"),
    ("setparams&Counter.TimeZone=Mars/Olympus", "Counter.TimeZone"),
    ("setparams&Area.InDirection=sideways", "Area.InDirection"),
    ("setparams&p1=Counter.Height", "v1"),
    ("setparams&v1=3", "p1"),
    ("setparams", "names no parameter"),
    ("setparams&_=1", "names no parameter"),
    ("setparams&p1=Counter.Bad&v1=3", "Counter.Bad"),
]


@pytest.mark.parametrize(("query", "expected"), BAD)
def test_setparams_refusals_name_the_parameter(
    shared_server: LiveServer, query: str, expected: str
) -> None:
    with client(shared_server) as c:
        response = c.get(f"{OPERATOR}?{query}")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert expected in response.text


def test_setparams_needs_operator(shared_server: LiveServer) -> None:
    with shared_server.client(httpx.DigestAuth("viewer", "viewpass")) as c:
        assert c.get(f"{OPERATOR}?setparams&Counter.Height=300").status_code == 401
        assert c.get("/local/tvpc/.api?setparams&Counter.Height=300").status_code == 404


def test_setparams_changes_unit() -> None:
    pairs = [("p2", "Counter.Height"), ("v2", "300"), ("root.Counter.Enable", "0"), ("x", "1")]
    assert setparams_changes(pairs) == {"Counter.Height": "300", "Counter.Enable": "0"}
    with pytest.raises(BadRequest, match="unknown parameter"):
        setparams_changes([("Counter.Heigth", "1")])


def test_corrupt_params_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "params.json").write_text('{"Counter": {"Height": 5}}')
    with pytest.raises(BadRequest, match=r"params.json: Counter.Height"):
        ParamsStore.load(tmp_path)
    (tmp_path / "params.json").write_text("{not json")
    with pytest.raises(BadRequest, match="cannot read"):
        ParamsStore.load(tmp_path)


def test_zone_and_serial_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    from footfall.api.app import resolve_serial
    from footfall.api.params import counter_zone, system_zone_name
    from footfall.config import Params

    monkeypatch.setenv("TZ", "America/Argentina/Buenos_Aires")
    assert system_zone_name() == "America/Argentina/Buenos_Aires"
    monkeypatch.setenv("TZ", ":Asia/Tokyo")
    assert system_zone_name() == "Asia/Tokyo"
    params = Params.model_validate({"Counter": {"TimeZone": "Europe/Paris"}})
    assert counter_zone(params).key == "Europe/Paris"
    assert resolve_serial("ac:cc:8e:01:9c:5f") == "ACCC8E019C5F"
    assert re.fullmatch(r"[0-9A-F]{12}", resolve_serial(""))
    with pytest.raises(BadRequest, match="12 hexadecimal"):
        resolve_serial("ACCC8E019C5")

"""A few hundred malformed requests over a real socket: each gets a 4xx and a plain sentence."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from tests.api.liveserver import SERIAL, LiveServer, raw_request, start_server

BASIC = "Basic " + base64.b64encode(b"root:pass").decode()
API = "/local/tvpc/.api"
OP = "/local/tvpc/.apioperator"

BAD_DATES = [
    "2017", "201705", "2017051", "201705123", "20171301", "20170230", "20170000", "00000000",
    "99999999", "2017-05-12", "20170512-", "-20170512", "20170515-20170512", "20170512--20170513",
    "20170512-20170513-20170514", "20170512,", ",20170512", "20170512,,20170513", "all,20170512",
    "ALLL", "none", "today", "yesterday", "2017051a", "%FF%FE", "20170512%00", "2017O512",
    "1e7", "-1", "0x1336", "\uff12\uff10\uff11\uff17\uff10\uff15\uff11\uff12", "20170512;",
    "10000101-99991231", ",".join(["20170512"] * 1001), "2" * 300, "20170512-2",
]  # fmt: skip
BAD_RES = [
    "1m", "5m", "15", "15M", "15min", "1H", "1d", "24", "24hh", "0", "-15m", "900", "%00",
    "15m,1h", "h", "m",
]  # fmt: skip
BAD_ACTIONS = [
    "nope", "live-sum", "live-sum.jsonx", "LIVE-SUM.JSON", "export", "export-pdf", "%ZZ", "%FF",
    "%C3%28", "a" * 5000, "..%2F..%2Fetc%2Fpasswd", "<script>", "live-sum.json%00", "setparams2",
    "occupancy", "clear", "params", "%20", "export-csv%",
]  # fmt: skip
BAD_SETPARAMS = [
    "Counter.Height=abc", "Counter.Height=", "Counter.Height=1e9", "Counter.Height=-1",
    "Counter.Enable=yes", "Counter.Name=a,b", 'Counter.Name=a"b', "Counter.Name=a%0Db",
    "Counter.Name=a%00b", "Counter.Name=a%09b", "Counter.Name=a%1Bb", "Counter.Name=a%7Fb",
    "Counter.Name=" + "x" * 200, "Counter.TimeZone=Nowhere", "Counter.TimeZone=../../etc",
    "Area.Left=400", "Area.Width=1", "Area.YFirst=200", "Area.Radius=-3", "Occupancy.Mode=clever",
    "Area.Radius=99999999999999999999999999", "Area.Radius=1000001", "Area.Radius=30",
    "Occupancy.ClosingTime=25:00", "Alarm.TailgatingInterval=0", "MQTT.Port=70000",
    "MQTT.Host=a%20b", "Webhook.URL=ftp://x", "Webhook.Enable=1", "Storage.RetentionDays=0",
    "Counter.TimeZone=" + "x" * 300, "Webhook.URL=http://[::1", "Webhook.URL=http://h:99999/",
    "Webhook.URL=http://:80/", "Webhook.URL=http://[::1&Webhook.Enable=1",
    "Static.Serial=1", "Build.Name=x", "Counter=1", "Counter.=1", ".Height=1", "p1=Counter.Height",
    "v1=1", "p1=&v1=1", "p1=Counter.Height&v1=abc", "Counter.Height=%FF", "%FF.x=1", "",
]  # fmt: skip
BAD_AUTH = [
    "Digest", "Digest ", "Digest ,,,", 'Digest username="root"', "Digest username=root, realm",
    'Digest username="root", realm="x", nonce="y", uri="/", response="z"',
    'Digest username="root", realm="AXIS_' + SERIAL + '", nonce="y", uri="' + API
    + '?live-sum.json", response="z", qop=auth, nc=00000001, cnonce="c"',
    'Digest username="root", realm="AXIS_' + SERIAL + '", nonce="y", uri="' + API
    + '?live-sum.json", response="z", qop=auth, nc=zz, cnonce="c"',
    'Digest username="root", realm="AXIS_' + SERIAL + '", nonce="y", uri="' + API
    + '?live-sum.json", response="z", qop="auth,auth-int", nc=00000001, cnonce="c"',
    'Digest username="root", algorithm=SHA-512', 'Digest username="\\', 'Digest a="b" c="d"',
    "Basic", "Basic ", "Basic ====", "Basic Zm9v", "Basic cm9vdDpwYXNzeA==", "Basic %%%",
    "Bearer token", "NTLM TlRMTVNTUAAB", "Negotiate x", "Digest\tusername=x", "x" * 4000,
    "Basic " + base64.b64encode(b"nobody:pass").decode(),
    "Basic " + base64.b64encode(b"\xff\xff:\xff").decode(),
]  # fmt: skip
EXPORTS = ["export-csv", "export-json", "export-xml", "export-cnt"]


def request(
    method: str, target: str, *, auth: str | None = BASIC, body: bytes = b"", extra: str = ""
) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    if auth is not None:
        lines.append(f"Authorization: {auth}")
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    head = "\r\n".join(lines) + "\r\n" + extra + "\r\n"
    return head.encode("utf-8", "surrogateescape") + body


def cases() -> Iterator[tuple[str, bytes]]:
    for action in EXPORTS:
        for value in BAD_DATES:
            target = f"{API}?{action}&date={quote(value, safe='%,-')}"
            yield f"{action} date={value[:30]}", request("GET", target)
        for value in BAD_RES:
            target = f"{API}?{action}&res={quote(value, safe='%,-')}"
            yield f"{action} res={value}", request("GET", target)
    for action in BAD_ACTIONS:
        yield f"action {action[:30]}", request("GET", f"{API}?{action}")
        yield f"action {action[:30]} (operator)", request("GET", f"{OP}?{action}&x=1")
    yield "no action", request("GET", API)
    yield "only params", request("GET", f"{API}?date=20170512&res=15m")
    yield "empty query", request("GET", f"{API}?&&&")
    for item in BAD_SETPARAMS:
        yield f"setparams GET {item[:30]}", request("GET", f"{OP}?setparams&{item}")
        yield f"setparams POST {item[:30]}", request("POST", f"{OP}?setparams", body=item.encode())
    bodies = [
        b"\xff\xfe\x00", b"setparams&Counter.Height=%E2%82", b"p1=Counter.Height&v1=",
        b"{\"Counter\": {\"Height\": 300}}", b"<xml/>", b"setparams", b"setparams=x",
        b"=&=&=", b"Counter.Height=300&Counter.Height=abc", b"x" * 70_000,
    ]  # fmt: skip
    for body in bodies:
        yield f"body {body[:20]!r}", request("POST", f"{OP}?setparams", body=body)
        yield f"body without action {body[:20]!r}", request("POST", OP, body=body)
    for media, body in (
        ("application/json", b'{"Counter": {"Height": 300}}'),
        ("multipart/form-data; boundary=x", b'--x\r\nContent-Disposition: form-data; name="a"'),
        ("Application/XML", b"<params/>"),
    ):
        extra = f"Content-Type: {media}\r\n"
        yield f"body {media}", request("POST", f"{OP}?setparams", body=body, extra=extra)
    for header in BAD_AUTH:
        yield f"auth {header[:30]}", request("GET", f"{API}?live-sum.json", auth=header)
    yield "no auth", request("GET", f"{API}?live-sum.json", auth=None)
    viewer = "Basic " + base64.b64encode(b"viewer:viewpass").decode()
    for action in ("clear-data", "setparams&Counter.Height=300", "show-logs", "generate-logs"):
        yield f"viewer {action}", request("GET", f"{OP}?{action}", auth=viewer)
        yield f"on .api {action}", request("GET", f"{API}?{action}")
    for method in ("PUT", "DELETE", "PATCH", "OPTIONS"):
        yield f"method {method}", request(method, f"{API}?live-sum.json")
    for path in (
        "/",
        "/local/tvpc/",
        "/local/tvpc/.apix",
        "/local/nope/.api",
        "/tvpc/appdata.dtdx",
    ):
        yield f"path {path}", request("GET", f"{path}?live-sum.json")
    yield "occupancy", request("GET", f"{API}?live-occupancy.json")
    yield "occupancy-reset", request("GET", f"{OP}?occupancy-reset&occ=abc")
    yield "bad request line", b"GARBAGE\r\n\r\n"
    yield "bad header", b"GET /local/tvpc/.api?live-sum.json HTTP/1.1\r\nHost x\r\n\r\n"
    yield "bad percent in path", request("GET", "/local/tvpc/%ZZ.api?live-sum.json")


CASES = list(cases())


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("bad"))
    yield live
    live.stop()


def test_there_are_a_few_hundred_cases() -> None:
    assert len(CASES) >= 300


def test_every_malformed_request_gets_a_4xx_sentence(target: LiveServer) -> None:
    failures = []
    for name, raw in CASES:
        status, headers, body = raw_request(target.port, raw)
        text = body.decode("utf-8", "replace").strip()
        if not (400 <= status < 500 and headers.get("content-type", "").startswith("text/plain")):
            failures.append(f"{name}: {status} {headers.get('content-type')} {text[:80]!r}")
        elif len(text) < 8 or "Traceback" in text:
            failures.append(f"{name}: {status} body {text[:80]!r}")
    assert not failures, f"{len(failures)} of {len(CASES)}:\n" + "\n".join(failures[:40])
    assert target.ctx.params.current.Counter.Height == 280  # nothing got through
    assert "Traceback" not in target.ctx.log_ring.text()
    assert "internal error" not in target.ctx.log_ring.text()


def test_a_json_or_multipart_body_is_refused_by_name(target: LiveServer) -> None:
    for media in ("application/json", "multipart/form-data; boundary=x"):
        raw = request(
            "POST", OP, body=b"setparams&Counter.Height=300", extra=f"Content-Type: {media}\r\n"
        )
        status, _, body = raw_request(target.port, raw)
        assert status == 415, media
        assert body.decode().startswith(f"the body is {media.split(';')[0]}; send the parameters")
    assert target.ctx.params.current.Counter.Height == 280

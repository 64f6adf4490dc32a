"""Browser dashboards (Vue/jQuery): cache-busting parameters, and opt-in CORS (docs/clients.md)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

from tests.clients.conftest import DASHBOARD
from tests.clients.counter import DAYS, Counter, expected_json_data
from tests.serving import COMMAND

BASIC = httpx.BasicAuth("view", "viewpass")


@pytest.mark.parametrize("query", [
    "live-sum.json&_=1700000000000",
    "live-sum.json&callback=jQuery360_1700000000000&_=1700000000001",
    "_=1700000000000&live-sum.json",
    "live-sum.json=&_=1700000000000",
])  # fmt: skip
def test_cache_busters_and_callback_are_ignored(counter: Counter, query: str) -> None:
    answer = httpx.get(f"{counter.api}?{query}", auth=BASIC)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"  # JSON, not JSONP
    assert answer.headers["cache-control"] == "no-store"
    live = answer.json()
    assert (live["in"], live["out"]) == counter.today


def test_export_json_with_cache_buster(counter: Counter) -> None:
    query = "export-json&date=20170512%2C20170513&res=24h&_=1700000000000&callback=cb"
    answer = httpx.get(f"{counter.api}?{query}", auth=BASIC)
    assert answer.json()["data"] == expected_json_data(DAYS, 86400)


def preflight(counter: Counter, origin: str, headers: str = "authorization") -> httpx.Response:
    """What a browser sends before a GET with an Authorization header."""
    return httpx.options(f"{counter.api}?live-sum.json", headers={
        "Origin": origin, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": headers,
    })  # fmt: skip


def test_cors_for_a_listed_origin(counter: Counter) -> None:
    answer = preflight(counter, DASHBOARD)
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == DASHBOARD
    assert answer.headers["access-control-allow-credentials"] == "true"
    assert "Authorization" in answer.headers["access-control-allow-headers"]
    assert "GET" in answer.headers["access-control-allow-methods"]
    live = httpx.get(f"{counter.api}?live-sum.json", auth=BASIC, headers={"Origin": DASHBOARD})
    assert live.status_code == 200
    assert live.headers["access-control-allow-origin"] == DASHBOARD
    assert "Origin" in live.headers["vary"]
    # A browser Digest client must read the challenge of the 401.
    bare = httpx.get(f"{counter.api}?live-sum.json", headers={"Origin": DASHBOARD})
    assert bare.status_code == 401
    assert bare.headers["access-control-allow-origin"] == DASHBOARD
    assert "WWW-Authenticate" in bare.headers["access-control-expose-headers"]
    assert bare.headers["www-authenticate"].startswith("Digest ")


def test_cors_refuses_other_origins(counter: Counter) -> None:
    other = "http://elsewhere.example"
    assert preflight(counter, other).status_code == 400
    live = httpx.get(f"{counter.api}?live-sum.json", auth=BASIC, headers={"Origin": other})
    assert live.status_code == 200  # the server answers; the browser withholds it
    assert "access-control-allow-origin" not in live.headers


def test_cors_any_origin(counter_sha256: Counter) -> None:
    answer = preflight(counter_sha256, "https://any.example")
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in answer.headers
    live = httpx.get(f"{counter_sha256.api}?live-sum.json", auth=BASIC,
                     headers={"Origin": "https://any.example"})  # fmt: skip
    assert live.headers["access-control-allow-origin"] == "*"


def test_no_cors_unless_asked(counter_basic: Counter) -> None:
    live = httpx.get(f"{counter_basic.api}?live-sum.json", headers={"Origin": DASHBOARD})
    assert live.status_code == 200 and "access-control-allow-origin" not in live.headers
    answer = preflight(counter_basic, DASHBOARD)
    assert answer.status_code == 405 and "not allowed" in answer.text


def test_serve_refuses_bad_cors_origins(tmp_path: Path) -> None:
    bad = ["http://x.example/", "x.example", "http://x.example/path"]
    origins = [*bad, "https://ok.example:8443"]
    flags = [arg for origin in origins for arg in ("--cors-origin", origin)]
    done = subprocess.run(
        [*COMMAND, "serve", "--data", str(tmp_path), "--port", "0", *flags],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    for origin in bad:
        assert f"cors origin {origin!r}" in done.stderr
    assert "ok.example" not in done.stderr

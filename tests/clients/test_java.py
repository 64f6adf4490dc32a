"""A Java XML extractor (java.net.http + a validating DocumentBuilder), compiled in the test."""

from __future__ import annotations

import calendar
import json
from pathlib import Path
from typing import Any

import pytest

from tests.clients.counter import DAYS, NAME, Counter, expected_bins, need_tool, run


def extract(classes: Path, url: str, user: str, password: str, mode: str) -> dict[str, Any]:
    """Run the extractor; its JSON."""
    java = need_tool("java")
    out = run([java, "-cp", str(classes), "XmlExtractor", url, user, password, mode])
    result: dict[str, Any] = json.loads(out)
    return result


def _wall(moment: Any) -> int:
    return calendar.timegm(moment.timetuple())


@pytest.mark.parametrize(("prefix", "mode"), [
    ("/local/tvpc", "header"),          # HttpClient, pre-emptive Basic
    ("/tvpc", "header"),
    ("/local/tvpc", "urlconnection"),   # DocumentBuilder.parse(URL): HttpURLConnection's Digest
])  # fmt: skip
def test_validating_java_parser_reads_what_was_replayed(
    counter: Counter, java_classes: Path, prefix: str, mode: str
) -> None:
    url = f"{counter.base}{prefix}/.api?export-xml&date=20170512-20170513&res=1h"
    got = extract(java_classes, url, "view", "viewpass", mode)
    assert got["status"] == 200
    assert got.get("content_type", "application/xml") == "application/xml"
    assert [s["date"] for s in got["sets"]] == ["2017-05-12", "2017-05-13"]
    for day, cntset in zip(DAYS, got["sets"], strict=True):
        assert cntset["name"] == NAME and cntset["delta"] == 3600
        assert cntset["local"] == f"{day.isoformat()}T00:00"  # starttime is local wall-clock
        want = [[_wall(b.end), b.ins, b.outs] for b in expected_bins(day, 3600)]
        assert cntset["bins"] == want


def test_java_authenticator_needs_the_basic_challenge(
    counter: Counter, counter_basic: Counter, java_classes: Path
) -> None:
    """HttpClient's Authenticator answers only Basic challenges: 401 by default (SPEC §1 sends
    one Digest challenge), 200 with --basic-challenge. Documented in docs/clients.md."""
    query = "?export-xml&date=20170513&res=24h"
    refused = extract(java_classes, counter.operator + query, "op", "oppass", "authenticator")
    assert refused == {"status": 401}
    got = extract(java_classes, counter_basic.operator + query, "op", "oppass", "authenticator")
    assert got["status"] == 200
    assert got["sets"][0]["bins"] == [
        [_wall(b.end), b.ins, b.outs] for b in expected_bins(DAYS[1], 86400)
    ]


def test_java_monitor_posts_setparams(counter: Counter, java_classes: Path) -> None:
    """HttpClient offers h2c on every request; the POST body must still arrive (see http1.py)."""
    java = need_tool("java")
    out = run([java, "-cp", str(java_classes), "ParamsMonitor", counter.base, "op", "oppass",
               "293"])  # fmt: skip
    assert json.loads(out) == {"post": 200, "answer": "OK", "get": 200, "enabled": 1, "height": 293}

"""curl and wget, as the README shows them, on every action of SPEC §1."""

from __future__ import annotations

import calendar
import csv
import io
import json
import struct
import tarfile
import zlib
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from tests.clients.counter import (
    DAYS,
    NAME,
    SERIAL,
    Counter,
    day_totals,
    expected_bins,
    expected_csv_rows,
    expected_json_data,
    need_tool,
    run,
)

D1, D2 = DAYS


def curl(*args: str) -> str:
    """curl -sS --fail-with-body ARGS: stdout."""
    return run([need_tool("curl"), "-sS", "--fail-with-body", "--max-time", "20", *args])


def _csv_rows(body: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body)))[1:]


CNTPOS_KEYS = ["width", "height", "left", "right", "top", "bottom", "yfirst", "ylast", "radius"]

# (query, check of the body) for every viewer action.
VIEWER_ACTIONS: list[tuple[str, Callable[[str, Counter], None]]] = [
    (
        "live-sum.json",
        lambda body, c: _check_live(json.loads(body), c),
    ),
    (
        "list-cnt.json",
        lambda body, c: _check_days(json.loads(body)["days"]),
    ),
    (
        "export-csv&date=20170512-20170513&res=1h",
        lambda body, c: _eq(_csv_rows(body), expected_csv_rows(DAYS, 3600)),
    ),
    (
        "export-json&date=20170512%2C20170513&res=15m",
        lambda body, c: _eq(json.loads(body)["data"], expected_json_data(DAYS, 900)),
    ),
    (
        "export-xml&date=20170513&res=24h",
        lambda body, c: _eq(
            body.count('<cnt typeid="3">') and body.split('<cnt typeid="3">')[1].split("<")[0],
            str(day_totals(D2)[0]),
        ),
    ),
    (
        "cntpos.json",
        lambda body, c: _eq(sorted(json.loads(body)), sorted(CNTPOS_KEYS)),
    ),
    (
        "params.json",
        lambda body, c: _eq(json.loads(body)["Counter"]["Name"], NAME),
    ),
]


def _eq(got: object, want: object) -> None:
    assert got == want


def _check_live(live: dict[str, object], counter: Counter) -> None:
    assert live["serial"] == SERIAL and live["name"] == NAME
    assert (live["in"], live["out"]) == counter.today


def _check_days(days: list[str]) -> None:
    assert days[:2] == ["20170512", "20170513"]


@pytest.mark.parametrize(("query", "check"), VIEWER_ACTIONS, ids=[q for q, _ in VIEWER_ACTIONS])
@pytest.mark.parametrize("how", ["--digest", "--basic", "url", "anyauth"])
def test_curl_every_viewer_action(
    counter: Counter, query: str, check: Callable[[str, Counter], None], how: str
) -> None:
    url = f"{counter.api}?{query}"
    if how == "url":  # credentials in the URL: curl sends them as Basic
        body = curl(url.replace("http://", "http://view:viewpass@"))
    elif how == "anyauth":
        body = curl("--anyauth", "-u", "view:viewpass", url)
    else:
        body = curl(how, "-u", "view:viewpass", url)
    check(body, counter)


def read_cnt_as_documented(data: bytes) -> tuple[str, str, int, list[tuple[int, int, int]]]:
    """A reader written from the layout table of docs (SPEC §4), not from the package."""
    assert data[:8] == b"FFCNT\r\n\x1a"
    assert zlib.crc32(data[:-4]) == struct.unpack("<I", data[-4:])[0]
    version, header_len, bin_s, _types, count = struct.unpack_from("<HHIIQ", data, 8)
    assert version == 1
    pos = 28
    texts = []
    for _ in range(3):  # serial, name, zone
        (length,) = struct.unpack_from("<H", data, pos)
        texts.append(data[pos + 2 : pos + 2 + length].decode())
        pos += 2 + length
    records = [struct.unpack_from("<qIq", data, header_len + 20 * i) for i in range(count)]
    return texts[0], texts[1], bin_s, records


def test_curl_export_cnt_saves_the_named_file(counter: Counter, tmp_path: Path) -> None:
    curl("--digest", "-u", "root:pass", "-OJ", "--output-dir", str(tmp_path),
         f"{counter.api}?export-cnt&date=20170512&res=1h")  # fmt: skip
    files = list(tmp_path.iterdir())
    assert [p.name for p in files] == [f"{SERIAL}_20170512.cnt"]
    serial, name, bin_s, records = read_cnt_as_documented(files[0].read_bytes())
    assert (serial, name, bin_s) == (SERIAL, NAME, 3600)
    want = [
        (calendar.timegm(b.end.timetuple()), typeid, value)
        for b in expected_bins(D1, 3600)
        for typeid, value in ((3, b.ins), (4, b.outs))
    ]
    assert records == want


def test_curl_every_prefix_and_head(counter: Counter) -> None:
    for prefix in ("/local/tvpc", "/local/people-counter", "/local/occupancy-estimator", "/tvpc"):
        body = curl("--digest", "-u", "view:viewpass", f"{counter.base}{prefix}/.api?live-sum.json")
        assert json.loads(body)["serial"] == SERIAL
        dtd = curl(f"{counter.base}{prefix}/appdata.dtd")
        assert "<!ELEMENT countdata" in dtd
    head = curl("-I", "--digest", "-u", "view:viewpass", f"{counter.api}?export-csv&date=20170512")
    assert "content-type: text/csv" in head.lower()


def test_curl_operator_actions(counter: Counter, tmp_path: Path) -> None:
    op = ["--digest", "-u", "op:oppass"]
    assert curl(*op, "--data", "p1=Counter.Height&v1=281&setparams=x", counter.operator) == "OK"
    assert curl(*op, f"{counter.operator}?setparams&Counter.Height=282") == "OK"
    params = json.loads(curl(*op, f"{counter.operator}?params.json"))
    assert params["Counter"]["Height"] == 282 and params["Counter"]["Enabled"] == 1
    assert SERIAL in curl(*op, f"{counter.operator}?show-logs")
    archive = tmp_path / "logs.tar.gz"
    curl(*op, "-o", str(archive), f"{counter.operator}?generate-logs")
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert any(n.endswith("params.json") for n in names), names
    # A viewer is refused the operator endpoint with 401 and a sentence, never a 500.
    refused = run([need_tool("curl"), "-sS", "-o", "/dev/null", "-w", "%{http_code}",
                   "--digest", "-u", "view:viewpass", f"{counter.operator}?show-logs"])  # fmt: skip
    assert refused == "401"


def test_curl_occupancy_actions(counter_sha256: Counter) -> None:
    c = counter_sha256
    view = ["--digest", "-u", "view:viewpass"]
    live = json.loads(curl(*view, f"{c.api}?live-occupancy.json"))
    assert live["occupancy"] >= 0 and live["totalin"] == live["total in"]
    rows = _csv_rows(curl(*view, f"{c.api}?occupancy-export-csv&date=20170512&res=1h"))
    assert len(rows) == 24 and rows[0][2] == SERIAL
    data = json.loads(curl(*view, f"{c.api}?occupancy-export-json&date=20170512&res=24h"))["data"]
    assert list(data) == ["20170513000000"]
    assert "<cntset" in curl(*view, f"{c.api}?occupancy-export-xml&date=20170512&res=24h")
    reset = curl("--digest", "-u", "op:oppass", f"{c.operator}?occupancy-reset&occ=0")
    assert json.loads(reset) == {"status": "OK"}


def test_curl_clear_data_on_its_own_counter(tmp_path: Path) -> None:
    from tests.clients.counter import start_counter

    c = start_counter(tmp_path / "data")
    try:
        assert curl("--digest", "-u", "op:oppass", f"{c.operator}?clear-data") == "OK"
        assert (
            json.loads(curl("--digest", "-u", "root:pass", f"{c.api}?list-cnt.json"))["days"] == []
        )
    finally:
        c.stop()


# -- wget: --user/--password answers the Digest challenge ------------------------------------
def wget(*args: str) -> str:
    """wget -q -O - ARGS: stdout."""
    return run([need_tool("wget"), "-q", "-O", "-", "--timeout=20", "--tries=1", *args])


def test_wget_digest_exports(counter: Counter) -> None:
    body = wget("--user", "view", "--password", "viewpass",
                f"{counter.api}?export-csv&date=20170512,20170513&res=24h")  # fmt: skip
    assert _csv_rows(body) == expected_csv_rows(DAYS, 86400)
    body = wget(f"{counter.api.replace('http://', 'http://view:viewpass@')}?export-json&res=1h"
                "&date=20170513")  # fmt: skip
    assert json.loads(body)["data"] == expected_json_data([D2], 3600)


def test_wget_preemptive_basic_and_post(counter: Counter, counter_basic: Counter) -> None:
    live = json.loads(wget("--auth-no-challenge", "--user", "view", "--password", "viewpass",
                           f"{counter.api}?live-sum.json"))  # fmt: skip
    assert (live["in"], live["out"]) == counter.today
    answer = wget("--user", "op", "--password", "oppass",
                  "--post-data", "setparams&Counter.Height=283", counter.operator)  # fmt: skip
    assert answer == "OK"
    # With a Basic challenge after the Digest one, wget still picks Digest and succeeds.
    days = json.loads(wget("--user", "view", "--password", "viewpass",
                           f"{counter_basic.api}?list-cnt.json"))["days"]  # fmt: skip
    assert days[:2] == ["20170512", "20170513"]


def test_expected_totals_are_not_trivial() -> None:
    """The replayed history has passages in both directions on both days."""
    for day in DAYS:
        ins, outs = day_totals(day)
        assert ins > 10 and outs > 5
    assert date(2017, 5, 12) == D1

"""Importers as SPEC §1 describes them: PHP/shell (CSV by header names, MySQL LOAD DATA, awk),
a pandas-like loader (csv + strptime, export-json keyed by bin END), a C#-style params reader."""

from __future__ import annotations

import csv
import io
import itertools
import json
import subprocess
import urllib.request
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from typing import Any

from tests.clients.counter import (
    DAYS,
    NAME,
    SERIAL,
    Counter,
    day_totals,
    expected_bins,
    expected_csv_rows,
    need_tool,
)

CSV_QUERY = "export-csv&date=20170512,20170513&res=15m"


def fetch_anonymous(url: str) -> str:
    """What PHP's file_get_contents($url) does: a bare GET, no credentials."""
    with urllib.request.urlopen(url, timeout=10) as response:
        return str(response.read().decode("utf-8"))


def test_php_str_getcsv_by_header_names(counter_basic: Counter) -> None:
    body = fetch_anonymous(f"{counter_basic.api}?{CSV_QUERY}")
    lines = body.split("\n")
    assert lines[-1] == "", "the last line ends with LF"
    header = lines[0].split(",")  # str_getcsv on a line without quotes
    records = [dict(zip(header, line.split(","), strict=True)) for line in lines[1:-1]]
    assert len(records) == 2 * 96
    assert {r["Camera serial number"] for r in records} == {SERIAL}
    assert {r["Counter name"] for r in records} == {NAME}
    for day in DAYS:
        mine = [r for r in records if r["Interval start"].startswith(day.isoformat())]
        ins = sum(int(r["Pedestrians coming in"]) for r in mine)
        outs = sum(int(r["Pedestrians going out"]) for r in mine)
        assert (ins, outs) == day_totals(day)


def test_mysql_load_data_assumptions(counter: Counter) -> None:
    """LOAD DATA ... FIELDS TERMINATED BY ',' LINES TERMINATED BY '\\n' IGNORE 1 LINES."""
    import httpx

    body = httpx.get(f"{counter.api}?{CSV_QUERY}", auth=httpx.BasicAuth("view", "viewpass")).text
    assert '"' not in body and "\r" not in body and "\n\n" not in body
    assert body.endswith("\n")
    rows = [line.split(",") for line in body.split("\n")[1:-1]]
    assert all(len(row) == 6 for row in rows)
    for row in rows:  # DATETIME columns take 'YYYY-MM-DD hh:mm:ss' as is
        for text in row[:2]:
            datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    assert rows == expected_csv_rows(DAYS, 900)


def test_shell_importer_with_awk(counter: Counter) -> None:
    curl, awk = need_tool("curl"), need_tool("awk")
    script = (
        f"{curl} -sS --fail -u view:viewpass '{counter.api}?{CSV_QUERY}' | "
        f"{awk} -F, 'NR>1 {{ day=substr($1,1,10); i[day]+=$5; o[day]+=$6 }} "
        "END { for (d in i) print d, i[d], o[d] }' | sort"
    )
    done = subprocess.run(["bash", "-c", f"set -o pipefail; {script}"], capture_output=True,
                          text=True, timeout=30, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    want = "".join(f"{day.isoformat()} {day_totals(day)[0]} {day_totals(day)[1]}\n" for day in DAYS)
    assert done.stdout == want


def test_pandas_like_loader(counter: Counter) -> None:
    import httpx

    auth = httpx.DigestAuth("view", "viewpass")
    with httpx.Client(auth=auth, timeout=10) as client:
        body = client.get(f"{counter.api}?export-csv&date=20170512-20170513&res=1h").text
        exported = client.get(f"{counter.api}?export-json&date=20170512-20170513&res=1h").json()
    frame: list[dict[str, Any]] = []
    for row in csv.DictReader(io.StringIO(body)):
        start = datetime.strptime(row["Interval start"], "%Y-%m-%d %H:%M:%S")
        stop = datetime.strptime(row["Interval stop"], "%Y-%m-%d %H:%M:%S")
        frame.append({"start": start, "stop": stop, "in": int(row["Pedestrians coming in"]),
                      "out": int(row["Pedestrians going out"])})  # fmt: skip
    assert all(r["stop"] - r["start"] == timedelta(hours=1) for r in frame)
    assert all(a["stop"] == b["start"] for a, b in itertools.pairwise(frame))
    want = [b for day in DAYS for b in expected_bins(day, 3600)]
    assert [(r["start"], r["stop"], r["in"], r["out"]) for r in frame] == [
        (b.start, b.end, b.ins, b.outs) for b in want
    ]
    # export-json: keys are bin END times, in order, and match the CSV's Interval stop.
    assert exported["counter"]["delta"] == 3600
    keys = [datetime.strptime(k, "%Y%m%d%H%M%S") for k in exported["data"]]
    assert keys == [r["stop"] for r in frame]
    types = exported["counter"]["types"]
    order = sorted(types, key=types.__getitem__)
    assert order == ["Pedestrians coming in", "Pedestrians going out"]
    assert [v for v in exported["data"].values()] == [[r["in"], r["out"]] for r in frame]


def test_elementtree_reads_the_xml_despite_the_doctype(counter_basic: Counter) -> None:
    body = fetch_anonymous(f"{counter_basic.api}?export-xml&date=20170513&res=24h")
    root = ET.fromstring(body.encode())
    cnts = {c.get("typeid"): int(c.text or "") for c in root.iter("cnt")}
    assert (cnts["3"], cnts["4"]) == day_totals(DAYS[1])


def test_csharp_style_params_reader(counter: Counter) -> None:
    """A C# monitor deserialises params.json into typed classes (System.Text.Json rules: names
    match case-sensitively, an int property refuses 1.0 and true) and reads Counter.Enabled."""
    import httpx

    body = httpx.get(f"{counter.api}?params.json", auth=httpx.DigestAuth("view", "viewpass")).text
    params = json.loads(body)
    model: dict[str, dict[str, type]] = {
        "Counter": {"Enable": int, "Enabled": int, "Height": int, "Name": str},
        "Static": {"Serial": str, "Manufacturer": str, "ModelName": str},
        "Build": {"Name": str, "Version": str},
    }
    for group, fields in model.items():
        for name, kind in fields.items():
            value = params[group][name]
            assert type(value) is kind, f"{group}.{name} = {value!r} is not {kind.__name__}"
    assert params["Counter"]["Enabled"] == params["Counter"]["Enable"] == 1
    assert params["Static"]["Serial"] == SERIAL and params["Counter"]["Name"] == NAME

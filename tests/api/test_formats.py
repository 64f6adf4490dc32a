"""Export bodies byte for byte against SPEC.md §3, and the DTD against every XML we emit."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from footfall.api.formats import (
    APPDATA_DTD,
    COUNT_TYPES,
    OCCUPANCY_TYPES,
    render_csv,
    render_json,
    render_xml,
)
from footfall.store.base import Passage
from footfall.store.bins import DayBins, LocalBin, count_report
from footfall.store.sqlite import SQLiteStore

SERIAL, NAME = "ACCC8E019C5F", "Exit south"


def _bin(day: date, minute: int, width: int, *values: int) -> LocalBin:
    start = datetime(day.year, day.month, day.day) + timedelta(minutes=minute)
    return LocalBin(start, start + timedelta(minutes=width), values)


MAY12 = date(2017, 5, 12)
SAMPLE = [DayBins(MAY12, [_bin(MAY12, 0, 15, 0, 2), _bin(MAY12, 15, 15, 1, 0)])]

CSV_SAMPLE = (
    "Interval start,Interval stop,Camera serial number,Counter name,"
    "Pedestrians coming in,Pedestrians going out\n"
    "2017-05-12 00:00:00,2017-05-12 00:15:00,ACCC8E019C5F,Exit south,0,2\n"
    "2017-05-12 00:15:00,2017-05-12 00:30:00,ACCC8E019C5F,Exit south,1,0\n"
)
JSON_SAMPLE = (
    '{"counter":{"name":"Exit south","serial":"ACCC8E019C5F","delta":900,'
    '"types":{"Pedestrians coming in":3,"Pedestrians going out":4}},'
    '"data":{"20170512001500":[0,2],"20170512003000":[1,0]}}'
)
XML_SAMPLE = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE countdata SYSTEM "appdata.dtd">
<countdata version="1">
  <typedesc><type typeid="3">Pedestrians coming in</type><type typeid="4">Pedestrians going out</type></typedesc>
  <cntset name="Exit south" starttime="1494547200" delta="900" date="2017-05-12">
    <cntgroup endtime="1494548100" time="00:15"><cnt typeid="3">0</cnt><cnt typeid="4">2</cnt></cntgroup>
    <cntgroup endtime="1494549000" time="00:30"><cnt typeid="3">1</cnt><cnt typeid="4">0</cnt></cntgroup>
  </cntset>
</countdata>
"""  # noqa: E501  (the SPEC.md §3 sample, verbatim)


def _validate(xml: str) -> None:
    dtd = etree.DTD(io.StringIO(APPDATA_DTD))
    document = etree.fromstring(xml.encode("utf-8"))
    assert dtd.validate(document), dtd.error_log.filter_from_errors()


def test_csv_sample() -> None:
    assert render_csv(SAMPLE, SERIAL, NAME) == CSV_SAMPLE


def test_json_sample() -> None:
    assert render_json(SAMPLE, SERIAL, NAME, 900) == JSON_SAMPLE
    assert list(json.loads(JSON_SAMPLE)["data"]) == ["20170512001500", "20170512003000"]


def test_xml_sample() -> None:
    assert render_xml(SAMPLE, SERIAL, NAME, 900) == XML_SAMPLE
    _validate(XML_SAMPLE)


def test_spec_sample_json_matches_ours_once_compacted() -> None:
    spec = (Path(__file__).resolve().parents[3] / "shared" / "SPEC.md").read_text("utf-8")
    start = spec.index('{"counter"')
    text = spec[start : spec.index("}}", spec.index('"data"', start)) + 2]
    assert json.loads(text) == json.loads(JSON_SAMPLE)
    assert "".join(text.split("\n  ")).replace("\n ", "") == JSON_SAMPLE


EMPTY = [
    (render_csv, (SERIAL, NAME), CSV_SAMPLE.splitlines(keepends=True)[0]),
    (
        render_json,
        (SERIAL, NAME, 86400),
        '{"counter":{"name":"Exit south","serial":"ACCC8E019C5F","delta":86400,'
        '"types":{"Pedestrians coming in":3,"Pedestrians going out":4}},"data":{}}',
    ),
    (render_xml, (SERIAL, NAME, 3600), "".join(XML_SAMPLE.splitlines(True)[:4]) + "</countdata>\n"),
]


@pytest.mark.parametrize(("render", "args", "expected"), EMPTY)
def test_empty_documents_are_valid(render, args, expected) -> None:  # type: ignore[no-untyped-def]
    assert render([], *args) == expected
    if render is render_xml:
        _validate(expected)


def test_last_bin_of_a_day_ends_on_the_next_midnight() -> None:
    days = [DayBins(MAY12, [_bin(MAY12, 0, 1440, 5, 7)])]
    assert render_csv(days, SERIAL, NAME).splitlines()[1] == (
        "2017-05-12 00:00:00,2017-05-13 00:00:00,ACCC8E019C5F,Exit south,5,7"
    )
    assert '"data":{"20170513000000":[5,7]}' in render_json(days, SERIAL, NAME, 86400)
    xml = render_xml(days, SERIAL, NAME, 86400)
    assert '<cntgroup endtime="1494633600" time="00:00">' in xml
    assert 'starttime="1494547200" delta="86400" date="2017-05-12"' in xml


def test_occupancy_writers_take_four_values() -> None:
    days = [DayBins(MAY12, [_bin(MAY12, 0, 60, 3, 412, 9, 6), _bin(MAY12, 60, 60, 0, 0, 0, 3)])]
    columns = [label for _, label in OCCUPANCY_TYPES]
    csv = render_csv(days, SERIAL, NAME, columns)
    assert csv.splitlines()[0].endswith(",Counter name,Occupancy,Average Time,Total In,Total Out")
    assert csv.splitlines()[1].endswith(",Exit south,3,412,9,6")
    body = json.loads(render_json(days, SERIAL, NAME, 3600, OCCUPANCY_TYPES))
    assert body["counter"]["types"] == {
        "Occupancy": 64,
        "Average Time": 65,
        "Total In": 66,
        "Total Out": 67,
    }
    assert body["data"] == {"20170512010000": [3, 412, 9, 6], "20170512020000": [0, 0, 0, 3]}
    xml = render_xml(days, SERIAL, NAME, 3600, OCCUPANCY_TYPES)
    assert '<cnt typeid="65">412</cnt><cnt typeid="66">9</cnt>' in xml
    _validate(xml)


NAMES = [
    ("Entrée nord", "Entrée nord"),
    ('Door "A" & <B>', "Door  A  & <B>"),
    ("a,b\nc\rd", "a b c d"),  # CSV backstop; setparams refuses these (SPEC.md §2)
    ("bell\x07", "bell\x07"),
]


@pytest.mark.parametrize(("name", "csv_name"), NAMES)
def test_names_are_escaped_per_format(name: str, csv_name: str) -> None:
    csv = render_csv(SAMPLE, SERIAL, name)
    assert csv.splitlines()[1].split(",")[3] == csv_name
    assert all(len(line.split(",")) == 6 for line in csv.splitlines())
    assert json.loads(render_json(SAMPLE, SERIAL, name, 900))["counter"]["name"] == name
    xml = render_xml(SAMPLE, SERIAL, name, 900)
    _validate(xml)
    parsed = etree.fromstring(xml.encode("utf-8")).find("cntset")
    assert parsed is not None
    assert parsed.get("name") == name.replace("\x07", "?")


@pytest.mark.parametrize("zone", ["Europe/Stockholm", "Asia/Kathmandu", "Australia/Lord_Howe"])
@pytest.mark.parametrize("res_s", [900, 3600, 86400])
def test_real_reports_render_validly(tmp_path: Path, zone: str, res_s: int) -> None:
    tz = ZoneInfo(zone)
    moments = [datetime(2025, 3, 29, 22, tzinfo=UTC) + timedelta(minutes=37 * i) for i in range(90)]
    moments += [
        datetime(2025, 10, 4, 14, tzinfo=UTC) + timedelta(minutes=11 * i) for i in range(90)
    ]
    with SQLiteStore(tmp_path / "r.sqlite3") as store:
        store.add_passages([Passage(t, "in" if i % 3 else "out") for i, t in enumerate(moments)])
        days = count_report(store, tz, None, res_s)
    n_bins = sum(len(d.bins) for d in days)
    csv = render_csv(days, SERIAL, NAME)
    assert len(csv.splitlines()) == n_bins + 1 and csv.endswith("\n") and "\r" not in csv
    body = json.loads(render_json(days, SERIAL, NAME, res_s))
    assert len(body["data"]) == n_bins  # keys unique even across DST
    assert list(body["data"]) == sorted(body["data"])
    assert sum(v[0] + v[1] for v in body["data"].values()) == len(moments)
    xml = render_xml(days, SERIAL, NAME, res_s)
    _validate(xml)
    sets = etree.fromstring(xml.encode("utf-8")).findall("cntset")
    assert [s.get("date") for s in sets] == [d.day.isoformat() for d in days]
    for cntset in sets:
        ends = [int(g.get("endtime", "")) for g in cntset.findall("cntgroup")]
        assert ends == sorted(ends) and ends[-1] == int(cntset.get("starttime", "")) + 86400


def test_dtd_is_packaged_next_to_the_writers() -> None:
    assert APPDATA_DTD.lstrip().startswith("<!--") and "<!ELEMENT countdata" in APPDATA_DTD
    assert COUNT_TYPES == [(3, "Pedestrians coming in"), (4, "Pedestrians going out")]

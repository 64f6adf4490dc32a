"""The export bodies of SPEC.md §3, byte for byte: CSV, JSON and XML from `DayBins`.

Pure functions returning `str` with LF line ends. They are generic over the number of values per
bin: the count exports pass (in, out) with `COUNT_TYPES`, the occupancy exports four values with
their own types. Canonical forms (decisions, documented in docs/store-and-formats.md):

- CSV: one header line, one line per bin, every line LF-terminated, no quoting.
- JSON: compact, no spaces, no trailing newline, keys in the order of the SPEC sample:
  `{"counter":{"name","serial","delta","types"},"data":{"<bin end>":[...],...}}`.
- XML: two-space indent as in the sample; `time` is the hh:mm of `endtime`, so the last bin of a
  day reads `time="00:00"` with `endtime` on the next midnight (what `java.time.LocalTime` parses).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from importlib import resources
from typing import Final

from footfall.store.bins import DayBins

COUNT_TYPES: list[tuple[int, str]] = [(3, "Pedestrians coming in"), (4, "Pedestrians going out")]
OCCUPANCY_TYPES: list[tuple[int, str]] = [
    (64, "Occupancy"),
    (65, "Average Time"),
    (66, "Total In"),
    (67, "Total Out"),
]
CSV_LEAD: Final = "Interval start,Interval stop,Camera serial number,Counter name"
APPDATA_DTD: Final[str] = (resources.files("footfall.api") / "appdata.dtd").read_text("utf-8")

_EPOCH = datetime(1970, 1, 1)
_SECOND = timedelta(seconds=1)
_KEY = str.maketrans("", "", "-T: ")  # "2017-05-12T00:15:00" -> "20170512001500"
_CSV_UNSAFE = re.compile(r"[,\"\r\n]")
_XML_UNSAFE = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _csv_field(text: str) -> str:
    # SPEC.md §2: CSV never quotes and setparams refuses these characters; this is the backstop.
    return _CSV_UNSAFE.sub(" ", text)


def _xml_text(text: str) -> str:
    text = _XML_UNSAFE.sub("?", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # Character references survive attribute-value normalisation; raw tabs and newlines do not.
    return (
        text.replace('"', "&quot;")
        .replace("\t", "&#9;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
    )


def _json_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def render_csv(
    days: list[DayBins],
    serial: str,
    name: str,
    columns: Sequence[str] = ("Pedestrians coming in", "Pedestrians going out"),
) -> str:
    """CSV of SPEC.md §3: both interval ends as `YYYY-MM-DD hh:mm:ss`, one line per bin."""
    middle = f",{_csv_field(serial)},{_csv_field(name)},"
    lines = [",".join([CSV_LEAD, *(_csv_field(c) for c in columns)]) + "\n"]
    append = lines.append
    for day in days:
        previous_end: datetime | None = None
        previous_text = ""
        for b in day.bins:
            start = previous_text if b.start == previous_end else b.start.isoformat(" ")
            previous_end, previous_text = b.end, b.end.isoformat(" ")
            append(f"{start},{previous_text}{middle}{','.join(map(str, b.values))}\n")
    return "".join(lines)


def render_json(
    days: list[DayBins],
    serial: str,
    name: str,
    res_s: int,
    types: Sequence[tuple[int, str]] = COUNT_TYPES,
) -> str:
    """JSON of SPEC.md §3: data keyed by bin END time `YYYYMMDDhhmmss`, in time order."""
    type_map = ",".join(f"{_json_str(label)}:{typeid}" for typeid, label in types)
    head = (
        f'{{"counter":{{"name":{_json_str(name)},"serial":{_json_str(serial)},'
        f'"delta":{res_s},"types":{{{type_map}}}}},"data":{{'
    )
    rows = [
        f'"{b.end.isoformat().translate(_KEY)}":[{",".join(map(str, b.values))}]'
        for day in days
        for b in day.bins
    ]
    return head + ",".join(rows) + "}}"


def wall_seconds(moment: datetime) -> int:
    """Local wall-clock seconds since 1970, the naive time read as if it were UTC (SPEC.md §3)."""
    return (moment - _EPOCH) // _SECOND


def wall_time(seconds: int) -> datetime:
    """The naive local time of `wall_seconds` (its inverse)."""
    return _EPOCH + timedelta(seconds=seconds)


def render_xml(
    days: list[DayBins],
    serial: str,
    name: str,
    res_s: int,
    types: Sequence[tuple[int, str]] = COUNT_TYPES,
) -> str:
    """XML of SPEC.md §3: one `cntset` per day, one `cntgroup` per bin; valid against the DTD."""
    del serial  # the XML export does not carry it (SPEC.md §3 sample)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<!DOCTYPE countdata SYSTEM "appdata.dtd">\n',
        '<countdata version="1">\n',
        "  <typedesc>"
        + "".join(f'<type typeid="{t}">{_xml_text(label)}</type>' for t, label in types)
        + "</typedesc>\n",
    ]
    cnt_open = [f'<cnt typeid="{t}">' for t, _ in types]
    set_name = _xml_text(name)
    for day in days:
        midnight = datetime(day.day.year, day.day.month, day.day.day)
        out.append(
            f'  <cntset name="{set_name}" starttime="{wall_seconds(midnight)}" '
            f'delta="{res_s}" date="{day.day.isoformat()}">\n'
        )
        for b in day.bins:
            cnts = "".join(f"{o}{v}</cnt>" for o, v in zip(cnt_open, b.values, strict=True))
            out.append(
                f'    <cntgroup endtime="{wall_seconds(b.end)}" time="{b.end.isoformat()[11:16]}">'
                f"{cnts}</cntgroup>\n"
            )
        out.append("  </cntset>\n")
    out.append("</countdata>\n")
    return "".join(out)

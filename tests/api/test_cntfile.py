"""export-cnt (SPEC.md §4): our own file format, written and read back."""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from footfall.api.cntfile import (
    MAGIC,
    CntFormatError,
    CntRecord,
    cnt_filename,
    read_cnt,
    render_cnt,
)
from footfall.api.formats import OCCUPANCY_TYPES
from footfall.store.base import Passage
from footfall.store.bins import DayBins, LocalBin, count_report
from footfall.store.sqlite import SQLiteStore

SERIAL, NAME, ZONE = "ACCC8E019C5F", "Exit south", "Europe/Stockholm"
MAY12 = date(2017, 5, 12)


def _day(values: list[tuple[int, ...]], width_min: int = 15) -> DayBins:
    midnight = datetime(2017, 5, 12)
    step = timedelta(minutes=width_min)
    return DayBins(
        MAY12,
        [LocalBin(midnight + i * step, midnight + (i + 1) * step, v) for i, v in enumerate(values)],
    )


def test_layout_byte_for_byte() -> None:
    data = render_cnt([_day([(0, 2), (1, 0)])], SERIAL, NAME, ZONE, 900)
    texts = b"".join(
        struct.pack("<H", len(t)) + t for t in (b"ACCC8E019C5F", b"Exit south", ZONE.encode())
    )
    types = struct.pack("<IH", 3, 21) + b"Pedestrians coming in"
    types += struct.pack("<IH", 4, 21) + b"Pedestrians going out"
    header_len = 28 + len(texts) + len(types)
    head = MAGIC + struct.pack("<HHIIQ", 1, header_len, 900, 2, 4)
    records = b"".join(
        struct.pack("<qIq", end, typeid, value)
        for end, typeid, value in [
            (1494548100, 3, 0), (1494548100, 4, 2), (1494549000, 3, 1), (1494549000, 4, 0),
        ]
    )  # fmt: skip
    body = head + texts + types + records
    assert data == body + struct.pack("<I", zlib.crc32(body))


def test_round_trip() -> None:
    days = [_day([(i % 5, i % 3) for i in range(96)])]
    parsed = read_cnt(render_cnt(days, SERIAL, "Entrée", ZONE, 900))
    assert (parsed.serial, parsed.name, parsed.tz_name, parsed.bin_s) == (
        SERIAL,
        "Entrée",
        ZONE,
        900,
    )
    assert parsed.types == ((3, "Pedestrians coming in"), (4, "Pedestrians going out"))
    assert parsed.records[:2] == [CntRecord(1494548100, 3, 0), CntRecord(1494548100, 4, 0)]
    assert parsed.to_days() == days


def test_round_trip_of_a_real_dst_report(tmp_path: Path) -> None:
    tz = ZoneInfo(ZONE)
    moments = [
        datetime(2025, 10, 25, 20, tzinfo=UTC) + timedelta(minutes=7 * i) for i in range(200)
    ]
    with SQLiteStore(tmp_path / "c.sqlite3") as store:
        store.add_passages([Passage(t, "in" if i % 2 else "out") for i, t in enumerate(moments)])
        for res_s in (900, 3600, 86400):
            days = count_report(store, tz, None, res_s)
            parsed = read_cnt(render_cnt(days, SERIAL, NAME, ZONE, res_s))
            assert parsed.to_days() == days
            assert sum(r.value for r in parsed.records) == len(moments)


def test_occupancy_values_round_trip() -> None:
    days = [_day([(3, 412, 9, 6), (0, 0, 0, 3)], width_min=60)]
    parsed = read_cnt(render_cnt(days, SERIAL, NAME, ZONE, 3600, OCCUPANCY_TYPES))
    assert parsed.types == tuple(OCCUPANCY_TYPES)
    assert parsed.to_days() == days


def test_empty_export_is_a_valid_file() -> None:
    parsed = read_cnt(render_cnt([], SERIAL, NAME, ZONE, 900))
    assert parsed.records == [] and parsed.to_days() == []


def _corrupt(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]


GOOD = render_cnt([_day([(1, 2)])], SERIAL, NAME, ZONE, 900)


def _recrc(body: bytes) -> bytes:
    return body + struct.pack("<I", zlib.crc32(body))


BAD = [
    (b"", "bad magic"),
    (b"FFCNT", "bad magic"),
    (b"PK\x03\x04" + GOOD[4:], "bad magic"),
    (GOOD[:-1], "CRC"),
    (GOOD[:-21] + GOOD[-4:], "CRC"),
    (_corrupt(GOOD, 40), "CRC"),
    (_corrupt(GOOD, len(GOOD) - 10), "CRC"),
    (_recrc(MAGIC + struct.pack("<HHIIQ", 2, 28, 900, 0, 0)), "version 2"),
    (_recrc(GOOD[:20] + struct.pack("<Q", 5) + GOOD[28:-4]), "record count"),
    (_recrc(MAGIC + struct.pack("<HHIIQ", 1, 28, 900, 0, 0) + b"\x05\x00ab"), "truncated"),
    (
        _recrc(MAGIC + struct.pack("<HHIIQ", 1, 34, 900, 0, 0) + b"\x02\x00\xff\xfe\x00\x00"),
        "UTF-8",
    ),
]


@pytest.mark.parametrize(("data", "why"), BAD)
def test_reader_refuses_what_it_cannot_trust(data: bytes, why: str) -> None:
    with pytest.raises(CntFormatError, match=why):
        read_cnt(data)


FILENAMES = [
    ("20170512", "ACCC8E019C5F_20170512.cnt"),
    ("20170512-20170515", "ACCC8E019C5F_20170512-20170515.cnt"),
    ("20170512,20170515", "ACCC8E019C5F_20170512_20170515.cnt"),
    ("20170512, 20170515", "ACCC8E019C5F_20170512_20170515.cnt"),
    ("all", "ACCC8E019C5F_all.cnt"),
    ("ALL", "ACCC8E019C5F_all.cnt"),
    (None, "ACCC8E019C5F_all.cnt"),
    ("", "ACCC8E019C5F_all.cnt"),
    ('x"; rm -rf /', "ACCC8E019C5F_xrm-rf.cnt"),
    ("20170512,20170513,20170514,20170515", "ACCC8E019C5F_20170512_and3more.cnt"),
]


@pytest.mark.parametrize(("param", "expected"), FILENAMES)
def test_filenames(param: str | None, expected: str) -> None:
    assert cnt_filename(SERIAL, param) == expected

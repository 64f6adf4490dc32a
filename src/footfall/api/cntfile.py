"""export-cnt: footfall's own documented binary count file (SPEC.md §4, a decision).

It is not the vendor's `.cnt` and we never claim AXIS Store Data Manager compatibility. Layout,
all integers little-endian (docs/store-and-formats.md has the same table):

    offset  size  field
    0       8     magic b"FFCNT\\r\\n\\x1a" (catches text-mode mangling, like PNG's)
    8       2     u16 format version = 1
    10      2     u16 header length in bytes (records start there)
    12      4     u32 bin width in seconds
    16      4     u32 number of types T
    20      8     u64 number of records N
    28      ...   serial, counter name, IANA time zone: each u16 byte length + UTF-8
    ...     ...   T types: u32 typeid, u16 byte length + UTF-8 label
    header  20*N  records: i64 bin END (local wall-clock seconds since 1970, as in the XML
                  `endtime`), u32 typeid, i64 value; in time order, then in type order
    end-4   4     u32 CRC-32 (zlib) of every byte before it

Every bin of an exported day is present, zero bins included, T records per bin.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import NamedTuple

import numpy as np

from footfall.api.formats import COUNT_TYPES, wall_seconds, wall_time
from footfall.store.bins import DayBins, LocalBin

MAGIC = b"FFCNT\r\n\x1a"
VERSION = 1
_FIXED = struct.Struct("<8sHHIIQ")
_RECORD = np.dtype([("end", "<i8"), ("typeid", "<u4"), ("value", "<i8")])  # packed, 20 bytes


class CntFormatError(ValueError):
    """The bytes are not a footfall count file this reader understands."""


class CntRecord(NamedTuple):
    """One value of one bin: bin end (local wall-clock seconds), type, value."""

    end: int
    typeid: int
    value: int


@dataclass(frozen=True, slots=True)
class CntFile:
    """A parsed count file."""

    version: int
    serial: str
    name: str
    tz_name: str
    bin_s: int
    types: tuple[tuple[int, str], ...]
    records: list[CntRecord]

    def to_days(self) -> list[DayBins]:
        """Rebuild the exported days (one `LocalBin` per bin end, values in type order)."""
        width = len(self.types)
        days: list[DayBins] = []
        for i in range(0, len(self.records), width):
            group = self.records[i : i + width]
            end = wall_time(group[0].end)
            start = end - timedelta(seconds=self.bin_s)
            local_bin = LocalBin(start, end, tuple(r.value for r in group))
            if not days or days[-1].day != start.date():
                days.append(DayBins(start.date(), []))
            days[-1].bins.append(local_bin)
        return days


def _text(value: str) -> bytes:
    raw = value.encode("utf-8")
    if len(raw) > 0xFFFF:
        raise ValueError("a text field of a count file is longer than 65535 bytes")
    return struct.pack("<H", len(raw)) + raw


def render_cnt(
    days: list[DayBins],
    serial: str,
    name: str,
    tz_name: str,
    res_s: int,
    types: Sequence[tuple[int, str]] = COUNT_TYPES,
) -> bytes:
    """The export-cnt body (SPEC.md §4) for `days`."""
    texts = _text(serial) + _text(name) + _text(tz_name)
    texts += b"".join(struct.pack("<I", t) + _text(label) for t, label in types)
    header_len = _FIXED.size + len(texts)
    if header_len > 0xFFFF:
        raise ValueError("the count file header would exceed 65535 bytes")
    ends = [wall_seconds(b.end) for day in days for b in day.bins]
    values = [v for day in days for b in day.bins for v in b.values]
    width = len(types)
    if len(values) != len(ends) * width:
        raise ValueError(f"every bin must carry {width} values, one per type")
    records = np.zeros(len(values), dtype=_RECORD)
    records["end"] = np.repeat(np.array(ends, dtype=np.int64), width)
    records["typeid"] = np.tile(np.array([t for t, _ in types], dtype=np.uint32), len(ends))
    records["value"] = np.array(values, dtype=np.int64)
    fixed = _FIXED.pack(MAGIC, VERSION, header_len, res_s, width, len(records))
    body = fixed + texts + records.tobytes()
    return body + struct.pack("<I", zlib.crc32(body))


class _Reader:
    """Reads the count file's header fields one after the other, up to `end`."""

    def __init__(self, data: bytes, end: int) -> None:
        self.data, self.pos, self.end = data, _FIXED.size, end

    def take(self, size: int) -> bytes:
        """The next `size` bytes; a header that ends before them is a CntFormatError."""
        if self.pos + size > self.end:
            raise CntFormatError("the count file header is truncated")
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def text(self) -> str:
        """The next text field: its length (2 bytes, little-endian), then UTF-8."""
        (size,) = struct.unpack("<H", self.take(2))
        try:
            return self.take(size).decode("utf-8")
        except UnicodeDecodeError:
            raise CntFormatError("a text field of the count file is not UTF-8") from None


def read_cnt(data: bytes) -> CntFile:
    """Parse a count file written by `render_cnt`; raises CntFormatError on anything else."""
    if len(data) < _FIXED.size + 4 or not data.startswith(MAGIC):
        raise CntFormatError("not a footfall count file (bad magic or too short)")
    (crc,) = struct.unpack("<I", data[-4:])
    if zlib.crc32(data[:-4]) != crc:
        raise CntFormatError("the count file is corrupt (CRC-32 mismatch)")
    _, version, header_len, bin_s, n_types, n_records = _FIXED.unpack_from(data)
    if version != VERSION:
        raise CntFormatError(f"count file version {version} is not supported (only {VERSION})")
    reader = _Reader(data, header_len)
    serial, name, tz_name = reader.text(), reader.text(), reader.text()
    types = []
    for _ in range(n_types):
        (typeid,) = struct.unpack("<I", reader.take(4))
        types.append((typeid, reader.text()))
    if header_len + n_records * _RECORD.itemsize != len(data) - 4:
        raise CntFormatError("the count file's record count does not match its length")
    records = np.frombuffer(data, dtype=_RECORD, count=n_records, offset=header_len)
    rows = [
        CntRecord(e, t, v)
        for e, t, v in zip(
            records["end"].tolist(),
            records["typeid"].tolist(),
            records["value"].tolist(),
            strict=True,
        )
    ]
    return CntFile(version, serial, name, tz_name, bin_s, tuple(types), rows)


_UNSAFE_NAME = re.compile(r"[^0-9A-Za-z_-]")


def cnt_filename(serial: str, date_param: str | None) -> str:
    """`<serial>_<dates>.cnt` for Content-Disposition (SPEC.md §4); commas become `_`."""
    dates = (date_param or "").strip().lower() or "all"
    items = [_UNSAFE_NAME.sub("", item) for item in dates.split(",")]
    items = [item for item in items if item] or ["all"]
    if len(items) > 3:
        items = [items[0], f"and{len(items) - 1}more"]
    return f"{_UNSAFE_NAME.sub('', serial) or 'counter'}_{'_'.join(items)}.cnt"

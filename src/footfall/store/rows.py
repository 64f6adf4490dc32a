"""What every store backend writes and reads, worked out without SQL (SQLite and PostgreSQL alike).

Passages become `(minute_utc, in, out)` rows, one per UTC minute, in time order; event times
become UTC microseconds and payloads compact JSON. The checks here are the store's contract:
both backends refuse the same input with the same `ValueError` before touching the database.

    >>> from datetime import UTC, datetime
    >>> minute_rows([Passage(datetime(2025, 6, 1, 8, 0, 30, tzinfo=UTC), "in")])
    [(1748764800, 1, 0)]
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from footfall.store.base import Event, Passage

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MinuteRow = tuple[int, int, int]  # (minute_utc, in_count, out_count)


def minute_of(passage: Passage) -> int:
    """The epoch second at which the passage's UTC minute starts; ValueError for a bad passage."""
    if passage.time.tzinfo is None:
        raise ValueError(f"passage time {passage.time} has no time zone; pass UTC-aware times")
    if passage.direction not in ("in", "out"):
        raise ValueError(f"passage direction {passage.direction!r} is neither 'in' nor 'out'")
    minute = math.floor(passage.time.timestamp() / 60) * 60
    if minute < 0:
        raise ValueError(f"passage time {passage.time} is before 1970")
    return minute


def minute_rows(passages: Sequence[Passage]) -> list[MinuteRow]:
    """Passages summed per UTC minute, in time order (all checked before any row is made)."""
    per_minute: dict[int, list[int]] = {}
    for passage in passages:
        counts = per_minute.setdefault(minute_of(passage), [0, 0])
        counts[0 if passage.direction == "in" else 1] += 1
    return [(minute, c[0], c[1]) for minute, c in sorted(per_minute.items())]


def checked_minute_rows(rows: Sequence[MinuteRow]) -> list[MinuteRow]:
    """The non-empty rows of a bulk import; ValueError names the first bad one."""
    for minute, n_in, n_out in rows:
        if minute < 0 or minute % 60 or n_in < 0 or n_out < 0:
            raise ValueError(f"bad minute row {(minute, n_in, n_out)}")
    return [r for r in rows if r[1] or r[2]]


def check_window(start_utc: int, end_utc: int, width_s: int) -> None:
    """ValueError unless `width_s` divides a day into whole minutes and [start, end) aligns."""
    if width_s <= 0 or width_s % 60 or 86400 % width_s:
        raise ValueError(f"window width {width_s} s does not divide a day into minutes")
    if start_utc % width_s or end_utc % width_s:
        raise ValueError(f"[{start_utc}, {end_utc}) is not aligned to {width_s} s windows")


def time_us(when: datetime) -> int:
    """An event time as UTC microseconds since 1970; ValueError for a naive time."""
    if when.tzinfo is None:
        raise ValueError(f"event time {when} has no time zone; pass UTC-aware times")
    return (when - EPOCH) // timedelta(microseconds=1)


def payload_json(event: Event) -> str:
    """The event's payload as compact JSON text (UTF-8 kept, not escaped)."""
    return json.dumps(event.payload, ensure_ascii=False, separators=(",", ":"))


def event_of(event_id: int, us: int, kind: str, payload: str | dict[str, Any]) -> Event:
    """An Event from a stored row (payload as JSON text or already decoded)."""
    body = json.loads(payload) if isinstance(payload, str) else payload
    return Event(EPOCH + timedelta(microseconds=us), kind, body, id=event_id)

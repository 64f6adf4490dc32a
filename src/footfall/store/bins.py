"""Dates, resolutions and local bins: from 1-minute UTC storage to a zone's days (SPEC.md §2).

`count_report(store, tz, days, res_s)` is what every export calls: it returns complete local
days of wall-clock bins. The arithmetic lives in `report.py` (vectorised, pure); this module
parses the request parameters and builds the `DayBins` the formats render.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from footfall.errors import BadRequest
from footfall.store.base import Store
from footfall.store.report import DAY_S, I64, ZoneSpan, wall_grid, zone_span

RESOLUTIONS = {"1m": 60, "15m": 900, "1h": 3600, "24h": 86400}
MIN_DATE = date(1970, 1, 1)
MAX_DATE = date(9998, 12, 31)
MAX_DAYS = 36525  # 100 years: more than any retention setting keeps (Storage.RetentionDays)
MAX_ITEMS = 1000  # comma-separated items in one `date`
_EPOCH = date(1970, 1, 1)
_EPOCH_DT = datetime(1970, 1, 1)
_DATE = re.compile(r"[0-9]{8}")


@dataclass(frozen=True, slots=True)
class LocalBin:
    """One bin in local wall-clock time: [start, end), naive; `values` in the order of the types."""

    start: datetime
    end: datetime
    values: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class DayBins:
    """Every bin of one local day that holds data, zero bins included, in time order."""

    day: date
    bins: list[LocalBin]


def _show(value: str) -> str:
    """The user's value, quoted and cut short, safe to echo in a text/plain sentence."""
    shown = "".join(c if c.isprintable() and c.isascii() else "?" for c in value[:40])
    return f'"{shown}"' + ("..." if len(value) > 40 else "")


def _one_date(item: str) -> date:
    if not _DATE.fullmatch(item):
        raise BadRequest(f"The date {_show(item)} is not of the form YYYYMMDD.")
    try:
        day = date(int(item[:4]), int(item[4:6]), int(item[6:]))
    except ValueError:
        raise BadRequest(f"The date {_show(item)} does not exist in the calendar.") from None
    if not MIN_DATE <= day <= MAX_DATE:
        raise BadRequest(
            f"The date {_show(item)} is out of range; dates run from 19700101 to 99981231."
        )
    return day


def _one_item(item: str) -> list[date]:
    if "-" not in item:
        return [_one_date(item)]
    first, _, last = item.partition("-")
    if "-" in last or not first or not last:
        raise BadRequest(f"The date range {_show(item)} is not of the form YYYYMMDD-YYYYMMDD.")
    a, b = _one_date(first.strip()), _one_date(last.strip())
    if b < a:
        raise BadRequest(f"The date range {_show(item)} ends before it starts.")
    if (b - a).days + 1 > MAX_DAYS:
        raise BadRequest(
            f"The date range {_show(item)} spans {(b - a).days + 1} days; "
            f"at most {MAX_DAYS} days may be asked at once."
        )
    return [a + timedelta(days=i) for i in range((b - a).days + 1)]


def parse_dates(value: str | None) -> list[date] | None:
    """Parse `date` (SPEC.md §2): sorted distinct days, or None for `all` (and when absent)."""
    if value is None or value.strip() == "" or value.strip().lower() == "all":
        return None
    items = value.strip().split(",")
    if len(items) > MAX_ITEMS:
        raise BadRequest(f"The date list has {len(items)} items; at most {MAX_ITEMS} are allowed.")
    days: set[date] = set()
    for raw in items:
        item = raw.strip()
        if not item:
            raise BadRequest(f"The date list {_show(value)} has an empty item.")
        if item.lower() == "all":
            raise BadRequest("The date 'all' cannot be combined with other dates.")
        days.update(_one_item(item))
        if len(days) > MAX_DAYS:
            raise BadRequest(f"The dates cover more than {MAX_DAYS} days; ask for fewer at once.")
    return sorted(days)


def parse_res(value: str | None, *, allow_1m: bool = False) -> int:
    """Parse `res` (SPEC.md §2) into seconds: 15m (default), 1h, 24h, and 1m if allowed."""
    if value is None or value.strip() == "":
        return RESOLUTIONS["15m"]
    res_s = RESOLUTIONS.get(value.strip())
    if res_s is None or (res_s == 60 and not allow_1m):
        allowed = "1m, 15m, 1h or 24h" if allow_1m else "15m, 1h or 24h"
        raise BadRequest(f"The resolution {_show(value)} is not one of {allowed}.")
    return res_s


def day_bounds_utc(day: date, tz: ZoneInfo) -> tuple[int, int]:
    """Epoch seconds [start, end) of the local calendar day `day` in `tz`."""
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    end = start.replace(tzinfo=None) + timedelta(days=1)
    return int(start.timestamp()), int(end.replace(tzinfo=tz).timestamp())


def _day_number(day: date) -> int:
    return (day - _EPOCH).days


def _runs(days: Iterable[date], max_gap: int) -> list[tuple[date, date]]:
    """Group sorted days into [first, last] runs, joining runs at most `max_gap` days apart."""
    out: list[tuple[date, date]] = []
    for day in days:
        if out and (day - out[-1][1]).days <= max_gap:
            out[-1] = (out[-1][0], day)
        else:
            out.append((day, day))
    return out


def days_with_data(store: Store, tz: ZoneInfo) -> list[date]:
    """Local days holding at least one passage, ascending (list-cnt.json, `date=all`)."""
    hours = np.array(store.data_hours(), dtype=np.int64)
    if len(hours) == 0:
        return []
    span = zone_span(tz, int(hours[0]), int(hours[-1]) + 3600)
    last_minute = hours + 3540
    first_day = span.walls(hours) // DAY_S
    last_day = span.walls(last_minute) // DAY_S
    plain = (first_day == last_day) & (span.offsets_at(hours) == span.offsets_at(last_minute))
    found = set(first_day[plain].tolist())
    for hour in hours[~plain].tolist():  # hours that straddle a local midnight or a change
        minutes = np.array([b.minute_utc for b in store.minute_bins(hour, hour + 3600)], np.int64)
        found.update((span.walls(minutes) // DAY_S).tolist())
    return [_EPOCH + timedelta(days=d) for d in sorted(found)]


def _window_rows(
    store: Store, tz: ZoneInfo, runs: list[tuple[date, date]], res_s: int
) -> tuple[I64, ZoneSpan]:
    """(window start, in, out) rows covering the runs, at the coarsest exact window width."""
    bounds = [(day_bounds_utc(a, tz)[0], day_bounds_utc(b, tz)[1]) for a, b in runs]
    # A day away on both sides: a change exactly at a day's first instant must be seen as one.
    span = zone_span(tz, bounds[0][0] - DAY_S, bounds[-1][1] + DAY_S)
    # Every real zone offset today is a multiple of 15 min, so UTC quarter-hours fall wholly
    # inside one local bin; older offsets (and 1m bins) need minute windows.
    width_s = 900 if res_s % 900 == 0 and span.aligned_to(900) else 60
    # A minute belongs to the local day of its first second: round bounds up to a whole window.
    aligned = [(-(-s // width_s) * width_s, -(-e // width_s) * width_s) for s, e in bounds]
    rows = [r for s, e in aligned for r in store.window_sums(s, e, width_s)]
    return np.array(rows, dtype=np.int64).reshape(-1, 3), span


def count_report(store: Store, tz: ZoneInfo, days: list[date] | None, res_s: int) -> list[DayBins]:
    """Complete local days of (in, out) bins for every asked day that holds data (SPEC.md §2)."""
    if res_s not in RESOLUTIONS.values():
        raise ValueError(f"unsupported bin width {res_s} s")
    asked = days_with_data(store, tz)  # bounds the work by the data, not by the request
    if days is not None:
        wanted = set(days)
        asked = [d for d in asked if d in wanted]
    if not asked:
        return []
    keep = np.array([_day_number(d) for d in asked], dtype=np.int64)
    runs = _runs(asked, max_gap=31)  # one query per stretch of data, gaps filtered by `keep`
    rows, span = _window_rows(store, tz, runs, res_s)
    if len(rows) == 0:
        return []
    grid = wall_grid(rows[:, 0], rows[:, 1:], span, res_s, keep)
    return _day_bins(grid.days.tolist(), grid.values, grid.present, res_s)


def _day_bins(days: list[int], values: I64, present: np.ndarray, res_s: int) -> list[DayBins]:
    """Build the `DayBins` objects (the only per-bin Python loop, kept lean)."""
    per_day = DAY_S // res_s
    steps = [timedelta(seconds=k * res_s) for k in range(per_day + 1)]
    out = []
    for i, day_number in enumerate(days):
        midnight = _EPOCH_DT + timedelta(days=day_number)
        edges = [midnight + s for s in steps]
        rows = values[i].tolist()
        keep = present[i].tolist()
        bins = [LocalBin(edges[k], edges[k + 1], tuple(rows[k])) for k in range(per_day) if keep[k]]
        out.append(DayBins(midnight.date(), bins))
    return out


def today_totals(store: Store, tz: ZoneInfo, now_utc: datetime) -> tuple[int, int]:
    """(in, out) of the local day of `now_utc`, up to and including the current minute."""
    now = now_utc.astimezone(tz)
    start, _ = day_bounds_utc(now.date(), tz)
    end = int(now_utc.astimezone(UTC).timestamp()) // 60 * 60 + 60
    return store.totals(start, end)

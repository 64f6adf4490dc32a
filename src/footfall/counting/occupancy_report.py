"""Occupancy exports (SPEC §3, §7): complete local days of [occupancy, average time, in, out].

The days and bins are exactly those of the count exports (`bins.count_report`: days that hold
passages, every bin of each day, DST handled the same way), so an occupancy export lines up with
export-csv row for row. Per bin:
- occupancy: the estimate at the bin end (the last stored minute ending at or before it);
- average time: the mean length in whole seconds of the visits that *ended* in the bin (0: none);
- in, out: the passages of the bin.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from footfall.counting.occupancy_db import OccupancyBook
from footfall.store import bins
from footfall.store.base import Store
from footfall.store.report import wall_grid, zone_span

_EPOCH = date(1970, 1, 1)


def end_utc(wall: datetime, zone: ZoneInfo) -> int:
    """Epoch second of a local wall-clock bin end; in a repeated hour, its later pass."""
    return int(wall.replace(tzinfo=zone, fold=1).timestamp())


def occupancy_report(
    store: Store, book: OccupancyBook, zone: ZoneInfo, days: list[date] | None, res_s: int
) -> list[bins.DayBins]:
    """The occupancy export's days for `days` (None: all days holding data) at `res_s`."""
    counts = bins.count_report(store, zone, days, res_s)
    if not counts:
        return []
    start = bins.day_bounds_utc(counts[0].day, zone)[0]
    end = bins.day_bounds_utc(counts[-1].day, zone)[1]
    minutes = book.minutes(start, end)
    t = np.array([m.minute_utc for m in minutes], dtype=np.int64)
    occ = np.array([m.occupancy for m in minutes], dtype=np.int64)
    visit = np.array([[round(m.visit_s * 1000), m.visits] for m in minutes], dtype=np.int64)
    base = book.occupancy_before(start)
    per_day: dict[int, np.ndarray] = {}
    if len(t):
        keep = np.array([(d.day - _EPOCH).days for d in counts], dtype=np.int64)
        grid = wall_grid(t, visit.reshape(-1, 2), zone_span(zone, start, end), res_s, keep)
        per_day = {int(day): grid.values[i] for i, day in enumerate(grid.days)}
    out = []
    for day in counts:
        midnight = datetime(day.day.year, day.day.month, day.day.day)
        sums = per_day.get((day.day - _EPOCH).days)
        ends = np.array([end_utc(b.end, zone) for b in day.bins], dtype=np.int64)
        at = np.searchsorted(t + 60, ends, side="right") - 1
        rows = []
        for b, idx in zip(day.bins, at.tolist(), strict=True):
            occupancy = int(occ[idx]) if idx >= 0 else base
            average = 0
            if sums is not None:
                ms, n = sums[(b.start - midnight) // timedelta(seconds=res_s)].tolist()
                average = round(ms / 1000 / n) if n else 0
            rows.append(bins.LocalBin(b.start, b.end, (occupancy, average, *b.values)))
        out.append(bins.DayBins(day.day, rows))
    return out

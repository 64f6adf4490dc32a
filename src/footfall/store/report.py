"""Vectorised wall-clock arithmetic: UTC instants to a zone's local bins (SPEC.md §2).

Pure functions over NumPy arrays; `bins.py` turns their output into `DayBins`. A zone is seen
over a UTC range as a step function of offsets (`ZoneSpan`), found by probing `zoneinfo` every
few hours and bisecting each change to the second, so a year costs about 1,500 `utcoffset` calls
instead of one per bin.

Wall-clock seconds ("walls") are the local naive date-time counted as if it were UTC: the local
day of a wall `w` is `w // 86400` days after 1970-01-01 and its bin is `(w % 86400) // res_s`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]

DAY_S = 86400
_PROBE_S = 6 * 3600  # real zones never change offset twice within six hours


@dataclass(frozen=True, slots=True)
class ZoneSpan:
    """The UTC offsets of a zone over a UTC range: `offsets[i]` holds from `changes[i]` on."""

    changes: I64  # epoch seconds; changes[0] is the start of the range
    offsets: I64  # seconds east of UTC

    def offsets_at(self, t_utc: I64) -> I64:
        """The offset in force at each instant of `t_utc` (instants inside the range)."""
        i = np.searchsorted(self.changes, t_utc, side="right") - 1
        return self.offsets[np.clip(i, 0, None)]

    def walls(self, t_utc: I64) -> I64:
        """Local wall-clock seconds of each instant."""
        return t_utc + self.offsets_at(t_utc)

    def gaps(self) -> list[tuple[int, int]]:
        """Wall-clock intervals [start, end) that never occur (clocks jumped forward)."""
        out = []
        for i in range(1, len(self.changes)):
            before, after = int(self.offsets[i - 1]), int(self.offsets[i])
            if after > before:
                t = int(self.changes[i])
                out.append((t + before, t + after))
        return out

    def aligned_to(self, step_s: int) -> bool:
        """True when every offset and every change instant is a multiple of `step_s`."""
        return bool(np.all(self.offsets % step_s == 0) and np.all(self.changes[1:] % step_s == 0))


def _offset(tz: ZoneInfo, t: int) -> int:
    delta = datetime.fromtimestamp(t, UTC).astimezone(tz).utcoffset()
    assert delta is not None  # a ZoneInfo always answers
    return int(delta.total_seconds())


def zone_span(tz: ZoneInfo, start_utc: int, end_utc: int) -> ZoneSpan:
    """Find every offset change of `tz` in [start_utc, end_utc] (probe, then bisect)."""
    changes = [start_utc]
    offsets = [_offset(tz, start_utc)]
    lo = start_utc
    while lo < end_utc:
        hi = min(lo + _PROBE_S, end_utc)
        off_hi = _offset(tz, hi)
        if off_hi != offsets[-1]:
            a, b = lo, hi  # offset(a) is the old one, offset(b) the new one
            while b - a > 1:
                mid = (a + b) // 2
                if _offset(tz, mid) == off_hi:
                    b = mid
                else:
                    a = mid
            changes.append(b)
            offsets.append(off_hi)
        lo = hi
    return ZoneSpan(np.array(changes, dtype=np.int64), np.array(offsets, dtype=np.int64))


@dataclass(frozen=True, slots=True)
class WallGrid:
    """Counts laid out per local day and bin: `values[i, k]` is bin k of day `days[i]`."""

    days: I64  # local day numbers (days since 1970-01-01), ascending
    values: I64  # shape (len(days), bins_per_day, n_values)
    present: npt.NDArray[np.bool_]  # shape (len(days), bins_per_day); False = bin never occurs


def wall_grid(
    t_utc: I64, values: I64, span: ZoneSpan, res_s: int, keep_days: I64 | None = None
) -> WallGrid:
    """Sum `values` (one row per instant) into complete local days of `res_s` bins.

    Instants in the repeated autumn hour land in the same wall-clock bins as the first pass
    (summed); bins wholly inside a spring-forward gap are marked absent (SPEC.md §2).
    Only days holding at least one instant are kept, and of those only `keep_days` if given.
    """
    per_day = DAY_S // res_s
    n_values = values.shape[1] if values.ndim == 2 else 0
    walls = span.walls(t_utc)
    day_of = walls // DAY_S
    days, inverse = np.unique(day_of, return_inverse=True)
    pos = inverse * per_day + (walls - day_of * DAY_S) // res_s
    flat = np.zeros((len(days) * per_day, n_values), dtype=np.int64)
    for j in range(n_values):
        flat[:, j] = np.bincount(pos, weights=values[:, j], minlength=len(flat)).astype(np.int64)
    grid: I64 = flat.reshape(len(days), per_day, n_values)
    if keep_days is not None:
        keep = np.isin(days, keep_days)
        days, grid = days[keep], grid[keep]
    present = np.ones((len(days), per_day), dtype=np.bool_)
    for g0, g1 in span.gaps():
        first, stop = -(-g0 // res_s), g1 // res_s  # bins wholly inside [g0, g1)
        for b in range(first, stop):
            i = int(np.searchsorted(days, b // per_day))
            if i < len(days) and days[i] == b // per_day:
                present[i, b % per_day] = False
    return WallGrid(days, grid, present)

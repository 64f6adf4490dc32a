"""`footfall eval --fit`: the mounting height at which a recording counts as its hand count.

Where people crowd, a count rests on the person width (docs/vision.md): the motion of a queue
across the line is counted in people that wide, and a blob is split by it. The width the counter
learns follows the picture (its tone, how crowded the door was when it started); told a width
(`Counter.Height` with `Counter.AutoSize` 0) it counts alike whatever the picture. This search
counts the recording told one height after another and keeps the one whose count is nearest the
hand count: the door's own calibration, from a recording the user counted.

The count grows with the height (people look smaller, the motion is worth more of them), so the
search halves the range of heights until it finds where the count reaches the hand count's
total, and then takes the best of the heights on either side of that point.

    >>> fit = fit_height(lambda h: (h // 100, 0, 30.0), true=(4, 0))
    >>> fit.best.height_cm, fit.best.counted
    (400, (4, 0))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from footfall.counting.groundtruth import combined_accuracy
from footfall.vision.person import HEIGHT_BOUNDS

FIT_STEP_CM = 5  # heights tried are whole multiples of this (a person width moves ~1.5 % a step)


@dataclass(frozen=True, slots=True)
class Tried:
    """One height tried: what the recording counted told it, and the width that is."""

    height_cm: int
    counted: tuple[int, int]  # in, out
    accuracy: float  # combined, against the hand count
    person_px: float = 0.0


@dataclass(frozen=True, slots=True)
class HeightFit:
    """Every height tried (lowest first) and the best of them."""

    tried: tuple[Tried, ...]
    best: Tried
    at_bound: bool = False  # no height Counter.Height takes brings the count to the hand count's


def grid() -> list[int]:
    """The heights the search may try: FIT_STEP_CM apart, within `Counter.Height`'s bounds."""
    low, high = HEIGHT_BOUNDS
    first = -(-int(low) // FIT_STEP_CM) * FIT_STEP_CM
    return list(range(first, int(high) + 1, FIT_STEP_CM))


def fit_height(
    count: Callable[[int], tuple[int, int, float]],
    true: tuple[int, int],
    near: int | None = None,
) -> HeightFit:
    """The height (cm) of `grid()` whose count (`count(height)` -> in, out, person px) is
    nearest the hand count `true` (in, out), by combined accuracy; of equally near ones, the one
    nearest `near` (the height the learnt width is told by), else the one nearest where the
    count reaches the hand count's total. Counts each height at most once: about log2(170) + 2
    counts."""
    heights = grid()
    seen: dict[int, Tried] = {}

    def at(i: int) -> Tried:
        h = heights[i]
        if h not in seen:
            n_in, n_out, px = count(h)
            seen[h] = Tried(h, (n_in, n_out), combined_accuracy(n_in, n_out, *true), px)
        return seen[h]

    total = sum(true)
    lo, hi = 0, len(heights) - 1  # the first height counting the total or more lies in lo..hi
    if sum(at(hi).counted) < total:
        lo = hi
    while lo < hi:
        mid = (lo + hi) // 2
        if sum(at(mid).counted) >= total:
            hi = mid
        else:
            lo = mid + 1
    for i in (lo - 1, lo, lo + 1):  # the crossing's neighbours: a count may step past it
        if 0 <= i < len(heights):
            at(i)
    tried = tuple(sorted(seen.values(), key=lambda t: t.height_cm))
    target = near if near is not None else heights[lo]
    best = max(tried, key=lambda t: (t.accuracy, -abs(t.height_cm - target), -t.height_cm))
    short = sum(at(len(heights) - 1).counted) < total  # too few even as small as people get
    over = lo == 0 and sum(at(0).counted) > total  # too many even as large
    return HeightFit(tried, best, short or over)

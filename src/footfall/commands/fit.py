"""`footfall eval --fit`: the mounting height at which a recording counts as its hand count.

Where people crowd, a count rests on the person width (docs/vision.md): the motion of a queue
across the line is counted in people that wide, and a blob is split by it. The width the counter
learns follows the picture (its tone, how crowded the door was when it started); told a width
(`Counter.Height` with `Counter.AutoSize` 0) it counts alike whatever the picture. This search
counts the recording told one height after another and keeps the one whose count is nearest the
hand count: the door's own calibration, from a recording the user counted.

The count grows with the height (people look smaller, the motion is worth more of them), so the
search brackets, from the height the learnt width is told by, where the count reaches the hand
count's total, halves that range until it finds the point, and takes the best of the heights on
either side of it and the learnt one.

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
BRACKET = 1.25  # the first heights counted: the learnt one divided and multiplied by this


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
    count reaches the hand count's total. Counts each height at most once: about ten counts."""
    heights = grid()
    seen: dict[int, Tried] = {}

    def at(i: int) -> Tried:
        h = heights[i]
        if h not in seen:
            n_in, n_out, px = count(h)
            seen[h] = Tried(h, (n_in, n_out), combined_accuracy(n_in, n_out, *true), px)
        return seen[h]

    total = sum(true)
    last = len(heights) - 1

    def reaches(i: int) -> bool:
        return sum(at(i).counted) >= total

    def index_of(height: float) -> int:
        return min(max(round((height - heights[0]) / FIT_STEP_CM), 0), last)

    # Bracket where the count reaches the hand count's total: below it `lo` (or the lowest
    # height), at or above it `hi` (or the highest); from the learnt height out by BRACKET at a
    # time, so the heights counted stay near it (a count told an absurd height is slow and says
    # nothing), else the whole range.
    lo, hi = (0, last) if near is None else (index_of(near / BRACKET), index_of(near * BRACKET))
    step = BRACKET
    while lo > 0 and reaches(lo):  # further out each time: the learnt height may be far off
        step *= step
        lo = min(lo - 1, index_of(heights[lo] / step))
    step = BRACKET
    while hi < last and not reaches(hi):
        step *= step
        hi = max(hi + 1, index_of(heights[hi] * step))
    if not reaches(hi):
        lo = hi  # too few even as small as people get
    elif lo == 0 and reaches(0):
        hi = 0  # as many even as large
    while hi - lo > 1:  # reaches(hi), not reaches(lo): halve
        mid = (lo + hi) // 2
        if reaches(mid):
            hi = mid
        else:
            lo = mid
    lo = hi  # the first height reaching the total (or the bound)
    for i in (lo - 1, lo, lo + 1):  # the crossing's neighbours: a count may step past it
        if 0 <= i < len(heights):
            at(i)
    if near is not None:  # the learnt width's own height: kept where it counts as near
        at(index_of(near))
    tried = tuple(sorted(seen.values(), key=lambda t: t.height_cm))
    target = near if near is not None else heights[lo]
    best = max(tried, key=lambda t: (t.accuracy, -abs(t.height_cm - target), -t.height_cm))
    short = not reaches(lo)  # (lo is then the highest height)
    over = lo == 0 and sum(at(0).counted) > total
    return HeightFit(tried, best, short or over)

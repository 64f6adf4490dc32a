"""Tracks become passages: one per full traversal of the counting area (SPEC §5).

Each track remembers the outer side of the area (above the upper edge or below the lower one,
inside the x span) where it was last seen. When it is next seen beyond the *other* edge, inside
the span, it has crossed the whole area: one passage, and the new side becomes its origin, so a
person who walks in and later out again counts twice, while lingering, U-turns and jitter on an
edge count nothing.

    >>> c = Counter(Area(yfirst=90, ylast=150), "up")
    >>> c.update([1], [160.0], [200.0], 0)
    []
    >>> [p.direction for p in c.update([1], [160.0], [60.0], 1)]
    ['in']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from footfall.counting.area import INSIDE, Area, InDirection, direction_of
from footfall.store.base import Direction


@dataclass(frozen=True, slots=True)
class Crossing:
    """A full traversal by one track: which way, at which frame."""

    track_id: int
    direction: Direction
    frame: int


class Counter:
    """Turns track positions, frame by frame, into crossings of one area."""

    def __init__(self, area: Area, in_direction: InDirection) -> None:
        self._area = area
        self._in = in_direction
        self._origin: dict[int, int] = {}  # track id -> last outer side seen (ABOVE / BELOW)

    @property
    def area(self) -> Area:
        """The area counted on."""
        return self._area

    def reconfigure(self, area: Area, in_direction: InDirection) -> None:
        """Change area or in direction; tracks start afresh so no half-seen crossing counts."""
        if (area, in_direction) != (self._area, self._in):
            self._area, self._in = area, in_direction
            self._origin.clear()

    def update(
        self,
        track_ids: Sequence[int],
        xs: Sequence[float],
        ys: Sequence[float],
        frame: int,
    ) -> list[Crossing]:
        """Feed the positions of the live tracks at `frame`; returns the crossings completed."""
        if not track_ids:
            return []
        sides = self._area.sides(xs, ys, self._in)
        span = self._area.in_span(xs)
        crossings: list[Crossing] = []
        for tid, side, inside_span in zip(track_ids, sides.tolist(), span.tolist(), strict=True):
            if side == INSIDE or not inside_span:
                continue
            origin = self._origin.get(tid)
            if origin is not None and origin != side:
                crossings.append(Crossing(tid, direction_of(origin, side, self._in), frame))
            self._origin[tid] = side
        return crossings

    def forget(self, track_ids: Sequence[int]) -> None:
        """Drop the state of tracks that ended."""
        for tid in track_ids:
            self._origin.pop(tid, None)

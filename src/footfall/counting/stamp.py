"""When a passage happened: the frame its person crossed, dated by that frame's own time. Pure.

A passage is known a little after it happened (the track leaves the area a few frames after its
centre crossed the middle; motion counts a person once the next one's motion backs it).
`FrameTimes` remembers the time of each recent frame and dates a passage by the frame it
happened at, never before the last passage it dated, so passages leave in time order (the
tailgating interval, minute bins and exports rely on it).

    >>> from datetime import datetime, timedelta, UTC
    >>> t0 = datetime(2026, 1, 1, tzinfo=UTC)
    >>> times = FrameTimes(keep=50)
    >>> for i in range(10):
    ...     times.add(i, t0 + timedelta(seconds=i))
    >>> times.stamp(4)[0], times.stamp(2)[0]      # the second happened earlier: kept in order
    (4, 4)
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from datetime import datetime


class FrameTimes:
    """Frame indices and times of the last `keep` frames, and the last stamp given."""

    def __init__(self, keep: int) -> None:
        self._frames: deque[tuple[int, datetime]] = deque(maxlen=max(1, keep))
        self._last: tuple[int, datetime] | None = None

    def resize(self, keep: int) -> None:
        """Remember this many frames from now on (the frame rate changed)."""
        self._frames = deque(self._frames, maxlen=max(1, keep))

    def add(self, index: int, time: datetime) -> None:
        """A new frame (indices increase)."""
        self._frames.append((index, time))

    def stamp(self, index: int) -> tuple[int, datetime]:
        """(frame, time) for a passage that happened at frame `index`: that frame while it is
        remembered, else the oldest one remembered; never before the last stamp given."""
        if not self._frames:
            raise ValueError("no frame seen yet")
        known = [i for i, _ in self._frames]
        stamp = self._frames[max(0, bisect_right(known, index) - 1)]
        if self._last is not None and stamp[1] < self._last[1]:
            stamp = self._last
        self._last = stamp
        return stamp

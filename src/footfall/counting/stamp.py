"""When a passage happened: the frame its person crossed, dated by that frame's own time. Pure.

A passage is known a little after it happened (the track leaves the area a few frames after its
centre crossed the middle; motion counts a person once the next one's motion backs it).
`FrameTimes` remembers the time of each recent frame and dates a passage by the frame it
happened at, never before the last passage it dated, so passages leave in time order (the
tailgating interval, minute bins and exports rely on it). Frames are keyed by a count that only
grows (the analyzer's own); each keeps the number its source gave it, which may start again
from 0 when a source is opened anew.

    >>> from datetime import datetime, timedelta, UTC
    >>> t0 = datetime(2026, 1, 1, tzinfo=UTC)
    >>> times = FrameTimes(keep=50)
    >>> for i in range(10):
    ...     times.add(i, t0 + timedelta(seconds=i))
    >>> times.stamp(4)[0], times.stamp(2)[0]      # the second happened earlier: kept in order
    (4, 4)

A file counted offline sorts its passages once it is done, so there each keeps the frame it
happened at (`in_order=False`): a person the motion counted only at the end of a clip is dated
when they crossed, not with the last passage.

    >>> offline = FrameTimes(keep=50, in_order=False)
    >>> for i in range(10):
    ...     offline.add(i, t0 + timedelta(seconds=i))
    >>> offline.stamp(4)[0], offline.stamp(2)[0]
    (4, 2)
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from datetime import datetime


class FrameTimes:
    """Frame indices and times of the last `keep` frames, and the last stamp given."""

    def __init__(self, keep: int, in_order: bool = True) -> None:
        self._frames: deque[tuple[int, int, datetime]] = deque(maxlen=max(1, keep))
        self._last: tuple[int, datetime] | None = None
        self.in_order = in_order  # never date a passage before the last one dated

    def resize(self, keep: int) -> None:
        """Remember this many frames from now on (the frame rate changed)."""
        self._frames = deque(self._frames, maxlen=max(1, keep))

    def add(self, key: int, time: datetime, index: int | None = None) -> None:
        """A new frame: `key` grows with every frame; `index` is the source's own number for it
        (`key` when not given)."""
        self._frames.append((key, index if index is not None else key, time))

    def index(self, key: int) -> int:
        """The source frame number of frame `key` (the oldest remembered if it is older), as
        `stamp` would give it, without stamping."""
        return self._at(key)[0]

    def _at(self, key: int) -> tuple[int, datetime]:
        if not self._frames:
            raise ValueError("no frame seen yet")
        known = [k for k, _, _ in self._frames]
        _, index, time = self._frames[max(0, bisect_right(known, key) - 1)]
        return index, time

    def stamp(self, key: int) -> tuple[int, datetime]:
        """(source frame number, time) for a passage that happened at frame `key`: that frame
        while it is remembered, else the oldest one remembered; never before the last stamp
        (unless not `in_order`)."""
        stamp = self._at(key)
        if self.in_order and self._last is not None and stamp[1] < self._last[1]:
            stamp = self._last
        self._last = stamp
        return stamp

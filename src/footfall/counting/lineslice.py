"""Motion across the counting line, summed per segment over short windows (a temporal slice).

Each frame the analyzer gives, for points along the middle line of the area, the area that moved
across it (in people: px² over one person's swept area). `LineSlice` sums it per point over a
window of frames, then nets it per segment about one person wide: jitter, a person rocking on
the line, and flow noise cancel within a segment, while two people passing each other in
opposite directions stay apart in their own segments (Ma & Chan's line-of-interest counting
sums local motion the same way, per window).

    >>> s = LineSlice(window_frames=2)
    >>> s.add(np.array([0.3, 0.3]), np.array([0.0, 10.0]), segment_px=20.0)
    (0.0, 0.0)
    >>> s.add(np.array([0.2, -0.1]), np.array([0.0, 10.0]), segment_px=20.0)
    (0.7, 0.0)
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


class LineSlice:
    """Per-segment net motion across a line, released once per window of frames."""

    def __init__(self, window_frames: int) -> None:
        self.window_frames = max(1, window_frames)
        self._sum: npt.NDArray[np.float64] | None = None
        self._frames = 0
        self._positions: npt.NDArray[np.float64] = np.zeros(0)
        self._segment_px = 1.0

    def rescale(self, factor: float) -> None:
        """The person size changed: the open window holds `factor` as many people."""
        if self._sum is not None:
            self._sum = self._sum * factor

    def reset(self) -> None:
        """Drop the open window (the line changed)."""
        self._sum, self._frames = None, 0

    def add(
        self,
        people: npt.NDArray[np.float64],
        positions_px: npt.NDArray[np.float64],
        segment_px: float,
    ) -> tuple[float, float]:
        """Add one frame (+ towards the upper side); (up, down) in people when a window closes."""
        if self._sum is None or self._sum.shape != people.shape:
            self._sum, self._frames = np.zeros(people.shape), 0
        self._sum += people
        self._frames += 1
        self._positions, self._segment_px = positions_px, segment_px
        if self._frames < self.window_frames or len(people) == 0:
            return 0.0, 0.0
        up, down = self.pending()
        self._sum[:] = 0.0
        self._frames = 0
        return up, down

    def pending(self) -> tuple[float, float]:
        """(up, down) in people of the window still open (not yet released)."""
        if self._sum is None or len(self._sum) == 0:
            return 0.0, 0.0
        offset = self._positions - self._positions.min()
        segment = (offset / max(self._segment_px, 1.0)).astype(np.intp)
        net = np.bincount(segment, weights=self._sum)
        up = float(np.clip(net, 0.0, None).sum())
        down = float(np.clip(-net, 0.0, None).sum())
        return round(up, 9), round(down, 9)

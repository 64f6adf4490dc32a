"""Detections become tracks: constant-velocity prediction and optimal one-to-one assignment.

Each frame, every live track predicts where it will be; SciPy's `linear_sum_assignment` pairs
predictions with detections at least total distance, within a gate scaled to the person size. A
detection can feed one track only, so two people never merge into one track; a track that finds
no detection coasts on its velocity for `max_missed` frames (a short occlusion) before it ends.

    >>> tracker = Tracker(gate_px=40.0, max_missed=5)
    >>> live = tracker.update(np.array([[10.0, 100.0]]))
    >>> [t.id for t in live]
    [1]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment

_FAR = 1e9


@dataclass(slots=True)
class Track:
    """One person followed over frames (mutable: the tracker updates it in place)."""

    id: int
    x: float
    y: float
    vx: float = 0.0
    vy: float = 0.0
    hits: int = 1
    missed: int = 0
    trail: list[tuple[float, float]] = field(default_factory=list)


class Tracker:
    """Multi-person tracker; `update` takes (N,2) detection centres and returns the live tracks."""

    def __init__(
        self,
        gate_px: float,
        max_missed: int,
        velocity_gain: float = 0.5,
        coast_damping: float = 0.8,
        min_hits: int = 2,
    ) -> None:
        self.gate_px = gate_px
        self.max_missed = max_missed
        self.velocity_gain = velocity_gain
        self.coast_damping = coast_damping
        self.min_hits = min_hits
        self._tracks: list[Track] = []
        self._next_id = 1
        self.ended: list[int] = []  # ids of the tracks that ended in the last update

    @property
    def tracks(self) -> list[Track]:
        """Every live track, confirmed or not."""
        return list(self._tracks)

    def reset(self) -> None:
        """Forget every track (ids keep growing)."""
        self.ended = [t.id for t in self._tracks]
        self._tracks = []

    def update(self, centers: npt.NDArray[np.floating]) -> list[Track]:
        """Advance one frame with these detection centres; returns the tracks seen in this frame."""
        centers = np.asarray(centers, np.float64).reshape(-1, 2)
        tracks = self._tracks
        pred = np.array([[t.x + t.vx, t.y + t.vy] for t in tracks], np.float64).reshape(-1, 2)
        matched_t, matched_d = _assign(pred, centers, self._gates(tracks))
        used = np.zeros(len(centers), bool)
        for ti, di in zip(matched_t, matched_d, strict=True):
            self._correct(tracks[ti], float(centers[di, 0]), float(centers[di, 1]))
            used[di] = True
        matched = set(matched_t)
        self.ended = []
        kept: list[Track] = []
        for i, t in enumerate(tracks):
            if i not in matched:
                t.missed += 1
                t.x, t.y = t.x + t.vx, t.y + t.vy
                t.vx *= self.coast_damping
                t.vy *= self.coast_damping
                if t.missed > self.max_missed or (t.hits < self.min_hits and t.missed > 1):
                    self.ended.append(t.id)
                    continue
            kept.append(t)
        for x, y in centers[~used]:
            kept.append(Track(self._next_id, float(x), float(y), trail=[(float(x), float(y))]))
            self._next_id += 1
        self._tracks = kept
        return [t for t in kept if t.missed == 0]

    def _gates(self, tracks: list[Track]) -> npt.NDArray[np.float64]:
        """Per-track gate: wider for a track that has been coasting (it may have drifted)."""
        missed = np.array([t.missed for t in tracks], np.float64)
        return self.gate_px * (1.0 + 0.25 * missed)

    def _correct(self, t: Track, x: float, y: float) -> None:
        g = self.velocity_gain
        t.vx = (1 - g) * t.vx + g * (x - t.x) / (t.missed + 1)
        t.vy = (1 - g) * t.vy + g * (y - t.y) / (t.missed + 1)
        t.x, t.y = x, y
        t.hits += 1
        t.missed = 0
        t.trail.append((x, y))
        if len(t.trail) > 64:
            del t.trail[:32]


def _assign(
    pred: npt.NDArray[np.float64], det: npt.NDArray[np.float64], gates: npt.NDArray[np.float64]
) -> tuple[list[int], list[int]]:
    """Optimal pairs (track index, detection index) whose distance is within the track's gate."""
    if len(pred) == 0 or len(det) == 0:
        return [], []
    dist = np.linalg.norm(pred[:, None, :] - det[None, :, :], axis=2)
    cost = np.where(dist <= gates[:, None], dist, _FAR)
    rows, cols = linear_sum_assignment(cost)
    ok = cost[rows, cols] < _FAR
    return rows[ok].tolist(), cols[ok].tolist()

"""Detections become tracks: flow-guided prediction and optimal one-to-one assignment.

Each frame, every live track predicts where it will be: by the optical flow under it
(`MotionField`, OpenCV's DIS flow at a scale where a person is ~12 px wide) or, without flow, by
its own velocity. SciPy's `linear_sum_assignment` pairs predictions with detections at least
total distance, within a gate scaled to the person size. A detection feeds one track only, so
two people never merge into one track; a track that finds no detection coasts for `max_missed`
frames (a short occlusion) before it ends, three times longer while it rides moving pixels (a
person in a crowd whose blob merged with others).

    >>> tracker = Tracker(gate_px=40.0, max_missed=5)
    >>> live = tracker.update(np.array([[10.0, 100.0]]))
    >>> [t.id for t in live]
    [1]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment

from footfall.vision.shrink import shrink_grey

_FAR = 1e9
FLOW_PERSON_PX = 12.0  # optical flow runs at the scale where one person is this wide
# DIS starts its search from the previous frame's flow, moved on by itself (people keep their
# pace) and times this: from zero it loses much of a person who moved a good part of their width
# since the last frame (low frame rates, fast steps). Less than 1, so what it cannot check on a
# bare floor fades.
FLOW_CARRY = 0.85
WHOLE_FROM = 3.5  # the flow image shrunk by this or more is shrunk by a whole factor
CARRY_MIN_PX = 0.05  # flow px per frame: slower vectors stay behind (cheap: most of the floor)
RIDING_FLOW_PX = 0.3  # a track on flow faster than this (flow px per frame) rides a moving person
RIDING_PATIENCE = 3  # a riding track may go undetected this many times longer


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

    def update(
        self,
        centers: npt.NDArray[np.floating],
        motion: npt.NDArray[np.float64] | None = None,
        riding: npt.NDArray[np.bool_] | None = None,
    ) -> list[Track]:
        """Advance one frame with these detection centres; returns the tracks seen in this frame.

        `motion` (T,2), when given, is each live track's displacement measured by optical flow
        (NaN where unknown); it replaces the constant-velocity guess. `riding` (T,) marks the
        tracks that sit on moving pixels: they survive longer without a detection.
        """
        centers = np.asarray(centers, np.float64).reshape(-1, 2)
        tracks = self._tracks
        step = np.array([[t.vx, t.vy] for t in tracks], np.float64).reshape(-1, 2)
        if motion is not None and len(tracks):
            known = np.isfinite(motion).all(axis=1)
            step[known] = motion[known]
        rides = riding if riding is not None and len(tracks) else np.zeros(len(tracks), bool)
        pos = np.array([[t.x, t.y] for t in tracks], np.float64).reshape(-1, 2)
        pred = pos + step
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
                t.x, t.y = float(pred[i, 0]), float(pred[i, 1])
                t.vx = float(step[i, 0]) * self.coast_damping
                t.vy = float(step[i, 1]) * self.coast_damping
                patience = self.max_missed * (RIDING_PATIENCE if rides[i] else 1)
                if t.missed > patience or (t.hits < self.min_hits and t.missed > 1):
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


def ahead(flow: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """The flow field one frame on if everything keeps its motion: each pixel's vector moved to
    where it points (the faster one where two land on the same pixel; zero where none lands, as
    on the floor a person has just left). Vectors under CARRY_MIN_PX are noise and left out.

        >>> f = np.zeros((1, 4, 2), np.float32); f[0, 0] = (2.0, 0.0)
        >>> ahead(f)[0, :, 0].tolist()
        [0.0, 0.0, 2.0, 0.0]
    """
    h, w = flow.shape[:2]
    vectors = np.ascontiguousarray(flow, np.float32).reshape(-1, 2)
    speed = np.hypot(vectors[:, 0], vectors[:, 1])
    moving = np.flatnonzero(speed >= CARRY_MIN_PX)  # most of the floor: cheap to skip
    step = np.rint(vectors[moving]).astype(np.intp)
    tx = moving % w + step[:, 0]
    ty = moving // w + step[:, 1]
    inside = (tx >= 0) & (tx < w) & (ty >= 0) & (ty < h)
    moving, target = moving[inside], (ty * w + tx)[inside]
    # The fastest vector landing on a pixel wins (of equal ones, the last in the image, as a
    # stable sort by speed would have it); a scatter-max costs a third of sorting them all.
    fastest = np.zeros(h * w, np.float32)
    np.maximum.at(fastest, target, speed[moving])
    wins = speed[moving] == fastest[target]
    moved = np.zeros((h, w, 2), np.float32)
    # One (dx, dy) pair of float32 is one complex64: pairs move with one fancy assignment.
    moved.reshape(-1).view(np.complex64)[target[wins]] = vectors.reshape(-1).view(np.complex64)[
        moving[wins]
    ]
    return moved


def whole_blocks(
    roi: tuple[int, int, int, int], scale: float
) -> tuple[tuple[int, int, int, int], float]:
    """The crop and scale the flow image is made at: shrunk by WHOLE_FROM or more, by the
    nearest whole factor, the crop trimmed at its right and bottom to whole blocks of it, so
    that every flow pixel is the mean of one block (OpenCV's fast `INTER_AREA` path: the bus's
    whole 320x240 frame to 32x24 in 0.02 ms, against 0.15 ms to 34x25 at 0.105)."""
    if 1.0 / scale < WHOLE_FROM:
        return roi, scale
    k = round(1.0 / scale)
    x0, y0, x1, y1 = roi
    w, h = (x1 - x0) // k, (y1 - y0) // k
    if min(w, h) < 16:
        return roi, scale
    return (x0, y0, x0 + w * k, y0 + h * k), 1.0 / k


class MotionField:
    """Dense optical flow (OpenCV DIS) over a region, at a scale where a person is ~12 px wide.

    `update(image, roi, person_px)` once per frame; then `displacement(points)` gives the flow
    at each point in frame pixels per frame, smoothed over half a person (NaN outside the region).
    """

    def __init__(self) -> None:
        self._dis = cv2.DISOpticalFlow.create(cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST)
        # Flow at the flow image's own resolution: the image is already scaled so a person is
        # FLOW_PERSON_PX wide. (The preset's finest scale, 2, works on a quarter of it; and DIS
        # drops it to 0 for good the first time it meets a small image, so without this the
        # flow, and the count, depended on the sizes the instance had met before.)
        self._dis.setFinestScale(0)
        self._prev: npt.NDArray[np.uint8] | None = None
        self._key: tuple[tuple[int, int, int, int], float] | None = None
        self._flow: npt.NDArray[np.float32] | None = None
        self._raw: npt.NDArray[np.float32] | None = None  # the last flow, before smoothing
        self._scale = 1.0
        self._origin = (0, 0)

    def reset(self) -> None:
        """Forget the last frame: the next one measures no flow (a new stream starts there)."""
        self._prev, self._flow, self._raw = None, None, None

    def update(
        self, image: npt.NDArray[np.uint8], roi: tuple[int, int, int, int], person_px: float
    ) -> None:
        """Measure the flow from the previous frame to this one inside roi (x0, y0, x1, y1)."""
        raw = min(1.0, FLOW_PERSON_PX / max(person_px, 1.0))
        scale = 2.0 ** (round(math.log2(raw) * 4) / 4)  # quarter-octave steps: few restarts
        (x0, y0, x1, y1), scale = whole_blocks(roi, scale)
        size = (max(16, round((x1 - x0) * scale)), max(16, round((y1 - y0) * scale)))
        gray = np.ascontiguousarray(shrink_grey(image[y0:y1, x0:x1], size))
        key = (roi, scale)
        if key != self._key or self._prev is None:
            self._key, self._prev, self._flow, self._raw = key, gray, None, None
            self._scale = size[0] / (x1 - x0)
            self._origin = (x0, y0)
            return
        start = np.zeros((*gray.shape, 2), np.float32) if self._raw is None else ahead(self._raw)
        flow = self._dis.calc(self._prev, gray, np.asarray(start * FLOW_CARRY, np.float32))
        self._raw = np.asarray(flow, np.float32)
        k = max(3, round(FLOW_PERSON_PX / 2) | 1)
        self._flow = np.asarray(cv2.blur(flow, (k, k)), np.float32)
        self._prev = gray

    def displacement(self, points: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """(N,2) flow at (N,2) frame points, frame pixels per frame; NaN where unknown."""
        out = np.full((len(points), 2), np.nan)
        if self._flow is None or len(points) == 0:
            return out
        h, w = self._flow.shape[:2]
        fx = np.round((points[:, 0] - self._origin[0]) * self._scale).astype(np.intp)
        fy = np.round((points[:, 1] - self._origin[1]) * self._scale).astype(np.intp)
        inside = (fx >= 0) & (fx < w) & (fy >= 0) & (fy < h)
        out[inside] = self._flow[fy[inside], fx[inside]] / self._scale
        return out

    @property
    def scale(self) -> float:
        """Flow pixels per frame pixel."""
        return self._scale

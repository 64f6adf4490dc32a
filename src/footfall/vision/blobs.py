"""How many people a foreground blob holds (`people_in_blob`, by its area in person areas) and
where they are in it (`split_blob`: k-means on its pixels, seeded along its main axis, so a queue
splits front to back and a pair side by side left to right).

    >>> people_in_blob(2.0 * 100, 100)
    2
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

PERSON_AREA_FACTOR = 0.9  # blob area of one person, in units of (person width)^2
MIN_BLOB_FRACTION = 0.3  # blobs smaller than this share of a person are noise
MAX_PEOPLE_PER_BLOB = 12
_KMEANS_ROUNDS = 4
_MAX_SAMPLES = 600


def people_in_blob(area_px: float, person_area_px: float) -> int:
    """How many people a blob of this area holds (at least one)."""
    ratio = area_px / person_area_px
    # A lone person's blob swells with motion blur and shadow: the first extra person needs
    # 1.6 person areas, each further one a whole person area more.
    n = 1 if ratio < 1.6 else 1 + math.floor(ratio - 0.6)
    return min(max(n, 1), MAX_PEOPLE_PER_BLOB)


def split_blob(points: npt.NDArray[np.float32], n: int) -> npt.NDArray[np.float32]:
    """Centres of `n` clusters of (M,2) pixel coordinates: k-means seeded along the main axis."""
    if n <= 1 or len(points) < n:
        return np.asarray(points.mean(axis=0, keepdims=True), np.float32)
    if len(points) > _MAX_SAMPLES:
        points = points[:: math.ceil(len(points) / _MAX_SAMPLES)]
    centred = points - points.mean(axis=0)
    cov = centred.T @ centred
    _, vecs = np.linalg.eigh(cov)
    proj = centred @ vecs[:, -1]
    order = np.argsort(proj, kind="stable")
    labels = np.empty(len(points), np.intp)
    labels[order] = np.arange(len(points)) * n // len(points)
    centres = np.zeros((n, 2), np.float32)
    xs, ys = points[:, 0], points[:, 1]
    for _ in range(_KMEANS_ROUNDS):
        counts = np.bincount(labels, minlength=n).astype(np.float32)
        counts[counts == 0] = 1.0
        centres[:, 0] = np.bincount(labels, xs, minlength=n) / counts
        centres[:, 1] = np.bincount(labels, ys, minlength=n) / counts
        dx = xs[:, None] - centres[None, :, 0]  # (points, clusters), one axis at a time
        dy = ys[:, None] - centres[None, :, 1]
        labels = (dx * dx + dy * dy).argmin(axis=1)
    return np.asarray(centres, np.float32)

"""How many people a blob holds, and where they are in it."""

from __future__ import annotations

import numpy as np
import pytest

from footfall.vision.blobs import people_in_blob, split_blob


@pytest.mark.parametrize(
    ("ratio", "people"), [(0.5, 1), (1.0, 1), (1.5, 1), (1.7, 2), (2.7, 3), (40, 12)]
)
def test_people_in_blob(ratio: float, people: int) -> None:
    assert people_in_blob(ratio * 100.0, 100.0) == people


def disc_points(cx: float, cy: float, r: float) -> np.ndarray:
    ys, xs = np.mgrid[-r : r + 1, -r : r + 1]
    keep = xs**2 + ys**2 <= r**2
    return np.stack([xs[keep] + cx, ys[keep] + cy], axis=1).astype(np.float32)


def test_split_side_by_side_pair() -> None:
    pts = np.concatenate([disc_points(50, 60, 10), disc_points(72, 60, 10)])
    centres = split_blob(pts, 2)
    assert sorted(np.round(centres[:, 0]).tolist()) == pytest.approx([50, 72], abs=2)


def test_split_queue_front_to_back() -> None:
    pts = np.concatenate([disc_points(50, 30 + 20 * i, 10) for i in range(3)])
    centres = split_blob(pts, 3)
    assert sorted(np.round(centres[:, 1]).tolist()) == pytest.approx([30, 50, 70], abs=2)

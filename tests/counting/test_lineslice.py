"""Line-of-interest motion: per-segment netting over windows (counting/lineslice.py)."""

from __future__ import annotations

import numpy as np
import pytest

from footfall.counting.lineslice import LineSlice

POSITIONS = np.arange(8, dtype=np.float64) * 5.0  # 8 points 5 px apart: 40 px of line


def run(frames: list[list[float]], segment_px: float = 20.0, window: int = 2) -> list[tuple]:
    s = LineSlice(window)
    return [s.add(np.array(f, np.float64), POSITIONS, segment_px) for f in frames]


@pytest.mark.parametrize(
    ("frames", "released"),
    [
        ([[0.1] * 8, [0.1] * 8], (1.6, 0.0)),  # steady upward motion along the whole line
        ([[-0.1] * 8, [-0.1] * 8], (0.0, 1.6)),  # downward
        ([[0.1] * 8, [-0.1] * 8], (0.0, 0.0)),  # rocking on the line cancels
        ([[0.1] * 4 + [-0.1] * 4] * 2, (0.8, 0.8)),  # opposite ways in two segments both count
    ],
    ids=["up", "down", "rocking", "opposite lanes"],
)
def test_window_nets_per_segment(frames: list[list[float]], released: tuple) -> None:
    first, second = run(frames)
    assert first == (0.0, 0.0)  # nothing is released before the window closes
    assert second == pytest.approx(released)


def test_one_segment_nets_opposite_lanes() -> None:
    """A segment as wide as the line nets everything: the segment width matters."""
    (_, released) = run([[0.1] * 4 + [-0.1] * 4] * 2, segment_px=100.0)
    assert released == pytest.approx((0.0, 0.0))


def test_pending_and_reset() -> None:
    s = LineSlice(3)
    s.add(np.full(8, 0.1), POSITIONS, 20.0)
    assert s.pending() == pytest.approx((0.8, 0.0))
    s.reset()
    assert s.pending() == (0.0, 0.0)


def test_a_new_line_length_starts_a_new_window() -> None:
    s = LineSlice(2)
    s.add(np.full(8, 0.1), POSITIONS, 20.0)
    assert s.add(np.full(4, 0.1), POSITIONS[:4], 20.0) == (0.0, 0.0)

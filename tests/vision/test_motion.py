"""The motion difference's timing and the background model's learning rate."""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from footfall.vision.motion import (
    QUIET_S,
    QUIET_SLOWDOWN,
    background_rate,
    frames_back,
    mog2_history,
    motion_reference,
    motion_span,
)


def test_the_motion_reference_is_found_by_time_when_frames_were_dropped() -> None:
    t = datetime(2026, 1, 1, tzinfo=UTC)
    at = [t + timedelta(seconds=s) for s in (0.0, 0.04, 0.08, 0.12)]
    assert frames_back(at, 25.0) is None  # the source's rate: motion_span's 2 frames
    dropped = [t + timedelta(seconds=s) for s in (0.0, 0.04, 0.08, 0.16)]  # 0.12 missing
    assert frames_back(dropped, 25.0) == pytest.approx(1.0)  # the frame 0.08 s back
    late = [t + timedelta(seconds=s) for s in (0.0, 0.04, 0.11, 0.15)]  # one 0.07 gap
    assert frames_back(late, 25.0) == pytest.approx(1.0 + 0.04 / 0.07)
    jitter = [t + timedelta(seconds=s) for s in (0.0, 0.048, 0.075, 0.122)]  # capture jitter
    assert frames_back(jitter, 25.0) is None
    assert frames_back([t, None, t], 25.0) is None  # no times: by frame count
    assert frames_back([t, t], 25.0) is None  # times that do not move on


@pytest.mark.parametrize(
    ("fps", "span"), [(25.0, 2.0), (15.0, 1.2), (12.5, 1.0), (30.0, 2.4), (10.0, 0.8), (0.0, 2.0)]
)
def test_motion_span_is_a_fixed_time(fps: float, span: float) -> None:
    assert motion_span(fps) == pytest.approx(span)


@pytest.mark.parametrize(("fps", "frames"), [(25.0, 300), (15.0, 180), (30.0, 360), (0.0, 300)])
def test_background_history_is_a_fixed_time(fps: float, frames: int) -> None:
    assert mog2_history(fps) == frames


def frames_brightening(n: int) -> deque[np.ndarray]:
    """n frames whose grey level rises by 10 a frame (newest last): time reads off the level."""
    return deque(np.full((4, 4), 10 * i, np.uint8) for i in range(n))


@pytest.mark.parametrize(
    ("span", "level"), [(2.0, 20), (2.4, 16), (1.2, 28), (0.8, 32), (1.0, 30), (0.0, 40)]
)
def test_motion_reference_is_the_image_span_frames_back(span: float, level: int) -> None:
    ref = motion_reference(frames_brightening(5), span)
    assert ref.dtype == np.uint8
    assert np.all(ref == level)


def test_motion_reference_falls_back_to_the_oldest_frame_kept() -> None:
    assert np.all(motion_reference(frames_brightening(2), 3.5) == 0)


def test_the_background_learns_slowly_only_while_the_doorway_is_still() -> None:
    history, fps = 300, 25.0
    assert background_rate(0, 1000, fps, history) == -1.0  # busy: MOG2's own rate
    assert background_rate(100, 200, fps, history) == -1.0  # a young model learns at its pace
    quiet = round(QUIET_S * fps)
    assert background_rate(quiet, 1000, fps, history) == -1.0  # still, but not for long enough
    assert background_rate(quiet + 1, 1000, fps, history) == pytest.approx(
        1 / (QUIET_SLOWDOWN * 300)
    )


def test_the_source_interval_is_read_off_frames_dropped_here_and_there() -> None:
    """A box too slow for its 25 fps camera takes the newest frame when ready: gaps of one or two
    camera frames, arriving at 20 fps on average. The motion difference must span 0.08 s, two
    camera frames; at the rate the frames arrive it was 1.6 frames (64 ms)."""
    from footfall.vision.motion import source_interval

    rng = np.random.default_rng(0)
    dropped = [0.04 * (2 if rng.random() < 0.2 else 1) for _ in range(50)]
    assert source_interval(dropped, 20.0) == pytest.approx(0.04)
    assert source_interval([0.04] * 50, 25.0) == 1 / 25  # steady: the rate told, exactly
    assert source_interval([0.041, 0.039] * 25, 25.0) == 1 / 25  # within 5 %
    assert source_interval(dropped[:10], 20.0) == 1 / 20  # too few gaps yet
    bunched = [0.001, 0.001, 0.001, 0.001, 0.2] * 10  # a network's bursts: not the camera's
    assert source_interval(bunched, 25.0) == 1 / 25
    jittered = list(np.clip(rng.normal(0.04, 0.015, 50), 0.005, None))
    assert source_interval(jittered, 30.0) == 1 / 30

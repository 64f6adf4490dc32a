"""The whole picture's change of brightness (a light that beats, an exposure that steps), and
the motion difference that no longer takes it for movement."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from footfall.vision.light import (
    BINS,
    DARK,
    MAX_GAIN,
    MIN_PIXELS,
    SPAN,
    STEP,
    WAKE,
    light_gain,
    moved_light,
)
from footfall.vision.motion import level_to
from footfall.vision.synthetic import scenario


def doorway(seed: int = 0) -> np.ndarray:
    """A grey frame of the synthetic doorway with people in it."""
    sc = scenario("mixed", seed)
    frames = list(sc.frames())
    image = frames[sc.events[0].frame].image
    return np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), np.uint8)


def scaled(image: np.ndarray, gain: float) -> np.ndarray:
    return np.asarray(np.clip(image.astype(np.float32) * gain, 0, 255), np.uint8)


@pytest.mark.parametrize("gain", [0.8, 0.9, 0.97, 1.0, 1.05, 1.2])
def test_the_gain_of_a_whole_picture_is_measured(gain: float) -> None:
    before = doorway()
    assert light_gain(before, scaled(before, gain)) == pytest.approx(gain, abs=0.01)


def test_people_moving_do_not_move_the_gain() -> None:
    sc = scenario("mixed", 1)
    frames = [np.asarray(cv2.cvtColor(f.image, cv2.COLOR_BGR2GRAY), np.uint8) for f in sc.frames()]
    gains = [light_gain(a, b) for a, b in zip(frames, frames[2:], strict=False)]
    assert max(abs(g - 1) for g in gains) < WAKE / 2  # walkers and camera noise, steady light
    assert not any(moved_light(g) for g in gains)


def test_a_dark_picture_has_no_gain_to_tell() -> None:
    dark = np.full((120, 160), 8, np.uint8)
    assert light_gain(dark, dark * 2) == 1.0


@pytest.mark.parametrize(
    ("gain", "moved"),
    [(1.0, False), (1.0 + WAKE / 2, False), (1.1, True), (0.85, True), (MAX_GAIN + 0.1, False)],
)
def test_a_beat_or_a_step_is_told_from_a_steady_light_and_a_switched_one(
    gain: float, moved: bool
) -> None:
    assert moved_light(gain) is moved


def test_the_motion_difference_is_taken_at_one_light() -> None:
    """Two frames 0.08 s apart under a light beating by 10 %: the earlier one brought to the
    later one's light differs by camera noise only, where as it is it differed everywhere."""
    now = doorway()
    before = scaled(now, 0.88)
    as_is = cv2.absdiff(now, before) > 12
    levelled = cv2.absdiff(now, level_to(before, now)) > 12
    assert as_is.mean() > 0.3 and levelled.mean() < 0.01
    assert level_to(now, now) is now  # a steady light: the very image, untouched


def gain_computed(before: npt.NDArray[np.uint8], now: npt.NDArray[np.uint8]) -> float:
    """`light_gain` computed pixel by pixel, without its tables: the log ratio of every STEP-th
    pixel, NumPy's histogram of them, the mean of the ratios about its peak."""
    ref = before[::STEP, ::STEP]
    use = ref > DARK
    if np.count_nonzero(use) < MIN_PIXELS:
        return 1.0
    ratio = np.log(np.maximum(now[::STEP, ::STEP][use], 1) / ref[use].astype(np.float32))
    counts, edges = np.histogram(ratio, bins=BINS, range=(-SPAN, SPAN))
    peak = int(np.argmax(np.convolve(counts, np.ones(3), mode="same")))
    near = ratio[(ratio >= edges[max(0, peak - 1)]) & (ratio < edges[min(BINS, peak + 2)])]
    return float(np.exp(near.mean())) if near.size else 1.0


def test_the_looked_up_gain_is_the_computed_one_to_the_last_bit() -> None:
    """The ratios and their bins are looked up in tables of every pair of grey levels: the
    gain is the very number the pixel-by-pixel computation gives (a light check that changed
    by a bit could move a levelled pixel, and a count), on noise, on pictures lit by 0.6-1.6
    with sensor noise, and on a synthetic scene's frames dimmed and brightened."""
    rng = np.random.default_rng(7)
    for i in range(600):
        h, w = int(rng.integers(60, 200)), int(rng.integers(80, 260))
        a = rng.integers(0, 256, (h, w), dtype=np.uint8)
        if i % 3 == 0:
            b = rng.integers(0, 256, (h, w), dtype=np.uint8)
        else:
            lit = a * rng.uniform(0.6, 1.6) + rng.normal(0, 3, (h, w))
            b = np.clip(lit, 0, 255).astype(np.uint8)
        assert light_gain(a, b) == gain_computed(a, b)
    frames = [
        np.asarray(cv2.cvtColor(f.image, cv2.COLOR_BGR2GRAY), np.uint8)
        for f in scenario("mixed", 2).frames()
    ]
    for before, now in zip(frames[::7], frames[3::7], strict=False):
        for scale in (0.8, 1.0, 1.12):
            seen = np.clip(now * scale, 0, 255).astype(np.uint8)
            assert light_gain(before, seen) == gain_computed(before, seen)

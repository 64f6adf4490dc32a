"""The size learner on drawn masks: the width its samples say, samples dropped, samples kept."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from footfall.vision.sizelearn import (
    GAIN_CLEAN,
    GAIN_TORN,
    SIZE_MIN_SAMPLES,
    SizeLearner,
    blob_shape,
    size_gain,
)
from footfall.vision.sizestate import USUAL_WORK

WINDOW = (slice(0, 120), slice(0, 160))


def disc_mask(diameter: int) -> np.ndarray:
    """A 160x120 mask holding one solid disc (one person seen clean)."""
    mask = np.zeros((120, 160), np.uint8)
    cv2.circle(mask, (80, 60), diameter // 2, 255, -1)
    return mask


def fed(learner: SizeLearner, diameter: int, n: int) -> list[bool]:
    """Feed `n` frames of one disc; what `sample` said each time."""
    mask = disc_mask(diameter)
    return [learner.sample(mask, WINDOW, mask) for _ in range(n)]


@pytest.mark.parametrize(
    ("solidity", "gain"),
    [(0.5, GAIN_TORN), (0.85, GAIN_TORN), (0.91, (GAIN_TORN + GAIN_CLEAN) / 2), (1.0, GAIN_CLEAN)],
)
def test_size_gain_falls_as_the_mask_gets_solid(solidity: float, gain: float) -> None:
    assert size_gain(solidity) == pytest.approx(gain)


def test_blob_shape_measures_the_blob_under_the_pixel() -> None:
    mask = np.zeros((60, 100), np.uint8)
    mask[10:30, 10:30] = 255  # a solid square
    cv2.circle(mask, (70, 30), 15, 255, -1)
    cv2.circle(mask, (70, 30), 8, 0, -1)  # a ring: torn
    area, solidity = blob_shape(mask, 20, 20)
    assert area == 400 and solidity == pytest.approx(1.0, abs=0.1)
    _, ring = blob_shape(mask, 30, 58)
    assert ring < 0.8


def test_a_clean_disc_is_learnt_its_width_times_the_clean_gain() -> None:
    """Twenty samples of a solid disc 20 px across say a person 1.16 x 20 px wide; a new size is
    due at the 20th sample and every 5th after, not before."""
    sizes = SizeLearner()
    due = fed(sizes, 20, 25)
    assert due.index(True) == SIZE_MIN_SAMPLES - 1
    assert [i for i, d in enumerate(due) if d] == [19, 24]
    assert sizes.learnt and len(sizes) == 25
    assert sizes.size(1.0, 100.0) == pytest.approx(GAIN_CLEAN * 20, rel=0.1)
    assert sizes.size(1.0, 10.0) == 10.0  # held within the bounds given
    assert sizes.size(40.0, 100.0) == 40.0


def test_a_size_is_steady_once_it_stops_moving() -> None:
    """The first size is compared with what the first half of the samples say: one disc all
    along is steady at once; a disc that doubled since is not, until the size settles."""
    same = SizeLearner()
    fed(same, 20, 20)
    same.size(1.0, 100.0)
    assert same.steady
    grown = SizeLearner()
    fed(grown, 16, 10)
    fed(grown, 32, 10)
    grown.size(1.0, 100.0)
    assert not grown.steady
    fed(grown, 32, 30)
    grown.size(1.0, 100.0)
    fed(grown, 32, 5)
    grown.size(1.0, 100.0)
    assert grown.steady


def steadiness(learner: SizeLearner, diameters: list[int]) -> list[bool]:
    """Feed one disc of each diameter in turn; `steady` at each size said."""
    said = []
    for diameter in diameters:
        mask = disc_mask(diameter)
        if learner.sample(mask, WINDOW, mask):
            learner.size(1.0, 100.0)
            said.append(learner.steady)
    return said


def test_a_faster_camera_is_asked_as_much_time_for_a_steady_size() -> None:
    """At 60 fps the first 20 samples are a third of a second: one disc all along is not steady
    yet (at 25 fps it is, above). A disc that grows by a pixel every 3 samples (people walking
    into view, 20 px a second at 60 fps) moves the size by less than a tenth from one size to
    the next: steady while it grows at 25 fps, not at 60, where it is once it stops growing."""
    assert steadiness(SizeLearner(), [20] * 20) == [True]
    fast = SizeLearner()
    fast.set_fps(60.0)
    assert not any(steadiness(fast, [20] * 40))
    growing = [16 + i // 3 for i in range(75)]  # 16 to 40 px
    slow = SizeLearner()
    assert any(steadiness(slow, growing))
    fast = SizeLearner()
    fast.set_fps(60.0)
    assert not any(steadiness(fast, growing))
    after = steadiness(fast, [40] * 40)
    assert after[-1] and after.index(True) <= 7  # within 40 samples: two thirds of a second
    at_25 = SizeLearner()
    at_25.set_fps(25.0)  # the rules as they were measured: slower cameras are not changed
    assert steadiness(at_25, growing) == steadiness(SizeLearner(), growing)


def test_a_long_solid_blob_holds_several_people_and_gives_no_thickness() -> None:
    """A solid blob longer than 2 x its thickness squared (people one behind the other) counts
    towards the solidity but not the size."""
    sizes = SizeLearner()
    mask = np.zeros((120, 160), np.uint8)
    mask[50:70, 20:140] = 255  # 120 x 20 px
    assert not sizes.sample(mask, WINDOW, mask)
    assert len(sizes) == 0 and sizes.taken == (0, 1)


def test_the_samples_since_a_moment_are_dropped() -> None:
    """Samples of a light switched on (here: a disc twice as wide) are forgotten, and the size
    is the one of the samples before."""
    sizes = SizeLearner()
    fed(sizes, 20, 20)
    before, then = sizes.size(1.0, 100.0), sizes.taken
    fed(sizes, 40, 30)
    assert sizes.size(1.0, 100.0) > 1.5 * before
    sizes.drop_since(then)
    assert len(sizes) == 20 and sizes.taken == (50, 50)
    assert sizes.size(1.0, 100.0) == pytest.approx(before)


def test_samples_kept_go_on_at_another_analysis_width() -> None:
    """Kept as at 160 px and taken up at 320 px, the thickness doubles with the pixels; and a
    learner that forgets has none."""
    sizes = SizeLearner()
    fed(sizes, 20, 20)
    kept = sizes.kept((280.0, 90.0, 50.0, 1), (320, 240), USUAL_WORK)
    assert len(kept.thickness) == len(kept.opened) == len(kept.solidity) == 20
    finer = SizeLearner()
    finer.extend(kept, 2 * USUAL_WORK)
    assert finer.size(1.0, 100.0) == pytest.approx(2 * sizes.size(1.0, 100.0))
    assert finer.kept(kept.sizing, kept.frame, 2 * USUAL_WORK).thickness == kept.thickness
    finer.forget()
    assert len(finer) == 0 and not finer.learnt


def test_a_mask_is_torn_when_its_blobs_are_ragged() -> None:
    """`torn`: the median solidity of the blobs sampled at SOLID_TORN or under (a ring of
    pieces, a queue in tatters), not for clean discs, nor before any sample."""
    clean, ragged = SizeLearner(), SizeLearner()
    assert not clean.torn
    fed(clean, 30, SIZE_MIN_SAMPLES)
    tatters = np.zeros((120, 160), np.uint8)
    cv2.ellipse(tatters, (80, 60), (30, 30), 0, 0, 300, 255, 9)  # a C: its hull is mostly empty
    for _ in range(SIZE_MIN_SAMPLES):
        ragged.sample(tatters, WINDOW, tatters)
    assert not clean.torn and ragged.torn

"""A heavily compressed picture (MJPEG at a low quality) is known by its 8 x 8 blocks, and its
flat floor's flicker is not taken for people (`footfall.vision.blocking`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from footfall.config import Params
from footfall.vision.blocking import (
    BLOCKY_OFF,
    BLOCKY_ON,
    SAMPLE_FRAMES,
    SAMPLES,
    BlockWatch,
    blockiness,
)
from footfall.vision.detect import ForegroundDetector

PHOTO = Path(__file__).parent / "data" / "cameraman_cc0.jpg"


def compressed(image: npt.NDArray[np.uint8], quality: int) -> npt.NDArray[np.uint8]:
    """`image` encoded as a JPEG of this quality and decoded again."""
    _, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return np.asarray(cv2.imdecode(data, cv2.IMREAD_UNCHANGED), np.uint8)


def dark_floor(rng: np.random.Generator, level: float = 22.0) -> npt.NDArray[np.uint8]:
    """A dark, nearly flat floor (gentle shading) under a camera's noise of 2.5 grey levels."""
    rows, cols = np.mgrid[0:240, 0:320]
    shading = level + 6 * np.sin(cols / 37.0) + 4 * np.cos(rows / 23.0)
    noisy = shading[..., None].repeat(3, axis=2) + rng.normal(0, 2.5, (240, 320, 3))
    return np.asarray(np.clip(noisy, 0, 255), np.uint8)


def test_a_flat_floor_compressed_hard_shows_its_blocks() -> None:
    rng = np.random.default_rng(0)
    grey = cv2.cvtColor(dark_floor(rng), cv2.COLOR_BGR2GRAY)
    assert blockiness(grey) < BLOCKY_OFF
    assert blockiness(compressed(grey, 90)) < BLOCKY_OFF
    blocky = compressed(grey, 10)
    assert blockiness(blocky) > BLOCKY_ON
    # cropped off the block grid and turned after it was compressed: the blocks are still found
    assert blockiness(cv2.rotate(blocky, cv2.ROTATE_180)[3:, 5:]) > BLOCKY_ON


def test_a_photo_and_a_flat_picture_are_not_blocky() -> None:
    photo = cv2.imread(str(PHOTO), cv2.IMREAD_GRAYSCALE)
    assert photo is not None
    assert blockiness(photo) < BLOCKY_OFF
    assert blockiness(compressed(photo, 75)) < BLOCKY_OFF
    assert blockiness(np.full((48, 64), 90, np.uint8)) == pytest.approx(1.0)
    assert blockiness(np.zeros((5, 5), np.uint8)) == pytest.approx(1.0)  # too small to tell


def test_a_stream_is_blocky_by_the_median_of_its_recent_frames() -> None:
    rng = np.random.default_rng(1)
    clean = [dark_floor(rng) for _ in range(4)]
    blocky = [compressed(image, 10) for image in clean]
    watch = BlockWatch()
    assert watch.update(blocky[0])  # the first frame measured decides at once
    for i in range(1, SAMPLE_FRAMES * SAMPLES):
        watch.update(blocky[i % 4])
    for i in range(SAMPLE_FRAMES * (SAMPLES // 2)):  # clean, but fewer than half the samples
        watch.update(clean[i % 4])
    assert watch.blocky
    for i in range(SAMPLE_FRAMES):  # now more than half
        watch.update(clean[i % 4])
    assert not watch.blocky
    watch.update(blocky[0])
    watch.reset()
    assert not watch.blocky


def test_an_empty_dark_floor_streamed_as_low_quality_mjpeg_shows_no_one() -> None:
    """Each 8 x 8 block of the flat floor flips by several grey levels with the camera's noise;
    MOG2 had learnt the floor's variance down to 2 grey levels and took the flips for foreground
    in 94 of these 120 frames (up to 118 work px²). Blocky, its variance floor is raised."""
    rng = np.random.default_rng(2)
    detector = ForegroundDetector(Params())
    detector.set_fps(15.0)
    start = datetime(2026, 12, 5, tzinfo=UTC)
    seen = []
    for i in range(150):
        mask = detector.mask(compressed(dark_floor(rng), 10), start + timedelta(seconds=i / 15))
        if i >= 30:  # the model has learnt the floor
            seen.append(int(np.count_nonzero(mask)))
    assert detector.blocky
    assert max(seen) == 0, f"foreground in {sum(1 for n in seen if n)} frames, up to {max(seen)}"

"""Bringing frames down to the analysis size: exact for small frames, fast and close for large."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import numpy.typing as npt

from footfall.vision.shrink import LARGE_PX, shrink, shrink_grey
from footfall.vision.synthetic import scenario


def scene_frames(n: int = 40) -> list[npt.NDArray[np.uint8]]:
    """The first `n` frames of a synthetic scene with people in it."""
    frames = scenario("mixed", seed=3).frames()
    return [f.image for f in itertools.islice(frames, n)]


def exact(image: npt.NDArray[np.uint8], size: tuple[int, int]) -> npt.NDArray[np.uint8]:
    return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), np.uint8)


def test_a_frame_of_the_usual_size_is_averaged_exactly_as_before() -> None:
    """The shared clips' sizes (352x288, 320x240) keep every pixel they had."""
    for image in scene_frames(5):
        for size in ((320, 240), (352, 288)):
            big = np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_CUBIC))
            assert size[0] * size[1] <= LARGE_PX
            small = (160, round(size[1] * 160 / size[0]))
            assert np.array_equal(shrink(big, small), exact(big, small))


def test_a_large_frame_comes_out_the_size_asked_and_close_to_the_exact_mean() -> None:
    """A 1408x1152 or 1920x1080 frame shrunk to the analysis size: the same shape and type as
    the exact area mean, within a grey level of it on average."""
    for image in scene_frames(40)[::8]:
        for frame_size, small in (((1408, 1152), (160, 131)), ((1920, 1080), (228, 128))):
            big = np.asarray(cv2.resize(image, frame_size, interpolation=cv2.INTER_CUBIC))
            fast, slow = shrink(big, small), exact(big, small)
            assert fast.shape == slow.shape and fast.dtype == np.uint8
            assert float(np.abs(fast.astype(int) - slow.astype(int)).mean()) < 1.0


def test_a_grey_picture_and_a_crop_are_shrunk_too() -> None:
    """The stabiliser shrinks grey pictures, the optical flow a crop of the frame."""
    big = np.asarray(cv2.resize(scene_frames(1)[0], (1600, 1200), interpolation=cv2.INTER_CUBIC))
    grey = np.asarray(cv2.cvtColor(big, cv2.COLOR_BGR2GRAY))
    assert shrink(grey, (480, 360)).shape == (360, 480)
    crop = big[100:700, 200:900]
    assert shrink(crop, (70, 60)).shape == (60, 70, 3)
    diff = np.abs(shrink(crop, (70, 60)).astype(int) - exact(crop, (70, 60)).astype(int))
    assert float(diff.mean()) < 1.0


def test_a_grey_picture_is_made_the_cheaper_way_round_and_alike() -> None:
    """Made grey before averaging (a small frame) or after sampling (a large one): the grey of
    the exact colour mean within a grey level, exactly the cheap path's grey for a large one."""
    for image in scene_frames(20)[::5]:
        for frame_size, small in (((320, 240), (34, 25)), ((1920, 1080), (60, 34))):
            big = np.asarray(cv2.resize(image, frame_size, interpolation=cv2.INTER_CUBIC))
            grey = shrink_grey(big, small)
            assert grey.shape == (small[1], small[0]) and grey.dtype == np.uint8
            want = cv2.cvtColor(exact(big, small), cv2.COLOR_BGR2GRAY).astype(int)
            assert np.abs(grey.astype(int) - want).max() <= (1 if frame_size[0] < 400 else 20)
        large = np.asarray(cv2.resize(image, (1920, 1080), interpolation=cv2.INTER_CUBIC))
        cheap = cv2.cvtColor(shrink(large, (60, 34)), cv2.COLOR_BGR2GRAY)
        assert np.array_equal(shrink_grey(large, (60, 34)), cheap)

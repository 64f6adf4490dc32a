"""Bringing frames down to the analysis size: exact for small frames, fast and close for large."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import numpy.typing as npt

from footfall.vision.shrink import shrink, shrink_grey
from footfall.vision.synthetic import scenario


def scene_frames(n: int = 40) -> list[npt.NDArray[np.uint8]]:
    """The first `n` frames of a synthetic scene with people in it."""
    frames = scenario("mixed", seed=3).frames()
    return [f.image for f in itertools.islice(frames, n)]


def exact(image: npt.NDArray[np.uint8], size: tuple[int, int]) -> npt.NDArray[np.uint8]:
    return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), np.uint8)


def test_a_frame_shrunk_by_less_than_two_or_by_two_exactly_is_averaged_exactly() -> None:
    """The bus's 320x240 to 160x120 (a whole factor of 2), a door's finer 228 px of 352: every
    pixel the exact area mean."""
    for image in scene_frames(5):
        for size, small in (((320, 240), (160, 120)), ((352, 288), (228, 187))):
            big = np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_CUBIC))
            assert np.array_equal(shrink(big, small), exact(big, small))


def test_the_trams_frames_are_shrunk_fast_and_within_half_a_grey_level_of_the_mean() -> None:
    """352x288 to 160x131 (a factor of 2.2, OpenCV's slow fractional path): sampled at 320x262
    and averaged by 2, within half a grey level of the exact mean on average."""
    for image in scene_frames(40)[::8]:
        big = np.asarray(cv2.resize(image, (352, 288), interpolation=cv2.INTER_CUBIC))
        fast, slow = shrink(big, (160, 131)), exact(big, (160, 131))
        assert fast.shape == slow.shape and fast.dtype == np.uint8
        assert not np.array_equal(fast, slow)  # the fast way, not the exact one
        assert float(np.abs(fast.astype(int) - slow.astype(int)).mean()) < 0.5


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

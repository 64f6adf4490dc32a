"""The stabiliser on our synthetic overhead scenes, moved as a shaking camera would move them
(the shared clips, shaken, are counted in tests/real/test_clips.py)."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from footfall.vision.stabilise import Stabiliser, camera_shift, shifted_whole
from footfall.vision.synthetic import scenario
from tests.real.resample import moved


def scene_images(name: str, n: int, seed: int = 0) -> list[npt.NDArray[np.uint8]]:
    return [f.image for f in itertools.islice(scenario(name, seed).frames(), n)]


def test_the_largest_set_of_corners_moving_alike_is_the_camera() -> None:
    rng = np.random.default_rng(1)
    floor = np.array([0.4, -0.3]) + rng.normal(0, 0.05, size=(20, 2))
    people = rng.uniform(-4, 4, size=(15, 2))  # each walking their own way
    shift, agreeing = camera_shift(np.vstack([people, floor]).astype(np.float32), 0.5)
    assert agreeing >= 20
    assert np.hypot(*(shift - [0.4, -0.3])) < 0.06, shift
    assert camera_shift(np.zeros((0, 2), np.float32), 0.5)[1] == 0


def test_a_steady_camera_gets_its_frames_untouched_even_with_a_queue_walking() -> None:
    """A dense queue walking through together is the likeliest crowd to look like a camera
    moving: the floor's corners outnumber it, and the frames are passed on as they are."""
    steady = Stabiliser(15.0)
    for image in scene_images("queue", 200):
        assert steady.apply(image) is image
        assert not steady.shaking


def test_a_shaking_camera_is_moved_back() -> None:
    images = scene_images("mixed", 150)
    rng = np.random.default_rng(0)
    shifts = rng.uniform(-1.5, 1.5, size=(len(images), 2))
    steady = Stabiliser(15.0)
    on, close, better = 0, 0, 0
    last = np.zeros(2)
    for i, (image, shift) in enumerate(zip(images, shifts, strict=True)):
        shaken = moved(image, shift)
        out = steady.apply(shaken)
        undone, last = np.array(steady.correction) - last, np.array(steady.correction)
        if i < 30:  # two seconds to notice
            continue
        on += steady.shaking
        # what is undone is the shift less the camera's mean aim, which moves slowly: from one
        # frame to the next, the correction moves as the picture did
        close += np.hypot(*(undone - (shift - shifts[i - 1]))) < 0.25
        core = (slice(20, -20), slice(20, -20))
        before = np.abs(shaken[core].astype(int) - image[core]).mean()
        after = np.abs(out[core].astype(int) - image[core]).mean()
        better += after < 0.7 * before
    n = len(images) - 30
    assert on == n, f"shaking in {on} of {n} frames"
    assert close >= 0.9 * n, f"correction right in {close} of {n} frames"
    assert better >= 0.8 * n, f"frame closer to the steady one in {better} of {n} frames"


def test_a_camera_knocked_to_a_new_aim_is_followed_not_fought() -> None:
    images = scene_images("single", 90)
    steady = Stabiliser(15.0)
    for image in images[:30]:
        steady.apply(image)
    outs = [(image, steady.apply(moved(image, np.array([8.0, 5.0])))) for image in images[30:]]
    assert not steady.shaking
    assert all(np.array_equal(moved(image, np.array([8.0, 5.0])), out) for image, out in outs[15:])


@pytest.mark.parametrize("px", [2.0, 4.0, 8.0])
def test_a_camera_knocked_a_few_pixels_is_reported_once_soon_after(px: float) -> None:
    """A steady camera knocked by `px` and left there is `knocked` at one frame, within two
    measurements (10 frames), counted from the frame the step was first seen; a camera that
    stays, drifts 1 px over 6 s or shakes by up to 1 px never is."""
    images = scene_images("single", 150)
    steady = Stabiliser(15.0)
    knocks = []
    for i, image in enumerate(images):
        steady.apply(moved(image, np.array([px, px / 2])) if i >= 40 else image)
        if steady.knocked:
            knocks.append((i, steady.knocked))
    assert len(knocks) == 1, knocks
    at, ago = knocks[0]
    assert 40 <= at <= 50 and 40 <= at - ago + 1 <= 45, knocks
    rng = np.random.default_rng(2)
    for shift in (lambda i: np.array([i / 90, 0.0]), lambda i: rng.uniform(-1, 1, 2)):
        calm = Stabiliser(15.0)
        for i, image in enumerate(images):
            calm.apply(moved(image, shift(i)))
            assert not calm.knocked, i


@pytest.mark.parametrize("speed_px", [0.5, 1.0, 2.0])
def test_a_big_door_sliding_open_is_not_a_shake(speed_px: float) -> None:
    """A textured panel over 70 % of the picture slides out to the left: its corners outnumber
    the floor's and all move alike, but one way only; a steady camera's frames stay untouched."""
    images = scene_images("single", 120)
    panel = np.ascontiguousarray(np.tile(images[0][:, ::-1], (1, 2, 1)))  # a textured sheet
    width = round(0.7 * images[0].shape[1])
    steady = Stabiliser(15.0)
    for i, image in enumerate(images):
        door = image.copy()
        moved_px = min(width, round(max(0, i - 15) * speed_px))
        door[:, : width - moved_px] = panel[:, moved_px:width]
        assert steady.apply(door) is door, f"frame {i}"
        assert not steady.shaking


def test_a_new_frame_size_starts_again() -> None:
    steady = Stabiliser(15.0)
    images = scene_images("single", 20)
    for image in images:
        steady.apply(image)
    small = np.ascontiguousarray(images[0][::2, ::2])
    assert steady.apply(small) is small
    steady.reset()
    assert not steady.shaking and steady.correction == (0.0, 0.0)


@pytest.mark.parametrize(("dx", "dy"), [(2, -3), (-1, 4), (0, 0), (5, 0), (-70, 2)])
def test_a_whole_pixel_shift_is_what_warpaffine_gives(dx: int, dy: int) -> None:
    image = np.random.default_rng(3).integers(0, 255, (50, 60, 3), dtype=np.uint8)
    move = np.array([[1.0, 0.0, dx], [0.0, 1.0, dy]], np.float32)
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    want = cv2.warpAffine(image, move, (60, 50), flags=flags, borderMode=cv2.BORDER_REPLICATE)
    assert np.array_equal(shifted_whole(image, dx, dy), want)


def test_a_wide_shaking_camera_is_moved_back_by_whole_pixels() -> None:
    """Frames wider than the measured copy: from one frame to the next, the picture the
    analyzer gets jumps far less than the camera did."""
    images = [cv2.resize(im, (960, 720)) for im in scene_images("single", 60)]
    shifts = np.round(np.random.default_rng(0).uniform(-4, 4, size=(len(images), 2)))
    steady = Stabiliser(15.0)
    outs = [steady.apply(moved(im, shift)) for im, shift in zip(images, shifts, strict=True)]
    core = (slice(40, -40), slice(40, -40))
    before_sum, after_sum, jumps = 0.0, 0.0, 0
    for i in range(31, len(images)):
        if np.abs(shifts[i] - shifts[i - 1]).max() < 2:
            continue
        jumps += 1
        shaken = (moved(images[i], shifts[i]), moved(images[i - 1], shifts[i - 1]))
        before_sum += np.abs(shaken[0][core].astype(int) - shaken[1][core]).mean()
        after_sum += np.abs(outs[i][core].astype(int) - outs[i - 1][core]).mean()
    assert steady.shaking and jumps >= 15
    assert after_sum < 0.5 * before_sum, (after_sum / jumps, before_sum / jumps)


def test_where_the_shift_undone_drops_at_once_the_picture_is_knocked() -> None:
    """A handheld camera drifting half a pixel a frame as it shakes: the shift undone grows
    with the drift until the mean aim is taken afresh, where it drops at once and the picture
    passed on jumps by several pixels; that frame is `knocked` (the background model starts
    again from it), and the frames moved back between are not."""
    images = scene_images("single", 150)
    rng = np.random.default_rng(3)
    steady = Stabiliser(15.0)
    jumps, knocks = [], []
    for i, image in enumerate(images):
        drift = np.array([0.5 * max(0, i - 20), 0.0]) + rng.uniform(-0.8, 0.8, 2)
        before = steady.correction
        steady.apply(moved(image, drift))
        jump = float(np.hypot(steady.correction[0] - before[0], steady.correction[1] - before[1]))
        jumps.append(jump)
        if steady.knocked:
            knocks.append(i)
    assert knocks, "the drift never made the picture jump"
    assert all(jumps[i] > 3.0 for i in knocks), [(i, jumps[i]) for i in knocks]

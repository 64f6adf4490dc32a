"""Where the optical flow is the people's own: a featureless floor with no one near is not."""

from __future__ import annotations

import cv2
import numpy as np

from footfall.vision.support import FEATURELESS, FlowSupport, local_contrast

H, W = 120, 160
ROW = np.full(W, 60, np.intp)
COLS = np.arange(W, dtype=np.intp)


def plain(noise: float, seed: int = 0) -> np.ndarray:
    """A plain grey floor with a camera's noise of `noise` grey levels."""
    rng = np.random.default_rng(seed)
    return np.clip(128 + rng.normal(0, noise, (H, W)), 0, 255).astype(np.uint8)


def speckled(seed: int = 0) -> np.ndarray:
    """A floor with texture of its own (a carpet's, a dirty platform's): speckle of 20 grey
    levels, a little blurred, that stays put from frame to frame."""
    rng = np.random.default_rng(seed)
    speckle = cv2.GaussianBlur(rng.normal(0, 20, (H, W)), (0, 0), 1.0)
    return np.clip(128 + speckle, 0, 255).astype(np.uint8)


def no_one() -> np.ndarray:
    return np.zeros((H, W), np.uint8)


def test_a_plain_floor_is_featureless_under_a_cameras_noise_and_speckle_is_not() -> None:
    for noise in (0.0, 1.0, 2.5):
        assert float(np.percentile(local_contrast(plain(noise)), 95)) < FEATURELESS, noise
    assert float(np.percentile(local_contrast(speckled()), 10)) >= FEATURELESS


def test_flow_over_a_plain_floor_is_made_up_but_not_on_or_beside_a_person() -> None:
    """On a plain floor every point of the line is unsupported but those on a person's mask,
    and a quarter of a person either side of it, in this frame or the last."""
    support = FlowSupport()
    mask = no_one()
    cv2.circle(mask, (80, 60), 7, 255, -1)  # a person 15 px wide at x 73..87
    support.update(plain(2.0, 0), no_one(), person_px=15.0)
    support.update(plain(2.0, 1), mask, person_px=15.0)
    made_up = support.unsupported(ROW, COLS)
    assert not made_up[70:91].any()  # the person and 4 px (a quarter of them) either side
    assert made_up[:60].all() and made_up[100:].all()
    support.update(plain(2.0, 2), no_one(), person_px=15.0)  # gone: the last frame's still counts
    assert not support.unsupported(ROW, COLS)[75:86].any()
    support.update(plain(2.0, 3), no_one(), person_px=15.0)
    assert support.unsupported(ROW, COLS).all()


def test_flow_over_a_floor_with_texture_is_always_the_floors() -> None:
    support = FlowSupport()
    support.update(speckled(0), no_one(), person_px=15.0)
    support.update(speckled(0), no_one(), person_px=15.0)
    assert not support.unsupported(ROW, COLS).any()
    assert FlowSupport().unsupported(ROW, COLS).shape == (W,)  # before any frame: all kept

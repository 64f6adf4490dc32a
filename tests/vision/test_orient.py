"""Turning the picture (Counter.Rotation): pixels and points land where OpenCV puts them."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from footfall.vision.orient import turned, turned_boxes, turned_size, upright

RNG = np.random.default_rng(5)
IMAGE = RNG.integers(0, 255, (24, 40, 3), dtype=np.uint8)  # 40 wide, 24 high


@pytest.mark.parametrize("degrees", [0, 90, 180, 270])
@given(col=st.integers(0, 39), row=st.integers(0, 23))
def test_a_pixel_lands_a_quarter_turn_further_clockwise(degrees: int, col: int, row: int) -> None:
    image = turned(IMAGE, degrees)
    assert image.shape[1::-1] == turned_size(40, 24, degrees)
    # Clockwise: a quarter turn sends x to y and y to (height - 1 - y) as x.
    x, y = {
        0: (col, row),
        90: (23 - row, col),
        180: (39 - col, 23 - row),
        270: (row, 39 - col),
    }[degrees]
    assert (image[y, x] == IMAGE[row, col]).all()


def test_no_turn_is_the_image_itself_and_four_quarters_are_a_whole_turn() -> None:
    assert turned(IMAGE, 0) is IMAGE
    image = IMAGE
    for _ in range(4):
        image = turned(image, 90)
    assert (image == IMAGE).all()
    assert (turned(turned(IMAGE, 90), 270) == IMAGE).all()


@pytest.mark.parametrize("degrees", [0, 90, 180, 270])
@given(x0=st.integers(0, 38), y0=st.integers(0, 22), w=st.integers(1, 40), h=st.integers(1, 24))
def test_a_box_lands_where_its_pixels_land(degrees: int, x0: int, y0: int, w: int, h: int) -> None:
    x1, y1 = min(40, x0 + w), min(24, y0 + h)
    image = np.zeros((24, 40), np.uint8)
    image[y0:y1, x0:x1] = 255
    ys, xs = np.nonzero(turned(image, degrees))
    box = np.array([[x0, y0, x1, y1]], np.float32)
    moved = turned_boxes(box, degrees, 40, 24)
    assert moved.dtype == np.float32
    # A box's edges are pixel borders: it holds the pixels from x0 up to, not with, x1.
    assert moved[0].tolist() == [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]


@pytest.mark.parametrize("degrees", [0, 90, 180, 270])
def test_upright_turns_the_picture_back(degrees: int) -> None:
    assert (upright(turned(IMAGE, degrees), degrees) == IMAGE).all()

"""Turning the picture (Counter.Rotation): pixels and points land where OpenCV puts them."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from footfall.vision.orient import turned, turned_size

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

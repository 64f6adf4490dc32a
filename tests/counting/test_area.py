"""Counting-area geometry (SPEC §5): straight and curved edges, scaling."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from footfall.counting.area import ABOVE, BELOW, INSIDE, Area, direction_of

STRAIGHT = Area(width=320, height=240, left=40, right=280, top=90, bottom=150, yfirst=90, ylast=150)
CURVED = Area(
    width=320, height=240, left=0, right=320, top=90, bottom=150, yfirst=90, ylast=150, radius=200
)


@pytest.mark.parametrize(
    ("x", "y", "side"),
    [
        (160, 10, ABOVE),
        (160, 89, ABOVE),
        (160, 90, INSIDE),
        (160, 120, INSIDE),
        (160, 150, INSIDE),
        (160, 151, BELOW),
        (0, 239, BELOW),
        (319, 0, ABOVE),
    ],
)
def test_straight_sides(x: float, y: float, side: int) -> None:
    assert STRAIGHT.side(x, y) == side


def test_span() -> None:
    assert STRAIGHT.in_span([39, 40, 160, 280, 281]).tolist() == [False, True, True, True, False]


def test_curved_matches_straight_on_the_middle_vertical() -> None:
    for y in range(0, 240, 7):
        assert CURVED.side(160, y) == STRAIGHT.side(160, y)


def test_curved_edges_bend_towards_the_centre() -> None:
    # in = up: the centre lies below the area (on the out side), so the arcs bulge upwards and
    # at the sides of the image both edges lie lower (larger y) than in the middle.
    cy = 120 + 200
    top_at_x0 = cy - math.sqrt((200 + 30) ** 2 - 160**2)
    bottom_at_x0 = cy - math.sqrt((200 - 30) ** 2 - 160**2)
    assert 150 < top_at_x0 < bottom_at_x0
    assert CURVED.side(0, top_at_x0 - 1) == ABOVE
    assert CURVED.side(0, top_at_x0 + 1) == INSIDE
    assert CURVED.side(0, bottom_at_x0 - 1) == INSIDE
    assert CURVED.side(0, bottom_at_x0 + 1) == BELOW
    # in = down: the centre lies above, the arcs bulge downwards.
    assert CURVED.side(0, 80, "down") == INSIDE
    assert CURVED.side(0, 89, "down") == BELOW
    assert CURVED.side(160, 89, "down") == ABOVE


@given(st.floats(0, 320), st.floats(0, 240), st.integers(1, 2000), st.sampled_from(["up", "down"]))
def test_curved_points_are_on_concentric_arcs(x: float, y: float, radius: int, way: str) -> None:
    area = Area(yfirst=90, ylast=150, radius=radius)
    ey = float(area.equivalent_y(x, y, way))  # type: ignore[arg-type]
    cy = 120 + radius if way == "up" else 120 - radius
    # the equivalent y is at the same distance from the centre as the point
    assert math.isclose(abs(ey - cy), math.hypot(x - 160, y - cy), rel_tol=1e-9, abs_tol=1e-6)


@given(st.floats(0, 320), st.floats(0, 240))
def test_straight_equivalent_y_is_y(x: float, y: float) -> None:
    assert float(STRAIGHT.equivalent_y(x, y)) == y


def test_scaled() -> None:
    area = Area(
        width=352, height=288, left=105, right=225, top=80, bottom=120, yfirst=80, ylast=120
    )
    half = area.scaled(176, 144)
    assert (half.left, half.right, half.yfirst, half.ylast) == (52, 112, 40, 60)
    assert area.scaled(352, 288) is area
    assert half.as_cntpos()["width"] == 176


@pytest.mark.parametrize(
    ("start", "end", "way", "direction"),
    [
        (BELOW, ABOVE, "up", "in"),
        (ABOVE, BELOW, "up", "out"),
        (BELOW, ABOVE, "down", "out"),
        (ABOVE, BELOW, "down", "in"),
    ],
)
def test_direction_of(start: int, end: int, way: str, direction: str) -> None:
    assert direction_of(start, end, way) == direction  # type: ignore[arg-type]


def test_mid_line_straight() -> None:
    points, normals = STRAIGHT.mid_line(10.0)
    assert points[0].tolist() == [45.0, 120.0]
    assert points[-1][0] < 280
    assert (normals == [0.0, -1.0]).all()


@pytest.mark.parametrize("way", ["up", "down"])
def test_mid_line_curved_lies_on_the_middle_arc_and_points_up(way: str) -> None:
    points, normals = CURVED.mid_line(8.0, way)  # type: ignore[arg-type]
    ey = CURVED.equivalent_y(points[:, 0], points[:, 1], way)  # type: ignore[arg-type]
    assert np.allclose(ey, 120.0)
    assert np.allclose(np.hypot(normals[:, 0], normals[:, 1]), 1.0)
    # a small step along the normal moves towards the upper edge
    ahead = points + 5 * normals
    assert (CURVED.equivalent_y(ahead[:, 0], ahead[:, 1], way) < 120.0).all()  # type: ignore[arg-type]

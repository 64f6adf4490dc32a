"""The overlay of what the counter sees: area edges where the counting geometry puts them."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from footfall.counting.area import Area
from footfall.vision.draw import EDGE, TRACK, annotate, area_outline, jpeg


def grey(w: int = 320, h: int = 240) -> np.ndarray:
    return np.full((h, w, 3), 60, np.uint8)


def is_edge_colour(pixel: np.ndarray) -> bool:
    return bool(np.abs(pixel.astype(int) - EDGE).max() < 40)


def test_straight_edges_lie_on_yfirst_and_ylast_inside_the_span_only() -> None:
    image = grey()
    area = Area(left=80, right=240, top=90, bottom=150, yfirst=90, ylast=150)
    out = annotate(image, area, "up")
    assert out.shape == image.shape and (image == 60).all()  # the input is not drawn on
    for y in (90, 150):
        assert is_edge_colour(out[y, 160])
        assert (out[y, 20] == 60).all()  # outside the x span nothing is drawn
    assert (out[20, 160] == 60).all() and (out[220, 160] == 60).all()
    inside = out[120, 120].astype(int)
    assert (inside != 60).any() and not is_edge_colour(out[120, 120])  # shaded, not an edge


def test_area_is_scaled_to_the_frame() -> None:
    area = Area(width=320, height=240, left=80, right=240, yfirst=90, ylast=150, top=90, bottom=150)
    out = annotate(grey(640, 480), area, "down")
    assert is_edge_colour(out[180, 320]) and is_edge_colour(out[300, 320])
    assert not is_edge_colour(out[90, 320])


@pytest.mark.parametrize("direction", ["up", "down"])
@pytest.mark.parametrize("radius", [120, 300])
def test_curved_outline_follows_the_counting_geometry(direction: str, radius: int) -> None:
    area = Area(left=60, right=260, top=90, bottom=150, yfirst=90, ylast=150, radius=radius)
    for level in (90.0, 120.0, 150.0):
        pts = area_outline(area, direction, level).reshape(-1, 2)  # type: ignore[arg-type]
        ey = area.equivalent_y(pts[:, 0], pts[:, 1], direction)  # type: ignore[arg-type]
        assert np.abs(ey - level).max() <= 1.0  # rounded to whole pixels


def test_tracks_and_counts_are_drawn() -> None:
    area = Area()
    plain = annotate(grey(), area, "up")
    out = annotate(grey(), area, "up", tracks=[(5, 40.0, 200.0)], counts=(12, 3))
    assert np.abs(out[200, 40].astype(int) - TRACK).max() < 40
    assert (out[5:20, 5:60] != plain[5:20, 5:60]).any()  # the "in 12 out 3" band


def test_jpeg_round_trips() -> None:
    data = jpeg(annotate(grey(), Area(), "up", counts=(1, 2)))
    assert data[:2] == b"\xff\xd8"
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape == (240, 320, 3)

"""The overlay of what the counter sees: area edges where the counting geometry puts them."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from footfall.counting.area import Area
from footfall.vision.draw import EDGE, TRACK, annotate, area_outline, jpeg
from footfall.vision.offline import count_file
from footfall.vision.synthetic import scenario
from footfall.vision.types import View
from tests.vision.tracklag import track_lag


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


def test_tracks_are_shown_on_the_frame_they_were_found_in(tmp_path: Path) -> None:
    """Each frame is analysed when the next one comes: the tracks handed to `observe` (what
    `--annotate` draws) are put on the picture they were found in, not on the one after. Our
    synthetic single walkers (15 fps, about 7 px a frame), recorded lossless: the frames back
    at which the tracks lie nearest the walkers, interpolated, are under one (a track's point
    trails its walker by half a frame); drawn on the frame after, they were one and a half."""
    scene = scenario("single", 3, episodes=4)
    clip = tmp_path / "scene.avi"
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter.fourcc(*"FFV1"), scene.fps, (320, 240))
    for frame in scene.frames():
        writer.write(frame.image)
    writer.release()
    views: list[View] = []
    count_file(clip, scene.params, observe=lambda view, counts: views.append(view))
    assert [v.index for v in views] == list(range(scene.n_frames))
    assert -0.5 < track_lag(views, scene) < 1.0

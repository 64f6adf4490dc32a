"""Where the network looks: the region around the counting area, its tiles, the merged boxes."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from footfall.vision.tiles import (
    MAX_TILES,
    ONE_PIECE_SLACK,
    REGION_FRAME_SHARE,
    REGION_HEIGHTS,
    TILE_OVERLAP,
    cut_by_inner_edge,
    merged,
    region_around,
    tile_boxes,
)

INPUT = (300, 300)


def test_a_frame_near_the_input_size_is_looked_at_whole() -> None:
    assert tile_boxes((0, 0, 352, 288), INPUT, (352, 288)) == [(0, 0, 352, 288)]
    assert tile_boxes((10, 100, 300, 200), INPUT, (360, 370)) == [(0, 0, 360, 370)]


FRAMES = [(1280, 720), (640, 360), (1920, 1080), (3840, 2160), (768, 256)]


@pytest.mark.parametrize("frame", FRAMES)
@pytest.mark.parametrize(
    "area", [None, (0.0, 320.0, 1.0, 400.0), (0.3, 0.1, 0.8, 0.3), (0.0, 0.9, 1.0, 1.0)]
)
def test_tiles_cover_the_region_overlapping_and_then_the_frame_whole(
    frame: tuple[int, int], area: tuple[float, float, float, float] | None
) -> None:
    width, height = frame
    if area is not None and area[1] > 1:  # a band at y 320-400 of 720, scaled to the frame
        area = (0.0, area[1] / 720 * height, float(width), area[3] / 720 * height)
    elif area is not None:  # shares of the frame
        area = (area[0] * width, area[1] * height, area[2] * width, area[3] * height)
    region = region_around(area, frame, None)
    tiles = tile_boxes(region, INPUT, frame)
    assert tiles[-1] == (0, 0, width, height)  # people taller than a tile are found in the whole
    pieces = tiles[:-1]
    assert 1 <= len(pieces) <= MAX_TILES
    x0, y0, x1, y1 = region
    covered = np.zeros((height, width), np.bool_)
    for tx0, ty0, tx1, ty1 in pieces:
        assert 0 <= tx0 < tx1 <= width and 0 <= ty0 < ty1 <= height
        # never smaller than the input (where the picture allows): people keep their size
        assert tx1 - tx0 >= min(INPUT[0], width) and ty1 - ty0 >= min(INPUT[1], height)
        covered[ty0:ty1, tx0:tx1] = True
    assert covered[y0:y1, x0:x1].all()
    xs = sorted({(t[0], t[2]) for t in pieces})
    for (a0, a1), (b0, _) in itertools.pairwise(xs):
        assert a1 - b0 >= TILE_OVERLAP * (a1 - a0) - 1  # neighbours overlap


def test_a_side_a_little_over_the_input_is_not_cut() -> None:
    # a band 260 px high across a 1280 px picture: one row of tiles, each the input's height
    tiles = tile_boxes((0, 230, 1280, 490), INPUT, (1280, 720))[:-1]
    assert {(t[1], t[3]) for t in tiles} == {(210, 510)}
    assert all(t[2] - t[0] == INPUT[0] for t in tiles)
    # 340 px high: within the slack, one row 340 px high
    tiles = tile_boxes((0, 200, 1280, 540), INPUT, (1280, 720))[:-1]
    assert {(t[1], t[3]) for t in tiles} == {(200, 540)}
    assert ONE_PIECE_SLACK * INPUT[1] >= 340


def test_the_region_reaches_a_person_beyond_the_area_and_stays_in_the_frame() -> None:
    area = (100.0, 320.0, 900.0, 400.0)
    assert region_around(area, (1280, 720), 90.0) == (
        100 - round(REGION_HEIGHTS * 45),
        320 - round(REGION_HEIGHTS * 90),
        900 + round(REGION_HEIGHTS * 45),
        400 + round(REGION_HEIGHTS * 90),
    )
    margin = REGION_FRAME_SHARE * 720  # nobody seen yet: a share of the frame
    assert region_around(area, (1280, 720), None) == (
        int(100 - margin / 2),
        int(320 - margin),
        int(900 + margin / 2),
        int(400 + margin),
    )
    assert region_around((0.0, 0.0, 1280.0, 80.0), (1280, 720), 300.0) == (0, 0, 1280, 380)
    assert region_around(None, (1280, 720), 90.0) == (0, 0, 1280, 720)


def boxes(*rows: tuple[float, float, float, float]) -> np.ndarray:
    return np.array(rows, np.float32).reshape(-1, 4)


def test_one_person_found_in_two_tiles_is_one_box() -> None:
    found = boxes((100, 100, 150, 220), (102, 98, 151, 221))
    keep = merged(found, np.array([0.8, 0.9], np.float32), np.zeros(2, np.bool_))
    assert keep.tolist() == [1]


def test_people_side_by_side_are_kept() -> None:
    found = boxes((100, 100, 150, 220), (140, 100, 190, 220), (400, 100, 450, 220))
    keep = merged(found, np.array([0.8, 0.9, 0.7], np.float32), np.zeros(3, np.bool_))
    assert keep.tolist() == [0, 1, 2]


def test_a_piece_cut_by_a_tile_edge_goes_when_the_whole_person_is_found() -> None:
    # the upper half of someone, cut by a tile's lower edge at y 160, and the whole of them
    whole, piece = (100, 100, 150, 220), (101, 101, 149, 160)
    tile = (0, 0, 300, 160)
    found = boxes(whole, piece)
    cut = cut_by_inner_edge(found, tile, (1280, 720))
    assert cut.tolist() == [True, True]  # both touch the edge; only a piece inside another goes
    assert merged(found, np.array([0.6, 0.9], np.float32), cut).tolist() == [0]
    # the same box where the picture itself ends is not a piece: a person at its edge
    assert not cut_by_inner_edge(boxes(piece), (0, 0, 300, 160), (300, 160)).any()
    # a piece alone, its person found nowhere whole, is kept
    assert merged(boxes(piece), np.array([0.9], np.float32), np.ones(1, np.bool_)).tolist() == [0]


def test_people_large_in_the_picture_make_tiles_large_and_then_the_frame_alone_will_do() -> None:
    # A 640x480 door camera, people 200 / 250 px tall: tiles grow with them (a person 0.4 of a
    # tile); once one tile would be nearly the frame, the frame alone is looked at.
    frame = (640, 480)
    tall = tile_boxes(region_around((0.0, 200.0, 640.0, 260.0), frame, 200.0), INPUT, frame, 200.0)
    assert len(tall) == 3 and all(t[2] - t[0] >= 200 / 0.4 for t in tall[:-1])
    assert tile_boxes(
        region_around((0.0, 200.0, 640.0, 260.0), frame, 250.0), INPUT, frame, 250.0
    ) == [(0, 0, 640, 480)]
    # before anyone is seen: tiles of the input's size about the area, and the frame
    first = tile_boxes(region_around((0.0, 200.0, 640.0, 260.0), frame, None), INPUT, frame)
    assert len(first) == 4 and all(t[2] - t[0] == INPUT[0] for t in first[:-1])

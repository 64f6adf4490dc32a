"""Where a person-detection network looks in a frame: tiles at the network's own scale around
the counting area, and the frame whole, and the boxes of all the pieces merged into one set.

A network sees its input at a fixed size (300 x 300 for the shipped SSDLite model). A whole
1280 x 720 frame squeezed into it shrinks a person 90 px tall to 38 x 21 px, below what it
finds: on a plaza seen from high up it found 25 people in nine frames, cut into tiles of its
own size 172. So a frame larger than the input is looked at in tiles of the input's size over
the region around the counting area (people kept at their size, `TILE_OVERLAP` of a tile shared
with each neighbour), and whole as well (people taller than a tile); the boxes are merged.

The region is the counting area's box widened by `REGION_HEIGHTS` of the people's height
(the median of the boxes found lately) up and down and half that to the sides: people are
tracked from before they reach the area until after they leave it; far from it they do not
count. Until people have been seen, `REGION_FRAME_SHARE` of the frame's height is the margin.

    >>> region = region_around((0.0, 320.0, 1280.0, 400.0), (1280, 720), 90.0)
    >>> region
    (0, 230, 1280, 490)
    >>> tile_boxes(region, (300, 300), (1280, 720))[:2]
    [(0, 210, 300, 510), (196, 210, 496, 510)]
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import numpy.typing as npt

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in frame pixels (x1, y1 exclusive)

TILE_OVERLAP = 0.25  # share of a tile's side it shares with the next one
# A region up to this much larger than the input is looked at in one piece (the shipped model
# sees a 352 x 288 frame whole, as it always did).
ONE_PIECE_SLACK = 1.25
# At most this many tiles a frame: a region that would need more is cut into this many, each a
# little larger than the input (people shrink a little rather than the frame rate falling).
MAX_TILES = 8
# Tiles grow with the people: a person this share of a tile's height is well inside what the
# network finds (the shipped model's boxes start at a fifth of its input), and larger tiles
# are fewer passes (people 160 px tall in a 1280 x 720 picture: 5 a frame, not 6).
TILE_PERSON_SHARE = 0.4
ONE_TILE_WHOLE = 0.8  # a single tile over this share of the frame: the frame alone is looked at
REGION_HEIGHTS = 1.0  # the region reaches this many people's heights above and below the area
REGION_FRAME_SHARE = 0.15  # ... or this share of the frame's height before anyone is seen
MERGE_IOU = 0.45  # two boxes overlapping this much (intersection over union) are one person
# A box cut by a tile's inner edge is a piece of someone: dropped when this share of it lies in
# a larger box (the whole person, found by the next tile or in the frame whole).
PIECE_INSIDE = 0.5
EDGE_PX = 2.0  # a box this close to a tile's inner edge is cut by it


def region_around(
    area: tuple[float, float, float, float] | None,
    frame: tuple[int, int],
    person_height_px: float | None,
) -> Box:
    """The part of a `frame` (width, height) worth looking at: the `area` box (x0, y0, x1, y1)
    widened by REGION_HEIGHTS people's height up and down and half that to the sides, or by
    REGION_FRAME_SHARE of the frame's height while the height is unknown; the whole frame when
    there is no area."""
    width, height = frame
    if area is None:
        return (0, 0, width, height)
    margin = REGION_HEIGHTS * person_height_px if person_height_px else REGION_FRAME_SHARE * height
    x0, y0, x1, y1 = area
    return (
        max(0, math.floor(x0 - margin / 2)),
        max(0, math.floor(y0 - margin)),
        min(width, math.ceil(x1 + margin / 2)),
        min(height, math.ceil(y1 + margin)),
    )


def _starts(start: int, length: int, side: int) -> list[int]:
    """Where tiles of `side` px begin to cover [start, start + length), overlapping by at least
    TILE_OVERLAP, the last one flush with the end."""
    if length <= side:
        return [start]
    step = side * (1.0 - TILE_OVERLAP)
    count = math.ceil((length - side) / step) + 1
    gap = (length - side) / (count - 1)
    return [start + round(i * gap) for i in range(count)]


def _at_least(start: int, end: int, side: int, limit: int) -> tuple[int, int]:
    """[start, end) grown about its middle to at least `side` px, within [0, limit)."""
    if end - start >= side:
        return start, end
    begin = max(0, min(limit - side, (start + end - side) // 2))
    return begin, min(limit, begin + side)


def tile_boxes(
    region: Box,
    input_size: tuple[int, int],
    frame: tuple[int, int],
    person_height_px: float | None = None,
) -> list[Box]:
    """The pieces of a `frame` (width, height) to look at: the frame alone when it is at most
    ONE_PIECE_SLACK times the network's `input_size` (width, height) both ways; else tiles of
    the input's size over `region` (grown to the input's size; larger where people are taller
    than TILE_PERSON_SHARE of it, up to ONE_PIECE_SLACK times it to span a side in one piece,
    larger if more than MAX_TILES would be needed), then the frame whole (people taller than a
    tile)."""
    width, height = frame
    iw, ih = input_size
    whole = (0, 0, width, height)
    if width <= ONE_PIECE_SLACK * iw and height <= ONE_PIECE_SLACK * ih:
        return [whole]
    x0, x1 = _at_least(region[0], region[2], min(iw, width), width)
    y0, y1 = _at_least(region[1], region[3], min(ih, height), height)
    w, h = x1 - x0, y1 - y0
    scale = max(1.0, (person_height_px or 0.0) / (TILE_PERSON_SHARE * ih))
    while True:  # a side within ONE_PIECE_SLACK of the tile's is taken in one piece
        tw, th = round(iw * scale), round(ih * scale)
        tw, th = (w if w <= ONE_PIECE_SLACK * tw else tw), (h if h <= ONE_PIECE_SLACK * th else th)
        xs, ys = _starts(x0, w, tw), _starts(y0, h, th)
        if len(xs) * len(ys) <= MAX_TILES:
            break
        scale *= 1.1
    if len(xs) * len(ys) == 1 and w * h >= ONE_TILE_WHOLE * width * height:
        return [whole]  # one tile that is nearly the frame: the frame itself will do
    return [(x, y, x + tw, y + th) for y in ys for x in xs] + [whole]


def cut_by_inner_edge(
    boxes: npt.NDArray[np.float32], tile: Box, frame: tuple[int, int]
) -> npt.NDArray[np.bool_]:
    """Which `boxes` (N, 4, frame px) touch an edge of `tile` that lies inside the `frame`
    (width, height): where the tile cut the picture, not where the picture ends."""
    tx0, ty0, tx1, ty1 = tile
    cut = np.zeros(len(boxes), np.bool_)
    if tx0 > 0:
        cut |= boxes[:, 0] <= tx0 + EDGE_PX
    if ty0 > 0:
        cut |= boxes[:, 1] <= ty0 + EDGE_PX
    if tx1 < frame[0]:
        cut |= boxes[:, 2] >= tx1 - EDGE_PX
    if ty1 < frame[1]:
        cut |= boxes[:, 3] >= ty1 - EDGE_PX
    return cut


def merged(
    boxes: npt.NDArray[np.float32], scores: npt.NDArray[np.float32], cut: npt.NDArray[np.bool_]
) -> npt.NDArray[np.intp]:
    """Indices of the boxes to keep of those found in several tiles: a piece cut by a tile's
    edge goes when PIECE_INSIDE of it lies in a larger box (its whole person, however sure the
    network is of the piece), then non-maximum suppression at MERGE_IOU."""
    if len(boxes) == 0:
        return np.zeros(0, np.intp)
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    whole = np.asarray(
        [
            i
            for i in range(len(boxes))
            if not (cut[i] and _inside(boxes, i, np.flatnonzero(areas > areas[i]).tolist()))
        ],
        np.intp,
    )
    xywh = np.concatenate([boxes[whole, :2], boxes[whole, 2:] - boxes[whole, :2]], axis=1)
    kept = np.asarray(
        cv2.dnn.NMSBoxes(xywh.tolist(), scores[whole].tolist(), 0.0, MERGE_IOU), np.intp
    ).reshape(-1)
    return np.sort(whole[kept])


def _inside(boxes: npt.NDArray[np.float32], i: int, others: list[int]) -> bool:
    """Whether PIECE_INSIDE of box `i` lies in one of the `others`."""
    if not others:
        return False
    b, o = boxes[i], boxes[others]
    iw = np.clip(np.minimum(b[2], o[:, 2]) - np.maximum(b[0], o[:, 0]), 0, None)
    ih = np.clip(np.minimum(b[3], o[:, 3]) - np.maximum(b[1], o[:, 1]), 0, None)
    own = max(float((b[2] - b[0]) * (b[3] - b[1])), 1e-6)
    return bool(((iw * ih) / own >= PIECE_INSIDE).any())

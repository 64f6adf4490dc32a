"""Boxes carried along with the picture between two looks of a person-detection network.

A busy wide picture changes in every tile every frame, and a network pass a tile a frame is
more than two cores can give (`vision/glance.py`). The tiles looked at are then the ones looked
at longest ago, a few a frame (`NetDetector(passes_a_frame=...)`), and the boxes of the others
follow the people in them: each box moves by the median motion of points over the middle of it
(`POINTS` across, `POINTS` down, `BODY_SHARE` of its width: the person, not the floor either
side), followed with pyramidal Lucas-Kanade optical flow from the tile's picture when the
network last looked to now (both at `SCALE` of their size), forward and back (a point that does
not come back to within `BACK_PX` is lost: an edge sliding along, an occlusion). A box with
fewer than `MIN_POINTS` followed stays where it was found.

    >>> moved_boxes(boxes, half(before), half(now), (x0, y0), SCALE)   # doctest: +SKIP
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

Grey = npt.NDArray[np.uint8]
Boxes = npt.NDArray[np.float32]

POINTS = 5  # points across and down a box
BODY_SHARE = 0.5  # share of a box's width (about its middle) the points are spread over
MIN_POINTS = 4  # a box with fewer points followed there and back stays where it was
BACK_PX = 1.0  # a point followed back this far from where it started is lost (px followed)
# Lucas-Kanade's window (px followed) and pyramid levels: a box drifting 80 px between two looks
# is still followed. The pictures are followed at half their size, in a window of 11: on a busy
# plaza (5 tiles followed a frame, each with a dozen people) this took 10 ms a frame at full
# size and a window of 15 beside 23 ms of network passes, 3 ms now, the boxes as near.
WINDOW = (11, 11)
LEVELS = 3
SCALE = 0.5
CRITERIA = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 20, 0.03)


def half(grey: Grey) -> Grey:
    """A grey picture at SCALE of its size, as `moved_boxes` follows it."""
    h, w = grey.shape[:2]
    size = (max(1, round(w * SCALE)), max(1, round(h * SCALE)))
    return np.asarray(cv2.resize(grey, size, interpolation=cv2.INTER_AREA), np.uint8)


def box_points(boxes: Boxes) -> npt.NDArray[np.float32]:
    """POINTS x POINTS points over the middle of each box (BODY_SHARE of its width, its height
    but a tenth at either end), box after box, as (n, 1, 2) x, y."""
    u = np.linspace(0.0, 1.0, POINTS, dtype=np.float32)
    points = []
    for x0, y0, x1, y1 in boxes:
        cx, w, h = (x0 + x1) / 2.0, (x1 - x0) * BODY_SHARE, y1 - y0
        xs = cx - w / 2.0 + u * w
        ys = y0 + 0.1 * h + u * 0.8 * h
        grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
        points.append(grid)
    return np.concatenate(points).astype(np.float32).reshape(-1, 1, 2)


def moved_boxes(
    boxes: Boxes, before: Grey, now: Grey, origin: tuple[int, int], scale: float = 1.0
) -> Boxes:
    """`boxes` (x0, y0, x1, y1 in frame pixels) moved with the picture from `before` to `now`
    (the same part of the frame in grey, its top left at `origin` in frame pixels, `scale`
    times the frame's size): each by the median motion of its points followed there and back,
    or not at all."""
    if len(boxes) == 0 or before.shape != now.shape or min(before.shape[:2]) < 2:
        return boxes
    shift = np.array([origin[0], origin[1]], np.float32)
    start = (box_points(boxes) - shift) * np.float32(scale)
    ahead, found, _ = cv2.calcOpticalFlowPyrLK(
        before, now, start, start.copy(), winSize=WINDOW, maxLevel=LEVELS, criteria=CRITERIA
    )
    back, returned, _ = cv2.calcOpticalFlowPyrLK(
        now, before, ahead, ahead.copy(), winSize=WINDOW, maxLevel=LEVELS, criteria=CRITERIA
    )
    good = (found[:, 0] == 1) & (returned[:, 0] == 1)
    good &= np.linalg.norm((back - start)[:, 0], axis=1) <= BACK_PX
    motion = (ahead - start)[:, 0]
    moved = boxes.copy()
    per_box = POINTS * POINTS
    for i in range(len(boxes)):
        kept = good[i * per_box : (i + 1) * per_box]
        if int(kept.sum()) >= MIN_POINTS:
            dx, dy = np.median(motion[i * per_box : (i + 1) * per_box][kept], axis=0) / scale
            moved[i] += np.array([dx, dy, dx, dy], np.float32)
    return moved

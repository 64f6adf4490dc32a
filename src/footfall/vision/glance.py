"""Which tiles a person-detection network need look at again: those whose picture changed.

A wide frame is looked at in 5-9 tiles (`vision/tiles.py`), a network pass each: 8-13 fps on two
cores, where a camera streams 25. Most of a doorway or a plaza does not change from one frame to
the next; a tile whose picture is as it was when the network last looked holds the people it
found then. So each tile's picture is remembered shrunk (`SHRINK` times each way, in grey) with
the boxes found in it, and looked at again only when `CHANGE_PIXELS` of its shrunk pixels
changed by `CHANGE_LEVEL` grey levels since, or `REFRESH_S` after it was last looked at (a
person standing still is found afresh, and a change too small to see is caught up with).
Otherwise its boxes are those it gave last time.

The comparison is with the picture as it was when the network last looked, not with the frame
before: a person walking slowly changes a tile little from frame to frame, but a few frames on
enough to look again; their box lags by less than that. A moving camera, a light switched on or
flicker change every tile, and every tile is looked at, as without this memory: it can cost
frames, never a person.

    >>> memory = TileMemory()
    >>> memory.kept(tile, small, when)            # doctest: +SKIP
    None                                          # never looked at: look
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import cv2
import numpy as np
import numpy.typing as npt

from footfall.vision.drift import SCALE, half, moved_boxes
from footfall.vision.tiles import Box
from footfall.vision.types import Detections

Grey = npt.NDArray[np.uint8]

SHRINK = 4  # a tile's picture is compared shrunk this many times each way (noise averages out)
# A shrunk pixel changed by this many grey levels (an average over 4 x 4 frame pixels: sensor
# and compression noise stay below it, a person's edge moving a few pixels does not) ...
CHANGE_LEVEL = 16
CHANGE_PIXELS = 3  # ... and this many of them in a tile: it is looked at again
REFRESH_S = 1.0  # every tile is looked at again at least this often


@dataclass(frozen=True, slots=True)
class Glance:
    """What the network found in a tile when it last looked, and what the tile looked like."""

    small: Grey  # the tile's picture shrunk, in grey
    at: datetime  # the frame's time
    found: Detections  # boxes in the frame's pixels
    grey: Grey | None = None  # the tile's picture in grey at drift's SCALE (`followed`), if kept


def shrunk(image: npt.NDArray[np.uint8]) -> Grey:
    """The frame in grey, SHRINK times smaller each way (pixels averaged)."""
    grey = grey_of(image)
    h, w = grey.shape[:2]
    size = (max(1, w // SHRINK), max(1, h // SHRINK))
    return np.asarray(cv2.resize(grey, size, interpolation=cv2.INTER_AREA), np.uint8)


def grey_of(image: npt.NDArray[np.uint8]) -> Grey:
    """The frame in grey at its own size."""
    return image if image.ndim == 2 else np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))


def piece(small: Grey, tile: Box) -> Grey:
    """The part of a shrunk frame under a tile (x0, y0, x1, y1 in frame pixels)."""
    x0, y0, x1, y1 = (v // SHRINK for v in tile)
    return small[y0 : max(y1, y0 + 1), x0 : max(x1, x0 + 1)]


def changed(before: Grey, now: Grey) -> bool:
    """Whether a tile's shrunk picture changed enough since `before` to look at it again."""
    if before.shape != now.shape:
        return True
    moved = cv2.absdiff(before, now) >= CHANGE_LEVEL
    return int(np.count_nonzero(moved)) >= CHANGE_PIXELS


class TileMemory:
    """The last glance at each tile of the current tiling."""

    def __init__(self) -> None:
        self._glances: dict[Box, Glance] = {}

    def kept(self, tile: Box, small: Grey, when: datetime) -> Detections | None:
        """The boxes found in `tile` when last looked at, if its picture (`small`, shrunk)
        has not changed since and it was looked at less than REFRESH_S before `when`; else
        None: look again."""
        glance = self._glances.get(tile)
        if glance is None or self.due(tile, when) or changed(glance.small, small):
            return None
        return glance.found

    def due(self, tile: Box, when: datetime) -> bool:
        """Whether `tile` was never looked at, or REFRESH_S or more before `when` (or after it:
        a file looped)."""
        glance = self._glances.get(tile)
        return glance is None or not 0.0 <= (when - glance.at).total_seconds() < REFRESH_S

    def keep(
        self, tile: Box, small: Grey, when: datetime, found: Detections, grey: Grey | None = None
    ) -> None:
        """Remember what the network found in `tile` now (and its picture in grey, `grey`
        the whole frame's, for `followed`)."""
        x0, y0, x1, y1 = tile
        part = None if grey is None else half(grey[y0:y1, x0:x1])
        self._glances[tile] = Glance(small.copy(), when, found, part)

    def looked(self, tile: Box) -> datetime | None:
        """When the network last looked at `tile` (None: never)."""
        glance = self._glances.get(tile)
        return None if glance is None else glance.at

    def followed(self, tile: Box, grey: Grey) -> Detections:
        """The boxes found in `tile` when last looked at, moved with the people in them to
        where they are in `grey` (the frame now, `vision/drift.py`); none if never looked at."""
        glance = self._glances.get(tile)
        if glance is None:
            return Detections.empty()
        if glance.grey is None:
            return glance.found
        x0, y0, x1, y1 = tile
        now = half(grey[y0:y1, x0:x1])
        boxes = moved_boxes(glance.found.boxes, glance.grey, now, (x0, y0), SCALE)
        return Detections(boxes, glance.found.scores)

    def only(self, tiles: list[Box]) -> None:
        """Forget the tiles not in this tiling (the people's size or the area moved it)."""
        for tile in [t for t in self._glances if t not in tiles]:
            del self._glances[tile]

    def clear(self) -> None:
        """Forget everything (another picture size, a cut)."""
        self._glances.clear()

"""Whether the camera's picture is heavily compressed: an MJPEG stream at a low JPEG quality shows
its 8 x 8 blocks, and where the floor is flat each block flickers by several grey levels at once
from frame to frame (its quantised brightness flips with the sensor's noise).

MOG2 learns a flat floor's variance down to its floor, `varMin` (OpenCV's 4: 2 grey levels), and
takes every such flicker for someone: the bus's black floor at JPEG quality 10 grew blobs a block
or two wide all over the doorway, the person size was learnt 40 px for 123, and each passenger
was counted as nine (74/60 for 7/7; quality 12 29/17, 14 9/7). In a blocky picture the detector
raises that floor to BLOCKY_VAR_MIN (4 grey levels): the bus counts 7/7 at quality 8 to 20.
Pictures that are not blocky keep OpenCV's floor, and count as before to the passage.

`blockiness` is the mean step between neighbouring pixels across the block edges over the mean
step elsewhere, along rows and along columns (the edges found at whichever of the 8 phases
steps most: a picture cropped or turned after it was compressed keeps its blocks, off the
origin). On the shared clips as they are it is 1.5-1.8 (2.0 at most in a frame); compressed at
JPEG quality 20 the trams read 2.1-2.2 and the bus, over its flat black floor, 2.9; at quality
10 the trams 2.6-2.8 and the bus 4.4. An H.264 stream's own deblocking filter leaves no
edges to find.

    >>> watch = BlockWatch()
    >>> watch.update(np.zeros((48, 64), np.uint8))
    False
"""

from __future__ import annotations

from collections import deque

import cv2
import numpy as np
import numpy.typing as npt

BLOCK = 8  # px: JPEG's block (and MPEG's)
STEP_FLOOR = 0.1  # grey levels added to both steps: a flat picture reads 1, not 0 / 0
BLOCKY_ON = 2.5  # the picture is taken for blocky from this median blockiness...
BLOCKY_OFF = 2.2  # ... and no longer under this one (a picture near the line does not flap)
SAMPLE_FRAMES = 12  # one frame in this many is measured (0.5 s at 25 fps)
SAMPLES = 9  # the median of the last this many measures decides
MEASURED = (480, 640)  # at most this much of the picture's middle is measured (rows, columns)
MOG2_VAR_MIN = 4.0  # OpenCV's floor of MOG2's variance (grey levels squared)
BLOCKY_VAR_MIN = 16.0  # ... and ours in a blocky picture


def edge_ratio(steps: npt.NDArray[np.float64]) -> float:
    """The mean of every BLOCK-th step (at the phase whose steps are largest) over the mean of
    the others."""
    n = len(steps) // BLOCK * BLOCK
    if n < 2 * BLOCK:
        return 1.0
    by_phase = steps[:n].reshape(-1, BLOCK).mean(axis=0)
    edge = int(np.argmax(by_phase))
    rest = float(np.delete(by_phase, edge).mean())
    return (float(by_phase[edge]) + STEP_FLOOR) / (rest + STEP_FLOOR)


def blockiness(grey: npt.NDArray[np.uint8]) -> float:
    """How much more the picture steps across its block edges than elsewhere (1: no blocks)."""
    g = grey.astype(np.int16)
    across = np.abs(np.diff(g, axis=1)).mean(axis=0)  # a step per column edge
    down = np.abs(np.diff(g, axis=0)).mean(axis=1)  # a step per row edge
    return (edge_ratio(across) + edge_ratio(down)) / 2.0


class BlockWatch:
    """Follows a stream's blockiness (a frame in SAMPLE_FRAMES) and says whether it is blocky."""

    def __init__(self) -> None:
        self._measures: deque[float] = deque(maxlen=SAMPLES)
        self._frames = 0
        self.blocky = False

    def update(self, image: npt.NDArray[np.uint8]) -> bool:
        """Take one frame (BGR or grey, the source's own pixels before any resizing); whether
        the stream is blocky now."""
        if self._frames % SAMPLE_FRAMES == 0:
            h, w = image.shape[:2]
            top, left = max(0, (h - MEASURED[0]) // 2), max(0, (w - MEASURED[1]) // 2)
            middle = image[top : top + MEASURED[0], left : left + MEASURED[1]]
            grey = middle if middle.ndim == 2 else cv2.cvtColor(middle, cv2.COLOR_BGR2GRAY)
            self._measures.append(blockiness(np.asarray(grey, np.uint8)))
            level = float(np.median(self._measures))
            self.blocky = level >= BLOCKY_ON or (self.blocky and level >= BLOCKY_OFF)
        self._frames += 1
        return self.blocky

    def reset(self) -> None:
        """A new stream (another size of picture): measured afresh."""
        self._measures.clear()
        self._frames = 0
        self.blocky = False

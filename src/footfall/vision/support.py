"""Where the optical flow along the counting line is the people's own, and where it is made up.

Dense optical flow (DIS) measures motion where the picture has texture and fills it in
elsewhere from around. Over a floor with texture (tiles, grout, dirt, the trams' and the bus's
doorways) the floor anchors the flow at zero, and the motion across the line is the people's.
Over a plain floor (polished concrete, vinyl, a painted platform, evenly lit) nothing anchors
it: the flow of a walker spreads into the empty floor around them and stays behind them, and the
camera's noise, with nothing else there, is taken for motion. One person walking through counted
3 passages on a plain floor without noise and 10-16 with the noise of a camera (grey levels of
1-4).

`FlowSupport` marks a point of the line unsupported where the floor there is featureless (the
local contrast of the picture, lightly blurred, under FEATURELESS grey levels in this frame and
the one before: the flow is measured between them) and no foreground is near it (this frame's
mask or the last one's, grown by SUPPORT_PERSONS of a person): motion there counts nothing.
People themselves are foreground, however plain their clothes. The shared clips, every
bench_robustness cell and the synthetic scenes on their tiled floor count as before; the
synthetic scenes over a plain floor 82 passages off of 351 (1616 before; the tiled floor: 82).
Measured and not kept (docs/vision.md, "A plain floor"): the background model's image for the
texture (a person who stood a while imprints edges on it, and the flow behind them when they
leave counted a second passage), the texture of both frames required instead of either (the bus
at 10 fps 6/7), a support grown by half a person, by none, or by a square or a distance
transform instead of a disc.

    >>> support = FlowSupport()
    >>> support.update(grey, mask, person_px=15.0)   # doctest: +SKIP
    >>> support.unsupported(rows, cols)               # doctest: +SKIP
"""

from __future__ import annotations

import math
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

FEATURELESS = 1.5  # grey levels of local contrast under which a floor anchors no flow
FEATURELESS_BLUR = 1.0  # px (work): the camera's noise is blurred away before it is measured
FEATURELESS_WINDOW = 7  # px (work): the window the local contrast is measured in
SUPPORT_PERSONS = 0.25  # the foreground is grown by this share of a person


def local_contrast(
    grey: npt.NDArray[np.uint8], window: int = FEATURELESS_WINDOW
) -> npt.NDArray[np.float32]:
    """The standard deviation of the grey levels in a `window` x `window` square about each
    pixel, after a blur of FEATURELESS_BLUR px."""
    g = cv2.GaussianBlur(grey, (0, 0), FEATURELESS_BLUR).astype(np.float32)
    mean = cv2.boxFilter(g, -1, (window, window))
    square = cv2.boxFilter(g * g, -1, (window, window))
    return np.asarray(np.sqrt(np.maximum(square - mean * mean, 0.0)), np.float32)


class FlowSupport:
    """The last two frames' grey images and foreground masks (work pixels), and where along
    given points the flow between them is made up. Measured on the rows asked for only (the
    counting line's), so a line costs a band of the picture, not all of it."""

    def __init__(self) -> None:
        # grey image, mask, and what was measured of them: {(what, rows, radius): band}
        self._frames: list[
            tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8], dict[tuple[Any, ...], Any]]
        ] = []
        self._radius = 1  # px (work): the foreground grown by SUPPORT_PERSONS of a person

    def update(
        self, grey: npt.NDArray[np.uint8], mask: npt.NDArray[np.uint8], person_px: float
    ) -> None:
        """Take this frame's grey image and cleaned foreground mask (work pixels; a person
        `person_px` wide)."""
        if self._frames and self._frames[-1][0].shape != grey.shape:
            self._frames.clear()  # another size: the frame before says nothing of this one
        self._frames = [*self._frames[-1:], (grey, mask, {})]
        self._radius = max(1, round(SUPPORT_PERSONS * person_px))

    def unsupported(
        self, rows: npt.NDArray[np.intp], cols: npt.NDArray[np.intp]
    ) -> npt.NDArray[np.bool_]:
        """Whether the flow at these pixels is made up: the floor featureless in this frame and
        the one before (the flow is measured between them), and no foreground within
        SUPPORT_PERSONS of a person of them in either (all False before the first frame)."""
        if not self._frames or len(rows) == 0:
            return np.zeros(len(rows), np.bool_)
        h, w = self._frames[-1][0].shape
        r, c = np.clip(rows, 0, h - 1), np.clip(cols, 0, w - 1)
        lo, hi = int(r.min()), int(r.max()) + 1
        pad = FEATURELESS_WINDOW // 2 + 3 * math.ceil(FEATURELESS_BLUR) + 1  # the blur and box
        top, bottom = max(0, lo - pad), min(h, hi + pad)
        m_top, m_bottom = max(0, lo - self._radius), min(h, hi + self._radius)
        plain = np.ones(len(r), np.bool_)
        near = np.zeros(len(r), np.bool_)
        for grey, mask, measured in self._frames:  # each frame measured once per band
            band: tuple[Any, ...] = ("contrast", top, bottom)
            if band not in measured:
                measured[band] = local_contrast(grey[top:bottom])
            plain &= measured[band][r - top, c] < FEATURELESS
            band = ("grown", m_top, m_bottom, self._radius)
            if band not in measured:
                size = 2 * self._radius + 1
                disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
                measured[band] = cv2.dilate(mask[m_top:m_bottom], disc)
            near |= measured[band][r - m_top, c] > 0
        return np.asarray(plain & ~near, np.bool_)

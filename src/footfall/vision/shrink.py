"""Bringing a large frame down to the analysis size, fast.

The analysis works on small pictures (the detector's ~160 px, the optical flow's and the
stabiliser's), each pixel the mean of the frame pixels it covers (OpenCV's `INTER_AREA`). OpenCV
averages fast when the frame is a whole multiple of the small picture (1280x720 or 1920x1080 to
160x90), but a fraction away it reads every pixel through a slow general path: a 1408x1152 frame
to 160x131 took 6 ms, more than decoding it, and the pipeline ran at 0.6 of the bare floor's
speed (decode + bilinear resize + MOG2) on such files. Above LARGE_PX pixels, at a fractional
factor of FAST_FROM or more, `shrink` first samples the frame bilinearly at twice the small size
and then averages 2 x 2 (0.4 ms; within 0.7 grey levels on average of the exact mean, at most 15
on sharp edges). Smaller frames, and whole multiples, are averaged exactly as before.

    >>> small = shrink(frame, (160, 131))    # doctest: +SKIP
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

LARGE_PX = 120_000  # pictures with more pixels than this (beyond 400x300) are shrunk fast
STAGE = 2  # the bilinear stage samples this many times the small picture's size


def shrink(image: npt.NDArray[np.uint8], size: tuple[int, int]) -> npt.NDArray[np.uint8]:
    """`image` resized down to `size` (width, height) by area averaging: exact for frames up to
    LARGE_PX pixels and for whole multiples, bilinear to STAGE x `size` and then averaged for
    larger ones."""
    h, w = image.shape[:2]
    if w * h <= LARGE_PX or min(w / size[0], h / size[1]) < STAGE:
        return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), np.uint8)
    mid = (size[0] * STAGE, size[1] * STAGE)
    sampled = cv2.resize(image, mid, interpolation=cv2.INTER_LINEAR)
    return np.asarray(cv2.resize(sampled, size, interpolation=cv2.INTER_AREA), np.uint8)

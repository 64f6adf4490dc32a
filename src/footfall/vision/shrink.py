"""Bringing a large frame down to the analysis size, fast.

The analysis works on small pictures (the detector's 160 px or the finer width a narrow door
asks for, the optical flow's crop of the door, the stabiliser's copy), each pixel the mean of
the frame pixels it covers (OpenCV's `INTER_AREA`). That reads every pixel of the frame, and at a
fractional factor through a slow general path: a 1408x1152 frame to 160x131 took 6 ms, a
1280x720 one to the 228 px of a door a quarter of the picture wide 1-2 ms (1 ms even to 160x90,
a whole factor), more than decoding them, and the pipeline ran at 0.38-0.58 of the bare floor's
speed (decode + bilinear resize + MOG2) on such files. A picture of more than LARGE_PX pixels
shrunk by STAGE or more is first sampled bilinearly at STAGE times the small size and then
averaged (0.4-0.6 ms; within 0.7 grey levels of the exact mean on average, at most 15 on sharp
edges). Smaller pictures (the shared clips, 352x288 at most) are averaged exactly as before.

    >>> small = shrink(frame, (160, 131))    # doctest: +SKIP
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

LARGE_PX = 120_000  # pictures with more pixels than this (beyond 400x300) are shrunk fast
STAGE = 2  # the bilinear stage samples this many times the small picture's size


def averaged_exactly(image: npt.NDArray[np.uint8], size: tuple[int, int]) -> bool:
    """Whether `shrink` averages `image` down to `size` exactly: it has at most LARGE_PX pixels
    or is shrunk by less than STAGE."""
    h, w = image.shape[:2]
    return bool(w * h <= LARGE_PX or min(w / size[0], h / size[1]) < STAGE)


def shrink(image: npt.NDArray[np.uint8], size: tuple[int, int]) -> npt.NDArray[np.uint8]:
    """`image` resized down to `size` (width, height) by area averaging: exact for pictures up to
    LARGE_PX pixels or shrunk by less than STAGE, else sampled bilinearly at STAGE x `size` and
    then averaged."""
    if averaged_exactly(image, size):
        return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), np.uint8)
    mid = (size[0] * STAGE, size[1] * STAGE)
    sampled = cv2.resize(image, mid, interpolation=cv2.INTER_LINEAR)
    return np.asarray(cv2.resize(sampled, size, interpolation=cv2.INTER_AREA), np.uint8)


def shrink_grey(image: npt.NDArray[np.uint8], size: tuple[int, int]) -> npt.NDArray[np.uint8]:
    """A colour `image` as a grey picture of `size`, the cheaper way round: a picture averaged
    exactly is made grey first (a third of the pixels to average: the bus's 320x240 frame to 34x25
    in 0.16 ms instead of 0.25), a large one sampled first (`shrink`) is made grey once small."""
    if averaged_exactly(image, size):
        grey = np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), np.uint8)
        return np.asarray(cv2.resize(grey, size, interpolation=cv2.INTER_AREA), np.uint8)
    return np.asarray(cv2.cvtColor(shrink(image, size), cv2.COLOR_BGR2GRAY), np.uint8)

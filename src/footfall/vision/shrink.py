"""Bringing a frame down to the analysis size, fast.

The analysis works on small pictures (the detector's 160 px or the finer width a narrow door
asks for, the optical flow's crop of the door, the stabiliser's copy), each pixel about the
mean of the frame pixels it covers (OpenCV's `INTER_AREA`). At a whole factor that mean is quick;
at a fractional one OpenCV takes a slow general path: a 1408x1152 frame to 160x131 took 6 ms, a
1280x720 one to the 228 px of a door a quarter of the picture wide 1-2 ms, more than decoding
them, and even the trams' 352x288 to 160x131 0.48 ms of the 3.4 ms their frame costs (tram 04 ran
at 0.81-0.88 of the bare floor's speed: decode + bilinear resize + MOG2). A picture shrunk by
STAGE or more is therefore first sampled bilinearly at STAGE times the small size and then
averaged by that whole factor (0.17 ms for the trams' frame, 0.4-0.6 ms for a large one; within
0.3 grey levels of the exact mean on average for the trams' frames, at most 15 on sharp edges of
a large one); at exactly STAGE times (320x240 to 160x120) it is the exact mean itself, and a
picture of the usual size shrunk by 2 * STAGE or more is averaged exactly too (its bilinear
stage would skip pixels). Measured
on the shared clips (thirty-seventh session): `bench_starts` 0.900 either way, `bench_robustness`
0.9172 -> 0.9214. A picture shrunk by less than STAGE is averaged exactly.

    >>> small = shrink(frame, (160, 131))    # doctest: +SKIP
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

STAGE = 2  # shrunk by this or more: sampled at this many times the small size, then averaged
# A picture of at most this many pixels (400x300) shrunk by 2 * STAGE or more is averaged
# exactly: its bilinear stage would skip pixels (the flow's crops of a door, 3-10 times larger
# than their small picture), and exactly it costs little.
LARGE_PX = 120_000


def averaged_exactly(image: npt.NDArray[np.uint8], size: tuple[int, int]) -> bool:
    """Whether `shrink` averages `image` down to `size` exactly: shrunk by less than STAGE, by
    exactly STAGE times, or (a picture of at most LARGE_PX pixels) by 2 * STAGE or more."""
    h, w = image.shape[:2]
    factor = min(w / size[0], h / size[1])
    return bool(
        factor < STAGE or (w, h) == staged(size) or (factor >= 2 * STAGE and w * h <= LARGE_PX)
    )


def staged(size: tuple[int, int]) -> tuple[int, int]:
    """The size a picture is sampled at before it is averaged down to `size`."""
    return size[0] * STAGE, size[1] * STAGE


def shrink(image: npt.NDArray[np.uint8], size: tuple[int, int]) -> npt.NDArray[np.uint8]:
    """`image` resized down to `size` (width, height) by area averaging: exact for a picture
    shrunk by less than STAGE (or by STAGE exactly), else sampled bilinearly at STAGE x `size`
    and then averaged."""
    if not averaged_exactly(image, size):
        image = np.asarray(cv2.resize(image, staged(size), interpolation=cv2.INTER_LINEAR))
    return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), np.uint8)


def shrink_grey(image: npt.NDArray[np.uint8], size: tuple[int, int]) -> npt.NDArray[np.uint8]:
    """A colour `image` as a grey picture of `size`, the cheaper way round: a picture averaged
    exactly is made grey first (a third of the pixels to average: the bus's 320x240 frame to 34x25
    in 0.16 ms instead of 0.25), one sampled first (`shrink`) is made grey once small."""
    if averaged_exactly(image, size):
        grey = np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), np.uint8)
        return np.asarray(cv2.resize(grey, size, interpolation=cv2.INTER_AREA), np.uint8)
    return np.asarray(cv2.cvtColor(shrink(image, size), cv2.COLOR_BGR2GRAY), np.uint8)

"""Turning the picture before counting (`Counter.Rotation`).

The counting area of SPEC §5 lies across the picture (people cross it up or down). A camera whose
doorway runs the other way, people walking left and right, is counted in its picture turned by a
right angle; the area, the live view and the annotated video are all in the turned picture.

    >>> import numpy as np
    >>> turned(np.zeros((240, 320, 3), np.uint8), 90).shape
    (320, 240, 3)
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

_CODES = {
    90: cv2.ROTATE_90_CLOCKWISE,
    180: cv2.ROTATE_180,
    270: cv2.ROTATE_90_COUNTERCLOCKWISE,
}


def turned(image: npt.NDArray[np.uint8], degrees: int) -> npt.NDArray[np.uint8]:
    """`image` turned clockwise by `degrees` (0, 90, 180 or 270); 0 gives the image itself."""
    if degrees == 0:
        return image
    return np.asarray(cv2.rotate(image, _CODES[degrees]), np.uint8)


def turned_size(width: int, height: int, degrees: int) -> tuple[int, int]:
    """(width, height) of a picture of this size once turned."""
    return (height, width) if degrees in (90, 270) else (width, height)

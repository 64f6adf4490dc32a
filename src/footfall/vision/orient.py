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


def upright(image: npt.NDArray[np.uint8], degrees: int) -> npt.NDArray[np.uint8]:
    """The camera's own picture of an `image` that was turned clockwise by `degrees`."""
    return turned(image, (360 - degrees) % 360)


def turned_boxes(
    boxes: npt.NDArray[np.float32], degrees: int, width: int, height: int
) -> npt.NDArray[np.float32]:
    """Boxes (N, 4: x0, y0, x1, y1) in a `width` x `height` picture, moved into that picture
    turned clockwise by `degrees`, as `turned` turns it."""
    x0, y0, x1, y1 = (boxes[:, i] for i in range(4))
    if degrees == 90:  # (x, y) -> (height - y, x)
        moved = (height - y1, x0, height - y0, x1)
    elif degrees == 180:  # (x, y) -> (width - x, height - y)
        moved = (width - x1, height - y1, width - x0, height - y0)
    elif degrees == 270:  # (x, y) -> (y, width - x)
        moved = (y0, width - x1, y1, width - x0)
    else:
        return boxes
    return np.stack(moved, axis=1).astype(np.float32)

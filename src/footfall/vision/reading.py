"""What every source does with a frame it has read (`bgr`) and with the time until the next one
is due (`sleep_until`, cut short by a close).

    >>> bgr(np.zeros((2, 2), np.uint8)).shape
    (2, 2, 3)
"""

from __future__ import annotations

import threading
import time
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt


def bgr(image: Any) -> npt.NDArray[np.uint8]:
    """A decoded image as uint8 BGR: grey camera frames become 3-channel, like every other."""
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    return np.asarray(image, dtype=np.uint8)


def sleep_until(deadline: float, closed: threading.Event) -> None:
    """Wait until `deadline` (time.monotonic()), or until `closed` is set."""
    delay = deadline - time.monotonic()
    if delay > 0:
        closed.wait(delay)

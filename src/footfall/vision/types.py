"""The currency the video stages pass on (STYLE habit 1)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded image with its index in the source and its capture time (UTC-aware), and how
    far (degrees clockwise) the image was turned from the camera's picture (`Counter.Rotation`):
    a detector that needs people upright, as a person-detection network does, turns it back.
    `cut`: the picture does not go on from the frame before (a file looping back to its start,
    a live stream opened again after a drop): no one's motion runs from that frame to this one."""

    image: npt.NDArray[np.uint8]
    index: int
    time: datetime
    turned: int = 0
    cut: bool = False


@dataclass(frozen=True, slots=True)
class Detections:
    """People found in one frame, as a batch: boxes (N,4) xyxy float32, scores (N,) float32."""

    boxes: npt.NDArray[np.float32]
    scores: npt.NDArray[np.float32]

    @classmethod
    def empty(cls) -> Detections:
        """No detections."""
        return cls(np.zeros((0, 4), np.float32), np.zeros((0,), np.float32))

    def __len__(self) -> int:
        return int(self.boxes.shape[0])

    @property
    def centers(self) -> npt.NDArray[np.float32]:
        """(N,2) box centres."""
        b = self.boxes
        return np.stack([(b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2], axis=1)


@dataclass(frozen=True, slots=True)
class View:
    """What the counter saw last: a frame's image and index, and the tracks (id, x, y in frame
    pixels) live in it."""

    image: npt.NDArray[np.uint8]
    index: int
    tracks: Sequence[tuple[int, float, float]] = ()

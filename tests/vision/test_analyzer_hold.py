"""Passages wait whenever the detector's person size is not learnt: at the first start, and
again when a detector drops a size it had (a queue arriving in a bare doorway after a restart)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import cv2
import numpy as np

from footfall.config import Params
from footfall.vision.analyzer import Analyzer
from footfall.vision.types import Detections, Frame

WIDTH = 44.0


class Scripted:
    """A detector that finds the one disc drawn in each frame; its size is learnt or not as
    the test says."""

    def __init__(self) -> None:
        self.size_learnt = True
        self.frame_person_px = WIDTH
        self.at: tuple[float, float] | None = None

    def detect(self, frame: Frame) -> Detections:
        if self.at is None:
            return Detections.empty()
        x, y = self.at
        h = WIDTH / 2
        box = np.array([[x - h, y - h, x + h, y + h]], np.float32)
        return Detections(box, np.ones(1, np.float32))


def crossing(analyzer: Analyzer, detector: Scripted, start: int) -> list[list[str]]:
    """One person walks up through the area (y 90-150) and away; what each frame returns."""
    floor = np.random.default_rng(2).integers(70, 110, (240, 320, 3), dtype=np.uint8)
    out = []
    for k, y in enumerate([None] * 5 + list(range(230, 10, -6)) + [None] * 5):
        image = floor.copy()
        detector.at = None if y is None else (160.0, float(y))
        if y is not None:
            cv2.circle(image, (160, y), round(WIDTH / 2), (220, 210, 200), -1)
        when = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=(start + k) / 25)
        out.append([p.direction for p in analyzer.process(Frame(image, start + k, when))])
    return out


def flat(frames: list[list[str]]) -> list[str]:
    return [d for frame in frames for d in frame]


def test_passages_wait_again_while_a_dropped_size_is_learnt_again() -> None:
    detector = Scripted()
    analyzer = Analyzer(Params(), detector)
    analyzer.set_fps(25.0)
    first = crossing(analyzer, detector, 0)
    assert flat(first) == ["in"]  # learnt from the start: counted as it happens

    detector.size_learnt = False  # the detector dropped its size (and learns it again)
    second = crossing(analyzer, detector, 100)
    assert flat(second) == []  # held
    detector.size_learnt = True
    third = crossing(analyzer, detector, 200)
    assert flat(third) == ["in", "in"]
    assert third[0] == ["in"]  # the held one goes on at the first frame with the size learnt

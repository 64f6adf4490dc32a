"""The bare floor every overhead counter pays, shared by the benchmarks that compare with it."""

from __future__ import annotations

from pathlib import Path

import cv2


def floor_frames(video: Path) -> int:
    """Decode + resize to 320x240 + OpenCV MOG2 + findContours over `video`; returns the frames."""
    capture = cv2.VideoCapture(str(video))
    mog = cv2.createBackgroundSubtractorMOG2()
    n = 0
    while True:
        ok, image = capture.read()
        if not ok:
            break
        mask = mog.apply(cv2.resize(image, (320, 240)))
        cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        n += 1
    capture.release()
    return n

"""The baselines the clip benchmarks compare with (decoding alone, the bare floor every overhead
counter pays) and the counting params of a shared clip."""

from __future__ import annotations

from pathlib import Path

import cv2

from footfall.commands.count import params_for
from footfall.config import Params
from footfall.counting.groundtruth import GroundTruth

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
REFERENCE_AREA = "tram_door_overhead_02"  # the tram clips without visible truth share its door


def clip_truth(video: Path) -> tuple[GroundTruth, bool]:
    """The clip's ground truth, or the reference door's when its own is hidden (then False)."""
    own = DATA / f"{video.stem}.json"
    found = own.exists()
    return GroundTruth.load(own if found else DATA / f"{REFERENCE_AREA}.json"), found


def clip_params(video: Path) -> Params:
    """The clip's counting area and in direction, from `clip_truth`."""
    truth, _ = clip_truth(video)
    return params_for(truth.area, truth.in_direction, None)


def decode_frames(video: Path) -> int:
    """Decode every frame of `video`; returns the frames."""
    capture = cv2.VideoCapture(str(video))
    n = 0
    while capture.read()[0]:
        n += 1
    capture.release()
    return n


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

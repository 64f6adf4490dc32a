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
# Our own hand-marked crossings of the clips whose truth is hidden (tests/real/README.md: the
# sure ones, and the unsure ones we counted: tram 03's dark coat at ~700 and one of its dark
# crowd at 540-580, tram 04's dark person at ~700), frame and way.
HAND_IN_03 = (65, 103, 133, 163, 190, 203, 250, 290, 312, 358, 396, 450, 462, 525, 550, 560, 600)
HAND_OUT_04 = (22, 48, 65, 105, 122, 160, 195, 225, 240, 270, 300, 300, 340, 375, 385, 410, 440)
HAND_EVENTS = {
    "tram_door_overhead_03": [(f, "in") for f in (*HAND_IN_03, 650, 700)],
    "tram_door_overhead_04": [
        (f, "out") for f in (*HAND_OUT_04, 465, 475, 505, 525, 560, 595, 625, 640, 675, 700, 720)
    ],
}


def clip_truth(video: Path) -> tuple[GroundTruth, bool]:
    """The clip's ground truth, or the reference door's when its own is hidden (then False)."""
    own = DATA / f"{video.stem}.json"
    found = own.exists()
    return GroundTruth.load(own if found else DATA / f"{REFERENCE_AREA}.json"), found


def events_of(video: Path) -> tuple[list[tuple[int, str]], str]:
    """The clip's crossings (frame, way) and '~' when they are our hand marks."""
    truth, found = clip_truth(video)
    if found and truth.events:
        return [(e.frame, e.direction) for e in truth.events], ""
    return HAND_EVENTS.get(video.stem, []), "~"


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

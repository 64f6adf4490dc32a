"""The motion difference and the background model's timing: how far apart the two images
differenced for motion are (`motion_span`, a fixed time at any frame rate, by the frames' own
times when some were dropped: `frames_back`, `source_interval`), the image that far back
(`motion_reference`) brought to the light of now (`level_to`), and MOG2's history and learning
rate (`mog2_history`, `background_rate`).

    >>> motion_span(25.0)
    2.0
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from collections.abc import Sequence
from datetime import datetime

import cv2
import numpy as np
import numpy.typing as npt

from footfall.vision.light import light_gain, moved_light

NOMINAL_FPS = 25.0
MOG2_THRESHOLD = 50  # squared distance; high enough to ignore the exposure drifting
MOG2_HISTORY_S = 12.0  # s of frames the background model learns from (300 frames at 25 fps)
MOTION_LAG_S = 0.08  # s: the images differenced for motion are this far apart
# While the doorway is empty and still (less moving and less foreground than QUIET_PERSON of one
# person's area near the counting area, for QUIET_S), the background model learns QUIET_SLOWDOWN
# times slower: it keeps what the last crowd taught it (the size constants were fitted on a model
# that knows a crowd), instead of relearning the bare floor between two trams and then seeing the
# next queue as one thick blob. Anything that stays in the picture is foreground, so a light
# change or a bag left behind is still learnt at the usual rate.
QUIET_S = 3.0
QUIET_PERSON = 0.25
QUIET_SLOWDOWN = 100.0
DROP_TOLERANCE = 0.5  # an interval this far off the source's: frames were dropped (not mere jitter)
SOURCE_GAPS = 50  # frame intervals whose median is the source's own (`source_interval`)
SOURCE_OFF = 0.05  # and taken when this far off the rate the frames arrive at
SOURCE_GRID = 0.1  # a gap this close (in intervals) to a whole number of them is on the grid
SOURCE_ON_GRID = 0.9  # and this share of the gaps on it: frames dropped, not times jittered


def motion_span(fps: float) -> float:
    """How many frames apart the two images differenced for motion are: MOTION_LAG_S of them.

    The motion smear, and with it the learnt person size, grows fast with the time between the
    two images (tram door, 0.04 / 0.08 / 0.12 s: 21 / 33 / 53 px), so it is the same time at any
    frame rate: 2 frames at 25 fps, 2.4 at 30 fps, 1.2 at 15 fps, 0.8 at 10 fps."""
    if fps <= 0:
        fps = NOMINAL_FPS
    return MOTION_LAG_S * fps


def mog2_history(fps: float) -> int:
    """Frames of MOG2 history spanning MOG2_HISTORY_S: a person standing still fades into the
    background after the same time at any frame rate."""
    return max(20, round(MOG2_HISTORY_S * (fps if fps > 0 else NOMINAL_FPS)))


def background_rate(still_frames: int, model_frames: int, fps: float, history: int) -> float:
    """MOG2's learning rate for the next frame: -1 (its own, 1 / frames seen up to 1 / history)
    unless the doorway has been empty and still for QUIET_S, once the model is grown."""
    if model_frames > history and still_frames > QUIET_S * fps:
        return 1.0 / (QUIET_SLOWDOWN * history)
    return -1.0


def frames_back(times: Sequence[datetime | None], fps: float) -> float | None:
    """How many frames back of the newest of `times` MOTION_LAG_S lies, by the frames' times,
    when some were dropped (a camera or a box too slow: the gaps are not 1 / fps); None while
    the frames come at the source's rate (then `motion_span`), or without times.

    Counted in frames, a dropped frame stretched the motion difference to 0.12 s and the
    learnt size with it (tram 02 with a fifth of its frames dropped at random: 19 for 23;
    a third: 15); by time, 23 and 23."""
    if len(times) < 2 or fps <= 0:
        return None
    gaps = []
    for before, after in itertools.pairwise(times):
        if before is None or after is None:
            return None
        gaps.append((after - before).total_seconds())
    interval = 1.0 / fps
    if min(gaps) <= 0 or all(abs(g - interval) <= DROP_TOLERANCE * interval for g in gaps):
        return None
    covered, frames = 0.0, 0.0
    for gap in reversed(gaps):
        if covered + gap >= MOTION_LAG_S:
            return frames + (MOTION_LAG_S - covered) / gap
        covered += gap
        frames += 1.0
    return frames


def source_interval(gaps: Sequence[float], fps: float) -> float:
    """The interval between the source's frames: 1 / `fps` (the rate the frames arrive at), or
    the median of the recent `gaps` between the frames' times when it is more than SOURCE_OFF
    away from that: frames dropped here and there (a box too slow for its camera takes the
    newest frame when it is ready, one or two camera frames later) arrive at an average rate
    below the camera's, while most of them are one camera frame apart."""
    nominal = 1.0 / fps if fps > 0 else 1.0 / NOMINAL_FPS
    usable = [g for g in gaps if g > 0]
    if len(usable) < SOURCE_GAPS // 2:
        return nominal
    median = float(np.median(usable))
    if abs(median - nominal) <= SOURCE_OFF * nominal or not 0.5 <= median / nominal <= 2.0:
        return nominal  # the same; or not one that frames dropped (at most half) would leave
    # Frames dropped leave gaps of whole intervals; times bunched by a network or jittered by a
    # clock read at arrival do not, and then say nothing of the camera's interval.
    whole = np.asarray(usable) / median
    on_grid = np.abs(whole - np.round(whole)) <= SOURCE_GRID
    return median if float(on_grid.mean()) >= SOURCE_ON_GRID else nominal


def motion_reference(recent: deque[npt.NDArray[np.uint8]], span: float) -> npt.NDArray[np.uint8]:
    """The image `span` frames before the newest of `recent` (newest last), blended linearly
    from the two frames around it; under one frame, the blend of the newest two (the difference
    then shrinks in proportion, as a motion seen for part of a frame would)."""
    whole = math.floor(span)
    frac = span - whole
    newest = len(recent) - 1
    if whole >= newest:
        return recent[0]
    after = recent[newest - whole]
    if frac < 1e-6:
        return after
    before = recent[newest - whole - 1]
    return np.asarray(cv2.addWeighted(after, 1.0 - frac, before, frac, 0.0), np.uint8)


def level_to(before: npt.NDArray[np.uint8], now: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """`before` brought to the light of `now` when the whole picture's brightness moved between
    them as a beating or stepping light moves it (`moved_light`), else itself."""
    gain = light_gain(before, now)
    if not moved_light(gain):
        return before
    return np.asarray(cv2.convertScaleAbs(before, alpha=gain), np.uint8)

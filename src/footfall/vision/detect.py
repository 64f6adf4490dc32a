"""People from an overhead camera without any model file: foreground blobs and a person-size model.

`ForegroundDetector` downsizes each frame to about `WORK_WIDTH` px, separates moving foreground
from the background with OpenCV's MOG2, cleans the mask, and labels its blobs. The person-size
model (`person_width_px`: mounting height, lens field of view, shoulder width) says how many people
a blob holds; a blob of several people is split into that many by k-means on its pixels, seeded
along its main axis (a queue splits front to back, a pair side by side splits left to right).

    >>> det = ForegroundDetector(Params())
    >>> det.detect(frame)            # doctest: +SKIP
    Detections(boxes=..., scores=...)
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

import cv2
import numpy as np
import numpy.typing as npt

from footfall.config import AreaParams, CounterParams, Params
from footfall.counting.area import four_three_width
from footfall.vision.light import light_gain, moved_light
from footfall.vision.shrink import shrink
from footfall.vision.sizestate import USUAL_WORK, SizeSamples
from footfall.vision.types import Detections, Frame

WORK_WIDTH = USUAL_WORK  # px: analysis width; MOG2 at this size costs a quarter of MOG2 at 320x240
# A counting area narrower than this share of the picture may be analysed finer, in proportion
# (`work_width`; the analyzer chooses, `vision/analyzer.py`): the mask's cleaning and the size
# learner are pixel-bound, and a doorway a third of the picture wide at 160 px (the tram clips'
# 120 of 352 px) keeps its people 14-19 work px wide. Seen from 0.7 times as close, analysed at
# 160 px, they were 10 and the trams counted 35 / 27 / 0/36.
AREA_SHARE = 1 / 3
MAX_WORK_WIDTH = 2 * WORK_WIDTH  # four times the pixels: the cost of a doorway seen from far up
SHOULDER_CM = 140  # height of an adult's shoulders above the floor
MIN_DISTANCE_CM = 40  # nearest the shoulders can be to the lens
PERSON_AREA_FACTOR = 0.9  # blob area of one person, in units of (person width)^2
MIN_BLOB_FRACTION = 0.3  # blobs smaller than this share of a person are noise
MAX_PEOPLE_PER_BLOB = 12
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
# A background model that knows the bare floor sees a queue arriving all at once (a door
# opening on it) as solid blobs, several people each, and the size learnt from them is a fifth
# too large (the tram clips after 1 s of their empty doorway: 14 / 16 / 14 people for 23 / ~19 /
# ~28); the model that has just seen a queue and then an empty doorway for a while has drifted
# too (later passes of a long run: 0.909 for 0.967). Once the doorway has been empty and still
# for BARE_S, a change over SCENE_CHANGE of the size window at once starts the model again from
# that frame, as if the counter had been switched on with the queue there, and the person size
# is learnt afresh with it (an analyzer holds passages until it is). People walking in one by
# one change far less at once (the bus's first: 2 % of the window; the trams' queues 34-52 %).
BARE_S = 0.5
SCENE_CHANGE = 0.2
# BARE_LIGHT: a light switched on or dimmed over seconds (shop lights at opening, an exposure
# that follows the daylight) changes an empty doorway too slowly for SCENE_CHANGE, yet faster
# than the model learns, above all at QUIET_SLOWDOWN: the whole picture turned foreground and
# the bus with +30 % over 2 s before its first passenger counted 12/7 for 7/7. Foreground that
# appears where nothing has moved since the doorway was last bare, over a picture whose
# brightness moved from that bare one's as a light moves it (`vision/light.py`), starts the
# model again from that frame; the person size is kept (people did not change), and nothing
# of that foreground sets it.
KNOCK_FRAMES = 30  # size samples of this many frames back can be dropped (`camera_moved`)
BARE_WAKE = 0.03  # the brightness moved this much from the bare doorway's: the light changed
NOMINAL_FPS = 25.0
MOTION_THRESHOLD = 12  # grey levels
DROP_TOLERANCE = 0.5  # an interval this far off the source's: frames were dropped (not mere jitter)
# A light that beats (`level_to` at work in LIGHT_SHARE of the last second's frames, as a 10 %
# beat at 5 Hz is in four of five; an exposure step is in one or two) also swells the background
# model's foreground, and the learnt size with it (tram 02 45 px for 32.6): its threshold is
# raised LIGHT_VAR times meanwhile (the trams under the beat 13, 13, 0/25 -> 20, 21, 0/27).
LIGHT_VAR = 4.0
LIGHT_SHARE = 0.3
SOURCE_GAPS = 50  # frame intervals whose median is the source's own (`source_interval`)
SOURCE_OFF = 0.05  # and taken when this far off the rate the frames arrive at
SOURCE_GRID = 0.1  # a gap this close (in intervals) to a whole number of them is on the grid
SOURCE_ON_GRID = 0.9  # and this share of the gaps on it: frames dropped, not times jittered
MIN_THICKNESS_PX = 4.0  # thinner blobs say nothing about the person size
# The person size is learnt from the first SIZE_WINDOW frames of blob thickness, then held: the
# size of a person under a fixed camera does not change, while the thickness of the blobs follows
# the light and the way the queue moves. Learning on, the size wandered with them: tram 02 played
# on backwards after its end (a queue alighting, no bare doorway between) went from 33 px to 21
# and counted 44 for 23, dimmed by 30 % meanwhile 64, brightened 35; held, 26 in all three. It is
# learnt again when it is learnt afresh (a new scene, a new mounting height or lens, `AutoSize`
# set again) and after the samples since a light switched on or a knock are dropped.
SIZE_WINDOW = 600
SIZE_MIN_SAMPLES = 20
# The first samples can be of one person walking into view (the bus's first passenger, a broad
# man, learnt 57 px after 20 samples, 72 after 25, 114 after 30, 125 in the end): passages wait
# (`EarlyHold`) until the size is *steady*: within STEADY_CHANGE of the one learnt before (5
# samples fewer), the first one of the one its first half of samples say. Released after 20,
# that first passenger was counted as three pieces on most counting areas one could draw across
# the bus's door (9/7 for 7/7 with a band of 60 px: 6 of 25 such areas counted 7/7; now 18).
# Compared with the size of 10 samples before at every step, the hold lasts longer in a doorway
# whose size wanders a little, and side-by-side pairs are taken for pieces of one (the synthetic
# side_by_side scenes 1 -> 3 off). From STEADY_SAMPLES on the size counts as steady whatever it
# does: one that still moves then is a dense queue's, and held on, more of its people were taken
# for pieces.
STEADY_CHANGE = 0.1
STEADY_SAMPLES = 100
SIZE_PERCENTILE = 60  # the broadest views (merged people) do not set the size
SIZE_MARGIN_BANDS = 2.0  # size is learnt within this many area heights above and below the area
# An area thinner than MIN_BAND_GUESS x the default guess of a person's width counts as that thick
# (a counting "line" drawn a few px tall): the size is learnt around it as around that band, and a
# track is beyond an edge only past it (`Counter.min_band_px`). On 10 / 20 px bands the bus
# counted 19/20 and 11/11 for 7/7, tram 02 47 and 33 for 23, tram 04 63 and 48 for ~28: blobs cut
# by so thin a window taught a size far too small, and jitter carried tracks across and back
# (tried: widened to 0.5 of the guess, the bus on 20 px 11/10; widening only bands under 0.45 of
# it, tram 02 from 0.8 times as close, its band 0.51 of it, 35). The guess, not the learnt width,
# so the clips' own 40 px bands (0.64 of the guess on the trams, 0.70 on the bus) are left as they
# are; the default sizing's guess whatever Height is told (`band_px`), so a lower one does not
# take those bands for thin, nor a higher one leave a line thin; and in a 4:3 picture of the
# frame's height (`guess_width_px`): the trams' door seen by a 1280x720 camera, its band 100 px,
# was widened to 137 px and tram 04 counted 0/17 for ~28 (now 103 px: 0/27).
MIN_BAND_GUESS = 0.6
# A typical thickest blob is narrower than the shoulders, the more so when the mask is torn
# (clothes like the floor): the gain goes from GAIN_CLEAN for solid blobs (solidity, blob area /
# convex hull area, at or above SOLID_CLEAN) to GAIN_TORN for torn ones (at or below SOLID_TORN).
# Measured: the tram clips have a median solidity of 0.75-0.84, the bus 0.92, our synthetic scene
# 0.94-0.99; 1.31 keeps the tram size; 1.16 makes the synthetic size its shoulder width +5-10 %
# (1.12-1.25 tried on the synthetic scenes with motion differenced over 0.08 s: 1.16 is best).
GAIN_TORN, GAIN_CLEAN = 1.31, 1.16
SOLID_TORN, SOLID_CLEAN = 0.85, 0.97
# The size a torn mask teaches loops through the mask's closing: the size sets the closing
# (`_set_close`), the closing how thick the blobs are, their thickness the size. The closing
# steps by 40 % (5 to 7 work px at 22), and the loop can settle on either side: tram 04 learnt
# 40 px on its 40 px band and 53 on a 60 px one (0/27 and 0/15 for ~28), and 57 px for 48 seen
# from 1.2 times as close (0/18). The mask before its closing (opened only) is out of the loop:
# on the shared trams the size learnt is 1.81-1.97 times the 60th percentile of its thickest
# blobs. While the solidity says torn (SOLID_TORN or less), the size is at most OPENED_MAX times
# that: tram 04 on the 60 px band 0/22, from 1.2 times as close 0/26; the clips as they are and
# the bus (its mask is not torn) as before, bench_robustness's mean 0.9375 -> 0.9436.
OPENED_MAX = 2.4
# ... once the size rests on OPENED_MIN_SAMPLES: the first samples' ratio wanders either way,
# and bound from the 20th on, tram 02 counted its first people at other moments (event precision
# 0.79 -> 0.71, the count alike).
OPENED_MIN_SAMPLES = 40
# "Not alone": a solid blob whose area is beyond ALONE_AREA x thickness^2 is people side by side
# or one behind the other (one person: 1.0-1.2); its thickness is not one person's.
ALONE_SOLID = 0.9
ALONE_AREA = 2.0
# The learnt size stays within these multiples of the Height/FOV size (the lower of the smaller of
# it and the default sizing's, the upper of the larger): wide enough for the default height's
# guess on a wide or high view (people 3 % of the image wide), narrow enough that a scene of
# litter or shadows cannot teach an absurd size. A Height told too high for the view (the bus,
# 200 cm up, told 350 / 450 cm) held the learnt width at 2.5 x its guess, 0.76 / 0.52 of the
# people's, and counted 12/11 and 21/25 for 7/7; bounded by the default's too, 7/7.
SIZE_CLAMP = (0.15, 2.5)
# People whose learnt width is under this share of the width analysed at WORK_WIDTH px (the
# picture's, or less at a finer analysis: `ForegroundDetector.analysed_width`) are a view the
# size learner is not right at: it measures them too small and a crowded doorway is over-counted
# (docs/vision.md, "Another scale": the tram clips as a camera 0.7-0.9 times as close, analysed
# at 160 px, learnt 5.4-6.1 % and counted 29-42 for 23-28; as they are, 8.9-12.1 %). Where the
# counting area allows a finer analysis, the analyzer takes it then (`Analyzer`); else `count`,
# `eval` and `serve` say so.
SMALL_PERSON_SHARE = 0.075
_KMEANS_ROUNDS = 4
_MAX_SAMPLES = 600


class Detector(Protocol):
    """Anything that finds people in a frame."""

    def detect(self, frame: Frame) -> Detections:
        """People in this frame, boxes in the frame's pixels."""
        ...


def person_share(person_px: float, analysed_width: float) -> float:
    """A person width as a share of the width analysed at WORK_WIDTH px (`analysed_width`: the
    frame's, or less at a finer analysis; 0 for no width)."""
    return person_px / analysed_width if analysed_width > 0 else 0.0


def people_small(person_px: float, analysed_width: float) -> bool:
    """Whether a learnt person width is under SMALL_PERSON_SHARE of the width analysed."""
    return 0 < person_share(person_px, analysed_width) < SMALL_PERSON_SHARE


def person_width_px(image_width: int, height_cm: float, fov_deg: float, width_cm: float) -> float:
    """Shoulder width of one person in pixels, seen from a camera `height_cm` above the floor."""
    distance = max(height_cm - SHOULDER_CM, MIN_DISTANCE_CM)
    floor_width = 2.0 * distance * math.tan(math.radians(fov_deg) / 2.0)
    return image_width * width_cm / floor_width


# The mounting heights `Counter.Height` takes (cm), as its field declares them.
HEIGHT_BOUNDS = (
    max(getattr(b, "ge", 0) for b in CounterParams.model_fields["Height"].metadata),
    min(getattr(b, "le", math.inf) for b in CounterParams.model_fields["Height"].metadata),
)


def height_for_width(
    image_width: int, width_px: float, fov_deg: float, width_cm: float
) -> float | None:
    """The mounting height (cm) at which `person_width_px` gives `width_px`: the
    `Counter.Height` that tells a counter (with `Counter.AutoSize` 0) a person width learnt once;
    None where no height does (a person wider than one seen from MIN_DISTANCE_CM)."""
    if width_px <= 0:
        return None
    distance = image_width * width_cm / (width_px * 2.0 * math.tan(math.radians(fov_deg) / 2.0))
    return SHOULDER_CM + distance if distance >= MIN_DISTANCE_CM else None


def told_height_cm(
    image_width: int, width_px: float, fov_deg: float, width_cm: float
) -> int | None:
    """`height_for_width` to the whole centimetre, where `Counter.Height` takes it (150-1000):
    what to set, with `Counter.AutoSize` 0, to count with a learnt width from the first frame;
    None where no height `Counter.Height` takes gives it."""
    told = height_for_width(image_width, width_px, fov_deg, width_cm)
    low, high = HEIGHT_BOUNDS
    return round(told) if told is not None and low <= told <= high else None


def reference_width_px(image_width: int) -> float:
    """A person's width at the default mounting height, lens and shoulder width: where the
    size learner starts its mask's closing, and the bound the told sizing may widen (the
    clamps) but not narrow (a thin band's widening), whatever Height a user gives.

    The closing follows the size learnt and the thickness learnt follows the closing, so the
    size the loop settles on depended on where it began (tram 04 told 200 / 250 / 280 / 350 /
    450 cm: 0/14, 0/19, 0/27, 0/27, 0/40, learning 24, 20, 17.5, 17.5, 15 work px); from this
    start, the one the constants were chosen with, 0/26-0/27. The size itself (blobs split, the
    tracker's gate, the first passages) still starts from the told Height's guess."""
    c = CounterParams()
    return person_width_px(image_width, c.Height, c.FieldOfView, c.PersonWidth)


def guess_width_px(image_width: int, image_height: int) -> float:
    """The default sizing's person width (`reference_width_px`) in a picture of this size, its
    lens taken as 90 degrees across a 4:3 picture: a wider one (16:9) shows more floor either
    side, not wider people (the trams' door seen by a 1280x720 camera: 229 px across the whole
    width, 172 across 960 px, the people 98)."""
    return reference_width_px(four_three_width(image_width, image_height))


def band_px(band: float, image_width: int, image_height: int) -> float:
    """How thick (px of a picture of this size) a counting area `band` px thick is counted: at
    least MIN_BAND_GUESS of the default sizing's person width (`guess_width_px`), whatever
    Height is told (told 200 cm, the trams' 40 px bands were taken for thin and counted as 88
    px: tram 04 0/16 for ~28; told 450 cm, a 10 px band was widened too little: the bus 15/13,
    tram 02 35)."""
    return max(band, MIN_BAND_GUESS * guess_width_px(image_width, image_height))


def sizing(params: Params) -> tuple[float, float, float, int]:
    """The params that say how wide a person looks (mounting height, lens, shoulder width,
    learning on or off): only a change of these starts the person size afresh."""
    c = params.Counter
    return (c.Height, c.FieldOfView, c.PersonWidth, c.AutoSize)


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


def size_gain(solidity: float) -> float:
    """Person width / blob thickness for a mask whose blobs have this median solidity."""
    u = (solidity - SOLID_TORN) / (SOLID_CLEAN - SOLID_TORN)
    return GAIN_TORN + min(max(u, 0.0), 1.0) * (GAIN_CLEAN - GAIN_TORN)


def blob_shape(mask: npt.NDArray[np.uint8], row: int, col: int) -> tuple[float, float]:
    """(area px², solidity) of the blob of `mask` holding pixel (row, col)."""
    _, labels = cv2.connectedComponents(mask, connectivity=8)
    blob = np.asarray(labels == labels[row, col], np.uint8)
    contours, _ = cv2.findContours(blob, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    area = float(np.count_nonzero(blob))
    hull = cv2.contourArea(cv2.convexHull(np.concatenate(contours)))
    return area, min(1.0, area / max(1.0, hull))


def people_in_blob(area_px: float, person_area_px: float) -> int:
    """How many people a blob of this area holds (at least one)."""
    ratio = area_px / person_area_px
    # A lone person's blob swells with motion blur and shadow: the first extra person needs
    # 1.6 person areas, each further one a whole person area more.
    n = 1 if ratio < 1.6 else 1 + math.floor(ratio - 0.6)
    return min(max(n, 1), MAX_PEOPLE_PER_BLOB)


def split_blob(points: npt.NDArray[np.float32], n: int) -> npt.NDArray[np.float32]:
    """Centres of `n` clusters of (M,2) pixel coordinates: k-means seeded along the main axis."""
    if n <= 1 or len(points) < n:
        return np.asarray(points.mean(axis=0, keepdims=True), np.float32)
    if len(points) > _MAX_SAMPLES:
        points = points[:: math.ceil(len(points) / _MAX_SAMPLES)]
    centred = points - points.mean(axis=0)
    cov = centred.T @ centred
    _, vecs = np.linalg.eigh(cov)
    proj = centred @ vecs[:, -1]
    order = np.argsort(proj, kind="stable")
    labels = np.empty(len(points), np.intp)
    labels[order] = np.arange(len(points)) * n // len(points)
    centres = np.zeros((n, 2), np.float32)
    xs, ys = points[:, 0], points[:, 1]
    for _ in range(_KMEANS_ROUNDS):
        counts = np.bincount(labels, minlength=n).astype(np.float32)
        counts[counts == 0] = 1.0
        centres[:, 0] = np.bincount(labels, xs, minlength=n) / counts
        centres[:, 1] = np.bincount(labels, ys, minlength=n) / counts
        dx = xs[:, None] - centres[None, :, 0]  # (points, clusters), one axis at a time
        dy = ys[:, None] - centres[None, :, 1]
        labels = (dx * dx + dy * dy).argmin(axis=1)
    return np.asarray(centres, np.float32)


def work_width(frame_width: int, area: AreaParams) -> int:
    """The finer analysis width for frames `frame_width` px wide counted over `area`: WORK_WIDTH,
    or more where the area spans less than AREA_SHARE of the picture's width, so that it spans
    AREA_SHARE * WORK_WIDTH work pixels all the same (a doorway seen from higher up keeps its
    people about as many work pixels wide as a closer one), at most MAX_WORK_WIDTH and never
    more than the frame's own width. The analyzer counts at it when people come out small at
    WORK_WIDTH (`vision/analyzer.py`, `Analyzer`)."""
    share = (area.Right - area.Left) / max(1, area.Width)
    wanted = round(WORK_WIDTH * AREA_SHARE / max(share, 1e-3))
    return max(WORK_WIDTH, min(wanted, MAX_WORK_WIDTH, frame_width))


class ForegroundDetector:
    """Detector for overhead views: MOG2 foreground, blobs, person-size splitting."""

    def __init__(self, params: Params, work_px: int = WORK_WIDTH) -> None:
        """`work_px`: the analysis width (frames narrower are analysed at their own)."""
        self._params = params
        self._work_px = work_px
        self._bg = cv2.createBackgroundSubtractorMOG2(
            history=mog2_history(NOMINAL_FPS), varThreshold=MOG2_THRESHOLD
        )
        self._shape: tuple[int, int] | None = None  # (width, height) of the source frames
        self._work: tuple[int, int] = (WORK_WIDTH, WORK_WIDTH * 3 // 4)
        self._kernel = np.ones((3, 3), np.uint8)
        self._close = self._kernel
        self._span = motion_span(NOMINAL_FPS)
        self._recent: deque[npt.NDArray[np.uint8]] = deque(maxlen=math.floor(self._span) + 2)
        self._times: deque[datetime | None] = deque(maxlen=self._recent.maxlen)
        self._gaps: deque[float] = deque(maxlen=SOURCE_GAPS)  # seconds between recent frames
        self._light_moves: deque[bool] = deque(maxlen=round(NOMINAL_FPS))  # levelled or not
        self._thickness: deque[float] = deque(maxlen=SIZE_WINDOW)
        self._opened: deque[float] = deque(maxlen=SIZE_WINDOW)  # the same blobs before closing
        self._last_learnt: float | None = None  # the size learnt 5 samples before
        self._steady = False  # ... and the size learnt now is within STEADY_CHANGE of it
        self._solidity: deque[float] = deque(maxlen=SIZE_WINDOW)
        self._prior_px = 1.0
        self._reference_px = reference_width_px(WORK_WIDTH)
        self.person_px = 1.0  # person width in work pixels
        self.last_mask: npt.NDArray[np.uint8] | None = None
        self._fps = NOMINAL_FPS
        self._model_frames = 0  # frames the background model has seen
        self._still_frames = 0  # frames in a row with the doorway empty and still
        self._restored: SizeSamples | None = None  # an earlier run's samples, for the first frame
        self._bare_gray: npt.NDArray[np.uint8] | None = None  # the doorway when last bare
        self._taken = (0, 0)  # size samples taken so far (thickness, solidity)
        self._taken_bare = (0, 0)  # and when the doorway was last bare
        self._taken_recent: deque[tuple[int, int]] = deque(maxlen=KNOCK_FRAMES)  # per frame
        self._restart = False  # start the background model again at the next frame
        self._frames_seen = 0
        self._bare_at = -(10**9)  # `_frames_seen` when the doorway was last bare

    def set_fps(self, fps: float) -> None:
        """Frame rate of the source: motion is differenced over a fixed time, not frame count."""
        if fps > 0:
            self._fps = fps
            self._bg.setHistory(mog2_history(fps))
            self._span = motion_span(fps)
            self._keep(self._span)

    def _keep(self, span: float) -> None:
        """Keep enough recent frames for a motion difference `span` frames back."""
        keep = math.floor(span) + 2
        if keep != self._recent.maxlen:
            self._recent = deque(self._recent, maxlen=keep)
            self._times = deque(self._times, maxlen=keep)

    def set_params(self, params: Params) -> None:
        """New params from a setparams: the area is followed from the next frame; the person
        size starts afresh only when the mounting height, lens, shoulder width or learning
        changed (any other setparams, an alarm switched on, kept it: it went back to the
        mounting-height guess and the people after it were cut in pieces)."""
        changed = sizing(params) != sizing(self._params)
        self._params = params
        if changed and self._shape is not None:
            self._size(*self._shape)

    def _size(self, width: int, height: int) -> None:
        self._shape = (width, height)
        self._set_work(width, height)
        c = self._params.Counter
        self._prior_px = person_width_px(self._work[0], c.Height, c.FieldOfView, c.PersonWidth)
        self._learn_afresh()
        restored, self._restored = self._restored, None
        if (
            restored is not None
            and restored.sizing == sizing(self._params)
            and restored.frame == self._shape
            and restored.work == self._work[0]
            and len(restored.thickness) >= SIZE_MIN_SAMPLES
            and self._params.Counter.AutoSize
        ):
            self._thickness.extend(t * self._work[0] / WORK_WIDTH for t in restored.thickness)
            self._opened.extend(t * self._work[0] / WORK_WIDTH for t in restored.opened)
            self._solidity.extend(restored.solidity)
            self._set_learnt()

    def _set_work(self, width: int, height: int) -> None:
        """Analyse frames of `width` x `height` at the analysis width (at most WORK_WIDTH wider
        than the frame: never enlarged beyond it): a new size starts the background model and
        the motion difference afresh (MOG2 itself starts again on frames of another size)."""
        work_w = min(self._work_px, max(WORK_WIDTH, width))
        work = (work_w, max(8, round(height * work_w / width)))
        if work != self._work:
            self._recent.clear()
            self._times.clear()
            self._model_frames = 0
            self._still_frames = 0
            self.last_mask = None
        self._work = work

    def _learn_afresh(self) -> None:
        """Drop the size samples: the person size is the mounting-height guess until learnt;
        learning, the closing starts from the default sizing's width (`reference_width_px`)."""
        self._thickness.clear()
        self._opened.clear()
        self._solidity.clear()
        self._last_learnt, self._steady = None, False
        self._size_from_samples()

    def _size_from_samples(self) -> None:
        """The person size the samples kept say: learnt from them if there are enough, else the
        mounting-height guess, the closing then from the default sizing's width."""
        if len(self._thickness) >= SIZE_MIN_SAMPLES:
            self._set_learnt()
            return
        self._set_person(self._prior_px)
        if self._params.Counter.AutoSize:
            self._set_close(self._reference_px)

    def _set_person(self, width_px: float) -> None:
        self.person_px = width_px
        self._set_close(width_px)

    def _set_close(self, width_px: float) -> None:
        """The mask's closing: an ellipse about a quarter of a person wide (odd, 3 px or more)."""
        close = max(3, round(width_px / 4) | 1)
        shape = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (close, close))
        self._close = np.asarray(shape, np.uint8)

    def _size_window(self) -> tuple[slice, slice]:
        """Rows and columns (work pixels) around the counting area, where size is learnt."""
        a = self._params.Area
        sx, sy = self._work[0] / a.Width, self._work[1] / a.Height
        band = band_px(a.YLast - a.YFirst, a.Width, a.Height)
        margin = SIZE_MARGIN_BANDS * band
        rows = slice(max(0, int((a.YFirst - margin) * sy)), int((a.YLast + margin) * sy) + 1)
        return rows, slice(max(0, int(a.Left * sx)), int(a.Right * sx) + 1)

    def _learn_size(
        self, fg: npt.NDArray[np.uint8], window: tuple[slice, slice], opened: npt.NDArray[np.uint8]
    ) -> None:
        """Track the thickness of the thickest blob near the counting area: the people who cross
        it set the size, whatever the mounting height and wherever the lens distorts; and with
        it the thickest of the mask before its closing (`opened`: OPENED_MAX).

        The blob's solidity says how torn the mask is (the gain from thickness to shoulders); a
        solid blob too long for its thickness holds several people and does not set the size."""
        if not self._params.Counter.AutoSize or self.size_settled:
            return
        near = np.ascontiguousarray(fg[window])
        if near.size == 0:
            return
        dist = cv2.distanceTransform(near, cv2.DIST_L2, 3)
        row, col = np.unravel_index(int(dist.argmax()), dist.shape)
        thickest = 2.0 * float(dist[row, col])
        if thickest < MIN_THICKNESS_PX:
            return
        area, solidity = blob_shape(near, int(row), int(col))
        self._solidity.append(solidity)
        self._taken = (self._taken[0], self._taken[1] + 1)
        if solidity >= ALONE_SOLID and area > ALONE_AREA * thickest**2:
            return
        self._thickness.append(thickest)
        unclosed = cv2.distanceTransform(np.ascontiguousarray(opened[window]), cv2.DIST_L2, 3)
        self._opened.append(2.0 * float(unclosed.max()))
        self._taken = (self._taken[0] + 1, self._taken[1])
        if len(self._thickness) >= SIZE_MIN_SAMPLES and len(self._thickness) % 5 == 0:
            self._set_learnt()

    def _set_learnt(self) -> None:
        """The person size of the samples: the gain for their solidity times their thickness
        percentile, within SIZE_CLAMP of the mounting-height guess (or of the default's,
        whichever allows more), and for a torn mask within OPENED_MAX of the unclosed blobs'
        thickness; steady if the one learnt before (the first time: the first half of the
        samples) was nearly the same."""
        solidity = float(np.median(self._solidity))
        gain = size_gain(solidity)
        guesses = (self._prior_px, self._reference_px)
        lo, hi = SIZE_CLAMP[0] * min(guesses), SIZE_CLAMP[1] * max(guesses)
        samples, opened = list(self._thickness), list(self._opened)
        bound = len(opened) == len(samples) >= OPENED_MIN_SAMPLES and solidity <= SOLID_TORN

        def learnt(n: int) -> float:
            """The size the first `n` samples say."""
            size = gain * float(np.percentile(samples[:n], SIZE_PERCENTILE))
            if bound:
                size = min(size, OPENED_MAX * float(np.percentile(opened[:n], SIZE_PERCENTILE)))
            return min(max(size, lo), hi)

        before = self._last_learnt or learnt(len(samples) // 2)
        self._set_person(learnt(len(samples)))
        self._last_learnt = self.person_px
        self._steady = abs(self.person_px - before) <= STEADY_CHANGE * before

    def samples(self) -> SizeSamples | None:
        """What the size learner has seen (None before it has learnt a size), for a counter
        started again later to go on from (`restore`)."""
        if self._shape is None or len(self._thickness) < SIZE_MIN_SAMPLES:
            return None
        thickness = tuple(t * WORK_WIDTH / self._work[0] for t in self._thickness)  # as at 160
        opened = tuple(t * WORK_WIDTH / self._work[0] for t in self._opened)
        if len(opened) != len(thickness):
            opened = ()  # not one per thickness (restored from a file without them)
        solidity = tuple(self._solidity)
        return SizeSamples(
            sizing(self._params), self._shape, thickness, solidity, self._work[0], opened
        )

    def restore(self, samples: SizeSamples | None) -> None:
        """Go on from the samples of an earlier run, from the first frame on, if they were
        learnt with the same sizing params and frame size and at the same analysis width (else
        they are dropped and the size is learnt afresh): the person size is theirs at once, and
        new samples join them."""
        self._restored = samples
        if self._shape is not None:
            self._size(*self._shape)

    def _beating(self, moved: bool) -> bool:
        """Whether the light beats: the last second's frames were levelled (`moved`) in
        LIGHT_SHARE of them or more."""
        n = max(1, round(self._fps))
        if self._light_moves.maxlen != n:
            self._light_moves = deque(self._light_moves, maxlen=n)
        self._light_moves.append(moved)
        return len(self._light_moves) == n and sum(self._light_moves) >= LIGHT_SHARE * n

    def _still(
        self,
        fg: npt.NDArray[np.generic],
        moved: npt.NDArray[np.generic],
        window: tuple[slice, slice],
    ) -> bool:
        """Whether nothing moves and nothing stands out from the background in `window`."""
        nothing = QUIET_PERSON * PERSON_AREA_FACTOR * self.person_px**2
        return bool(
            np.count_nonzero(moved[window]) < nothing and np.count_nonzero(fg[window]) < nothing
        )

    def _scene_change(
        self,
        changed: npt.NDArray[np.generic],
        window: tuple[slice, slice],
    ) -> bool:
        """Whether, after BARE_S of empty and still doorway, SCENE_CHANGE of the window changed
        at once: a door opened on a queue, or the light changed (see BARE_S)."""
        near = changed[window]
        return bool(
            self._still_frames >= BARE_S * self._fps
            and np.count_nonzero(near) >= SCENE_CHANGE * near.size
        )

    def _light_turned(
        self,
        gray: npt.NDArray[np.uint8],
        moved: npt.NDArray[np.generic],
        still: bool,
        window: tuple[slice, slice],
    ) -> bool:
        """Whether the light changed over an empty doorway (BARE_LIGHT): foreground appeared
        with nothing moving since the doorway was last bare, and the picture's brightness moved
        from that bare frame's as a light moves it (`moved_light`)."""
        if still:
            if self._still_frames + 1 >= BARE_S * self._fps:
                self._bare_gray, self._taken_bare = gray, self._taken
                self._bare_at = self._frames_seen
            return False
        nothing = QUIET_PERSON * PERSON_AREA_FACTOR * self.person_px**2
        if np.count_nonzero(moved[window]) >= nothing:
            self._bare_gray = None  # someone moves: the doorway is no longer bare
            return False
        if self._bare_gray is None:
            return False
        gain = light_gain(self._bare_gray, gray)
        if not moved_light(gain, BARE_WAKE):
            return False
        self._bare_gray = gray
        self._drop_samples_since(self._taken_bare)
        self._taken_bare = self._taken
        return True

    def camera_moved(self, frames_ago: int) -> None:
        """The camera was knocked to a new aim `frames_ago` frames back (`Stabiliser.knocked`):
        if the doorway was bare then, the background model starts again from the next frame,
        and the size samples taken since the knock (edges the model saw move, not people) are
        dropped. With people in it the model learns the new view at its rate (started on a
        queue, tram 02 knocked by 4 px counted 19 for 23; left alone, 23)."""
        if self._frames_seen - self._bare_at > frames_ago + 1:
            return  # people in the doorway: a model started on them would count worse
        self._restart = True
        back = min(frames_ago, len(self._taken_recent))
        if back:
            self._drop_samples_since(self._taken_recent[-back])

    def _drop_samples_since(self, taken: tuple[int, int]) -> None:
        """Forget the size samples taken since `taken` (`_taken` then): the foreground a light
        made is no one's size. The size goes back to what the samples left say."""
        samples = (self._thickness, self._solidity)
        for kept, now, since in zip(samples, self._taken, taken, strict=True):
            for _ in range(min(len(kept), now - since)):
                kept.pop()
        while len(self._opened) > len(self._thickness):
            self._opened.pop()
        self._size_from_samples()

    def _start_model_from(self, small: cv2.typing.MatLike) -> None:
        """The background model starts again from this (work-size) frame."""
        self._bg.apply(small, learningRate=1.0)  # >= 1: MOG2 starts again from this frame
        self._model_frames = 1

    def foreground_px2(self, x0: float, y0: float, x1: float, y1: float) -> float:
        """Foreground area of the last mask inside a rectangle of the source frames (px² of
        those frames; 0 before the first frame)."""
        mask = self.last_mask
        if mask is None or self._shape is None:
            return 0.0
        sx, sy = self._work[0] / self._shape[0], self._work[1] / self._shape[1]
        r0, r1 = max(0, math.floor(y0 * sy)), max(0, math.ceil(y1 * sy))
        c0, c1 = max(0, math.floor(x0 * sx)), max(0, math.ceil(x1 * sx))
        return float(np.count_nonzero(mask[r0:r1, c0:c1])) / (sx * sy)

    @property
    def size_settled(self) -> bool:
        """Whether the size learner has its SIZE_WINDOW samples: the size is held from then on."""
        return len(self._thickness) >= SIZE_WINDOW

    @property
    def size_steady(self) -> bool:
        """Whether the learnt person size has stopped moving: it is learnt, within STEADY_CHANGE
        of the one learnt before, or rests on STEADY_SAMPLES (always, with AutoSize 0)."""
        if not self._params.Counter.AutoSize or len(self._thickness) >= STEADY_SAMPLES:
            return True
        return self.size_learnt and self._steady

    @property
    def size_samples_seen(self) -> int:
        """How many blob thicknesses the person size rests on now."""
        return len(self._thickness)

    @property
    def analysed_width(self) -> float:
        """The width of the source frames (px) analysed at WORK_WIDTH px: the frames' own, or
        less at a finer analysis (0 before the first frame)."""
        return self._shape[0] * WORK_WIDTH / self._work[0] if self._shape is not None else 0.0

    @property
    def frame_person_px(self) -> float:
        """The person width in pixels of the source frames (`person_px` is in work pixels)."""
        width = self._shape[0] if self._shape is not None else WORK_WIDTH
        return self.person_px * width / self._work[0]

    @property
    def size_learnt(self) -> bool:
        """Whether the person size comes from the footage yet (always, with AutoSize 0: then
        there is nothing to wait for)."""
        return not self._params.Counter.AutoSize or len(self._thickness) >= SIZE_MIN_SAMPLES

    def mask(
        self, image: npt.NDArray[np.uint8], when: datetime | None = None
    ) -> npt.NDArray[np.uint8]:
        """The cleaned foreground mask (0/255) of one frame taken at `when`, in work pixels."""
        h, w = image.shape[:2]
        if self._shape != (w, h):
            self._size(w, h)
            self._model_frames = 0  # MOG2 starts afresh on frames of another size
        small = shrink(image, self._work)
        window = self._size_window()  # around the counting area
        rate = background_rate(
            self._still_frames, self._model_frames, self._fps, self._bg.getHistory()
        )
        if self._restart:  # the camera was knocked: the model starts again from this frame
            rate, self._model_frames, self._restart = 1.0, 0, False
        fg = self._bg.apply(small, learningRate=rate)
        self._model_frames += 1
        self._frames_seen += 1
        self._taken_recent.append(self._taken)
        _, fg = cv2.threshold(fg, 200, 255, cv2.THRESH_BINARY)  # drop MOG2's shadow label (127)
        # MOG2 loses people in a crowd that was there from the start; motion finds them.
        gray = np.asarray(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), np.uint8)
        if when is not None and self._times and self._times[-1] is not None:
            self._gaps.append((when - self._times[-1]).total_seconds())
        interval = source_interval(self._gaps, self._fps)
        told = interval == 1.0 / self._fps
        by_count = self._span if told else MOTION_LAG_S / interval
        self._keep(max(self._span, by_count))
        self._recent.append(gray)
        self._times.append(when)
        span = frames_back(self._times, self._fps if told else 1.0 / interval) or by_count
        if len(self._recent) > math.ceil(span - 1e-6):
            reference = motion_reference(self._recent, span)
            levelled = level_to(reference, gray)
            self._bg.setVarThreshold(
                MOG2_THRESHOLD * (LIGHT_VAR if self._beating(levelled is not reference) else 1.0)
            )
            moved = cv2.absdiff(gray, levelled)
            _, moved = cv2.threshold(moved, MOTION_THRESHOLD, 255, cv2.THRESH_BINARY)
            still = self._still(fg, moved, window)
            fg = cv2.bitwise_or(fg, moved)
            if not still and self._scene_change(fg, window):
                self._start_model_from(small)
                # The size is learnt afresh with it, an earlier run's too (`restore`): over a
                # model started on the queue the old size counted tram 02 34 for 23, as a
                # counter restarted with a queue in the door does (bench_restart); afresh 23.
                self._learn_afresh()
            elif self._light_turned(gray, moved, still, window):
                self._start_model_from(small)  # the picture under the new light
                fg = moved  # what stood out was the light, not people
            self._still_frames = self._still_frames + 1 if still else 0
        opened = np.asarray(cv2.morphologyEx(fg, cv2.MORPH_OPEN, self._kernel), np.uint8)
        mask = np.asarray(cv2.morphologyEx(opened, cv2.MORPH_CLOSE, self._close), np.uint8)
        self._learn_size(mask, window, opened)
        self.last_mask = mask
        return mask

    def detect(self, frame: Frame) -> Detections:
        """People in this frame, boxes in the frame's pixels."""
        fg = self.mask(frame.image, frame.time)
        _, labels, stats, middles = cv2.connectedComponentsWithStats(fg, connectivity=8)
        person_area = PERSON_AREA_FACTOR * self.person_px**2
        areas = stats[1:, cv2.CC_STAT_AREA]
        keep = np.flatnonzero(areas >= MIN_BLOB_FRACTION * person_area) + 1
        centres: list[npt.NDArray[np.float32]] = []
        for label in keep.tolist():
            x, y, bw, bh, area = (int(v) for v in stats[label])
            n = people_in_blob(area, person_area)
            if n == 1:  # one person: the blob's centroid, no pixel list needed
                centres.append(np.asarray(middles[label : label + 1], np.float32))
                continue
            ys, xs = np.nonzero(labels[y : y + bh, x : x + bw] == label)
            pts = np.stack([xs + x, ys + y], axis=1).astype(np.float32)
            centres.append(split_blob(pts, n))
        return self._boxes(centres)

    def _boxes(self, centres: list[npt.NDArray[np.float32]]) -> Detections:
        if not centres:
            return Detections.empty()
        assert self._shape is not None
        c = np.concatenate(centres, axis=0)
        scale = self._shape[0] / self._work[0]
        half = self.person_px / 2
        boxes = np.concatenate([c - half, c + half], axis=1) * scale
        return Detections(boxes.astype(np.float32), np.ones(len(c), np.float32))

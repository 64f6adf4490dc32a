"""Undoing a shaking camera before anything is counted.

A camera on an idling bus, or on a door frame that slams, moves the whole picture by a pixel or
two from frame to frame. Background subtraction then lights up every edge, and the flow through
the counting line picks the shake up both ways: a sparse doorway gains passages in both
directions (the bus moved by up to 1 px each way, every frame: 11/9 for 7/7). `Stabiliser`
measures the picture's shift and, while the camera shakes, moves every frame back.

How: corners of a key frame (OpenCV `goodFeaturesToTrack`) are followed into each frame by
pyramidal Lucas-Kanade (`calcOpticalFlowPyrLK`); the camera's shift is the mean of the largest
set of corners that moved alike (within `AGREE_PX` of one another). The doorway's fixed parts
move all alike and exactly with the camera; walking people move each their own way, so a crowd
does not pull the estimate (on the shared clips moved by up to 1 px, from one frame to the next
it follows the known shifts within 0.03-0.04 px RMS). The key frame is renewed every `KEY_S`,
or when too few corners agree, its own shift carried on. What is undone is the shift less its
mean over the last `SLOW_S` (a camera knocked to a new aim is followed, not fought), and only
while that jitter's RMS over a second exceeds `SHAKE_ON_PX` (off again under `SHAKE_OFF_PX`)
and the picture went back and forth (`to_and_fro`: not a big door sliding one way):
a steady camera's frames are passed on untouched, as before. While steady, the shift is measured
on every `STEADY_EVERY`-th frame only (about 0.1 ms a frame at 352x288); while shaking, on every
frame, and the frame is moved back (`warpAffine`, edges replicated; about 0.75 ms a frame at
352x288); frames wider than `WORK_MAX_WIDTH` are moved by whole pixels (a slice and a border, a
third of the cost: the analysis sees them 3-12 times smaller anyway).

    >>> steady = Stabiliser(fps=25.0)
    >>> image = steady.apply(frame.image)        # doctest: +SKIP
"""

from __future__ import annotations

import itertools
import math
from collections import deque

import cv2
import numpy as np
import numpy.typing as npt

from footfall.vision.shrink import shrink

Image = npt.NDArray[np.uint8]

WORK_MAX_WIDTH = 480  # px: wider frames are measured on a copy this wide (the shift scaled back)
CORNERS = 80  # corners followed from the key frame
CORNER_QUALITY = 0.01
CORNER_SPACING_PX = 6
LK_WINDOW = (9, 9)
LK_LEVELS = 1  # one level above the frame: shifts up to ~8 px
AGREE_PX = 0.5  # corners that moved within this of one another moved with the camera
MIN_AGREE = 5  # fewer corners agreeing than this: no measurement (a blank or dark picture)
RENEW_AGREE = 10  # fewer than this: take a new key frame at once
KEY_S = 5.0  # s: the key frame is renewed this often
SLOW_S = 2.0  # s: the camera's mean aim, against which jitter is measured
JITTER_S = 1.0  # s: the jitter's RMS is taken over this long
SHAKE_ON_PX = 0.3  # RMS jitter (px of the measured copy) above which frames are moved back
SHAKE_OFF_PX = 0.2  # ... and below which they are not any more
MAX_SHIFT_FRACTION = 0.015  # a "shift" beyond this share of the width is no shake: a new aim
STEADY_EVERY = 5  # while steady, measure every this many frames
ONE_WAY = 0.5  # a move whose net is over this share of its path is not a shake (`to_and_fro`)
# A camera knocked a few pixels and left there: the background model sees every edge of the
# doorway moved and takes them for people until it has learnt the new view (the bus moved by 4 px
# over an empty doorway counted 13/7 for 7/7). A steady camera whose aim stepped by more than
# KNOCK_PX and stayed there (two measurements agreeing within AGREE_PX) is `knocked`: the
# analyzer starts the background model again. AIM_S: slow drift is followed, not a knock.
KNOCK_PX = 1.5
AIM_S = 60.0
# The frames passed on jump where the shift undone does: when the shaking stops (the undone
# shift drops to nothing at once) or a drifting camera's aim is taken afresh. A handheld
# camera drifting half a pixel a frame was moved back by up to 12 px, and when that stopped the
# background model saw a fifth of the doorway change at once and learnt the person size afresh
# from the next people (a public courtyard clip at 30 fps: 18/12 for 13/10). A jump beyond
# JUMP_PX (px of the measured copy) there is `knocked` as a new aim is (not where the shaking
# starts: the frames before jumped about as much themselves).
JUMP_PX = 1.0


class Stabiliser:
    """Measures how the picture shakes and moves each frame back while it does."""

    def __init__(self, fps: float = 25.0) -> None:
        self._fps = fps if fps > 0 else 25.0
        self.reset()

    def set_fps(self, fps: float) -> None:
        """Frame rate of the source: the key frame's age and the averages are kept in seconds."""
        if fps > 0:
            self._fps = fps

    def reset(self) -> None:
        """Start again (a new stream, which may look at something else)."""
        self._key: Image | None = None
        self._corners: npt.NDArray[np.float32] = np.zeros((0, 1, 2), np.float32)
        self._key_pos = np.zeros(2)  # shift of the key frame against the first one (work px)
        self._key_age = 0
        self._slow = np.zeros(2)
        self._aim_taken = False  # the last measurement took the mean aim afresh (`_follow`)
        self._jitter: deque[npt.NDArray[np.float64]] = deque()
        self._scale = 1.0  # frame px per work px
        self._size: tuple[int, int] | None = None
        self._skipped = 0
        self.shaking = False
        self.correction = (0.0, 0.0)  # the shift undone in the last frame (frame px, x and y)
        self._aim: npt.NDArray[np.float64] | None = None  # where a steady camera looks
        self._step: npt.NDArray[np.float64] | None = None  # a step away from it, seen once
        self._step_frames = 0  # frames since that step was first seen
        self.knocked = 0  # frames ago the camera was knocked to a new aim (0: not this frame)

    def apply(self, image: Image) -> Image:
        """The frame with the camera's shake undone; the same array while the camera is steady."""
        h, w = image.shape[:2]
        if self._size != (w, h):
            self.reset()
            self._size = (w, h)
            self._scale = max(1.0, w / WORK_MAX_WIDTH)
        self.knocked = 0
        if self._step is not None:
            self._step_frames += 1
        if self._key is not None and not self.shaking:
            self._skipped += 1
            if self._skipped < STEADY_EVERY:
                return image
        self._skipped = 0
        grey = self._grey(image)
        if self._key is None:
            self._renew(grey, np.zeros(2))
            return image
        shift = self._measure(grey)
        if shift is None:
            return image
        was_shaking, before = self.shaking, self.correction
        jitter = self._follow(shift)
        self._watch_aim(shift)
        if self.shaking:
            self.correction = (float(jitter[0] * self._scale), float(jitter[1] * self._scale))
        else:
            self.correction = (0.0, 0.0)
        jump = math.hypot(self.correction[0] - before[0], self.correction[1] - before[1])
        if was_shaking and (self._aim_taken or not self.shaking) and jump > JUMP_PX * self._scale:
            self.knocked = max(self.knocked, 1)  # the picture passed on jumps: as a knock does
        if not self.shaking:
            return image
        if self._scale > 1.0:  # a wide frame: whole pixels are fine enough, and 5x cheaper
            return shifted_whole(image, round(self.correction[0]), round(self.correction[1]))
        dx, dy = self.correction
        move = np.array([[1.0, 0.0, dx], [0.0, 1.0, dy]], np.float32)
        flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
        moved = cv2.warpAffine(image, move, (w, h), flags=flags, borderMode=cv2.BORDER_REPLICATE)
        return np.asarray(moved, np.uint8)

    def _grey(self, image: Image) -> Image:
        grey: Image = np.asarray(
            cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image, np.uint8
        )
        if self._scale > 1.0:
            h, w = grey.shape[:2]
            size = (round(w / self._scale), round(h / self._scale))
            grey = shrink(grey, size)
        return np.asarray(grey, np.uint8)

    def _renew(self, grey: Image, position: npt.NDArray[np.float64]) -> None:
        corners = cv2.goodFeaturesToTrack(grey, CORNERS, CORNER_QUALITY, CORNER_SPACING_PX)
        self._key = grey
        found = np.zeros((0, 1, 2), np.float32) if corners is None else corners
        self._corners = np.asarray(found, np.float32)
        self._key_pos = position
        self._key_age = 0

    def _measure(self, grey: Image) -> npt.NDArray[np.float64] | None:
        """The picture's shift against the first key frame (work px), or None if unmeasurable."""
        assert self._key is not None
        agreeing, shift = 0, np.zeros(2)
        if len(self._corners) >= MIN_AGREE:
            moved, found, _ = cv2.calcOpticalFlowPyrLK(
                self._key,
                grey,
                self._corners,
                None,  # type: ignore[call-overload]
                winSize=LK_WINDOW,
                maxLevel=LK_LEVELS,
            )
            ok = found.ravel() == 1
            shift, agreeing = camera_shift((moved - self._corners).reshape(-1, 2)[ok], AGREE_PX)
        position = self._key_pos + shift
        self._key_age += 1 if self.shaking else STEADY_EVERY
        if agreeing < RENEW_AGREE or self._key_age >= KEY_S * self._fps:
            self._renew(grey, position if agreeing >= MIN_AGREE else self._slow.copy())
        return position if agreeing >= MIN_AGREE else None

    def _follow(self, position: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Update the mean aim and the jitter with a new measurement; the jitter now."""
        step = 1 if self.shaking else STEADY_EVERY
        self._aim_taken = bool(
            np.hypot(*(position - self._slow)) > MAX_SHIFT_FRACTION * self._width
        )
        if self._aim_taken:
            self._slow = position.copy()  # knocked to a new aim, or a wrong lock: start again
            self._jitter.clear()
        a = min(1.0, step / (SLOW_S * self._fps))
        self._slow = (1.0 - a) * self._slow + a * position
        jitter = position - self._slow
        self._jitter.append(jitter)
        while len(self._jitter) > max(2, round(JITTER_S * self._fps / step)):
            self._jitter.popleft()
        if self.shaking:
            self.shaking = rms(self._jitter) > SHAKE_OFF_PX
        else:
            self.shaking = rms(self._jitter) > SHAKE_ON_PX and to_and_fro(self._jitter)
        return jitter

    def _watch_aim(self, position: npt.NDArray[np.float64]) -> None:
        """Whether a steady camera's aim stepped by more than KNOCK_PX and stayed (`knocked`,
        counted from the frame the step was first seen); slow drift moves the aim along."""
        if self._aim is None or self.shaking:
            self._aim, self._step = position.copy(), None
            return
        if float(np.hypot(*(position - self._aim))) <= KNOCK_PX:
            a = min(1.0, STEADY_EVERY / (AIM_S * self._fps))
            self._aim = (1.0 - a) * self._aim + a * position
            self._step = None
            return
        if self._step is not None and float(np.hypot(*(position - self._step))) < AGREE_PX:
            self.knocked = max(1, self._step_frames)
            self._aim, self._step = position.copy(), None
            return
        self._step, self._step_frames = position.copy(), 0

    @property
    def _width(self) -> float:
        return (self._size[0] if self._size else WORK_MAX_WIDTH) / self._scale


def rms(jitter: deque[npt.NDArray[np.float64]]) -> float:
    """Root mean square length of the jitter vectors."""
    return math.sqrt(sum(float(j @ j) for j in jitter) / max(1, len(jitter)))


def to_and_fro(jitter: deque[npt.NDArray[np.float64]]) -> bool:
    """Whether the picture went back and forth over these measurements, as a shaking camera
    moves it, rather than mostly one way, as a big door sliding open moves the corners on it
    (which may outnumber the fixed ones: a panel over half the picture, sliding 1 px a frame,
    passed for a shake for 9-20 frames): the net move is under `ONE_WAY` of the path."""
    path = sum(float(np.hypot(*(b - a))) for a, b in itertools.pairwise(jitter))
    net = float(np.hypot(*(jitter[-1] - jitter[0]))) if jitter else 0.0
    return path > 0.0 and net < ONE_WAY * path


def camera_shift(
    moves: npt.NDArray[np.float32], agree_px: float
) -> tuple[npt.NDArray[np.float64], int]:
    """The mean of the largest set of (N,2) displacements that lie within `agree_px` of one of
    them, and how many that is (0 and a zero shift for none)."""
    if len(moves) == 0:
        return np.zeros(2), 0
    d = moves.astype(np.float64)
    apart = np.hypot(d[:, None, 0] - d[None, :, 0], d[:, None, 1] - d[None, :, 1]) < agree_px
    counts = apart.sum(axis=1)
    best = int(counts.argmax())
    return d[apart[best]].mean(axis=0), int(counts[best])


def shifted_whole(image: Image, dx: int, dy: int) -> Image:
    """`image` sampled `dx`, `dy` whole pixels further on (what `warpAffine` with the inverse
    map gives for a whole shift), its edges replicated."""
    if dx == 0 and dy == 0:
        return image
    h, w = image.shape[:2]
    dx, dy = max(-w + 1, min(w - 1, dx)), max(-h + 1, min(h - 1, dy))
    inner = image[max(0, dy) : h + min(0, dy), max(0, dx) : w + min(0, dx)]
    top, bottom = max(0, -dy), max(0, dy)
    left, right = max(0, -dx), max(0, dx)
    out = cv2.copyMakeBorder(inner, top, bottom, left, right, cv2.BORDER_REPLICATE)
    return np.asarray(out, np.uint8)

"""The person width learnt from the footage: the thickest foreground blob near the counting area
in each frame is one sample (its thickness, before and after the mask's closing, and its
solidity), and a gain for how torn the mask is times a percentile of the samples is the width
(`SizeLearner.size`). Pure but for OpenCV's distance transform and contours.

    >>> sizes = SizeLearner()
    >>> sizes.sample(mask, window, opened)   # doctest: +SKIP
    >>> sizes.size(lo=3.0, hi=60.0)          # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections import deque

import cv2
import numpy as np
import numpy.typing as npt

from footfall.vision.sizestate import USUAL_WORK, SizeSamples

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
# Those rules were measured on cameras at 25 fps and slower (one sample a frame at most). A faster
# camera takes the same samples in less time: at 60 fps the first 20 are a third of a second of
# nearly the same frames (the pieces a background model a second old cuts the first people into),
# and a size that grows as people walk into view moves by less than STEADY_CHANGE from one size
# to the next. Above STEADY_FPS the counts of samples stand for the same time: with r = fps /
# STEADY_FPS, no size is steady before SIZE_MIN_SAMPLES x r samples, each is compared with the
# size said ceil(r) sizes before (one is said every 5 samples) and must be near it ceil(r) times
# in a row, and STEADY_SAMPLES x r samples make it steady whatever it does. A public walkway clip
# at 60 fps (docs/vision.md, "Frame rates"): its first pair 6 out + 1 in for 2 out before, 2 out
# + 1 in after (15/14 -> 15/11 for 14/10); the shared clips interpolated to 30 and 60 fps count
# as before, and at 25 fps and slower nothing changes.
STEADY_FPS = 25.0
SIZE_PERCENTILE = 60  # the broadest views (merged people) do not set the size
SIZE_MARGIN_BANDS = 2.0  # size is learnt within this many area heights above and below the area
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


class SizeLearner:
    """The size samples of the frames seen (at most SIZE_WINDOW: then the size is held), the
    size they say and whether it has stopped moving."""

    def __init__(self) -> None:
        self._thickness: deque[float] = deque(maxlen=SIZE_WINDOW)
        self._opened: deque[float] = deque(maxlen=SIZE_WINDOW)  # the same blobs before closing
        self._solidity: deque[float] = deque(maxlen=SIZE_WINDOW)
        self._said: deque[float] = deque(maxlen=16)  # the sizes said, one per 5 samples
        self._close = 0  # sizes in a row within STEADY_CHANGE of the one `lag` before
        self._rate = 1.0  # samples at most a frame, per frame at STEADY_FPS (`set_fps`)
        self.steady = False  # the size learnt now is near the ones before it (`size`)
        self.taken = (0, 0)  # samples taken so far (thickness, solidity): `drop_since`

    def __len__(self) -> int:
        """How many blob thicknesses the size rests on."""
        return len(self._thickness)

    def set_fps(self, fps: float) -> None:
        """The camera's frame rate: above STEADY_FPS, `steady` asks as much time as there."""
        self._rate = max(1.0, fps / STEADY_FPS)

    @property
    def lag(self) -> int:
        """How many sizes before (one per 5 samples) the size is compared with, and how many
        in a row must be near it to be steady."""
        return math.ceil(self._rate - 1e-9)

    @property
    def steady_samples(self) -> int:
        """From how many samples on the size counts as steady whatever it does."""
        return round(STEADY_SAMPLES * self._rate)

    @property
    def learnt(self) -> bool:
        """Whether there are samples enough to say a size (SIZE_MIN_SAMPLES)."""
        return len(self._thickness) >= SIZE_MIN_SAMPLES

    @property
    def settled(self) -> bool:
        """Whether the window is full: no more samples are taken, the size is held."""
        return len(self._thickness) >= SIZE_WINDOW

    def forget(self) -> None:
        """Drop every sample: the size is learnt afresh."""
        self._thickness.clear()
        self._opened.clear()
        self._solidity.clear()
        self._said.clear()
        self._close, self.steady = 0, False

    def sample(
        self,
        mask: npt.NDArray[np.uint8],
        window: tuple[slice, slice],
        opened: npt.NDArray[np.uint8],
    ) -> bool:
        """Take the thickness of the thickest blob of `mask` in `window` (the people who cross
        the counting area set the size, whatever the mounting height and wherever the lens
        distorts), and of `opened` (the mask before its closing: OPENED_MAX). Its solidity says
        how torn the mask is (the gain from thickness to shoulders); a solid blob too long for
        its thickness holds several people and gives no thickness. True when a new size is due
        (every 5th thickness from SIZE_MIN_SAMPLES on)."""
        near = np.ascontiguousarray(mask[window])
        if near.size == 0 or cv2.countNonZero(near) == near.size:
            return False  # all foreground (a background model's first frame): no blob to measure
        dist = cv2.distanceTransform(near, cv2.DIST_L2, 3)
        row, col = np.unravel_index(int(dist.argmax()), dist.shape)
        thickest = 2.0 * float(dist[row, col])
        if thickest < MIN_THICKNESS_PX:
            return False
        area, solidity = blob_shape(near, int(row), int(col))
        self._solidity.append(solidity)
        self.taken = (self.taken[0], self.taken[1] + 1)
        if solidity >= ALONE_SOLID and area > ALONE_AREA * thickest**2:
            return False
        self._thickness.append(thickest)
        unclosed = cv2.distanceTransform(np.ascontiguousarray(opened[window]), cv2.DIST_L2, 3)
        self._opened.append(2.0 * float(unclosed.max()))
        self.taken = (self.taken[0] + 1, self.taken[1])
        return len(self._thickness) >= SIZE_MIN_SAMPLES and len(self._thickness) % 5 == 0

    @property
    def torn(self) -> bool:
        """Whether the blobs sampled are torn (median solidity SOLID_TORN or less): clothes
        like the floor, a queue's bodies in pieces."""
        return bool(self._solidity) and float(np.median(self._solidity)) <= SOLID_TORN

    def size(self, lo: float, hi: float) -> float:
        """The person width the samples say (work px): the gain for their solidity times their
        thickness percentile, within `lo`..`hi`, and for a torn mask within OPENED_MAX of the
        unclosed blobs' thickness; `steady` if the one said before (the first time: by the first
        half of the samples) was nearly the same."""
        gain = size_gain(float(np.median(self._solidity)))
        samples, opened = list(self._thickness), list(self._opened)
        bound = len(opened) == len(samples) >= OPENED_MIN_SAMPLES and self.torn

        def learnt(n: int) -> float:
            """The size the first `n` samples say."""
            size = gain * float(np.percentile(samples[:n], SIZE_PERCENTILE))
            if bound:
                size = min(size, OPENED_MAX * float(np.percentile(opened[:n], SIZE_PERCENTILE)))
            return min(max(size, lo), hi)

        said = self._said
        now = learnt(len(samples))
        early = len(samples) < round(SIZE_MIN_SAMPLES * self._rate)
        if early:  # the first steady size is compared with the first half of its samples
            said.clear()
        before = said[-min(self.lag, len(said))] if said else learnt(len(samples) // 2)
        said.append(now)
        near = not early and abs(now - before) <= STEADY_CHANGE * before
        self._close = self._close + 1 if near else 0
        self.steady = self._close >= self.lag
        return now

    def drop_since(self, taken: tuple[int, int]) -> None:
        """Forget the samples taken since `taken` (`taken` then)."""
        samples = (self._thickness, self._solidity)
        for kept, now, since in zip(samples, self.taken, taken, strict=True):
            for _ in range(min(len(kept), now - since)):
                kept.pop()
        while len(self._opened) > len(self._thickness):
            self._opened.pop()

    def extend(self, samples: SizeSamples, work: int) -> None:
        """Add an earlier run's samples (thickness as at 160 px) for an analysis `work` px wide."""
        self._thickness.extend(t * work / USUAL_WORK for t in samples.thickness)
        self._opened.extend(t * work / USUAL_WORK for t in samples.opened)
        self._solidity.extend(samples.solidity)

    def kept(
        self, sizing: tuple[float, float, float, int], frame: tuple[int, int], work: int
    ) -> SizeSamples:
        """The samples, as at 160 px, to go on from in a later run (`SizeSamples`)."""
        thickness = tuple(t * USUAL_WORK / work for t in self._thickness)
        opened = tuple(t * USUAL_WORK / work for t in self._opened)
        if len(opened) != len(thickness):
            opened = ()  # not one per thickness (restored from a file without them)
        return SizeSamples(sizing, frame, thickness, tuple(self._solidity), work, opened)

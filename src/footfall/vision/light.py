"""A light that beats or an exposure that steps: the whole picture's change of brightness.

A camera at 25 fps under 60 Hz lamps (or at 30 fps under 50 Hz ones) sees the light beat at
5-10 Hz, and an auto-exposure can step the whole picture by 10 % at once. Every pixel changes by
one factor, and the motion difference (two images 0.08 s apart) took the whole doorway for
movement: under a 10 % beat at 5 Hz the bus counted 43/19 for 7/7 and the trams nothing.

`light_gain(before, now)` is that factor, the ratio most of the two images' pixels share (people
moving through the doorway scatter theirs); `moved_light` says whether it is a light that
beats or stepped: between the images the motion difference compares the shared clips as they
are change by 3.5 % at most, and never by `WAKE`, so a steady light changes nothing, bit for bit.

    >>> gain = light_gain(before, now)
    >>> if moved_light(gain): before = cv2.convertScaleAbs(before, alpha=gain)   # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

WAKE = 0.06  # the picture's brightness moved this much: the light beats or stepped
DARK = 16  # grey levels: darker pixels say little about the light
STEP = 3  # every STEP-th pixel each way is enough for the histogram
MIN_PIXELS = 200  # fewer usable pixels than this: no factor (1)
MAX_GAIN = 1.5  # a change beyond this is a light switched on or off, not one that beats
SPAN = 0.5  # log ratios measured within this either way (beyond MAX_GAIN)
BINS = 100  # histogram bins over -SPAN..SPAN: 1 % steps

Image = npt.NDArray[np.uint8]


def light_gain(before: Image, now: Image) -> float:
    """How much brighter `now` is than `before` over the whole picture: the ratio most of their
    pixels share (every STEP-th, where `before` is not dark; the peak of a histogram of their
    log ratios, in 1 % steps), 1 when too few are usable. A light scales every pixel alike, so
    they pile up at its factor; where people moved the ratios scatter (a median follows them
    once people cover half the picture, as the bus seen from lower down)."""
    ref = before[::STEP, ::STEP]
    use = ref > DARK
    if np.count_nonzero(use) < MIN_PIXELS:
        return 1.0
    ratio = np.log(np.maximum(now[::STEP, ::STEP][use], 1) / ref[use].astype(np.float32))
    counts, edges = np.histogram(ratio, bins=BINS, range=(-SPAN, SPAN))
    peak = int(np.argmax(np.convolve(counts, np.ones(3), mode="same")))
    near = ratio[(ratio >= edges[max(0, peak - 1)]) & (ratio < edges[min(BINS, peak + 2)])]
    return float(np.exp(near.mean())) if near.size else 1.0


def moved_light(gain: float, wake: float = WAKE) -> bool:
    """Whether a factor of brightness is a light that beats or stepped (not a switched one):
    off 1 by more than `wake`, within MAX_GAIN."""
    return abs(gain - 1.0) > wake and 1.0 / MAX_GAIN <= gain <= MAX_GAIN

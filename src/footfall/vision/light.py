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


def _ratio_tables() -> tuple[
    npt.NDArray[np.float32], npt.NDArray[np.intp], npt.NDArray[np.float64]
]:
    """For every pair of grey levels (now, before): the log ratio `light_gain` takes (float32,
    as computed pixel by pixel), the histogram bin `np.histogram` puts it in (-1: outside
    -SPAN..SPAN), and the bin edges. Looked up, the ratios and bins of a frame are those the
    computation gives, without a logarithm and a histogram per frame (0.11 of the 0.19 ms a frame
    the light check took)."""
    levels = np.arange(256, dtype=np.uint8)
    with np.errstate(divide="ignore"):
        ratio = np.log(np.maximum(levels, 1)[:, None] / levels.astype(np.float32)[None, :])
    _, edges = np.histogram(np.zeros(0, ratio.dtype), bins=BINS, range=(-SPAN, SPAN))
    bins = np.searchsorted(edges, ratio, side="right") - 1
    bins[ratio == edges[-1]] = BINS - 1  # the last bin holds its right edge
    bins[(ratio < edges[0]) | (ratio > edges[-1]) | ~np.isfinite(ratio)] = -1
    return np.asarray(ratio, np.float32), np.asarray(bins, np.intp), np.asarray(edges, np.float64)


RATIO, RATIO_BIN, EDGES = _ratio_tables()


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
    pair = (now[::STEP, ::STEP][use], ref[use])
    ratio, bins = RATIO[pair], RATIO_BIN[pair]
    counts = np.bincount(bins[bins >= 0], minlength=BINS)
    peak = int(np.argmax(np.convolve(counts, np.ones(3), mode="same")))
    lo, hi = EDGES[max(0, peak - 1)], EDGES[min(BINS, peak + 2)]
    near = ratio[(ratio >= lo) & (ratio < hi)]
    return float(np.exp(near.mean())) if near.size else 1.0


def moved_light(gain: float, wake: float = WAKE) -> bool:
    """Whether a factor of brightness is a light that beats or stepped (not a switched one):
    off 1 by more than `wake`, within MAX_GAIN."""
    return abs(gain - 1.0) > wake and 1.0 / MAX_GAIN <= gain <= MAX_GAIN

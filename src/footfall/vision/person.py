"""How wide a person looks in the picture, before any footage is seen: the mounting height, the
lens and the shoulder width (`person_width_px`), the default sizing the size learner starts its
mask's closing from (`reference_width_px`), how thick a counting area is counted (`band_px`),
the analysis width (`work_width`), and the height that tells a learnt width (`told_height_cm`).

    >>> round(person_width_px(320, 280, 90, 50))
    57
"""

from __future__ import annotations

import math

from footfall.config import AreaParams, CounterParams, Params
from footfall.counting.area import four_three_width
from footfall.vision.sizestate import USUAL_WORK

WORK_WIDTH = USUAL_WORK  # px: analysis width; MOG2 at this size costs a quarter of MOG2 at 320x240
# A counting area narrower than this share of the picture may be analysed finer, in proportion
# (`work_width`; the analyzer chooses, `vision/widths.py`): the mask's cleaning and the size
# learner are pixel-bound, and a doorway a third of the picture wide at 160 px (the tram clips'
# 120 of 352 px) keeps its people 14-19 work px wide. Seen from 0.7 times as close, analysed at
# 160 px, they were 10 and the trams counted 35 / 27 / 0/36.
AREA_SHARE = 1 / 3
MAX_WORK_WIDTH = 2 * WORK_WIDTH  # four times the pixels: the cost of a doorway seen from far up
SHOULDER_CM = 140  # height of an adult's shoulders above the floor
MIN_DISTANCE_CM = 40  # nearest the shoulders can be to the lens
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
# People whose learnt width is under this share of the width analysed at WORK_WIDTH px (the
# picture's, or less at a finer analysis: `ForegroundDetector.analysed_width`) are a view the
# size learner is not right at: it measures them too small and a crowded doorway is over-counted
# (docs/vision.md, "Another scale": the tram clips as a camera 0.7-0.9 times as close, analysed
# at 160 px, learnt 5.4-6.1 % and counted 29-42 for 23-28; as they are, 8.9-12.1 %). Where the
# counting area allows a finer analysis, the analyzer takes it then (`Analyzer`); else `count`,
# `eval` and `serve` say so.
SMALL_PERSON_SHARE = 0.075


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


# The lens and shoulder width a told height is read through unless told others (`--fov`,
# `--person-width`): `Counter.FieldOfView`'s and `Counter.PersonWidth`'s defaults.
Lens = tuple[float, int]  # Counter.FieldOfView (degrees), Counter.PersonWidth (cm)
DEFAULT_LENS: Lens = (CounterParams().FieldOfView, CounterParams().PersonWidth)

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


def work_width(frame_width: int, area: AreaParams) -> int:
    """The finer analysis width for frames `frame_width` px wide counted over `area`: WORK_WIDTH,
    or more where the area spans less than AREA_SHARE of the picture's width, so that it spans
    AREA_SHARE * WORK_WIDTH work pixels all the same (a doorway seen from higher up keeps its
    people about as many work pixels wide as a closer one), at most MAX_WORK_WIDTH and never
    more than the frame's own width. The analyzer counts at it when people come out small at
    WORK_WIDTH (`vision/widths.py`, `WidthAnalysis`)."""
    share = (area.Right - area.Left) / max(1, area.Width)
    wanted = round(WORK_WIDTH * AREA_SHARE / max(share, 1e-3))
    return max(WORK_WIDTH, min(wanted, MAX_WORK_WIDTH, frame_width))

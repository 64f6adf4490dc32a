"""How wide a person looks before any footage: mounting height, lens, bands, analysis width."""

from __future__ import annotations

import pytest

from footfall.config import Params
from footfall.vision.person import (
    band_px,
    guess_width_px,
    height_for_width,
    person_width_px,
    told_height_cm,
    work_width,
)


def test_person_width_follows_height_and_lens() -> None:
    near = person_width_px(320, 220, 90, 50)
    far = person_width_px(320, 400, 90, 50)
    assert near > far
    assert person_width_px(320, 280, 90, 50) == pytest.approx(320 * 50 / (2 * 140))
    assert person_width_px(320, 280, 60, 50) > person_width_px(320, 280, 90, 50)


@pytest.mark.parametrize(("width", "px"), [(352, 32.6), (320, 124.1), (1280, 98.0), (160, 3.0)])
def test_the_height_that_tells_a_width_gives_it_back(width: int, px: float) -> None:
    """`height_for_width` turns `person_width_px` round: told that height, a counter starts
    from the width it was computed for, at any lens and shoulder width."""
    for fov, cm in ((90.0, 50), (70.0, 45)):
        height = height_for_width(width, px, fov, cm)
        assert height is not None
        assert person_width_px(width, height, fov, cm) == pytest.approx(px)


def test_no_height_tells_a_person_wider_than_one_seen_from_closest() -> None:
    """Heights under 40 cm above the shoulders all give the width seen from 40 cm: a wider one,
    or none, has no height."""
    closest = person_width_px(320, 150, 90, 50)
    assert height_for_width(320, closest * 1.01, 90, 50) is None
    assert height_for_width(320, 0.0, 90, 50) is None


def test_the_height_told_is_one_counter_height_takes() -> None:
    """`told_height_cm` is a whole centimetre within `Counter.Height`'s 150-1000: the width of a
    camera hung at 330 cm gives 330; one only a camera under 150 cm or over 1000 cm would give
    (a person nearly filling the picture, or a speck) gives none."""
    assert told_height_cm(320, person_width_px(320, 330, 90, 50), 90, 50) == 330
    assert told_height_cm(320, person_width_px(320, 1000, 90, 50) * 0.9, 90, 50) is None
    assert told_height_cm(320, person_width_px(320, 150, 90, 50) * 1.05, 90, 50) is None


def test_a_band_is_thin_by_the_default_sizing_whatever_height_is_told() -> None:
    """Told a low mounting height, the clips' 40 px bands were taken for thin (0.6 of 133 px);
    told a high one, a 10 px band was widened too little. A band thinner than 0.6 of the default
    sizing's person is counted that thick."""
    guess = person_width_px(320, 280, 90.0, 50)
    assert band_px(10, 320, 240) == pytest.approx(0.6 * guess)
    assert band_px(20, 640, 480) == pytest.approx(2 * band_px(10, 320, 240))
    assert band_px(40, 320, 240) == 40  # the bus's own band, 0.70 of the guess
    assert band_px(0.59 * guess, 320, 240) == pytest.approx(0.6 * guess)


def test_a_wider_picture_does_not_make_the_guessed_person_wider() -> None:
    """A 16:9 picture shows more floor either side than a 4:3 one of its height, not wider
    people: the trams' 40 px band seen by a 1280x720 camera (100 px) is counted 103 px thick
    (0.6 of the guess across 960 px), not 137 (0.6 of the guess across 1280)."""
    assert guess_width_px(1280, 720) == pytest.approx(guess_width_px(960, 720))
    assert guess_width_px(352, 288) == pytest.approx(person_width_px(352, 280, 90.0, 50))
    assert band_px(100, 1280, 720) == pytest.approx(0.6 * person_width_px(960, 280, 90.0, 50))
    assert band_px(20, 1280, 720) == pytest.approx(0.6 * guess_width_px(960, 720))


def with_area(params: Params, left: int, right: int) -> Params:
    """`params` with the counting area spanning `left`..`right` (px of 320)."""
    area = params.Area.model_copy(update={"Left": left, "Right": right})
    return params.model_copy(update={"Area": area})


@pytest.mark.parametrize(
    ("frame_w", "left", "right", "work"),
    [
        (320, 0, 320, 160),  # the whole picture: as before
        (320, 106, 214, 160),  # a third of it (the tram clips: 120 of 352)
        (320, 100, 220, 160),
        (320, 120, 200, 213),  # a quarter: a third of 160 px is kept, 53 px
        (320, 140, 180, 320),  # an eighth: at most twice the pixels across
        (200, 140, 180, 200),  # never wider than the frame itself
    ],
)
def test_a_narrow_counting_area_is_analysed_wider(
    frame_w: int, left: int, right: int, work: int
) -> None:
    assert work_width(frame_w, with_area(Params(), left, right).Area) == work

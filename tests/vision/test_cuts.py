"""Cuts and frames without a picture (`footfall.vision.cuts`): a blank frame is skipped, a picture
that does not go on from the last one is a cut, and people walking, a light switched on, a knock
or a dark floor under the people are neither."""

from __future__ import annotations

import itertools
from itertools import pairwise
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from footfall.vision.cuts import (
    VIEW_PICTURES,
    PictureWatch,
    blank,
    broken,
    cells,
    changed_share,
    correlation,
    flat,
    thumbnail,
)
from footfall.vision.synthetic import scenario
from tests.vision.walker import crowd_far_away, walked_over_photo

PHOTO = Path(__file__).parent / "data" / "cameraman_cc0.jpg"


def scene(n: int, name: str = "mixed") -> list[npt.NDArray[np.uint8]]:
    """`n` frames of our synthetic overhead scene, people walking through."""
    return [f.image for f in itertools.islice(scenario(name, 0).frames(), n)]


def card(shape: tuple[int, ...], level: int, text: str = "") -> npt.NDArray[np.uint8]:
    """A frame of one grey level, with a small caption (a recorder's card, a logo)."""
    image = np.full(shape, level, np.uint8)
    if text:
        h, w = shape[:2]
        cv2.putText(image, text, (w // 3, h // 2), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (160,) * 3, 1)
    return image


def seen(frames: list[npt.NDArray[np.uint8]]) -> list[str]:
    """What a new watch tells each of `frames`, each told the next one's thumbnail (as the
    analyzer does: a frame waits for the next)."""
    watch = PictureWatch()
    thumbs = [thumbnail(f) for f in frames]
    return [watch.see(f, t, n) for f, t, n in zip(frames, thumbs, [*thumbs[1:], None], strict=True)]


def test_a_black_or_one_colour_frame_is_blank_where_a_picture_was() -> None:
    """Black, a "no video" card, a capture card's black with noise: flat, and blank after a
    picture; a picture is not flat; a plain floor left empty by the people who crossed it is
    flat but at the level it had, and no blank; nothing is blank at a stream's start."""
    frames = scene(1)
    rng = np.random.default_rng(0)
    noisy = np.clip(card(frames[0].shape, 16) + rng.normal(0, 1.0, frames[0].shape), 0, 255)
    cards = [card(frames[0].shape, 0), card(frames[0].shape, 200, "NO VIDEO"), noisy]
    picture = thumbnail(frames[0])
    for shown in cards:
        thumb = thumbnail(np.asarray(shown, np.uint8))
        assert flat(thumb) and blank(picture, thumb) and not blank(None, thumb)
    assert not flat(picture)
    floor = card(frames[0].shape, 120)
    walked = floor.copy()
    cv2.circle(walked, (160, 120), 40, (40, 40, 40), -1)
    assert flat(thumbnail(floor)) and not blank(thumbnail(walked), thumbnail(floor))


def test_people_walking_through_are_neither_a_cut_nor_blank() -> None:
    frames = scene(300)
    assert len(frames) == 300
    assert seen(frames) == ["picture"] * 300


def test_blank_frames_are_skipped_and_cut_nothing_and_black_first_is_cut_from() -> None:
    """Black frames in the middle (a stream's glitch) and last are skipped, and the picture
    after them goes on from the one before them; black frames first (a camera starting) are a
    stream of their own, cut from where the picture comes."""
    frames = scene(40)
    black = card(frames[0].shape, 0)
    told = seen([black, black, *frames[:20], black, black, black, *frames[20:], black])
    assert told == [
        "picture",  # a stream's first frames are no blank: black, they are cut from
        "picture",
        "cut",
        *["picture"] * 19,
        *["blank"] * 3,
        *["picture"] * 20,  # the glitch over, the picture goes on at the level it left
        "blank",
    ]


def test_another_picture_is_a_cut_and_so_is_a_card_with_a_caption() -> None:
    """A recording edited together (our scene, then a photograph of the same size) is cut
    where it changes, and back; a grey card with a large caption (not blank) is a cut too."""
    frames = scene(10)
    h, w = frames[0].shape[:2]
    photo = cv2.resize(cv2.imread(str(PHOTO)), (w, h))
    assert seen([*frames[:5], photo, photo, *frames[5:]]) == [
        *["picture"] * 5,
        "cut",
        "picture",
        "cut",
        *["picture"] * 4,
    ]
    titled = card(frames[0].shape, 90)
    cv2.putText(titled, "CAM 2", (20, h // 2), cv2.FONT_HERSHEY_SIMPLEX, 3.0, (240,) * 3, 8)
    assert not flat(thumbnail(titled))
    assert seen([titled, titled, *frames[:3]]) == [
        "picture",
        "picture",
        "cut",
        "picture",
        "picture",
    ]


def test_a_stream_starts_where_its_picture_stops_brightening() -> None:
    """A recording that fades in from black over 20 frames (or a camera whose exposure is
    settling): each frame whose level is more than SETTLE_GAIN off the next one's is skipped,
    and the stream starts at the first whose level holds: the fade's end."""
    frames = scene(40)
    faded = [np.asarray(f * min(1.0, i / 20), np.uint8) for i, f in enumerate(frames)]
    told = seen(faded)
    assert told == ["settling"] * 20 + ["picture"] * 20, told


@pytest.mark.parametrize("back", [True, False])
def test_the_view_is_checked_a_while_after_a_cut(back: bool) -> None:
    """VIEW_PICTURES after the last of a run of cuts the picture is compared with the one left
    at the first: a card edited into a recording of one doorway comes back to it (the view did
    not change); a camera turned to another view does not come back."""
    lead = VIEW_PICTURES + 4  # a stream's first pictures are no view to tell by
    frames = scene(lead + VIEW_PICTURES + 4)
    h, w = frames[0].shape[:2]
    photo = cv2.resize(cv2.imread(str(PHOTO)), (w, h))
    titled = card(frames[0].shape, 90)
    cv2.putText(titled, "CAM 2", (20, h // 2), cv2.FONT_HERSHEY_SIMPLEX, 3.0, (240,) * 3, 8)
    after = frames[lead:] if back else [photo] * (VIEW_PICTURES + 4)
    watch = PictureWatch()
    changed = []
    for image in [*frames[:lead], titled, titled, *after]:
        watch.see(image)
        changed.append(watch.view)
    at = lead + 2 + VIEW_PICTURES  # the VIEW_PICTURES-th picture after the last cut
    told = "same" if back else "changed"
    assert changed == [None] * at + [told] + [None] * (len(changed) - at - 1)
    assert watch.cuts == 2


@pytest.mark.parametrize("first", ["black", "card"])
def test_a_stream_begun_black_or_on_a_card_checks_no_view(first: str) -> None:
    """A stream begun black or on a card (a camera starting) cuts to its picture: a stream's
    first pictures are no view to tell a change by, and none is checked (a restarted counter
    keeps its size)."""
    frames = scene(VIEW_PICTURES + 30)
    h = frames[0].shape[0]
    titled = card(frames[0].shape, 90)
    cv2.putText(titled, "CAM 2", (20, h // 2), cv2.FONT_HERSHEY_SIMPLEX, 3.0, (240,) * 3, 8)
    shown = np.zeros_like(frames[0]) if first == "black" else titled
    watch = PictureWatch()
    views = []
    for image in [shown] * 25 + frames:
        watch.see(image)
        views.append(watch.view)
        if watch.cuts:
            assert not watch.checking
    assert watch.cuts == 1
    assert views == [None] * len(views)
    assert watch.view_now() is None


@pytest.mark.parametrize("back", [True, False])
def test_a_view_not_checked_yet_is_checked_at_the_streams_end(back: bool) -> None:
    """A stream that ends fewer than VIEW_PICTURES after a cut: its last picture is compared
    with the one left at the cut (`view_now`), once."""
    lead = VIEW_PICTURES + 4  # a stream's first pictures are no view to tell by
    frames = scene(lead + 20)
    h, w = frames[0].shape[:2]
    photo = cv2.resize(cv2.imread(str(PHOTO)), (w, h))
    titled = card(frames[0].shape, 90)
    cv2.putText(titled, "CAM 2", (20, h // 2), cv2.FONT_HERSHEY_SIMPLEX, 3.0, (240,) * 3, 8)
    watch = PictureWatch()
    for image in [*frames[:lead], titled, titled, *(frames[lead:] if back else [photo] * 10)]:
        watch.see(image)
        assert watch.view is None
    assert watch.view_now() == ("same" if back else "changed")
    assert watch.view_now() is None
    plain = PictureWatch()
    for image in frames:
        plain.see(image)
    assert plain.view_now() is None  # no cut


@pytest.mark.parametrize("change", ["light", "dim", "knock"])
def test_a_light_switched_on_or_a_knock_is_no_cut(change: str) -> None:
    """The same picture 40 % brighter or darker at once (a lamp, an exposure step) correlates
    as before; moved by 4 px (a knocked camera), nearly so."""
    frames = scene(6)
    if change == "knock":
        shift = np.float32([[1, 0, 4], [0, 1, 4]])
        after = [
            cv2.warpAffine(f, shift, f.shape[1::-1], borderMode=cv2.BORDER_REFLECT)
            for f in frames[3:]
        ]
    else:
        gain = 1.4 if change == "light" else 0.6
        after = [np.asarray(np.clip(f * gain, 0, 255), np.uint8) for f in frames[3:]]
    assert seen([*frames[:3], *after]) == ["picture"] * 6


def test_a_person_on_a_dark_floor_is_no_cut_even_where_the_picture_is_little_else() -> None:
    """Over a black floor (the shared bus clip's), a bright person is most of what varies: one
    frame with them at the left and the next at the right correlate little, but most of the
    picture, the floor, is as it was."""
    before = card((240, 320, 3), 8)
    now = before.copy()
    cv2.rectangle(before, (20, 60), (110, 200), (200, 200, 200), -1)
    cv2.rectangle(now, (210, 60), (300, 200), (200, 200, 200), -1)
    assert correlation(thumbnail(before), thumbnail(now)) < 0.2
    assert seen([before, now]) == ["picture", "picture"]


def test_a_large_frames_thumbnail_is_near_the_mean_of_the_pixels_it_covers() -> None:
    """A 1920x1080 frame is thinned by whole pixels (every 22nd) before it is shrunk: its
    thumbnail stays within a few grey levels of the exact mean of each cell, far under the 25
    levels a cut is told by."""
    photo = cv2.resize(cv2.imread(str(PHOTO)), (1920, 1080), interpolation=cv2.INTER_CUBIC)
    grey = cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY)
    exact = cv2.resize(grey, (64, 48), interpolation=cv2.INTER_AREA).astype(np.int16)
    assert float(np.abs(thumbnail(photo).astype(np.int16) - exact).mean()) < 8.0


def tear(image: npt.NDArray[np.uint8], share: float, fill: str) -> npt.NDArray[np.uint8]:
    """`image` with a band of `share` of its height across its middle lost: filled grey or
    black, or its rows smeared down from the row above the band."""
    out = image.copy()
    h = image.shape[0]
    top, bottom = round(h * (0.5 - share / 2)), round(h * (0.5 + share / 2))
    out[top:bottom] = out[top - 1] if fill == "smeared" else (128 if fill == "grey" else 0)
    return out


@pytest.mark.parametrize("fill", ["grey", "black", "smeared"])
@pytest.mark.parametrize("share", [0.1, 0.15, 0.25, 0.5])
def test_a_frame_torn_across_is_broken_however_narrow_the_band(share: float, fill: str) -> None:
    """A slice of a frame lost on its way (grey, black, or smeared down) across a busy picture
    people walk over, a tenth of the height to half of it: the frame is broken (skipped), the
    frames before and after it are not."""
    frames = walked_over_photo(60)
    torn_at = 40
    frames[torn_at] = tear(frames[torn_at], share, fill)
    thumbs = [thumbnail(f) for f in frames]
    found = [i for i in range(1, 59) if broken(thumbs[i - 1], thumbs[i], thumbs[i + 1])]
    assert found == [torn_at]


@pytest.mark.parametrize("fill", ["grey", "black", "smeared"])
def test_a_frame_torn_while_a_crowd_crosses_the_picture_is_broken(fill: str) -> None:
    """A plaza crossed in six columns, seen at half its rate: a fifth of the coarse cells
    change from each frame to the next and do not go back. A band a quarter of the height torn
    across any of those frames is broken all the same (the cells alone took none of them: they
    asked the cells that changed to go back); none of the frames whole is."""
    frames = list(crowd_far_away((320, 240), 80))[::2]
    thumbs = [thumbnail(f) for f in frames]
    n = len(thumbs)
    assert not any(broken(thumbs[i - 1], thumbs[i], thumbs[i + 1]) for i in range(1, n - 1))
    busy = [
        i
        for i in range(1, n - 1)
        if min(changed_share(cells(a), cells(b)) for a, b in pairwise(thumbs[i - 1 : i + 2]))
        >= 0.15
    ]
    assert len(busy) >= 15  # the crowd moves much of the picture
    missed = [
        i
        for i in busy
        if not broken(thumbs[i - 1], thumbnail(tear(frames[i], 0.25, fill)), thumbs[i + 1])
    ]
    assert len(missed) <= len(busy) // 5, (missed, busy)


@pytest.mark.parametrize("jitter", [0, 2, 3])
def test_people_walking_on_a_shaking_camera_break_no_frame(jitter: int) -> None:
    """People walking across the busy picture and over our synthetic floor, on a camera still
    or moved by up to 2 or 3 px each way every frame: rows change and some go back, but none is
    smoothed into a band."""
    rng = np.random.default_rng(0)
    for frames in (walked_over_photo(75), scene(300)):
        moved = []
        for image in frames:
            dx, dy = rng.uniform(-jitter, jitter, 2) if jitter else (0.0, 0.0)
            move = np.float32([[1, 0, dx], [0, 1, dy]])
            size = (image.shape[1], image.shape[0])
            moved.append(cv2.warpAffine(image, move, size, borderMode=cv2.BORDER_REPLICATE))
        thumbs = [thumbnail(f) for f in moved]
        n = len(thumbs)
        assert not any(broken(thumbs[i - 1], thumbs[i], thumbs[i + 1]) for i in range(1, n - 1))

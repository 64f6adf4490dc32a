"""The foreground detector and its person-size model, on drawn scenes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import cv2
import numpy as np
import pytest

from footfall.config import Params
from footfall.vision.detect import ForegroundDetector
from footfall.vision.sizelearn import SIZE_WINDOW
from footfall.vision.types import Frame


def scene(people: list[tuple[int, int]], radius: int = 28) -> np.ndarray:
    img = np.full((240, 320, 3), 90, np.uint8)
    cv2.rectangle(img, (0, 0), (40, 240), (60, 60, 140), -1)
    for x, y in people:
        cv2.circle(img, (x, y), radius, (220, 220, 220), -1)
    return img


def run(frames: list[np.ndarray]) -> list[int]:
    params = Params()
    params.Counter.AutoSize = 0
    params.Counter.Height = 280  # a person is ~57 px wide at 320 px
    det = ForegroundDetector(params)
    t = datetime(2026, 1, 1, tzinfo=UTC)
    return [len(det.detect(Frame(f, i, t))) for i, f in enumerate(frames)]


def test_empty_scene_has_no_one() -> None:
    assert run([scene([])] * 30)[-1] == 0


def test_one_walker_is_one_detection() -> None:
    frames = [scene([])] * 20 + [scene([(160, 220 - 6 * i)]) for i in range(30)]
    counts = run(frames)
    assert counts[25:] == [1] * 25


def test_the_foreground_area_of_a_region_is_in_frame_pixels() -> None:
    params = Params()
    params.Counter.AutoSize = 0
    det = ForegroundDetector(params)
    t = datetime(2026, 1, 1, tzinfo=UTC)
    assert det.foreground_px2(0, 0, 320, 240) == 0.0  # nothing seen yet
    for i in range(20):
        det.detect(Frame(scene([]), i, t))
    det.detect(Frame(scene([(160, 120)]), 20, t))  # a disc of radius 28 appears
    disc = np.pi * 28**2
    assert det.foreground_px2(0, 0, 320, 240) == pytest.approx(disc, rel=0.2)
    assert det.foreground_px2(100, 60, 220, 180) == pytest.approx(disc, rel=0.2)
    assert det.foreground_px2(0, 0, 100, 240) == 0.0  # left of it
    assert det.foreground_px2(160, 0, 320, 240) == pytest.approx(disc / 2, rel=0.2)


def test_after_a_cut_no_one_is_seen_where_someone_was_before_it() -> None:
    # A file played in a loop goes back to its start (`Frame.cut`): the walker at its end is
    # elsewhere in its first frame. The motion is differenced from the cut on: one person, where
    # he is (across the cut the difference showed him where he had been, two frames long).
    params = Params()
    params.Counter.AutoSize = 0
    params.Counter.Height = 280
    det = ForegroundDetector(params)
    t = datetime(2026, 1, 1, tzinfo=UTC)
    frames = [scene([])] * 40 + [scene([(100, 220 - 6 * i)]) for i in range(25)]
    for i, f in enumerate(frames):
        det.detect(Frame(f, i, t + timedelta(seconds=i / 15)))
    after = []
    for k in range(4):
        i = len(frames) + k
        image = scene([(250, 200 - 6 * k)])
        found = det.detect(Frame(image, i, t + timedelta(seconds=i / 15), cut=k == 0))
        after.append([round(float(x0 + x1) / 2) for x0, _, x1, _ in found.boxes])
    assert all(len(xs) == 1 and abs(xs[0] - 250) < 10 for xs in after), after


def test_two_people_side_by_side_are_two() -> None:
    frames = [scene([])] * 20 + [scene([(132, 220 - 6 * i), (190, 220 - 6 * i)]) for i in range(30)]
    counts = run(frames)
    assert sum(c == 2 for c in counts[25:]) >= 20


def after_one_walker(params: Params) -> ForegroundDetector:
    """A detector with `params` that has seen one person 56 px wide (at 320 px) walk up."""
    det = ForegroundDetector(params)
    t = datetime(2026, 1, 1, tzinfo=UTC)
    frames = [scene([])] * 20 + [scene([(160, 230 - 3 * i)]) for i in range(70)]
    for i, f in enumerate(frames):
        det.detect(Frame(f, i, t))
    return det


def test_auto_size_learns_the_person_width_from_the_blobs() -> None:
    params = Params()
    params.Counter.Height = 500  # the model alone would expect people half as wide
    det = after_one_walker(params)
    # 56 px at 320 px are 28 work pixels
    assert det.person_px == pytest.approx(28, rel=0.2)
    assert det.frame_person_px == pytest.approx(2 * det.person_px)  # in the frame's pixels


def test_a_height_told_too_high_does_not_hold_the_learnt_width_down() -> None:
    """Told 600 cm, the guess is 8.7 work px and the learnt width was held at 2.5 x that (22 px)
    for people 28 px wide; the bound is now 2.5 x the default sizing's (72 px)."""
    params = Params()
    params.Counter.Height = 600
    det = after_one_walker(params)
    assert det.person_px == pytest.approx(28, rel=0.2)


def test_only_a_setparams_of_what_sizes_people_starts_the_size_afresh() -> None:
    """Any setparams reached the detector, and every one (an alarm switched on, a new name)
    threw the learnt size away for the mounting-height guess."""
    params = Params()
    params.Counter.Height = 500
    det = after_one_walker(params)
    learnt = det.person_px
    other = params.model_copy(deep=True)
    other.Alarm.TailgatingEnable = 1
    other.Counter.Name = "Side door"
    other.Area.YFirst += 4  # the area moved a little: the people are as wide as before
    det.set_params(other)
    assert det.person_px == learnt and det.size_learnt
    higher = other.model_copy(deep=True)
    higher.Counter.Height = 600
    det.set_params(higher)
    assert det.person_px < learnt / 1.5 and not det.size_learnt  # the new guess, learnt anew


def test_the_learnt_size_is_held_once_its_window_is_full() -> None:
    """People of one width walk until the learner has its SIZE_WINDOW samples; people drawn
    thinner after that (the thickness the blobs show follows the light and the queue, the
    size of a person under a fixed camera does not) leave the size where it was. A new mounting
    height learns it afresh, from the thinner ones."""
    params = Params()
    params.Counter.Height = 500
    det = ForegroundDetector(params)
    t = datetime(2026, 1, 1, tzinfo=UTC)
    n = 0

    def walk(radius: int) -> None:
        nonlocal n
        x = 60 + 40 * (n // 90 % 6)  # each pass elsewhere: a place walked over all the time
        # would join the background
        for f in [scene([])] * 20 + [scene([(x, 230 - 3 * i)], radius) for i in range(70)]:
            det.detect(Frame(f, n, t + timedelta(seconds=n / 25)))
            n += 1

    for _ in range(60):
        if det.size_settled:
            break
        walk(28)
    assert det.size_settled and det.size_samples_seen == SIZE_WINDOW
    held = det.person_px
    assert held == pytest.approx(28, rel=0.2)
    for _ in range(12):  # more thin people than the window holds thick ones
        walk(16)
    assert det.person_px == held and det.size_samples_seen == SIZE_WINDOW
    lower = params.model_copy(deep=True)
    lower.Counter.Height = 450
    det.set_params(lower)
    for _ in range(3):
        walk(16)
    assert not det.size_settled
    assert det.person_px < 0.8 * held  # learnt again, from the thinner people


def test_a_detector_told_a_finer_width_analyses_at_it() -> None:
    """At 320 work px (a narrow area's finer analysis) a walker 56 px wide in a 320 px frame is
    learnt 56 work px wide, the same 56 px of the frame, and a third of the frame's width is
    what 160 work px cover. A frame narrower than the width asked is analysed at its own."""
    fine = ForegroundDetector(Params(), work_px=320)
    t = datetime(2026, 1, 1, tzinfo=UTC)
    frames = [scene([])] * 20 + [scene([(160, 230 - 3 * i)]) for i in range(70)]
    for i, f in enumerate(frames):
        fine.detect(Frame(f, i, t))
    assert fine.person_px == pytest.approx(56, rel=0.2)
    assert fine.frame_person_px == pytest.approx(fine.person_px)
    assert fine.frame_person_px == pytest.approx(
        after_one_walker(Params()).frame_person_px, rel=0.1
    )
    assert fine.analysed_width == 160
    small = ForegroundDetector(Params(), work_px=320)
    small.detect(Frame(np.zeros((120, 200, 3), np.uint8), 0, t))
    assert small.analysed_width == 160  # 200 px frames analysed at 200 px, as 160 px of them


def test_small_people_of_a_wide_view_are_learnt_below_the_height_guess() -> None:
    """People 12 px wide at 320 px with the default mounting height (which guesses 57 px): a
    wide or high view. The learnt size was held at 0.3 x the guess (17 px); it now follows."""
    det = ForegroundDetector(Params())
    t = datetime(2026, 1, 1, tzinfo=UTC)
    frames = [scene([], radius=6)] * 20 + [scene([(160, 230 - 3 * i)], radius=6) for i in range(70)]
    for i, f in enumerate(frames):
        det.detect(Frame(f, i, t))
    # 12 px at 320 px are 6 work pixels; the clean-mask gain adds ~10 %
    assert det.person_px == pytest.approx(6.6, rel=0.15)


def test_a_pair_side_by_side_does_not_set_the_person_size() -> None:
    t = datetime(2026, 1, 1, tzinfo=UTC)
    sizes = []
    for walkers in ([(160, 0)], [(132, 0), (188, 0)]):
        det = ForegroundDetector(Params())
        frames = [scene([])] * 20 + [
            scene([(x, 230 - 3 * i) for x, _ in walkers]) for i in range(70)
        ]
        for i, f in enumerate(frames):
            det.detect(Frame(f, i, t))
        sizes.append(det.person_px)
    assert sizes[1] == pytest.approx(sizes[0], rel=0.1)


def still_doorway(floor: np.ndarray) -> ForegroundDetector:
    """A detector at 25 fps that saw someone walk over `floor`, then 16 s of it empty and
    still: a grown model, learning slowly."""
    det = ForegroundDetector(Params())
    det.set_fps(25.0)
    det.mask(floor)
    for x in range(0, 160, 8):  # someone walks through
        det.mask(with_people(floor, [(x, 60)]))
    for _ in range(400):
        det.mask(floor)
    return det


def test_a_light_change_in_an_empty_doorway_is_learnt() -> None:
    """The slow learning of a still doorway does not keep a changed light as foreground. A lamp
    over part of the picture stands out from the background, so the doorway is not 'still' and
    MOG2 absorbs it at its usual rate, in about a second; the whole picture changing at once
    starts the model again from the new light (as a queue arriving at once does)."""
    rng = np.random.default_rng(3)
    floor = rng.integers(60, 120, (120, 160, 3), dtype=np.uint8)
    shares = []
    for lit_rows in (12, 120):  # a tenth of the picture, all of it
        det = still_doorway(floor)
        lit = floor.copy()
        lit[:lit_rows] = np.clip(floor[:lit_rows].astype(np.int16) + 45, 0, 255)
        masks = [det.mask(lit) for _ in range(150)]
        shares.append([np.count_nonzero(masks[k]) / masks[k].size for k in (2, 149)])
    (lamp_at_first, lamp_later), (all_at_first, all_later) = shares
    assert lamp_at_first > 0.08 and lamp_later < 0.002, shares  # shows, then learnt
    assert all_at_first == 0.0 and all_later == 0.0, shares  # the model started from it


def test_a_light_switched_on_over_seconds_in_an_empty_doorway_is_not_taken_for_people() -> None:
    """The light of an empty doorway (a grown model, learning slowly) rises by 30 % over 2 s,
    too slowly for a scene change and faster than MOG2 learns: the whole picture turned
    foreground and its blobs set the person size. Now the model starts again each time the
    brightness has moved 3 % from the bare doorway's with nothing moving: at most a third of
    the picture stands out, for a few frames, no size sample is taken from it, and someone who
    walks in afterwards is seen as before. Dimmed by 30 %, MOG2's shadows hide it anyway."""
    rng = np.random.default_rng(3)
    floor = rng.integers(60, 120, (120, 160, 3), dtype=np.uint8)
    for gain in (1.3, 0.7):
        det = still_doorway(floor)
        seen = det.size_samples_seen
        shares = []
        for k in range(125):
            lit = np.clip(floor * (1 + (gain - 1) * min(1.0, k / 50)), 0, 255).astype(np.uint8)
            mask = det.mask(lit)
            shares.append(np.count_nonzero(mask) / mask.size)
        assert max(shares) < 0.4 and max(shares[60:]) == 0.0, shares
        assert det.size_samples_seen == seen
        walker = det.mask(with_people(lit, [(80, 60)]))
        assert np.count_nonzero(walker[40:80, 60:100]) > 0.5 * 40 * 40


def test_a_camera_knocked_over_a_bare_doorway_starts_the_background_again() -> None:
    """Over a bare doorway, a camera knocked by 4 px leaves the edges of a door frame standing
    out from a model of the old view for over a second (and those blobs would set the person
    size): told (`camera_moved`) three frames later, the model starts again from the next frame
    and the size samples of those frames are dropped. With someone standing in the doorway the
    model is left to learn the new view at its rate."""
    rng = np.random.default_rng(4)
    floor = np.full((120, 160, 3), 100, np.uint8) + rng.integers(0, 3, (120, 160, 3), np.uint8)
    cv2.line(floor, (40, 0), (40, 119), (210, 210, 210), 6)  # a door frame
    frame_edges = (slice(None), slice(30, 55))
    for someone in (False, True):
        det = still_doorway(floor)
        view = with_people(floor, [(110, 60)]) if someone else floor
        for _ in range(10 if someone else 0):  # walks in and stands
            det.mask(view)
        seen = det.size_samples_seen
        knocked = np.roll(view, (2, 4), axis=(0, 1))
        ghosts = [det.mask(knocked) for _ in range(3)]
        assert min(np.count_nonzero(m[frame_edges]) for m in ghosts) > 500
        det.camera_moved(3)
        after = [np.count_nonzero(det.mask(knocked)[frame_edges]) for _ in range(5)]
        if someone:
            assert min(after) > 500, after  # left to learn the new view
        else:
            assert max(after) == 0, after
            assert det.size_samples_seen <= seen


def bare_floor() -> np.ndarray:
    return np.random.default_rng(5).integers(60, 120, (240, 320, 3), dtype=np.uint8)


def with_people(floor: np.ndarray, centres: list[tuple[int, int]]) -> np.ndarray:
    img = floor.copy()
    for x, y in centres:
        cv2.circle(img, (x, y), 22, (215, 205, 190), -1)
    return img


def foreground_while_standing(arrival: np.ndarray, bare_s: float) -> list[float]:
    """Share of the work image that is foreground in each of the 6 frames after `arrival`
    appeared (and stood still) in a doorway a new detector watched empty for `bare_s` s."""
    det = ForegroundDetector(Params())
    det.set_fps(25.0)
    for _ in range(round(bare_s * 25)):
        det.mask(bare_floor())
    masks = [det.mask(arrival) for _ in range(6)]
    return [np.count_nonzero(m) / m.size for m in masks]


def test_a_crowd_arriving_at_once_in_a_bare_doorway_starts_the_background_again() -> None:
    """A model that knows only the bare floor sees a queue arriving all at once (a door opening
    on it) as solid blobs, and the size learnt from them is a fifth too large: the model starts
    again from that frame, as if the counter had been switched on with the queue there. So the
    queue, standing still, is the background from the next frame but one, as for a new model;
    one person walking in changes little at once and stays foreground as before."""
    crowd = with_people(bare_floor(), [(x, y) for x in range(30, 320, 52) for y in (80, 130, 180)])
    walker = with_people(bare_floor(), [(160, 120)])
    assert foreground_while_standing(crowd, 0.0) == [0.0] * 6  # there from the first frame
    for bare_s in (1.0, 4.0):
        seen = foreground_while_standing(crowd, bare_s)
        assert seen[0] > 0.3 and seen[2:] == [0.0] * 4, (bare_s, seen)
        alone = foreground_while_standing(walker, bare_s)
        assert min(alone[:5]) > 0.015, (bare_s, alone)  # a disc of 11 work px: 2 % of it


def test_the_frames_kept_for_the_motion_difference_follow_the_longer_span() -> None:
    """Frames first more than the rate told apart (the median gap twice it), then at it again:
    the frames kept shrank to the shorter span and were never grown back, and the motion
    difference, clamped to the oldest frame kept, spanned one frame instead of two."""
    det = ForegroundDetector(Params())
    det.set_fps(25.0)
    image = np.zeros((120, 160, 3), np.uint8)
    t = datetime(2026, 1, 1, tzinfo=UTC)
    for _ in range(60):  # 12.5 fps arriving while told 25
        t += timedelta(seconds=0.08)
        det.mask(image, t)
    for _ in range(60):  # 25 fps again
        t += timedelta(seconds=0.04)
        det.mask(image, t)
    assert det._recent.maxlen is not None and det._recent.maxlen >= 4  # 2 frames back, blended

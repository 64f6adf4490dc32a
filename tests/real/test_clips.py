"""Accuracy on the real overhead clips in ../shared/data is a regression test (STYLE habit 17).

`baseline.json` holds the committed figures per clip; a run that does worse than its baseline
fails with the old and the new figure. Clips with a hand count also assert the accuracy floor.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from collections.abc import Iterator
from dataclasses import asdict, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from footfall.commands.count import params_for
from footfall.config import Params
from footfall.counting.groundtruth import GroundTruth, Score, TrueEvent, match_events, score
from footfall.store.base import Passage
from footfall.vision import scale_analyzer, track
from footfall.vision.analyzer import Analyzer
from footfall.vision.offline import EPOCH, count_file
from footfall.vision.track import MotionField
from footfall.vision.types import Frame
from tests.needs import unavailable
from tests.real.resample import (
    barrelled,
    barrelled_area,
    blurred,
    clocked,
    decoded,
    dropped,
    empty_doorway,
    graded,
    grainy,
    jpeg,
    knocked,
    lit,
    reencoded,
    resampled,
    shaken,
    turned,
    widescreen,
    widescreen_area,
    written_lossy,
    zoom_shift,
    zoomed,
    zoomed_area,
)

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
BASELINE: dict[str, Any] = json.loads((Path(__file__).with_name("baseline.json")).read_text())
TOLERANCE = 5e-4  # baseline figures are rounded to 3 decimals

pytestmark = pytest.mark.real


def clip_path(name: str) -> Path:
    video = DATA / "video" / name
    if not video.exists():
        unavailable(f"{video} is missing (CI must have ../shared/data)")
    return video


@pytest.mark.parametrize("clip", sorted(k for k, v in BASELINE.items() if "combined_accuracy" in v))
def test_clip_with_ground_truth(clip: str) -> None:
    base = BASELINE[clip]
    video = clip_path(base["video"])
    truth = GroundTruth.load(DATA / f"{clip}.json")
    result = count_file(video, params_for(truth.area, truth.in_direction, None))
    s = score(truth, [(p.frame or 0, p.direction) for p in result.passages], truth.fps)
    got = {"combined_accuracy": s.combined_accuracy, "precision": s.precision, "recall": s.recall}
    for key, new in got.items():
        old = base[key]
        assert new >= old - TOLERANCE, (
            f"{clip}: {key} dropped from {old:.3f} (baseline) to {new:.3f} "
            f"(counted in {s.counted_in}/{s.true_in}, out {s.counted_out}/{s.true_out})"
        )
    assert s.combined_accuracy >= base["floor"], (
        f"{clip}: combined accuracy {s.combined_accuracy:.3f} is under the floor {base['floor']}"
    )


@pytest.mark.parametrize(
    "clip", sorted(k for k, v in BASELINE.items() if "combined_accuracy" not in v)
)
def test_clip_without_visible_ground_truth(clip: str) -> None:
    """Hidden hand counts: the committed counts must not move without the baseline moving too."""
    base = BASELINE[clip]
    video = clip_path(base["video"])
    reference = GroundTruth.load(DATA / f"{base['area_from']}.json")
    result = count_file(video, params_for(reference.area, reference.in_direction, None))
    assert list(result.counts) == [base["in"], base["out"]], (
        f"{clip}: counts moved from in {base['in']} / out {base['out']} (baseline) to "
        f"in {result.counts[0]} / out {result.counts[1]}; check the clip, then the baseline"
    )


def count_at_rate(frames: Iterator[npt.NDArray[np.uint8]], fps: float, truth: GroundTruth) -> Score:
    """Count `frames` shown at `fps`; scored with frame numbers mapped back to the clip's."""
    return count_timed(enumerate(frames), fps, truth)


def count_timed(
    timed: Iterator[tuple[int, npt.NDArray[np.uint8]]],
    fps: float,
    truth: GroundTruth,
    area: dict[str, int] | None = None,
    params: Params | None = None,
) -> Score:
    """Count (index, image) pairs, each taken at index / `fps` (an index missing: a frame
    dropped), in the truth's area or `area` (or with `params` whole); scored with frame numbers
    mapped back to the clip's."""
    analyzer = Analyzer(params or params_for(area or truth.area, truth.in_direction, None))
    analyzer.set_fps(fps)
    passages: list[Passage] = []
    for index, image in timed:
        when = EPOCH + timedelta(seconds=index / fps)
        passages += analyzer.process(Frame(image, index, when))
    passages += analyzer.flush()
    ratio = truth.fps / fps
    counted = [(round((p.frame or 0) * ratio), p.direction) for p in passages]
    return score(truth, counted, truth.fps)


# frame rate -> floor of the combined accuracy (counted 2026-12-02: 24, 23, 22, 24 and 22 of 23;
# since the flow starts from the last one carried on, 2026-12-03: 24, 23, 22, 25 and 23, the
# same 4 off in all; 20 fps is held to the hand count's own tolerance of 2)
RATE_FLOORS = {10: 0.95, 12.5: 0.95, 15: 0.95, 20: 0.91, 30: 0.95}


@pytest.mark.parametrize("fps", sorted(RATE_FLOORS))
def test_other_frame_rates_count_alike(fps: float) -> None:
    """Tram 02 as a camera at another rate would give it (12.5: every other frame; 10, 15, 20:
    FFmpeg's nearest frames; 30: motion-interpolated frames). Motion is differenced over a fixed
    time, the background model learns over a fixed time and windows are set in seconds, so the
    learnt person size and the count stay put (they fell to 8-18 of 23 when the difference
    spanned whole frames)."""
    video = clip_path("tram_door_overhead_02.mp4")
    truth = GroundTruth.load(DATA / "tram_door_overhead_02.json")
    frames = decoded(video, 2) if fps == 12.5 else resampled(video, int(fps))
    s = count_at_rate(frames, fps, truth)
    assert s.combined_accuracy >= RATE_FLOORS[fps], (
        f"{fps} fps: in {s.counted_in}/{s.true_in}, out {s.counted_out}/{s.true_out}"
    )


def test_a_faster_camera_is_counted_from_every_other_frame() -> None:
    """A camera at 50 fps showing tram 02 (each frame twice) is counted from one frame in two
    (`analysed_stride`): exactly as the clip at 25 fps. Analysed whole, the frames shown twice
    would give no motion every other frame (at 60 fps, motion-interpolated, tram 02 counted 20,
    tram 03 10/1, tram 04 0/23 for 24, 16, 0/27 at 25 fps; analysed at 30 fps 22, 17, 0/27)."""
    video = clip_path("tram_door_overhead_02.mp4")
    truth = GroundTruth.load(DATA / "tram_door_overhead_02.json")
    as_is = count_at_rate(decoded(video), truth.fps, truth)
    twice = ((2 * i + k, image) for i, image in enumerate(decoded(video)) for k in (0, 1))
    s = count_timed(twice, 2 * truth.fps, truth)
    assert (s.counted_in, s.counted_out) == (as_is.counted_in, as_is.counted_out)
    assert (s.precision, s.recall) == (as_is.precision, as_is.recall)  # the same moments too
    assert s.combined_accuracy >= 0.95


# clip -> (shaken by, floor): unstabilised, moved by up to 1 px each way every frame the bus
# counted 11/9 for 7/7 and tram 02 20 for 23; moved back, 7/7 and 22 (2026-12-03)
SHAKEN_FLOORS = {"bus_overhead_koba": (1.0, 1.0), "tram_door_overhead_02": (1.0, 0.95)}


@pytest.mark.parametrize("clip", sorted(SHAKEN_FLOORS))
def test_a_shaking_camera_counts_as_a_steady_one(clip: str) -> None:
    """Every frame moved by a random shift (seeded) as a camera on an idling vehicle would
    move it: the stabiliser moves the frames back before anything is counted."""
    truth = GroundTruth.load(DATA / f"{clip}.json")
    video = clip_path(truth.video)
    jitter, floor = SHAKEN_FLOORS[clip]
    s = count_at_rate(shaken(decoded(video), truth.fps, jitter_px=jitter), truth.fps, truth)
    assert s.combined_accuracy >= floor, (
        f"in {s.counted_in}/{s.true_in}, out {s.counted_out}/{s.true_out}"
    )


# zoom -> floor: from a camera 1.2 times as close the bus counts 7/7; 0.7 times as close its
# band, scaled to 28 px, is thinner than 0.6 of the mounting-height guess of a person (34 px) and
# counted as that thick (MIN_BAND_GUESS): 7/9 (7/7 before 2026-12-03, when a thin band was not
# widened and the trams counted 2-3 times over on one; see the next test)
ZOOM_FLOORS = {0.7: 1.0, 1.2: 1.0}  # 0.7: 7/9 until a tracked body's trailing motion was its own


def count_zoomed(clip: str, video: str, zoom: float) -> Score:
    """The clip as a camera `zoom` times as close would see it (`zoomed`), counted over its
    area where that picture shows it, scored against its ground truth."""
    truth = GroundTruth.load(DATA / f"{clip}.json")
    area = truth.area.as_cntpos()
    shift = zoom_shift(area, zoom)
    frames = (zoomed(image, zoom, shift) for image in decoded(clip_path(video)))
    return count_timed(enumerate(frames), truth.fps, truth, zoomed_area(area, zoom, shift))


@pytest.mark.parametrize("zoom", sorted(ZOOM_FLOORS))
def test_people_walking_apart_count_alike_from_a_higher_or_lower_camera(zoom: float) -> None:
    """The bus doorway as a camera 0.7 times as close (a higher mount or a wider lens: people
    87 px across where they were 125) or 1.2 times (lower) would see it, its area where that
    picture shows it: people one by one or side by side are tracked at any scale. A dense queue
    is not (docs/vision.md, "Another scale": tram 02 35 and 21)."""
    s = count_zoomed("bus_overhead_koba", "bus_overhead_koba.avi", zoom)
    assert s.combined_accuracy >= ZOOM_FLOORS[zoom], (
        f"zoom {zoom}: in {s.counted_in}/{s.true_in}, out {s.counted_out}/{s.true_out}"
    )


# Our own sure crossings of tram 03 (tests/real/README.md; boarding, in), not its hidden truth.
TRAM_03_SURE = (65, 103, 133, 163, 190, 203, 250, 290, 312, 358, 396, 450, 462, 525, 550, 600, 650)


def tram_03_passages(monkeypatch: pytest.MonkeyPatch, debt: float) -> list[Passage]:
    monkeypatch.setattr(scale_analyzer, "LEDGER_DEBT", debt)
    reference = GroundTruth.load(DATA / "tram_door_overhead_02.json")
    video = clip_path("tram_door_overhead_03.mp4")
    return count_file(video, params_for(reference.area, reference.in_direction, None)).passages


def test_a_crossing_the_motion_does_not_back_yet_waits_and_only_its_date_moves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Tram 03 had eight tracked crossings in frames 63-155 for four people, then one in frames
    190-358 for six: counted at once, the early ones left the balance in debt and the later
    people's motion only paid it. Those beyond one person of debt now wait for the motion that
    backs them and are dated by it (`LEDGER_DEBT`): the same count, and 11 of our 17 sure
    crossings matched within 1 s -> 14. Since the trams' frames are shrunk the fast way
    (vision/shrink.py, thirty-seventh session) the clip has fewer such pieces (five crossings
    in frames 60-138 for three people): waiting moves the dates of those counted ahead of their
    motion later (138 -> 144, 170 -> 173) and matches as many (12 either way)."""
    truth = [TrueEvent(frame, "in") for frame in TRAM_03_SURE]
    matched = {}
    dates = {}
    for debt in (math.inf, scale_analyzer.LEDGER_DEBT):
        passages = tram_03_passages(monkeypatch, debt)
        counted = [(p.frame or 0, p.direction) for p in passages]
        matched[debt] = (len(passages), match_events(counted, truth, 25.0))
        dates[debt] = [frame for frame, _ in counted]
    at_once, waiting = matched[math.inf], matched[scale_analyzer.LEDGER_DEBT]
    assert waiting[0] == at_once[0], matched
    assert waiting[1] >= at_once[1], matched
    moved = [
        (a, b) for a, b in zip(dates[math.inf], dates[scale_analyzer.LEDGER_DEBT], strict=True)
    ]
    assert all(b >= a for a, b in moved) and any(b > a for a, b in moved), moved


def count_tram_04(top: int, bottom: int) -> int:
    """Tram 04's alighting queue (out) counted over the door's x span between `top` and
    `bottom`."""
    area = {"width": 352, "height": 288, "left": 105, "right": 225, "radius": 0}
    area |= {"top": top, "bottom": bottom, "yfirst": top, "ylast": bottom}
    result = count_file(clip_path("tram_door_overhead_04.mp4"), params_for(area, "up", None))
    return sum(p.direction == "out" for p in result.passages)


@pytest.mark.parametrize(("top", "bottom"), [(70, 130), (80, 140), (60, 120)])
def test_a_thicker_band_does_not_halve_a_queue(top: int, bottom: int) -> None:
    """Tram 04 on bands 60 px thick instead of the door's 40: the size learnt from the closed
    mask ran away through the closing it sets (53 px for 40) and the queue counted 0/15, 0/17,
    0/14 for the 0/27 of the 40 px band (our hand count ~28). Bound by the unclosed blobs'
    thickness (`OPENED_MAX`): 0/20-0/26, within 30 % of the door band's count."""
    own = count_tram_04(80, 120)
    thick = count_tram_04(top, bottom)
    assert abs(thick - own) <= 0.3 * own, (own, thick)


def test_a_queue_seen_from_lower_down_counts_as_the_clip() -> None:
    """Tram 04 as a camera 1.2 times as close would see it, its area where that picture shows
    it: people 48 px wide were learnt 57 and the queue counted 0/18 for the clip's 0/27."""
    video = clip_path("tram_door_overhead_04.mp4")
    own = count_tram_04(80, 120)
    area = {"width": 352, "height": 288, "left": 105, "right": 225, "radius": 0}
    area |= {"top": 80, "bottom": 120, "yfirst": 80, "ylast": 120}
    shift = zoom_shift(area, 1.2)
    analyzer = Analyzer(params_for(zoomed_area(area, 1.2, shift), "up", None))
    analyzer.set_fps(25.0)
    passages: list[Passage] = []
    for i, image in enumerate(decoded(video)):
        frame = Frame(zoomed(image, 1.2, shift), i, EPOCH + timedelta(seconds=i / 25))
        passages += analyzer.process(frame)
    passages += analyzer.flush()
    out = sum(p.direction == "out" for p in passages)
    assert abs(out - own) <= 0.15 * own, (own, out)


# zoom -> floor of tram 02's queue seen from higher up (0.5 / 0.7 / 0.8: 31 / 35 / 34 for 23
# when it was analysed at 160 px whatever it learnt; now finer: 22 / 22 / 25)
QUEUE_ZOOM_FLOORS = {0.5: 0.9, 0.7: 0.9, 0.8: 0.9}


@pytest.mark.parametrize("zoom", sorted(QUEUE_ZOOM_FLOORS))
def test_a_queue_seen_from_higher_up_is_analysed_finer_and_counts_alike(zoom: float) -> None:
    """Tram 02's boarding queue as a camera `zoom` times as close would see it: its counting
    area, 120 of 352 px, becomes 60 / 84 / 96 px; people are learnt small at 160 px, so the
    analysis at the width that keeps the area a third of 160 px (`work_width`), run beside it
    from the first frame, goes on: people keep about the work pixels they had, and the queue
    counts within the hand count's tolerance (at 160 px: 31 / 35 / 34 for 23)."""
    s = count_zoomed("tram_door_overhead_02", "tram_door_overhead_02.mp4", zoom)
    assert s.combined_accuracy >= QUEUE_ZOOM_FLOORS[zoom], f"zoom {zoom}: in {s.counted_in}/23"


# (clip, width, height) -> how many passages the clip seen by a widescreen camera may count
# away from the clip as it is (the baseline's counts). Counted 2026-12-04: the bus 7/8 and 7/7,
# tram 02 22 and 23, tram 04 0/27 and 0/26; before a 16:9 picture's band was judged by the
# default guess across its whole width (the door's 100 / 150 px bands widened to 137 / 206 px),
# tram 04 0/17 and 0/21. Tram 03 at 1920x1080 17 (its baseline 18); 24 while the analysis width
# was chosen on its first 100 size samples whatever they said (7.5 %, on the line).
WIDESCREEN_SLACK = {
    ("bus_overhead_koba", 1280, 720): 1,
    ("tram_door_overhead_02", 1280, 720): 2,
    ("tram_door_overhead_02", 1920, 1080): 2,
    ("tram_door_overhead_03", 1920, 1080): 1,
    ("tram_door_overhead_04", 1280, 720): 1,
    ("tram_door_overhead_04", 1920, 1080): 1,
}


@pytest.mark.parametrize(("clip", "width", "height"), sorted(WIDESCREEN_SLACK))
def test_a_widescreen_camera_counts_the_doorway_as_the_clip(
    clip: str, width: int, height: int
) -> None:
    """The doorway as a 1280x720 or 1920x1080 camera would show it: the clip enlarged to the
    picture's height, plain floor either side (`widescreen`), its area where that picture shows
    it. People are as many pixels wide for the analysis as in the clip (a finer one: the door is
    under a third of the picture), and the wider picture does not make the default sizing's
    person wider: the count is the clip's."""
    base = BASELINE[clip]
    truth = GroundTruth.load(DATA / f"{base.get('area_from', clip)}.json")
    expected = (base["in"], base["out"]) if "in" in base else (truth.true_in, truth.true_out)
    size = (width, height)
    frames = (widescreen(image, size) for image in decoded(clip_path(base["video"])))
    fps = 15.0 if clip.startswith("bus") else 25.0
    area = widescreen_area(truth.area.as_cntpos(), size)
    s = count_timed(enumerate(frames), fps, truth, area)
    off = abs(s.counted_in - expected[0]) + abs(s.counted_out - expected[1])
    assert off <= WIDESCREEN_SLACK[(clip, width, height)], (
        f"{clip} at {width}x{height}: in {s.counted_in} / out {s.counted_out} for "
        f"{expected[0]} / {expected[1]}"
    )


# clip -> passages the picture turned by 180° may be off the clip as it is (2026-12-05: the bus
# 7/7 as it is; tram 02 25 for 24, the flow and the tracks are not exactly symmetric)
TURNED_SLACK = {"bus_overhead_koba": 0, "tram_door_overhead_02": 1}


@pytest.mark.parametrize("clip", sorted(TURNED_SLACK))
def test_a_camera_mounted_the_other_way_round_counts_as_the_clip(clip: str) -> None:
    """The picture turned by 180° (the area turned with it, `in` the other way up the picture):
    nothing in the counter favours a way of the picture, so the count is the clip's."""
    video = clip_path(BASELINE[clip]["video"])
    truth = GroundTruth.load(DATA / f"{clip}.json")
    fps = 15.0 if clip.startswith("bus") else 25.0
    as_is = count_timed(enumerate(decoded(video)), fps, truth)
    params = params_for(*turned(truth.area.as_cntpos(), truth.in_direction), None)
    upside_down = (cv2.rotate(image, cv2.ROTATE_180) for image in decoded(video))
    s = count_timed(enumerate(upside_down), fps, truth, params=params)
    off = abs(s.counted_in - as_is.counted_in) + abs(s.counted_out - as_is.counted_out)
    assert off <= TURNED_SLACK[clip], (
        f"{clip} turned: in {s.counted_in} / out {s.counted_out}, as it is "
        f"{as_is.counted_in} / {as_is.counted_out}"
    )


# clip -> passages the clip seen through a wide-angle lens may be off the clip as it is
# (2026-12-05, barrel 0.3: the bus 7/7, tram 02 23 for 24, tram 03 19/1, tram 04 0/29)
BARREL_SLACK = {"bus_overhead_koba": 0, "tram_door_overhead_02": 1}


@pytest.mark.parametrize("clip", sorted(BARREL_SLACK))
def test_a_wide_angle_lens_counts_as_the_clip(clip: str) -> None:
    """The picture bulged by a wide-angle lens's barrel distortion (a corner shows what lay 30 %
    further out, the edges squeezed; `barrelled`), the area where the lens shows it: people
    near the middle keep their size, those at the edges are squeezed, and the count is the
    clip's."""
    video = clip_path(BASELINE[clip]["video"])
    truth = GroundTruth.load(DATA / f"{clip}.json")
    fps = 15.0 if clip.startswith("bus") else 25.0
    area = barrelled_area(truth.area.as_cntpos(), 0.3)
    # the lens squeezes towards the middle: the bus's band across the whole picture narrows
    assert area["left"] >= truth.area.left and area["right"] <= truth.area.right
    as_is = count_timed(enumerate(decoded(video)), fps, truth)
    s = count_timed(enumerate(barrelled(decoded(video), 0.3)), fps, truth, area)
    off = abs(s.counted_in - as_is.counted_in) + abs(s.counted_out - as_is.counted_out)
    assert off <= BARREL_SLACK[clip], (
        f"{clip} through a wide lens: in {s.counted_in} / out {s.counted_out}, as it is "
        f"{as_is.counted_in} / {as_is.counted_out}"
    )


@pytest.mark.parametrize(("left", "right"), [(125, 205), (130, 200)])
def test_a_narrow_area_over_people_of_the_usual_size_keeps_the_usual_analysis(
    left: int, right: int
) -> None:
    """Tram 02 counted over a fifth or a quarter of the picture (its door is a third): people
    are not small at 160 px, so the first analysis goes on (analysed finer too, they were learnt
    too large and the queue counted 16 and 13 for 23)."""
    truth = GroundTruth.load(DATA / "tram_door_overhead_02.json")
    area = {**truth.area.as_cntpos(), "left": left, "right": right}
    frames = decoded(clip_path("tram_door_overhead_02.mp4"))
    s = count_timed(enumerate(frames), truth.fps, truth, area)
    assert s.combined_accuracy >= 0.9, f"x {left}-{right}: in {s.counted_in}/23"


# (clip, band px, told height cm or None) -> floor. On bands this thin (the doorway's own: 40 px)
# the bus counted 19/20 and 11/11 and tram 02 47 and 33 before a band thinner than 0.6 of the
# mounting-height guess of a person was counted as that thick (2026-12-03): now 7/10, 7/8, 24
# and 24.
THIN_BAND_FLOORS = {
    ("bus_overhead_koba", 10, None): 0.78,
    ("bus_overhead_koba", 20, None): 0.92,
    ("tram_door_overhead_02", 10, None): 0.95,
    ("tram_door_overhead_02", 20, None): 0.95,
    # told 450 cm the band was widened by that height's guess, 0.46 of the default's, until the
    # tenth session: the bus 15/13 and tram 02 35; now 9/10 and 25
    ("bus_overhead_koba", 10, 450): 0.64,
    ("tram_door_overhead_02", 10, 450): 0.91,
}


@pytest.mark.parametrize(("clip", "band", "height_cm"), sorted(THIN_BAND_FLOORS, key=str))
def test_a_counting_area_drawn_as_a_thin_line_does_not_count_people_over(
    clip: str, band: int, height_cm: int | None
) -> None:
    """The clip's area narrowed to `band` px about its middle line, as a user drawing a
    counting line rather than a band might: the size is learnt around it, and tracks cross it,
    as around a band 0.6 of the default sizing's person width thick (whatever the height told)."""
    truth = GroundTruth.load(DATA / f"{clip}.json")
    video = clip_path(BASELINE[clip]["video"])
    area = truth.area.as_cntpos()
    middle = (area["yfirst"] + area["ylast"]) // 2
    thin = area | {"top": middle - band // 2, "bottom": middle + band // 2}
    thin |= {"yfirst": thin["top"], "ylast": thin["bottom"]}
    result = count_file(video, params_for(thin, truth.in_direction, height_cm))
    s = score(truth, [(p.frame or 0, p.direction) for p in result.passages], truth.fps)
    assert s.combined_accuracy >= THIN_BAND_FLOORS[(clip, band, height_cm)], (
        f"{clip} on a {band} px band, told {height_cm} cm: in {s.counted_in}/{s.true_in}, "
        f"out {s.counted_out}/{s.true_out}"
    )


# clip -> floor when its hand count gives only line_y (no area): the band is 0.116 of the
# picture's width thick about the line, across the whole picture; a tenth of the picture's height
# either side before 2026-12-03 (the bus 8/7, tram 02 21), then 7/7 and 22; 7/7 and 21 since
# the learnt size is held once its window is full (2026-12-04, fourteenth session: the band's
# first 600 samples learn 35 px where the window sliding on ended at 33), held to the hand
# count's own tolerance of 2
LINE_ONLY_FLOORS = {"bus_overhead_koba": 1.0, "tram_door_overhead_02": 0.91}


@pytest.mark.parametrize("clip", sorted(LINE_ONLY_FLOORS))
def test_a_hand_count_of_a_line_alone_is_counted_on_a_person_sized_band(clip: str) -> None:
    raw = json.loads((DATA / f"{clip}.json").read_text())
    del raw["area"]
    truth = GroundTruth.from_json(raw)
    result = count_file(clip_path(raw["video"]), params_for(truth.area, truth.in_direction, None))
    s = score(truth, [(p.frame or 0, p.direction) for p in result.passages], truth.fps)
    assert s.combined_accuracy >= LINE_ONLY_FLOORS[clip], (
        f"{clip}, band {truth.area.yfirst}-{truth.area.ylast}: in {s.counted_in}/{s.true_in}, "
        f"out {s.counted_out}/{s.true_out}"
    )


# (clip, told mounting height in cm) -> how far the count may move from the baseline (the default
# 280 cm), in passages. Before 2026-12-03 (tenth session) the learnt size depended on the told
# height through the mask's closing (tram 04 told 200 / 450 cm: 0/14 and 0/40 for 0/27), and the
# size's upper bound held the bus's people, told 350 / 450 cm, at 0.76 / 0.52 of their width
# (12/11, 21/25 for 7/7); now 0/26, 0/27, 7/7, 9/7. The bus told 450 cm counted 9/7 until
# 2026-12-04 (twelfth session): its first people's motion, held in people of the 26 px guess,
# counted two more; it is now held in people of the learnt width once that is learnt: 7/7.
TOLD_HEIGHT_SLACK = {
    ("bus_overhead_koba", 350): 0,
    ("bus_overhead_koba", 450): 0,
    ("bus_overhead_koba", 600): 0,
    ("tram_door_overhead_04", 200): 1,
    ("tram_door_overhead_04", 450): 1,
}


@pytest.mark.parametrize(("clip", "height_cm"), sorted(TOLD_HEIGHT_SLACK))
def test_the_count_does_not_hang_on_the_mounting_height_told(clip: str, height_cm: int) -> None:
    """Learning the size (the default), the Height a user gives only starts it: a camera told
    200 or 450 cm counts as one left at the default."""
    base = BASELINE[clip]
    truth = GroundTruth.load(DATA / f"{base.get('area_from', clip)}.json")
    params = params_for(truth.area, truth.in_direction, height_cm)
    n_in, n_out = count_file(clip_path(base["video"]), params).counts
    if "combined_accuracy" in base:
        expected = (truth.true_in, truth.true_out)  # the bus counts exactly at the default
    else:
        expected = (base["in"], base["out"])
    off = abs(n_in - expected[0]) + abs(n_out - expected[1])
    assert off <= TOLD_HEIGHT_SLACK[(clip, height_cm)], (
        f"{clip} told {height_cm} cm: in {n_in} / out {n_out}, at the default {expected}"
    )


@pytest.mark.parametrize("clip", ["bus_overhead_koba", "tram_door_overhead_02"])
def test_a_clock_burned_into_the_picture_counts_nothing(clip: str) -> None:
    """CCTV recorders stamp the time on the picture: its digits change every tenth of a second,
    away from the doorway. Counted as the clip as it is."""
    truth = GroundTruth.load(DATA / f"{clip}.json")
    video = clip_path(BASELINE[clip]["video"])
    s = count_at_rate(clocked(decoded(video), truth.fps), truth.fps, truth)
    assert s.combined_accuracy == pytest.approx(BASELINE[clip]["combined_accuracy"], abs=TOLERANCE)


def test_frames_dropped_by_a_slow_box_keep_the_motion_difference_at_0_08_s() -> None:
    """Tram 02 with a third of its frames dropped at random, the analyzer told the rate they
    arrive at (16.7 fps), as `serve` tells it when the box is too slow for its camera: the
    motion difference spanned 1.3 frames of those (from 0.04 to 0.12 s), the smear and the size
    shrank, and 32 were counted for 23 (now 26). Its span is read off the frames' own times."""
    truth = GroundTruth.load(DATA / "tram_door_overhead_02.json")
    video = clip_path(truth.video)
    analyzer = Analyzer(params_for(truth.area, truth.in_direction, None))
    analyzer.set_fps(truth.fps * 2 / 3)
    passages: list[Passage] = []
    for index, image in dropped(decoded(video), 1 / 3, seed=0):
        when = EPOCH + timedelta(seconds=index / truth.fps)
        passages += analyzer.process(Frame(image, index, when))
    passages += analyzer.flush()
    s = score(truth, [(p.frame or 0, p.direction) for p in passages], truth.fps)
    assert s.combined_accuracy >= 0.85, f"in {s.counted_in}/{s.true_in}"


@pytest.mark.parametrize(
    ("clip", "beat", "steps", "floor"),
    [
        ("bus_overhead_koba", 0.1, 0.0, 1.0),
        ("tram_door_overhead_02", 0.1, 0.0, 0.85),
        ("bus_overhead_koba", 0.0, 0.12, 1.0),
    ],
)
def test_a_light_that_beats_or_steps_is_not_movement(
    clip: str, beat: float, steps: float, floor: float
) -> None:
    """Under a light beating by 10 % at 5 Hz (a camera at 25 fps under 60 Hz lamps) the motion
    difference took the whole doorway for movement (the bus 43/19 for 7/7, tram 02 nothing), and
    the background model's swollen foreground grew the learnt size (tram 02 13 once the motion
    difference was taken at one light); under an exposure stepping by 12 % every 3 s the bus
    counted 9/7. The motion difference's images are now taken at one light, and while the light
    beats the background model's threshold is raised: the bus 7/9, tram 02 20; stepping 7/7.
    The bus's two extra `out` were the trailing halves of two big people, swept wider by the
    beat, counted at the next lull; their tracks now claim that motion (`trailing_share`): 7/7."""
    truth = GroundTruth.load(DATA / f"{clip}.json")
    video = clip_path(truth.video)
    s = count_at_rate(lit(decoded(video), truth.fps, beat, steps), truth.fps, truth)
    assert s.combined_accuracy >= floor, f"in {s.counted_in}/{s.true_in}, out {s.counted_out}"


def test_a_light_switched_on_before_the_first_passenger_is_not_people() -> None:
    """The bus's light rises by 30 % over 2 s at 3 s, its doorway still empty: the background
    model, learning slowly over a still doorway, took the whole picture for foreground, its
    blobs set the person size, and the bus counted 12/7 for 7/7. The model now starts again
    from the new light (`BARE_LIGHT` in `vision/detect.py`): 7/7."""
    truth = GroundTruth.load(DATA / "bus_overhead_koba.json")
    video = clip_path(truth.video)
    s = count_at_rate(lit(decoded(video), truth.fps, switched=0.3), truth.fps, truth)
    assert s.combined_accuracy >= 0.93, f"in {s.counted_in}/{s.true_in}, out {s.counted_out}"


TRAM_02_TOLD_CM = 412  # the mounting height that gives tram 02's learnt width, 32 px


def counted_told(frames: Iterator[npt.NDArray[np.uint8]]) -> int:
    """Passages of tram 02's `frames` (as the clip, altered) counted told the person size
    (`Counter.AutoSize = 0`, TRAM_02_TOLD_CM)."""
    truth = GroundTruth.load(DATA / "tram_door_overhead_02.json")
    params = params_for(truth.area, truth.in_direction, TRAM_02_TOLD_CM, auto_size=False)
    s = count_timed(enumerate(frames), truth.fps, truth, params=params)
    return s.counted_in + s.counted_out


def test_told_the_person_size_a_darker_or_dimming_picture_counts_alike() -> None:
    """A picture exposed darker, or a light dimmed by 30 % while the queue waits, acts on the
    count only through the learnt person size (docs/vision.md, "exposed 0.8"): told the size
    (`Counter.AutoSize = 0`, the height that gives tram 02's learnt 32 px), the flow, the tracks
    and the line count tram 02 alike in all three (27 each, measured 2026-12-04); learning the
    size they count 24, 58 and 49."""
    truth = GroundTruth.load(DATA / "tram_door_overhead_02.json")
    video = clip_path(truth.video)
    as_is = counted_told(decoded(video))
    darker = counted_told(lit(decoded(video), truth.fps, exposure=0.7))
    dimmed = counted_told(lit(decoded(video), truth.fps, switched=-0.3))
    assert abs(as_is - truth.true_in) <= 5, f"told the size: {as_is} for {truth.true_in}"
    assert abs(darker - as_is) <= 1 and abs(dimmed - as_is) <= 1, (
        f"as is {as_is}, exposed 0.7 {darker}, dimmed 30 % {dimmed}"
    )


@pytest.mark.parametrize(
    ("contrast", "gamma", "blur"), [(0.8, 1.0, 0.0), (1.0, 0.7, 0.0), (1.0, 1.4, 0.0), (1, 1, 2.0)]
)
def test_told_the_person_size_another_tone_curve_or_a_soft_lens_counts_alike(
    contrast: float, gamma: float, blur: float
) -> None:
    """Another camera's tone curve (a flatter picture, lighter or darker mid-tones) or a lens
    out of focus moves the learnt person size as a darker exposure does (tram 02 42, 47, 16, 20
    for 23 learning it; docs/vision.md, "Tone curves and focus"); told the size, the count is
    the one as the clip is, within one (27 / 26-27, measured 2026-12-05)."""
    video = clip_path("tram_door_overhead_02.mp4")
    frames = graded(decoded(video), contrast, gamma)
    other = counted_told(blurred(frames, blur) if blur else frames)
    as_is = counted_told(decoded(video))
    assert abs(other - as_is) <= 1, f"as is {as_is}, in the other tone or focus {other}"


def test_a_learnt_size_is_held_when_the_light_dims_on_a_running_counter() -> None:
    """Tram 02, then the same frames played backwards (its 23 boarding become 23 alighting, with
    no bare doorway between: the counter runs on), its light dimmed by 30 % over 2 s from 3 s
    into them. Learning on, the size followed the dimmer blobs from 33 px down to 19 and the
    alighting counted 64 (44 undimmed: the thickness follows the way the queue moves too); held
    once its 600 samples are in, the size stays and they count 26."""
    truth = GroundTruth.load(DATA / "tram_door_overhead_02.json")
    images = list(decoded(clip_path(truth.video)))
    frames = images + list(lit(iter(images[::-1]), truth.fps, switched=-0.3))
    analyzer = Analyzer(params_for(truth.area, truth.in_direction, None))
    analyzer.set_fps(truth.fps)
    passages: list[Passage] = []
    for index, image in enumerate(frames):
        when = EPOCH + timedelta(seconds=index / truth.fps)
        passages += analyzer.process(Frame(image, index, when))
    passages += analyzer.flush()
    boarding = [p for p in passages if (p.frame or 0) < len(images)]
    alighting = [p for p in passages if (p.frame or 0) >= len(images)]
    n_in = sum(p.direction == "in" for p in boarding)
    n_out = sum(p.direction == "out" for p in alighting)
    assert abs(n_in - truth.true_in) <= 2, f"forward: {n_in} in for {truth.true_in}"
    assert abs(n_out - truth.true_in) <= 4, f"backwards, dimmed: {n_out} out for {truth.true_in}"


@pytest.mark.parametrize("clip", ["bus_overhead_koba", "tram_door_overhead_02"])
def test_a_camera_knocked_a_few_pixels_counts_as_a_steady_one(clip: str) -> None:
    """The camera knocked by 4 px (2 px down) at 5 s and left there: before the bus's first
    passenger, the background model saw every edge of the empty doorway move and the bus counted
    13/7 for 7/7; the stabiliser now reports the knock and the model starts again from the new
    view (`Stabiliser.knocked`, `ForegroundDetector.camera_moved`). Tram 02's queue, standing
    in the doorway at 5 s, is left to the model's own learning, as before."""
    truth = GroundTruth.load(DATA / f"{clip}.json")
    video = clip_path(truth.video)
    s = count_at_rate(knocked(decoded(video), truth.fps, 4.0), truth.fps, truth)
    assert s.combined_accuracy >= 0.93, f"in {s.counted_in}/{s.true_in}, out {s.counted_out}"


def test_a_grainy_picture_does_not_add_up_to_people() -> None:
    """The dark bus with grain of 6 grey levels on every pixel: the flow's random vectors,
    netted per segment, added a little of both ways every window and 10/10 were counted for
    7/7. Motion across the line counts nothing once no one has been near it for a while (then
    7/8: a big person's trailing half, counted again at the next lull, is now their track's)."""
    truth = GroundTruth.load(DATA / "bus_overhead_koba.json")
    video = clip_path(truth.video)
    s = count_at_rate(grainy(decoded(video), 6.0), truth.fps, truth)
    assert s.combined_accuracy == 1.0, (
        f"in {s.counted_in}/{s.true_in}, out {s.counted_out}/{s.true_out}"
    )


@pytest.mark.parametrize("quality", [10, 12])
def test_a_heavily_compressed_mjpeg_stream_counts_as_the_clip(quality: int) -> None:
    """The bus as a camera's MJPEG stream at JPEG quality 10 or 12: its flat black floor
    flickers block by block, and MOG2, which had learnt that floor's variance down to 2 grey
    levels, took each flicker for someone (74/60 and 29/17 for 7/7). A blocky picture raises
    MOG2's variance floor (`vision/blocking.py`)."""
    truth = GroundTruth.load(DATA / "bus_overhead_koba.json")
    video = clip_path(truth.video)
    s = count_at_rate(jpeg(decoded(video), quality), truth.fps, truth)
    assert s.combined_accuracy == 1.0, (
        f"in {s.counted_in}/{s.true_in}, out {s.counted_out}/{s.true_out}"
    )


def test_dropped_frames_do_not_stretch_the_motion_difference() -> None:
    """Tram 02 with a fifth of its frames dropped at random (a camera or a box too slow), the
    others at their own times: the motion difference is taken 0.08 s back by time, not two
    frames back (then 0.12 s or more after a drop, the learnt size grew: 19 for 23)."""
    truth = GroundTruth.load(DATA / "tram_door_overhead_02.json")
    s = count_timed(dropped(decoded(clip_path(truth.video)), 0.2), truth.fps, truth)
    assert s.combined_accuracy >= 0.95, (s.counted_in, s.counted_out)


def test_the_first_people_are_not_split_while_the_size_is_a_guess() -> None:
    """The bus at half its frame rate: its first people cross while the person size is still
    the mounting-height guess (57 px for 120), each is split in pieces and every piece was
    counted (9 in for 7, precision 0.80). Held until the size is learnt, the pieces of one
    person are one passage."""
    video = clip_path("bus_overhead_koba.avi")
    truth = GroundTruth.load(DATA / "bus_overhead_koba.json")
    s = count_at_rate(decoded(video, 2), 7.5, truth)
    assert s.counted_in <= 7 and s.precision >= 0.9, (s.counted_in, s.counted_out, s.precision)


# Counting areas one could draw across the bus's door (top, bottom): the default one `footfall
# count` and a new counter take (90, 150) and others 40-80 px thick about the door's middle.
BUS_AREAS = [(90, 150), (80, 140), (95, 145), (100, 160), (85, 165), (90, 130)]


@pytest.mark.parametrize(("top", "bottom"), BUS_AREAS)
def test_the_first_passenger_is_one_passage_on_any_area_across_the_door(
    top: int, bottom: int
) -> None:
    """The bus's first passenger, a broad man walking fast into view, is cut in pieces while the
    person size is still being learnt (57 px after 20 size samples, 72 after 25, 114 after 30,
    125 in the end). The pieces waited only for the first 20 samples: on most areas other than
    the hand count's own (100-140) they crossed after them and counted three (9/7 for 7/7).
    Passages now wait until the learnt size stops moving."""
    video = clip_path("bus_overhead_koba.avi")
    area = {"width": 320, "height": 240, "left": 0, "right": 320, "radius": 0}
    area |= {"top": top, "bottom": bottom, "yfirst": top, "ylast": bottom}
    result = count_file(video, params_for(area, "up", None))
    n_in = sum(p.direction == "in" for p in result.passages)
    assert (n_in, len(result.passages) - n_in) == (7, 7)


def test_a_broad_first_person_is_one_passage_when_counting_starts_mid_clip() -> None:
    """The bus counted from its 14th second (frame 210; 5 in / 7 out cross after it): its first
    person, broad and blurred, comes while the size is learnt from 20 samples of him (101 px for
    the 124 the whole clip learns) and is split in two tracks 75 px apart, 0.74 of that width.
    Pieces are judged within 0.8 of the width just learnt (`SAME_PERSON_WIDTHS`; 0.6 let both
    through, 6 in): a pair side by side is a width apart or more."""
    truth = GroundTruth.load(DATA / "bus_overhead_koba.json")
    frames = decoded(clip_path("bus_overhead_koba.avi"))
    s = count_timed(((i, f) for i, f in enumerate(frames) if i >= 210), 15.0, truth)
    assert s.counted_in == 5, (s.counted_in, s.counted_out)


def test_motion_the_flow_partly_missed_still_backs_tracked_people() -> None:
    """The bus at a third of its frame rate (5 fps): the flow measures a half of its people's
    motion, and when the tracked crossings were checked against the way's balance net of the
    crossings before them, real people were refused (6 in / 4 out of 7 / 7; with the slow
    background learning of an empty doorway 6 / 3, recall 0.57). Checked against the motion of
    the last frames that way, they count (8 / 4, 11 of 14 true passages matched). The `out` at
    825 then still had 0.14 of a person's motion behind it, under the 0.2 the check asked for
    (the flow of people stepping down out of the bus at 5 fps is a fraction of what it is at
    15); at 0.1 it counts (7 / 5, 12 matched), while the crossings of tracks that jumped between
    people, with 0.00-0.05 behind them, are still refused. Since DIS starts from the flow of the
    frame before, moved on by itself (`FLOW_CARRY`), the flow keeps up with these steps and all
    14 are matched (8 / 7: the pair at 501-503 leaves 0.7 of a person more, counted in the lull
    after it)."""
    video = clip_path("bus_overhead_koba.avi")
    truth = GroundTruth.load(DATA / "bus_overhead_koba.json")
    s = count_at_rate(decoded(video, 3), 5.0, truth)
    assert s.recall >= 0.99 and s.precision >= 0.9, (s.counted_in, s.counted_out, s.matched)


def test_a_long_empty_doorway_does_not_make_the_next_queue_one_blob() -> None:
    """Between two trams the doorway stands empty for minutes. A background model that relearnt
    the bare floor then saw the next queue as one thick blob: the learnt person width grew a
    third (33 -> 44 px on tram 02 after 30 s) and the queue was under-counted (19 of 23); with the
    model learning a hundred times slower while the doorway is empty and still, it drifted from
    pass to pass instead (tram 02 with 3 s of empty doorway between passes: 24 / 25 / 22 / 19).
    A queue arriving at once in a doorway empty for half a second now starts the model and the
    person size again, and every pass counts as the first."""
    video = clip_path("tram_door_overhead_02.mp4")
    truth = GroundTruth.load(DATA / "tram_door_overhead_02.json")
    images = list(decoded(video))
    gap = [empty_doorway(images)] * round(3 * truth.fps)
    analyzer = Analyzer(params_for(truth.area, truth.in_direction, None))
    analyzer.set_fps(truth.fps)
    counts: list[int] = []
    widths: list[float] = []
    index = 0
    for stream in (images, gap + images, gap + images, gap + images):
        passages: list[Passage] = []
        for image in stream:
            passages += analyzer.process(Frame(image, index, EPOCH))
            index += 1
        passages += analyzer.flush()
        counts.append(sum(p.direction == "in" for p in passages))
        widths.append(analyzer.person_px)
    assert all(abs(c - counts[0]) <= 1 for c in counts), (counts, widths)
    assert all(abs(w - widths[0]) < 0.1 * widths[0] for w in widths), (counts, widths)


@pytest.mark.parametrize("clip", sorted(k for k in BASELINE if k.startswith("tram")))
def test_a_queue_arriving_at_once_after_an_empty_doorway_counts_as_from_the_start(
    clip: str,
) -> None:
    """A counter switched on over an empty doorway, then a door opens on a queue: a background
    model that knew only the bare floor saw it as solid blobs, learnt a person a fifth too wide
    and counted 14 / 16 / 14 on the trams (1 s of their empty doorway first) for 24 / 18 / 27
    counted from their first frame. The model now starts again when the queue arrives."""
    base = BASELINE[clip]
    truth = GroundTruth.load(DATA / f"{base.get('area_from', clip)}.json")
    images = list(decoded(clip_path(base["video"])))
    analyzer = Analyzer(params_for(truth.area, truth.in_direction, None))
    analyzer.set_fps(truth.fps)
    passages = run_through(analyzer, [empty_doorway(images)] * round(truth.fps) + images)
    counted = [sum(p.direction == way for p in passages) for way in ("in", "out")]
    if "combined_accuracy" in base:
        expected = [truth.true_in, truth.true_out]
        slack = [truth.tolerance_in, truth.tolerance_out]
    else:
        expected, slack = [base["in"], base["out"]], [1, 1]
    assert all(abs(c - e) <= d for c, e, d in zip(counted, expected, slack, strict=True)), (
        counted,
        expected,
    )


def test_passages_on_the_bus_are_dated_when_their_people_crossed_the_line() -> None:
    """The bus's hand count marks the frame each body centre crosses the line (±2 frames). Its
    passages, all tracked, are dated by the frame their track crossed the middle of the area:
    a median of 1 frame from the marked one (2.5 when they were dated when the track left the
    area), and their times are those frames' times: the file's own timestamps, which run 40
    frames (2.67 s) ahead of frame / 15 fps by the end (the AVI has 31 empty chunks, frames its
    recorder lost); before 2026-12-04 they were frame / fps."""
    video = clip_path("bus_overhead_koba.avi")
    truth = GroundTruth.load(DATA / "bus_overhead_koba.json")
    result = count_file(video, params_for(truth.area, truth.in_direction, None))
    capture = cv2.VideoCapture(str(video))
    stamps = []
    while capture.grab():
        stamps.append(capture.get(cv2.CAP_PROP_POS_MSEC) / 1000)
    capture.release()
    assert result.fps == 15.0 and round((stamps[-1] - len(stamps) / 15) * 15) == 39
    offsets = []
    for p in result.passages:
        assert p.frame is not None
        assert p.time == EPOCH + timedelta(seconds=round(stamps[p.frame] * 15) / 15)
        same_way = [e.frame for e in truth.events if e.direction == p.direction]
        offsets.append(min(abs(p.frame - f) for f in same_way))
    assert len(offsets) == 14 and float(np.median(offsets)) <= 1.5, offsets


def test_a_file_that_lost_frames_is_counted_on_its_own_timeline(tmp_path: Path) -> None:
    """The bus written again without a third of its frames (seeded), the others keeping their
    timestamps: OpenCV states the average rate (10.4 fps). Timed by index at that rate, as
    before 2026-12-04, the motion, tracks and passages ran on a timeline that stretched every
    gap to one frame and counted 6/6; timed by the file's timestamps, at the 15 fps they show,
    7/7 with the passages at the frames' own times."""
    video = clip_path("bus_overhead_koba.avi")
    truth = GroundTruth.load(DATA / "bus_overhead_koba.json")
    kept = list(dropped(decoded(video), 0.33, seed=0))
    lossy = written_lossy(iter(kept), tmp_path / "bus_lossy.mp4", 15)
    capture = cv2.VideoCapture(str(lossy))
    stated = capture.get(cv2.CAP_PROP_FPS)
    capture.release()
    assert 10 < stated < 11
    params = params_for(truth.area, truth.in_direction, None)
    result = count_file(lossy, params)
    assert result.fps == 15.0 and result.counts == (7, 7)
    for p in result.passages:
        assert p.frame is not None
        assert p.time == EPOCH + timedelta(seconds=kept[p.frame][0] / 15)


@pytest.mark.parametrize("suffix", [".hevc.mp4", ".av1.mkv", ".vp9.webm", ".mjpeg.avi"])
def test_a_recording_in_another_codec_counts_alike(tmp_path: Path, suffix: str) -> None:
    """The bus stored as cameras and recorders of today store it — H.265 in MP4, AV1 in
    Matroska, VP9 in WebM, Motion JPEG in AVI — is decoded and timed as the original: 7/7,
    every passage matched to its true crossing (2026-12-06: all four so)."""
    video = clip_path("bus_overhead_koba.avi")
    truth = GroundTruth.load(DATA / "bus_overhead_koba.json")
    stored = reencoded(video, tmp_path / f"bus{suffix}")
    result = count_file(stored, params_for(truth.area, truth.in_direction, None))
    assert result.frames == truth.frames and result.fps == truth.fps
    s = score(truth, [(p.frame or 0, p.direction) for p in result.passages], truth.fps)
    assert (s.counted_in, s.counted_out) == (7, 7)
    assert s.precision == 1.0 and s.recall == 1.0, s


def test_the_held_pieces_are_judged_at_the_size_just_learnt() -> None:
    """The bus at a third of its frame rate (5 fps): its first person crosses while the size is
    the mounting-height guess (57 px for ~120) and is cut in three pieces, all held. The hold was
    released at the width of the last frame's boxes, still the guess, and two of the pieces
    passed as people (8 in for 7); released at the width the detector has just learnt, they are
    one passage: the first 300 frames hold three true ins and count three."""
    video = clip_path("bus_overhead_koba.avi")
    truth = GroundTruth.load(DATA / "bus_overhead_koba.json")
    s = count_at_rate(decoded(video, 3), 5.0, truth)
    early = [p for p in s.pairs if p.direction == "in" and (p.counted or p.true or 0) < 300]
    assert len(early) == 3 and all(p.counted and p.true for p in early), early


def test_a_setparams_of_something_else_does_not_disturb_the_count() -> None:
    """An operator switching an alarm on and off every 4 s while the bus is counted: each
    setparams sent the person size back to the mounting-height guess (57 px for ~120) and the
    people after it were cut in pieces, 16 in / 20 out for 7 / 7."""
    video = clip_path("bus_overhead_koba.avi")
    truth = GroundTruth.load(DATA / "bus_overhead_koba.json")
    params = params_for(truth.area, truth.in_direction, None)
    analyzer = Analyzer(params)
    analyzer.set_fps(truth.fps)
    passages: list[Passage] = []
    for index, image in enumerate(decoded(video)):
        if index % 60 == 30:
            params = params.model_copy(deep=True)
            params.Alarm.TailgatingEnable = 1 - params.Alarm.TailgatingEnable
            analyzer.set_params(params)
        passages += analyzer.process(Frame(image, index, EPOCH))
    passages += analyzer.flush()
    s = score(truth, [(p.frame or 0, p.direction) for p in passages], truth.fps)
    assert (s.counted_in, s.counted_out) == (7, 7)


def run_through(
    analyzer: Analyzer, images: list[npt.NDArray[np.uint8]], start: int = 0
) -> list[Passage]:
    """What `analyzer` counts in `images` (numbered from `start`), flushed at their end."""
    passages: list[Passage] = []
    for index, image in enumerate(images, start):
        passages += analyzer.process(Frame(image, index, EPOCH))
    return passages + analyzer.flush()


@pytest.mark.parametrize("clip", ["bus_overhead_koba", "tram_door_overhead_02"])
def test_a_counter_restarted_mid_queue_goes_on_with_the_size_it_had(clip: str) -> None:
    """Counter restarted half-way through the clip (a deploy, a crash, a power cut). Started
    afresh, its background model takes whoever stands in the door for the floor, the blobs of the
    people who then move are torn and the size learnt from them is far too small (tram 02:
    19-24 px for 33; 21 passages for the 10 of the second half, the bus 6/4 for 4/4). Going on
    from the samples the run before learnt (`restore_size`, kept in the data directory by
    `footfall serve`), the second half counts as the whole clip does."""
    truth = GroundTruth.load(DATA / f"{clip}.json")
    video = clip_path(truth.video)
    images = list(decoded(video))
    half = len(images) // 2
    params = params_for(truth.area, truth.in_direction, None)
    before = Analyzer(params)
    before.set_fps(truth.fps)
    first = run_through(before, images[:half])
    after = Analyzer(params)
    after.set_fps(truth.fps)
    after.restore_size(before.size_samples())
    second = run_through(after, images[half:], half)
    for way in ("in", "out"):
        true = sum(e.direction == way for e in truth.events if e.frame >= half)
        got = sum(p.direction == way for p in second)
        assert abs(got - true) <= 1, (way, got, true, len(first))


def test_a_counter_restarted_on_an_empty_doorway_counts_the_next_queue() -> None:
    """Restarted at night, the counter watches the empty doorway; the first queue of the
    morning then stands out whole against the bare floor. Learning the size afresh from it took
    the queue for one person: tram 02 after 1 s / 12 s of empty doorway counted 14 / 0 of 23;
    going on from the samples of the run before, 23 / 20. The queue arriving at once now starts
    the background model and the size afresh, as if the counter had been switched on with the
    queue there: 23 / 23."""
    truth = GroundTruth.load(DATA / "tram_door_overhead_02.json")
    images = list(decoded(clip_path(truth.video)))
    params = params_for(truth.area, truth.in_direction, None)
    earlier = Analyzer(params)
    earlier.set_fps(truth.fps)
    run_through(earlier, images)
    empty = empty_doorway(images)
    counts = []
    for seconds in (1, 12):
        restarted = Analyzer(params)
        restarted.set_fps(truth.fps)
        restarted.restore_size(earlier.size_samples())
        passages = run_through(restarted, [empty] * round(seconds * truth.fps) + images)
        counts.append(sum(p.direction == "in" for p in passages))
    assert all(abs(c - truth.true_in) <= truth.tolerance_in for c in counts), counts


def test_a_fast_step_is_measured_from_the_flow_carried_on() -> None:
    """The bus at a third of its frame rate: a person moves a third of their width between
    frames and DIS started from zero keeps 13-65 % of it. Started from the last flow carried on
    (`ahead`, `FLOW_CARRY`) it measures more of every step: the flow summed across the middle
    line over the clip."""
    images = list(decoded(clip_path("bus_overhead_koba.avi"), 3))
    line = np.stack([np.arange(0.0, 320.0, 4.0), np.full(80, 120.0)], axis=1)
    swept = []
    for carry in (0.0, track.FLOW_CARRY):
        field = MotionField()
        total = 0.0
        with pytest.MonkeyPatch.context() as patched:
            patched.setattr(track, "FLOW_CARRY", carry)
            for image in images:
                field.update(image, (0, 40, 320, 200), person_px=120.0)
                total += float(np.abs(np.nan_to_num(field.displacement(line)[:, 1])).sum())
        swept.append(total)
    assert swept[1] > 1.4 * swept[0], swept  # 2026-12-03: 1.63 times as much


@pytest.mark.parametrize("start_s", [1.0, 1.4, 1.8])
def test_a_queue_counted_from_a_moment_after_its_start_learns_a_person_not_a_piece(
    start_s: float,
) -> None:
    """Tram 02 counted by a counter switched on 1-2 s into it (an RTSP stream joined late, a
    recording cut there): the queue's torn mask, closed by 3 work px while the size was small,
    stayed in thin blobs that taught a smaller size still (27.5-31.6 px) and counted 30 / 31 /
    27 for 22 / 21 / 21; the closing of a torn mask is now at least CLOSE_MIN_TORN_PX (22-25)."""
    truth = GroundTruth.load(DATA / "tram_door_overhead_02.json")
    first = round(start_s * truth.fps)
    after = tuple(e for e in truth.events if e.frame >= first)
    later = replace(truth, events=after, true_in=len(after), true_out=0)
    frames = itertools.islice(enumerate(decoded(clip_path(truth.video))), first, None)
    s = count_timed(frames, truth.fps, later)
    assert s.combined_accuracy >= 0.8, f"from {start_s} s: in {s.counted_in} for {later.true_in}"


def test_a_door_where_people_never_crowd_counts_only_the_people_followed() -> None:
    """`Counter.Crowds = 0` (`--no-crowds`): the motion no track claimed counts no one. The
    bus, whose people the tracks all follow, counts 7/7 either way; tram 02's queue, ten of whose
    24 passages come from its motion, counts only its tracked passages: what an installer gets
    who tells a crowded door it never crowds."""
    counted = {}
    for clip in ("bus_overhead_koba", "tram_door_overhead_02"):
        truth = GroundTruth.load(DATA / f"{clip}.json")
        video = clip_path(BASELINE[clip]["video"])
        crowds = count_file(video, params_for(truth.area, truth.in_direction, None))
        alone = count_file(video, params_for(truth.area, truth.in_direction, None, crowds=False))
        tracked = [p for p in crowds.passages if p.track_id is not None]
        assert all(p.track_id is not None for p in alone.passages), clip
        if clip == "bus_overhead_koba":
            assert alone.counts == crowds.counts == (truth.true_in, truth.true_out)
        else:
            assert len(alone.passages) < len(crowds.passages), (alone.counts, crowds.counts)
            assert abs(len(alone.passages) - len(tracked)) <= 2, (alone.counts, len(tracked))
        counted[clip] = len(crowds.passages)
    # tram 02 told by a setparams while it runs, as an installer would
    truth = GroundTruth.load(DATA / "tram_door_overhead_02.json")
    analyzer = Analyzer(params_for(truth.area, truth.in_direction, None))
    analyzer.set_fps(truth.fps)
    passages: list[Passage] = []
    for index, image in enumerate(decoded(clip_path(BASELINE["tram_door_overhead_02"]["video"]))):
        if index == 1:
            analyzer.set_params(params_for(truth.area, truth.in_direction, None, crowds=False))
        passages += analyzer.process(Frame(image, index, EPOCH))
    passages += analyzer.flush()
    assert passages and all(p.track_id is not None for p in passages)
    assert len(passages) < counted["tram_door_overhead_02"]


def counted_after(
    frames: list[npt.NDArray[np.uint8]], first: list[npt.NDArray[np.uint8]]
) -> list[tuple[int, str]]:
    """Tram 02's passages (frame in the clip, direction) counted with `first` shown before it."""
    truth = GroundTruth.load(DATA / "tram_door_overhead_02.json")
    analyzer = Analyzer(params_for(truth.area, truth.in_direction, None))
    analyzer.set_fps(truth.fps)
    passages: list[Passage] = []
    for index, image in enumerate([*first, *frames]):
        when = EPOCH + timedelta(seconds=index / truth.fps)
        passages += analyzer.process(Frame(image, index, when))
    passages += analyzer.flush()
    return sorted(((p.frame or 0) - len(first), p.direction) for p in passages)


@functools.cache
def tram_02_alone() -> tuple[list[npt.NDArray[np.uint8]], list[tuple[int, str]]]:
    """Tram 02's frames and the passages the clip alone counts (once for the tests below)."""
    frames = list(decoded(clip_path(BASELINE["tram_door_overhead_02"]["video"])))
    return frames, counted_after(frames, [])


@pytest.mark.parametrize("first", ["black", "card"])
def test_a_recording_that_begins_black_or_on_a_card_counts_as_the_clip(first: str) -> None:
    """Tram 02 begun with three black frames (a camera's sensor starting) or a second of a
    recorder's captioned card: the black frames are skipped, the card is cut from, and the clip
    counts to the passage as it does alone. Before (2026-12-06), the background model started on
    the black frames or the card, took the whole doorway for people and learnt the person size
    from it: 12 and 23 for the clip's 24, the dates all moved."""
    frames, alone = tram_02_alone()
    h = frames[0].shape[0]
    if first == "black":
        shown = [np.zeros_like(frames[0])] * 3
    else:
        titled = np.full_like(frames[0], 90)
        cv2.putText(titled, "CAM 2", (20, h // 2), cv2.FONT_HERSHEY_SIMPLEX, 3.0, (240,) * 3, 8)
        shown = [titled] * 25
    assert abs(len(alone) - 23) <= 2  # within the hand count's tolerance (24 on 2026-12-06)
    assert counted_after(frames, shown) == alone


def test_a_recording_that_fades_in_counts_as_the_clip() -> None:
    """Tram 02 fading in from black over its first second (a video editor's fade, a camera's
    exposure settling): its stream starts where the picture's level holds, and it counts the
    clip's own passages to within one (the first second's are faded out of it). Before
    (2026-12-06) the background model started on the dark frames and took the whole doorway
    for people as it brightened: 11 for 24."""
    frames, alone = tram_02_alone()
    faded = [np.asarray(f * min(1.0, i / 25), np.uint8) for i, f in enumerate(frames)]
    assert abs(len(counted_after(faded, [])) - len(alone)) <= 1, len(alone)


def test_torn_frames_over_an_empty_doorway_count_nothing() -> None:
    """The bus with three of its frames torn (their lower half grey, as a JPEG cut short
    decodes) while its doorway is empty: each is known by the picture going back after it, and
    skipped; the bus counts 7/7, every passage matched. Before (2026-12-06) the background
    model took each grey half for people and learnt the person size from it: 10/8."""
    video = clip_path("bus_overhead_koba.avi")
    truth = GroundTruth.load(DATA / "bus_overhead_koba.json")
    frames = list(decoded(video))
    for at in (100, 400, 700):
        frames[at] = frames[at].copy()
        frames[at][frames[at].shape[0] // 2 :] = 128
    s = count_at_rate(iter(frames), truth.fps, truth)
    assert (s.counted_in, s.counted_out) == (7, 7)
    assert s.precision == 1.0 and s.recall == 1.0, s


def band_torn(
    image: npt.NDArray[np.uint8], area: Any, share: float, fill: str
) -> npt.NDArray[np.uint8]:
    """`image` with a band `share` of its height high lost across the middle of the counting
    `area` (a slice of the frame lost on its way): filled grey, or its rows smeared down."""
    out = image.copy()
    h = image.shape[0]
    middle = (area.top + area.bottom) / 2 * h / area.height
    top, bottom = round(middle - share * h / 2), round(middle + share * h / 2)
    out[top:bottom] = 128 if fill == "grey" else out[top - 1]
    return out


@pytest.mark.parametrize(
    ("clip", "fill", "before"),
    [("bus_overhead_koba", "grey", 19), ("tram_door_overhead_02", "smeared", 27)],
)
def test_a_band_torn_across_the_area_counts_nothing(clip: str, fill: str, before: int) -> None:
    """A band of a sixth of the picture's height lost across the counting area (a slice of the
    frame lost on its way) in a few frames, grey on the bus (its doorway empty or not), smeared
    down on tram 02 through its queue: each such frame is known by its band, smoothed and gone
    in the next frame, and skipped; the clips count as they do whole (within one passage: a
    frame skipped in a dense queue). Before (2026-12-07): `before` passages, the bus 12/7 for
    7/7 and tram 02 27 for 23 (24 whole)."""
    truth = GroundTruth.load(DATA / f"{clip}.json")
    frames = list(decoded(clip_path(truth.video)))
    whole = count_at_rate(iter(frames), truth.fps, truth)
    at = (100, 400, 700) if clip == "bus_overhead_koba" else (150, 250, 400, 600)
    for index in at:
        frames[index] = band_torn(frames[index], truth.area, 1 / 6, fill)
    s = count_at_rate(iter(frames), truth.fps, truth)
    got, whole_n = s.counted_in + s.counted_out, whole.counted_in + whole.counted_out
    assert abs(got - whole_n) <= 1 < before - whole_n, (s.counted_in, s.counted_out, whole_n)
    if clip == "bus_overhead_koba":
        assert (s.counted_in, s.counted_out) == (7, 7) and s.precision == 1.0


def counted_each(
    frames: list[npt.NDArray[np.uint8]],
    params: Params,
    fps: float,
    switched: tuple[int, Params] | None = None,
) -> list[tuple[int, str]]:
    """(frame, direction) of every passage counted in `frames`, shown at `fps` (`switched`:
    the params set by a setparams before that frame)."""
    analyzer = Analyzer(params)
    analyzer.set_fps(fps)
    passages: list[Passage] = []
    for index, image in enumerate(frames):
        if switched is not None and index == switched[0]:
            analyzer.set_params(switched[1])
        passages += analyzer.process(Frame(image, index, EPOCH + timedelta(seconds=index / fps)))
    passages += analyzer.flush()
    return sorted(((p.frame or 0), p.direction) for p in passages)


def bus_and_tram_shrunk() -> tuple[
    GroundTruth, list[npt.NDArray[np.uint8]], list[npt.NDArray[np.uint8]], Params
]:
    """Tram 02's truth, the bus's frames, tram 02's shrunk to the bus's 320x240, and the params
    of tram 02's area at that size."""
    truth = GroundTruth.load(DATA / "tram_door_overhead_02.json")
    bus = list(decoded(clip_path("bus_overhead_koba.avi")))
    tram = [cv2.resize(f, (320, 240), interpolation=cv2.INTER_AREA) for f in tram_02_alone()[0]]
    area = {k: round(v * 320 / truth.area.width) for k, v in asdict(truth.area).items()}
    return truth, bus, tram, params_for(area, truth.in_direction, None)


def test_a_recording_cut_from_one_view_to_another_counts_each_as_alone() -> None:
    """The bus, then tram 02 shrunk to the bus's picture, edited into one recording and
    counted over tram 02's area: after the cut the view is another, and the second part counts
    its own passages to the frame, as when counted alone (so did the bus after tram 02,
    2026-12-07). Before
    (2026-12-07) the 50 pictures before the view was checked were counted with the person size
    of the view left: the tram part 23 where it counts 25 alone."""
    truth, bus, tram, params = bus_and_tram_shrunk()
    both = counted_each([*bus, *tram], params, truth.fps)
    alone = counted_each(tram, params, truth.fps)
    assert len(alone) >= 20
    assert [(f - len(bus), way) for f, way in both if f >= len(bus)] == alone


def test_a_setparams_just_after_a_cut_to_another_view_is_counted_with() -> None:
    """The bus, then tram 02 shrunk to it, counted over the bus's area until an installer sets
    tram 02's a second after the cut (before the view is checked): the tram part counts as it
    does alone with the same setparams a second in (the fresh analysis was told it too)."""
    truth, bus, tram, tram_params = bus_and_tram_shrunk()
    bus_truth = GroundTruth.load(DATA / "bus_overhead_koba.json")
    bus_params = params_for(asdict(bus_truth.area), truth.in_direction, None)
    later = round(truth.fps)
    both = counted_each([*bus, *tram], bus_params, truth.fps, (len(bus) + later, tram_params))
    alone = counted_each(tram, bus_params, truth.fps, (later, tram_params))
    assert len(alone) >= 7
    assert [(f - len(bus), way) for f, way in both if f >= len(bus)] == alone


def test_a_restarted_counter_whose_camera_shows_black_first_keeps_its_size() -> None:
    """Tram 02's second half counted by a counter restarted with the size the first run
    learnt (`restore_size`), its camera showing three black frames first (starting up): black
    is no view to compare the picture with, and the count goes on with the size restored, as
    without the black frames. Before (2026-12-07) the view was told changed from black, the
    restored size dropped and learnt again from the queue (19.5 px for 32): 22 for 10."""
    truth = GroundTruth.load(DATA / "tram_door_overhead_02.json")
    frames, _ = tram_02_alone()
    params = params_for(truth.area, truth.in_direction, None)
    first = Analyzer(params)
    first.set_fps(truth.fps)
    run_through(first, frames)
    counted = []
    for black in (0, 3):
        restarted = Analyzer(params)
        restarted.set_fps(truth.fps)
        restarted.restore_size(first.size_samples())
        shown = [np.zeros_like(frames[0])] * black + frames[400:]
        passages = run_through(restarted, shown)
        counted.append(sorted(((p.frame or 0) - black, p.direction) for p in passages))
        assert restarted.person_px == pytest.approx(first.person_px, rel=0.1)
    assert counted[1] == counted[0]

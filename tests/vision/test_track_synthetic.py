"""The whole analyzer (detect -> track -> count) on our synthetic overhead scenes, exact truth.

Floors per scenario, summed over seeds: what the counter achieves today, so a change that makes
pairs, tailgaters or a person who stands in the area and walks on count worse fails here.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from footfall.config import Params
from footfall.store.base import Passage
from footfall.vision.analyzer import Analyzer
from footfall.vision.scene_render import SHADOWS, Floor, Shadow
from footfall.vision.synthetic import FPS, SCENARIO_EPOCH, Scenario, scenario
from footfall.vision.types import Frame

SEEDS = (0, 1, 2, 3)
# scenario -> lowest combined accuracy over SEEDS (1 - (|d in| + |d out|) / (true in + true out))
FLOORS = {
    "single": 1.0,
    "opposite": 1.0,
    "standing": 1.0,
    "lights": 1.0,
    "side_by_side": 1.0,
    "tailgating": 1.0,
    "mixed": 0.94,  # 2026-12-03: 0.947 (0.948 on seeds 4-9) since a lull settles the ledger
}


def passages_of(sc: Scenario, renumber_at: int | None = None, stride: int = 1) -> list[Passage]:
    """What the analyzer counts in a synthetic scene, flushed at its end; with `renumber_at`,
    its source numbers the frames from 0 again from that frame on (a source opened anew); from
    every `stride`-th frame only (a camera streaming at 1 / `stride` of the scene's rate)."""
    analyzer = Analyzer(sc.params)
    analyzer.set_fps(sc.fps / stride)
    passages: list[Passage] = []
    for f in sc.frames():
        if f.index % stride:
            continue
        shift = renumber_at if renumber_at is not None and f.index >= renumber_at else 0
        passages += analyzer.process(Frame(f.image, f.index - shift, f.time))
    return passages + analyzer.flush()


Counted = tuple[int, int, int, int]  # counted in, counted out, true in, true out


def counted(
    name: str,
    seed: int,
    params: Params | None = None,
    floor: Floor = "tiled",
    shadow: Shadow | None = None,
    stride: int = 1,
) -> Counted:
    """(counted in, counted out, true in, true out) of one synthetic scene (drawn with, and
    counted with, `params`; drawn over `floor`, with `shadow`; counted from every `stride`-th
    frame)."""
    sc = scenario(name, seed, params=params, floor=floor, shadow=shadow)
    passages = passages_of(sc, stride=stride)
    n_in = sum(p.direction == "in" for p in passages)
    return n_in, len(passages) - n_in, sc.totals["in"], sc.totals["out"]


def combined_accuracy(results: list[Counted]) -> float:
    """1 - (|d in| + |d out|) / (true in + true out), summed over scenes."""
    error = sum(abs(ci - ti) + abs(co - to) for ci, co, ti, to in results)
    truth = sum(ti + to for _, _, ti, to in results)
    return 1.0 - error / truth


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_scenario_accuracy_floor(name: str) -> None:
    results = [counted(name, seed) for seed in SEEDS]
    accuracy = combined_accuracy(results)
    assert accuracy >= FLOORS[name], f"{name}: accuracy {accuracy:.3f} < {FLOORS[name]} ({results})"


# The same scenarios over a plain floor (one grey, only the camera's noise): the optical flow
# has nothing there to hold on to (`vision/support.py`). Before the flow over a featureless floor
# with no one near was left out, seeds 0-3 counted 858 passages off of 115 (a single walker 8 off).
PLAIN_FLOORS = {
    "single": 1.0,
    "opposite": 1.0,
    "standing": 1.0,
    "tailgating": 1.0,
    "side_by_side": 0.75,  # 2026-12-05: 0.75 (pairs on seeds 1 and 2 count one)
    "mixed": 0.96,  # 2026-12-05: 0.965
}


@pytest.mark.parametrize("name", sorted(PLAIN_FLOORS))
def test_scenario_accuracy_on_a_plain_floor(name: str) -> None:
    results = [counted(name, seed, floor="plain") for seed in SEEDS]
    accuracy = combined_accuracy(results)
    floor = PLAIN_FLOORS[name]
    assert accuracy >= floor, f"{name} on a plain floor: {accuracy:.3f} < {floor} ({results})"


# Hard shadows of a low sun (45°, half the light), a known weakness (docs/vision.md, "Hard
# shadows"): a shadow joins its person's blob, which is then split in two, and its motion across
# the line counts; learning the size, the singles, pairs, tailgaters, people passing each other
# and people who stand over seeds 0-3 count 8 (across) and 5 (along) off of 32 (none without
# shadows). These floors keep it from getting worse.
SHADOW_FLOORS = {"across": 0.72, "along": 0.81}  # 2026-12-05: 0.750 and 0.844


@pytest.mark.parametrize("shadow", sorted(SHADOW_FLOORS))
def test_people_with_hard_shadows_count_no_worse(shadow: str) -> None:
    kinds = ("single", "side_by_side", "tailgating", "opposite", "standing")
    results = [counted(n, seed, shadow=SHADOWS[shadow]) for n in kinds for seed in SEEDS]
    accuracy = combined_accuracy(results)
    floor = SHADOW_FLOORS[shadow]
    assert accuracy >= floor, f"shadows {shadow}: {accuracy:.3f} < {floor} ({results})"


# A slower camera: the 15 fps scenes counted from every 2nd / 3rd frame (7.5 / 5 fps), seeds
# 0-3. At 7.5 fps every scenario counts exactly; at 5 fps a pair side by side is smeared over the
# 0.2 s between two frames and now and then split in three, a tailgater's track takes its
# leader's place (2026-12-06: tailgating 0.875, mixed 0.912, a U-turn counted once of four;
# docs/vision.md, "Frame rates and the motion difference"). These floors keep it from getting
# worse.
SLOW_FLOORS = {
    (2, "single"): 1.0,
    (2, "opposite"): 1.0,
    (2, "side_by_side"): 1.0,
    (2, "tailgating"): 1.0,
    (2, "mixed"): 1.0,
    (3, "single"): 1.0,
    (3, "opposite"): 1.0,
    (3, "side_by_side"): 1.0,
    (3, "tailgating"): 0.87,
    (3, "mixed"): 0.9,
}


@pytest.mark.parametrize(("stride", "name"), sorted(SLOW_FLOORS))
def test_a_slower_camera_counts_the_scenes(stride: int, name: str) -> None:
    results = [counted(name, seed, stride=stride) for seed in SEEDS]
    accuracy = combined_accuracy(results)
    floor = SLOW_FLOORS[(stride, name)]
    fps = FPS / stride
    assert accuracy >= floor, f"{name} at {fps:g} fps: {accuracy:.3f} < {floor} ({results})"


@pytest.mark.parametrize("crowds", [1, 0])
def test_people_walking_apart_over_a_plain_floor_from_high_up_count_as_followed(
    crowds: int,
) -> None:
    """People walking apart, seen from 600 cm (about 20 px of 320) over a plain floor, each
    with the soft shadow of a lamp behind them (60 degrees up, the floor in shadow at 0.85): the
    motion of each spreads over the plain floor and their shadow walks with them, and the motion
    no track claimed counted people who were not there (2026-12-06: singles, people passing each
    other and tailgaters over seeds 0-2, 13 off of 15; a public atrium clip alike, 7/7 for 5/3).
    Their tracks begin and end away from the area, so that motion counts no one now (2 off,
    0.867; the atrium 6/3); `Counter.Crowds = 0` counts only the people followed one by one:
    every one of them."""
    high = Params.model_validate({"Counter": {"Height": 600, "Crowds": crowds}})
    kinds = ("single", "opposite", "tailgating")
    lamp = SHADOWS["lamp"]
    results = [counted(n, seed, high, "plain", lamp) for n in kinds for seed in (0, 1, 2)]
    assert combined_accuracy(results) >= (0.85 if crowds else 1.0), results


def test_a_camera_hung_high_and_told_so_counts_its_scenes() -> None:
    """The scenes drawn from 400 cm (people ~31 px of 320, the area two people deep) and the
    counter told `Counter.Height` 400: the flow image is then large from the first frame (it
    ran DIS on a quarter of it: 279 passages for 57), and people side by side have crossed the
    middle line well before their tracks reach the far edge (their motion counted a third)."""
    high = Params.model_validate({"Counter": {"Height": 400}})
    results = [counted("mixed", seed, high) for seed in SEEDS]
    # 2026-12-03: 0.877 (7 off of 57); 0.807 before tracks past the middle were owed their motion
    assert combined_accuracy(results) >= 0.85, results


def test_a_dense_queue_counts_when_the_person_size_is_known() -> None:
    """A queue standing at the door from the first frame, then walking through 0.45-0.75 m
    apart, now and then two abreast, on a clean floor: told the mounting height and not learning
    the size (`Counter.AutoSize = 0`) the counter gets it right (2026-12-03: 49 of 50 on seeds
    0-3). Learning the size from such a scene is a known weakness (docs/vision.md, "A dense
    queue on a clean floor"): the merged blobs of the queue teach a person 1.4-2.4 times too
    wide and the count falls to 0.30; this floor only keeps it from getting worse. (The bound
    on a torn mask's size, `OPENED_MAX`, takes the size learnt on seed 3 from 68 px to 62-64,
    nearer the truth, and that seed counts 3 of 13 for 4: 16 of 50 on seeds 0-3; a tracked
    person's trailing share, `trailing_share`, taken from that too wide size, claims one more
    passage's motion on seed 0: 15 of 50.)"""
    sized = Params.model_validate({"Counter": {"AutoSize": 0}})
    for params, floor in ((sized, 0.95), (Params(), 0.3)):
        results = [counted("queue", seed, params) for seed in SEEDS]
        assert combined_accuracy(results) >= floor, (params.Counter.AutoSize, results)


@pytest.mark.parametrize("name", ["single", "opposite", "side_by_side"])
def test_passages_are_dated_when_their_people_crossed_the_line(name: str) -> None:
    """Frame and time of each passage are those of its person's body centre on the middle line
    (exact in the scene) within 2 frames: not when the track left the area (4-5 frames later at
    a walking pace), which would put tailgaters' intervals and minute bins off."""
    for seed in SEEDS:
        sc = scenario(name, seed)
        passages = passages_of(sc)
        for way in ("in", "out"):
            ours = sorted(p.frame or 0 for p in passages if p.direction == way)
            true = sorted(e.frame for e in sc.events if e.direction == way)
            assert len(ours) == len(true)
            assert all(abs(f - t) <= 2 for f, t in zip(ours, true, strict=True)), (seed, ours, true)
        for p in passages:
            assert p.frame is not None
            assert p.time == SCENARIO_EPOCH + timedelta(seconds=p.frame / sc.fps)
        assert [p.time for p in passages] == sorted(p.time for p in passages)


def test_a_live_stream_counts_the_tailgater_the_tracker_lost() -> None:
    """No end of stream to count the remainder at: the scene goes on, empty. Tailgaters the
    tracker merged left their motion in the ledger below the slack, where it faded (seeds 3 and
    4 counted one of two); once the doorway is still and no track can claim it, it counts."""
    for seed in range(6):
        sc = scenario("tailgating", seed)
        analyzer = Analyzer(sc.params)
        analyzer.set_fps(sc.fps)
        frames = list(sc.frames())
        passages = [p for frame in frames for p in analyzer.process(frame)]
        empty, last = frames[0].image, frames[-1]
        for i in range(1, round(3 * sc.fps)):  # 3 s more of the scene, nobody in it
            when = last.time + timedelta(seconds=i / sc.fps)
            passages += analyzer.process(Frame(empty, last.index + i, when))
        assert len(passages) == len(sc.events) == 2, (seed, passages)


def test_a_source_opened_anew_numbers_its_frames_from_zero_and_nothing_else_moves() -> None:
    """The pipeline reopens a source that failed; the new one numbers its frames from 0 while
    the analyzer goes on. Passages after it carry the new numbers and their own frames' times,
    and the count is what it is without the restart."""
    for seed in (0, 3):
        sc = scenario("mixed", seed)
        cut = sc.n_frames // 2
        plain, restarted = passages_of(sc), passages_of(sc, renumber_at=cut)
        assert [(p.direction, p.time) for p in restarted] == [(p.direction, p.time) for p in plain]
        for p, q in zip(plain, restarted, strict=True):
            assert p.frame is not None
            assert q.frame == (p.frame - cut if p.frame >= cut else p.frame)


def test_a_camera_that_stalls_starts_a_new_stream() -> None:
    """The camera stalls with someone in the area and comes back a minute later. Tracks from
    before the gap coasted on into the new picture (and could meet whoever stood there);
    now the stream before the gap ends at it, as a file does, and what it held is dated before."""
    sc = scenario("single", 0)
    analyzer = Analyzer(sc.params)
    analyzer.set_fps(sc.fps)
    frames = list(sc.frames())
    crossing = sc.events[0].frame
    for f in frames[: crossing + 3]:  # the walker is just past the middle of the area
        analyzer.process(f)
    before = {tid for tid, _, _ in analyzer.tracks}
    assert before
    stalled = frames[crossing + 2]
    later = Frame(frames[crossing + 3].image, crossing + 3, stalled.time + timedelta(seconds=60))
    passages = analyzer.process(later)  # (the frame before the gap, which waited for it)
    step = timedelta(seconds=1 / sc.fps)
    passages += analyzer.process(Frame(frames[crossing + 4].image, crossing + 4, later.time + step))
    assert not before & {tid for tid, _, _ in analyzer.tracks}
    assert all(p.time <= stalled.time for p in passages)


def test_uturn_counts_nothing() -> None:
    assert all(counted("uturn", seed)[:2] == (0, 0) for seed in SEEDS)

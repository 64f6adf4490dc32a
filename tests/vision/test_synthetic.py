"""The synthetic overhead scene: determinism, exact ground truth, person size, light and noise."""

from __future__ import annotations

import hashlib
import itertools
import random
import time

import numpy as np
import pytest

from footfall.config import Params
from footfall.vision.person import person_width_px
from footfall.vision.scene_render import HEIGHT, SHADOWS, Shadow
from footfall.vision.synthetic import (
    FPS,
    QUEUE_PEOPLE,
    QUEUE_WAIT_S,
    SCENARIOS,
    Planner,
    Renderer,
    SyntheticSource,
    Walker,
    scenario,
    shoulder_px,
    truth_of,
)

AREA = Params().Area  # y 90..150, in = up


def digest(frames: object) -> str:
    h = hashlib.sha256()
    for f in frames:  # type: ignore[attr-defined]
        h.update(f.image.tobytes())
    return h.hexdigest()


def test_same_seed_same_frames_other_seed_other_frames() -> None:
    a = digest(scenario("mixed", seed=4, episodes=3).frames())
    assert a == digest(scenario("mixed", seed=4, episodes=3).frames())
    assert a != digest(scenario("mixed", seed=5, episodes=3).frames())


@pytest.mark.parametrize(
    ("name", "people", "passages", "same_way"),
    [
        ("single", 1, 1, True),
        ("side_by_side", 2, 2, True),
        ("tailgating", 2, 2, True),
        ("opposite", 2, 2, False),
        ("uturn", 1, 0, True),
        ("standing", 1, 1, True),
        ("lights", 1, 1, True),
    ],
)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_scenario_ground_truth(
    name: str, people: int, passages: int, same_way: bool, seed: int
) -> None:
    sc = scenario(name, seed=seed)
    assert len(sc.walkers) == people
    assert len(sc.events) == passages
    directions = {e.direction for e in sc.events}
    assert len(directions) == (1 if same_way and passages else passages and 2)
    assert all(0 < e.frame < sc.n_frames for e in sc.events)
    assert sc.n_frames > max(w.last for w in sc.walkers)


def test_pairs_walk_abreast_and_tailgaters_follow_closely() -> None:
    size = shoulder_px(Params().Counter)
    pair = scenario("side_by_side", seed=1)
    a, b = pair.walkers
    mid = pair.events[0].frame
    pa, pb = a.at(mid), b.at(mid)
    assert pa is not None and pb is not None
    assert size < abs(pa[0] - pb[0]) < 1.3 * size and abs(pa[1] - pb[1]) < 1
    tail = scenario("tailgating", seed=1)
    lag_s = (tail.events[1].frame - tail.events[0].frame) / FPS
    assert 0.4 < lag_s < 1.2


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_a_queue_stands_at_the_closed_door_then_walks_through_close_together(seed: int) -> None:
    """The `queue` scene: everyone crosses once, the same way; the front row stands in view
    from the first frame until the door opens; rows 0.45-0.75 m apart walk at one pace."""
    sc = scenario("queue", seed=seed)
    assert QUEUE_PEOPLE[0] <= len(sc.walkers) == len(sc.events) <= QUEUE_PEOPLE[1]
    assert len({e.direction for e in sc.events}) == 1
    front = sc.walkers[0]
    opens = front.path[2][0]
    first, waiting = front.at(0), front.at(opens)
    assert first is not None and waiting is not None
    assert 0 <= first[1] <= HEIGHT and abs(first[1] - waiting[1]) < 2
    assert QUEUE_WAIT_S[0] * FPS <= opens <= QUEUE_WAIT_S[1] * FPS
    scale = Planner(random.Random(seed), Params()).scale  # px per metre at the shoulders
    rows = sorted({round(w.path[0][2]) for w in sc.walkers}, key=lambda y: abs(y - first[1]))
    gaps = np.abs(np.diff(rows)) / scale
    assert np.all((gaps > 0.44) & (gaps < 0.76)), gaps
    speeds = [abs(w.path[3][2] - w.path[2][2]) / (w.path[3][0] - w.path[2][0]) for w in sc.walkers]
    assert max(speeds) - min(speeds) <= 0.2  # one pace (rounding of whole frames aside)


def test_some_queues_have_rows_two_abreast() -> None:
    rows = [
        len(sc.walkers) - len({round(w.path[0][2]) for w in sc.walkers})
        for sc in (scenario("queue", seed=s) for s in range(4))
    ]
    assert sum(rows) > 0 and min(rows) < max(rows), rows


def test_standing_person_stops_in_the_area_before_crossing() -> None:
    sc = scenario("standing", seed=2)
    w = sc.walkers[0]
    still = [
        f for f in range(w.first, w.last) if w.at(f)[:2] == pytest.approx(w.at(f + 1)[:2], abs=0.1)
    ]  # type: ignore[index]
    assert len(still) / FPS >= 2.5
    y = w.at(still[len(still) // 2])[1]  # type: ignore[index]
    assert AREA.Top < y < AREA.Bottom
    assert sc.events[0].frame > still[-1]


def test_mixed_scene_has_every_kind_of_trouble() -> None:
    sc = scenario("mixed", seed=1, episodes=12)
    assert sum(sc.totals.values()) == len(sc.events) >= 12
    assert sc.totals["in"] > 0 and sc.totals["out"] > 0
    assert [e.frame for e in sc.events] == sorted(e.frame for e in sc.events)
    truth = sc.ground_truth()
    assert truth["totals"] == sc.totals and truth["in_direction"] == "up"
    assert truth["area"]["yfirst"] == AREA.YFirst and len(truth["events"]) == len(sc.events)


def path_walker(*points: tuple[int, float, float]) -> Walker:
    return Walker(points, 50.0, (200, 0, 0), (30, 30, 30))


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        (((0, 160, 250), (30, 160, -10)), ("in", 15)),  # bottom to top: up is in
        (((0, 160, -10), (26, 160, 250)), ("out", 13)),
        (((0, 160, 250), (10, 160, 110), (20, 160, 250)), None),  # U-turn inside the area
        (((0, 160, 250), (10, 160, 60), (20, 160, 250)), None),  # beyond the area and back
        (((0, 160, 120), (10, 160, -10)), None),  # started inside the area
        (((0, 160, 250), (10, 160, 200)), None),  # never reached it
    ],
)
def test_truth_of_a_path(points: tuple, expected: tuple[str, int] | None) -> None:
    truth = truth_of(path_walker(*points), AREA)
    assert (None if truth is None else (truth.direction, truth.frame)) == expected


def test_in_direction_down_flips_the_truth() -> None:
    params = Params.model_validate({"Area": {"InDirection": "down"}})
    walker = path_walker((0, 160, 250), (30, 160, -10))
    truth = truth_of(walker, params.Area)
    assert truth is not None and truth.direction == "out"


def test_only_a_crossing_inside_the_x_span_is_true_and_episodes_walk_through_the_doorway() -> None:
    """Over a counting area drawn across x 120..200 (a doorway in a wider picture), a walker
    crossing at x 100 or 220 passes beside it and makes no passage; the planner lays every
    episode through the doorway, so each of a mixed scene's walkers that crosses the middle line
    does so inside the span."""
    area = AREA.model_copy(update={"Left": 120, "Right": 200})
    for x, expected in ((100, None), (160, "in"), (220, None)):
        truth = truth_of(path_walker((0, x, 250), (30, x, -10)), area)
        assert (None if truth is None else truth.direction) == expected
    params = Params().model_copy(update={"Area": area})
    sc = scenario("mixed", seed=4, params=params, episodes=10)
    mid = (area.YFirst + area.YLast) / 2
    for w in sc.walkers:
        for frame, _ in w.crossings(mid):
            where = w.at(frame)
            assert where is not None and 120 <= where[0] <= 200
    assert sum(sc.totals.values()) >= 8


@pytest.mark.parametrize(("height_cm", "fov"), [(220, 90.0), (280, 90.0), (350, 70.0), (600, 60.0)])
def test_person_size_matches_the_detectors_model(height_cm: int, fov: float) -> None:
    counter = Params().Counter.model_copy(update={"Height": height_cm, "FieldOfView": fov})
    expected = person_width_px(320, height_cm, fov, counter.PersonWidth)
    assert shoulder_px(counter) == pytest.approx(expected, rel=1e-6)


def test_a_drawn_person_is_as_wide_as_the_model_says() -> None:
    renderer = Renderer(seed=0)
    size = 56.0
    walker = Walker(((0, 160.0, 120.0), (10, 160.0, 110.0)), size, (220, 40, 40), (20, 20, 20))
    empty = renderer.render([], 0, 1.0).astype(np.int16)
    drawn = renderer.render([walker], 0, 1.0).astype(np.int16)
    changed = np.abs(drawn - empty).max(axis=2) > 25
    cols = np.flatnonzero(changed.any(axis=0))
    rows = np.flatnonzero(changed.any(axis=1))
    assert cols.max() - cols.min() + 1 == pytest.approx(size, abs=4)  # shoulders across
    assert 0.6 * size < rows.max() - rows.min() + 1 < 0.9 * size  # shoulders and arms deep


def test_a_person_casts_a_shadow_away_from_the_light_as_long_as_it_is_low() -> None:
    """The shadow lies on the floor from the feet away from the light, darkens it by the share
    asked and keeps its colour (a change of light, not a thing); beside the walker towards the
    light, nothing changes."""
    walker = Walker(((0, 160.0, 120.0), (10, 160.0, 110.0)), 56.0, (220, 40, 40), (20, 20, 20))
    bare = Renderer(seed=0).render([walker], 0, 1.0).astype(np.float64)
    lengths = []
    for elevation in (45.0, 60.0):
        shaded = Renderer(seed=0, shadow=Shadow(0.0, elevation, 0.5)).render([walker], 0, 1.0)
        ratio = (shaded.astype(np.float64) + 1) / (bare + 1)
        dark = ratio.mean(axis=2) < 0.7
        cols = np.flatnonzero(dark.any(axis=0))
        assert cols.min() > 160 + 10  # to the right of the shoulders (azimuth 0: towards +x)
        assert not dark[:, :160].any()  # nothing towards the light
        core = ratio[dark & (ratio.mean(axis=2) < 0.6)]
        assert np.allclose(core.mean(axis=0), 0.5, atol=0.05)  # half the light, every channel
        lengths.append(cols.max() - cols.min())
    assert lengths[0] > 1.5 * lengths[1]  # the lower the light, the longer the shadow
    full = Renderer(seed=0, shadow=Shadow(90.0, 45.0, light=1.0)).render([walker], 0, 1.0)
    assert np.array_equal(full, bare.astype(np.uint8))  # no darkening: drawn as without


@pytest.mark.parametrize("name", sorted(SHADOWS))
def test_scenes_with_shadows_have_the_same_people(name: str) -> None:
    plain, shaded = scenario("mixed", 1), scenario("mixed", 1, shadow=SHADOWS[name])
    assert shaded.events == plain.events and shaded.walkers == plain.walkers
    a, b = next(shaded.frames()), next(plain.frames())
    assert a.image.mean() == pytest.approx(b.image.mean(), abs=0.5)  # no one there yet


def test_light_changes_and_camera_noise() -> None:
    sc = scenario("lights", seed=0)
    frames = list(sc.frames())
    walker = sc.walkers[0]
    means = np.array([f.image.mean() for f in frames[: walker.first]])
    assert means[-50] > means[-1] * 1.05  # dimming as the walker arrives
    assert means.max() > means.min() * 1.1  # the light swings ±15 %
    assert np.abs(np.diff(means)).max() < 2.0  # slowly: no frame jumps
    a, b = (frames[i].image.astype(np.int16) for i in (1, 2))
    noise = (a - b).std()
    assert 2.0 < noise < 6.0  # two frames of an empty floor differ only by noise (and light)


def test_endless_source_shows_passages_within_seconds() -> None:
    src = SyntheticSource(seed=0, paced=False)
    frames = list(itertools.islice(iter(src), int(10 * FPS)))
    assert [f.index for f in frames] == list(range(len(frames)))
    assert sum(src.true_totals.values()) >= 2
    assert min(t.frame for t in src.recent_truth) < 5 * FPS
    elapsed = frames[-1].time - frames[0].time
    assert elapsed.total_seconds() == pytest.approx((len(frames) - 1) / FPS)
    src.close()


def test_endless_source_is_deterministic() -> None:
    a = digest(itertools.islice(iter(SyntheticSource(seed=3, paced=False)), 60))
    assert a == digest(itertools.islice(iter(SyntheticSource(seed=3, paced=False)), 60))


def test_paced_source_runs_at_real_time_and_closes() -> None:
    src = SyntheticSource(seed=1, paced=True)
    t0 = time.monotonic()
    frames = []
    for frame in src:
        frames.append(frame)
        if len(frames) == 16:
            src.close()
    elapsed = time.monotonic() - t0
    assert 0.9 < elapsed < 2.0  # 15 intervals at 15 fps
    assert src.state == "closed"


def test_unknown_scenario_is_refused_with_the_known_names() -> None:
    with pytest.raises(ValueError, match="known: single"):
        scenario("crowd")
    assert "mixed" in SCENARIOS

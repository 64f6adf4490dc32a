"""The tracker: one-to-one assignment, occlusion gaps, no merging."""

from __future__ import annotations

import numpy as np

from footfall.vision.track import Tracker


def feed(
    tracker: Tracker, frames: list[list[tuple[float, float]]]
) -> list[list[tuple[int, float, float]]]:
    out = []
    for centres in frames:
        live = tracker.update(np.array(centres, np.float64).reshape(-1, 2))
        out.append([(t.id, t.x, t.y) for t in live])
    return out


def test_one_walker_keeps_one_id() -> None:
    seen = feed(Tracker(gate_px=30, max_missed=5), [[(100, 200 - 8 * i)] for i in range(20)])
    assert {tid for frame in seen for tid, _, _ in frame} == {1}


def test_track_survives_a_short_occlusion() -> None:
    frames: list[list[tuple[float, float]]] = [[(100, 200 - 8 * i)] for i in range(10)]
    frames += [[] for _ in range(4)]  # hidden for 4 frames, still walking
    frames += [[(100, 200 - 8 * i)] for i in range(14, 24)]
    seen = feed(Tracker(gate_px=30, max_missed=5), frames)
    assert {tid for frame in seen for tid, _, _ in frame} == {1}


def test_track_ends_after_a_long_gap() -> None:
    frames: list[list[tuple[float, float]]] = [[(100, 200 - 8 * i)] for i in range(10)]
    frames += [[] for _ in range(10)]
    frames += [[(100, 40.0)], [(100, 32.0)]]
    tracker = Tracker(gate_px=30, max_missed=5)
    seen = feed(tracker, frames)
    assert [tid for tid, _, _ in seen[-1]] == [2]


def test_two_people_side_by_side_never_merge() -> None:
    frames = [[(100, 200 - 8 * i), (130, 200 - 8 * i)] for i in range(20)]
    seen = feed(Tracker(gate_px=40, max_missed=5), frames)
    assert all(len(f) == 2 for f in seen)
    assert {tid for f in seen for tid, _, _ in f} == {1, 2}
    # each keeps its lane
    assert all(abs(x - (100 if tid == 1 else 130)) < 1e-9 for f in seen for tid, x, _ in f)


def test_crossing_paths_keep_identities() -> None:
    # Two people walking towards each other in neighbouring lanes pass without swapping.
    frames = [[(100, 200 - 8 * i), (140, 40 + 8 * i)] for i in range(21)]
    seen = feed(Tracker(gate_px=30, max_missed=5), frames)
    last = dict((tid, (x, y)) for tid, x, y in seen[-1])
    assert last[1][0] == 100 and last[2][0] == 140


def test_one_detection_feeds_one_track_only() -> None:
    tracker = Tracker(gate_px=40, max_missed=5)
    feed(tracker, [[(100, 100), (120, 100)] for _ in range(3)])
    live = tracker.update(np.array([[110.0, 100.0]]))
    assert len(live) == 1
    assert len(tracker.tracks) == 2  # the other coasts, it is not merged


def test_gate_refuses_far_jumps() -> None:
    tracker = Tracker(gate_px=20, max_missed=5)
    feed(tracker, [[(100, 100)], [(100, 100)]])
    live = tracker.update(np.array([[200.0, 100.0]]))
    assert [t.id for t in live] == [2]

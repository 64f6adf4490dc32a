"""The tracker: one-to-one assignment, occlusion gaps, no merging."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from footfall.config import Params
from footfall.vision.synthetic import scenario
from footfall.vision.track import MotionField, Tracker, ahead, whole_blocks


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


def test_flow_guides_a_track_through_a_long_gap() -> None:
    # Without detections for 8 frames (> max_missed), a track riding measured motion survives.
    tracker = Tracker(gate_px=20, max_missed=3)
    feed(tracker, [[(100, 200 - 8 * i)] for i in range(5)])
    for _ in range(8):
        tracker.update(np.zeros((0, 2)), np.array([[0.0, -8.0]]), np.array([True]))
    live = tracker.update(np.array([[100.0, 200 - 8 * 13]]))
    assert [t.id for t in live] == [1]


def test_motion_replaces_the_velocity_guess() -> None:
    tracker = Tracker(gate_px=10, max_missed=3)
    feed(tracker, [[(100, 100)], [(100, 100)]])  # standing still
    # the flow says it moved 15 px right: the detection there continues the track
    live = tracker.update(np.array([[115.0, 100.0]]), np.array([[15.0, 0.0]]), np.array([True]))
    assert [t.id for t in live] == [1]


def texture(shift: int) -> np.ndarray:
    rng = np.random.default_rng(3)
    base = cv2.GaussianBlur(rng.integers(0, 255, (200, 260), dtype=np.uint8), (0, 0), 3)
    img = np.roll(base, shift, axis=0)
    return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)


def test_motion_field_measures_a_shift() -> None:
    field = MotionField()
    roi = (20, 20, 240, 180)
    field.update(texture(0), roi, person_px=24.0)
    field.update(texture(-4), roi, person_px=24.0)  # everything moved 4 px up
    d = field.displacement(np.array([[130.0, 100.0], [60.0, 60.0], [5.0, 5.0]]))
    assert d[0] == pytest.approx([0.0, -4.0], abs=0.8)
    assert d[1] == pytest.approx([0.0, -4.0], abs=0.8)
    assert np.isnan(d[2]).all()  # outside the region


def test_a_flow_image_shrunk_far_is_shrunk_by_a_whole_factor() -> None:
    """Shrunk by 3.5 or more, the scale is one over the nearest whole factor and the crop is
    trimmed to whole blocks of it (OpenCV's fast area path); less, or too small a crop, as is."""
    assert whole_blocks((0, 0, 320, 240), 2.0**-3.25) == ((0, 0, 320, 240), 0.1)
    assert whole_blocks((5, 7, 330, 250), 0.25) == ((5, 7, 329, 247), 0.25)
    assert whole_blocks((0, 0, 352, 288), 2.0**-1.5) == ((0, 0, 352, 288), 2.0**-1.5)
    assert whole_blocks((0, 0, 100, 60), 0.1) == ((0, 0, 100, 60), 0.1)  # 6 rows: too few


def test_motion_field_measures_a_shift_at_a_whole_shrink() -> None:
    """A person 120 px wide (about the bus's): the flow image is the frame shrunk by 10, and a shift
    is still read in frame pixels, where the region was trimmed too."""
    field = MotionField()
    roi = (0, 0, 315, 238)
    big = [cv2.resize(texture(s), None, fx=2.0, fy=2.0) for s in (0, -4)]
    for image in big:
        field.update(image, roi, person_px=120.0)
    assert field.scale == pytest.approx(0.1)
    d = field.displacement(np.array([[150.0, 120.0], [305.0, 235.0], [312.0, 120.0]]))
    assert d[0] == pytest.approx([0.0, -8.0], abs=2.0)
    assert np.isnan(d[2]).all()  # in the columns trimmed off: unknown


def test_motion_field_flow_does_not_depend_on_the_images_met_before() -> None:
    """OpenCV's DIS lowers its finest scale for good the first time it meets a small image: a
    field that had once measured at a large person size (a small flow image) gave other flows,
    and a counter told a high mounting height counted 279 of our scenes' 57 passages."""
    drawn = Params.model_validate({"Counter": {"Height": 400}})
    sc = scenario("single", 0, params=drawn)
    frames = [f.image for f in sc.frames()]
    crossing = sc.events[0].frame
    roi = (0, 45, 320, 195)
    line = np.stack([np.arange(0.0, 320.0, 2.0), np.full(160, 120.0)], axis=1)
    fresh, seasoned = MotionField(), MotionField()
    seasoned.update(frames[0], roi, person_px=60.0)  # a flow image a quarter as large
    seasoned.update(frames[1], roi, person_px=60.0)
    flows = []
    for field in (fresh, seasoned):
        for image in frames[crossing - 1 : crossing + 1]:
            field.update(image, roi, person_px=30.0)
        flows.append(field.displacement(line))
    assert np.abs(flows[0]).max() > 1.0  # the walker moves across the line
    assert flows[0] == pytest.approx(flows[1], abs=1e-4)


def test_the_flow_carried_on_moves_with_what_moved_and_leaves_the_floor_behind() -> None:
    """DIS starts from the last flow moved on by itself: a person's vectors go where the person
    is now, the floor they left gets none (left in place, a bare floor would keep a flow DIS
    cannot check), and where a fast and a slow vector land together the fast one stays."""
    flow = np.zeros((20, 20, 2), np.float32)
    flow[4:8, 8:12] = (0.0, 3.0)  # a person moving 3 px down
    flow[12, 2] = (1.0, 0.0)  # something slow that lands where a fast one does
    flow[12, 0] = (3.0, 0.0)
    moved = ahead(flow)
    assert (moved[7:11, 8:12] == (0.0, 3.0)).all()
    assert not moved[4:7, 8:12].any()
    assert tuple(moved[12, 3]) == (3.0, 0.0)
    assert np.count_nonzero(moved[..., 1]) == 16
    edge = np.zeros((4, 4, 2), np.float32)
    edge[3, 3] = (2.0, 2.0)  # moved out of the picture: gone
    assert not ahead(edge).any()

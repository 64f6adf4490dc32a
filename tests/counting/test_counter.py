"""Tracks to passages: full traversals only (SPEC §5)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from footfall.counting.area import ABOVE, BELOW, Area
from footfall.counting.counter import Counter, Crossing, FluxLedger, trailing_share

AREA = Area(width=320, height=240, left=40, right=280, top=90, bottom=150, yfirst=90, ylast=150)


def run(paths: dict[int, Sequence[tuple[float, float]]], way: str = "up") -> list[tuple[int, str]]:
    """Feed every track's path frame by frame; (track, direction) of the crossings."""
    counter = Counter(AREA, way)  # type: ignore[arg-type]
    out: list[tuple[int, str]] = []
    for frame in range(max(len(p) for p in paths.values())):
        live = [(tid, p[frame]) for tid, p in paths.items() if frame < len(p)]
        crossings = counter.update(
            [t for t, _ in live], [xy[0] for _, xy in live], [xy[1] for _, xy in live], frame
        )
        out += [(c.track_id, c.direction) for c in crossings]
    return out


def line(x0: float, y0: float, x1: float, y1: float, n: int = 30) -> list[tuple[float, float]]:
    return [(x0 + (x1 - x0) * i / (n - 1), y0 + (y1 - y0) * i / (n - 1)) for i in range(n)]


def test_full_traversal_up_is_in() -> None:
    assert run({1: line(160, 220, 160, 20)}) == [(1, "in")]


def test_full_traversal_down_is_out() -> None:
    assert run({1: line(160, 20, 160, 220)}) == [(1, "out")]


def test_in_direction_flip() -> None:
    assert run({1: line(160, 220, 160, 20)}, "down") == [(1, "out")]
    assert run({1: line(160, 20, 160, 220)}, "down") == [(1, "in")]


def test_u_turn_counts_nothing() -> None:
    assert run({1: line(160, 220, 160, 100) + line(160, 100, 160, 220)}) == []


def test_lingering_inside_counts_nothing() -> None:
    assert run({1: line(160, 200, 160, 120) + [(160.0 + i % 3, 120.0) for i in range(300)]}) == []


def test_jitter_on_an_edge_counts_nothing() -> None:
    assert run({1: [(160.0, 150.0 + (3 if i % 2 else -3)) for i in range(100)]}) == []
    assert run({1: [(160.0, 90.0 + (3 if i % 2 else -3)) for i in range(100)]}) == []


def test_a_band_thinner_than_min_band_counts_as_that_thick() -> None:
    """A counting "line" 4 px tall: a track rocking 8 px about it crosses and crosses back
    every frame; counted as a band `min_band_px` thick it is never beyond either edge, while a
    person walking through still counts once."""
    thin = Area(
        width=320, height=240, left=40, right=280, top=118, bottom=122, yfirst=118, ylast=122
    )
    rocking = [(160.0, 120.0 + (8 if i % 4 < 2 else -8)) for i in range(40)]
    for min_band, rocked in ((0.0, 19), (30.0, 0)):
        counter = Counter(thin, "up")
        counter.min_band_px = min_band
        out = [c for f, (x, y) in enumerate(rocking) for c in counter.update([1], [x], [y], f)]
        assert len(out) == rocked
        counter = Counter(thin, "up")
        counter.min_band_px = min_band
        walk = line(160, 220, 160, 20)
        out = [c for f, (x, y) in enumerate(walk) for c in counter.update([2], [x], [y], f)]
        assert [c.direction for c in out] == ["in"]
    assert thin.sides_at(np.array([100.0, 110.0, 130.0, 140.0]), margin=13.0).tolist() == [
        -1,
        0,
        0,
        1,
    ]


def test_a_crossing_is_dated_when_the_track_crossed_the_middle() -> None:
    """The passage is the moment the person is seen to pass (y 120, the middle of 90-150), not
    the later frame the track left the area: a frame rate's worth of walking earlier."""
    counter = Counter(AREA, "up")
    path = line(160, 220, 160, 20, n=41)  # 5 px a frame: y 115 at frame 21, y < 90 at 27
    out = [c for f, (x, y) in enumerate(path) for c in counter.update([1], [x], [y], f)]
    assert [(c.direction, c.frame) for c in out] == [("in", 21)]


def test_a_track_that_stood_on_the_middle_is_dated_when_it_last_crossed_it() -> None:
    counter = Counter(AREA, "up")
    path = line(160, 220, 160, 118, n=21) + [(160.0, 122.0 + i % 2 * 6) for i in range(30)]
    path += line(160, 122, 160, 20, n=21)  # rocking across the middle, then on up (y 117 at 52)
    out = [c for f, (x, y) in enumerate(path) for c in counter.update([1], [x], [y], f)]
    assert [(c.direction, c.frame) for c in out] == [("in", 52)]


def test_in_then_out_counts_both() -> None:
    assert run({1: line(160, 220, 160, 20) + line(160, 20, 160, 220)}) == [(1, "in"), (1, "out")]


def test_two_people_side_by_side_count_two() -> None:
    assert run({1: line(120, 220, 120, 20), 2: line(200, 220, 200, 20)}) == [(1, "in"), (2, "in")]


def test_outside_the_x_span_counts_nothing() -> None:
    assert run({1: line(20, 220, 20, 20)}) == []
    assert run({1: line(300, 20, 300, 220)}) == []


def test_track_born_inside_the_area_counts_nothing() -> None:
    assert run({1: line(160, 120, 160, 20)}) == []


def test_a_jump_over_the_area_counts() -> None:
    # A fast person may be seen beyond one edge, then beyond the other, never inside.
    assert run({1: [(160.0, 200.0), (160.0, 40.0)]}) == [(1, "in")]


def test_reconfigure_forgets_half_seen_crossings() -> None:
    counter = Counter(AREA, "up")
    counter.update([1], [160.0], [200.0], 0)
    counter.reconfigure(Area(yfirst=60, ylast=100), "up")
    assert counter.update([1], [160.0], [40.0], 1) == []
    assert [c.direction for c in counter.update([1], [160.0], [140.0], 2)] == ["out"]


def test_forget_ends_a_track() -> None:
    counter = Counter(AREA, "up")
    counter.update([1], [160.0], [200.0], 0)
    counter.forget([1])
    assert counter.update([1], [160.0], [40.0], 1) == []


# FluxLedger: tracked crossings checked against the motion across the line.


def crossing(direction: str, track: int = 1) -> Crossing:
    return Crossing(track, direction, 0)  # type: ignore[arg-type]


def test_ledger_refuses_a_crossing_nothing_moved_for() -> None:
    ledger = FluxLedger("up")
    ledger.add(up_px2=0.0, down_px2=0.0)
    assert ledger.settle([crossing("in")], unit_px2=100.0, frame=1) == []
    assert ledger.refused == 1


def test_ledger_keeps_crossings_backed_by_motion() -> None:
    ledger = FluxLedger("up")
    ledger.add(up_px2=90.0, down_px2=0.0)
    assert [c.direction for c in ledger.settle([crossing("in")], 100.0, 1)] == ["in"]
    # motion the other way does not back it
    assert ledger.settle([crossing("out", 2)], 100.0, 2) == []


def test_ledger_refuses_a_crossing_only_old_motion_backs() -> None:
    """The veto looks at the last `recent` frames: a balance left from long ago backs nothing."""
    ledger = FluxLedger("up", slack=5.0, leak=1.0, recent=25)
    ledger.add(up_px2=90.0, down_px2=0.0)
    for frame in range(25):
        ledger.add(up_px2=0.0, down_px2=0.0)
        assert ledger.settle([], 100.0, frame) == []
    assert ledger.settle([crossing("in")], 100.0, 26) == []
    assert ledger.refused == 1


def test_ledger_keeps_recent_crossings_in_debt_and_repays_it_first() -> None:
    """Two people tracked across on one person's worth of flow (a fast step the flow partly
    missed): both count, and the next motion repays the debt before it counts anyone untracked."""
    ledger = FluxLedger("up", veto=0.2, slack=0.0, leak=1.0)
    ledger.add(up_px2=100.0, down_px2=0.0)
    kept = ledger.settle([crossing("in", 1), crossing("in", 2)], 100.0, 1)
    assert [c.track_id for c in kept] == [1, 2]
    out: list[Crossing] = []
    for frame in range(2, 7):
        ledger.add(up_px2=50.0, down_px2=0.0)  # two and a half people's worth, untracked
        out += ledger.settle([], 100.0, frame)
    assert [c.track_id for c in out] == [-1]  # one repaid the debt, one counted


def test_ledger_told_not_to_count_crowds_counts_only_tracked_crossings() -> None:
    """`Counter.Crowds = 0`: motion no track claimed counts no one, neither as it comes nor at
    a stream's end, while the tracked crossings it backs still count."""
    counts = {}
    for crowds in (True, False):
        ledger = FluxLedger("up", veto=0.2, slack=0.0, leak=1.0)
        ledger.count_untracked = crowds
        out = []
        for frame in range(10):
            ledger.add(up_px2=0.5, down_px2=0.0)  # five people's worth, one tracked
            out += ledger.settle([crossing("in", 1)] if frame == 4 else [], 1.0, frame)
        out += ledger.remainder(10)
        counts[crowds] = sorted(c.track_id for c in out)
    assert counts[True] == [-1, -1, -1, -1, 1]
    assert counts[False] == [1]


def test_ledger_counts_untracked_people_only_where_the_tracks_broke() -> None:
    """With `crowd_frames` set, motion no track claimed counts people only where a track began
    or ended at the area within that many frames of their date (a crowd breaking its tracks);
    where the tracks follow everyone, what their motion leaves over is theirs: it counts no
    one, as it comes or at a stream's end, and does not wait for a later break to count."""

    def run(breaks: list[int], frames: int = 40) -> list[Crossing]:
        ledger = FluxLedger("up", veto=0.2, slack=1.0, leak=1.0)
        ledger.crowd_frames = 5
        out: list[Crossing] = []
        for frame in range(frames):
            if frame in breaks:
                ledger.note_break(frame)
            ledger.add(up_px2=0.25 if frame < 20 else 0.0, down_px2=0.0)  # five people's worth
            out += ledger.settle([crossing("in", 1)] if frame == 4 else [], 1.0, frame)
        return out + ledger.remainder(frames)

    assert [c.track_id for c in run([])] == [1]
    assert [c.track_id for c in run([30, 39])] == [1]  # breaks long after: not theirs
    breaks = [2, 9, 13, 17]
    crowded = run(breaks)
    assert sorted(c.track_id for c in crowded) == [-1, -1, -1, -1, 1]
    dates = [c.frame for c in crowded if c.track_id < 0]
    assert all(min(abs(d - b) for b in breaks) <= 5 for d in dates), dates
    alone = run([9])  # one break: the people dated near it count, the others not
    assert 1 < len(alone) < len(crowded), alone


def test_ledger_a_crossing_beyond_the_debt_waits_for_its_motion_and_is_dated_by_it() -> None:
    """Three people tracked across on one person's motion: two count at once (one person of
    debt allowed), the third waits until the motion pays for it and is dated when half of that
    person had crossed; the total is as if it had counted at once."""
    ledger = FluxLedger("up", veto=0.2, slack=0.0, leak=1.0, debt=1.0)
    ledger.add(up_px2=100.0, down_px2=0.0)
    now = ledger.settle([crossing("in", 1), crossing("in", 2), crossing("in", 3)], 100.0, 1)
    assert [c.track_id for c in now] == [1, 2]
    assert [c.track_id for c in ledger.deferred] == [3]
    later: list[Crossing] = []
    for frame in range(2, 12):
        ledger.add(up_px2=20.0, down_px2=0.0)  # a person's worth every 5 frames
        later += ledger.settle([], 100.0, frame)
    # the balance is back at 0 (no debt beyond one person) at frame 6, and was half-way at 4
    assert [(c.track_id, c.frame) for c in later] == [(3, 4)]


def test_ledger_a_waiting_crossing_counts_as_it_was_after_the_wait_or_at_the_end() -> None:
    ledger = FluxLedger("up", veto=0.2, slack=0.0, leak=1.0, debt=0.0)
    ledger.wait_frames = 5
    ledger.add(up_px2=50.0, down_px2=0.0)
    assert ledger.settle([crossing("in", 1)], 100.0, 1) == []  # half a person: it waits
    out: list[Crossing] = []
    for frame in range(2, 10):
        ledger.add(up_px2=0.0, down_px2=0.0)
        out += ledger.settle([], 100.0, frame)
    assert [(c.track_id, c.frame) for c in out] == [(1, 0)]  # after 5 frames, its own date
    ledger = FluxLedger("up", veto=0.2, slack=0.0, leak=1.0, debt=0.0)
    ledger.add(up_px2=50.0, down_px2=0.0)
    assert ledger.settle([crossing("in", 1)], 100.0, 1) == []
    assert [c.track_id for c in ledger.remainder(2)] == [1]  # the stream ended: it counts


def test_ledger_crossings_waiting_when_the_area_changes_count_next() -> None:
    ledger = FluxLedger("up", veto=0.2, slack=0.0, leak=1.0, debt=0.0)
    ledger.add(up_px2=50.0, down_px2=0.0)
    assert ledger.settle([crossing("in", 1)], 100.0, 1) == []
    ledger.reconfigure("down")
    assert [(c.track_id, c.direction) for c in ledger.settle([], 100.0, 2)] == [(1, "in")]


def test_ledger_spends_for_a_piece_of_someone_counted_and_counts_no_one() -> None:
    ledger = FluxLedger("up", veto=0.2, slack=0.0, leak=1.0)
    ledger.add(up_px2=200.0, down_px2=0.0)
    piece = crossing("in", 2)
    kept = ledger.settle([crossing("in", 1), piece], 100.0, 1, pieces=[piece])
    assert [c.track_id for c in kept] == [1]
    assert ledger.dropped == [piece]
    ledger.add(up_px2=0.0, down_px2=0.0)
    assert ledger.settle([], 100.0, 2) == []  # its unit was spent: nothing left to count


def test_ledger_counts_what_the_tracker_missed() -> None:
    ledger = FluxLedger("up", slack=1.5)
    out: list[str] = []
    for frame in range(50):
        ledger.add(up_px2=10.0, down_px2=0.0)  # five people's worth in all, nobody tracked
        out += [c.direction for c in ledger.settle([], 100.0, frame)]
    assert out == ["in", "in", "in"]  # 1.5 units stay pending for tracks that may still come
    assert ledger.untracked == 3


def test_ledger_dates_an_untracked_crossing_when_half_of_its_person_had_crossed() -> None:
    ledger = FluxLedger("up", slack=1.0)
    frames: list[int] = []
    for frame in range(60):
        ledger.add(up_px2=10.0, down_px2=0.0)  # one person (100 px²) every 10 frames
        frames += [c.frame for c in ledger.settle([], 100.0, frame)]
    # Counted when the balance passes 2 people (frames 20, 30, 40, 50), dated when it passed
    # 1.5: the person whose motion completes it was half across 5 frames earlier.
    assert frames == [15, 25, 35, 45]


def test_ledger_follows_the_in_direction() -> None:
    ledger = FluxLedger("down", slack=0.0)
    ledger.add(up_px2=0.0, down_px2=150.0)
    assert [c.direction for c in ledger.settle([], 100.0, 3)] == ["in"]
    ledger = FluxLedger("up", slack=0.0)
    ledger.add(up_px2=0.0, down_px2=150.0)
    assert [c.direction for c in ledger.settle([], 100.0, 3)] == ["out"]


def test_ledger_reconfigure_empties_balances() -> None:
    ledger = FluxLedger("up", slack=0.0)
    ledger.add(up_px2=90.0, down_px2=0.0)
    ledger.reconfigure("up")
    ledger.add(up_px2=20.0, down_px2=0.0)
    assert ledger.settle([crossing("in")], 100.0, 1) == []


def test_standing_in_the_area_then_walking_on_counts_once() -> None:
    """The track of a person who stands in the area ends; a new one there inherits the origin."""
    c = Counter(Area(yfirst=90, ylast=150), "up")
    c.handoff_px, c.handoff_frames = 20.0, 100
    assert c.update([1], [160.0], [200.0], 0) == []
    assert c.update([1], [160.0], [120.0], 5) == []
    c.forget([1])
    assert c.update([2], [165.0], [118.0], 60) == []
    assert [p.direction for p in c.update([2], [165.0], [60.0], 70)] == ["in"]


@pytest.mark.parametrize(
    ("x", "frame", "last_y"),
    [(260.0, 60, 120.0), (165.0, 300, 120.0), (165.0, 60, 200.0)],
    ids=["too far", "too late", "ended outside the area"],
)
def test_no_handoff(x: float, frame: int, last_y: float) -> None:
    c = Counter(Area(yfirst=90, ylast=150), "up")
    c.handoff_px, c.handoff_frames = 20.0, 100
    c.update([1], [160.0], [200.0], 0)
    c.update([1], [160.0], [last_y], 5)
    c.forget([1])
    c.update([2], [x], [118.0], frame)
    assert c.update([2], [x], [60.0], frame + 10) == []


def test_ledger_pending_motion_backs_a_tracked_crossing() -> None:
    ledger = FluxLedger("up", veto=0.2, slack=1.0)
    crossing = [Crossing(7, "in", 10)]
    assert ledger.settle(crossing, 1.0, 10) == []
    assert ledger.refused == 1
    assert [c.track_id for c in ledger.settle(crossing, 1.0, 11, pending=(0.5, 0.0))] == [7]


@pytest.mark.parametrize(
    ("up", "down", "expected"),
    [
        (0.0, 0.0, []),
        (0.6, 0.0, []),
        (0.8, 0.0, ["in"]),
        (1.5, 0.0, ["in"]),
        (0.0, 1.8, ["out", "out"]),
        (0.9, 0.8, []),  # over the line and back: a U-turn
        (1.9, 0.8, ["in"]),
    ],
)
def test_ledger_remainder_counts_whole_people(up: float, down: float, expected: list[str]) -> None:
    ledger = FluxLedger("up", slack=5.0)
    ledger.add(up, down)
    assert ledger.settle([], 1.0, 3) == []
    assert [c.direction for c in ledger.remainder(4)] == expected
    assert ledger.remainder(5) == []


def test_ledger_dates_what_the_remainder_counts_when_half_of_it_had_crossed() -> None:
    ledger = FluxLedger("up", slack=5.0)
    for frame in range(23):
        ledger.add(0.1, 0.0)  # 2.3 people by frame 22, nobody tracked
        ledger.settle([], 1.0, frame)
    # Two people: the last when the balance rose past 1.8 (frame 17), the one before past 0.8.
    assert [(c.direction, c.frame) for c in ledger.remainder(30)] == [("in", 7), ("in", 17)]


def test_a_lull_settles_what_no_track_claimed_as_a_streams_end_would() -> None:
    """A live stream has no end: motion the slack kept back for tracks that never came (a
    tailgater the tracker lost) faded away. Once both ways are still, it counts."""
    ledger = FluxLedger("up", slack=1.0)
    ledger.quiet_frames = 5
    out: list[tuple[str, int, int]] = []
    for frame in range(30):
        ledger.add(0.1 if frame < 8 else 0.0, 0.0)  # 0.8 of a person, then stillness
        crossings = ledger.settle([], 1.0, frame) + ledger.settle_quiet(frame)
        out += [(c.direction, c.frame, frame) for c in crossings]
    # Counted once frames 8-12 were still (a track could have claimed it until then), dated
    # when half of it had crossed (0.3 of 0.8, frame 2).
    assert out == [("in", 2, 12)]
    assert ledger.remainder(40) == []  # settled once


def test_a_lull_settles_nothing_while_motion_goes_on_the_other_way() -> None:
    ledger = FluxLedger("up", slack=1.0)
    ledger.quiet_frames = 5
    for frame in range(30):
        ledger.add(0.8 if frame == 0 else 0.0, 0.01)  # someone rocking on the line below
        assert ledger.settle([], 1.0, frame) + ledger.settle_quiet(frame) == []


def test_the_counter_is_busy_while_a_track_could_still_claim_motion() -> None:
    counter = Counter(AREA, "up")
    counter.handoff_frames = 10
    counter.update([1], [160.0], [200.0], 0)
    assert not counter.busy  # below the area: it has not begun to cross
    counter.update([1], [160.0], [120.0], 1)
    assert counter.busy  # in the area
    counter.forget([1])  # it stood there and faded: a new track may take it over
    for frame in range(2, 12):
        counter.update([], [], [], frame)
        assert counter.busy
    counter.update([], [], [], 12)  # the hand-over expired, though no track was seen since
    assert not counter.busy


def test_a_refused_crossing_leaves_the_track_where_it_came_from() -> None:
    """A track that jumps across the area and back (between the pieces of one person) with
    motion only one way: the refused jump must not make the way back a second crossing, nor be
    offered again at every frame it stays there until flow noise lets it through."""
    counter = Counter(AREA, "up")
    ledger = FluxLedger("up", veto=0.2, slack=1.0)
    # below, in, above (in), below (a jump) and staying there for a while, above again
    path = [170.0, 120.0, 70.0, 170.0, 170.0, 170.0, 170.0, 170.0, 170.0, 70.0]
    up = [0.0, 60.0, 60.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]  # one person's motion up
    down = [0.0, 0.0, 0.0, 0.0, 5.0, 5.0, 5.0, 5.0, 5.0, 0.0]  # flow noise down, adding up
    counted: list[str] = []
    for frame, (y, u, d) in enumerate(zip(path, up, down, strict=True)):
        crossings = counter.update([1], [160.0], [y], frame)
        ledger.add(up_px2=u, down_px2=d)
        kept = ledger.settle(crossings, 100.0, frame)
        counter.undo([c for c in crossings if c not in kept])
        counted += [c.direction for c in kept]
    assert counted == ["in"]
    assert ledger.refused == 1


def test_a_track_that_jumped_onto_the_next_of_a_queue_counts_them_crossing() -> None:
    """Two people one behind the other: the track of the first, counted above the area, jumps
    back across it onto the second, still below (refused: nothing moved down). When the second
    walks into the area and out above, they cross: counted, not lost to the first's origin."""
    counter = Counter(AREA, "up")
    ledger = FluxLedger("up", veto=0.2, slack=1.0)
    # below, in, above (in); a jump below onto the next, who waits, then walks in and out above
    path = [170.0, 120.0, 70.0, 170.0, 170.0, 165.0, 140.0, 120.0, 100.0, 70.0]
    up = [0.0, 60.0, 60.0, 0.0, 0.0, 0.0, 30.0, 40.0, 40.0, 30.0]  # the two people's motion up
    counted: list[str] = []
    for frame, (y, u) in enumerate(zip(path, up, strict=True)):
        crossings = counter.update([1], [160.0], [y], frame)
        ledger.add(up_px2=u, down_px2=0.0)
        kept = ledger.settle(crossings, 100.0, frame)
        counter.undo([c for c in crossings if c not in kept])
        counted += [c.direction for c in kept]
    assert counted == ["in", "in"]
    assert ledger.refused == 1


def test_tracks_past_the_middle_are_owed_their_crossing_until_they_reach_the_far_edge() -> None:
    """A track from below the area, in its upper half, has had its body across the middle line
    (motion the ledger holds) but is counted only at the upper edge: one owed upwards."""
    counter = Counter(AREA, "up")
    owed = []
    for frame, y in enumerate([200.0, 140.0, 125.0, 110.0, 95.0, 60.0, 40.0]):
        crossings = counter.update([1], [160.0], [y], frame)
        owed.append((counter.owed()[ABOVE], counter.owed()[BELOW], len(crossings)))
    # below, lower half, lower half, upper half, upper half, counted above, above
    assert owed == [(0, 0, 0), (0, 0, 0), (0, 0, 0), (1, 0, 0), (1, 0, 0), (0, 0, 1), (0, 0, 0)]
    counter.update([2], [100.0], [110.0], 7)  # born inside: no origin, nothing owed
    assert counter.owed() == {ABOVE: 0, BELOW: 0}
    counter.update([3], [200.0], [20.0], 8)
    counter.update([3], [200.0], [130.0], 9)  # from above, past the middle downwards
    assert counter.owed() == {ABOVE: 0, BELOW: 1}
    counter.forget([3])
    assert counter.owed() == {ABOVE: 0, BELOW: 0}


def test_ledger_counts_nothing_untracked_for_motion_the_tracks_past_the_middle_will_claim() -> None:
    """Two people side by side, tracked, under a camera high enough that the area is several
    people deep: their motion across the middle (2.2 people) is all in before they reach the far
    edge. Counted untracked at once it was a third passage; owed to the two tracks it is theirs."""

    def passages(owed: dict[int, int] | None) -> list[int]:
        ledger = FluxLedger("up", slack=1.0)
        out = []
        for frame in range(10):
            ledger.add(up_px2=22.0, down_px2=0.0)
            out += [c.track_id for c in ledger.settle([], 100.0, frame, owed=owed)]
        both = [Crossing(1, "in", 5), Crossing(2, "in", 5)]
        return out + [c.track_id for c in ledger.settle(both, 100.0, 10, owed=owed)]

    assert passages(None) == [-1, 1, 2]
    assert passages({ABOVE: 2, BELOW: 0}) == [1, 2]


def test_a_rescaled_ledger_holds_people_of_the_new_size() -> None:
    """Motion of 3.6 people of a size later learnt 2.5 times as wide is 0.58 of a person: at
    the end of the stream nothing is left to count (3 passages unscaled)."""
    ledger = FluxLedger("up", slack=5.0, leak=1.0)
    ledger.add(up_px2=3.6, down_px2=0.0)
    assert ledger.settle([], 1.0, 1) == []
    scaled = FluxLedger("up", slack=5.0, leak=1.0)
    scaled.add(up_px2=3.6, down_px2=0.0)
    scaled.settle([], 1.0, 1)
    scaled.rescale(1 / 2.5**2)
    assert len(ledger.remainder(2)) == 3
    assert scaled.remainder(2) == []
    # the recent motion is rescaled too: 0.58 of a person backs no crossing under a veto of 0.6
    vetoed = FluxLedger("up", veto=0.6)
    vetoed.add(up_px2=3.6, down_px2=0.0)
    vetoed.rescale(1 / 2.5**2)
    assert vetoed.settle([crossing("in")], 1.0, 3) == []


def trailing_run(tail: float, after: float, wait: int = 0) -> list[tuple[int, str]]:
    """One tracked person up whose crossing is counted on 1.0 of motion, then `after` people's
    worth more the same way over the next 4 frames (from `wait` frames on), then a lull: the
    (track, direction) counted."""
    ledger = FluxLedger("up", slack=1.0)
    ledger.quiet_frames = 5
    ledger.tail, ledger.tail_frames = tail, 10
    ledger.add(1.0, 0.0)
    out = [(c.track_id, c.direction) for c in ledger.settle([crossing("in", 7)], 1.0, 0)]
    for frame in range(1, 40):
        moving = wait < frame <= wait + 4
        ledger.add(after / 4 if moving else 0.0, 0.0)
        crossings = ledger.settle([], 1.0, frame) + ledger.settle_quiet(frame)
        out += [(c.track_id, c.direction) for c in crossings]
    return out


def test_a_tracked_persons_trailing_body_is_not_someone_else() -> None:
    """A person much longer than the area is thick is counted at its far edge with part of
    their body still behind the middle line: the motion of that part, right after, is theirs
    (up to their trailing share) and the lull counts no one more; the same motion with no
    share to absorb it counts as a second person, and so does a second person's worth."""
    assert trailing_run(tail=0.3, after=0.8) == [(7, "in")]  # 0.5 left: under 0.7 of a person
    assert trailing_run(tail=0.0, after=0.8) == [(7, "in"), (-1, "in")]
    assert trailing_run(tail=0.3, after=1.2) == [(7, "in"), (-1, "in")]  # someone else too
    # motion long after the crossing (beyond tail_frames) is not the same person's body
    assert trailing_run(tail=0.3, after=0.8, wait=15) == [(7, "in"), (-1, "in")]


def test_the_trailing_share_follows_the_persons_length_over_the_band() -> None:
    """Nothing trails a person no longer than the band is thick; half of one whose length the
    band is as nothing; in between, the segment of an ellipse beyond half the band."""
    assert trailing_share(40.0, 40.0) == 0.0 and trailing_share(60.0, 33.0) == 0.0
    assert trailing_share(0.0, 100.0) == pytest.approx(0.5)
    shares = [trailing_share(40.0, length) for length in (50.0, 80.0, 125.0, 200.0)]
    assert shares == sorted(shares) and 0.0 < shares[0] < shares[-1] < 0.5
    assert trailing_share(40.0, 125.0) == pytest.approx(0.30, abs=0.01)

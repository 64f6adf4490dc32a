"""FIFO visit matching (SPEC §7: average visit time)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from footfall.counting.visits import VisitQueue, match_visits

CASES = [
    # (passages, expected (exit time, visit seconds))
    ([], []),
    ([(0.0, "in"), (60.0, "out")], [(60.0, 60.0)]),
    # first in, first out: the 10 s entrant is matched with the first exit
    ([(10.0, "in"), (20.0, "in"), (100.0, "out"), (200.0, "out")], [(100.0, 90.0), (200.0, 180.0)]),
    # an exit with nobody inside gives no visit, and does not eat a later entry
    ([(5.0, "out"), (10.0, "in"), (40.0, "out")], [(40.0, 30.0)]),
    ([(10.0, "in"), (10.0, "out")], [(10.0, 0.0)]),
]


@pytest.mark.parametrize(("passages", "expected"), CASES)
def test_match_visits(
    passages: list[tuple[float, str]], expected: list[tuple[float, float]]
) -> None:
    assert match_visits(passages) == expected


def test_reset_puts_unknown_people_inside_who_give_no_visit_time() -> None:
    queue = VisitQueue()
    queue.enter(0.0)
    queue.reset(2)
    queue.enter(100.0)
    assert len(queue) == 3
    assert queue.exit(110.0) is None
    assert queue.exit(120.0) is None
    assert queue.exit(130.0) == 30.0
    assert queue.exit(140.0) is None


def test_snapshot_round_trip() -> None:
    queue = VisitQueue([None, 5.0])
    again = VisitQueue(queue.snapshot())
    assert again.exit(10.0) is None
    assert again.exit(10.0) == 5.0


@given(st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(["in", "out"])), max_size=60))
def test_fifo_total_equals_sum_of_matched_pairs(raw: list[tuple[int, str]]) -> None:
    passages = sorted((float(t), d) for t, d in raw)
    visits = match_visits(passages)
    entries = [t for t, d in passages if d == "in"]
    # every visit is non-negative and there are never more visits than entries or exits
    assert all(length >= 0 for _, length in visits)
    assert len(visits) <= min(len(entries), sum(1 for _, d in passages if d == "out"))
    # FIFO: the k-th visit starts at the k-th entry that was matched, in entry order
    starts = [end - length for end, length in visits]
    assert starts == sorted(starts)

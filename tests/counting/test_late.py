"""Late passages: shortfalls between the store and what the live side took in."""

from __future__ import annotations

from footfall.counting.late import LateGaps


def test_a_passage_of_our_own_ingest_is_not_taken_twice() -> None:
    late = LateGaps(confirm_s=10)
    assert late.update({60: (1, 0)}, {}, 0.0) == {}  # committed, listener not run yet
    assert late.update({60: (1, 0)}, {60: (1, 0)}, 2.0) == {}  # the listener ran
    assert late.update({60: (1, 0)}, {60: (1, 0)}, 20.0) == {}


def test_a_lasting_shortfall_is_taken_once() -> None:
    late = LateGaps(confirm_s=10)
    stored = {60: (3, 1), 120: (0, 2)}
    assert late.update(stored, {60: (1, 1)}, 0.0) == {}
    assert late.update(stored, {60: (1, 1)}, 5.0) == {}
    assert late.update(stored, {60: (1, 1)}, 10.0) == {60: (2, 0), 120: (0, 2)}
    taken = {60: (3, 1), 120: (0, 2)}  # what the hub records after taking them in
    assert late.update(stored, taken, 30.0) == {}


def test_only_the_part_that_lasted_is_taken() -> None:
    late = LateGaps(confirm_s=10)
    assert late.update({60: (2, 0)}, {}, 0.0) == {}  # one of the two is our own, pending
    assert late.update({60: (2, 0)}, {60: (1, 0)}, 5.0) == {}  # ... and now taken in
    # a third arrives from another process: only the shortfall that lasted 10 s is taken
    assert late.update({60: (3, 0)}, {60: (1, 0)}, 10.0) == {60: (1, 0)}
    # the newcomer must last 10 s from now on
    assert late.update({60: (3, 0)}, {60: (2, 0)}, 15.0) == {}
    assert late.update({60: (3, 0)}, {60: (2, 0)}, 20.0) == {60: (1, 0)}


def test_clear_forgets() -> None:
    late = LateGaps(confirm_s=1)
    late.update({60: (1, 0)}, {}, 0.0)
    late.clear()
    assert late.update({60: (1, 0)}, {}, 5.0) == {}

"""Passages dated by the frame they happened at, in time order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from footfall.counting.stamp import FrameTimes

T0 = datetime(2026, 3, 29, 0, 59, 58, tzinfo=UTC)


def filled(keep: int, frames: range, step_s: float = 0.04) -> FrameTimes:
    times = FrameTimes(keep)
    for i in frames:
        times.add(i, T0 + timedelta(seconds=i * step_s))
    return times


def test_a_passage_gets_the_time_of_the_frame_it_happened_at() -> None:
    times = filled(100, range(50))
    assert times.stamp(30) == (30, T0 + timedelta(seconds=1.2))


def test_frames_not_seen_take_the_last_seen_before_them() -> None:
    times = FrameTimes(100)
    for i in (0, 3, 9):  # a live source drops frames
        times.add(i, T0 + timedelta(seconds=i))
    assert times.stamp(5) == (3, T0 + timedelta(seconds=3))


def test_older_than_remembered_takes_the_oldest_remembered() -> None:
    times = filled(10, range(50))
    assert times.stamp(2) == (40, T0 + timedelta(seconds=1.6))


def test_passages_never_go_back_in_time() -> None:
    times = filled(100, range(50))
    assert times.stamp(40)[0] == 40
    assert times.stamp(35)[0] == 40  # known later but happened earlier: not before the last one
    times.add(50, T0 + timedelta(seconds=2.0))
    assert times.stamp(45)[0] == 45


def test_resize_keeps_the_newest() -> None:
    times = filled(100, range(50))
    times.resize(5)
    assert times.stamp(0)[0] == 45


def test_nothing_to_date_by_before_a_frame() -> None:
    with pytest.raises(ValueError, match="no frame"):
        FrameTimes(10).stamp(0)


def test_a_passage_carries_the_sources_own_number_for_its_frame() -> None:
    times = FrameTimes(100)
    for key in range(10):
        index = key if key < 5 else key - 5  # the source was opened anew at the 6th frame
        times.add(key, T0 + timedelta(seconds=key), index)
    assert times.stamp(3) == (3, T0 + timedelta(seconds=3))
    assert times.stamp(7) == (2, T0 + timedelta(seconds=7))


def test_offline_each_passage_keeps_the_frame_it_happened_at() -> None:
    """A file counted offline sorts its passages at the end: a person the motion counted only
    when the clip ended keeps the frame they crossed at (tram 02's at 538, dated 725 with the
    passage before it, missed its hand-marked event at 537)."""
    times = FrameTimes(100, in_order=False)
    for i in range(50):
        times.add(i, T0 + timedelta(seconds=i * 0.04))
    assert times.stamp(40)[0] == 40
    assert times.stamp(35) == (35, T0 + timedelta(seconds=1.4))

"""Naive and smart occupancy (SPEC §7), re-zero rules, persistence of the state."""

from __future__ import annotations

from datetime import UTC, datetime
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import pytest

from footfall.counting.occupancy import (
    Change,
    OccupancyEstimate,
    Rezero,
    closing_between,
    parse_closing,
)

PARIS = ZoneInfo("Europe/Paris")


def _run(est: OccupancyEstimate, seq: str, step_s: float = 10.0) -> list[int]:
    return [est.apply("in" if c == "i" else "out", i * step_s).occupancy for i, c in enumerate(seq)]


CASES = [
    # (mode, passages i/o, occupancy after each)
    ("naive", "iio", [1, 2, 1]),
    ("naive", "oio", [0, 0, 0]),  # signed inside (-1, 0, -1), shown clamped at 0
    ("smart", "oio", [0, 1, 0]),  # the first exit is dropped: no lasting deficit
    ("smart", "iiooo", [1, 2, 1, 0, 0]),
    ("naive", "ooiii", [0, 0, 0, 0, 1]),
]


@pytest.mark.parametrize(("mode", "seq", "expected"), CASES)
def test_modes(mode: str, seq: str, expected: list[int]) -> None:
    est = OccupancyEstimate(mode)  # type: ignore[arg-type]
    assert _run(est, seq) == expected


def test_both_estimates_are_kept_and_the_mode_picks_one() -> None:
    est = OccupancyEstimate("naive")
    _run(est, "oooi")
    assert (est.naive, est.smart, est.occupancy) == (-2, 1, 0)
    est.mode = "smart"
    assert est.occupancy == 1


def test_reset_sets_naive_and_visits_of_unknown_people_are_not_timed() -> None:
    est = OccupancyEstimate("naive")
    est.apply("in", 0.0)
    assert est.reset(5).occupancy == 5
    assert est.apply("out", 100.0) == Change(4, None)
    assert est.apply("out", 110.0) == Change(3, None)


def test_visit_time_comes_with_the_exit() -> None:
    est = OccupancyEstimate("smart")
    est.apply("in", 0.0)
    est.apply("in", 30.0)
    assert est.apply("out", 90.0).visit_s == 90.0
    assert est.apply("out", 100.0).visit_s == 70.0
    assert est.apply("out", 110.0).visit_s is None


def test_quiet_rezero_only_when_small_and_quiet_long_enough() -> None:
    rule = Rezero(quiet_s=600, quiet_maximum=2)
    est = OccupancyEstimate("smart")
    _run(est, "ii")  # last passage at t=10
    assert est.due(300.0, rule) is None
    assert est.due(610.0, rule) == "quiet"
    est.rezero()
    assert est.occupancy == 0
    assert est.due(2000.0, rule) is None  # already empty
    busy = OccupancyEstimate("smart")
    _run(busy, "iii")
    assert busy.due(10_000.0, rule) is None  # 3 > quiet_maximum: a busy site is left alone
    assert busy.due(10_000.0, Rezero(quiet_s=0, quiet_maximum=100)) is None  # 0 = never


def test_closing_rezero_when_the_local_closing_time_passes() -> None:
    closing = clock_time(22, 0)
    rule = Rezero(quiet_s=0, closing=closing, zone=PARIS)
    est = OccupancyEstimate("smart")
    before = datetime(2026, 7, 1, 19, 59, tzinfo=UTC).timestamp()  # 21:59 in Paris (CEST)
    after = datetime(2026, 7, 1, 20, 1, tzinfo=UTC).timestamp()
    est.apply("in", before - 100)
    assert est.due(before, rule) is None  # first look only records the time
    assert est.due(after, rule) == "closing"


def test_closing_is_seen_after_a_restart_that_spanned_it() -> None:
    est = OccupancyEstimate("smart")
    est.apply("in", 0.0)
    est.due(datetime(2026, 1, 5, 12, tzinfo=UTC).timestamp(), Rezero(quiet_s=0))
    again = OccupancyEstimate.from_json(est.to_json(), "smart")
    rule = Rezero(quiet_s=0, closing=clock_time(23, 30), zone=PARIS)
    assert again.due(datetime(2026, 1, 6, 8, tzinfo=UTC).timestamp(), rule) == "closing"


def test_naive_mode_rezero_leaves_the_visits_of_naive_alone() -> None:
    est = OccupancyEstimate("naive")
    est.apply("in", 0.0)
    est.rezero()
    assert (est.smart, est.naive) == (0, 1)
    assert est.apply("out", 50.0).visit_s == 50.0


def test_state_round_trip() -> None:
    est = OccupancyEstimate("smart")
    _run(est, "iioi")
    again = OccupancyEstimate.from_json(est.to_json(), "smart")
    assert again.to_json() == est.to_json()
    assert again.occupancy == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", None), ("00:00", clock_time(0, 0)), ("23:59", clock_time(23, 59))],
)
def test_parse_closing(text: str, expected: clock_time | None) -> None:
    assert parse_closing(text) == expected


@pytest.mark.parametrize("text", ["24:00", "7:00", "07:60", "0700", "ab:cd", "07:00:00", "²²:00"])
def test_parse_closing_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="closing time"):
        parse_closing(text)


def test_closing_between_across_dst_and_days() -> None:
    c = clock_time(2, 30)  # does not exist on 2026-03-29 in Paris: zoneinfo moves it to 03:30
    start = datetime(2026, 3, 28, 23, tzinfo=UTC).timestamp()
    end = datetime(2026, 3, 29, 2, tzinfo=UTC).timestamp()
    assert closing_between(start, end, c, PARIS)
    assert not closing_between(end, end, c, PARIS)
    week = 7 * 86400
    assert closing_between(start, start + week, clock_time(12, 0), PARIS)

"""Local days and bins from UTC minutes: DST, odd offsets, completeness (SPEC.md §2), read from
each store backend (`any_store`)."""

from __future__ import annotations

import time as time_module
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from footfall.store.base import Direction, Passage
from footfall.store.bins import (
    count_report,
    day_bounds_utc,
    days_with_data,
    parse_dates,
    today_totals,
)
from tests.store.conftest import AnyStore

STOCKHOLM = ZoneInfo("Europe/Stockholm")
KATHMANDU = ZoneInfo("Asia/Kathmandu")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def add(store: AnyStore, *moments: tuple[datetime, Direction]) -> None:
    store.add_passages([Passage(t, d) for t, d in moments])


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        ("Europe/Stockholm", date(2025, 3, 30), 23),
        ("Europe/Stockholm", date(2025, 10, 26), 25),
        ("Europe/Stockholm", date(2025, 6, 1), 24),
        ("Asia/Kathmandu", date(2025, 6, 1), 24),
        ("Australia/Lord_Howe", date(2025, 10, 5), 23.5),
        ("Australia/Lord_Howe", date(2025, 4, 6), 24.5),
        ("America/Santiago", date(2025, 9, 7), 23),  # the clocks skip local midnight
    ],
)
def test_day_bounds(zone: str, day: date, hours: float) -> None:
    start, end = day_bounds_utc(day, ZoneInfo(zone))
    assert (end - start) == hours * 3600
    assert datetime.fromtimestamp(start, ZoneInfo(zone)).date() == day
    assert datetime.fromtimestamp(start - 1, ZoneInfo(zone)).date() < day
    assert datetime.fromtimestamp(end, ZoneInfo(zone)).date() > day


def test_spring_forward_has_92_quarters(any_store: AnyStore) -> None:
    # 2025-03-30 in Stockholm: 02:00 CET becomes 03:00 CEST at 01:00 UTC.
    add(any_store, (utc(2025, 3, 30, 0, 50), "in"), (utc(2025, 3, 30, 1, 10), "out"))
    (day,) = count_report(any_store, STOCKHOLM, None, 900)
    assert day.day == date(2025, 3, 30)
    assert len(day.bins) == 92
    assert not [b for b in day.bins if b.start.hour == 2]
    by_start = {b.start.time(): b for b in day.bins}
    assert by_start[time(1, 45)].values == (1, 0)
    assert by_start[time(1, 45)].end == datetime(2025, 3, 30, 2, 0)
    assert by_start[time(3, 0)].values == (0, 1)
    assert day.bins[-1].end == datetime(2025, 3, 31)
    hours = count_report(any_store, STOCKHOLM, None, 3600)[0].bins
    assert len(hours) == 23 and [b.start.hour for b in hours].count(2) == 0
    (whole,) = count_report(any_store, STOCKHOLM, None, 86400)[0].bins
    assert whole.values == (1, 1)
    assert (whole.start, whole.end) == (datetime(2025, 3, 30), datetime(2025, 3, 31))


def test_fall_back_sums_the_repeated_hour(any_store: AnyStore) -> None:
    # 2025-10-26 in Stockholm: 02:10 happens at 00:10 UTC (CEST) and again at 01:10 UTC (CET).
    add(any_store, (utc(2025, 10, 26, 0, 10), "in"), (utc(2025, 10, 26, 1, 10), "in"))
    add(any_store, (utc(2025, 10, 26, 1, 59), "out"))
    (day,) = count_report(any_store, STOCKHOLM, None, 900)
    assert len(day.bins) == 96
    keys = [b.end for b in day.bins]
    assert len(set(keys)) == 96 and keys == sorted(keys)
    by_start = {b.start.time(): b.values for b in day.bins}
    assert by_start[time(2, 0)] == (2, 0)
    assert by_start[time(2, 45)] == (0, 1)
    assert sum(b.values[0] for b in day.bins) == 2
    assert len(count_report(any_store, STOCKHOLM, None, 3600)[0].bins) == 24


def test_a_quarter_hour_zone_splits_days_at_local_midnight(any_store: AnyStore) -> None:
    # Kathmandu is UTC+05:45: 18:14 UTC is 23:59 local, 18:15 UTC is 00:00 the next day.
    add(any_store, (utc(2025, 6, 1, 18, 14), "in"), (utc(2025, 6, 1, 18, 15), "out"))
    assert days_with_data(any_store, KATHMANDU) == [date(2025, 6, 1), date(2025, 6, 2)]
    first, second = count_report(any_store, KATHMANDU, None, 3600)
    assert first.bins[-1].values == (1, 0) and sum(b.values[1] for b in first.bins) == 0
    assert second.bins[0].values == (0, 1) and len(second.bins) == 24
    assert count_report(any_store, KATHMANDU, [date(2025, 6, 2)], 86400)[0].bins[0].values == (0, 1)


def test_lord_howe_half_hour_shift(any_store: AnyStore) -> None:
    # 2025-10-05: 02:00 (+10:30) becomes 02:30 (+11:00); 2025-04-06: 02:00 back to 01:30.
    add(any_store, (utc(2025, 10, 4, 15, 0), "in"), (utc(2025, 4, 5, 14, 45), "in"))
    add(any_store, (utc(2025, 4, 5, 15, 15), "in"))
    autumn, spring = count_report(any_store, LORD_HOWE, None, 900)
    assert (autumn.day, len(autumn.bins)) == (date(2025, 4, 6), 96)
    assert {b.start.time(): b.values for b in autumn.bins}[time(1, 45)] == (2, 0)
    assert (spring.day, len(spring.bins)) == (date(2025, 10, 5), 94)
    spring_starts = [b.start.time() for b in spring.bins]
    assert spring_starts[7:9] == [time(1, 45), time(2, 30)]
    assert time(2, 30) in {b.start.time() for b in spring.bins}
    assert len(count_report(any_store, LORD_HOWE, [date(2025, 10, 5)], 3600)[0].bins) == 24


def test_old_offsets_fall_back_to_minute_windows(any_store: AnyStore) -> None:
    # Monrovia kept UTC-00:44:30 until 1972: no quarter-hour rollup lines up with its bins.
    monrovia = ZoneInfo("Africa/Monrovia")
    add(any_store, (utc(1971, 3, 1, 0, 44), "in"), (utc(1971, 3, 1, 0, 45), "out"))
    first, second = count_report(any_store, monrovia, None, 900)
    assert (first.day, second.day) == (date(1971, 2, 28), date(1971, 3, 1))
    assert first.bins[-1].values == (1, 0) and second.bins[0].values == (0, 1)


def test_only_days_with_data_and_complete(any_store: AnyStore) -> None:
    add(any_store, (utc(2025, 6, 1, 10, 0), "in"), (utc(2025, 6, 3, 10, 0), "out"))
    asked = [date(2025, 5, 31), date(2025, 6, 1), date(2025, 6, 2), date(2025, 6, 3)]
    report = count_report(any_store, STOCKHOLM, asked, 900)
    assert [d.day for d in report] == [date(2025, 6, 1), date(2025, 6, 3)]
    assert all(len(d.bins) == 96 for d in report)
    assert [d.day for d in count_report(any_store, STOCKHOLM, [date(2025, 6, 3)], 900)] == [
        date(2025, 6, 3)
    ]
    assert count_report(any_store, STOCKHOLM, [date(2025, 6, 2)], 900) == []
    assert days_with_data(any_store, STOCKHOLM) == [date(2025, 6, 1), date(2025, 6, 3)]


def test_empty_store(any_store: AnyStore) -> None:
    assert days_with_data(any_store, STOCKHOLM) == []
    assert count_report(any_store, STOCKHOLM, None, 900) == []
    assert count_report(any_store, STOCKHOLM, [date(2025, 1, 1)], 3600) == []


def test_bins_are_contiguous_and_keyed_by_end(any_store: AnyStore) -> None:
    add(any_store, (utc(2017, 5, 12, 10, 0), "in"))
    (day,) = count_report(any_store, ZoneInfo("UTC"), None, 900)
    assert day.bins[0].start == datetime(2017, 5, 12) and day.bins[0].end == datetime(
        2017, 5, 12, 0, 15
    )
    for a, b in zip(day.bins, day.bins[1:], strict=False):
        assert a.end == b.start and b.end - b.start == timedelta(minutes=15)


def test_today_totals(any_store: AnyStore) -> None:
    add(any_store, (utc(2025, 6, 1, 21, 59), "in"))  # 23:59 local on the 1st
    add(any_store, (utc(2025, 6, 1, 22, 0), "in"), (utc(2025, 6, 2, 9, 30, 20), "out"))
    add(any_store, (utc(2025, 6, 2, 9, 31), "out"))  # after "now"
    now = utc(2025, 6, 2, 9, 30, 45)
    assert today_totals(any_store, STOCKHOLM, now) == (1, 1)
    assert today_totals(any_store, ZoneInfo("UTC"), now) == (0, 1)


def test_a_century_of_asked_days_costs_only_the_data(any_store: AnyStore) -> None:
    add(any_store, (utc(2025, 6, 1, 10, 0), "in"))
    asked = parse_dates("19700101-20691231")
    assert asked is not None and len(asked) > 36000
    began = time_module.perf_counter()
    (day,) = count_report(any_store, STOCKHOLM, asked, 900)
    assert day.day == date(2025, 6, 1)
    assert time_module.perf_counter() - began < 1.0

"""Hypothesis: whatever the passages and the zone, bins add up and nothing is dropped (SPEC §2)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from footfall.store.base import Passage
from footfall.store.bins import count_report, days_with_data
from footfall.store.postgres import PostgresStore
from footfall.store.sqlite import SQLiteStore
from tests.store.conftest import AnyStore, new_serial

ZONES = ["Europe/Stockholm", "Asia/Kathmandu", "Australia/Lord_Howe", "America/Santiago",
         "America/St_Johns", "Pacific/Chatham", "UTC", "Asia/Kolkata"]  # fmt: skip
# Around real transitions: Europe spring/autumn, Lord Howe, Santiago (skips midnight), Chatham.
ANCHORS = [datetime(2025, 3, 30, 1, tzinfo=UTC), datetime(2025, 10, 26, 1, tzinfo=UTC),
           datetime(2025, 10, 4, 15, 30, tzinfo=UTC), datetime(2025, 4, 5, 15, tzinfo=UTC),
           datetime(2025, 9, 7, 4, tzinfo=UTC), datetime(2025, 4, 5, 14, tzinfo=UTC),
           datetime(2025, 11, 2, 6, tzinfo=UTC)]  # fmt: skip

passages = st.lists(
    st.tuples(st.integers(-3 * 86400, 3 * 86400), st.sampled_from(["in", "out"])),
    min_size=1,
    max_size=40,
)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AnyStore]:
    """One store per backend for the whole module (each example clears it first)."""
    opened: AnyStore
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("props") / "props.sqlite3"
        opened = SQLiteStore(path, synchronous="NORMAL")
    else:
        opened = PostgresStore(request.getfixturevalue("pg_url"), new_serial())
    with opened:
        yield opened
        opened.clear()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(zone=st.sampled_from(ZONES), anchor=st.sampled_from(ANCHORS), moves=passages)
def test_bins_add_up(store: AnyStore, zone: str, anchor: datetime, moves: list) -> None:  # type: ignore[type-arg]
    store.clear()
    tz = ZoneInfo(zone)
    store.add_passages([Passage(anchor + timedelta(seconds=s), d) for s, d in moves])
    committed = (sum(d == "in" for _, d in moves), sum(d == "out" for _, d in moves))

    quarters = count_report(store, tz, None, 900)
    hours = count_report(store, tz, None, 3600)
    whole = count_report(store, tz, None, 86400)
    days = [d.day for d in quarters]
    assert days == [d.day for d in hours] == [d.day for d in whole] == days_with_data(store, tz)

    for q, h, w in zip(quarters, hours, whole, strict=True):
        (day_bin,) = w.bins
        q_sum = tuple(sum(b.values[i] for b in q.bins) for i in range(2))
        h_sum = tuple(sum(b.values[i] for b in h.bins) for i in range(2))
        assert q_sum == h_sum == day_bin.values
        for hour in h.bins:  # each hour is the sum of its quarters
            inside = [b.values for b in q.bins if hour.start <= b.start < hour.end]
            assert tuple(map(sum, zip(*inside, strict=True))) == hour.values
        for res_bins, width in ((q.bins, 900), (h.bins, 3600)):
            assert all(b.start.date() == q.day for b in res_bins)
            assert all((b.end - b.start).total_seconds() == width for b in res_bins)
            assert [b.start for b in res_bins] == sorted({b.start for b in res_bins})
        midnight = int(datetime(q.day.year, q.day.month, q.day.day, tzinfo=tz).timestamp())
        existing = {  # minutes that some instant around the day actually shows on the wall
            datetime.fromtimestamp(t, tz).replace(tzinfo=None, second=0)
            for t in range(midnight - 7200, midnight + 30 * 3600, 60)
        }
        expected_q = {b.start for b in q.bins}
        shown = {m.replace(minute=m.minute // 15 * 15) for m in existing if m.date() == q.day}
        assert expected_q == shown

    total = tuple(sum(b.values[i] for d in quarters for b in d.bins) for i in range(2))
    assert total == committed

    if len(days) > 1:  # asking for some days gives exactly those days, unchanged
        subset = days[::2]
        assert count_report(store, tz, subset, 900) == [d for d in quarters if d.day in subset]

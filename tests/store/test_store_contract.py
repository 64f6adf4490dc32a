"""The Store contract on every backend (SQLite file, PostgreSQL): bins, rollup, events,
retention, threads. Each test runs once per backend through the `any_store` fixture."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from footfall.store.base import Event, MinuteBin, Passage, Store
from footfall.store.postgres import PostgresStore
from footfall.store.sqlite import SQLiteStore
from tests.store.conftest import AnyStore

T0 = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
M0 = int(T0.timestamp())


def test_it_is_a_store(any_store: AnyStore) -> None:
    assert isinstance(any_store, SQLiteStore | PostgresStore)
    typed: Store = any_store  # mypy checks the protocol
    assert typed is any_store


def test_passages_land_in_their_utc_minute(any_store: AnyStore) -> None:
    any_store.add_passages(
        [Passage(T0, "in"), Passage(T0 + timedelta(seconds=59.9), "out"), Passage(T0, "in")]
    )
    any_store.add_passages([Passage(T0 + timedelta(minutes=1), "out")])
    local = datetime(2025, 6, 1, 10, 2, 30, tzinfo=T0.astimezone().tzinfo)  # any aware zone
    any_store.add_passages([Passage(local, "in")])
    assert any_store.minute_bins(M0, M0 + 3600) == [
        MinuteBin(M0, 2, 1),
        MinuteBin(M0 + 60, 0, 1),
    ] + ([MinuteBin(int(local.timestamp()) // 60 * 60, 1, 0)] if local.utcoffset() else [])
    assert any_store.totals(M0, M0 + 60) == (2, 1)
    assert any_store.totals(M0 + 60, M0 + 120) == (0, 1)
    assert any_store.totals(0, M0) == (0, 0)


@pytest.mark.parametrize(
    "bad",
    [
        Passage(datetime(2025, 6, 1, 8, 0), "in"),  # naive
        Passage(datetime(1969, 12, 31, 23, 59, tzinfo=UTC), "in"),
        Passage(T0, "sideways"),  # type: ignore[arg-type]
    ],
)
def test_bad_passages_are_refused_whole(any_store: AnyStore, bad: Passage) -> None:
    with pytest.raises(ValueError):
        any_store.add_passages([Passage(T0, "in"), bad])
    assert any_store.totals(0, 2**40) == (0, 0)


def test_quarter_rollup_follows_every_write(any_store: AnyStore) -> None:
    moments = [T0 + timedelta(minutes=m, seconds=s) for m in range(0, 200, 7) for s in (0, 30)]
    any_store.add_passages([Passage(t, "in" if i % 3 else "out") for i, t in enumerate(moments)])
    any_store.add_minute_counts([(M0 + 60 * 14, 5, 0), (M0 + 60 * 300, 0, 2)])
    any_store.purge_before(M0 + 60 * 20)  # mid-quarter
    by_minute: dict[int, list[int]] = {}
    for b in any_store.minute_bins(0, 2**40):
        q = by_minute.setdefault(b.minute_utc // 900 * 900, [0, 0])
        q[0] += b.in_count
        q[1] += b.out_count
    expected = [(q, a, b) for q, (a, b) in sorted(by_minute.items())]
    assert any_store.window_sums(0, 900 * 2**30, 900) == expected
    hours = any_store.window_sums(0, 3600 * 2**28, 3600)
    assert sum(h[1] for h in hours) == sum(e[1] for e in expected)
    assert any_store.window_sums(M0, M0 + 3600, 60) == [
        (b.minute_utc, b.in_count, b.out_count) for b in any_store.minute_bins(M0, M0 + 3600)
    ]
    any_store.clear()
    assert any_store.window_sums(0, 900 * 2**30, 900) == []


@pytest.mark.parametrize(("start", "end", "width"), [(1, 900, 900), (0, 901, 900), (0, 60, 7)])
def test_window_sums_refuses_misaligned(
    any_store: AnyStore, start: int, end: int, width: int
) -> None:
    with pytest.raises(ValueError):
        any_store.window_sums(start, end, width)


def test_data_hours(any_store: AnyStore) -> None:
    assert any_store.data_hours() == []
    any_store.add_passages(
        [Passage(T0 + timedelta(hours=h, minutes=59), "in") for h in (0, 0, 3, 50)]
    )
    assert any_store.data_hours() == [M0, M0 + 3 * 3600, M0 + 50 * 3600]


def test_events_round_trip(any_store: AnyStore) -> None:
    first = any_store.add_event(Event(T0, "tailgating", {"gap_s": 0.8, "who": "Åsa"}))
    second = any_store.add_event(Event(T0 + timedelta(microseconds=1), "occupancy_high", {}))
    any_store.add_event(Event(T0 + timedelta(hours=2), "tailgating"))
    got = any_store.events(M0, M0 + 3600)
    assert [e.id for e in got] == [first, second]
    assert got[0] == Event(T0, "tailgating", {"gap_s": 0.8, "who": "Åsa"}, id=first)
    assert got[1].time == T0 + timedelta(microseconds=1)
    assert [e.kind for e in any_store.events(M0, M0 + 86400, kind="tailgating")] == [
        "tailgating"
    ] * 2
    with pytest.raises(ValueError):
        any_store.add_event(Event(datetime(2025, 1, 1), "naive"))


def test_purge_and_clear(any_store: AnyStore) -> None:
    any_store.add_passages([Passage(T0 + timedelta(days=d), "in") for d in range(5)])
    any_store.add_event(Event(T0, "old"))
    any_store.add_event(Event(T0 + timedelta(days=4), "new"))
    assert any_store.purge_before(M0 + 2 * 86400) == 2 + 1
    assert any_store.totals(0, 2**40) == (3, 0)
    assert [e.kind for e in any_store.events(0, 2**40)] == ["new"]
    any_store.clear()
    assert any_store.totals(0, 2**40) == (0, 0) and any_store.events(0, 2**40) == []


def test_threads_write_and_read_together(any_store: AnyStore) -> None:
    errors: list[BaseException] = []

    def writer(k: int) -> None:
        try:
            for i in range(50):
                any_store.add_passages([Passage(T0 + timedelta(seconds=k * 1000 + i), "in")])
        except BaseException as error:
            errors.append(error)

    def reader() -> None:
        try:
            for _ in range(100):
                n_in, _ = any_store.totals(0, 2**40)
                assert 0 <= n_in <= 200
                any_store.window_sums(0, 900 * 2**30, 900)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    threads += [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert any_store.totals(0, 2**40) == (200, 0)

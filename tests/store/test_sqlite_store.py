"""SQLiteStore on real files: bins, rollup, events, retention, stats, threads."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from footfall.store.base import Event, MinuteBin, Passage, Store
from footfall.store.migrate import load_migrations
from footfall.store.sqlite import SQLiteStore

T0 = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
M0 = int(T0.timestamp())


def test_it_is_a_store(store: SQLiteStore) -> None:
    assert isinstance(store, SQLiteStore)
    typed: Store = store  # mypy checks the protocol
    assert typed is store


def test_passages_land_in_their_utc_minute(store: SQLiteStore) -> None:
    store.add_passages(
        [Passage(T0, "in"), Passage(T0 + timedelta(seconds=59.9), "out"), Passage(T0, "in")]
    )
    store.add_passages([Passage(T0 + timedelta(minutes=1), "out")])
    local = datetime(2025, 6, 1, 10, 2, 30, tzinfo=T0.astimezone().tzinfo)  # any aware zone
    store.add_passages([Passage(local, "in")])
    assert store.minute_bins(M0, M0 + 3600) == [
        MinuteBin(M0, 2, 1),
        MinuteBin(M0 + 60, 0, 1),
    ] + ([MinuteBin(int(local.timestamp()) // 60 * 60, 1, 0)] if local.utcoffset() else [])
    assert store.totals(M0, M0 + 60) == (2, 1)
    assert store.totals(M0 + 60, M0 + 120) == (0, 1)
    assert store.totals(0, M0) == (0, 0)


@pytest.mark.parametrize(
    "bad",
    [
        Passage(datetime(2025, 6, 1, 8, 0), "in"),  # naive
        Passage(datetime(1969, 12, 31, 23, 59, tzinfo=UTC), "in"),
        Passage(T0, "sideways"),  # type: ignore[arg-type]
    ],
)
def test_bad_passages_are_refused_whole(store: SQLiteStore, bad: Passage) -> None:
    with pytest.raises(ValueError):
        store.add_passages([Passage(T0, "in"), bad])
    assert store.totals(0, 2**40) == (0, 0)


def test_quarter_rollup_follows_every_write(store: SQLiteStore) -> None:
    moments = [T0 + timedelta(minutes=m, seconds=s) for m in range(0, 200, 7) for s in (0, 30)]
    store.add_passages([Passage(t, "in" if i % 3 else "out") for i, t in enumerate(moments)])
    store.add_minute_counts([(M0 + 60 * 14, 5, 0), (M0 + 60 * 300, 0, 2)])
    store.purge_before(M0 + 60 * 20)  # mid-quarter
    by_minute: dict[int, list[int]] = {}
    for b in store.minute_bins(0, 2**40):
        q = by_minute.setdefault(b.minute_utc // 900 * 900, [0, 0])
        q[0] += b.in_count
        q[1] += b.out_count
    expected = [(q, a, b) for q, (a, b) in sorted(by_minute.items())]
    assert store.window_sums(0, 900 * 2**30, 900) == expected
    hours = store.window_sums(0, 3600 * 2**28, 3600)
    assert sum(h[1] for h in hours) == sum(e[1] for e in expected)
    assert store.window_sums(M0, M0 + 3600, 60) == [
        (b.minute_utc, b.in_count, b.out_count) for b in store.minute_bins(M0, M0 + 3600)
    ]
    store.clear()
    assert store.window_sums(0, 900 * 2**30, 900) == []


@pytest.mark.parametrize(("start", "end", "width"), [(1, 900, 900), (0, 901, 900), (0, 60, 7)])
def test_window_sums_refuses_misaligned(
    store: SQLiteStore, start: int, end: int, width: int
) -> None:
    with pytest.raises(ValueError):
        store.window_sums(start, end, width)


def test_data_hours(store: SQLiteStore) -> None:
    assert store.data_hours() == []
    store.add_passages([Passage(T0 + timedelta(hours=h, minutes=59), "in") for h in (0, 0, 3, 50)])
    assert store.data_hours() == [M0, M0 + 3 * 3600, M0 + 50 * 3600]


def test_events_round_trip(store: SQLiteStore) -> None:
    first = store.add_event(Event(T0, "tailgating", {"gap_s": 0.8, "who": "Åsa"}))
    second = store.add_event(Event(T0 + timedelta(microseconds=1), "occupancy_high", {}))
    store.add_event(Event(T0 + timedelta(hours=2), "tailgating"))
    got = store.events(M0, M0 + 3600)
    assert [e.id for e in got] == [first, second]
    assert got[0] == Event(T0, "tailgating", {"gap_s": 0.8, "who": "Åsa"}, id=first)
    assert got[1].time == T0 + timedelta(microseconds=1)
    assert [e.kind for e in store.events(M0, M0 + 86400, kind="tailgating")] == ["tailgating"] * 2
    with pytest.raises(ValueError):
        store.add_event(Event(datetime(2025, 1, 1), "naive"))


def test_purge_and_clear(store: SQLiteStore) -> None:
    store.add_passages([Passage(T0 + timedelta(days=d), "in") for d in range(5)])
    store.add_event(Event(T0, "old"))
    store.add_event(Event(T0 + timedelta(days=4), "new"))
    assert store.purge_before(M0 + 2 * 86400) == 2 + 1
    assert store.totals(0, 2**40) == (3, 0)
    assert [e.kind for e in store.events(0, 2**40)] == ["new"]
    store.clear()
    assert store.totals(0, 2**40) == (0, 0) and store.events(0, 2**40) == []


def test_stats(store: SQLiteStore) -> None:
    store.add_passages([Passage(T0, "in"), Passage(T0, "out")])
    stats = store.stats()
    assert stats["minute_bins"] == 1 and stats["total_in"] == 1 and stats["total_out"] == 1
    assert stats["schema_version"] == len(load_migrations()) and stats["journal_mode"] == "wal"
    assert stats["file_bytes"] > 0 and stats["first_minute_utc"] == M0


def test_wal_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "dir" / "counts.sqlite3"
    with SQLiteStore(path) as first:
        first.add_passages([Passage(T0, "in")])
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    with SQLiteStore(path) as again:
        assert again.totals(0, 2**40) == (1, 0)


def test_closed_store_refuses(tmp_path: Path) -> None:
    opened = SQLiteStore(tmp_path / "c.sqlite3")
    opened.close()
    opened.close()  # idempotent
    with pytest.raises(sqlite3.ProgrammingError):
        opened.totals(0, 1)
    with pytest.raises(sqlite3.ProgrammingError):
        opened.add_passages([Passage(T0, "in")])


def test_threads_write_and_read_together(store: SQLiteStore) -> None:
    errors: list[BaseException] = []

    def writer(k: int) -> None:
        try:
            for i in range(50):
                store.add_passages([Passage(T0 + timedelta(seconds=k * 1000 + i), "in")])
        except BaseException as error:
            errors.append(error)

    def reader() -> None:
        try:
            for _ in range(100):
                n_in, _ = store.totals(0, 2**40)
                assert 0 <= n_in <= 200
                store.window_sums(0, 900 * 2**30, 900)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    threads += [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.totals(0, 2**40) == (200, 0)

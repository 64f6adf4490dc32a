"""What only SQLiteStore does: WAL, file stats, reopening a file (the shared contract is in
test_store_contract.py)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from footfall.store.base import Passage
from footfall.store.migrate import load_migrations
from footfall.store.sqlite import SQLiteStore

T0 = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
M0 = int(T0.timestamp())


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

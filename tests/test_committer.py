"""Passages on their way to a real SQLite store that refuses writes for a while."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from footfall.committer import Committer
from footfall.ingest import Ingest
from footfall.store.base import Passage
from footfall.store.sqlite import SQLiteStore
from tests.refusing import Refusing

T0 = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
DAY = (int(T0.timestamp()) - 3600, int(T0.timestamp()) + 3600)  # epoch s


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "footfall.db")
    yield s
    s.close()


def passages(n: int, start: int = 0) -> list[Passage]:
    return [Passage(T0 + timedelta(seconds=start + i), "in") for i in range(n)]


def test_a_refused_batch_is_kept_retried_as_itself_and_stored_once(store: SQLiteStore) -> None:
    """Refused twice: the outage begins with the first refusal only, writes wait `retry_s`
    unless forced, the same batch (same id) is tried again, and what came meanwhile follows in
    a batch of its own; every passage is stored exactly once."""
    refusing = Refusing(store, refusals=2)
    committer = Committer(Ingest(refusing))  # type: ignore[arg-type]
    committer.retry_s = 3600.0
    stored, refused = committer.commit(passages(3))
    assert stored == [] and refused is not None
    assert refused.first and refused.kept == 3 and isinstance(refused.error, OSError)
    stored, refused = committer.commit(passages(2, start=10))  # within retry_s: not tried
    assert (stored, refused) == ([], None) and len(refusing.batches) == 1
    assert committer.unsent == 5
    stored, refused = committer.commit([], force=True)
    assert refused is not None and not refused.first and refused.kept == 3
    stored, refused = committer.commit([], force=True)
    assert refused is None and len(stored) == 5 and committer.unsent == 0
    assert refusing.batches[0] == refusing.batches[1] == refusing.batches[2] != refusing.batches[3]
    assert sum(store.totals(*DAY)) == 5


def test_nothing_to_write_tries_nothing(store: SQLiteStore) -> None:
    refusing = Refusing(store, refusals=0)
    committer = Committer(Ingest(refusing))  # type: ignore[arg-type]
    assert committer.commit([]) == ([], None)
    assert refusing.batches == []

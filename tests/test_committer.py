"""Passages on their way to a real SQLite store that refuses writes for a while."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from footfall.committer import Committer
from footfall.ingest import Ingest
from footfall.store.base import Passage
from footfall.store.sqlite import SQLiteStore

T0 = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
DAY = (int(T0.timestamp()) - 3600, int(T0.timestamp()) + 3600)  # epoch s


class Flaky:
    """The real store, refusing its next `refusals` writes and then taking them; the batch ids
    it was asked to write, in order."""

    def __init__(self, store: SQLiteStore, refusals: int) -> None:
        self.store, self.refusals = store, refusals
        self.batches: list[str | None] = []

    def add_passages(self, passages: Sequence[Passage], batch_id: str | None = None) -> None:
        self.batches.append(batch_id)
        if self.refusals > 0:
            self.refusals -= 1
            raise OSError("disk full")
        self.store.add_passages(passages, batch_id)

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)


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
    flaky = Flaky(store, refusals=2)
    committer = Committer(Ingest(flaky))  # type: ignore[arg-type]
    committer.retry_s = 3600.0
    stored, refused = committer.commit(passages(3))
    assert stored == [] and refused is not None
    assert refused.first and refused.kept == 3 and isinstance(refused.error, OSError)
    stored, refused = committer.commit(passages(2, start=10))  # within retry_s: not tried
    assert (stored, refused) == ([], None) and len(flaky.batches) == 1
    assert committer.unsent == 5
    stored, refused = committer.commit([], force=True)
    assert refused is not None and not refused.first and refused.kept == 3
    stored, refused = committer.commit([], force=True)
    assert refused is None and len(stored) == 5 and committer.unsent == 0
    assert flaky.batches[0] == flaky.batches[1] == flaky.batches[2] != flaky.batches[3]
    assert sum(store.totals(*DAY)) == 5


def test_nothing_to_write_tries_nothing(store: SQLiteStore) -> None:
    flaky = Flaky(store, refusals=0)
    committer = Committer(Ingest(flaky))  # type: ignore[arg-type]
    assert committer.commit([]) == ([], None)
    assert flaky.batches == []

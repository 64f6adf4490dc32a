"""A real store that refuses its first writes (a full disk, a locked file, a database away)."""

from __future__ import annotations

from collections.abc import Sequence

from footfall.store.base import Passage
from footfall.store.sqlite import SQLiteStore


class Refusing:
    """The real store, refusing its next `refusals` writes and then taking them; `batches`: the
    batch ids it was asked to write, in order."""

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

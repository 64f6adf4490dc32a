"""Passages on their way from the counting thread to the store: handed to `Ingest` in batches
with an id, kept while the store refuses (a database away), retried at most every STORE_RETRY_S.

    >>> committer = Committer(ingest)                         # doctest: +SKIP
    >>> stored, refused = committer.commit(passages)          # doctest: +SKIP
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import deque
from dataclasses import dataclass

from footfall.ingest import Ingest
from footfall.store.base import Passage

log = logging.getLogger(__name__)

MAX_PENDING = 100_000  # passages kept while the store refuses writes, oldest dropped beyond
STORE_RETRY_S = 1.0  # a store that refused is tried again after this long, not every frame


@dataclass(frozen=True, slots=True)
class Refusal:
    """The store refused a batch: why, whether the outage began with it, how many are kept."""

    error: Exception
    first: bool
    kept: int


class Committer:
    """The passages not yet stored, and the outage of a store that refuses them."""

    def __init__(self, ingest: Ingest) -> None:
        self._ingest = ingest
        self.retry_s = STORE_RETRY_S
        self._pending: deque[Passage] = deque(maxlen=MAX_PENDING)
        # The batch being written: kept with its id until the store takes it, so a write that
        # may have landed (connection lost during COMMIT) is retried as itself and stored once.
        self._batch: tuple[str, list[Passage]] | None = None
        self._down_since: float | None = None  # monotonic time the store began refusing
        self._tried = 0.0

    def commit(
        self, passages: list[Passage], *, force: bool = False
    ) -> tuple[list[Passage], Refusal | None]:
        """Hand passages (and any left from a failed write) to ingest; keep them if it fails.
        Returns the passages stored now and, if the store refused, why.

        They go in batches with an id: a refused batch is retried as itself, with its id, so one
        whose COMMIT landed unseen is not stored twice; passages that came meanwhile follow in
        the next batch. While the store refuses, the writes are retried at most every `retry_s`
        (not every frame), unless `force`d; the outage's end is logged."""
        self._pending.extend(passages)
        stored: list[Passage] = []
        while self.unsent:
            now = time.monotonic()
            down_since = self._down_since
            if down_since is not None and not force and now - self._tried < self.retry_s:
                break
            self._tried = now
            if self._batch is None:
                self._batch = (uuid.uuid4().hex, list(self._pending))
                self._pending.clear()
            batch_id, batch = self._batch
            try:
                self._ingest.add(batch, batch_id)
            except Exception as exc:
                if down_since is None:
                    self._down_since = now
                return stored, Refusal(exc, down_since is None, len(batch))
            if down_since is not None:
                self._down_since = None
                log.info(
                    "the store takes passages again: %d written after %.0f s",
                    len(batch),
                    now - down_since,
                )
            self._batch = None
            stored.extend(batch)
            force = True  # what came while the batch was refused: next
        return stored, None

    @property
    def unsent(self) -> int:
        """Passages not yet stored: the batch being written and those waiting behind it."""
        return len(self._pending) + (len(self._batch[1]) if self._batch else 0)

"""Where every passage enters: committed to the store first, then handed to listeners.

This is the documented internal entry point (README, "Feeding passages"): the video pipeline,
`footfall replay` and tests all call `Ingest.add`. A listener (occupancy, alarms, MQTT, webhooks,
the live stream) only ever sees a passage that is already durable.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from footfall.store.base import Passage, Store

log = logging.getLogger(__name__)

Listener = Callable[[Passage], None]


class Ingest:
    """Commit-then-notify fan-out for passages; safe to call from any thread."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> None:
        """Call `listener(passage)` for every passage committed from now on."""
        with self._lock:
            self._listeners.append(listener)

    def add(self, passages: Sequence[Passage], batch_id: str | None = None) -> None:
        """Commit `passages`, then notify listeners in order; a failing listener is logged.
        `batch_id`: retried after a failure with the same id, the batch is stored once."""
        if not passages:
            return
        with self._lock:
            self.store.add_passages(passages, batch_id)
            listeners = list(self._listeners)
        for passage in passages:
            for listener in listeners:
                try:
                    listener(passage)
                except Exception:
                    log.exception("listener %r failed on %r", listener, passage)

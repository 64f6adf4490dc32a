"""The outbox: every message that leaves the counter, numbered, durable, in order (migration 0003).

A passage, alarm or occupancy change is written here once; each sink (MQTT, webhook) keeps a
cursor, the seq of the last message its receiver acknowledged, and reads on from there. So a
receiver that is down for an hour gets the backlog in order when it returns, and a restart of
footfall resumes where it stopped. The live stream (SSE) reads the same rows, so `Last-Event-ID`
catch-up is a query. `seq` is the message `id` everywhere: consumers de-duplicate on it.

    >>> box = Outbox(":memory:")
    >>> box.add("passage", {"direction": "in"}, 1.0)
    1
    >>> [m.body for m in box.after(0)]
    [{'direction': 'in'}]
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from footfall.counting.occupancy_db import open_db

KEEP_S = 7 * 86400  # delivered messages stay this long for SSE catch-up
MAX_ROWS = 1_000_000  # beyond this the oldest rows go even if a sink never took them


def compact_json(value: Any) -> str:
    """JSON without spaces, non-ASCII kept as is: how message bodies are stored and sent."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Message:
    """One outbox row."""

    seq: int
    time_s: float
    kind: str  # "passage" | "alarm" | "occupancy"
    body: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        """The message as it goes on the wire: `id` and `type` first, then the body."""
        return {"id": self.seq, "type": self.kind, **self.body}

    def as_text(self) -> str:
        """`as_json` serialised: the same text on MQTT, in webhooks and on the live stream."""
        return compact_json(self.as_json())


Waker = Callable[[int], None]


class Outbox:
    """Durable ordered messages with a cursor per sink; thread-safe."""

    def __init__(self, path: Path | str) -> None:
        self._conn = open_db(path)
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._wakers: list[Waker] = []
        self._added = 0

    def add(self, kind: str, body: dict[str, Any], time_s: float) -> int:
        """Append a message; returns its seq (committed on return), then wakes the readers."""
        text = compact_json(body)
        with self._lock:
            cur = self._conn.execute(
                "INSERT INTO outbox (time_s, kind, body) VALUES (?, ?, ?)", (time_s, kind, text)
            )
            seq = int(cur.lastrowid or 0)
            self._added += 1
            if self._added % 1000 == 0:
                self._prune_locked(time.time())
            self._changed.notify_all()
            wakers = list(self._wakers)
        for wake in wakers:
            wake(seq)
        return seq

    def on_add(self, waker: Waker) -> Callable[[], None]:
        """Call `waker(seq)` after every add; returns a function that stops it."""
        with self._lock:
            self._wakers.append(waker)

        def stop() -> None:
            with self._lock:
                if waker in self._wakers:
                    self._wakers.remove(waker)

        return stop

    def after(self, seq: int, limit: int = 500) -> list[Message]:
        """Messages with a seq above `seq`, oldest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT seq, time_s, kind, body FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?",
                (seq, limit),
            ).fetchall()
        return [Message(int(s), float(t), str(k), json.loads(b)) for s, t, k, b in rows]

    def last_seq(self) -> int:
        """The highest seq ever given (0 when none)."""
        with self._lock:
            return self._last_seq_locked()

    def wait(self, seq: int, timeout_s: float) -> bool:
        """Block until a message above `seq` is added, a `kick`, or `timeout_s`; True if one is."""
        with self._lock:
            if self._has_after(seq):
                return True
            self._changed.wait(timeout_s)
            return self._has_after(seq)

    def _has_after(self, seq: int) -> bool:
        row = self._conn.execute("SELECT 1 FROM outbox WHERE seq > ? LIMIT 1", (seq,))
        return row.fetchone() is not None

    def kick(self) -> None:
        """Wake every `wait` and every waker (a sink or a stream is stopping)."""
        with self._lock:
            self._changed.notify_all()
            wakers = list(self._wakers)
        for wake in wakers:
            wake(0)

    def cursor(self, sink: str) -> int | None:
        """The last seq `sink` delivered, or None when the sink has never been started."""
        with self._lock:
            row = self._conn.execute("SELECT seq FROM outbox_cursor WHERE sink = ?", (sink,))
            found = row.fetchone()
        return None if found is None else int(found[0])

    def start_cursor(self, sink: str) -> int:
        """The sink's cursor; a sink seen for the first time starts after the newest message."""
        known = self.cursor(sink)
        if known is not None:
            return known
        seq = self.last_seq()
        self.advance(sink, seq)
        return seq

    def advance(self, sink: str, seq: int) -> None:
        """Record that `sink` delivered everything up to `seq`."""
        with self._lock:
            self._conn.execute(
                "INSERT INTO outbox_cursor (sink, seq) VALUES (?, ?) "
                "ON CONFLICT(sink) DO UPDATE SET seq = MAX(seq, excluded.seq)",
                (sink, seq),
            )

    def forget(self, sink: str) -> None:
        """Drop a sink's cursor (it was switched off: when back on, it starts afresh)."""
        with self._lock:
            self._conn.execute("DELETE FROM outbox_cursor WHERE sink = ?", (sink,))

    def pending(self, sink: str) -> int:
        """How many messages `sink` has not delivered yet."""
        start = self.cursor(sink)
        with self._lock:
            row = self._conn.execute(
                "SELECT COUNT(*) FROM outbox WHERE seq > ?", (start or 0,)
            ).fetchone()
        return int(row[0])

    def prune(self, now_s: float) -> int:
        """Delete delivered messages older than KEEP_S (and any beyond MAX_ROWS); returns count."""
        with self._lock:
            return self._prune_locked(now_s)

    def _prune_locked(self, now_s: float) -> int:
        floor = self._conn.execute("SELECT MIN(seq) FROM outbox_cursor").fetchone()[0]
        limit = self._last_seq_locked() - MAX_ROWS
        gone = self._conn.execute(
            "DELETE FROM outbox WHERE (seq <= ? AND time_s < ?) OR seq <= ?",
            (floor if floor is not None else self._last_seq_locked(), now_s - KEEP_S, limit),
        ).rowcount
        return int(gone)

    def _last_seq_locked(self) -> int:
        found = self._conn.execute("SELECT seq FROM sqlite_sequence WHERE name='outbox'")
        row = found.fetchone()
        return 0 if row is None else int(row[0])

    def clear(self) -> None:
        """Delete every message; ids keep rising (AUTOINCREMENT), so none is ever reused."""
        with self._lock:
            self._conn.execute("DELETE FROM outbox")

    def close(self) -> None:
        """Release the connection."""
        with self._lock:
            self._conn.close()

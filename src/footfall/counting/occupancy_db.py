"""Where occupancy is kept: one row per UTC minute and the live state (migration 0002).

The tables live in the counter's SQLite file next to the count bins (or in a file of their own
when the counts are in PostgreSQL). The migration is idempotent, so this module applies it too
when it opens the file; the store's migration runner may have done so already.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from footfall.store.migrate import migrate


def open_db(path: Path | str) -> sqlite3.Connection:
    """A connection usable from any thread (callers lock), WAL, schema brought up to date.

    The store's numbered migrations run here too (safe if the store ran them first), so the
    occupancy and outbox tables exist whether or not the counts live in this file.
    """
    conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=10)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    migrate(conn)
    return conn


@dataclass(frozen=True, slots=True)
class OccupancyMinute:
    """One stored minute: the estimate at its end and the visits that ended in it."""

    minute_utc: int
    occupancy: int
    visit_s: float
    visits: int


class OccupancyBook:
    """Occupancy minutes and state in SQLite; every write is committed on return."""

    def __init__(self, path: Path | str) -> None:
        self._conn = open_db(path)
        self._lock = threading.Lock()

    def record(
        self, minute_utc: int, occupancy: int, visit_s: float | None, direction: str | None = None
    ) -> None:
        """Set the minute's end occupancy; add the visit and the passage taken in, if any."""
        add_s, add_n = (0.0, 0) if visit_s is None else (visit_s, 1)
        seen_in, seen_out = int(direction == "in"), int(direction == "out")
        with self._lock:
            self._conn.execute(
                "INSERT INTO occupancy_minute (minute_utc, occupancy, visit_s, visits, in_seen, "
                "out_seen) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(minute_utc) DO UPDATE SET "
                "occupancy = excluded.occupancy, visit_s = visit_s + excluded.visit_s, "
                "visits = visits + excluded.visits, in_seen = in_seen + excluded.in_seen, "
                "out_seen = out_seen + excluded.out_seen",
                (minute_utc, occupancy, add_s, add_n, seen_in, seen_out),
            )

    def seen(self, start_utc: int, end_utc: int) -> dict[int, tuple[int, int]]:
        """(in, out) passages taken in per minute in [start_utc, end_utc)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT minute_utc, in_seen, out_seen FROM occupancy_minute "
                "WHERE minute_utc >= ? AND minute_utc < ?",
                (start_utc, end_utc),
            ).fetchall()
        return {int(m): (int(i), int(o)) for m, i, o in rows}

    def mark_seen(self, rows: list[tuple[int, int, int]], occupancy: int) -> None:
        """Record (minute, in, out) as taken in without counting them (a first start)."""
        with self._lock:
            self._conn.executemany(
                "INSERT INTO occupancy_minute (minute_utc, occupancy, in_seen, out_seen) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(minute_utc) DO UPDATE SET "
                "in_seen = MAX(in_seen, excluded.in_seen), out_seen = MAX(out_seen, "
                "excluded.out_seen)",
                [(m, occupancy, i, o) for m, i, o in rows],
            )

    def minutes(self, start_utc: int, end_utc: int) -> list[OccupancyMinute]:
        """Stored minutes with start_utc <= minute_utc < end_utc, in time order."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT minute_utc, occupancy, visit_s, visits FROM occupancy_minute "
                "WHERE minute_utc >= ? AND minute_utc < ? ORDER BY minute_utc",
                (start_utc, end_utc),
            ).fetchall()
        return [OccupancyMinute(int(m), int(o), float(s), int(n)) for m, o, s, n in rows]

    def occupancy_before(self, utc: int) -> int:
        """The occupancy at instant `utc`: the end figure of the last minute before it, or 0."""
        with self._lock:
            row = self._conn.execute(
                "SELECT occupancy FROM occupancy_minute WHERE minute_utc <= ? "
                "ORDER BY minute_utc DESC LIMIT 1",
                (utc - 60,),  # the minute that starts at utc - 60 ends at utc
            ).fetchone()
        return 0 if row is None else int(row[0])

    def save_state(self, name: str, value: dict[str, Any]) -> None:
        """Persist one named JSON state."""
        text = json.dumps(value, separators=(",", ":"))
        with self._lock:
            self._conn.execute(
                "INSERT INTO occupancy_state (name, value) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                (name, text),
            )

    def load_state(self, name: str) -> dict[str, Any]:
        """A named state, or {} when never saved."""
        with self._lock:
            row = self._conn.execute(
                "SELECT value FROM occupancy_state WHERE name = ?", (name,)
            ).fetchone()
        if row is None:
            return {}
        value = json.loads(row[0])
        return value if isinstance(value, dict) else {}

    def purge_before(self, utc: int) -> int:
        """Delete minutes older than `utc` (Storage.RetentionDays); returns how many went."""
        with self._lock:
            cur = self._conn.execute("DELETE FROM occupancy_minute WHERE minute_utc < ?", (utc,))
        return int(cur.rowcount)

    def clear(self) -> None:
        """Forget every minute and the state (clear-data)."""
        with self._lock:
            self._conn.execute("DELETE FROM occupancy_minute")
            self._conn.execute("DELETE FROM occupancy_state")

    def close(self) -> None:
        """Release the connection."""
        with self._lock:
            self._conn.close()

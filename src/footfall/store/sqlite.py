"""The default store: one SQLite file in WAL mode (SPEC.md §2: 1-minute bins keyed by UTC minute).

One writer connection, guarded by a lock, commits every call before returning (`synchronous=FULL`,
so a commit also survives a power cut, not only a killed process). Reads use a small pool of
read-only connections, so any thread may read while the writer writes.
"""

from __future__ import annotations

import contextlib
import queue
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from footfall.store import rows
from footfall.store.base import Event, MinuteBin, Passage, Store
from footfall.store.migrate import Migration, migrate, schema_version

_UPSERT = (
    "INSERT INTO minute_bins (minute_utc, in_count, out_count) VALUES (?, ?, ?) "
    "ON CONFLICT (minute_utc) DO UPDATE SET in_count = in_count + excluded.in_count, "
    "out_count = out_count + excluded.out_count"
)
# Walks the primary key one hour at a time (a seek per hour with data, not a scan of every row).
_DATA_HOURS = """
WITH RECURSIVE hour(h) AS (
    SELECT (SELECT minute_utc FROM minute_bins ORDER BY minute_utc LIMIT 1) / 3600 * 3600
    UNION ALL
    SELECT (SELECT minute_utc FROM minute_bins WHERE minute_utc >= hour.h + 3600
            ORDER BY minute_utc LIMIT 1) / 3600 * 3600
    FROM hour WHERE hour.h IS NOT NULL
)
SELECT h FROM hour WHERE h IS NOT NULL
"""


class SQLiteStore:
    """Durable count storage in one SQLite file; implements `footfall.store.base.Store`."""

    def __init__(
        self,
        path: Path,
        *,
        synchronous: str = "FULL",
        busy_timeout_ms: int = 10_000,
        migrations: list[Migration] | None = None,
    ) -> None:
        if synchronous.upper() not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValueError(f"synchronous={synchronous!r} is not a SQLite synchronous mode")
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._synchronous = synchronous
        self._busy_timeout_ms = busy_timeout_ms
        self._write_lock = threading.Lock()
        self._readers: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._closed = False
        self._writer = self._connect()
        mode = self._writer.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise RuntimeError(f"{self.path}: SQLite refused WAL mode (got {mode!r})")
        with self._write_lock:
            self.schema_version = migrate(self._writer, migrations)

    def _connect(self, read_only: bool = False) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path,
            isolation_level=None,  # we issue BEGIN/COMMIT ourselves
            check_same_thread=False,
            timeout=self._busy_timeout_ms / 1000,
        )
        conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
        conn.execute(f"PRAGMA synchronous = {self._synchronous}")
        if read_only:
            conn.execute("PRAGMA query_only = 1")
        return conn

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        if self._closed:
            raise sqlite3.ProgrammingError("the store is closed")
        try:
            conn = self._readers.get_nowait()
        except queue.Empty:
            conn = self._connect(read_only=True)
        try:
            yield conn
        finally:
            if self._closed:
                conn.close()
            else:
                self._readers.put(conn)

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._write_lock:
            if self._closed:
                raise sqlite3.ProgrammingError("the store is closed")
            conn = self._writer
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def add_passages(self, passages: Sequence[Passage], batch_id: str | None = None) -> None:
        """Commit passages into their minute bins (durable on return). `batch_id` is not needed
        here: a local commit either fails (nothing written) or returns; it never lands unseen."""
        minutes = rows.minute_rows(passages)
        if not minutes:
            return
        with self._write() as conn:
            conn.executemany(_UPSERT, minutes)

    def add_minute_counts(self, minutes: Sequence[rows.MinuteRow]) -> None:
        """Commit (minute_utc, in, out) rows, added to what is there (bulk import, benchmarks)."""
        kept = rows.checked_minute_rows(minutes)
        with self._write() as conn:
            conn.executemany(_UPSERT, kept)

    def minute_bins(self, start_utc: int, end_utc: int) -> list[MinuteBin]:
        """Non-empty minute bins with start_utc <= minute_utc < end_utc, in time order."""
        with self._read() as conn:
            found = conn.execute(
                "SELECT minute_utc, in_count, out_count FROM minute_bins "
                "WHERE minute_utc >= ? AND minute_utc < ? ORDER BY minute_utc",
                (start_utc, end_utc),
            ).fetchall()
        return [MinuteBin(*row) for row in found]

    def totals(self, start_utc: int, end_utc: int) -> tuple[int, int]:
        """(in, out) summed over [start_utc, end_utc)."""
        with self._read() as conn:
            n_in, n_out = conn.execute(
                "SELECT COALESCE(SUM(in_count), 0), COALESCE(SUM(out_count), 0) FROM minute_bins "
                "WHERE minute_utc >= ? AND minute_utc < ?",
                (start_utc, end_utc),
            ).fetchone()
        return int(n_in), int(n_out)

    def window_sums(self, start_utc: int, end_utc: int, width_s: int) -> list[tuple[int, int, int]]:
        """(window start, in, out) per non-empty epoch-aligned window in [start, end), in order."""
        rows.check_window(start_utc, end_utc, width_s)
        if width_s == 60:
            sql = (
                "SELECT minute_utc, in_count, out_count FROM minute_bins "
                "WHERE minute_utc >= ?2 AND minute_utc < ?3 ORDER BY minute_utc"
            )
        elif width_s == 900:  # the trigger-kept quarter table: no grouping, a range scan
            sql = (
                "SELECT quarter_utc, in_count, out_count FROM quarter_bins "
                "WHERE quarter_utc >= ?2 AND quarter_utc < ?3 ORDER BY quarter_utc"
            )
        else:
            table, key = (
                ("quarter_bins", "quarter_utc")
                if width_s % 900 == 0
                else ("minute_bins", "minute_utc")
            )
            sql = (
                f"SELECT {key} - {key} % ?1 AS w, SUM(in_count), SUM(out_count) FROM {table} "
                f"WHERE {key} >= ?2 AND {key} < ?3 GROUP BY w ORDER BY w"
            )
        with self._read() as conn:
            return conn.execute(sql, (width_s, start_utc, end_utc)).fetchall()

    def data_hours(self) -> list[int]:
        """Epoch seconds of every UTC hour that holds at least one non-empty bin, ascending."""
        with self._read() as conn:
            return [row[0] for row in conn.execute(_DATA_HOURS)]

    def clear(self) -> None:
        """Delete every bin and event (the clear-data action)."""
        with self._write() as conn:
            conn.execute("DELETE FROM minute_bins")
            conn.execute("DELETE FROM events")

    def purge_before(self, utc: int) -> int:
        """Delete bins and events older than `utc` (retention); returns how many rows went."""
        with self._write() as conn:
            bins = conn.execute("DELETE FROM minute_bins WHERE minute_utc < ?", (utc,)).rowcount
            events = conn.execute(
                "DELETE FROM events WHERE time_us < ?", (utc * 1_000_000,)
            ).rowcount
        return int(bins) + int(events)

    def add_event(self, event: Event) -> int:
        """Commit an event; returns its id."""
        row = (rows.time_us(event.time), event.kind, rows.payload_json(event))
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO events (time_us, kind, payload) VALUES (?, ?, ?)", row
            )
        assert cursor.lastrowid is not None
        return int(cursor.lastrowid)

    def events(self, start_utc: int, end_utc: int, kind: str | None = None) -> list[Event]:
        """Events in [start_utc, end_utc), oldest first."""
        sql = "SELECT id, time_us, kind, payload FROM events WHERE time_us >= ? AND time_us < ?"
        args: tuple[Any, ...] = (start_utc * 1_000_000, end_utc * 1_000_000)
        if kind is not None:
            sql, args = sql + " AND kind = ?", (*args, kind)
        with self._read() as conn:
            found = conn.execute(sql + " ORDER BY time_us, id", args).fetchall()
        return [rows.event_of(*row) for row in found]

    def stats(self) -> dict[str, Any]:
        """Row counts, file size and the like, for generate-logs."""
        with self._read() as conn:
            n_bins, first, last, n_in, n_out = conn.execute(
                "SELECT COUNT(*), MIN(minute_utc), MAX(minute_utc), "
                "COALESCE(SUM(in_count), 0), COALESCE(SUM(out_count), 0) FROM minute_bins"
            ).fetchone()
            n_events = conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
            version = schema_version(conn)
            journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
            page_size = conn.execute("PRAGMA page_size").fetchone()[0]
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
        wal = self.path.with_name(self.path.name + "-wal")
        return {
            "backend": "sqlite",
            "path": str(self.path),
            "schema_version": version,
            "journal_mode": journal,
            "synchronous": self._synchronous,
            "file_bytes": self.path.stat().st_size,
            "wal_bytes": wal.stat().st_size if wal.exists() else 0,
            "page_size": page_size,
            "page_count": pages,
            "minute_bins": n_bins,
            "first_minute_utc": first,
            "last_minute_utc": last,
            "total_in": n_in,
            "total_out": n_out,
            "events": n_events,
        }

    def close(self) -> None:
        """Release connections (idempotent)."""
        with self._write_lock:
            if self._closed:
                return
            self._closed = True
            self._writer.close()
        while True:
            try:
                self._readers.get_nowait().close()
            except queue.Empty:
                break

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _conforms(store: SQLiteStore) -> Store:
    """Static check (mypy) that SQLiteStore implements the Store protocol."""
    return store

"""The store for many counters in one PostgreSQL database (`footfall serve --store postgresql://…`).

Same semantics as `SQLiteStore` (1-minute bins keyed by UTC minute, SPEC.md §2), but every row
carries the counter's serial and a store reads, clears, purges and counts only its own serial's
rows. The schema has numbered migrations (`migrations_pg/NNNN_name.sql`) applied at start-up
under an advisory lock, so counters starting together apply each migration once.

One psycopg connection per store, guarded by a lock (the API reads from a thread pool while the
counting thread writes). Every write is one transaction, committed before the call returns. A call
that finds the connection dropped opens a new one and tries once more, then raises
`StoreUnavailable`; a connection lost during the COMMIT itself is not retried, as the write may
have landed: passages written with a batch id (the video pipeline's) are then retried by the
caller with the same id, and a batch whose COMMIT did land is not applied twice. While the
database stays away, calls fail at once between attempts to reach it (0.5 s apart at first,
doubling up to 8 s).

    store = PostgresStore("postgresql://footfall@db.example.org/counts", "ACCC8E019C5F")
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import urllib.parse
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from footfall.config import POSTGRES_SCHEMES, hide_url_password
from footfall.store.base import Event, MinuteBin, Passage, Store, StoreUnavailable
from footfall.store.migrate import Migration, known_version, load_migrations
from footfall.store.rows import (
    MinuteRow,
    check_window,
    checked_minute_rows,
    event_of,
    minute_rows,
    payload_json,
    time_us,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
Conn = psycopg.Connection[tuple[Any, ...]]

PG_FOLDER = "migrations_pg"  # the package folder of this backend's numbered migrations
CONNECT_TIMEOUT_S = 5
BATCH_KEEP_S = 7 * 86_400  # batch ids kept this long (a retry comes seconds to hours later)
BATCH_PURGE_EVERY = 1000  # batches between two purges of older ids
RETRY_MIN_S, RETRY_MAX_S = 0.5, 8.0  # pauses between attempts to reach a database that is away
MIGRATION_LOCK = 0x666F6F7466616C6C  # "footfall" in ASCII: the advisory lock of the migrations
_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS footfall_schema_version (version integer PRIMARY KEY, "
    "name text NOT NULL, applied_utc timestamptz NOT NULL DEFAULT now())"
)
# Sums the rows per minute first, so a batch may name a minute twice; ascending minutes, so two
# writers lock rows in the same order and never deadlock.
_UPSERT = """
INSERT INTO minute_bins (serial, minute_utc, in_count, out_count)
SELECT %s, m, SUM(i), SUM(o)
FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS row (m, i, o)
GROUP BY m ORDER BY m
ON CONFLICT (serial, minute_utc) DO UPDATE SET
    in_count = minute_bins.in_count + excluded.in_count,
    out_count = minute_bins.out_count + excluded.out_count
"""
_SUMS = "COALESCE(SUM(in_count), 0)::bigint, COALESCE(SUM(out_count), 0)::bigint"
_RANGE = "FROM minute_bins WHERE serial = %s AND minute_utc >= %s AND minute_utc < %s"
# Walks the primary key one hour at a time (a seek per hour with data, not a scan of every row).
_DATA_HOURS = """
WITH RECURSIVE hour(h) AS (
    SELECT (SELECT minute_utc FROM minute_bins WHERE serial = %(s)s
            ORDER BY minute_utc LIMIT 1) / 3600 * 3600
    UNION ALL
    SELECT (SELECT minute_utc FROM minute_bins WHERE serial = %(s)s AND minute_utc >= hour.h + 3600
            ORDER BY minute_utc LIMIT 1) / 3600 * 3600
    FROM hour WHERE hour.h IS NOT NULL
)
SELECT h FROM hour WHERE h IS NOT NULL
"""


def url_problem(url: str) -> str | None:
    """Why `url` cannot name a PostgreSQL store (a sentence without its password), or None."""
    shown = hide_url_password(url)
    if not url.startswith(POSTGRES_SCHEMES):
        return f"store {shown!r} is not a postgresql:// or postgres:// URL"
    try:
        conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:  # libpq may quote the whole URL: scrubbed
        return f"store {shown!r} is not a valid PostgreSQL URL: {scrub(one_line(exc), url)}"
    return None


def reach_problem(url: str, timeout_s: int = CONNECT_TIMEOUT_S) -> str | None:
    """Why the PostgreSQL server of a valid `url` cannot be reached and logged in to (a
    sentence without its password), or None. Reads nothing and writes nothing."""
    try:
        psycopg.connect(url, connect_timeout=timeout_s).close()
    except psycopg.Error as exc:
        return f"store {hide_url_password(url)!r}: cannot connect: {scrub(one_line(exc), url)}"
    return None


def one_line(exc: BaseException) -> str:
    """psycopg's (often multi-line) message as one line."""
    return " ".join(part.strip() for part in str(exc).splitlines() if part.strip())


def scrub(text: str, url: str) -> str:
    """`text` with `url` shown without its password, and the password itself hidden."""
    text = text.replace(url, hide_url_password(url))
    for secret in sorted(_passwords(url), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def _passwords(url: str) -> set[str]:
    """The password of `url` as libpq reads it, and as written (user:PASSWORD@ or a password=
    query item, raw and decoded): libpq quotes the raw text of a token it cannot decode."""
    found: set[str | None] = set()
    with contextlib.suppress(psycopg.ProgrammingError):
        found.add(str(conninfo_to_dict(url).get("password") or ""))
    try:
        parts = urllib.parse.urlsplit(url)
        found.add(parts.password)
    except ValueError:
        return {secret for secret in found if secret}
    userinfo = parts.netloc.rpartition("@")[0]
    if ":" in userinfo:
        found.add(userinfo.split(":", 1)[1])
    for item in parts.query.split("&"):
        key, _, value = item.partition("=")
        if key.lower() == "password":
            found.update((value, urllib.parse.unquote(value)))
    return {secret for secret in found if secret}


class PostgresStore:
    """Durable count storage of counter `serial` in a PostgreSQL database; a `Store`."""

    def __init__(
        self,
        url: str,
        serial: str,
        *,
        migrations: list[Migration] | None = None,
        connect_timeout_s: int = CONNECT_TIMEOUT_S,
    ) -> None:
        problem = url_problem(url)
        if problem is not None:
            raise ValueError(problem)
        if not serial:
            raise ValueError("a PostgreSQL store needs the counter's serial")
        self._url = url
        self.shown_url = hide_url_password(url)
        self.serial = serial
        given = conninfo_to_dict(url)
        defaults: dict[str, str | int] = {
            "connect_timeout": connect_timeout_s,
            "application_name": f"footfall {serial}",
        }
        self._conninfo = make_conninfo(url, **{k: v for k, v in defaults.items() if k not in given})
        self._lock = threading.Lock()
        self._conn: Conn | None = None
        self._closed = False
        self._failure: str | None = None  # why the last connection attempt failed
        self._pause_s = 0.0  # the pause before the next attempt
        self._retry_at = 0.0  # time.monotonic() at which it may be tried
        self._batches = 0  # batches written with an id (old ids are purged every so many)
        todo = migrations if migrations is not None else load_migrations(package_folder=PG_FOLDER)
        try:
            self.schema_version = self._run(lambda conn: migrate(conn, todo))
        except BaseException:
            self.close()
            raise

    # -- the connection ------------------------------------------------------------------------

    def _connection(self) -> Conn:
        """The open connection, opened anew when there is none or it broke; lock held.

        After a failed attempt the next one waits RETRY_MIN_S, doubling to RETRY_MAX_S; calls
        in between fail at once. The counting thread retries its passages with every frame:
        without the pause it would knock 25 times a second, and wait out `connect_timeout`
        each time when the host does not answer at all.
        """
        conn = self._conn
        if conn is not None and not conn.closed and not conn.broken:
            return conn
        self._drop()
        if self._failure is not None and time.monotonic() < self._retry_at:
            raise StoreUnavailable(f"{self._failure} (next attempt within {self._pause_s:g} s)")
        try:
            self._conn = psycopg.connect(self._conninfo, autocommit=True)
        except psycopg.OperationalError as exc:
            failure = self._unavailable(exc)
            self._failure = str(failure)
            self._pause_s = min(max(2 * self._pause_s, RETRY_MIN_S), RETRY_MAX_S)
            self._retry_at = time.monotonic() + self._pause_s
            raise failure from None
        self._failure, self._pause_s = None, 0.0
        return self._conn

    def _drop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _unavailable(self, exc: BaseException, committing: bool = False) -> StoreUnavailable:
        maybe = "; the last write may or may not have been committed" if committing else ""
        return StoreUnavailable(
            f"PostgreSQL {self.shown_url}: {scrub(one_line(exc), self._url)}{maybe}"
        )

    def _run(self, work: Callable[[Conn], T], *, write: bool = False) -> T:
        """`work(conn)` under the lock, in one transaction if `write`; one reconnect on a drop."""
        with self._lock:
            if self._closed:
                raise psycopg.InterfaceError("the store is closed")
            for attempt in (1, 2):
                conn = self._connection()
                committing = False
                try:
                    if not write:
                        return work(conn)
                    with conn.transaction():
                        result = work(conn)
                        committing = True  # what fails from here on is the COMMIT
                    return result
                except psycopg.OperationalError as exc:
                    self._drop()
                    if committing or attempt == 2:
                        raise self._unavailable(exc, committing) from None
                    reason = scrub(one_line(exc), self._url)
                    log.warning("PostgreSQL %s: %s; reconnecting", self.shown_url, reason)
            raise AssertionError("unreachable")

    # -- the Store protocol --------------------------------------------------------------------

    def add_passages(self, passages: Sequence[Passage], batch_id: str | None = None) -> None:
        """Commit passages into their minute bins (durable on return). With a `batch_id`, a
        batch already applied (its COMMIT landed though the connection was lost) is skipped."""
        rows = minute_rows(passages)
        if not rows:
            return
        if batch_id is None:
            self._upsert(rows)
            return
        now_us = time_us(datetime.now(UTC))
        args = self._upsert_args(rows)

        def work(conn: Conn) -> None:
            if self._batches % BATCH_PURGE_EVERY == 0:
                old = now_us - BATCH_KEEP_S * 1_000_000
                conn.execute("DELETE FROM applied_batches WHERE applied_us < %s", (old,))
            fresh = conn.execute(
                "INSERT INTO applied_batches (batch_id, serial, applied_us) VALUES (%s, %s, %s) "
                "ON CONFLICT (batch_id) DO NOTHING",
                (batch_id, self.serial, now_us),
            ).rowcount
            if fresh:
                conn.execute(_UPSERT, args)

        self._run(work, write=True)
        self._batches += 1

    def add_minute_counts(self, rows: Sequence[MinuteRow]) -> None:
        """Commit (minute_utc, in, out) rows, added to what is there (bulk import, benchmarks)."""
        kept = checked_minute_rows(rows)
        if kept:
            self._upsert(kept)

    def _upsert(self, rows: Sequence[MinuteRow]) -> None:
        args = self._upsert_args(rows)
        self._run(lambda conn: conn.execute(_UPSERT, args), write=True)

    def _upsert_args(
        self, rows: Sequence[MinuteRow]
    ) -> tuple[str, list[int], list[int], list[int]]:
        minutes, ins, outs = (list(column) for column in zip(*rows, strict=True))
        return (self.serial, minutes, ins, outs)

    def minute_bins(self, start_utc: int, end_utc: int) -> list[MinuteBin]:
        """Non-empty minute bins with start_utc <= minute_utc < end_utc, in time order."""
        return [MinuteBin(*row) for row in self._minute_rows(start_utc, end_utc)]

    def _minute_rows(self, start_utc: int, end_utc: int) -> list[tuple[int, int, int]]:
        sql = f"SELECT minute_utc, in_count, out_count {_RANGE} ORDER BY minute_utc"
        return self._fetch(sql, (self.serial, start_utc, end_utc))

    def _fetch(self, sql: str, args: Sequence[Any] | dict[str, Any]) -> list[Any]:
        return self._run(lambda conn: conn.execute(sql, args).fetchall())

    def totals(self, start_utc: int, end_utc: int) -> tuple[int, int]:
        """(in, out) summed over [start_utc, end_utc)."""
        [(n_in, n_out)] = self._fetch(f"SELECT {_SUMS} {_RANGE}", (self.serial, start_utc, end_utc))
        return int(n_in), int(n_out)

    def window_sums(self, start_utc: int, end_utc: int, width_s: int) -> list[tuple[int, int, int]]:
        """(window start, in, out) per non-empty epoch-aligned window in [start, end), in order."""
        check_window(start_utc, end_utc, width_s)
        if width_s == 60:
            return self._minute_rows(start_utc, end_utc)
        sql = (
            "SELECT minute_utc - minute_utc %% %s AS w, SUM(in_count)::bigint, "
            f"SUM(out_count)::bigint {_RANGE} GROUP BY w ORDER BY w"
        )
        return self._fetch(sql, (width_s, self.serial, start_utc, end_utc))

    def data_hours(self) -> list[int]:
        """Epoch seconds of every UTC hour that holds at least one non-empty bin, ascending."""
        return [row[0] for row in self._fetch(_DATA_HOURS, {"s": self.serial})]

    def clear(self) -> None:
        """Delete every bin and event of this counter (the clear-data action)."""

        def work(conn: Conn) -> None:
            conn.execute("DELETE FROM minute_bins WHERE serial = %s", (self.serial,))
            conn.execute("DELETE FROM events WHERE serial = %s", (self.serial,))

        self._run(work, write=True)

    def purge_before(self, utc: int) -> int:
        """Delete this counter's bins and events older than `utc`; returns how many rows went."""

        def work(conn: Conn) -> int:
            bins = conn.execute(
                "DELETE FROM minute_bins WHERE serial = %s AND minute_utc < %s", (self.serial, utc)
            ).rowcount
            events = conn.execute(
                "DELETE FROM events WHERE serial = %s AND time_us < %s",
                (self.serial, utc * 1_000_000),
            ).rowcount
            return bins + events

        return self._run(work, write=True)

    def add_event(self, event: Event) -> int:
        """Commit an event; returns its id."""
        args = (self.serial, time_us(event.time), event.kind, payload_json(event))
        sql = (
            "INSERT INTO events (serial, time_us, kind, payload) VALUES (%s, %s, %s, %s::json) "
            "RETURNING id"
        )
        [(event_id,)] = self._run(lambda conn: conn.execute(sql, args).fetchall(), write=True)
        return int(event_id)

    def events(self, start_utc: int, end_utc: int, kind: str | None = None) -> list[Event]:
        """Events in [start_utc, end_utc), oldest first."""
        sql = (
            "SELECT id, time_us, kind, payload FROM events "
            "WHERE serial = %s AND time_us >= %s AND time_us < %s"
        )
        args: tuple[Any, ...] = (self.serial, start_utc * 1_000_000, end_utc * 1_000_000)
        if kind is not None:
            sql, args = sql + " AND kind = %s", (*args, kind)
        return [event_of(*row) for row in self._fetch(sql + " ORDER BY time_us, id", args)]

    def stats(self) -> dict[str, Any]:
        """This counter's row counts, the schema version and the like, for generate-logs."""

        def work(conn: Conn) -> dict[str, Any]:
            row = conn.execute(
                f"SELECT COUNT(*), MIN(minute_utc), MAX(minute_utc), {_SUMS} {_RANGE}",
                (self.serial, 0, 2**62),
            ).fetchone()
            assert row is not None
            n_bins, first, last, n_in, n_out = row
            found = conn.execute(
                "SELECT (SELECT COUNT(*) FROM events WHERE serial = %s), "
                "(SELECT MAX(version) FROM footfall_schema_version), "
                "pg_database_size(current_database())",
                (self.serial,),
            ).fetchone()
            assert found is not None
            return {
                "backend": "postgresql",
                "url": self.shown_url,  # never the password
                "serial": self.serial,
                "schema_version": found[1],
                "server_version": conn.info.server_version,
                "database_bytes": found[2],
                "minute_bins": n_bins,
                "first_minute_utc": first,
                "last_minute_utc": last,
                "total_in": n_in,
                "total_out": n_out,
                "events": found[0],
            }

        return self._run(work)

    def close(self) -> None:
        """Release the connection (idempotent)."""
        with self._lock:
            self._closed = True
            self._drop()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def schema_version(conn: Conn) -> int:
    """The version recorded in the database (0 before the first migration)."""
    row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM footfall_schema_version").fetchone()
    return int(row[0]) if row is not None else 0


def migrate(conn: Conn, migrations: list[Migration]) -> int:
    """Apply every migration above the database's version; returns the version reached.

    `conn` is in autocommit mode. Each file runs in one transaction with its row in the version
    table, under a session advisory lock: a second counter starting at the same moment waits,
    then finds the work done. A database newer than this program is refused (SchemaError).
    """
    latest = migrations[-1].version if migrations else 0
    conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
    try:
        conn.execute(_VERSION_TABLE)
        for migration in migrations:
            with conn.transaction():
                if known_version(schema_version(conn), latest) >= migration.version:
                    continue
                conn.execute(migration.sql)  # a whole script: without parameters, % is plain SQL
                conn.execute(
                    "INSERT INTO footfall_schema_version (version, name) VALUES (%s, %s)",
                    (migration.version, migration.name),
                )
        return known_version(schema_version(conn), latest)
    finally:
        if not conn.broken:
            conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))


def _conforms(store: PostgresStore) -> Store:
    """Static check (mypy) that PostgresStore implements the Store protocol."""
    return store

"""Numbered schema migrations (`migrations/NNNN_name.sql`) applied at start-up (STYLE habit 14).

The schema version is SQLite's `PRAGMA user_version`. Each file whose number is above it runs
in its own transaction together with the version bump, so a crash leaves the file either
before or after a migration, never half-way. A new numbered file is picked up on its own.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

_FILE = re.compile(r"([0-9]{4})_[A-Za-z0-9_]+\.sql")


class SchemaError(RuntimeError):
    """The database file's schema cannot be brought to the version this program knows."""


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered SQL script."""

    version: int
    name: str
    sql: str


def load_migrations(
    directory: Path | Traversable | None = None, *, package_folder: str = "migrations"
) -> list[Migration]:
    """The migrations in `directory` (default: the package's `package_folder`), by number;
    numbers run 1, 2, ... (`migrations` for SQLite, `migrations_pg` for PostgreSQL)."""
    folder = (
        directory if directory is not None else resources.files("footfall.store") / package_folder
    )
    found = []
    for entry in folder.iterdir():
        match = _FILE.fullmatch(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise SchemaError(
                f"migration {migration.name} is out of sequence (expected {expected:04d})"
            )
    return found


def _statements(sql: str) -> list[str]:
    """Split a script into complete statements (comments and blank lines dropped)."""
    out, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        if not buffer and (not line.strip() or line.lstrip().startswith("--")):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            out.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        raise SchemaError(f"incomplete SQL statement at the end of a migration: {buffer[:60]!r}")
    return out


def schema_version(conn: sqlite3.Connection) -> int:
    """The version recorded in the file (0 for a new file)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, migrations: list[Migration] | None = None) -> int:
    """Apply every migration above the file's version; returns the version reached.

    `conn` must be in autocommit mode (`isolation_level=None`). Safe against a second process
    migrating the same file at the same time: the version is re-read under the write lock.
    """
    todo = migrations if migrations is not None else load_migrations()
    latest = todo[-1].version if todo else 0
    for migration in todo:
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = _known_version(conn, latest)
            if current >= migration.version:
                conn.execute("ROLLBACK")
                continue
            for statement in _statements(migration.sql):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {migration.version:d}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return _known_version(conn, latest)


def _known_version(conn: sqlite3.Connection, latest: int) -> int:
    """The file's version; SchemaError when it is newer than `latest`, the newest we know."""
    return known_version(schema_version(conn), latest)


def known_version(current: int, latest: int) -> int:
    """`current`, or SchemaError when it is newer than `latest`, the newest version we know."""
    if current > latest:
        raise SchemaError(
            f"the database has schema version {current}, newer than this program's {latest}; "
            "upgrade footfall to open it"
        )
    return current

"""Numbered migrations: an old file is brought forward, a newer one is refused (STYLE habit 14)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import pytest

from footfall.store.base import Passage
from footfall.store.migrate import SchemaError, load_migrations, migrate
from footfall.store.sqlite import SQLiteStore

T0 = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)


def _folder(tmp_path: Path, extra: dict[str, str]) -> Path:
    folder = tmp_path / "migrations"
    folder.mkdir()
    package = resources.files("footfall.store") / "migrations"
    for entry in package.iterdir():
        if entry.name.endswith(".sql"):
            (folder / entry.name).write_text(entry.read_text("utf-8"))
    for name, sql in extra.items():
        (folder / name).write_text(sql)
    return folder


def test_package_migrations_are_numbered() -> None:
    found = load_migrations()
    assert [m.version for m in found] == list(range(1, len(found) + 1))
    assert found[0].name == "0001_init.sql"


def test_an_old_file_is_brought_forward(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with SQLiteStore(path) as old:  # a file written by the current schema
        old.add_passages([Passage(T0, "in")])
        old_version = old.schema_version
    later = _folder(
        tmp_path,
        {
            f"{old_version + 1:04d}_occupancy.sql": (
                "-- a later migration adds a column\n"
                "ALTER TABLE minute_bins ADD COLUMN occupancy INTEGER NOT NULL DEFAULT 0;\n"
                "CREATE TABLE resets (time_us INTEGER NOT NULL, occupancy INTEGER NOT NULL);\n"
            )
        },
    )
    with SQLiteStore(path, migrations=load_migrations(later)) as new:
        assert new.schema_version == old_version + 1
        assert new.totals(0, 2**40) == (1, 0)
        new.add_passages([Passage(T0, "out")])
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT in_count, out_count, occupancy FROM minute_bins").fetchall() == [
        (1, 1, 0)
    ]
    conn.close()


def test_a_failing_migration_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "f.sqlite3"
    SQLiteStore(path).close()
    latest = len(load_migrations())
    broken = _folder(
        tmp_path,
        {f"{latest + 1:04d}_broken.sql": "CREATE TABLE fine (x);\nALTER TABLE nowhere ADD y;\n"},
    )
    with pytest.raises(sqlite3.OperationalError):
        SQLiteStore(path, migrations=load_migrations(broken))
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == latest
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'fine'").fetchall() == []
    conn.close()


def test_a_newer_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "n.sqlite3"
    SQLiteStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(SchemaError, match="newer"):
        SQLiteStore(path)


def test_gaps_in_numbering_are_refused(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {f"{len(load_migrations()) + 2:04d}_skip.sql": "SELECT 1;"})
    with pytest.raises(SchemaError, match="out of sequence"):
        load_migrations(folder)


def test_migrate_twice_is_a_no_op(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "t.sqlite3", isolation_level=None)
    assert migrate(conn) == migrate(conn) == len(load_migrations())
    conn.close()


def test_a_version_1_file_reaches_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite3"
    everything = load_migrations()
    with SQLiteStore(path, migrations=everything[:1]) as old:
        assert old.schema_version == 1
        old.add_passages([Passage(T0, "in"), Passage(T0, "out")])
    with SQLiteStore(path) as new:
        assert new.schema_version == everything[-1].version
        assert new.totals(0, 2**40) == (1, 1)
        assert new.window_sums(0, 900 * 2**30, 900) == [(int(T0.timestamp()), 1, 1)]

"""What only PostgresStore does: many counters in one database, migrations under an advisory lock,
a second writing process, a dropped or vanished database (real PostgreSQL, no mocks)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from footfall.store.base import Event, Passage, StoreUnavailable
from footfall.store.migrate import SchemaError, load_migrations
from footfall.store.postgres import PG_FOLDER, RETRY_MAX_S, PostgresStore
from tests.polling import wait_for
from tests.store.conftest import new_serial
from tests.store.pgproxy import Proxy

T0 = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
M0 = int(T0.timestamp())
PG_MIGRATIONS = load_migrations(package_folder=PG_FOLDER)


def test_two_serials_in_one_database_see_only_their_own_rows(pg_url: str) -> None:
    with PostgresStore(pg_url, new_serial()) as a, PostgresStore(pg_url, new_serial()) as b:
        a.add_passages([Passage(T0, "in"), Passage(T0 + timedelta(days=3), "in")])
        b.add_passages([Passage(T0, "out"), Passage(T0 + timedelta(hours=5), "out")])
        a.add_event(Event(T0, "tailgating"))
        b.add_event(Event(T0, "wrong_direction"))
        assert a.totals(0, 2**40) == (2, 0) and b.totals(0, 2**40) == (0, 2)
        assert a.window_sums(0, 86400 * 2**20, 86400) == [(M0 // 86400 * 86400, 1, 0), (
            (M0 + 3 * 86400) // 86400 * 86400, 1, 0)]  # fmt: skip
        assert b.data_hours() == [M0, M0 + 5 * 3600]
        assert [e.kind for e in a.events(0, 2**40)] == ["tailgating"]
        assert (a.stats()["minute_bins"], b.stats()["events"]) == (2, 1)
        assert a.purge_before(M0 + 86400) == 2  # a's first minute and its event; none of b's
        assert b.totals(0, 2**40) == (0, 2) and len(b.events(0, 2**40)) == 1
        b.clear()
        assert a.totals(0, 2**40) == (1, 0) and b.totals(0, 2**40) == (0, 0)
        a.clear()


def _tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        ).fetchall()
    return {row[0] for row in rows}


def test_migrations_from_an_empty_database_and_again(fresh_schema: str) -> None:
    assert _tables(fresh_schema) == set()
    with PostgresStore(fresh_schema, new_serial()) as first:
        assert first.schema_version == PG_MIGRATIONS[-1].version
        first.add_passages([Passage(T0, "in")])
        serial = first.serial
    assert {"minute_bins", "events", "footfall_schema_version"} <= _tables(fresh_schema)
    with PostgresStore(fresh_schema, serial) as again:  # a second start applies nothing
        assert again.schema_version == PG_MIGRATIONS[-1].version
        assert again.totals(0, 2**40) == (1, 0)
    with psycopg.connect(fresh_schema) as conn:
        applied = conn.execute("SELECT version, name FROM footfall_schema_version").fetchall()
    assert applied == [(m.version, m.name) for m in PG_MIGRATIONS]


def test_counters_starting_at_once_migrate_once(fresh_schema: str) -> None:
    versions: list[int] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            with PostgresStore(fresh_schema, new_serial()) as store:
                versions.append(store.schema_version)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and versions == [PG_MIGRATIONS[-1].version] * 6


def test_a_newer_database_is_refused(fresh_schema: str) -> None:
    PostgresStore(fresh_schema, new_serial()).close()
    with psycopg.connect(fresh_schema) as conn:
        conn.execute("INSERT INTO footfall_schema_version (version, name) VALUES (99, 'later')")
    with pytest.raises(SchemaError, match="upgrade footfall"):
        PostgresStore(fresh_schema, new_serial())


def test_a_failing_migration_changes_nothing(fresh_schema: str, tmp_path: Path) -> None:
    PostgresStore(fresh_schema, new_serial()).close()
    folder = tmp_path / "migrations"
    folder.mkdir()
    for migration in PG_MIGRATIONS:
        (folder / migration.name).write_text(migration.sql)
    broken = f"{len(PG_MIGRATIONS) + 1:04d}_broken.sql"
    (folder / broken).write_text("CREATE TABLE fine (x int);\nALTER TABLE nowhere ADD y int;\n")
    with pytest.raises(psycopg.errors.UndefinedTable):
        PostgresStore(fresh_schema, new_serial(), migrations=load_migrations(folder))
    assert "fine" not in _tables(fresh_schema)
    with PostgresStore(fresh_schema, new_serial()) as store:
        assert store.schema_version == PG_MIGRATIONS[-1].version


WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime, timedelta
    from footfall.store.base import Passage
    from footfall.store.postgres import PostgresStore

    t0 = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
    with PostgresStore(sys.argv[1], sys.argv[2]) as store:
        for i in range(150):  # the same minutes as the test's own writes: rows collide
            store.add_passages([Passage(t0 + timedelta(minutes=i % 20), "out")] * 2)
    """
)


def test_a_second_process_writes_at_the_same_time(pg_store: PostgresStore, pg_url: str) -> None:
    other = subprocess.Popen([sys.executable, "-c", WRITER, pg_url, pg_store.serial])
    for i in range(150):
        pg_store.add_passages([Passage(T0 + timedelta(minutes=i % 20, seconds=30), "in")] * 2)
    assert other.wait(60) == 0
    assert pg_store.totals(0, 2**40) == (300, 300)
    assert len(pg_store.minute_bins(0, 2**40)) == 20


def test_a_dropped_connection_is_opened_again(pg_store: PostgresStore, pg_url: str) -> None:
    pg_store.add_passages([Passage(T0, "in")])
    with psycopg.connect(pg_url, autocommit=True) as admin:
        killed = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (f"footfall {pg_store.serial}",),
        ).fetchall()
    assert killed == [(True,)]
    pg_store.add_passages([Passage(T0, "out")])  # reconnects once, then writes
    assert pg_store.totals(0, 2**40) == (1, 1)


def test_a_vanished_database_is_store_unavailable_until_it_is_back(proxy: Proxy) -> None:
    url = proxy.url(password="s3cr3t-pw")  # trust auth ignores it; it must never be shown
    with PostgresStore(url, new_serial()) as store:
        store.add_passages([Passage(T0, "in")])
        proxy.cut()
        for call in (lambda: store.add_passages([Passage(T0, "out")]), store.data_hours):
            with pytest.raises(StoreUnavailable) as raised:
                call()
            assert "s3cr3t-pw" not in str(raised.value) and ":***@" in str(raised.value)
        began = time.monotonic()
        with pytest.raises(StoreUnavailable, match="next attempt within"):
            store.totals(0, 2**40)  # between attempts: refused at once, no knocking
        assert time.monotonic() - began < 0.1
        proxy.restore()
        deadline = time.monotonic() + RETRY_MAX_S + 2
        while True:  # back by the next attempt
            try:
                store.add_passages([Passage(T0, "out")])
                break
            except StoreUnavailable:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert store.totals(0, 2**40) == (1, 1)  # the refused write left nothing behind
        assert "s3cr3t-pw" not in str(store.stats())
        store.clear()


def back(store: PostgresStore, write: Callable[[], None]) -> None:
    """`write` once the store reaches the database again (by its next attempt)."""
    deadline = time.monotonic() + RETRY_MAX_S + 2
    while True:
        try:
            write()
            return
        except StoreUnavailable:
            assert time.monotonic() < deadline
            time.sleep(0.1)


def test_a_batch_whose_commit_landed_unseen_is_stored_once(proxy: Proxy, pg_url: str) -> None:
    """The connection is lost after the server took the COMMIT, before the client heard: the
    write landed but fails. Retried with its batch id, it is not added a second time."""
    serial = new_serial()
    batch = [Passage(T0, "in"), Passage(T0, "in"), Passage(T0, "out")]
    with PostgresStore(proxy.url(), serial) as store:
        store.add_passages([Passage(T0, "out")], f"{serial}-0")  # batch ids are unique
        proxy.drop_after_next_commit()
        with pytest.raises(StoreUnavailable, match="may or may not have been committed"):
            store.add_passages(batch, f"{serial}-1")
        with PostgresStore(pg_url, serial) as direct:  # it did land
            wait_for(lambda: direct.totals(0, 2**40) == (2, 2), 5, "the COMMIT to land")
        proxy.restore()
        back(store, lambda: store.add_passages(batch, f"{serial}-1"))
        assert store.totals(0, 2**40) == (2, 2)
        store.add_passages(batch, f"{serial}-2")  # another batch of the same passages counts
        assert store.totals(0, 2**40) == (4, 3)
        store.clear()


def test_an_unreachable_database_at_start(proxy: Proxy) -> None:
    proxy.cut()
    with pytest.raises(StoreUnavailable, match="Connection refused"):
        PostgresStore(proxy.url(), new_serial())


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("mysql://u:pw@host/db", "is not a postgresql://"),
        ("postgresql://u:s3cr3t@[::1/db", "not a valid PostgreSQL URL"),
        ("postgresql://u@host/db?colour=blue", "not a valid PostgreSQL URL"),
        # libpq quotes the raw token it cannot decode, here the password itself
        ("postgresql://u@host/db?password=s3cr3t%zz", "invalid percent-encoded token"),
        ("postgresql://u:s3cr3t%zz@host/db", "invalid percent-encoded token"),
        ("postgresql://u@host/db?sslmode=x&password=s3cr3t%zz", "invalid percent-encoded token"),
    ],
)
def test_bad_urls_are_refused_without_the_password(url: str, words: str) -> None:
    with pytest.raises(ValueError, match=words) as raised:
        PostgresStore(url, new_serial())
    assert "s3cr3t" not in str(raised.value)


def test_closed_store_refuses(pg_url: str) -> None:
    store = PostgresStore(pg_url, new_serial())
    store.close()
    store.close()  # idempotent
    with pytest.raises(psycopg.InterfaceError, match="closed"):
        store.totals(0, 1)

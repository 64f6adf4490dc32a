"""Real stores for the store tests: SQLite files, and the local PostgreSQL (its `test` database).

Every PostgreSQL store gets a serial of its own (a fresh uuid), so the two pytest-xdist workers
share the tables and never see each other's rows; tests that need an empty database get a schema
of their own (`fresh_schema`) and drop only that. Nothing drops the shared tables.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from footfall.store.postgres import PostgresStore, one_line
from footfall.store.sqlite import SQLiteStore
from tests.needs import unavailable
from tests.store.pgproxy import Proxy

AnyStore = SQLiteStore | PostgresStore
PG_URL = os.environ.get("FOOTFALL_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def new_serial() -> str:
    """A serial no other test uses: 12 hex digits of a fresh uuid."""
    return uuid.uuid4().hex[:12].upper()


def schema_url(url: str, schema: str) -> str:
    """`url` with the schema as the connection's search path."""
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def pg_url() -> str:
    """The test database's URL. PostgreSQL not answering fails the test under CI
    (FOOTFALL_CI=1, `.ci/run` starts it) and skips it elsewhere, saying why."""
    try:
        psycopg.connect(PG_URL, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        unavailable(
            f"PostgreSQL at {PG_URL} does not answer ({one_line(exc)}); start it "
            "(.ci/run does) or point FOOTFALL_TEST_PG at another database"
        )
    return PG_URL


@pytest.fixture
def fresh_schema(pg_url: str) -> Iterator[str]:
    """The URL of an empty schema of this test's own (dropped afterwards)."""
    name = f"footfall_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    yield schema_url(pg_url, name)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {name} CASCADE")


@pytest.fixture
def pg_store(pg_url: str) -> Iterator[PostgresStore]:
    """A PostgreSQL store of a serial of its own; its rows are cleared afterwards."""
    with PostgresStore(pg_url, new_serial()) as opened:
        yield opened
        opened.clear()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    """A fresh store in a real file."""
    with SQLiteStore(tmp_path / "counts.sqlite3") as opened:
        yield opened


@pytest.fixture(params=["sqlite", "postgres"])
def any_store(request: pytest.FixtureRequest) -> AnyStore:
    """Each store backend in turn, empty: the Store contract holds for both."""
    opened: AnyStore = request.getfixturevalue("store" if request.param == "sqlite" else "pg_store")
    return opened


@pytest.fixture
def proxy(pg_url: str) -> Iterator[Proxy]:
    """A cuttable TCP path to the test database (see pgproxy.py)."""
    info = conninfo_to_dict(pg_url)
    forwarder = Proxy((str(info.get("host", "127.0.0.1")), int(info.get("port", 5432))))
    yield forwarder
    forwarder.close()

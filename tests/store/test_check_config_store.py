"""`footfall check-config` of a config whose `store` is PostgreSQL: it connects, as serve would,
and says why it cannot (no password shown); it reads and writes nothing."""

from __future__ import annotations

from pathlib import Path

from psycopg.conninfo import conninfo_to_dict
from typer.testing import CliRunner

from footfall.cli import app

runner = CliRunner()


def check(tmp_path: Path, store: str) -> tuple[int, str]:
    config = tmp_path / "footfall.toml"
    config.write_text(f'store = "{store}"\nsource = "none"\n')
    result = runner.invoke(app, ["check-config", str(config)])
    return result.exit_code, result.output


def test_a_reachable_store_is_ok(tmp_path: Path, pg_url: str) -> None:
    code, output = check(tmp_path, pg_url)
    assert code == 0, output
    assert "OK" in output


def test_a_missing_database_is_named(tmp_path: Path, pg_url: str) -> None:
    parts = conninfo_to_dict(pg_url)
    host, port, user = parts.get("host"), parts.get("port", "5432"), parts.get("user")
    code, output = check(tmp_path, f"postgresql://{user}:hush-1@{host}:{port}/no_such_db_here")
    assert code == 2
    assert "cannot connect" in output and "no_such_db_here" in output
    assert "hush-1" not in output


def test_a_server_that_does_not_answer(tmp_path: Path) -> None:
    code, output = check(tmp_path, "postgresql://someone:hush-2@127.0.0.1:1/x")
    assert code == 2
    assert "cannot connect" in output and "127.0.0.1" in output
    assert "hush-2" not in output

"""`footfall serve --store postgresql://…` and `footfall replay --store …` as real processes:
kill -9 loses nothing, exports match a SQLite-backed server byte for byte, and a database that
goes away gives 503 sentences until it is back."""

from __future__ import annotations

import io
import signal
import subprocess
import tarfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from footfall.api.params import ParamsStore
from footfall.cli import app
from footfall.store.postgres import RETRY_MAX_S, PostgresStore
from tests.serving import serve_process
from tests.store.conftest import new_serial
from tests.store.pgproxy import Proxy

AUTH = httpx.DigestAuth("root", "pass")
API = "/local/tvpc/.api"


def replay(data: Path, csv: Path, store: str, serial: str) -> str:
    """`footfall replay --data DATA --store URL --serial S CSV` (the command, run in this
    process to spare an interpreter start); its output (it must exit 0)."""
    args = ["replay", "--data", str(data), "--store", store, "--serial", serial, str(csv)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.output


def serve(data: Path, serial: str, flags: Sequence[str] = ()) -> tuple[subprocess.Popen[str], str]:
    """`footfall serve --source none` with user root, for `serial`."""
    return serve_process(
        data, ["--serial", serial, "--source", "none", "--user", "root:pass:admin", *flags]
    )


def stop(process: subprocess.Popen[str]) -> None:
    """SIGTERM, then SIGKILL if it lingers."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def set_params(data: Path, zone: str, name: str) -> None:
    ParamsStore(path=data / "params.json").update({"Counter.TimeZone": zone, "Counter.Name": name})


@pytest.fixture
def serial(pg_url: str) -> Iterator[str]:
    """A serial of this test's own; its rows are cleared afterwards."""
    value = new_serial()
    yield value
    with PostgresStore(pg_url, value) as store:
        store.clear()


def test_kill_9_after_replay_loses_nothing(pg_url: str, serial: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    set_params(data, "UTC", "Gate")
    process, base = serve(data, serial, ["--store", pg_url])
    try:
        now = datetime.now(UTC).replace(microsecond=0)
        rows = [f"{now.isoformat()},{'in' if i % 3 else 'out'}" for i in range(30)]
        rows += [f"2017-05-12T10:{m:02d}:00+00:00,in" for m in range(40)]
        csv = tmp_path / "p.csv"
        csv.write_text("time,direction\n" + "\n".join(rows) + "\n")
        assert "added 70 passages" in replay(tmp_path / "elsewhere", csv, pg_url, serial)
        with httpx.Client(base_url=base, auth=AUTH, timeout=10) as client:
            before = client.get(f"{API}?export-csv&date=all&res=15m").text
            assert "2017-05-12 10:30:00,2017-05-12 10:45:00" in before
        process.send_signal(signal.SIGKILL)
        assert process.wait(10) == -signal.SIGKILL
        process, base = serve(data, serial, ["--store", pg_url])
        with httpx.Client(base_url=base, auth=AUTH, timeout=10) as client:
            assert client.get(f"{API}?export-csv&date=all&res=15m").text == before
        with PostgresStore(pg_url, serial) as store:
            assert store.totals(0, 2**40) == (60, 10)
            assert len(store.minute_bins(0, 2**40)) == 41
    finally:
        stop(process)


# Europe/Stockholm around both 2025 changes: 02:xx is skipped on 03-30 and repeated on 10-26.
PASSAGES = [
    "2025-03-29T23:59:59+01:00,in",
    "2025-03-30T00:00:00+01:00,in",
    "2025-03-30T01:59:30+01:00,out",
    "2025-03-30T03:00:00+02:00,in",
    "2025-03-30T23:45:10+02:00,out",
    "2025-06-01T12:14:59+02:00,in",
    "2025-06-01T12:15:00+02:00,in",
    "2025-10-26T01:59:00+02:00,out",
    "2025-10-26T02:30:00+02:00,in",
    "2025-10-26T02:30:00+01:00,in",
    "2025-10-26T02:59:59+01:00,out",
    "2025-10-26T03:00:00+01:00,in",
    "2025-10-26T23:59:59+01:00,out",
]


def test_exports_are_the_same_bytes_from_sqlite_and_postgres(
    pg_url: str, serial: str, tmp_path: Path
) -> None:
    csv = tmp_path / "p.csv"
    csv.write_text("time,direction\n" + "\n".join(PASSAGES) + "\n")
    lite, pg = tmp_path / "sqlite", tmp_path / "postgres"
    for data in (lite, pg):
        set_params(data, "Europe/Stockholm", "Entrée Öst")
    store = ["--store", pg_url]
    replay(lite, csv, "", serial)
    replay(pg, csv, pg_url, serial)
    with ThreadPoolExecutor(2) as pool:  # two interpreters start at once
        starting = [pool.submit(serve, lite, serial), pool.submit(serve, pg, serial, store)]
        servers = [future.result() for future in starting]
    try:
        clients = [httpx.Client(base_url=base, auth=AUTH, timeout=10) for _, base in servers]
        queries = [
            f"{action}&date={date}&res={res}"
            for action in ("export-csv", "export-json", "export-xml")
            for res in ("15m", "1h", "24h")
            for date in ("all", "20251026", "20250330", "20250329-20250601")
        ]
        queries += ["export-cnt&date=all", "export-cnt&date=20251026"]
        for query in queries:
            from_sqlite, from_pg = (client.get(f"{API}?{query}") for client in clients)
            assert from_sqlite.status_code == from_pg.status_code == 200, query
            assert from_pg.content == from_sqlite.content, query
        day = clients[1].get(f"{API}?export-json&date=20251026&res=1h").json()["data"]
        assert len(day) == 24 and day["20251026030000"] == [2, 1]  # both passes of 02:xx
        days = [client.get(f"{API}?list-cnt.json").json()["days"] for client in clients]
        assert days[0] == days[1] == ["20250329", "20250330", "20250601", "20251026"]
    finally:
        for client in clients:
            client.close()
        for process, _ in servers:
            stop(process)


def test_a_database_that_goes_away_is_a_503_until_it_is_back(
    proxy: Proxy, serial: str, tmp_path: Path
) -> None:
    url = proxy.url(password="s3cr3t-pw")  # trust auth ignores it; it must never be shown
    data = tmp_path / "data"
    csv = tmp_path / "p.csv"
    csv.write_text("time,direction\n2017-05-12T10:00:00+00:00,in\n")
    replay(data, csv, url, serial)
    process, base = serve(data, serial, ["--store", url])
    try:
        with httpx.Client(base_url=base, auth=AUTH, timeout=10) as client:
            before = client.get(f"{API}?export-csv&date=all&res=1h")
            assert before.status_code == 200 and ",1,0\n" in before.text
            proxy.cut()
            for query in ("export-csv&date=all&res=1h", "list-cnt.json", "export-json"):
                away = client.get(f"{API}?{query}")
                assert away.status_code == 503, (query, away.text)
                assert away.text == "the count database does not answer; try again shortly\n"
            # The diagnostic bundle is wanted most exactly now: it comes, saying why.
            bundle = client.get("/local/tvpc/.apioperator?generate-logs")
            assert bundle.status_code == 200, bundle.text
            with tarfile.open(fileobj=io.BytesIO(bundle.content)) as tar:
                member = tar.extractfile("footfall-logs/store-stats.json")
                assert member is not None and b'"error"' in member.read()
            proxy.restore()
            deadline = time.monotonic() + RETRY_MAX_S + 2
            while (back := client.get(f"{API}?export-csv&date=all&res=1h")).status_code == 503:
                assert time.monotonic() < deadline  # the store tries again within its pause
                time.sleep(0.1)
            assert back.text == before.text
            logs = client.get("/local/tvpc/.apioperator?generate-logs")
        with tarfile.open(fileobj=io.BytesIO(logs.content)) as tar:
            files = {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]
        stats = files["footfall-logs/store-stats.json"].decode()
        assert '"backend": "postgresql"' in stats and ":***@127.0.0.1" in stats
        assert all(b"s3cr3t-pw" not in body for body in files.values())
    finally:
        stop(process)
    assert "s3cr3t-pw" not in (tmp_path / "data.stderr").read_text()


def test_the_live_view_keeps_streaming_while_the_database_is_away(
    proxy: Proxy, serial: str, tmp_path: Path
) -> None:
    """The picture does not need the database: snapshot.jpg answered 503 and an open view.mjpg
    broke off with a traceback in the log ('response already started') when the store could
    not give today's counts. Now the frames come on, without the counts."""
    data = tmp_path / "data"
    flags = ["--serial", serial, "--store", proxy.url(), "--source", "synthetic"]
    process, base = serve_process(data, [*flags, "--user", "op:op:operator"])
    try:
        with httpx.Client(base_url=base, auth=("op", "op"), timeout=10) as client:
            while client.get(f"{API}?snapshot.jpg").status_code == 503:
                time.sleep(0.1)  # no frame yet
            with client.stream("GET", f"{API}?view.mjpg&fps=10") as view:
                parts = view.iter_bytes()
                assert next(parts).startswith(b"--footfallframe")
                proxy.cut()
                deadline = time.monotonic() + 5  # live-sum's cache lasts a second
                while client.get(f"{API}?live-sum.json").status_code != 503:
                    assert time.monotonic() < deadline
                    time.sleep(0.1)
                frames, deadline = 0, time.monotonic() + 5
                for chunk in parts:
                    frames += chunk.count(b"--footfallframe")
                    if frames >= 10 or time.monotonic() > deadline:
                        break
                assert frames >= 10, "the stream stopped when the database went away"
            snapshot = client.get(f"{API}?snapshot.jpg")
            assert snapshot.status_code == 200 and snapshot.content[:2] == b"\xff\xd8"
            proxy.restore()
    finally:
        stop(process)
    log = (tmp_path / "data.stderr").read_text()
    assert "Exception in ASGI application" not in log and "response already started" not in log

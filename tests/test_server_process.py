"""`footfall serve` as a process: replay while it runs, 25 parallel clients, kill -9, restart."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import subprocess
import tarfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from footfall.config import Params
from footfall.vision.person import person_width_px
from tests.serving import COMMAND, replay_process, serve_process

AUTH = httpx.DigestAuth("root", "pass")


def start(data: Path) -> tuple[subprocess.Popen[str], str]:
    """Start `footfall serve` on a free port; returns the process and its base URL."""
    users = ["--user", "root:pass:admin", "--user", "view:pw:viewer"]
    return serve_process(data, ["--serial", "ACCC8E019C5F", *users], timeout_s=15)


@pytest.fixture
def data(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "data"


def test_replay_live_parallel_kill_and_restart(data: Path, tmp_path: Path) -> None:
    process, base = start(data)
    try:
        with httpx.Client(base_url=base, auth=AUTH, timeout=10) as client:
            ok = client.get(
                "/local/tvpc/.apioperator?setparams&Counter.TimeZone=UTC&Counter.Name=Gate"
            )
            assert ok.text == "OK"
            now = datetime.now(UTC).replace(microsecond=0)
            rows = [f"{now.isoformat()},{'in' if i % 3 else 'out'}" for i in range(30)]
            rows.append("2017-05-12T10:00:00+00:00,in")
            csv = tmp_path / "p.csv"
            csv.write_text("time,direction\n" + "\n".join(rows) + "\n")
            assert "added 31 passages" in replay_process(data, csv)
            deadline = time.monotonic() + 5
            body = {}
            while time.monotonic() < deadline:  # another process wrote: seen within the refresh
                body = client.get("/local/tvpc/.api?live-sum.json").json()
                if body["in"] + body["out"] == 30:
                    break
                time.sleep(0.2)
            assert (body["in"], body["out"], body["name"]) == (20, 10, "Gate")
            before = client.get("/local/tvpc/.api?export-csv&date=all&res=15m").text
        assert len(parallel_digest(base, 25)) == 25
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        process, base = start(data)
        with httpx.Client(base_url=base, auth=AUTH, timeout=10) as client:
            after = client.get("/local/tvpc/.api?export-csv&date=all&res=15m").text
            assert after == before and "2017-05-12 10:00:00" in after
            days = client.get("/local/tvpc/.api?list-cnt.json").json()["days"]
            assert days[0] == "20170512" and len(days) >= 2
            assert client.get("/local/tvpc/.api?params.json").json()["Counter"]["TimeZone"] == "UTC"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)


def parallel_digest(base: str, count: int) -> list[int]:
    """`count` clients on their own connections, each answering its own challenge, at once."""

    async def one(index: int) -> int:
        auth = httpx.DigestAuth("view", "pw")
        async with httpx.AsyncClient(base_url=base, auth=auth, timeout=20) as client:
            response = await client.get(f"/local/tvpc/.api?live-sum.json&_={index}")
            return response.status_code

    async def run() -> list[int]:
        return list(await asyncio.gather(*(one(i) for i in range(count))))

    statuses = asyncio.run(run())
    assert statuses == [200] * count
    return statuses


def test_a_second_serve_on_the_same_data_is_refused_until_the_first_dies(data: Path) -> None:
    first, _ = start(data)
    try:
        second = subprocess.run(
            [*COMMAND, "serve", "--data", str(data), "--port", "0"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 2
        assert f"in use by another footfall serve (pid {first.pid})" in second.stderr
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
    again, base = start(data)  # the kernel dropped the lock with the killed process
    try:
        assert httpx.get(base + "/local/tvpc/.api?live-sum.json", auth=AUTH).status_code == 200
    finally:
        again.terminate()
        again.wait(10)


def test_sigterm_stops_counting_and_closes_the_store_before_exit(data: Path) -> None:
    """systemd and docker stop with SIGTERM: the counting thread flushes and the store closes
    (its WAL is checkpointed away) before the process ends, with the status of a SIGTERM."""
    process, base = serve_process(data, ["--source", "synthetic", "--anonymous-viewer"])
    try:
        assert httpx.get(f"{base}/local/tvpc/.api?live-sum.json", timeout=5).status_code == 200
        time.sleep(1.0)  # some frames counted
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 128 + signal.SIGTERM
    finally:
        if process.poll() is None:
            process.kill()
    log = (data.parent / f"{data.name}.stderr").read_text()
    assert "counting synthetic stopped after" in log
    assert "Traceback" not in log
    assert not (data / "counts.sqlite3-wal").exists()
    # with a camera to draw on, the log names the page that draws the counting area
    assert f"draw the counting area at {base}/local/tvpc/.apioperator?setup.html" in log
    assert f"hand count at {base}/local/tvpc/.apioperator?check.html" in log


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_ends_open_view_mjpg_streams_at_once(data: Path, sig: signal.Signals) -> None:
    """Ctrl-C or SIGTERM with live views open: the streams end and serve stops within a second
    or so. uvicorn waited its whole graceful timeout (5 s) for the endless streams, then
    cancelled each with 'Exception in ASGI application' and a traceback in the log."""
    flags = ["--source", "synthetic", "--user", "op:op:operator"]
    process, base = serve_process(data, flags)
    try:
        with httpx.Client(base_url=base, auth=("op", "op"), timeout=10) as client:
            while client.get("/local/tvpc/.api?snapshot.jpg").status_code == 503:
                time.sleep(0.1)  # no frame yet
            streams = []
            for _ in range(3):
                request = client.build_request("GET", "/local/tvpc/.api?view.mjpg&fps=1")
                response = client.send(request, stream=True)
                chunks = response.iter_bytes()
                assert response.status_code == 200
                assert next(chunks).startswith(b"--footfallframe")  # the first frame came
                streams.append(chunks)
            started = time.monotonic()
            process.send_signal(sig)
            status = process.wait(15)
            took = time.monotonic() - started
            for chunks in streams:
                b"".join(chunks)  # each stream ends (its connection was not just dropped)
    finally:
        if process.poll() is None:
            process.kill()
    assert took < 3, f"serve took {took:.1f} s to stop with view.mjpg streams open"
    assert status == 128 + sig
    log = (data.parent / f"{data.name}.stderr").read_text()
    assert "counting synthetic stopped after" in log
    assert "Traceback" not in log and "Exception in ASGI application" not in log


def test_the_live_view_shows_the_camera_while_counting_is_paused(data: Path) -> None:
    """Counter.Enable=0 (say, to place the area before counting starts): snapshot.jpg and
    view.mjpg answered 503 'no frame has come from the video source yet' for ever, or froze on
    the frame before the pause, although the frames were read."""
    data.mkdir(parents=True)
    (data / "params.json").write_text('{"Counter": {"Enable": 0}}')
    process, base = serve_process(data, ["--source", "synthetic", "--user", "op:op:operator"])
    try:
        with httpx.Client(base_url=base, auth=("op", "op"), timeout=10) as client:
            deadline = time.monotonic() + 10
            while (first := client.get("/local/tvpc/.api?snapshot.jpg")).status_code == 503:
                assert time.monotonic() < deadline, first.text
                time.sleep(0.1)
            assert first.status_code == 200 and first.content[:2] == b"\xff\xd8"
            before = client.get("/local/tvpc/.api?snapshot.jpg&overlay=0").content
            time.sleep(0.5)
            after = client.get("/local/tvpc/.api?snapshot.jpg&overlay=0").content
            assert before != after  # new frames, not the one before the pause
            assert client.get("/local/tvpc/.api?live-sum.json").json()["in"] == 0
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(15)


def counting_status(base: str) -> dict[str, Any]:
    """The counting thread's status, from the status.json of `generate-logs`."""
    reply = httpx.get(f"{base}/local/tvpc/.apioperator?generate-logs", auth=AUTH, timeout=10)
    assert reply.status_code == 200
    with tarfile.open(fileobj=io.BytesIO(reply.content), mode="r:gz") as archive:
        member = archive.extractfile("footfall-logs/status.json")
        assert member is not None
        status: dict[str, Any] = json.load(member)["counting"]
    return status


def told_400_cm(data: Path) -> float:
    """Store params telling the counter it hangs at 400 cm (the synthetic scene is drawn as from
    280 cm, so the learnt size and the guess differ); returns that guess (frame px)."""
    data.mkdir(parents=True)
    high = Params.model_validate({"Counter": {"Height": 400}})
    (data / "params.json").write_text(high.model_dump_json())
    c = high.Counter
    return person_width_px(320, c.Height, c.FieldOfView, c.PersonWidth)


def first_person_px(base: str) -> float:
    """The person width a freshly started serve counts with, once it has counted a frame."""
    deadline = time.monotonic() + 20
    status = counting_status(base)
    while status["person_px"] is None and time.monotonic() < deadline:
        time.sleep(0.2)
        status = counting_status(base)
    assert status["person_px"] is not None, "no frame counted within 20 s"
    return float(status["person_px"])


def test_a_restarted_serve_goes_on_with_the_person_size_it_learnt(data: Path) -> None:
    """Stopped (SIGTERM), `footfall serve` writes what its person-size learner has seen to
    person-size.json in the data directory; started again on the same source it counts with
    that size from its first frame instead of the mounting-height guess. (The counter is told
    a mounting height of 400 cm; the scene is drawn as from 280 cm, so the two sizes differ.)"""
    guess = told_400_cm(data)
    flags = ["--source", "synthetic", "--user", "root:pass:admin", "--anonymous-viewer"]
    process, base = serve_process(data, flags)
    try:
        live = f"{base}/local/tvpc/.api?live-sum.json"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            counts = httpx.get(live, timeout=5).json()
            if counts["in"] + counts["out"] >= 2:
                break
            time.sleep(0.5)
        learnt = counting_status(base)["person_px"]
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 128 + signal.SIGTERM
    finally:
        if process.poll() is None:
            process.kill()
    saved = json.loads((data / "person-size.json").read_text())
    assert saved["source"] == "synthetic" and len(saved["samples"]["thickness"]) >= 20
    assert learnt > 1.5 * guess  # it learnt the scene's size, not the guess

    process, base = serve_process(data, flags)
    try:
        assert first_person_px(base) == pytest.approx(learnt, rel=0.1)
    finally:
        process.kill()
        process.wait(10)


def test_a_serve_killed_mid_queue_goes_on_with_the_size_it_had_written(data: Path) -> None:
    """`kill -9` gives no chance to write anything: the samples written during the run (every
    10 s, whole) are what the next start goes on from, and the file is never half written."""
    guess = told_400_cm(data)  # 31 px; the scene's people ~60
    flags = ["--source", "synthetic", "--user", "root:pass:admin"]
    process, base = serve_process(data, flags)
    size_file = data / "person-size.json"
    try:
        deadline = time.monotonic() + 45
        while not size_file.exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert size_file.exists(), "no person-size.json within 45 s"
        process.kill()
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
    saved = json.loads(size_file.read_text())  # whole: it parses
    assert saved["source"] == "synthetic"
    process, base = serve_process(data, flags)
    try:
        width = first_person_px(base)
        assert width > 1.5 * guess, (width, guess)
    finally:
        process.kill()
        process.wait(10)

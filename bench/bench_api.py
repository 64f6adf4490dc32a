"""Requests/s of live-sum.json over loopback, against a trivial Starlette endpoint measured in the
same run, plus the time to export one year of 15m data over HTTP.

Both servers run in their own process (uvicorn, uvloop + httptools when installed, access log
off), pinned to CPU 0 when the machine has more than one; the load generator is another process
(pinned to CPU 1): raw asyncio sockets, many keep-alive connections, one request in flight each.

    .venv/bin/python bench/bench_api.py [--seconds 5] [--connections 64]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SERIAL = "ACCC8E019C5F"
BASELINE_APP = """
import sys, uvicorn
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
async def hello(request):
    return PlainTextResponse("hello")
sock_fd = int(sys.argv[1])
import socket
sock = socket.socket(fileno=sock_fd)
app = Starlette(routes=[Route("/hello", hello)])
uvicorn.Server(uvicorn.Config(app, access_log=False, log_level="warning")).run(sockets=[sock])
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def pin(cpu: int) -> None:
    """Pin this process to one CPU when there are several."""
    if hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) > 1:
        os.sched_setaffinity(0, {cpu})


def wait_ready(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def start_baseline() -> tuple[subprocess.Popen[bytes], int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-c", BASELINE_APP, str(sock.fileno())],
        pass_fds=[sock.fileno()],
        preexec_fn=lambda: pin(0),
    )
    sock.close()
    wait_ready(port)
    return process, port


def start_footfall(data: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    script = Path(sys.executable).parent / "footfall"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "footfall"]
    process = subprocess.Popen(
        [*command, "serve", "--data", str(data), "--port", str(port), "--serial", SERIAL,
         "--anonymous-viewer", "--user", "root:pass:admin"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: pin(0),
    )  # fmt: skip
    wait_ready(port)
    return process, port


# -- the load generator (runs in its own process: `bench_api.py --load ...`) ---------------------
async def _connection(
    port: int, target: str, auth: str, deadline: float, counts: list[int], errors: list[str]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    nonce = ""
    cnonce = os.urandom(8).hex()
    nc = 0
    if auth == "digest":
        nonce = await _challenge(reader, writer, target)
    while time.monotonic() < deadline:
        header = ""
        if auth == "basic":
            header = "Authorization: Basic " + base64.b64encode(b"root:pass").decode() + "\r\n"
        elif auth == "digest":
            nc += 1
            header = _digest(target, nonce, f"{nc:08x}", cnonce)
        writer.write(f"GET {target} HTTP/1.1\r\nHost: x\r\n{header}\r\n".encode())
        status, _ = await _response(reader)
        if status != 200:
            errors.append(str(status))
            break
        counts[0] += 1
    writer.close()


async def _challenge(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, target: str
) -> str:
    # a wrong Basic header gets a challenge even when anonymous viewers are let in
    writer.write(f"GET {target} HTTP/1.1\r\nHost: x\r\nAuthorization: Basic eDp5\r\n\r\n".encode())
    _, head = await _response(reader)
    match = re.search(r'nonce="([^"]+)"', head)
    assert match is not None, head
    return match.group(1)


def _digest(target: str, nonce: str, nc: str, cnonce: str) -> str:
    def md5(text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()

    ha1 = md5(f"root:AXIS_{SERIAL}:pass")
    response = md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{md5('GET:' + target)}")
    return (
        f'Authorization: Digest username="root", realm="AXIS_{SERIAL}", nonce="{nonce}", '
        f'uri="{target}", algorithm=MD5, qop=auth, nc={nc}, cnonce="{cnonce}", '
        f'response="{response}"\r\n'
    )


async def _response(reader: asyncio.StreamReader) -> tuple[int, str]:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    length = int(re.search(r"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
    await reader.readexactly(length)
    return int(head.split(" ", 2)[1]), head


async def _load(
    port: int, target: str, auth: str, seconds: float, connections: int
) -> dict[str, Any]:
    counts = [0]
    errors: list[str] = []
    warm = time.monotonic() + 0.5
    await asyncio.gather(*(_connection(port, target, auth, warm, [0], []) for _ in range(4)))
    start = time.monotonic()
    deadline = start + seconds
    await asyncio.gather(
        *(_connection(port, target, auth, deadline, counts, errors) for _ in range(connections))
    )
    elapsed = time.monotonic() - start
    return {"rps": counts[0] / elapsed, "errors": errors[:3]}


def load(port: int, target: str, auth: str, seconds: float, connections: int) -> dict[str, Any]:
    """Run the load generator in its own process and return its figures."""
    result = subprocess.run(
        [
            sys.executable,
            __file__,
            "--load",
            str(port),
            target,
            auth,
            str(seconds),
            str(connections),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, Any] = json.loads(result.stdout)
    return figures


def _load_main(argv: list[str]) -> None:
    port, target, auth, seconds, connections = argv
    pin(1)
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    figures = asyncio.run(_load(int(port), target, auth, float(seconds), int(connections)))
    print(json.dumps(figures))


# -- one year of 15m data over HTTP ------------------------------------------------------------
def fill_year(data: Path) -> None:
    """One year of minute bins (a passage in about every other minute) straight into the store."""
    from footfall.store.sqlite import SQLiteStore

    start = 1483228800  # 2017-01-01 UTC
    rows = [(start + 60 * i, i % 3 == 0, i % 5 == 0) for i in range(365 * 1440)]
    store = SQLiteStore(data / "counts.sqlite3")
    try:
        store.add_minute_counts([(m, int(a), int(b)) for m, a, b in rows if a or b])
    finally:
        store.close()


def time_export(port: int, query: str, repeats: int = 5) -> tuple[float, int]:
    import httpx

    best = float("inf")
    size = 0
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        for _ in range(repeats):
            began = time.perf_counter()
            response = client.get(f"/local/tvpc/.api?{query}")
            best = min(best, time.perf_counter() - began)
            response.raise_for_status()
            size = len(response.content)
    return best, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one measurement")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; best is kept")
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    live = "/local/tvpc/.api?live-sum.json"
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        fill_year(data)
        baseline, base_port = start_baseline()
        server, port = start_footfall(data)
        cases = [
            ("Starlette PlainTextResponse (baseline)", base_port, "/hello", "none"),
            ("live-sum.json, anonymous", port, live, "none"),
            ("live-sum.json, Basic", port, live, "basic"),
            ("live-sum.json, Digest MD5", port, live, "digest"),
        ]
        best = {label: 0.0 for label, *_ in cases}
        errors: dict[str, str] = {}
        try:
            for _ in range(args.rounds):  # interleaved, so a busy moment hits every row alike
                for label, case_port, target, auth in cases:
                    figures = load(case_port, target, auth, args.seconds, args.connections)
                    best[label] = max(best[label], figures["rps"])
                    if figures["errors"]:
                        errors[label] = ",".join(figures["errors"])
            queries = ["export-csv&date=all&res=15m", "export-json&date=all&res=15m",
                       "export-xml&date=all&res=15m", "export-csv&date=all&res=24h"]  # fmt: skip
            exports = [(q, *time_export(port, q)) for q in queries]
        finally:
            for process in (baseline, server):
                process.terminate()
                process.wait()
    base = best[cases[0][0]]
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"# bench_api {time.strftime('%Y-%m-%d')}: {cpus} CPUs, servers pinned to one CPU, "
        f"{args.connections} keep-alive connections, best of {args.rounds} x {args.seconds:.0f} s"
    )
    print(f"| {'endpoint':<40} | {'req/s':>8} | {'ratio':>6} | errors |")
    print(f"|{'-' * 42}|{'-' * 10}|{'-' * 8}|--------|")
    for label, *_ in cases:
        rps = best[label]
        print(f"| {label:<40} | {rps:>8.0f} | {rps / base:>6.2f} | {errors.get(label, '-'):<6} |")
    print()
    print(f"| {'one year of data over HTTP':<40} | {'best s':>8} | {'bytes':>10} |")
    print(f"|{'-' * 42}|{'-' * 10}|{'-' * 12}|")
    for query, seconds, size in exports:
        print(f"| {query:<40} | {seconds:>8.3f} | {size:>10} |")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--load":
        _load_main(sys.argv[2:])
    else:
        main()

"""`footfall serve` as a real process: an open event stream does not hold up a SIGTERM stop."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx


def test_sigterm_ends_open_streams_and_the_server_stops(tmp_path: Path) -> None:
    command = [
        str(Path(sys.executable).with_name("footfall")), "serve", "--data", str(tmp_path),
        "--port", "0", "--user", "root:pass:admin", "--serial", "ACCC8E019C5F",
    ]  # fmt: skip
    server = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=os.environ
    )
    try:
        assert server.stdout is not None
        base = ""
        for line in server.stdout:
            found = re.search(r"serving on (http://[0-9.]+:[0-9]+)/", line)
            if found:
                base = found.group(1)
                break
        assert base, "the server did not start"
        frames: list[str] = []

        def listen() -> None:
            with (
                httpx.Client(base_url=base, auth=("root", "pass"), timeout=30) as client,
                client.stream("GET", "/footfall/events") as response,
            ):
                frames.extend(response.iter_lines())

        reader = threading.Thread(target=listen, daemon=True)
        reader.start()
        time.sleep(1.0)
        started = time.monotonic()
        server.send_signal(signal.SIGTERM)
        server.wait(15)
        took = time.monotonic() - started
        reader.join(5)
        assert took < 5, f"the server took {took:.1f} s to stop with a stream open"
        assert frames[:1] == ["retry: 3000"]  # the stream was really open
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()

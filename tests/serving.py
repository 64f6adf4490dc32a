"""The real `footfall serve` and `footfall replay` processes, run as a user would (for tests)."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

SCRIPT = Path(sys.executable).parent / "footfall"
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "footfall"]


def serve_process(
    data: Path, flags: Sequence[str] = (), timeout_s: float = 20
) -> tuple[subprocess.Popen[str], str]:
    """`footfall serve --data DATA --port 0 FLAGS…`; returns the process and its base URL once
    it answers. Its stderr goes to `<data>.stderr` (a file never fills up and stalls it)."""
    data.mkdir(parents=True, exist_ok=True)
    stderr_path = data.parent / f"{data.name}.stderr"
    stderr = stderr_path.open("a")
    process = subprocess.Popen(
        [*COMMAND, "serve", "--data", str(data), "--port", "0", *flags],
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )
    stderr.close()
    assert process.stdout is not None
    line = process.stdout.readline()
    found = re.search(r"http://([\d.]+):(\d+)/", line)
    if found is None:
        process.kill()
        raise AssertionError(f"footfall serve printed {line!r}: {stderr_path.read_text()}")
    base = f"http://{found.group(1)}:{found.group(2)}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/local/tvpc/appdata.dtd", timeout=1)
            return process, base
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise AssertionError(f"footfall serve did not answer: {stderr_path.read_text()}")


def replay_process(data: Path, csv: Path) -> str:
    """`footfall replay --data DATA CSV` as a process; its stdout (it must exit 0)."""
    result = subprocess.run(
        [*COMMAND, "replay", "--data", str(data), str(csv)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout

"""Every benchmark under bench/ still imports: they are run by hand, not by the suite, and a
helper moved elsewhere once left bench_longrun.py failing at its first line (2026-12-04)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"


def test_every_bench_script_imports() -> None:
    names = sorted(p.stem for p in BENCH.glob("*.py"))
    assert "bench_longrun" in names and "bench_robustness" in names
    # One fresh interpreter for all: some set thread counts in the environment at import.
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    done = subprocess.run(
        [sys.executable, "-c", code, *names],
        cwd=BENCH,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]

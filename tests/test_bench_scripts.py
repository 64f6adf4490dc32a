"""Every benchmark under bench/ still imports: they are run by hand, not by the suite, and a
helper moved elsewhere once left bench_longrun.py failing at its first line (2026-12-04)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"


def in_bench(*args: str) -> subprocess.CompletedProcess[str]:
    """`python ARGS` run in bench/, its output kept."""
    return subprocess.run(
        [sys.executable, *args], cwd=BENCH, capture_output=True, text=True, timeout=120, check=False
    )


def test_every_bench_script_imports() -> None:
    names = sorted(p.stem for p in BENCH.glob("*.py"))
    assert "bench_longrun" in names and "bench_robustness" in names
    # One fresh interpreter for all: some set thread counts in the environment at import.
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    done = in_bench("-c", code, *names)
    assert done.returncode == 0, done.stderr[-2000:]


def test_the_synthetic_bench_draws_the_hall_it_is_asked_for() -> None:
    """`bench_synthetic.py` with a mounting height, the lamp's soft shadow and a choice of
    scenes: the scenes it names, drawn from that height; an unknown scene is refused."""
    args = ["--seeds", "1", "--jobs", "1", "--scenes", "single", "--height", "600"]
    done = in_bench("bench_synthetic.py", *args, "--floor", "plain", "--shadow", "lamp")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "plain floor, shadows lamp, from 600 cm" in done.stdout
    rows = [line.split() for line in done.stdout.splitlines()]
    assert [r[0] for r in rows if r and r[0] in ("single", "queue", "all")] == ["single", "all"]
    bad = in_bench("bench_synthetic.py", "--scenes", "single,crowd")
    assert bad.returncode == 2 and "unknown scenario crowd" in bad.stderr

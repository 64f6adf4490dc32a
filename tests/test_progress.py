"""The progress lines a program reads from `footfall count` / `eval` (footfall/progress.py):
what the writer writes, the reader reads; and the real `footfall eval --fit` writes them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from footfall.progress import PROGRESS_ENV, line_progress, read_line
from tests.needs import unavailable

BUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "video" / "bus_overhead_koba.avi"


def test_what_is_written_is_read(capsys: pytest.CaptureFixture[str]) -> None:
    report = line_progress("door.avi told 300 cm (fit: count 1 of about 10)")
    report(25, 987)
    report(26, 987)  # within PROGRESS_EVERY_S of the last: not written
    report(947, 947)  # the end always is
    lines = capsys.readouterr().err.splitlines()
    assert [read_line(line) for line in lines] == [
        ("start", 0, 0),
        ("at", 25, 987),
        ("at", 947, 947),
    ]


@pytest.mark.parametrize(
    "line", ["", "progress", "progress 3", "progress three 4", "fit: the clip counted", "x 1 2"]
)
def test_other_lines_are_not_progress(line: str) -> None:
    assert read_line(line) is None


def test_eval_fit_says_how_far_it_is_when_asked() -> None:
    if not BUS.exists():
        unavailable("shared clips are not here (CI must have ../shared/data)")
    truth = BUS.parents[1] / "bus_overhead_koba.json"
    done = subprocess.run(
        [sys.executable, "-m", "footfall", "eval", str(BUS), str(truth), "--fit", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, PROGRESS_ENV: "lines"},
    )
    assert done.returncode == 0, done.stderr
    read = [read_line(line) for line in done.stderr.splitlines()]
    starts = sum(r is not None and r[0] == "start" for r in read)
    assert 8 <= starts <= 14  # learning, about ten heights, only the people followed
    assert ("at", 947, 947) in read  # each count ends at the clip's last frame

"""`footfall count` and `footfall eval` through the real console script."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
BUS = DATA / "video" / "bus_overhead_koba.avi"
FOOTFALL = [sys.executable, "-c", "from footfall.cli import main; main()"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*FOOTFALL, *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def bus() -> Path:
    if not BUS.exists():
        pytest.skip("shared clips are not here")
    return BUS


def test_eval_json_prints_only_one_object(bus: Path) -> None:
    done = run("eval", str(bus), str(DATA / "bus_overhead_koba.json"), "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    for key in (
        "in",
        "out",
        "true_in",
        "true_out",
        "combined_accuracy",
        "precision",
        "recall",
        "fps",
    ):
        assert key in result
    assert (result["true_in"], result["true_out"]) == (7, 7)
    assert result["fps"] > 0


def test_count_writes_csv_and_json(bus: Path, tmp_path: Path) -> None:
    out = tmp_path / "passages.csv"
    done = run("count", str(bus), "--area", "0,320,100,140,100,140,0", "--out", str(out), "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == summary["in"] + summary["out"] > 0
    assert set(rows[0]) == {"frame", "time_s", "direction", "track"}
    assert float(rows[0]["time_s"]) == pytest.approx(int(rows[0]["frame"]) / 15.0, abs=1e-3)
    as_json = tmp_path / "passages.json"
    assert run("count", str(bus), "--out", str(as_json)).returncode == 0
    assert isinstance(json.loads(as_json.read_text()), list)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--area", "1,2,3"], "needs 7 integers"),
        (["--area", "a,b,c,d,e,f,g"], "seven integers"),
        (["--area", '{"left": 0, "colour": 1}'], "unknown key"),
        (["--in", "sideways"], "up or down"),
        (["--detector", "/nonexistent/model.onnx"], "no ONNX model file there"),
        (["--detector", __file__], "not a usable ONNX model"),
    ],
)
def test_bad_input_is_a_sentence_not_a_traceback(bus: Path, args: list[str], message: str) -> None:
    done = run("count", str(bus), *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_errors_are_one_unwrapped_line_whatever_the_path(bus: Path, tmp_path: Path) -> None:
    """A long path (CI checks out deeper) or brackets in it must not wrap or vanish as markup."""
    deep = tmp_path / ("d" * 60) / "[bold]model[/bold]" / ("m" * 60 + ".onnx")
    deep.parent.mkdir(parents=True)
    deep.write_bytes(b"not a protobuf at all")
    done = run("count", str(bus), "--detector", str(deep))
    assert done.returncode == 2
    first = done.stderr.splitlines()[0]
    assert f"--detector {deep}: not a usable ONNX model" in first


def test_missing_video_is_reported(tmp_path: Path) -> None:
    done = run("count", str(tmp_path / "nothing.mp4"))
    assert done.returncode == 2
    assert "cannot open video" in done.stderr

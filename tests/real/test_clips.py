"""Accuracy on the real overhead clips in ../shared/data is a regression test (STYLE habit 17).

`baseline.json` holds the committed figures per clip; a run that does worse than its baseline
fails with the old and the new figure. Clips with a hand count also assert the accuracy floor.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from footfall.commands.count import params_for
from footfall.counting.groundtruth import GroundTruth, score
from footfall.store.base import Passage
from footfall.vision.analyzer import Analyzer
from footfall.vision.offline import EPOCH, count_file
from footfall.vision.types import Frame

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
BASELINE: dict[str, Any] = json.loads((Path(__file__).with_name("baseline.json")).read_text())
TOLERANCE = 5e-4  # baseline figures are rounded to 3 decimals

pytestmark = pytest.mark.real


def clip_path(name: str) -> Path:
    video = DATA / "video" / name
    if not video.exists():
        if os.environ.get("FOOTFALL_CI") == "1":
            pytest.fail(f"{video} is missing (CI must have ../shared/data)")
        pytest.skip(f"{video} is not here")
    return video


@pytest.mark.parametrize("clip", sorted(k for k, v in BASELINE.items() if "combined_accuracy" in v))
def test_clip_with_ground_truth(clip: str) -> None:
    base = BASELINE[clip]
    video = clip_path(base["video"])
    truth = GroundTruth.load(DATA / f"{clip}.json")
    result = count_file(video, params_for(truth.area, truth.in_direction, None))
    s = score(truth, [(p.frame or 0, p.direction) for p in result.passages], truth.fps)
    got = {"combined_accuracy": s.combined_accuracy, "precision": s.precision, "recall": s.recall}
    for key, new in got.items():
        old = base[key]
        assert new >= old - TOLERANCE, (
            f"{clip}: {key} dropped from {old:.3f} (baseline) to {new:.3f} "
            f"(counted in {s.counted_in}/{s.true_in}, out {s.counted_out}/{s.true_out})"
        )
    assert s.combined_accuracy >= base["floor"], (
        f"{clip}: combined accuracy {s.combined_accuracy:.3f} is under the floor {base['floor']}"
    )


@pytest.mark.parametrize(
    "clip", sorted(k for k, v in BASELINE.items() if "combined_accuracy" not in v)
)
def test_clip_without_visible_ground_truth(clip: str) -> None:
    """Hidden hand counts: the committed counts must not move without the baseline moving too."""
    base = BASELINE[clip]
    video = clip_path(base["video"])
    reference = GroundTruth.load(DATA / f"{base['area_from']}.json")
    result = count_file(video, params_for(reference.area, reference.in_direction, None))
    assert list(result.counts) == [base["in"], base["out"]], (
        f"{clip}: counts moved from in {base['in']} / out {base['out']} (baseline) to "
        f"in {result.counts[0]} / out {result.counts[1]}; check the clip, then the baseline"
    )


def test_half_frame_rate_counts_alike() -> None:
    """Tram 02 at 12.5 fps (every other frame): the motion lag and windows are set in seconds,
    so the learnt person size and the count stay put."""
    video = clip_path("tram_door_overhead_02.mp4")
    truth = GroundTruth.load(DATA / "tram_door_overhead_02.json")
    analyzer = Analyzer(params_for(truth.area, truth.in_direction, None))
    analyzer.set_fps(truth.fps / 2)
    capture = cv2.VideoCapture(str(video))
    passages: list[Passage] = []
    index = 0
    while True:
        ok, image = capture.read()
        if not ok:
            break
        if index % 2 == 0:
            frame = Frame(np.asarray(image, np.uint8), index // 2, EPOCH)
            passages += analyzer.process(frame)
        index += 1
    capture.release()
    passages += analyzer.flush()
    s = score(truth, [(2 * (p.frame or 0), p.direction) for p in passages], truth.fps)
    assert s.combined_accuracy >= 0.9, (
        f"half frame rate: in {s.counted_in}/{s.true_in}, out {s.counted_out}/{s.true_out}"
    )

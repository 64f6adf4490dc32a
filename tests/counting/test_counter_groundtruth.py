"""Ground-truth files and the accuracy figures of `footfall eval`."""

from __future__ import annotations

from typing import Any

import pytest

from footfall.counting.groundtruth import (
    GroundTruth,
    TrueEvent,
    combined_accuracy,
    direction_accuracy,
    match_events,
)
from footfall.errors import BadRequest

AREA = {
    "width": 320,
    "height": 240,
    "left": 0,
    "right": 320,
    "top": 100,
    "bottom": 140,
    "yfirst": 100,
    "ylast": 140,
    "radius": 0,
}
GOOD = {
    "video": "x.avi",
    "fps": 15.0,
    "area": AREA,
    "in_direction": "up",
    "totals": {"in": 2, "out": 1},
    "events": [{"frame": 10, "direction": "in"}, {"frame": 40, "direction": "out"}],
}


def test_reads_a_good_file() -> None:
    truth = GroundTruth.from_json(GOOD)
    assert (truth.true_in, truth.true_out, truth.area.ylast) == (2, 1, 140)
    assert truth.events[1] == TrueEvent(40, "out")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"area": None}, "malformed"),
        ({"totals": {"in": 1}}, "out"),
        ({"in_direction": "left"}, "up or down"),
        ({"events": [{"frame": 1, "direction": "sideways"}]}, "in or out"),
        ({"area": {**AREA, "left": "x"}}, "malformed"),
    ],
)
def test_bad_files_say_why(change: dict[str, Any], message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        GroundTruth.from_json(GOOD | change)


@pytest.mark.parametrize(
    ("counted", "true", "expected"),
    [(7, 7, 1.0), (6, 7, 1 - 1 / 7), (9, 7, 1 - 2 / 7), (0, 0, 1.0), (1, 0, 0.0), (30, 7, 0.0)],
)
def test_direction_accuracy(counted: int, true: int, expected: float) -> None:
    assert direction_accuracy(counted, true) == pytest.approx(expected)


def test_combined_accuracy() -> None:
    assert combined_accuracy(7, 7, 7, 7) == 1.0
    assert combined_accuracy(22, 1, 23, 0) == pytest.approx(1 - 2 / 23)
    assert combined_accuracy(0, 0, 0, 0) == 1.0


def test_events_match_one_to_one_within_a_second() -> None:
    truth = [TrueEvent(100, "in"), TrueEvent(110, "in"), TrueEvent(300, "out")]
    # two counted near the first two events, one outside the window, one of the wrong direction
    counted = [(104, "in"), (106, "in"), (200, "in"), (300, "in")]
    assert match_events(counted, truth, fps=15.0) == 2  # type: ignore[arg-type]
    # one counted passage cannot match two true events
    assert match_events([(105, "in")], truth, fps=15.0) == 1

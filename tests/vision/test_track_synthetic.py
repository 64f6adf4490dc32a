"""The whole analyzer (detect -> track -> count) on our synthetic overhead scenes, exact truth.

Floors per scenario, summed over seeds: what the counter achieves today, so a change that makes
pairs, tailgaters or a person who stands in the area and walks on count worse fails here.
"""

from __future__ import annotations

import pytest

from footfall.vision.analyzer import Analyzer
from footfall.vision.synthetic import scenario

SEEDS = (0, 1, 2, 3)
# scenario -> lowest combined accuracy over SEEDS (1 - (|d in| + |d out|) / (true in + true out))
FLOORS = {
    "single": 1.0,
    "opposite": 1.0,
    "standing": 1.0,
    "lights": 1.0,
    "side_by_side": 1.0,
    "tailgating": 1.0,
    "mixed": 0.92,  # 2026-12-02: 0.930 (0.948 on seeds 4-9) with motion differenced over 0.08 s
}


def counted(name: str, seed: int) -> tuple[int, int, int, int]:
    """(counted in, counted out, true in, true out) of one synthetic scene."""
    sc = scenario(name, seed)
    analyzer = Analyzer(sc.params)
    analyzer.set_fps(sc.fps)
    passages = [p for frame in sc.frames() for p in analyzer.process(frame)]
    passages += analyzer.flush()
    n_in = sum(p.direction == "in" for p in passages)
    return n_in, len(passages) - n_in, sc.totals["in"], sc.totals["out"]


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_scenario_accuracy_floor(name: str) -> None:
    results = [counted(name, seed) for seed in SEEDS]
    error = sum(abs(ci - ti) + abs(co - to) for ci, co, ti, to in results)
    truth = sum(ti + to for _, _, ti, to in results)
    accuracy = 1.0 - error / truth
    assert accuracy >= FLOORS[name], f"{name}: accuracy {accuracy:.3f} < {FLOORS[name]} ({results})"


def test_uturn_counts_nothing() -> None:
    assert all(counted("uturn", seed)[:2] == (0, 0) for seed in SEEDS)

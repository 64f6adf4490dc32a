"""`footfall eval --fit`: the search for the mounting height at which a clip counts as its hand
count (`commands/fit.py`), on counts that behave as a crowded door's do (more people the higher
the camera is said to hang, so the smaller they are taken to be)."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import pytest

from footfall.commands.evaluate import fit_lines
from footfall.commands.fit import FIT_STEP_CM, fit_height, grid
from footfall.counting.groundtruth import GroundTruth, Score, score

Count = Callable[[int], tuple[int, int, float]]


def door(per_metre: float, share_in: float = 1.0) -> tuple[list[int], Count]:
    """A door whose count grows with the height told (`per_metre` people a metre), split
    `share_in` in, the rest out; and the heights it was counted at."""
    asked: list[int] = []

    def count(height_cm: int) -> tuple[int, int, float]:
        asked.append(height_cm)
        total = round(per_metre * height_cm / 100)
        n_in = round(total * share_in)
        return n_in, total - n_in, 12000 / height_cm

    return asked, count


@pytest.mark.parametrize(("per_metre", "true"), [(6.0, (23, 0)), (10.0, (20, 21)), (2.0, (4, 3))])
def test_the_height_found_counts_the_hand_count(per_metre: float, true: tuple[int, int]) -> None:
    asked, count = door(per_metre, true[0] / sum(true))
    fit = fit_height(count, true)
    assert sum(fit.best.counted) == sum(true)
    assert fit.best.accuracy >= 0.95
    assert not fit.at_bound
    assert len(asked) == len(set(asked)) <= 12  # each height counted once, ~log2(170) + 2
    assert [t.height_cm for t in fit.tried] == sorted(set(asked))
    assert fit.best.person_px == pytest.approx(12000 / fit.best.height_cm)


def test_of_equally_near_heights_the_one_nearest_the_learnt_width_is_kept() -> None:
    # 23 people at every height from 380 to 395 cm: the learnt width says 392 cm.
    def count(height_cm: int) -> tuple[int, int, float]:
        return (23 if 380 <= height_cm <= 395 else height_cm // 17), 0, 0.0

    plateau = [h for h in grid() if count(h)[0] == 23]
    assert fit_height(count, (23, 0), near=392).best.height_cm in plateau
    assert fit_height(count, (23, 0), near=392).best.height_cm >= 390
    assert fit_height(count, (23, 0), near=150).best.height_cm == min(
        t.height_cm for t in fit_height(count, (23, 0)).tried if t.counted[0] == 23
    )


def test_a_count_no_height_reaches_is_said() -> None:
    _, count = door(1.0)  # 10 people at 1000 cm, the highest Counter.Height takes
    fit = fit_height(count, (40, 0))
    assert fit.at_bound and fit.best.height_cm == grid()[-1]
    _, crowded = door(50.0)  # 75 people already at 150 cm
    fit = fit_height(crowded, (20, 0))
    assert fit.at_bound and fit.best.height_cm == grid()[0]


def test_no_height_is_advised_when_none_reaches_the_hand_count() -> None:
    _, count = door(1.0)  # 10 people at the highest height, where the hand count says 23
    fit = fit_height(count, (23, 0))
    said = fit_lines(fit, score_of(4))  # the highest height counts nearer than learning's 4
    assert fit.at_bound and fit.best.accuracy > score_of(4).combined_accuracy
    assert said[-1].startswith("no height Counter.Height takes (150-1000 cm) brings the count")
    assert not any("setparams" in line or line.startswith("set ") for line in said)


def test_the_heights_tried_are_those_counter_height_takes() -> None:
    heights = grid()
    assert heights[0] == 150 and heights[-1] == 1000
    assert all(b - a == FIT_STEP_CM for a, b in pairwise(heights))


def score_of(counted_in: int, tolerance: int = 0) -> Score:
    """A count of `counted_in` passages in, scored against a hand count of 23 in, sure to within
    `tolerance`."""
    area = {"left": 0, "right": 320, "top": 100, "bottom": 140}
    raw = {"area": area, "totals": {"in": 23, "out": 0}, "tolerance": {"in": tolerance}}
    truth = GroundTruth.from_json(raw, (320, 240))
    return score(truth, [(i, "in") for i in range(counted_in)], 25.0)


def test_what_fit_prints_says_what_to_set_or_to_keep_learning() -> None:
    _, count = door(6.0)
    fit = fit_height(count, (23, 0))
    said = fit_lines(fit, score_of(26))  # learning the width counted 26
    best = f"best: Counter.Height={fit.best.height_cm} with Counter.AutoSize=0 counts in 23 out 0"
    assert any(line.startswith(best) for line in said)
    assert said[-2].startswith(f"set Counter.Height={fit.best.height_cm} and Counter.AutoSize=0")
    assert f"-d 'setparams&Counter.Height={fit.best.height_cm}&Counter.AutoSize=0'" in said[-1]
    assert (
        fit_lines(fit, score_of(23))[-1]
        == "learning the width counts as near: keep Counter.AutoSize=1"
    )


def test_fit_says_to_count_only_the_people_followed_where_that_counts_nearest() -> None:
    _, count = door(6.0)
    fit = fit_height(count, (23, 0))
    alone = score_of(23)  # the tracks alone count the hand count; learning counted 26
    said = fit_lines(fit, score_of(26), alone)
    assert "only the people followed one by one (Counter.Crowds=0" in said[-3]
    assert said[-2].startswith("set Counter.Crowds=0 if people never crowd at this door")
    assert "-d 'setparams&Counter.Crowds=0'" in said[-1]
    worse = fit_lines(fit, score_of(26), score_of(14))  # a crowded door's untracked people lost
    assert worse[-2].startswith(f"set Counter.Height={fit.best.height_cm}")


@pytest.mark.parametrize("near", [400, 250, 900])
def test_the_search_starts_from_the_learnt_height_and_goes_as_far_as_it_must(near: int) -> None:
    asked, count = door(6.0)  # 23 people at about 385 cm
    fit = fit_height(count, (23, 0), near=near)
    assert sum(fit.best.counted) == 23 and not fit.at_bound
    assert len(asked) == len(set(asked)) <= (10 if near == 400 else 14)
    if near == 400:  # near the crossing: nothing absurd counted
        assert all(400 / 1.6 <= h <= 400 * 1.6 for h in asked), asked


def test_a_count_within_the_hand_counts_tolerance_keeps_learning() -> None:
    _, count = door(6.0)
    fit = fit_height(count, (23, 0))
    assert fit_lines(fit, score_of(24, tolerance=2))[-1] == (
        "learning the width counts within the hand count's tolerance (in ±2, out ±0): "
        "keep Counter.AutoSize=1"
    )
    assert fit_lines(fit, score_of(26, tolerance=2))[-2].startswith("set Counter.Height=")

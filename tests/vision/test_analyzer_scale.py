"""The analyzer's choice of analysis width for a narrow counting area (`Analyzer`), on our
synthetic scenes (exact ground truth)."""

from __future__ import annotations

import logging

import pytest

from footfall.config import Params
from footfall.store.base import Passage
from footfall.vision.analyzer import Analyzer, ScaleAnalyzer
from footfall.vision.detect import ForegroundDetector, work_width
from footfall.vision.synthetic import Scenario, scenario
from footfall.vision.types import Frame


def narrow(params: Params, left: int = 110, right: int = 210) -> Params:
    """`params` counting over x `left`..`right` of 320 (under a third of the picture)."""
    area = params.Area.model_copy(update={"Left": left, "Right": right})
    return params.model_copy(update={"Area": area})


def counted(
    analyzer: Analyzer | ScaleAnalyzer, sc: Scenario, switch: Params | None = None
) -> list[Passage]:
    """The passages of the scene; with `switch`, a setparams of it at the 30th frame."""
    analyzer.set_fps(sc.fps)
    passages: list[Passage] = []
    for frame in sc.frames():
        if switch is not None and frame.index == 30:
            analyzer.set_params(switch)
        passages += analyzer.process(Frame(frame.image, frame.index, frame.time))
    return passages + analyzer.flush()


def test_people_of_the_usual_size_keep_the_usual_analysis() -> None:
    """People 57 px of 320 (18 %) over a narrow area: the usual analysis goes on, and its count
    is exactly what one analysis alone at 160 px counts."""
    sc = scenario("mixed", seed=0, params=narrow(Params()), episodes=6)
    chooser = Analyzer(sc.params)
    assert counted(chooser, sc) == counted(ScaleAnalyzer(sc.params), sc)
    assert chooser.analysed_width == 320  # the frames' own width: analysed at 160 px


def test_people_small_at_160_px_are_counted_finer(caplog: pytest.LogCaptureFixture) -> None:
    """Drawn as from 520 cm (people 21 px of 320, 6.6 %) over a quarter of the picture, the
    finer analysis goes on (213 px: the area's 80 px are a third of 160), with its passages from
    the first frame: exactly what that analysis alone counts."""
    params = narrow(Params(), 120, 200)
    params.Counter.Height = 520
    sc = scenario("mixed", seed=1, params=params, episodes=6)
    chooser = Analyzer(sc.params)
    caplog.set_level(logging.INFO, logger="footfall")
    passages = counted(chooser, sc)
    assert "of the picture at 160 px: counted at 213 px from the first frame on" in caplog.text
    assert work_width(320, params.Area) == 213
    assert chooser.analysed_width == pytest.approx(320 * 160 / 213)
    fine = ScaleAnalyzer(sc.params, ForegroundDetector(sc.params, 213))
    assert passages == counted(fine, sc)
    assert passages != counted(ScaleAnalyzer(sc.params), sc)  # not what 160 px counts


def test_a_setparams_that_widens_the_area_while_choosing_keeps_the_usual_analysis() -> None:
    """The scene of the test before, whose finer analysis would go on, but the area set to the
    whole picture at the 30th frame, while the two analyses run: the choice ends for the usual
    one, with its passages so far, exactly as one analysis alone counts it."""
    params = narrow(Params(), 120, 200)
    params.Counter.Height = 520
    sc = scenario("mixed", seed=1, params=params, episodes=6)
    wide = params.model_copy(update={"Area": Params().Area})
    chooser = Analyzer(sc.params)
    assert counted(chooser, sc, wide) == counted(ScaleAnalyzer(sc.params), sc, wide)
    assert chooser.analysed_width == 320

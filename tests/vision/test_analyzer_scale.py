"""The analyzer's choice of analysis width for a narrow counting area (`Analyzer`), on our
synthetic scenes (exact ground truth)."""

from __future__ import annotations

import itertools
import logging
from datetime import timedelta

import pytest

from footfall.config import Params
from footfall.store.base import Passage
from footfall.vision.analyzer import Analyzer, analysed_stride
from footfall.vision.detect import ForegroundDetector
from footfall.vision.person import work_width
from footfall.vision.scale_analyzer import ScaleAnalyzer
from footfall.vision.sizelearn import SIZE_WINDOW
from footfall.vision.synthetic import Scenario, scenario
from footfall.vision.types import Frame
from footfall.vision.widths import CHOOSE_MAX_S, CHOOSE_SAMPLES, choice_due
from tests.vision.walker import walked_over_photo


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


def test_people_of_the_usual_size_keep_the_usual_analysis(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """People 57 px of 320 (18 %) over a narrow area: the usual analysis goes on, and its count
    is exactly what one analysis alone at 160 px counts; the log says both steps."""
    sc = scenario("mixed", seed=0, params=narrow(Params()), episodes=6)
    chooser = Analyzer(sc.params)
    caplog.set_level(logging.INFO, logger="footfall")
    assert counted(chooser, sc) == counted(ScaleAnalyzer(sc.params), sc)
    assert chooser.analysed_width == 320  # the frames' own width: analysed at 160 px
    assert "the counting area is 31 % of the picture: an analysis at 171 px runs" in caplog.text
    assert "of the picture: counted at 160 px as usual" in caplog.text


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


def small_people(seed: int) -> tuple[Scenario, Params, Params]:
    """A scene drawn as from 520 cm (people 21 px of 320) through a doorway over x 120..200;
    its params with that area, and with the area across the whole picture."""
    params = narrow(Params(), 120, 200)
    params.Counter.Height = 520
    sc = scenario("mixed", seed=seed, params=params, episodes=8)
    return sc, params, params.model_copy(update={"Area": Params().Area})


def counted_switching(
    analyzer: Analyzer | ScaleAnalyzer, sc: Scenario, switches: dict[int, Params]
) -> dict[str, int]:
    """In and out counted over the scene, with a setparams of `switches[i]` at frame i."""
    analyzer.set_fps(sc.fps)
    passages: list[Passage] = []
    for frame in sc.frames():
        if frame.index in switches:
            analyzer.set_params(switches[frame.index])
        passages += analyzer.process(Frame(frame.image, frame.index, frame.time))
    passages += analyzer.flush()
    return {way: sum(p.direction == way for p in passages) for way in ("in", "out")}


def test_a_setparams_that_narrows_the_area_early_chooses_the_width_then(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A counter started with the area across the whole picture, its people small; the
    installer draws the doorway at the 30th frame, before the size is learnt: the finer analysis
    starts then, is chosen, and the three scenes count exactly their truth (the usual analysis
    alone, switched the same way, miscounts the first)."""
    caplog.set_level(logging.INFO, logger="footfall")
    for seed in (1, 2, 3):
        sc, params, wide = small_people(seed)
        chooser = Analyzer(wide)
        assert counted_switching(chooser, sc, {30: params}) == sc.totals
        assert chooser.analysed_width == pytest.approx(320 * 160 / 213)
        usual = counted_switching(ScaleAnalyzer(wide), sc, {30: params})
        assert (usual == sc.totals) == (seed != 1)
    assert "counted at 213 px from its setparams on" in caplog.text


def test_a_setparams_that_narrows_the_area_once_the_size_is_learnt_switches_at_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The same, the doorway drawn at frame 400, the size learnt at 160 px long before: the
    analysis goes on at 213 px at once and counts the scene's truth."""
    caplog.set_level(logging.INFO, logger="footfall")
    sc, params, wide = small_people(3)
    chooser = Analyzer(wide)
    assert counted_switching(chooser, sc, {400: params}) == sc.totals
    assert chooser.analysed_width == pytest.approx(320 * 160 / 213)
    assert "counted at 213 px from now: the counting area asks for it" in caplog.text


def test_an_area_widened_after_the_finer_choice_goes_back_to_the_usual_width() -> None:
    """Counted finer from the start, then the area set across the whole picture: analysed at
    160 px from then on, counting on (within the passage that the switch may cut)."""
    sc, params, wide = small_people(2)
    chooser = Analyzer(params)
    got = counted_switching(chooser, sc, {600: wide})
    assert chooser.analysed_width == 320
    assert abs(got["in"] - sc.totals["in"]) + abs(got["out"] - sc.totals["out"]) <= 1


def test_a_restart_goes_on_at_the_width_its_size_was_learnt_at(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The person size saved by a counter that counted finer was learnt at 213 px: a counter
    started again with it analyses at 213 px from the first frame, with that size at once, and
    counts the scene's truth; a counter at 160 px does not take it."""
    sc, params, _ = small_people(1)
    first = Analyzer(params)
    counted_switching(first, sc, {})
    samples = first.size_samples()
    assert samples is not None and samples.work == 213
    caplog.set_level(logging.INFO, logger="footfall")
    again = Analyzer(params)
    again.restore_size(samples)
    again.set_fps(sc.fps)
    first_three = list(itertools.islice(sc.frames(), 3))
    for f in first_three:  # each frame waits for the next, and a stream's first for its level
        again.process(Frame(f.image, f.index, f.time))
    frame = first_three[0]
    assert again.size_learnt and again.analysed_width == pytest.approx(320 * 160 / 213)
    assert "counted at 213 px from now: its person size restored was learnt at it" in caplog.text
    restarted = Analyzer(params)
    restarted.restore_size(samples)
    assert counted_switching(restarted, sc, {}) == sc.totals
    usual = ScaleAnalyzer(params)
    usual.restore_size(samples)
    usual.process(Frame(frame.image, frame.index, frame.time))
    assert not usual.size_learnt


def test_a_share_too_near_the_line_waits_for_more_samples() -> None:
    """After 100 samples a share near the 7.5 % line (tram 03 seen by a 1920x1080 camera read
    7.5 %, then 7.1 %) is not yet called; one well away from it is; a held size or two minutes
    of choosing calls it whatever it is."""
    fps = 25.0
    assert not choice_due(CHOOSE_SAMPLES - 1, 0.05, 10, fps)
    assert choice_due(CHOOSE_SAMPLES, 0.05, 10, fps)
    assert choice_due(CHOOSE_SAMPLES, 0.10, 10, fps)
    assert not choice_due(CHOOSE_SAMPLES, 0.075, 10, fps)
    assert not choice_due(CHOOSE_SAMPLES, 0.068, 10, fps)
    assert choice_due(SIZE_WINDOW, 0.075, 10, fps)
    assert choice_due(CHOOSE_SAMPLES, 0.075, round(CHOOSE_MAX_S * fps), fps)


@pytest.mark.parametrize(
    ("fps", "stride"),
    [(0.0, 1), (10.0, 1), (25.0, 1), (30.0, 1), (35.0, 1), (50.0, 2), (60.0, 2), (120.0, 4)],
)
def test_a_camera_faster_than_35_fps_is_analysed_at_35_or_under(fps: float, stride: int) -> None:
    assert analysed_stride(fps) == stride
    assert fps / stride <= 35.0


def test_a_cut_to_another_view_before_the_width_is_chosen_keeps_the_passages_before_it() -> None:
    """Small people through a narrow doorway (the finer analysis runs beside the usual one
    until the size is learnt, frame 549), cut at frame 450 to another view (people walking
    over a photo): the passages before the cut, waiting for the width to be chosen, are
    counted as when the recording ends at the cut (they were dropped with the analysis the
    other view replaced)."""
    sc, params, _ = small_people(1)
    frames = list(sc.frames())
    cut = 450
    step = timedelta(seconds=1 / sc.fps)
    other = [
        Frame(image, cut + k, frames[cut - 1].time + (k + 1) * step)
        for k, image in enumerate(walked_over_photo(120))
    ]

    def counted(shown: list[Frame]) -> list[tuple[int, str]]:
        analyzer = Analyzer(params)
        analyzer.set_fps(sc.fps)
        passages = [p for frame in shown for p in analyzer.process(frame)] + analyzer.flush()
        return sorted(((p.frame or 0), p.direction) for p in passages if (p.frame or 0) < cut)

    alone = counted(frames[:cut])
    assert len(alone) == sum(e.frame < cut for e in sc.events) >= 5
    assert counted([*frames[:cut], *other]) == alone

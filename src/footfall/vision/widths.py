"""The analysis at the width that suits the people: one `ScaleAnalyzer` at the usual analysis
width, and while the person size is learnt over a narrow counting area a finer one beside it,
until the width is chosen (`WidthAnalysis`). `Analyzer` feeds it the frames it takes and, after
a cut, a fresh one beside it until the view is checked."""

from __future__ import annotations

import logging
from dataclasses import replace

from footfall.config import Params
from footfall.store.base import Passage
from footfall.vision.detect import Detector, ForegroundDetector
from footfall.vision.motion import NOMINAL_FPS
from footfall.vision.person import AREA_SHARE, SMALL_PERSON_SHARE, WORK_WIDTH, work_width
from footfall.vision.scale_analyzer import ScaleAnalyzer
from footfall.vision.sizelearn import SIZE_WINDOW
from footfall.vision.sizestate import SizeSamples
from footfall.vision.types import Frame

log = logging.getLogger(__name__)

# A finer analysis runs beside the first until the first's person size rests on this many
# samples: its first ones wander (the shared trams as they are learn people 7.7-15.1 % of the
# picture after 20, 9.4-12.3 % after 100; as a camera 0.7 times as close would see them, 5.7-7.3 %
# after 100, and 0.8 times, 6.9-9.9 %), or at most this long (s of frames): then the first goes on
# alone.
CHOOSE_SAMPLES = 100
CHOOSE_MAX_S = 120.0
# A share within CHOOSE_MARGIN of SMALL_PERSON_SHARE after CHOOSE_SAMPLES is too near to call:
# both analyses go on until it leaves that band or the first's size is held (SIZE_WINDOW
# samples). Tram 03 seen by a 1920x1080 camera read 7.5 % after 100 samples, stayed at 160 px
# and counted 24 for ~19; waiting, it reads 7.1 % and counts 17 finer (bench_robustness,
# "1920x1080 cam": 0.916 -> 0.956; every other column as before).
CHOOSE_MARGIN = 0.01


def choice_due(samples: int, share: float, frames: int, fps: float) -> bool:
    """Whether the analysis width can be chosen now: the first analysis's person size rests on
    CHOOSE_SAMPLES samples and its share of the picture (`share`) is CHOOSE_MARGIN or more from
    SMALL_PERSON_SHARE, or its size is held, or `frames` have been counted for CHOOSE_MAX_S."""
    if samples >= SIZE_WINDOW or frames >= CHOOSE_MAX_S * fps:
        return True
    return samples >= CHOOSE_SAMPLES and abs(share - SMALL_PERSON_SHARE) >= CHOOSE_MARGIN


class WidthAnalysis:
    """Counts passages in the frames it is given at the analysis width that suits their people.

    The foreground detector analyses frames 160 px wide (WORK_WIDTH), where people of the
    shared clips are 14-19 px and the person-size learner is right; from higher up they are
    fewer pixels, learnt too small, and a crowded doorway is over-counted (docs/vision.md,
    "Another scale"). Where the counting area is narrower than a third of the picture, a second
    `ScaleAnalyzer` counts from the first frame at the width that keeps the area a third of 160
    px (`work_width`), until the first one's person size rests on CHOOSE_SAMPLES samples (more
    while its share is too near the line to call: `choice_due`): if it is under
    SMALL_PERSON_SHARE of the picture, the finer one goes on, with its passages so far, else the
    first one (a narrow area drawn over people of the usual size: analysed finer, they were
    learnt too large, and tram 04 counted 0/7 for 0/24 on a fifth of the picture). The passages
    of that time wait for the choice, as they wait for the size (`EarlyHold`). A detector given,
    or `Counter.AutoSize` 0 (the size is told): one width.

    The choice follows the counting area (`_follow`): a setparams that narrows it later (an
    installer drawing the doorway on a running counter) chooses then, at once if the size is
    learnt; one that widens or moves it while people are counted finer goes to the width it
    gives; a restart goes on at the width its restored size samples were learnt at."""

    def __init__(
        self, params: Params, detector: Detector | None = None, *, in_order: bool = True
    ) -> None:
        """`in_order`: as `ScaleAnalyzer`'s."""
        self._params = params
        self._in_order = in_order
        self._fixed = detector is not None  # a detector given: its own width, no choice
        self._main = ScaleAnalyzer(params, detector, in_order=in_order)
        self._main_px = WORK_WIDTH  # the width the main analysis works at
        self._fine: ScaleAnalyzer | None = None  # a finer one beside it, while choosing
        self._fine_px = WORK_WIDTH
        self._held: tuple[list[Passage], list[Passage]] = ([], [])  # main's, the fine one's
        self._fps: float | None = None  # the rate analysed
        self._samples: SizeSamples | None = None  # restored at a restart
        self.frames = 0  # frames counted
        self._choosing = 0  # frames counted while choosing
        self._frame_w = 0  # the frames' width
        self._from_start = True  # the choice began at the first frame (not at a setparams)
        self.released: list[Passage] = []  # passages of an analysis that ended, to hand on

    def _both(self) -> list[ScaleAnalyzer]:
        return [self._main] if self._fine is None else [self._main, self._fine]

    def set_fps(self, fps: float) -> None:
        """The rate frames are analysed at (`ScaleAnalyzer.set_fps`)."""
        self._fps = fps
        for analyzer in self._both():
            analyzer.set_fps(fps)

    def set_params(self, params: Params) -> None:
        """New params from a setparams (`ScaleAnalyzer.set_params`); the analysis width follows
        the counting area (`_follow`)."""
        self._params = params
        for analyzer in self._both():
            analyzer.set_params(params)
        if self._frame_w:
            self._follow()

    @property
    def learns_size(self) -> bool:
        """Whether the person width comes from the overhead detector's learner or from
        `Counter.Height` (not from a detector given, whose boxes are each person's own:
        `Counter.Height` and `Counter.AutoSize` then tell it nothing)."""
        return not self._fixed

    @property
    def _size_given(self) -> bool:
        """Whether the person size comes from a detector given or is told (`Counter.AutoSize`
        0): then nothing is learnt from the view, and one width suits it."""
        return self._fixed or not self._params.Counter.AutoSize

    def fresh(self) -> WidthAnalysis | None:
        """A fresh analysis of the same params and rate, its person size learnt from nothing
        (None where the size is not learnt: `_size_given`)."""
        if self._size_given:
            return None
        fresh = WidthAnalysis(self._params, in_order=self._in_order)
        if self._fps is not None:
            fresh.set_fps(self._fps)
        return fresh

    def _wanted(self) -> int:
        """The analysis width the counting area asks for (WORK_WIDTH when the size is given)."""
        if self._size_given:
            return WORK_WIDTH
        return work_width(self._frame_w, self._params.Area)

    def _follow(self) -> None:
        """Analyse at the width the counting area asks for. While choosing, an area that asks
        for another width ends the choice for the usual analysis. Then, another width than the
        main one's: the main analysis is replaced by one at it (learning its size afresh, its
        tracks ended) if people were counted finer, if a restart's samples were learnt at it, or
        if the usual analysis has learnt people small; while the usual one is still learning, a
        finer one starts beside it and the choice is made as at a first start."""
        wanted = self._wanted()
        if self._fine is not None:
            if wanted == self._fine_px:
                return
            self.released += self._held[0]
            self._fine, self._held = None, ([], [])
        if wanted == self._main_px:
            return
        restored = self._samples is not None and self._samples.work == wanted
        learnt = self._main.size_samples_seen >= CHOOSE_SAMPLES
        if self._main_px != WORK_WIDTH or restored or (learnt and self._main.people_small):
            why = (
                "its person size restored was learnt at it"
                if restored
                else f"the counting area asks for it (people counted at {self._main_px} px)"
            )
            log.info("counted at %d px from now: %s", wanted, why)
            self.released += self._main.flush()
            self._main, self._main_px = self._scale(wanted), wanted
        elif not learnt:
            self._fine, self._fine_px, self._choosing = self._scale(wanted), wanted, 0
            self._from_start = self.frames == 0
            log.info(
                "the counting area is %.0f %% of the picture: an analysis at %d px runs beside"
                " the usual one until the person size is learnt",
                100 * AREA_SHARE * WORK_WIDTH / wanted,
                wanted,
            )

    def _scale(self, width: int) -> ScaleAnalyzer:
        """A new analysis at `width` px, at the source's rate, from a restart's samples if they
        were learnt at that width."""
        detector = ForegroundDetector(self._params, width) if width != WORK_WIDTH else None
        analyzer = ScaleAnalyzer(self._params, detector, in_order=self._in_order)
        if self._fps is not None:
            analyzer.set_fps(self._fps)
        analyzer.restore_size(self._samples)
        return analyzer

    def analyse(self, frame: Frame) -> list[Passage]:
        """Detect, track and count one frame at the analysis width(s) of now."""
        width = frame.image.shape[1]
        if width != self._frame_w:
            self._frame_w = width
            self._follow()
        released, self.released = self.released, []
        self.frames += 1
        passages = self._main.process(frame)
        if self._fine is None:
            return released + passages
        self._choosing += 1
        self._held[0].extend(passages)
        self._held[1].extend(self._fine.process(replace(frame, image=frame.image.copy())))
        fps = self._fps or NOMINAL_FPS
        main = self._main
        if choice_due(main.size_samples_seen, main.learnt_share, self._choosing, fps):
            return released + self._choose()
        return released

    def flush(self) -> list[Passage]:
        """End of stream (`ScaleAnalyzer.flush`): the width is chosen if it was not yet."""
        released, self.released = self.released, []
        if self._fine is None:
            return released + self._main.flush()
        self._held[0].extend(self._main.flush())
        self._held[1].extend(self._fine.flush())
        return released + self._choose()

    def waiting_before(self, index: int) -> list[Passage]:
        """The passages that wait for the width to be chosen and crossed before frame `index`,
        chosen now (this analysis is left at a cut to another view: those of before the cut go
        on, as chosen at the end of a stream)."""
        chosen = self._choose() if self._fine is not None else []
        return [p for p in chosen if (p.frame or 0) < index]

    def picture_cut(self, checking: bool) -> None:
        """The next frame is a cut (`ScaleAnalyzer.picture_cut`)."""
        for analyzer in self._both():
            analyzer.picture_cut(checking)

    def view_checked(self) -> None:
        """The view after a cut is checked and this analysis goes on
        (`ScaleAnalyzer.view_checked`)."""
        for analyzer in self._both():
            analyzer.view_checked()

    def size_samples(self) -> SizeSamples | None:
        """What the person-size learner has seen (`ScaleAnalyzer.size_samples`)."""
        return self._main.size_samples()

    def restore_size(self, samples: SizeSamples | None) -> None:
        """Start from an earlier run's samples (`ScaleAnalyzer.restore_size`)."""
        self._samples = samples
        for analyzer in self._both():
            analyzer.restore_size(samples)

    @property
    def main(self) -> ScaleAnalyzer:
        """The analysis counting goes on with (while the width is chosen: the usual one)."""
        return self._main

    @property
    def people_small(self) -> bool:
        """Whether people are learnt small for the analysis (`ScaleAnalyzer.people_small`); not
        while a finer analysis may yet be chosen."""
        return self._fine is None and self._main.people_small

    def _choose(self) -> list[Passage]:
        """Go on with the finer analysis if the first learnt people small, else the first;
        the passages the one kept counted so far."""
        main, fine = self._held
        if self._fine is not None and self._main.people_small:
            share = self._main.person_px / max(1, self._frame_w)
            log.info(
                "people are learnt %.1f %% of the picture at %d px: counted at %d px from"
                " %s on (the counting area is %.0f %% of the picture)",
                100 * share,
                WORK_WIDTH,
                self._fine_px,
                "the first frame" if self._from_start else "its setparams",
                100 * AREA_SHARE * WORK_WIDTH / self._fine_px,
            )
            self._main, self._main_px, main = self._fine, self._fine_px, fine
        elif self._fine is not None:
            log.info(
                "people are learnt %.1f %% of the picture: counted at %d px as usual",
                100 * self._main.person_px / max(1, self._frame_w),
                WORK_WIDTH,
            )
        self._fine, self._held = None, ([], [])
        return main

"""One counter's video analysis: detect -> track -> count, frame by frame.

    >>> analyzer = Analyzer(Params())
    >>> for frame in source:                     # doctest: +SKIP
    ...     ingest.add(analyzer.process(frame))
    >>> ingest.add(analyzer.flush())             # doctest: +SKIP

The counting area is given in `Params.Area` pixels (Width x Height); frames of another size get
the area scaled to them. `set_params` applies a setparams while running.
"""

from __future__ import annotations

import logging
import math
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from footfall.config import Params
from footfall.store.base import Passage
from footfall.vision.cuts import PictureWatch, broken, thumbnail
from footfall.vision.detect import Detector, ForegroundDetector
from footfall.vision.motion import NOMINAL_FPS
from footfall.vision.person import (
    AREA_SHARE,
    SMALL_PERSON_SHARE,
    WORK_WIDTH,
    work_width,
)
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
# A camera faster than ANALYSED_FPS_MAX is counted from every n-th frame (the fewest that bring
# it to that rate or under: 50 and 60 fps at 25 and 30). What the counter was measured at is
# 8-30 fps; at 60 fps a person moves a fraction of a flow pixel between frames, and the dense
# queues of the shared trams, motion-interpolated to 60 fps, counted 20, 10/1 and 0/23 (24, 16,
# 0/27 at 25 fps); from every other frame 22, 17 and 0/27, as at 30 fps (the bus 7/7 in all).
# A public walkway clip at 60 fps (docs/vision.md, "Frame rates") 12/10 for 14/10 so (15/11
# analysed whole). It halves the work, too.
ANALYSED_FPS_MAX = 35.0
# A stream slower than SLOW_FPS is counted as it comes, but people cross a band about a person
# deep between two frames and the tracks jump: the shared clips count 0.87 on average at 5 fps
# and 0.76 at 2-3 fps (0.97 at 8-15 fps), our synthetic scenes 59 / 23 passages off of 351 at 5
# fps (learning the size / told it) and 91 / 62 at 3 fps, against 67 / 7 at 7.5 fps
# (docs/vision.md, "Frame rates and the motion difference"). `count`, `eval` and the status say so.
SLOW_FPS = 10.0


def analysed_stride(fps: float) -> int:
    """Every how many frames one is analysed: a camera faster than ANALYSED_FPS_MAX is counted
    from every n-th frame."""
    return max(1, math.ceil(fps / ANALYSED_FPS_MAX - 1e-9)) if fps > 0 else 1


def too_slow(fps: float) -> bool:
    """Whether frames at this rate (per second; 0: unknown) come too far apart to count well:
    under SLOW_FPS."""
    return 0.0 < fps < SLOW_FPS


def slow_sentence(fps: float) -> str:
    """What to tell of a stream at `fps` that is `too_slow`."""
    return (
        f"frames come at {fps:.1f} fps: under {SLOW_FPS:.0f} fps people cross the counting area"
        " between two frames and are missed or counted twice now and then; stream or record at"
        f" {SLOW_FPS:.0f} fps or more (README, 'Where the counter is weak')"
    )


def choice_due(samples: int, share: float, frames: int, fps: float) -> bool:
    """Whether the analysis width can be chosen now: the first analysis's person size rests on
    CHOOSE_SAMPLES samples and its share of the picture (`share`) is CHOOSE_MARGIN or more from
    SMALL_PERSON_SHARE, or its size is held, or `frames` have been counted for CHOOSE_MAX_S."""
    if samples >= SIZE_WINDOW or frames >= CHOOSE_MAX_S * fps:
        return True
    return samples >= CHOOSE_SAMPLES and abs(share - SMALL_PERSON_SHARE) >= CHOOSE_MARGIN


class Analyzer:
    """Counts passages in a stream of frames for one set of params (a `ScaleAnalyzer`), at the
    analysis width that suits its people.

    The foreground detector analyses frames 160 px wide (WORK_WIDTH), where people of the
    shared clips are 14-19 px and the person-size learner is right; from higher up they are
    fewer pixels, learnt too small, and a crowded doorway is over-counted (docs/vision.md,
    "Another scale"). Where the counting area is narrower than a third of the picture, a second
    `ScaleAnalyzer` counts from the first frame at the width that keeps the area a third of 160
    px (`work_width`), until the first one's person size rests on CHOOSE_SAMPLES samples (more
    while its share is too near the line to call: `choice_due`): if it
    is under SMALL_PERSON_SHARE of the picture, the finer one goes on, with its passages so far,
    else the first one (a narrow area drawn over people of the usual size: analysed finer, they
    were learnt too large, and tram 04 counted 0/7 for 0/24 on a fifth of the picture). The
    passages of that time wait for the choice, as they wait for the size (`EarlyHold`). A
    detector given, or `Counter.AutoSize` 0 (the size is told): one width.

    The choice follows the counting area (`_follow`): a setparams that narrows it later (an
    installer drawing the doorway on a running counter) chooses then, at once if the size is
    learnt; one that widens or moves it while people are counted finer goes to the width it
    gives; a restart goes on at the width its restored size samples were learnt at.

    Each frame waits for the next before it is analysed, to be told a picture, blank, broken,
    settling or a cut (`vision/cuts.py`); after a cut a fresh analysis counts beside this one
    until the view is checked, and goes on in its place if the view is another
    (`_view_checked`)."""

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
        self._stride = 1  # every how many frames one is analysed (`analysed_stride`)
        self._given = 0  # frames given since the last analysed one
        self._samples: SizeSamples | None = None  # restored at a restart
        self._frames = 0  # frames counted
        self._choosing = 0  # frames counted while choosing
        self._frame_w = 0  # the frames' width
        self._from_start = True  # the choice began at the first frame (not at a setparams)
        self._released: list[Passage] = []  # passages of an analysis that ended, to hand on
        self._watch = PictureWatch()  # cuts and frames without a picture (`vision/cuts.py`)
        self._blank_since: int | None = None  # the index of the first frame of a blank stretch
        # Each frame waits for the next (`process`): a broken one is known by the picture
        # going back after it (`vision/cuts.py`, `broken`).
        self._ahead: tuple[Frame, npt.NDArray[np.uint8]] | None = None
        self._before: npt.NDArray[np.uint8] | None = None  # the last frame taken's thumbnail
        self.taken_index: int | None = None  # the frame `tracks` are of (one behind: `process`)
        self._broken = 0
        self._cut_next = False  # the next frame analysed comes after a cut
        # After a cut, until the view is checked, a fresh analysis (its person size learnt from
        # nothing) counts beside this one: another view goes on with it (`_view_checked`).
        self._fresh: Analyzer | None = None
        self._fresh_passages: list[Passage] = []
        self._cut_index = 0  # the index of the frame the picture was last cut at

    def _both(self) -> list[ScaleAnalyzer]:
        return [self._main] if self._fine is None else [self._main, self._fine]

    def set_fps(self, fps: float) -> None:
        """Frame rate of the source (`ScaleAnalyzer.set_fps`, told the rate analysed)."""
        self._stride = analysed_stride(fps)
        self._fps = fps / self._stride
        for analyzer in self._both():
            analyzer.set_fps(self._fps)
        if self._fresh is not None:
            self._fresh.set_fps(self._fps)

    def set_params(self, params: Params) -> None:
        """New params from a setparams (`ScaleAnalyzer.set_params`); the analysis width follows
        the counting area (`_follow`)."""
        self._params = params
        for analyzer in self._both():
            analyzer.set_params(params)
        if self._frame_w:
            self._follow()
        if self._fresh is not None:
            self._fresh.set_params(params)

    def _wanted(self) -> int:
        """The analysis width the counting area asks for (WORK_WIDTH when the width is fixed)."""
        if self._fixed or not self._params.Counter.AutoSize:
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
            self._released += self._held[0]
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
            self._released += self._main.flush()
            self._main, self._main_px = self._scale(wanted), wanted
        elif not learnt:
            self._fine, self._fine_px, self._choosing = self._scale(wanted), wanted, 0
            self._from_start = self._frames == 0
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

    def process(self, frame: Frame) -> list[Passage]:
        """Detect, track and count one frame (`ScaleAnalyzer.process`); of a fast camera, one
        frame in `analysed_stride` (a cut always, counting from it)."""
        if self._stride > 1 and not frame.cut:
            self._given += 1
            if self._given < self._stride and (self._frames or self._ahead is not None):
                return []
        self._given = 0
        thumb = thumbnail(frame.image)
        ahead, self._ahead = self._ahead, (frame, thumb)
        if ahead is None:
            return []
        held, held_thumb = ahead
        before = self._before
        if before is not None and not frame.cut and broken(before, held_thumb, thumb):
            self._broken += 1
            log.debug("frame %d is broken (the picture went back after it): skipped", held.index)
            return []
        return self._take(held, held_thumb, thumb)

    def _take(
        self,
        frame: Frame,
        thumb: npt.NDArray[np.uint8],
        after: npt.NDArray[np.uint8] | None = None,
    ) -> list[Passage]:
        """Look at a frame the next one (`after`'s thumbnail; None at the end of a stream) has
        vouched for (`_look`) and analyse it if it is to be."""
        self._before, self.taken_index = thumb, frame.index
        looked = self._look(frame, thumb, after)
        return self._analyse(looked) if looked is not None else []

    def _analyse(self, frame: Frame) -> list[Passage]:
        """Detect, track and count one frame at the analysis width(s) of now (and by the fresh
        analysis after a cut)."""
        if self._fresh is not None:
            self._fresh_passages += self._fresh._analyse(replace(frame, image=frame.image.copy()))
        width = frame.image.shape[1]
        if width != self._frame_w:
            self._frame_w = width
            self._follow()
        released, self._released = self._released, []
        self._frames += 1
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

    def _look(
        self, frame: Frame, thumb: npt.NDArray[np.uint8], after: npt.NDArray[np.uint8] | None
    ) -> Frame | None:
        """The frame to analyse (`vision/cuts.py`): None for one without a picture (skipped, as
        if it never came) or while a stream starts and its picture's level still moves to the
        next frame's; the first after a cut marked `cut` (the stream before it ends there, the
        background model starts again from it)."""
        seen = self._watch.see(frame.image, thumb, after)
        if seen == "blank":
            if self._blank_since is None:
                self._blank_since = frame.index
                log.info(
                    "frame %d shows no picture (black or one colour): skipped until one comes",
                    frame.index,
                )
            return None
        if self._blank_since is not None:
            log.info("frames %d to %d showed no picture", self._blank_since, frame.index - 1)
            self._blank_since = None
        if self._watch.view is not None:
            self._view_checked(self._watch.view == "changed")
        if seen == "cut":
            log.info(
                "the picture was cut at frame %d: counted as a new stream from it", frame.index
            )
            checking = self._watch.checking  # (not at a stream's first pictures: no view yet)
            for analyzer in self._both():
                analyzer.picture_cut(checking)
            self._cut_next = True
            self._fresh = self._afresh() if checking else None
            self._fresh_passages, self._cut_index = [], frame.index
        if seen == "settling" or not self._watch.started:
            return None
        if self._cut_next:
            self._cut_next = False
            return replace(frame, cut=True)
        return frame

    @property
    def analysed(self) -> bool:
        """Whether a frame has been analysed yet (each waits for the next: `process`)."""
        return self._frames > 0

    @property
    def blank(self) -> bool:
        """Whether the last frame analysed had no picture (a camera showing black)."""
        return self._blank_since is not None

    @property
    def blank_frames(self) -> int:
        """How many frames analysed had no picture and were skipped (`vision/cuts.py`)."""
        return self._watch.blank_frames

    @property
    def settling_frames(self) -> int:
        """How many frames were dropped while a stream started and its picture's level still
        moved (a fade-in, an exposure settling: `vision/cuts.py`)."""
        return self._watch.settling_frames

    @property
    def broken_frames(self) -> int:
        """How many frames were broken and skipped (`vision/cuts.py`, `broken`)."""
        return self._broken

    @property
    def cuts(self) -> int:
        """How many times the picture was cut (`vision/cuts.py`)."""
        return self._watch.cuts

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

    def _afresh(self) -> Analyzer | None:
        """A fresh analysis to count beside this one from a cut until the view after it is
        checked (None where the person size is not learnt: a detector given, or told)."""
        if self._fixed or not self._params.Counter.AutoSize:
            return None
        fresh = Analyzer(self._params, in_order=self._in_order)
        if self._fps is not None:
            fresh.set_fps(self._fps)  # the rate analysed: every frame given is analysed
        return fresh

    def _view_checked(self, changed: bool) -> None:
        """The view after a cut is checked (`vision/cuts.py`): another view goes on with the
        fresh analysis, which has counted it from the cut learning its person size from
        nothing, as a counter started there would (the passages this one held since the cut,
        at the size of the view left, are dropped); the same view goes on with this one, its
        person size kept (and so does a detector given or told the size, whose person size
        does not come from the view)."""
        fresh, self._fresh = self._fresh, None
        passages, self._fresh_passages = self._fresh_passages, []
        if fresh is None or not changed:
            if changed:
                log.info("the view changed at the cut (the person size does not come from it)")
            for analyzer in self._both():
                analyzer.view_checked()
            return
        log.info("the view changed at the cut: counted from it with a person size learnt afresh")
        # the passages of before the cut that wait for this one's width to be chosen go on, as
        # chosen at the end of a stream; its passages since the cut are dropped
        chosen = self._choose() if self._fine is not None else []
        before = [p for p in chosen if (p.frame or 0) < self._cut_index]
        self._main, self._main_px = fresh._main, fresh._main_px
        self._fine, self._fine_px = fresh._fine, fresh._fine_px
        self._held, self._choosing = fresh._held, fresh._choosing
        self._from_start = fresh._from_start
        self._frames, self._frame_w, self._samples = fresh._frames, fresh._frame_w, None
        self._released += before + fresh._released + passages

    def flush(self) -> list[Passage]:
        """End of stream (`ScaleAnalyzer.flush`), the frame waiting for the next taken first; a
        view not checked yet since a cut is checked at its last picture."""
        last = self._take(*self._ahead) if self._ahead is not None else []
        self._ahead, self._before = None, None
        view = self._watch.view_now()
        if view is not None:
            self._view_checked(view == "changed")
        return last + self._flush()

    def _flush(self) -> list[Passage]:
        released, self._released = self._released, []
        if self._fine is None:
            return released + self._main.flush()
        self._held[0].extend(self._main.flush())
        self._held[1].extend(self._fine.flush())
        return released + self._choose()

    def size_samples(self) -> SizeSamples | None:
        """What the person-size learner has seen (`ScaleAnalyzer.size_samples`)."""
        return self._main.size_samples()

    def restore_size(self, samples: SizeSamples | None) -> None:
        """Start from an earlier run's samples (`ScaleAnalyzer.restore_size`)."""
        self._samples = samples
        for analyzer in self._both():
            analyzer.restore_size(samples)

    @property
    def size_learnt(self) -> bool:
        """Whether the person size is learnt (`ScaleAnalyzer.size_learnt`)."""
        return self._main.size_learnt

    @property
    def learns_size(self) -> bool:
        """Whether the person width comes from the overhead detector's learner or from
        `Counter.Height` (not from a detector given, whose boxes are each person's own:
        `Counter.Height` and `Counter.AutoSize` then tell it nothing)."""
        return not self._fixed

    @property
    def size_held(self) -> bool:
        """Whether the learnt person size is held (`ScaleAnalyzer.size_held`)."""
        return self._main.size_held

    @property
    def shaking(self) -> bool:
        """Whether the camera shakes (`ScaleAnalyzer.shaking`)."""
        return self._main.shaking

    @property
    def blocky(self) -> bool:
        """Whether the picture is heavily compressed (`ScaleAnalyzer.blocky`)."""
        return self._main.blocky

    @property
    def person_px(self) -> float:
        """The person width counting uses now (`ScaleAnalyzer.person_px`)."""
        return self._main.person_px

    @property
    def tracks(self) -> list[tuple[int, float, float]]:
        """(id, x, y) of every live track (`ScaleAnalyzer.tracks`)."""
        return self._main.tracks

    @property
    def analysed_width(self) -> float:
        """The width of the frames analysed at WORK_WIDTH px (`ScaleAnalyzer.analysed_width`)."""
        return self._main.analysed_width

    @property
    def people_small(self) -> bool:
        """Whether people are learnt small for the analysis (`ScaleAnalyzer.people_small`); not
        while a finer analysis may yet be chosen."""
        return self._fine is None and self._main.people_small

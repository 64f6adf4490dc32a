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
from footfall.vision.detect import Detector
from footfall.vision.sizestate import SizeSamples
from footfall.vision.types import Frame
from footfall.vision.widths import WidthAnalysis

log = logging.getLogger(__name__)

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


class Analyzer:
    """Counts passages in a stream of frames for one set of params, at the analysis width that
    suits its people (`WidthAnalysis`, vision/widths.py).

    Each frame waits for the next before it is analysed, to be told a picture, blank, broken,
    settling or a cut (`vision/cuts.py`); after a cut a fresh analysis counts beside this one
    until the view is checked, and goes on in its place if the view is another
    (`_view_checked`). A camera faster than ANALYSED_FPS_MAX is counted from every n-th frame."""

    def __init__(
        self, params: Params, detector: Detector | None = None, *, in_order: bool = True
    ) -> None:
        """`in_order`: as `ScaleAnalyzer`'s."""
        self._analysis = WidthAnalysis(params, detector, in_order=in_order)
        self._stride = 1  # every how many frames one is analysed (`analysed_stride`)
        self._given = 0  # frames given since the last analysed one
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
        self._fresh: WidthAnalysis | None = None
        self._fresh_passages: list[Passage] = []
        self._cut_index = 0  # the index of the frame the picture was last cut at

    def set_fps(self, fps: float) -> None:
        """Frame rate of the source (`ScaleAnalyzer.set_fps`, told the rate analysed)."""
        self._stride = analysed_stride(fps)
        for analysis in self._analyses():
            analysis.set_fps(fps / self._stride)

    def set_params(self, params: Params) -> None:
        """New params from a setparams (`WidthAnalysis.set_params`)."""
        for analysis in self._analyses():
            analysis.set_params(params)

    def _analyses(self) -> list[WidthAnalysis]:
        """The analysis, and the fresh one beside it after a cut."""
        return [self._analysis] if self._fresh is None else [self._analysis, self._fresh]

    def process(self, frame: Frame) -> list[Passage]:
        """Detect, track and count one frame (`ScaleAnalyzer.process`); of a fast camera, one
        frame in `analysed_stride` (a cut always, counting from it)."""
        if self._stride > 1 and not frame.cut:
            self._given += 1
            if self._given < self._stride and (self.analysed or self._ahead is not None):
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
        vouched for (`_look`) and analyse it if it is to be (by the fresh analysis too, after a
        cut)."""
        self._before, self.taken_index = thumb, frame.index
        looked = self._look(frame, thumb, after)
        if looked is None:
            return []
        if self._fresh is not None:
            copy = replace(looked, image=looked.image.copy())
            self._fresh_passages += self._fresh.analyse(copy)
        return self._analysis.analyse(looked)

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
            self._analysis.picture_cut(checking)
            self._cut_next = True
            self._fresh = self._analysis.fresh() if checking else None
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
        return self._analysis.frames > 0

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
            self._analysis.view_checked()
            return
        log.info("the view changed at the cut: counted from it with a person size learnt afresh")
        left = self._analysis
        before = left.waiting_before(self._cut_index)
        fresh.released = left.released + before + fresh.released + passages
        self._analysis = fresh

    def flush(self) -> list[Passage]:
        """End of stream (`WidthAnalysis.flush`), the frame waiting for the next taken first; a
        view not checked yet since a cut is checked at its last picture."""
        last = self._take(*self._ahead) if self._ahead is not None else []
        self._ahead, self._before = None, None
        view = self._watch.view_now()
        if view is not None:
            self._view_checked(view == "changed")
        return last + self._analysis.flush()

    def size_samples(self) -> SizeSamples | None:
        """What the person-size learner has seen (`ScaleAnalyzer.size_samples`)."""
        return self._analysis.size_samples()

    def restore_size(self, samples: SizeSamples | None) -> None:
        """Start from an earlier run's samples (`ScaleAnalyzer.restore_size`)."""
        self._analysis.restore_size(samples)

    @property
    def size_learnt(self) -> bool:
        """Whether the person size is learnt (`ScaleAnalyzer.size_learnt`)."""
        return self._analysis.main.size_learnt

    @property
    def learns_size(self) -> bool:
        """Whether the person width is learnt or told (`WidthAnalysis.learns_size`)."""
        return self._analysis.learns_size

    @property
    def size_held(self) -> bool:
        """Whether the learnt person size is held (`ScaleAnalyzer.size_held`)."""
        return self._analysis.main.size_held

    @property
    def shaking(self) -> bool:
        """Whether the camera shakes (`ScaleAnalyzer.shaking`)."""
        return self._analysis.main.shaking

    @property
    def blocky(self) -> bool:
        """Whether the picture is heavily compressed (`ScaleAnalyzer.blocky`)."""
        return self._analysis.main.blocky

    @property
    def person_px(self) -> float:
        """The person width counting uses now (`ScaleAnalyzer.person_px`)."""
        return self._analysis.main.person_px

    @property
    def tracks(self) -> list[tuple[int, float, float]]:
        """(id, x, y) of every live track (`ScaleAnalyzer.tracks`)."""
        return self._analysis.main.tracks

    @property
    def analysed_width(self) -> float:
        """The width of the frames analysed at WORK_WIDTH px (`ScaleAnalyzer.analysed_width`)."""
        return self._analysis.main.analysed_width

    @property
    def people_small(self) -> bool:
        """Whether people are learnt small for the analysis (`WidthAnalysis.people_small`)."""
        return self._analysis.people_small

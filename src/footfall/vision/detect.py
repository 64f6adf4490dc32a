"""People from an overhead camera without any model file: foreground blobs and a person-size model.

`ForegroundDetector` downsizes each frame to about `WORK_WIDTH` px, separates moving foreground
from the background with OpenCV's MOG2 or'd with the difference from the image 0.08 s back
(`vision/motion.py`), starts the background again where a queue arrives at once, a light turns
or the camera is knocked, cleans the mask, and labels its blobs. The person width starts from
the mounting height, lens and shoulder width (`vision/person.py`) and is learnt from the blobs
near the counting area (`vision/sizelearn.py`); it says how many people a blob holds, and a blob
of several is split into that many (`vision/blobs.py`).

    >>> det = ForegroundDetector(Params())
    >>> det.detect(frame)            # doctest: +SKIP
    Detections(boxes=..., scores=...)
"""

from __future__ import annotations

import math
from collections import deque
from datetime import datetime
from typing import Protocol

import cv2
import numpy as np
import numpy.typing as npt

from footfall.config import Params
from footfall.vision.blobs import (
    MIN_BLOB_FRACTION,
    PERSON_AREA_FACTOR,
    people_in_blob,
    split_blob,
)
from footfall.vision.blocking import BLOCKY_VAR_MIN, MOG2_VAR_MIN, BlockWatch
from footfall.vision.light import light_gain, moved_light
from footfall.vision.motion import (
    MOG2_THRESHOLD,
    MOTION_LAG_S,
    NOMINAL_FPS,
    QUIET_PERSON,
    SOURCE_GAPS,
    background_rate,
    frames_back,
    level_to,
    mog2_history,
    motion_reference,
    motion_span,
    source_interval,
)
from footfall.vision.person import (
    WORK_WIDTH,
    band_px,
    person_width_px,
    reference_width_px,
    sizing,
)
from footfall.vision.shrink import shrink
from footfall.vision.sizelearn import (
    SIZE_CLAMP,
    SIZE_MARGIN_BANDS,
    SIZE_MIN_SAMPLES,
    SizeLearner,
)
from footfall.vision.sizestate import SizeSamples
from footfall.vision.support import FlowSupport
from footfall.vision.types import Detections, Frame

# A background model that knows the bare floor sees a queue arriving all at once (a door
# opening on it) as solid blobs, several people each, and the size learnt from them is a fifth
# too large (the tram clips after 1 s of their empty doorway: 14 / 16 / 14 people for 23 / ~19 /
# ~28); the model that has just seen a queue and then an empty doorway for a while has drifted
# too (later passes of a long run: 0.909 for 0.967). Once the doorway has been empty and still
# for BARE_S, a change over SCENE_CHANGE of the size window at once starts the model again from
# that frame, as if the counter had been switched on with the queue there, and the person size
# is learnt afresh with it (an analyzer holds passages until it is). People walking in one by
# one change far less at once (the bus's first: 2 % of the window; the trams' queues 34-52 %).
BARE_S = 0.5
SCENE_CHANGE = 0.2
# The mask's closing follows the person size, about a quarter of it (`_set_close`). The size
# is learnt from the closed mask, so the two make a loop, and where the mask is torn (a queue
# whose clothes match the floor: `SizeLearner.torn`) a size under 14 work px, closed by 3 px,
# is a resting point of its own: the torn bodies stay in thinner blobs, which teach a smaller
# size still. Tram 02 counted from its 1st or 2nd second learnt 27-32 px there and counted
# 27-33 for ~22. A torn mask is closed by at least CLOSE_MIN_TORN_PX once the size is learnt:
# 22-25, every start of every clip 0.872 -> 0.900 (bench_starts), bench_robustness 0.9155 ->
# 0.9172 (the tone columns 0.47-0.64 -> 0.66-0.72), tram 03 from its first frame 18 -> 16 (ours
# ~19; counted from 0.4 s on, within one of before). Clean masks keep 3 px: small people seen
# whole (the synthetic scenes from 520 cm, 10 work px wide) closed by 5 counted a scene wrong.
CLOSE_MIN_TORN_PX = 5
# BARE_LIGHT: a light switched on or dimmed over seconds (shop lights at opening, an exposure
# that follows the daylight) changes an empty doorway too slowly for SCENE_CHANGE, yet faster
# than the model learns, above all at QUIET_SLOWDOWN: the whole picture turned foreground and
# the bus with +30 % over 2 s before its first passenger counted 12/7 for 7/7. Foreground that
# appears where nothing has moved since the doorway was last bare, over a picture whose
# brightness moved from that bare one's as a light moves it (`vision/light.py`), starts the
# model again from that frame; the person size is kept (people did not change), and nothing
# of that foreground sets it.
KNOCK_FRAMES = 30  # size samples of this many frames back can be dropped (`camera_moved`)
BARE_WAKE = 0.03  # the brightness moved this much from the bare doorway's: the light changed
MOTION_THRESHOLD = 12  # grey levels
# A light that beats (`level_to` at work in LIGHT_SHARE of the last second's frames, as a 10 %
# beat at 5 Hz is in four of five; an exposure step is in one or two) also swells the background
# model's foreground, and the learnt size with it (tram 02 45 px for 32.6): its threshold is
# raised LIGHT_VAR times meanwhile (the trams under the beat 13, 13, 0/25 -> 20, 21, 0/27).
LIGHT_VAR = 4.0
LIGHT_SHARE = 0.3


class Detector(Protocol):
    """Anything that finds people in a frame."""

    def detect(self, frame: Frame) -> Detections:
        """People in this frame, boxes in the frame's pixels."""
        ...


class ForegroundDetector:
    """Detector for overhead views: MOG2 foreground, blobs, person-size splitting."""

    def __init__(self, params: Params, work_px: int = WORK_WIDTH) -> None:
        """`work_px`: the analysis width (frames narrower are analysed at their own)."""
        self._params = params
        self._work_px = work_px
        self._bg = cv2.createBackgroundSubtractorMOG2(
            history=mog2_history(NOMINAL_FPS), varThreshold=MOG2_THRESHOLD
        )
        self._shape: tuple[int, int] | None = None  # (width, height) of the source frames
        self._work: tuple[int, int] = (WORK_WIDTH, WORK_WIDTH * 3 // 4)
        self._kernel = np.ones((3, 3), np.uint8)
        self._close = self._kernel
        self._span = motion_span(NOMINAL_FPS)
        self._recent: deque[npt.NDArray[np.uint8]] = deque(maxlen=math.floor(self._span) + 2)
        self._times: deque[datetime | None] = deque(maxlen=self._recent.maxlen)
        self._gaps: deque[float] = deque(maxlen=SOURCE_GAPS)  # seconds between recent frames
        self._light_moves: deque[bool] = deque(maxlen=round(NOMINAL_FPS))  # levelled or not
        self._sizes = SizeLearner()
        self._blocks = BlockWatch()  # a heavily compressed picture: MOG2's variance floor
        self._support = FlowSupport()  # where the optical flow is the people's own
        self._prior_px = 1.0
        self._reference_px = reference_width_px(WORK_WIDTH)
        self.person_px = 1.0  # person width in work pixels
        self.last_mask: npt.NDArray[np.uint8] | None = None
        self._fps = NOMINAL_FPS
        self._model_frames = 0  # frames the background model has seen
        self._still_frames = 0  # frames in a row with the doorway empty and still
        self._restored: SizeSamples | None = None  # an earlier run's samples, for the first frame
        self._bare_gray: npt.NDArray[np.uint8] | None = None  # the doorway when last bare
        self._taken_bare = (0, 0)  # and when the doorway was last bare
        self._taken_recent: deque[tuple[int, int]] = deque(maxlen=KNOCK_FRAMES)  # per frame
        self._restart = False  # start the background model again at the next frame
        self._view_unsure = False  # cut, and the view after it not checked yet (`view_checked`)
        self._frames_seen = 0
        self._bare_at = -(10**9)  # `_frames_seen` when the doorway was last bare

    def set_fps(self, fps: float) -> None:
        """Frame rate of the source: motion is differenced over a fixed time, not frame count."""
        if fps > 0:
            self._fps = fps
            self._bg.setHistory(mog2_history(fps))
            self._span = motion_span(fps)
            self._keep(self._span)
            self._sizes.set_fps(fps)

    def _keep(self, span: float) -> None:
        """Keep enough recent frames for a motion difference `span` frames back."""
        keep = math.floor(span) + 2
        if keep != self._recent.maxlen:
            self._recent = deque(self._recent, maxlen=keep)
            self._times = deque(self._times, maxlen=keep)

    def set_params(self, params: Params) -> None:
        """New params from a setparams: the area is followed from the next frame; the person
        size starts afresh only when the mounting height, lens, shoulder width or learning
        changed (any other setparams, an alarm switched on, kept it: it went back to the
        mounting-height guess and the people after it were cut in pieces)."""
        changed = sizing(params) != sizing(self._params)
        self._params = params
        if changed and self._shape is not None:
            self._size(*self._shape)

    def _size(self, width: int, height: int) -> None:
        self._shape = (width, height)
        self._set_work(width, height)
        c = self._params.Counter
        self._prior_px = person_width_px(self._work[0], c.Height, c.FieldOfView, c.PersonWidth)
        self._learn_afresh()
        restored, self._restored = self._restored, None
        if (
            restored is not None
            and restored.sizing == sizing(self._params)
            and restored.frame == self._shape
            and restored.work == self._work[0]
            and len(restored.thickness) >= SIZE_MIN_SAMPLES
            and self._params.Counter.AutoSize
        ):
            self._sizes.extend(restored, self._work[0])
            self._set_learnt()

    def _set_work(self, width: int, height: int) -> None:
        """Analyse frames of `width` x `height` at the analysis width (at most WORK_WIDTH wider
        than the frame: never enlarged beyond it): a new size starts the background model and
        the motion difference afresh (MOG2 itself starts again on frames of another size)."""
        work_w = min(self._work_px, max(WORK_WIDTH, width))
        work = (work_w, max(8, round(height * work_w / width)))
        if work != self._work:
            self._forget_motion()
            self._model_frames = 0
            self._still_frames = 0
            self.last_mask = None
        self._work = work

    def _learn_afresh(self) -> None:
        """Drop the size samples: the person size is the mounting-height guess until learnt;
        learning, the closing starts from the default sizing's width (`reference_width_px`)."""
        self._sizes.forget()
        self._size_from_samples()

    def _size_from_samples(self) -> None:
        """The person size the samples kept say: learnt from them if there are enough, else the
        mounting-height guess, the closing then from the default sizing's width."""
        if self._sizes.learnt:
            self._set_learnt()
            return
        self._set_person(self._prior_px)
        if self._params.Counter.AutoSize:
            self._set_close(self._reference_px)

    def _set_person(self, width_px: float) -> None:
        self.person_px = width_px
        self._set_close(width_px)

    def _set_close(self, width_px: float) -> None:
        """The mask's closing: an ellipse about a quarter of a person wide (odd, 3 px or more;
        CLOSE_MIN_TORN_PX or more once the size is learnt from a torn mask)."""
        least = CLOSE_MIN_TORN_PX if self._sizes.learnt and self._sizes.torn else 3
        close = max(least, round(width_px / 4) | 1)
        shape = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (close, close))
        self._close = np.asarray(shape, np.uint8)

    def _size_window(self) -> tuple[slice, slice]:
        """Rows and columns (work pixels) around the counting area, where size is learnt."""
        a = self._params.Area
        sx, sy = self._work[0] / a.Width, self._work[1] / a.Height
        band = band_px(a.YLast - a.YFirst, a.Width, a.Height)
        margin = SIZE_MARGIN_BANDS * band
        rows = slice(max(0, int((a.YFirst - margin) * sy)), int((a.YLast + margin) * sy) + 1)
        return rows, slice(max(0, int(a.Left * sx)), int(a.Right * sx) + 1)

    def _learn_size(
        self, fg: npt.NDArray[np.uint8], window: tuple[slice, slice], opened: npt.NDArray[np.uint8]
    ) -> None:
        """A size sample of this frame's mask near the counting area (`SizeLearner.sample`),
        while learning, and the size it says when one is due."""
        if not self._params.Counter.AutoSize or self.size_settled:
            return
        if self._sizes.sample(fg, window, opened):
            self._set_learnt()

    def _set_learnt(self) -> None:
        """The person size the samples say (`SizeLearner.size`), within SIZE_CLAMP of the
        mounting-height guess (or of the default's, whichever allows more)."""
        guesses = (self._prior_px, self._reference_px)
        lo, hi = SIZE_CLAMP[0] * min(guesses), SIZE_CLAMP[1] * max(guesses)
        self._set_person(self._sizes.size(lo, hi))

    def samples(self) -> SizeSamples | None:
        """What the size learner has seen (None before it has learnt a size), for a counter
        started again later to go on from (`restore`)."""
        if self._shape is None or not self._sizes.learnt:
            return None
        return self._sizes.kept(sizing(self._params), self._shape, self._work[0])

    def restore(self, samples: SizeSamples | None) -> None:
        """Go on from the samples of an earlier run, from the first frame on, if they were
        learnt with the same sizing params and frame size and at the same analysis width (else
        they are dropped and the size is learnt afresh): the person size is theirs at once, and
        new samples join them."""
        self._restored = samples
        if self._shape is not None:
            self._size(*self._shape)

    def _beating(self, moved: bool) -> bool:
        """Whether the light beats: the last second's frames were levelled (`moved`) in
        LIGHT_SHARE of them or more."""
        n = max(1, round(self._fps))
        if self._light_moves.maxlen != n:
            self._light_moves = deque(self._light_moves, maxlen=n)
        self._light_moves.append(moved)
        return len(self._light_moves) == n and sum(self._light_moves) >= LIGHT_SHARE * n

    def _still(
        self,
        fg: npt.NDArray[np.generic],
        moved: npt.NDArray[np.generic],
        window: tuple[slice, slice],
    ) -> bool:
        """Whether nothing moves and nothing stands out from the background in `window`."""
        nothing = QUIET_PERSON * PERSON_AREA_FACTOR * self.person_px**2
        return bool(
            np.count_nonzero(moved[window]) < nothing and np.count_nonzero(fg[window]) < nothing
        )

    def _scene_change(
        self,
        changed: npt.NDArray[np.generic],
        window: tuple[slice, slice],
    ) -> bool:
        """Whether, after BARE_S of empty and still doorway, SCENE_CHANGE of the window changed
        at once: a door opened on a queue, or the light changed (see BARE_S)."""
        near = changed[window]
        return bool(
            self._still_frames >= BARE_S * self._fps
            and np.count_nonzero(near) >= SCENE_CHANGE * near.size
        )

    def _light_turned(
        self,
        gray: npt.NDArray[np.uint8],
        moved: npt.NDArray[np.generic],
        still: bool,
        window: tuple[slice, slice],
    ) -> bool:
        """Whether the light changed over an empty doorway (BARE_LIGHT): foreground appeared
        with nothing moving since the doorway was last bare, and the picture's brightness moved
        from that bare frame's as a light moves it (`moved_light`)."""
        if still:
            if self._still_frames + 1 >= BARE_S * self._fps:
                self._bare_gray, self._taken_bare = gray, self._sizes.taken
                self._bare_at = self._frames_seen
            return False
        nothing = QUIET_PERSON * PERSON_AREA_FACTOR * self.person_px**2
        if np.count_nonzero(moved[window]) >= nothing:
            self._bare_gray = None  # someone moves: the doorway is no longer bare
            return False
        if self._bare_gray is None:
            return False
        gain = light_gain(self._bare_gray, gray)
        if not moved_light(gain, BARE_WAKE):
            return False
        self._bare_gray = gray
        self._drop_samples_since(self._taken_bare)
        self._taken_bare = self._sizes.taken
        return True

    def camera_moved(self, frames_ago: int) -> None:
        """The camera was knocked to a new aim `frames_ago` frames back (`Stabiliser.knocked`):
        if the doorway was bare then, the background model starts again from the next frame,
        and the size samples taken since the knock (edges the model saw move, not people) are
        dropped. With people in it the model learns the new view at its rate (started on a
        queue, tram 02 knocked by 4 px counted 19 for 23; left alone, 23)."""
        if self._frames_seen - self._bare_at > frames_ago + 1:
            return  # people in the doorway: a model started on them would count worse
        self._restart = True
        self._forget_motion()  # the motion is differenced from the new aim on, not across it
        back = min(frames_ago, len(self._taken_recent))
        if back:
            self._drop_samples_since(self._taken_recent[-back])

    def _forget_motion(self) -> None:
        """Drop the frames the motion is differenced against: it starts again from the next."""
        self._recent.clear()
        self._times.clear()

    def picture_cut(self, checking: bool) -> None:
        """The picture was cut (`vision/cuts.py`): the background model starts again from the
        next frame, as after a knock. The person size is kept; while the view after the cut is
        `checking`, passages wait until it is checked (`view_checked`; another view is counted by
        a fresh analysis: `Analyzer`)."""
        self._restart = True
        self._bare_gray = None
        self._view_unsure = checking

    def view_checked(self) -> None:
        """The view after a cut is checked and this detector goes on (the same view, or a size
        told): its size holds again. (Another view is counted by a fresh analysis: `Analyzer`.)"""
        self._view_unsure = False

    def _drop_samples_since(self, taken: tuple[int, int]) -> None:
        """Forget the size samples taken since `taken` (`SizeLearner.taken` then): the
        foreground a light made is no one's size. The size goes back to what is left."""
        self._sizes.drop_since(taken)
        self._size_from_samples()

    def _start_model_from(self, small: cv2.typing.MatLike) -> None:
        """The background model starts again from this (work-size) frame."""
        self._bg.apply(small, learningRate=1.0)  # >= 1: MOG2 starts again from this frame
        self._model_frames = 1

    @property
    def _work_scale(self) -> tuple[float, float]:
        """Work pixels per pixel of the source frames, across and down (after the first)."""
        assert self._shape is not None
        return self._work[0] / self._shape[0], self._work[1] / self._shape[1]

    def foreground_px2(self, x0: float, y0: float, x1: float, y1: float) -> float:
        """Foreground area of the last mask inside a rectangle of the source frames (px² of
        those frames; 0 before the first frame)."""
        mask = self.last_mask
        if mask is None or self._shape is None:
            return 0.0
        sx, sy = self._work_scale
        r0, r1 = max(0, math.floor(y0 * sy)), max(0, math.ceil(y1 * sy))
        c0, c1 = max(0, math.floor(x0 * sx)), max(0, math.ceil(x1 * sx))
        return float(np.count_nonzero(mask[r0:r1, c0:c1])) / (sx * sy)

    def flow_unsupported(self, points: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
        """Whether the optical flow at these (N,2) points of the source frames is made up: a
        featureless floor with no one near (`FlowSupport`)."""
        if self._shape is None:
            return np.zeros(len(points), np.bool_)
        sx, sy = self._work_scale
        cols = (points[:, 0] * sx).astype(np.intp)
        rows = (points[:, 1] * sy).astype(np.intp)
        return self._support.unsupported(rows, cols)

    @property
    def size_settled(self) -> bool:
        """Whether the size learner has its SIZE_WINDOW samples: the size is held from then on."""
        return self._sizes.settled

    @property
    def size_steady(self) -> bool:
        """Whether the learnt person size has stopped moving: it is learnt, within STEADY_CHANGE
        of the ones learnt before, or rests on STEADY_SAMPLES (`SizeLearner.steady_samples`;
        always, with AutoSize 0); not after a cut until the view is checked (`view_checked`)."""
        if not self._params.Counter.AutoSize:
            return True
        if self._view_unsure:  # the size may be another view's: passages wait for the check
            return False
        if len(self._sizes) >= self._sizes.steady_samples:
            return True
        return self.size_learnt and self._sizes.steady

    @property
    def size_samples_seen(self) -> int:
        """How many blob thicknesses the person size rests on now."""
        return len(self._sizes)

    @property
    def analysed_width(self) -> float:
        """The width of the source frames (px) analysed at WORK_WIDTH px: the frames' own, or
        less at a finer analysis (0 before the first frame)."""
        return self._shape[0] * WORK_WIDTH / self._work[0] if self._shape is not None else 0.0

    @property
    def frame_person_px(self) -> float:
        """The person width in pixels of the source frames (`person_px` is in work pixels)."""
        width = self._shape[0] if self._shape is not None else WORK_WIDTH
        return self.person_px * width / self._work[0]

    @property
    def size_learnt(self) -> bool:
        """Whether the person size comes from the footage yet (always, with AutoSize 0: then
        there is nothing to wait for)."""
        return not self._params.Counter.AutoSize or self._sizes.learnt

    def mask(
        self, image: npt.NDArray[np.uint8], when: datetime | None = None
    ) -> npt.NDArray[np.uint8]:
        """The cleaned foreground mask (0/255) of one frame taken at `when`, in work pixels."""
        h, w = image.shape[:2]
        if self._shape != (w, h):
            self._size(w, h)
            self._model_frames = 0  # MOG2 starts afresh on frames of another size
            self._blocks.reset()
        self._follow_blocks(image)
        small = shrink(image, self._work)
        window = self._size_window()  # around the counting area
        rate = background_rate(
            self._still_frames, self._model_frames, self._fps, self._bg.getHistory()
        )
        if self._restart:  # the camera was knocked, the picture cut: the model starts again
            rate, self._model_frames, self._restart = 1.0, 0, False
        fg = self._bg.apply(small, learningRate=rate)
        self._model_frames += 1
        self._frames_seen += 1
        self._taken_recent.append(self._sizes.taken)
        _, fg = cv2.threshold(fg, 200, 255, cv2.THRESH_BINARY)  # drop MOG2's shadow label (127)
        # MOG2 loses people in a crowd that was there from the start; motion finds them.
        gray = np.asarray(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), np.uint8)
        if when is not None and self._times and self._times[-1] is not None:
            self._gaps.append((when - self._times[-1]).total_seconds())
        interval = source_interval(self._gaps, self._fps)
        told = interval == 1.0 / self._fps
        by_count = self._span if told else MOTION_LAG_S / interval
        self._keep(max(self._span, by_count))
        self._recent.append(gray)
        self._times.append(when)
        span = frames_back(self._times, self._fps if told else 1.0 / interval) or by_count
        if len(self._recent) > math.ceil(span - 1e-6):
            reference = motion_reference(self._recent, span)
            levelled = level_to(reference, gray)
            self._bg.setVarThreshold(
                MOG2_THRESHOLD * (LIGHT_VAR if self._beating(levelled is not reference) else 1.0)
            )
            moved = cv2.absdiff(gray, levelled)
            _, moved = cv2.threshold(moved, MOTION_THRESHOLD, 255, cv2.THRESH_BINARY)
            still = self._still(fg, moved, window)
            fg = cv2.bitwise_or(fg, moved)
            if not still and self._scene_change(fg, window):
                self._start_model_from(small)
                # The size is learnt afresh with it, an earlier run's too (`restore`): over a
                # model started on the queue the old size counted tram 02 34 for 23, as a
                # counter restarted with a queue in the door does (bench_restart); afresh 23.
                self._learn_afresh()
            elif self._light_turned(gray, moved, still, window):
                self._start_model_from(small)  # the picture under the new light
                fg = moved  # what stood out was the light, not people
            self._still_frames = self._still_frames + 1 if still else 0
        opened = np.asarray(cv2.morphologyEx(fg, cv2.MORPH_OPEN, self._kernel), np.uint8)
        if cv2.countNonZero(opened):
            mask = np.asarray(cv2.morphologyEx(opened, cv2.MORPH_CLOSE, self._close), np.uint8)
            self._learn_size(mask, window, opened)
        else:  # an empty doorway: nothing to close, nothing to learn a size from
            mask = opened
        self._support.update(gray, mask, self.person_px)
        self.last_mask = mask
        return mask

    def _follow_blocks(self, image: npt.NDArray[np.uint8]) -> None:
        """MOG2's variance floor: raised while the picture is blocky (`vision/blocking.py`)."""
        floor = BLOCKY_VAR_MIN if self._blocks.update(image) else MOG2_VAR_MIN
        if self._bg.getVarMin() != floor:
            self._bg.setVarMin(floor)

    @property
    def blocky(self) -> bool:
        """Whether the picture is heavily compressed (8 x 8 blocks): `vision/blocking.py`."""
        return self._blocks.blocky

    def detect(self, frame: Frame) -> Detections:
        """People in this frame, boxes in the frame's pixels. After a cut (`Frame.cut`) the
        motion is differenced from this frame on, not across the cut; the background model
        learns on (the scene is the same doorway)."""
        if frame.cut:
            self._forget_motion()
        fg = self.mask(frame.image, frame.time)
        if not cv2.countNonZero(fg):
            return Detections.empty()
        _, labels, stats, middles = cv2.connectedComponentsWithStats(fg, connectivity=8)
        person_area = PERSON_AREA_FACTOR * self.person_px**2
        areas = stats[1:, cv2.CC_STAT_AREA]
        keep = np.flatnonzero(areas >= MIN_BLOB_FRACTION * person_area) + 1
        centres: list[npt.NDArray[np.float32]] = []
        for label in keep.tolist():
            x, y, bw, bh, area = (int(v) for v in stats[label])
            n = people_in_blob(area, person_area)
            if n == 1:  # one person: the blob's centroid, no pixel list needed
                centres.append(np.asarray(middles[label : label + 1], np.float32))
                continue
            ys, xs = np.nonzero(labels[y : y + bh, x : x + bw] == label)
            pts = np.stack([xs + x, ys + y], axis=1).astype(np.float32)
            centres.append(split_blob(pts, n))
        return self._boxes(centres)

    def _boxes(self, centres: list[npt.NDArray[np.float32]]) -> Detections:
        if not centres:
            return Detections.empty()
        assert self._shape is not None
        c = np.concatenate(centres, axis=0)
        scale = self._shape[0] / self._work[0]
        half = self.person_px / 2
        boxes = np.concatenate([c - half, c + half], axis=1) * scale
        return Detections(boxes.astype(np.float32), np.ones(len(c), np.float32))

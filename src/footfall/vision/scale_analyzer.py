"""One counter's video analysis at one analysis width: detect -> track -> count, frame by frame.

    >>> analyzer = ScaleAnalyzer(Params())
    >>> for frame in source:                     # doctest: +SKIP
    ...     ingest.add(analyzer.process(frame))
    >>> ingest.add(analyzer.flush())             # doctest: +SKIP

The counting area is given in `Params.Area` pixels (Width x Height); frames of another size get
the area scaled to them. `set_params` applies a setparams while running. `WidthAnalysis`
(`vision/widths.py`) runs one or two of these and keeps the width that suits the people.
"""

from __future__ import annotations

import logging
import math
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from footfall.config import Params
from footfall.counting.area import INSIDE, Area
from footfall.counting.counter import Counter, Crossing, FluxLedger, trailing_share
from footfall.counting.early import EarlyHold
from footfall.counting.lineslice import LineSlice
from footfall.counting.stamp import FrameTimes
from footfall.store.base import Passage
from footfall.vision.blobs import PERSON_AREA_FACTOR
from footfall.vision.detect import Detector, ForegroundDetector
from footfall.vision.motion import NOMINAL_FPS
from footfall.vision.person import (
    band_px,
    people_small,
    person_share,
    person_width_px,
    sizing,
)
from footfall.vision.sizelearn import SIZE_CLAMP
from footfall.vision.sizestate import SizeSamples
from footfall.vision.stabilise import Stabiliser
from footfall.vision.track import RIDING_FLOW_PX, MotionField, Tracker
from footfall.vision.types import Detections, Frame

log = logging.getLogger(__name__)


GATE_PERSON_WIDTHS = 0.6  # a track may move this many person widths between two frames
OCCLUSION_S = 0.5  # a track coasts through occlusions this long
HANDOFF_S = 10.0  # a person standing in the area this long is still followed by their origin
HANDOFF_PERSON_WIDTHS = 0.5  # a new track this close to where one ended takes over its origin
FLOW_MARGIN_PERSONS = 1.5  # flow is measured this many person widths around the area
# Area one person sweeps across the line, in units of their box's area: the overhead detector's
# boxes are a person width square, and a person seen from above sweeps 1.6 of it (shoulders and
# the motion smear of their step). A detector whose boxes are other says its own (`box_flux`: a
# network's hold a whole person, `netdetect.BOX_FLUX`). Taken as 1.6 of a width square there
# too, his height for a width, the walking man of tests/vision/walker.py was 0.3 of a person.
PERSON_FLUX = 1.6
FLUX_MIN_SPEED = 0.1  # flow px per frame; slower pixels are flow noise, not crossing
SLICE_WINDOW_S = 0.3  # motion across the line is netted per segment over windows this long
SLICE_SEGMENT_PERSONS = 1.0  # segment width along the line, in person widths
LEDGER_VETO = 0.1  # a tracked crossing with less motion than this (people) behind it is refused
# ... over this many frames: flow measurements, not seconds (at 5-7.5 fps the flow catches only
# part of each step, and a window of 1-2 s refuses the bus's real crossings)
LEDGER_RECENT_FRAMES = 25
LEDGER_SLACK = 1.0  # motion this many people beyond the tracked ones counts untracked people
# A tracked crossing that would leave its way more than this many people in debt (more tracked
# crossings than motion: the pieces of someone already counted, or a person the flow has not
# caught yet) waits until the motion pays for it, and is dated then (`FluxLedger`); it counts as
# it would at once, so only dates move (not while passages are held for the first size: its
# pieces are dropped there). Tram 03: 11 of our 17 sure crossings matched within 1 s -> 14 (it
# has eight tracked crossings in frames 63-155 for four people, then one in frames 190-358 for
# six); the other clips, the synthetic scenes and bench_robustness count as before.
LEDGER_DEBT = 1.0
LEDGER_MEMORY_S = 20.0  # then it fades with this time constant (noise never adds up)
# The balance fades only after this long without motion that way; once both ways have been
# still this long and no track can claim it, what it holds is counted as at a stream's end.
LEDGER_QUIET_S = 1.0
# A person longer than the area is thick still has part of their body behind the middle line
# when their track is counted (`trailing_share`): the motion the same way within TAIL_S after is
# theirs, up to that share (the bus 8/7 at a third of its frame rate, 7/9 seen from higher up or
# under a beating light, 7/8 with grain or as a 1280x720 camera: now 7/7 in all 28 columns of
# bench_robustness; the trams, their people about as long as the band is thick, keep 0-0.02,
# and three of their 84 cells move by one either way, as any change does). A size learnt too wide
# gives too long a tail: the synthetic dense queue, learnt 1.4-2.4 times too wide, counts 4 of
# its 107 passages fewer (70 -> 74 off; told the size, as before).
TAIL_S = 1.0
COUNT_REMAINDER = True  # at the end of a stream, motion no track claimed counts (rounded)
# Flow noise: a dark, grainy picture gives the flow small random vectors everywhere, and the
# motion across the line, netted per segment, rectifies them into a little of both ways each
# window: over an empty minute that added up to people (the bus with grain of 2-10 grey levels:
# 9/8 to 13/11 for 7/7). Once the detector has seen no foreground within EMPTY_MARGIN_PERSONS
# of the middle line (less than EMPTY_FOREGROUND of one person's area) for EMPTY_S, the motion
# across it is noise and counts nothing. Shorter holds let a lull settle what a person still
# near the line would have claimed (the bus at 5 fps, 0.3 s: 9/7).
EMPTY_MARGIN_PERSONS = 2.0
EMPTY_FOREGROUND = 0.1
EMPTY_S = 0.6
# The motion no track claimed counts people only where the tracks break: a track that began or
# ended within BREAK_MARGIN_PERSONS of the counting area's edges (inside its span) within
# BREAKS_S of the moment half of that motion had crossed (`FluxLedger.crowd_frames`). Where
# people are followed one by one, their tracks begin and end away from the area, and what their
# motion leaves over (a walker's flow spread over a plain floor, a soft shadow walking with them)
# is theirs; a crowd breaks its tracks there all the time (the trams: every passage counted from
# motion had 2-12 breaks within 2 s before and 1 s after it; a public atrium clip of people
# walking apart, 5 of its 6 none). The atrium 7/7 -> 6/3 for 5/3, our synthetic scenes from
# 600 cm over a plain floor with a lamp's shadow (seeds 0-4) 23 -> 6 off of 25,
# bench_synthetic 82/11 -> 82/9 off of 351 (tailgaters and mixed scenes told the size 2 -> 1
# each); the shared clips, bench_starts and bench_robustness exactly as before. 1.5 s: the
# synthetic queue told the size 6 -> 8 off (a lull's remainder dated 3.5 s before it).
BREAK_MARGIN_PERSONS = 1.0
BREAKS_S = 3.0
SAME_PERSON_S = 0.5  # the pieces of one person split by a wrong size cross within this (s)
HOLD_MAX_S = 10.0  # a passage held for the first learnt size waits at most this long (s)
STREAM_BREAK_S = 3.0  # frames further apart than this (s) are two streams (a stalled camera)
# A detector that finds a person in some frames and not in others (`intermittent`: a network
# whose score hovers about its threshold) leaves tracks coasting on the flow between; one found
# this many times is counted where the flow carried it, as if it had been found there.
COAST_MIN_HITS = 3
STAMP_BACK_S = 10.0  # a passage is dated back to its person's crossing at most this far (s)


def area_box(
    area: Area, line_box: tuple[float, float, float, float] | None
) -> tuple[float, float, float, float]:
    """The box (x0, y0, x1, y1) that holds the counting `area`: its x span, and its middle
    line's extent (`line_box`, curved when `radius` > 0) widened by half the band each way."""
    half = (area.ylast - area.yfirst) / 2
    if line_box is None:
        return (float(area.left), float(area.yfirst), float(area.right), float(area.ylast))
    return (float(area.left), line_box[1] - half, float(area.right), line_box[3] + half)


def stream_break_s(fps: float) -> float:
    """How long without a frame ends a stream (`ScaleAnalyzer.process`): STREAM_BREAK_S, and at
    least 4 frame intervals of a source this slow."""
    return max(STREAM_BREAK_S, 4.0 / fps) if fps > 0 else STREAM_BREAK_S


class ScaleAnalyzer:
    """Counts passages in a stream of frames for one set of params, at one analysis width (the
    detector's)."""

    def __init__(
        self, params: Params, detector: Detector | None = None, *, in_order: bool = True
    ) -> None:
        """`in_order`: passages leave in time order, each dated never before the one before it
        (live: minute bins, tailgating, occupancy and deliveries rely on it); a file counted
        offline (`count_file`) passes False and sorts them itself, so that each keeps the frame
        its person crossed at."""
        self._params = params
        self._detector: Detector = detector if detector is not None else ForegroundDetector(params)
        self._shape: tuple[int, int] | None = None
        self._fps = NOMINAL_FPS
        self._tracker = Tracker(gate_px=1.0, max_missed=1)
        self._counter = Counter(Area.from_params(params.Area), params.Area.InDirection)
        self._person_px = 1.0
        self._person_px2 = 1.0  # the area of one person's box (frame px²)
        self._motion = MotionField()
        self._steady = Stabiliser(NOMINAL_FPS)
        self._ledger = FluxLedger(
            params.Area.InDirection,
            veto=LEDGER_VETO,
            slack=LEDGER_SLACK,
            recent=LEDGER_RECENT_FRAMES,
            debt=LEDGER_DEBT,
        )
        self._roi = (0, 0, 1, 1)
        self._slice = LineSlice(round(SLICE_WINDOW_S * NOMINAL_FPS))
        self._last: Frame | None = None
        self._n = -1  # frames processed, less one: the clock of hand-overs, the ledger and dates
        self._times = FrameTimes(round(STAMP_BACK_S * NOMINAL_FPS), in_order)
        self._hold: EarlyHold[Passage] = EarlyHold()
        self._hold_frames = 0
        self._restored = False  # restore_size was called: follow the detector's size at once
        self._learnt = False  # the detector's size was learnt at the last frame
        self._recheck = False  # cut: passages wait until the view after it is checked
        self._held_motion = 1.0  # the share of the held passages from motion alone to keep
        self._empty_frames = 0  # frames in a row with no foreground near the middle line
        self._line_box: tuple[float, float, float, float] | None = None  # the line's extent
        self._track_at: dict[int, tuple[float, float]] = {}  # live tracks at the last frame

    def set_fps(self, fps: float) -> None:
        """Frame rate of the source, when known: occlusion tolerance is set in seconds."""
        if fps > 0:
            self._fps = fps
            self._steady.set_fps(fps)
            setter = getattr(self._detector, "set_fps", None)
            if callable(setter):
                setter(fps)
            if self._shape is not None:
                self._configure(*self._shape, guess_size=False)

    def set_params(self, params: Params) -> None:
        """New params (counting area, in direction, mounting height) from a setparams. The
        person size goes back to the mounting-height guess only when what it depends on
        changed (`sizing`), not at every setparams."""
        guess = sizing(params) != sizing(self._params)
        self._params = params
        setter = getattr(self._detector, "set_params", None)
        if callable(setter):
            setter(params)
        if self._shape is not None:
            self._configure(*self._shape, guess_size=guess)

    def _configure(self, width: int, height: int, guess_size: bool = True) -> None:
        """Follow the frame size, area, rate and params; `guess_size`: the person size starts
        again from the mounting-height guess (new frame size or sizing params)."""
        self._shape = (width, height)
        p = self._params
        area = Area.from_params(p.Area).scaled(width, height)
        if (area, p.Area.InDirection) != (self._counter.area, self._counter.in_direction):
            self._ledger.reconfigure(p.Area.InDirection)
            self._slice.reset()
            self._track_at = {}  # the tracks lose their origin: each is a break where it is
        self._counter.reconfigure(area, p.Area.InDirection)
        line, _ = area.mid_line(4.0, p.Area.InDirection)
        self._line_box = (
            (
                float(line[:, 0].min()),
                float(line[:, 1].min()),
                float(line[:, 0].max()),
                float(line[:, 1].max()),
            )
            if len(line)
            else None
        )
        look_at = getattr(self._detector, "look_at", None)
        if callable(look_at):  # a network looks at the frame around the area (`vision/tiles.py`)
            look_at(area_box(area, self._line_box))
        c = p.Counter
        guess = person_width_px(width, c.Height, c.FieldOfView, c.PersonWidth)
        self._counter.min_band_px = band_px(area.ylast - area.yfirst, width, height)
        self._set_person(guess if guess_size else self._person_px)
        self._tracker.max_missed = max(2, round(OCCLUSION_S * self._fps))
        self._counter.handoff_frames = round(HANDOFF_S * self._fps)
        self._slice.window_frames = max(1, round(SLICE_WINDOW_S * self._fps))
        self._ledger.leak = math.exp(-1.0 / (LEDGER_MEMORY_S * self._fps))
        self._ledger.quiet_frames = round(LEDGER_QUIET_S * self._fps)
        self._ledger.count_untracked = bool(c.Crowds)
        self._ledger.crowd_frames = round(BREAKS_S * self._fps)
        self._ledger.tail_frames = round(TAIL_S * self._fps)
        self._ledger.wait_frames = round(STAMP_BACK_S * self._fps)
        self._times.resize(round(STAMP_BACK_S * self._fps))

    def _set_person(self, width_px: float, area_px2: float | None = None) -> None:
        """The gate follows the person size (a slow stream moves people further per frame), and
        the share of a tracked person the ledger leaves them after their crossing (`TAIL_S`);
        `area_px2`: their box's area (a square of `width_px` unless the boxes say otherwise)."""
        self._person_px = width_px
        self._person_px2 = area_px2 if area_px2 is not None else width_px**2
        self._ledger.tail = trailing_share(self._counter.band_px, width_px)
        self._tracker.gate_px = GATE_PERSON_WIDTHS * width_px * max(1.0, 15.0 / self._fps)
        self._counter.handoff_px = HANDOFF_PERSON_WIDTHS * width_px
        self._roi = self._flow_roi()

    def _flow_roi(self) -> tuple[int, int, int, int]:
        """The region around the counting area where motion matters (frame pixels)."""
        assert self._shape is not None
        w, h = self._shape
        a = self._counter.area
        m = FLOW_MARGIN_PERSONS * self._person_px
        if a.radius > 0:
            return (0, 0, w, h)
        x0, x1 = max(0, int(a.left - m / 3)), min(w, int(a.right + m / 3) + 1)
        y0, y1 = max(0, int(a.yfirst - m)), min(h, int(a.ylast + m) + 1)
        return (x0, y0, max(x1, x0 + 16), max(y1, y0 + 16))

    def process(self, frame: Frame) -> list[Passage]:
        """Detect, track and count one frame; the passages it completes, each dated by the frame
        (and that frame's time) its person crossed the middle of the area.

        A frame that comes more than STREAM_BREAK_S (and 4 frame intervals) after the last one
        (a camera that stalled or was reconnected), or a cut (`Frame.cut`: a file looping back
        to its start), first ends the stream before it, as `flush` does: tracks and motion from
        before it are not carried over it."""
        last = self._last
        if last is not None:
            gap = (frame.time - last.time).total_seconds()
            if frame.cut or gap > stream_break_s(self._fps):
                return self.flush() + self.process(frame)  # `flush` forgot the last frame
        self._last = frame
        image = self._steady.apply(frame.image)  # a shaking camera's frames moved back
        if image is not frame.image:
            frame = replace(frame, image=image)
        moved = getattr(self._detector, "camera_moved", None)
        if self._steady.knocked and callable(moved):
            moved(self._steady.knocked)
        # Our own frame count, not the source's numbers: those start again from 0 when a source
        # is opened anew, and hand-overs, the ledger and passage dates must not go back in time.
        self._n += 1
        n = self._n
        self._times.add(n, frame.time, frame.index)
        h, w = frame.image.shape[:2]
        if self._shape != (w, h):
            self._configure(w, h)
        detections = self._detector.detect(frame)
        self._follow_size(detections)
        crossings = self._settled(self._tracked(frame, detections, n), n)
        return self._out(self._passages(crossings))

    def _follow_size(self, detections: Detections) -> None:
        """Follow the detector's person size: passages wait again when it drops its size (a
        queue arriving in a bare doorway, a new mounting height: it splits by the guess until it
        has learnt it again), the motion counted so far is rescaled when it is first learnt, and
        the tracker's gate follows the detections' boxes (sized to one person)."""
        learnt = self.size_learnt
        if (self._recheck or (self._learnt and not learnt)) and not self._hold.open:
            self._hold, self._hold_frames = EarlyHold(), 0  # (after a cut: until it is checked)
        self._recheck = False
        if learnt and not self._learnt:
            self._rescale_motion()
        self._learnt = learnt
        if self._restored:  # the detector's size is an earlier run's from its first frame on
            self._restored = False
            self._set_person(getattr(self._detector, "frame_person_px", self._person_px))
        if len(detections):
            kept = getattr(self._detector, "person_box", None)  # a network's boxes of late
            if kept is None:  # this frame's boxes
                sides = detections.boxes[:, 2:] - detections.boxes[:, :2]
                kept = float(np.median(sides[:, 0])), float(np.median(sides[:, 0] * sides[:, 1]))
            box_width, box_area = kept
            if abs(box_width - self._person_px) > 0.05 * self._person_px or abs(
                math.sqrt(box_area) - math.sqrt(self._person_px2)
            ) > 0.05 * math.sqrt(self._person_px2):
                self._set_person(box_width, box_area)

    def _tracked(self, frame: Frame, detections: Detections, n: int) -> list[Crossing]:
        """Track the detections along the optical flow (`MotionField`) and the crossings the
        tracks make in frame `n`."""
        self._motion.update(frame.image, self._roi, self._person_px)
        pos = np.array([[t.x, t.y] for t in self._tracker.tracks], np.float64).reshape(-1, 2)
        motion = self._motion.displacement(pos)
        riding = np.nan_to_num(np.hypot(motion[:, 0], motion[:, 1])) * self._motion.scale
        live = self._tracker.update(detections.centers, motion, riding > RIDING_FLOW_PX)
        self._counter.forget(self._tracker.ended)
        self._note_breaks(n)
        if getattr(self._detector, "intermittent", False):
            live = [t for t in self._tracker.tracks if t.missed == 0 or t.hits >= COAST_MIN_HITS]
        return self._counter.update(
            [t.id for t in live], [t.x for t in live], [t.y for t in live], n
        )

    def _settled(self, tracked: list[Crossing], n: int) -> list[Crossing]:
        """The tracked crossings the motion across the line backs (a refused one is undone),
        and the people the motion counts that no track claimed. The balance is kept in people:
        each frame's flux in units of this frame's person size."""
        along, positions = self._line_flux()
        if self._line_empty():
            along = np.zeros_like(along)
        unit = float(getattr(self._detector, "box_flux", PERSON_FLUX)) * self._person_px2
        segment = SLICE_SEGMENT_PERSONS * self._person_px
        ledger = self._ledger
        ledger.add(*self._slice.add(along / unit, positions, segment))
        ledger.debt = math.inf if self._hold.open else LEDGER_DEBT
        crossings = ledger.settle(
            tracked, 1.0, n, self._slice.pending(), self._counter.owed(), self._pieces(tracked)
        )
        kept = (*crossings, *ledger.deferred, *ledger.dropped)
        self._counter.undo([c for c in tracked if c not in kept])
        if not self._counter.busy:  # a lull settles what no track can claim any more
            crossings += ledger.settle_quiet(n)
        return crossings

    def _note_breaks(self, n: int) -> None:
        """Note the tracks that began or ended at the counting area this frame (within
        BREAK_MARGIN_PERSONS of its edges, inside its span): where people are followed one by
        one they begin and end away from it; a crowd breaks its tracks there."""
        now = {t.id: (t.x, t.y) for t in self._tracker.tracks}
        last = self._track_at
        moved = [xy for tid, xy in now.items() if tid not in last]
        moved += [xy for tid, xy in last.items() if tid not in now]
        self._track_at = now
        if not moved:
            return
        a = self._counter.area
        xs, ys = zip(*moved, strict=True)
        m = BREAK_MARGIN_PERSONS * self._person_px
        near = a.in_span(xs) & (a.sides(xs, ys, self._counter.in_direction, m) == INSIDE)
        if near.any():
            self._ledger.note_break(n)

    def _pieces(self, tracked: list[Crossing]) -> list[Crossing]:
        """The tracked crossings that are late pieces of a person counted at a released size
        (`EarlyHold.late_piece`), judged as they cross (one may wait in the ledger)."""
        if self._hold.open or not tracked:
            return []
        where = self._track_x()
        return [
            c
            for c in tracked
            if self._hold.late_piece(c.direction, self._times.index(c.frame), where.get(c.track_id))
        ]

    def _out(self, passages: list[Passage]) -> list[Passage]:
        """The passages that leave now: held while the size is learnt (`EarlyHold`), else all
        (the late pieces of a person were dropped as they crossed: `_pieces`)."""
        if self._hold.open:
            return self._held(passages)
        return passages

    def _track_x(self) -> dict[int | None, float]:
        """Where each live track is along the area (frame px), by track id."""
        return {t.id: t.x for t in self._tracker.tracks}

    def _rescale_motion(self) -> None:
        """The size was just learnt: if it is more than SIZE_CLAMP[1] times the width counted
        with until now (a mounting height told far too high), the motion held in people of that
        width is held in people of the learnt one, and as few of the passages held counted from
        motion alone are kept (`EarlyHold.release`). Told 450 / 600 cm for the bus (200 cm up),
        its first people's motion, counted in people 26 / 19 px wide for 124, counted two more
        `in`."""
        learnt = float(getattr(self._detector, "frame_person_px", self._person_px))
        if learnt > SIZE_CLAMP[1] * self._person_px:
            factor = (self._person_px / learnt) ** 2
            self._ledger.rescale(factor)
            self._slice.rescale(factor)
            self._held_motion = factor  # and the people held counted from motion alone

    def _held(self, passages: list[Passage]) -> list[Passage]:
        """While the detector has not learnt the person size, or the size it learnt still
        moves (`size_steady`), passages wait (EarlyHold); once it is steady, or after
        HOLD_MAX_S, they go on, less the pieces of one person."""
        where = self._track_x() if passages else {}
        for p in passages:
            self._hold.add(p, p.direction, p.frame or 0, where.get(p.track_id))
        if passages or self._hold_frames:  # the wait is timed from the first passage held
            self._hold_frames += 1
        if self.size_steady or self._hold_frames >= HOLD_MAX_S * self._fps:
            return self._release()
        return []

    def _release(self) -> list[Passage]:
        """The held passages, judged at the person size of now: the detector's, which has just
        been learnt (the boxes of the last frame with detections may still have the guess)."""
        width = getattr(self._detector, "frame_person_px", self._person_px)
        factor, self._held_motion = self._held_motion, 1.0
        return self._hold.release(width, round(SAME_PERSON_S * self._fps), factor)

    def _line_flux(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Area (px²) that moved across the middle line this frame at points along it (+ towards
        the upper side), and each point's distance along the line (px)."""
        step = 1.0 / self._motion.scale
        points, normals = self._counter.area.mid_line(step, self._counter.in_direction)
        flow = np.nan_to_num(self._motion.displacement(points))
        along = (flow * normals).sum(axis=1) * step
        moving = np.hypot(flow[:, 0], flow[:, 1]) * self._motion.scale > FLUX_MIN_SPEED
        unsupported = getattr(self._detector, "flow_unsupported", None)
        if callable(unsupported) and moving.any():  # a plain floor's flow, made up (support.py)
            moving[moving] = ~unsupported(points[moving])
        swept = np.asarray(np.where(moving, along, 0.0), np.float64)
        return swept, np.arange(len(points), dtype=np.float64) * step

    def _line_empty(self) -> bool:
        """Whether the detector has seen no one near the middle line for EMPTY_S (never, for a
        detector that keeps no foreground mask)."""
        foreground = getattr(self._detector, "foreground_px2", None)
        if not callable(foreground) or self._line_box is None:
            return False
        x0, y0, x1, y1 = self._line_box
        m = EMPTY_MARGIN_PERSONS * self._person_px
        area = foreground(x0, y0 - m, x1, y1 + m)
        near = area >= EMPTY_FOREGROUND * PERSON_AREA_FACTOR * self._person_px**2
        self._empty_frames = 0 if near else self._empty_frames + 1
        return self._empty_frames > EMPTY_S * self._fps

    def flush(self) -> list[Passage]:
        """End of stream: coasting tracks are not extrapolated; the motion across the line that
        no track claimed counts, rounded to whole people."""
        self._counter.forget([t.id for t in self._tracker.tracks])
        self._counter.end_stream()
        self._tracker.reset()
        self._track_at = {}  # the tracks of the next stream begin with it, not at the area
        self._steady.reset()
        self._motion.reset()  # the next frame's flow starts from it, not from this one
        self._empty_frames = 0
        last, self._last = self._last, None
        held = self._release() if self._hold.open else []
        if last is None or not COUNT_REMAINDER:
            return held
        self._ledger.add(*self._slice.pending())
        self._slice.reset()
        return held + self._passages(self._ledger.remainder(self._n))

    def _passages(self, crossings: list[Crossing]) -> list[Passage]:
        """Passages of these crossings in time order, each dated by the frame its person crossed
        (and that frame's time); a crossing counted from motion alone has no track."""
        passages = []
        for c in sorted(crossings, key=lambda c: c.frame):
            index, when = self._times.stamp(c.frame)
            passages.append(
                Passage(when, c.direction, index, c.track_id if c.track_id >= 0 else None)
            )
        return passages

    def size_samples(self) -> SizeSamples | None:
        """What the detector's person-size learner has seen (None if it learns nothing), to
        carry over a restart (`restore_size`)."""
        samples = getattr(self._detector, "samples", None)
        return samples() if callable(samples) else None

    def restore_size(self, samples: SizeSamples | None) -> None:
        """Start from an earlier run's person-size samples (`footfall.vision.sizestate`): the
        detector uses them from the first frame if they fit its params and frame size."""
        restore = getattr(self._detector, "restore", None)
        if callable(restore) and samples is not None:
            restore(samples)
            self._restored = True

    @property
    def size_learnt(self) -> bool:
        """Whether the detector's person size is learnt from the footage (detectors that do not
        learn one: always)."""
        return bool(getattr(self._detector, "size_learnt", True))

    @property
    def size_steady(self) -> bool:
        """Whether the detector's person size is learnt and has stopped moving
        (`ForegroundDetector.size_steady`; detectors that do not learn one: always)."""
        return bool(getattr(self._detector, "size_steady", self.size_learnt))

    @property
    def size_held(self) -> bool:
        """Whether the detector's learnt size is held: its window of samples is full
        (`ForegroundDetector.size_settled`; detectors that do not learn one: never)."""
        return bool(getattr(self._detector, "size_settled", False))

    def picture_cut(self, checking: bool) -> None:
        """The next frame is a cut (`vision/cuts.py`): its detector's background model starts
        again from it (detectors without one: nothing to do); while the view after it is
        `checking`, passages wait for the check (`view_checked`), else they go on as before."""
        cut = getattr(self._detector, "picture_cut", None)
        if callable(cut):
            cut(checking)
            self._recheck = checking

    def view_checked(self) -> None:
        """The view after a cut is checked (`vision/cuts.py`) and this analysis goes on: its
        detector's passages need not wait for the check any more (detectors without: nothing)."""
        checked = getattr(self._detector, "view_checked", None)
        if callable(checked):
            checked()

    @property
    def shaking(self) -> bool:
        """Whether the camera shakes and frames are being moved back (`vision/stabilise.py`)."""
        return self._steady.shaking

    @property
    def blocky(self) -> bool:
        """Whether the picture is heavily compressed (`vision/blocking.py`; detectors without a
        background model: never)."""
        return bool(getattr(self._detector, "blocky", False))

    @property
    def person_px(self) -> float:
        """The person width counting uses now (px of the frame): the detector's boxes."""
        return self._person_px

    @property
    def tracks(self) -> list[tuple[int, float, float]]:
        """(id, x, y) of every live track, in frame pixels (for drawing)."""
        return [(t.id, t.x, t.y) for t in self._tracker.tracks]

    @property
    def analysed_width(self) -> float:
        """The width of the frames (px) analysed at WORK_WIDTH px (0: no such analysis yet, or a
        detector without one)."""
        return float(getattr(self._detector, "analysed_width", 0.0))

    @property
    def size_samples_seen(self) -> int:
        """How many samples the detector's person size rests on (0: it learns none)."""
        return int(getattr(self._detector, "size_samples_seen", 0))

    def _learnt_px(self) -> float | None:
        """The person width the foreground detector learnt (frame px), None before it has."""
        width = getattr(self._detector, "frame_person_px", None)
        learnt = isinstance(self._detector, ForegroundDetector) and self.size_learnt
        return float(width) if learnt and width is not None else None

    @property
    def people_small(self) -> bool:
        """Whether the person width is learnt and under SMALL_PERSON_SHARE of the width analysed:
        a view the size learner measures too small (`vision/person.py`)."""
        width = self._learnt_px()
        return width is not None and people_small(width, self.analysed_width)

    @property
    def learnt_share(self) -> float:
        """The learnt person width as a share of the width analysed (0 before it is learnt)."""
        width = self._learnt_px()
        return person_share(width, self.analysed_width) if width is not None else 0.0

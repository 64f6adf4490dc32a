"""One counter's video analysis: detect -> track -> count, frame by frame.

    >>> analyzer = Analyzer(Params())
    >>> for frame in source:                     # doctest: +SKIP
    ...     ingest.add(analyzer.process(frame))
    >>> ingest.add(analyzer.flush())             # doctest: +SKIP

The counting area is given in `Params.Area` pixels (Width x Height); frames of another size get
the area scaled to them. `set_params` applies a setparams while running.
"""

from __future__ import annotations

import numpy as np

from footfall.config import Params
from footfall.counting.area import Area
from footfall.counting.counter import Counter
from footfall.store.base import Passage
from footfall.vision.detect import Detector, ForegroundDetector, person_width_px
from footfall.vision.track import Tracker
from footfall.vision.types import Frame

GATE_PERSON_WIDTHS = 0.6  # a track may move this many person widths between two frames
OCCLUSION_S = 0.5  # a track coasts through occlusions this long
NOMINAL_FPS = 25.0


def area_of(params: Params) -> Area:
    """The counting area of these params, in Params.Area pixels."""
    a = params.Area
    return Area(a.Width, a.Height, a.Left, a.Right, a.Top, a.Bottom, a.YFirst, a.YLast, a.Radius)


class Analyzer:
    """Counts passages in a stream of frames for one set of params."""

    def __init__(self, params: Params, detector: Detector | None = None) -> None:
        self._params = params
        self._detector: Detector = detector if detector is not None else ForegroundDetector(params)
        self._shape: tuple[int, int] | None = None
        self._fps = NOMINAL_FPS
        self._tracker = Tracker(gate_px=1.0, max_missed=1)
        self._counter = Counter(area_of(params), params.Area.InDirection)
        self._person_px = 1.0

    def set_fps(self, fps: float) -> None:
        """Frame rate of the source, when known: occlusion tolerance is set in seconds."""
        if fps > 0:
            self._fps = fps
            if self._shape is not None:
                self._configure(*self._shape)

    def set_params(self, params: Params) -> None:
        """New params (counting area, in direction, mounting height) from a setparams."""
        self._params = params
        setter = getattr(self._detector, "set_params", None)
        if callable(setter):
            setter(params)
        if self._shape is not None:
            self._configure(*self._shape)

    def _configure(self, width: int, height: int) -> None:
        self._shape = (width, height)
        p = self._params
        area = area_of(p).scaled(width, height)
        self._counter.reconfigure(area, p.Area.InDirection)
        c = p.Counter
        self._set_person(person_width_px(width, c.Height, c.FieldOfView, c.PersonWidth))
        self._tracker.max_missed = max(2, round(OCCLUSION_S * self._fps))

    def _set_person(self, width_px: float) -> None:
        """The gate follows the person size (a slow stream moves people further per frame)."""
        self._person_px = width_px
        self._tracker.gate_px = GATE_PERSON_WIDTHS * width_px * max(1.0, 15.0 / self._fps)

    def process(self, frame: Frame) -> list[Passage]:
        """Detect, track and count one frame; the passages completed in it."""
        h, w = frame.image.shape[:2]
        if self._shape != (w, h):
            self._configure(w, h)
        detections = self._detector.detect(frame)
        if len(detections):
            # Detectors size their boxes to one person: the tracker's gate follows them.
            box_width = float(np.median(detections.boxes[:, 2] - detections.boxes[:, 0]))
            if abs(box_width - self._person_px) > 0.05 * self._person_px:
                self._set_person(box_width)
        live = self._tracker.update(detections.centers)
        self._counter.forget(self._tracker.ended)
        if not live:
            return []
        crossings = self._counter.update(
            [t.id for t in live], [t.x for t in live], [t.y for t in live], frame.index
        )
        return [Passage(frame.time, c.direction, frame.index, c.track_id) for c in crossings]

    def flush(self) -> list[Passage]:
        """End of stream: coasting tracks are not extrapolated, so nothing more counts."""
        self._counter.forget([t.id for t in self._tracker.tracks])
        self._tracker.reset()
        return []

    @property
    def tracks(self) -> list[tuple[int, float, float]]:
        """(id, x, y) of every live track, in frame pixels (for drawing)."""
        return [(t.id, t.x, t.y) for t in self._tracker.tracks]

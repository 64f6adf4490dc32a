"""Frames from a video file (`FileSource`), timed by the file's own timestamps (`FileClock`): an
offline count gives the same times on every run, and a file that lost frames keeps its timeline;
looping keeps the index (and the time) growing.

    >>> src = FileSource("clip.mp4", paced=False)   # doctest: +SKIP
    >>> frame = next(iter(src)); src.close()         # doctest: +SKIP
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np

from footfall.config import plausible_fps
from footfall.vision.reading import bgr, sleep_until
from footfall.vision.types import Frame

log = logging.getLogger(__name__)

DEFAULT_FPS = 25.0
PTS_PROBE = 60  # frames whose timestamps tell the rate of a file that lost frames
# The camera's frame interval is the shortest its frames are apart, but for a little jitter: a
# low percentile, not the median, which half the frames lost puts at two intervals (the trams
# without half their frames counted 35 / 19 / 0/33 told 12.5 fps, 20 / 16 / 0/28 told 25).
RATE_PERCENTILE = 10
ON_GRID = 0.05  # a timestamp this close (in frame intervals) to a whole frame is on it
STAMP_ROUNDING_S = 0.0011  # timestamps to the millisecond (WebM, Matroska), and a little more


def file_fps(capture: cv2.VideoCapture) -> float:
    """The frame rate a video file states, or DEFAULT_FPS when it states none or an implausible
    one (outside 1-240: some containers give their time base); `serve` and `count` alike."""
    fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
    return fps if plausible_fps(fps) else DEFAULT_FPS


# what a pattern that names no decodable frames is told
NO_FRAMES = (
    "no frames match that pattern (an image sequence's first frame is numbered 0 to 4: "
    "frames/%05d.jpg names frames/00000.jpg, frames/00001.jpg, ...)"
)


FRAME_NAME = re.compile(r"^(.*?)(\d+)(\.(?:jpe?g|png|bmp|tiff?|webp|pgm|ppm))$", re.IGNORECASE)


def frames_pattern(folder: Path) -> Path | None:
    """The pattern of the numbered images in `folder` (`folder/seq_%06d.jpg`: the most common
    name shape there), None when it holds none: what to give for a folder of frames."""
    shapes: dict[tuple[str, int, str], int] = {}
    try:
        names = [p.name for p in folder.iterdir()]
    except OSError:
        return None
    for name in names:
        found = FRAME_NAME.match(name)
        if found:
            shape = (found.group(1), len(found.group(2)), found.group(3))
            shapes[shape] = shapes.get(shape, 0) + 1
    if not shapes:
        return None
    prefix, digits, ext = max(shapes, key=lambda shape: shapes[shape])
    return folder / f"{prefix.replace('%', '%%')}%0{digits}d{ext}"


def image_sequence(path: Path) -> bool:
    """Whether `path` names frames by a pattern (`frames/%05d.jpg`: FFmpeg's image2, as datasets
    come), not one file."""
    return "%" in path.name and not path.is_file()


def file_rate_known(path: Path, capture: cv2.VideoCapture) -> bool:
    """Whether a video file states a frame rate of its own: a plausible one, in a container that
    knows its length. A raw stream (`.h264`) has none: FFmpeg reads it at 25 fps whatever it
    is, and its frame count comes out negative. Nor has an image sequence (`path` a pattern such
    as `frames/%04d.png`, no file of that name): FFmpeg's image2 reads it at 25 fps too."""
    if image_sequence(path):
        return False
    fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
    return plausible_fps(fps) and float(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0.0) > 0


def stamped_rate(path: Path, probe: int = PTS_PROBE) -> float | None:
    """The frame rate the timestamps of a file's first `probe` frames show: one over their
    shortest usual interval (`RATE_PERCENTILE`; None when they do not advance). For a file
    whose frames are evenly spaced it is the rate the file states; for one that lost frames (an
    AVI with empty chunks, a recorder's export, a variable-rate phone video) it is the camera's
    rate, where the rate stated is an average over the gaps (a clip with a fifth of its 25 fps
    frames lost states 20)."""
    stat = path.stat()  # `count` and `eval` ask twice (video_info, count_file): read it once
    return _stamped_rate(str(path.resolve()), stat.st_mtime_ns, stat.st_size, probe)


@functools.lru_cache(maxsize=16)
def _stamped_rate(path: str, mtime_ns: int, size: int, probe: int) -> float | None:
    """`stamped_rate` of the file at `path` as it is at that modification time and size."""
    capture = cv2.VideoCapture(path)
    times: list[float] = []
    try:
        while len(times) < probe and capture.grab():
            times.append(float(capture.get(cv2.CAP_PROP_POS_MSEC)) / 1000.0)
    finally:
        capture.release()
    steps = [b - a for a, b in itertools.pairwise(times) if b > a]
    if len(steps) < len(times) // 2 or not steps:
        return None
    return round(1.0 / float(np.percentile(steps, RATE_PERCENTILE)), 3)  # 15, not 15.0000001


class FileClock:
    """Seconds from a video file's first frame to each frame it decodes: the file's own
    timestamps (so a file that lost frames keeps its true timeline, and the motion, tracks and
    passage times see the gaps), or index / fps for a file whose timestamps say nothing (a raw
    stream, `file_rate_known` false) or that is told its rate (`--fps`). A timestamp that does
    not advance is taken as one frame interval after the last."""

    def __init__(self, fps: float, stamped: bool) -> None:
        self.fps = fps
        self.stamped = stamped
        self._first: float | None = None
        self._last = -1.0 / fps

    def __call__(self, capture: cv2.VideoCapture, index: int) -> float:
        """The time of the frame `capture` decoded last, its `index`-th."""
        if not self.stamped:
            return index / self.fps
        pts = float(capture.get(cv2.CAP_PROP_POS_MSEC)) / 1000.0
        if self._first is None:
            self._first = pts
        at = pts - self._first
        # On the frame grid (a steady file, or one that lost whole frames) the time is k / fps,
        # as the index gives it in a steady file, not the millisecond timestamp's rounding of it.
        k = round(at * self.fps)
        if abs(at - k / self.fps) < ON_GRID / self.fps:
            at = k / self.fps
        if at <= self._last:
            at = self._last + 1.0 / self.fps
        self._last = at
        return at


def file_clock(path: Path, capture: cv2.VideoCapture, fps: float | None) -> FileClock:
    """How a file's frames are timed: at `fps` by their index when it is given (the user's
    rate) or the file states no rate of its own; else by their timestamps, the analyzer told
    the rate they show (`stamped_rate`)."""
    if fps is not None or not file_rate_known(path, capture):
        return FileClock(fps or file_fps(capture), stamped=False)
    stated, shown = file_fps(capture), stamped_rate(path)
    if shown is None or not plausible_fps(shown) or same_rate(shown, stated):
        return FileClock(stated, stamped=True)
    return FileClock(shown, stamped=True)


def same_rate(shown: float, stated: float) -> bool:
    """Whether a rate read off timestamps is the rate stated: within 1 %, or within the
    timestamps' rounding to the millisecond (WebM and Matroska: a 15 fps file's frames are 66 or
    67 ms apart, which reads as 15.15 fps)."""
    return abs(1.0 / shown - 1.0 / stated) <= max(0.01 / stated, STAMP_ROUNDING_S)


class FileSource:
    """Frames of a video file, optionally looping; times are start + the file's timestamps
    (`FileClock`), a loop going on from the end of the last."""

    def __init__(
        self,
        path: str | Path,
        loop: bool = False,
        start_time: datetime | None = None,
        paced: bool = False,
        fps: float | None = None,
    ) -> None:
        self.path = Path(path)
        if not self.path.is_file() and not image_sequence(self.path):
            raise FileNotFoundError(f"no video file at {self.path}")
        self.loop = loop
        self.paced = paced
        self._cap = cv2.VideoCapture(str(self.path))
        if not self._cap.isOpened():
            raise ValueError(f"cannot decode {self.path} as video")
        self._clock = file_clock(self.path, self._cap, fps)
        self.fps = self._clock.fps
        if fps is None and not self._clock.stamped:  # it states no rate of its own
            log.warning(
                "%s states no usable frame rate (a raw stream or an image sequence?): played and"
                " counted at %g fps",
                self.path,
                self.fps,
            )
        if start_time is None:  # repeatable: the file's (a sequence's folder's) modification time
            named = self.path if self.path.is_file() else self.path.parent
            start_time = datetime.fromtimestamp(int(named.stat().st_mtime), UTC)
        self.start_time = start_time
        self.state = "open"
        self.last_error: str | None = None
        self._closed = threading.Event()

    def __iter__(self) -> Iterator[Frame]:
        index = 0
        t0 = time.monotonic()
        offset, last = 0.0, 0.0  # a loop goes on one frame after the last one played
        cut = False  # the frame is the first of a loop after the first: a cut
        while not self._closed.is_set():
            ok, image = self._cap.read()
            if not ok:
                if not self.loop or index == 0:
                    break
                self._cap.release()  # reopening rewinds exactly, whatever the container
                self._cap = cv2.VideoCapture(str(self.path))
                ok, image = self._cap.read()
                if not ok:
                    self.last_error = f"{self.path} cannot be rewound"
                    break
                offset, cut = last + 1.0 / self.fps, True
                self._clock = FileClock(self.fps, self._clock.stamped)
            last = offset + self._clock(self._cap, index)
            if self.paced:
                sleep_until(t0 + last, self._closed)
            yield Frame(bgr(image), index, self.start_time + timedelta(seconds=last), cut=cut)
            index, cut = index + 1, False
        self.state = "closed" if self._closed.is_set() else "ended"
        self._cap.release()

    def close(self) -> None:
        """Stop after the current frame."""
        self._closed.set()

"""Count a video file as fast as it decodes: the library behind `footfall count` and `eval`.

    >>> result = count_file(Path("clip.mp4"), Params())      # doctest: +SKIP
    >>> result.counts
    (7, 7)

Frame times are `start + index / fps` (UTC), so two runs on one file give the same passages.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np

from footfall.config import Params, redact
from footfall.errors import BadRequest
from footfall.store.base import Passage
from footfall.vision.analyzer import Analyzer, too_slow
from footfall.vision.detect import Detector
from footfall.vision.filesource import NO_FRAMES, file_clock, frames_pattern, image_sequence
from footfall.vision.orient import turned
from footfall.vision.person import (
    DEFAULT_LENS,
    Lens,
    people_small,
    person_share,
    told_height_cm,
)
from footfall.vision.source import file_path
from footfall.vision.types import Frame, View

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
PROGRESS_EVERY = 25  # frames between two progress calls


@dataclass(frozen=True, slots=True)
class CountResult:
    """What an offline count found in one file."""

    passages: list[Passage]
    frames: int
    fps: float  # the video's frame rate
    elapsed_s: float  # wall time spent decoding and counting
    width: int
    height: int
    person_px: float = 0.0  # person width counting used at the end (px of the counted picture)
    shaken_frames: int = 0  # frames moved back before counting because the camera shook
    size_learnt: bool = False  # the person width was learnt from the footage (AutoSize)
    analysed_width: float = 0.0  # px of the picture analysed at 160 px (0: `width`)
    size_unlearnt: bool = False  # it was to be learnt, but too few people were seen to learn it
    blocky_frames: int = 0  # frames counted as a heavily compressed picture (`vision/blocking.py`)
    blank_frames: int = 0  # frames with no picture, skipped (`vision/cuts.py`)
    settling_frames: int = 0  # frames dropped while the picture faded in (`vision/cuts.py`)
    broken_frames: int = 0  # frames whose picture went back after them, skipped (`cuts.py`)
    cuts: int = 0  # where the picture did not go on from the frame before (`vision/cuts.py`)
    lens: Lens = DEFAULT_LENS  # Counter.FieldOfView, Counter.PersonWidth counted with

    @property
    def person_share(self) -> float:
        """The person width counting used, as a share of the width analysed at 160 px (the
        counted picture's, or less where a narrow counting area was analysed finer)."""
        return person_share(self.person_px, self.analysed_width or self.width)

    @property
    def from_motion(self) -> int:
        """Passages counted from the motion across the line that no track claimed (a crowd the
        tracker could not follow one by one), in units of the person width learnt."""
        return sum(p.track_id is None for p in self.passages)

    @property
    def told_height_cm(self) -> int | None:
        """The `Counter.Height` (cm, through the lens and shoulder width counted with, `lens`)
        that gives the learnt person width: with `Counter.AutoSize` 0 (`--height H
        --no-auto-size`) a counter counts with that width from its first frame. None when the
        width was not learnt, or no height `Counter.Height` takes gives it."""
        if not self.size_learnt:
            return None
        return told_height_cm(self.width, self.person_px, *self.lens)

    @property
    def slow(self) -> bool:
        """Whether the video's frames come too far apart to count well (`too_slow`)."""
        return too_slow(self.fps)

    @property
    def people_small(self) -> bool:
        """Whether the learnt person width is under SMALL_PERSON_SHARE of the width analysed."""
        return self.size_learnt and people_small(self.person_px, self.analysed_width or self.width)

    @property
    def counts(self) -> tuple[int, int]:
        """(in, out)."""
        n_in = sum(1 for p in self.passages if p.direction == "in")
        return n_in, len(self.passages) - n_in

    @property
    def processing_fps(self) -> float:
        """Frames decoded and counted per second of wall time."""
        return self.frames / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def realtime_factor(self) -> float:
        """How many times faster than real time the file was counted."""
        return self.processing_fps / self.fps if self.fps > 0 else 0.0

    def offset_s(self, passage: Passage) -> float:
        """Seconds from the start of the file to a passage."""
        return (passage.time - EPOCH).total_seconds()


def quiet_decoder() -> None:
    """FFmpeg prints only fatal errors from now on (unless OPENCV_FFMPEG_LOGLEVEL says
    otherwise): counting a file, our own message says what is wrong with it ("moov atom not
    found" and "error while decoding MB" lines said nothing a user could act on). Takes effect
    only before the process opens its first video."""
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "8")


# A URL given where a file is wanted: a Path makes `http://h/x` `http:/h/x` (FFmpeg opens that
# too, and the file's timestamps were then read from a file that is not there).
URL_LIKE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):/")


def video_file(path: Path) -> Path:
    """The file a `count` / `eval` argument names: a `file://` URL's path, else `path`; any
    other URL (a stream, a file over HTTP) is a BadRequest saying where it can be counted."""
    text = str(path)
    found = URL_LIKE.match(text)
    if found is None or path.exists():
        return path
    rest = text[found.end() - 1 :]  # from the slash the Path kept of the URL's `//`
    if found.group(1).lower() == "file":
        return Path(file_path(f"file://{rest}"))
    url = f"{found.group(1)}:/{rest}"
    raise BadRequest(
        f"{redact(url)} is a URL, not a video file: count a stream live with `footfall serve"
        " --source URL`, or download the file and count that"
    )


def open_video(path: Path) -> cv2.VideoCapture:
    """An open capture of `path`, or a BadRequest that says why it cannot be opened."""
    capture = cv2.VideoCapture(str(path))
    if capture.isOpened():
        return capture
    capture.release()
    if image_sequence(path):
        why = NO_FRAMES
    elif not path.exists():
        why = "there is no such file"
    elif path.is_dir():
        pattern = frames_pattern(path)
        why = "it is a directory" + (
            f"; for the frames in it give their pattern: '{pattern}'" if pattern else ""
        )
    elif path.is_file() and path.stat().st_size == 0:
        why = "the file is empty"
    else:
        why = "OpenCV cannot decode it (not a video, or a truncated one)"
    raise BadRequest(f"cannot open video {path}: {why}")


def count_file(
    path: Path,
    params: Params,
    progress: Callable[[int, int], None] | None = None,
    detector: Detector | None = None,
    start: datetime = EPOCH,
    observe: Callable[[View, tuple[int, int]], None] | None = None,
    fps: float | None = None,
) -> CountResult:
    """Count the passages in a video file; `progress(done, total)` is called now and then,
    `observe(view, (in, out) so far)` for every frame once it has been analysed, which is when
    the next one comes, with the tracks found in it (e.g. to write an annotated video).
    `fps`: the video's frame rate, when not the one its file states: its frames are then timed
    by their index at it, else by their timestamps (`file_clock`)."""
    capture = open_video(path)
    try:
        clock = file_clock(path, capture, fps)
        fps = clock.fps
        # a raw stream (.h264) states no length: OpenCV's estimate is then negative or absurd
        total = max(0, int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0))
        analyzer = Analyzer(params, detector, in_order=False)
        analyzer.set_fps(fps)
        passages: list[Passage] = []
        index, width, height, n_in, shaken, blocky = 0, 0, 0, 0, 0, 0
        shown: View | None = None  # each frame is analysed when the next comes (`Analyzer`)

        def observed(found: list[Passage]) -> None:
            """Hand `observe` the frame just analysed, with its tracks and the counts so far."""
            nonlocal n_in
            if observe is not None and shown is not None:
                n_in += sum(1 for p in found if p.direction == "in")
                observe(replace(shown, tracks=analyzer.tracks), (n_in, len(passages) - n_in))

        began = time.perf_counter()
        while True:
            ok, image = capture.read()
            if not ok:
                break
            image = turned(np.asarray(image, np.uint8), params.Counter.Rotation)
            height, width = image.shape[:2]
            when = start + timedelta(seconds=clock(capture, index))
            frame = Frame(image, index, when, params.Counter.Rotation)
            found = analyzer.process(frame)
            shaken += analyzer.shaking
            blocky += analyzer.blocky
            passages.extend(found)
            observed(found)
            shown = View(frame.image, index)
            index += 1
            if progress is not None and index % PROGRESS_EVERY == 0:
                progress(index, max(total, index))
        person_px = analyzer.person_px
        analysed = analyzer.analysed_width
        learning = detector is None and bool(params.Counter.AutoSize)
        learnt = learning and analyzer.size_learnt
        found = analyzer.flush()
        passages.extend(found)
        observed(found)
        passages.sort(key=lambda p: p.time)  # each dated at its own crossing (`in_order`)
        elapsed = time.perf_counter() - began
    finally:
        capture.release()
    if index == 0:
        raise BadRequest(f"no frame could be decoded from {path}")
    if progress is not None:
        progress(index, index)
    return CountResult(
        passages,
        index,
        fps,
        elapsed,
        width,
        height,
        person_px,
        shaken,
        learnt,
        analysed,
        size_unlearnt=learning and not learnt,
        blocky_frames=blocky,
        blank_frames=analyzer.blank_frames,
        settling_frames=analyzer.settling_frames,
        broken_frames=analyzer.broken_frames,
        cuts=analyzer.cuts,
        lens=(params.Counter.FieldOfView, params.Counter.PersonWidth),
    )

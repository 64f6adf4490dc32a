"""Wires source -> analyzer (detect, track, count) -> ingest for one counter, in its own thread.

Used by `footfall serve`:

    handle = start_counting("synthetic", False, lambda: current_params, ingest)
    handle.status()   # {"state": "running", "fps": 15.0, "frames": ..., "passages": ..., ...}
    handle.stop()

`params_provider()` is read every frame; when it returns different Params the analyzer gets them
through `set_params`, so a setparams of the area applies while counting runs. Every passage goes
through `Ingest.add` (committed, then announced). Nothing that goes wrong with the source, the
analyzer or the store ends the thread: it is logged, shown in `status()["last_error"]`, retried.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import cv2

from footfall.committer import Committer
from footfall.config import Params, redact
from footfall.errors import BadRequest
from footfall.ingest import Ingest
from footfall.sizereport import SizeReport
from footfall.store.base import Passage
from footfall.vision.analyzer import slow_sentence, too_slow
from footfall.vision.filesource import NO_FRAMES, frames_pattern, image_sequence
from footfall.vision.livesource import LiveSource, backoff_delay
from footfall.vision.motion import NOMINAL_FPS
from footfall.vision.orient import turned
from footfall.vision.scale_analyzer import stream_break_s
from footfall.vision.sizestate import SizeMemory
from footfall.vision.source import (
    STREAM_SCHEMES,
    Source,
    file_path,
    open_source,
    source_kind,
    synthetic_seed,
    unknown_scheme,
)
from footfall.vision.types import Frame, View

if TYPE_CHECKING:
    from footfall.vision.detect import Detector

log = logging.getLogger(__name__)

BEAT_S = 1.0  # a live source says this often that no frame has come (`LiveSource.frames`)
MEASURE = 60  # a live source's frame rate is measured over this many frames
RATE_MOVED = 0.15  # and passed on to the analyzer when it moved this much (a fraction)
SIZE_SAVE_S = 10.0  # the person-size learner's samples are written this often (and at the end)


class FrameAnalyzer(Protocol):
    """What the pipeline needs from `footfall.vision.analyzer.Analyzer`."""

    def process(self, frame: Frame) -> list[Passage]:
        """Passages completed by this frame."""
        ...

    def set_params(self, params: Params) -> None:
        """Apply new Params (area, direction, person size) without losing tracks."""
        ...

    def flush(self) -> list[Passage]:
        """Passages still pending at the end of the video."""
        ...


AnalyzerFactory = Callable[[Params], FrameAnalyzer]
SourceFactory = Callable[[], Source]


def default_analyzer(params: Params) -> FrameAnalyzer:
    """The overhead analyzer (foreground detector, tracker, counter)."""
    from footfall.vision.analyzer import Analyzer

    return Analyzer(params)


def make_detector(detector: str | None, threads: int = 1) -> Detector | None:
    """The detector for a `--detector` value: None for `foreground` (the Analyzer's default,
    overhead cameras), a NetDetector for `net` (the shipped pedestrian network, oblique
    cameras) or for the path of an ONNX model, run on `threads` cores (one for a live counter,
    beside the server). A bad model fails here, not in the thread."""
    if detector in (None, "", "foreground"):
        return None
    from footfall.vision.netdetect import NetDetector

    try:
        return NetDetector(None if detector == "net" else detector, threads=threads)
    except FileNotFoundError as exc:
        raise BadRequest(f"--detector {detector}: no ONNX model file there") from exc
    except Exception as exc:  # onnxruntime raises its own types for a file it cannot load
        raise BadRequest(f"--detector {detector}: not a usable ONNX model ({exc})") from exc


def analyzer_with(detector: str | None) -> AnalyzerFactory:
    """An analyzer factory for a `--detector` value (see `make_detector`)."""
    net = make_detector(detector)
    if net is None:
        return default_analyzer
    from footfall.vision.analyzer import Analyzer

    return lambda params: Analyzer(params, net)


class CountingHandle:
    """A running counter: `status()` for the API and logs, `stop()` to end it."""

    def __init__(
        self,
        name: str,
        source_factory: SourceFactory,
        params_provider: Callable[[], Params],
        ingest: Ingest,
        analyzer_factory: AnalyzerFactory = default_analyzer,
        restart_on_end: bool = False,
        size_memory: SizeMemory | None = None,
    ) -> None:
        self.name = name
        self._size_memory = size_memory  # the person size learnt, kept over restarts
        self._size_saved = time.monotonic()
        self._source_factory = source_factory
        self._params_provider = params_provider
        self._ingest = ingest
        self._analyzer_factory = analyzer_factory
        self.restart_on_end = restart_on_end  # a looping file or a live source should not end
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._source: Source | None = None
        self._committer = Committer(ingest)  # passages on their way to the store
        self._times: deque[float] = deque(maxlen=MEASURE)
        self._rng = random.Random()
        self.retry_base_s = 1.0  # reopening a source that failed: 1 s, 2 s, 4 s ... 60 s
        self.retry_cap_s = 60.0
        self.state = "starting"
        self.frames = 0
        self.passages = {"in": 0, "out": 0}
        self.errors = 0
        self.last_error: str | None = None
        self.last_error_time: datetime | None = None
        self.started = datetime.now(UTC)
        self._latest: View | None = None
        # Each frame as counted (turned) goes to these too, e.g. `Recorder.offer` (never raise).
        self.frame_listeners: list[Callable[[Frame], None]] = []
        self.rate = NOMINAL_FPS  # frames a second counted at: the source's, or as they arrive
        self._size = SizeReport()  # the person width counted with, for status and log
        self._shaking: bool | None = None  # whether the last frame was moved back (shake)
        self._blocky: bool | None = None  # whether the picture is heavily compressed
        self._blank: bool | None = None  # whether the last frame had no picture (cuts.py)
        self._slow: bool | None = None  # whether frames come too far apart (`too_slow`)
        self._slow_told = False  # the log said so this run
        self._thread = threading.Thread(target=self._run, name=f"counting {name}", daemon=True)

    def start(self) -> CountingHandle:
        """Start the counting thread; returns self."""
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop counting: close the source, flush what the analyzer holds, wait for the thread."""
        self._stop.set()
        with self._lock:
            if self._source is not None:
                self._source.close()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout_s)
            if self._thread.is_alive():
                log.warning(
                    "counting thread for %s did not stop within %.0f s", self.name, timeout_s
                )

    def join(self, timeout_s: float | None = None) -> None:
        """Wait for the thread to end (a finite file without loop ends by itself)."""
        self._thread.join(timeout_s)

    def latest(self) -> View | None:
        """The last frame analysed and the tracks live in it (for snapshot.jpg, view.mjpg)."""
        return self._latest

    def status(self) -> dict[str, Any]:
        """fps, frames, passages, source state and the last error, as plain JSON values."""
        times = list(self._times)
        source = self._source
        return {
            "state": self.state,
            "source": self.name,
            "source_state": getattr(source, "state", "none") if source is not None else "none",
            "fps": self._arrival_fps(times),
            "frames": self.frames,
            "passages": sum(self.passages.values()),
            "in": self.passages["in"],
            "out": self.passages["out"],
            "pending": self._committer.unsent,
            # frames a live source read while counting was still busy: dropped to stay live
            "dropped_frames": getattr(source, "dropped", 0) if source is not None else 0,
            # seconds since the last frame arrived: a stalled camera or a stuck analyzer shows here
            "last_frame_age_s": round(time.monotonic() - times[-1], 1) if times else None,
            **self._size.fields(),
            # whether the camera shakes and its frames are moved back before counting (a camera
            # on an idling vehicle; docs/vision.md "A shaking camera"); None before the first frame
            "shaking": self._shaking,
            # whether the picture shows the 8x8 blocks of a heavily compressed stream (MJPEG at a
            # low quality): counted with a raised noise floor (docs/video.md); None before a frame
            "blocky": self._blocky,
            # whether the last frame analysed showed no picture (black or one colour: a camera
            # switched off, a "no video" card): such frames are skipped (docs/video.md); None
            # before the first frame
            "no_picture": self._blank,
            # whether frames come (or are counted) too far apart to count well: under 10 a
            # second, people cross the area between two frames (README, "Where the counter is
            # weak"); None before the rate is known
            "slow_stream": self._slow,
            "errors": self.errors,
            "last_error": self.last_error,
            "last_error_time": self.last_error_time.isoformat() if self.last_error_time else None,
            "started": self.started.isoformat(),
        }

    @staticmethod
    def _arrival_fps(times: list[float]) -> float:
        """Frames per second over these arrival times, to 0.1 (0 until two distinct ones)."""
        if len(times) > 1 and times[-1] > times[0]:
            return round((len(times) - 1) / (times[-1] - times[0]), 1)
        return 0.0

    # the thread

    def _error(self, message: str, exc: BaseException | None = None) -> None:
        self.errors += 1
        self.last_error = message
        self.last_error_time = datetime.now(UTC)
        if exc is not None:
            log.error("%s: %s", message, exc, exc_info=exc)
        else:
            log.error("%s", message)

    def _run(self) -> None:
        params = self._params_provider()
        analyzer = self._analyzer_factory(params)
        restore = getattr(analyzer, "restore_size", None)
        if self._size_memory is not None and callable(restore):
            self._safe(partial(restore, self._size_memory.load()), None)
        attempt = 0
        self.state = "running"
        log.info("counting %s started", self.name)
        while not self._stop.is_set():
            try:
                source = self._source_factory()
            except (OSError, ValueError) as exc:
                self._error(f"cannot open source {self.name}", exc)
                self._stop.wait(self._retry_delay(attempt))
                attempt += 1
                continue
            with self._lock:
                self._source = source
            if self._stop.is_set():
                source.close()
            frames_before = self.frames
            try:
                params = self._consume(source, analyzer, params)
            except Exception as exc:  # a source that raises is reopened, never fatal
                self._error(f"source {self.name} failed", exc)
            else:
                if self._stop.is_set() or not self.restart_on_end:
                    break  # stopped, or a finite file ended
                self._error(f"source {self.name} ended; reopening it")
            finally:
                source.close()
            if self.frames > frames_before:
                attempt = 0
            self._stop.wait(self._retry_delay(attempt))
            attempt += 1
        self._commit(self._safe(analyzer.flush, []), force=True)
        self._save_size(analyzer)
        # A file that ended while the store refused: nothing else would ever write what is
        # kept, so keep trying (serve goes on) until the store takes it or counting is stopped.
        while self._committer.unsent and not self._stop.wait(self._committer.retry_s):
            self._commit([], force=True)
        if self._committer.unsent:
            log.error(
                "%d passages were not stored: the store refused them until counting stopped",
                self._committer.unsent,
            )
        self.state = "stopped" if self._stop.is_set() else "finished"
        log.info("counting %s %s after %d frames", self.name, self.state, self.frames)

    def _retry_delay(self, attempt: int) -> float:
        return backoff_delay(attempt, self.retry_base_s, self.retry_cap_s, self._rng)

    def _consume(self, source: Source, analyzer: FrameAnalyzer, params: Params) -> Params:
        """Count every frame of `source` until it ends or stop; returns the last Params applied."""
        fps = getattr(source, "fps", None)  # files and the synthetic scene know theirs
        if isinstance(fps, float) and fps > 0:
            self._set_fps(analyzer, fps)
        # A live source's rate is what arrives (after the frames counting was too slow for are
        # dropped), measured over every MEASURE frames and passed on when it moves; anything else
        # unpaced would measure our own speed.
        live = fps is None and isinstance(source, LiveSource)
        told = 0.0
        seen = 0
        counting = False  # whether the last frame was counted (Counter.Enable)
        # A live stream that stops delivering ends, for the count, as a file does: once no frame
        # has come for as long as the analyzer takes for the end of a stream (`stream_break_s`),
        # what it holds of it (the people the motion counts at a stream's end, passages held
        # for the size) is stored, not when the stream is back, hours later perhaps (the
        # analyzer would end it at that next frame anyway).
        frames = source.frames(BEAT_S) if isinstance(source, LiveSource) else source
        ended = True  # no frame of this stream yet, or its end counted already
        # the last frames given (the one the analyzer took is shown with its tracks: it waits
        # for the next frame it analyses, a fast camera's every n-th)
        recent: deque[Frame] = deque()
        for frame in frames:
            if self._stop.is_set():
                break
            if frame is None:
                idle = time.monotonic() - self._times[-1] if not ended else 0.0
                if counting and idle >= stream_break_s(told or NOMINAL_FPS):
                    log.info("no frame from %s for %.0f s: counted to here", self.name, idle)
                    self._commit(self._safe(analyzer.flush, []))
                    ended = True
                continue
            ended = False
            current = self._params_provider()
            if current is not params and current != params:
                self._safe(partial(analyzer.set_params, current), None)
                params = current
            if params.Counter.Rotation:
                degrees = params.Counter.Rotation
                frame = replace(frame, image=turned(frame.image, degrees), turned=degrees)
            for listener in self.frame_listeners:
                listener(frame)
            self.frames += 1
            seen += 1
            self._times.append(time.monotonic())
            if live and seen % MEASURE == 0:
                arrival = self._arrival_fps(list(self._times))
                if arrival > 0 and abs(arrival - told) > RATE_MOVED * told:
                    told = arrival
                    self._set_fps(analyzer, arrival)
            if not params.Counter.Enable:  # still shown (placing the area before counting)
                if counting:  # switched off: the counted stream ends here, as a file's does
                    self._commit(self._safe(analyzer.flush, []))
                    counting = False
                self._latest = View(frame.image, frame.index, [])
                continue
            counting = True
            self._commit(self._safe(partial(analyzer.process, frame), []))
            if getattr(analyzer, "analysed", True):  # (a frame waits for the next one)
                self._size.read(analyzer, int(frame.image.shape[1]), params.Counter)
            self._shaking = bool(getattr(analyzer, "shaking", False))
            self._follow_blocky(bool(getattr(analyzer, "blocky", False)))
            self._blank = bool(getattr(analyzer, "blank", False))
            # the tracks are of the frame analysed, which waited for this one (`Analyzer`)
            taken = getattr(analyzer, "taken_index", frame.index)
            # drop the frames before the one taken, keeping the newest if it is not among them
            # (none taken yet: of a fast camera, the frame taken next is the one kept; frame
            # numbers that start again after a reopen never leave more than one behind)
            while recent and recent[0].index != taken and len(recent) > 1:
                recent.popleft()
            shown = recent[0] if recent and recent[0].index == taken else frame
            self._latest = View(shown.image, shown.index, list(getattr(analyzer, "tracks", ())))
            recent.append(frame)
            if time.monotonic() - self._size_saved >= SIZE_SAVE_S:
                self._save_size(analyzer)
        return params

    def _follow_blocky(self, blocky: bool) -> None:
        """Keep whether the picture is blocky, and say so in the log when it turns."""
        if blocky and not self._blocky:
            log.warning(
                "the picture from %s shows the 8x8 blocks of a heavily compressed stream: counted "
                "with a raised noise floor; a higher quality (lower compression) counts better",
                self.name,
            )
        elif self._blocky and not blocky:
            log.info("the picture from %s no longer shows compression blocks", self.name)
        self._blocky = blocky

    def _save_size(self, analyzer: FrameAnalyzer) -> None:
        """Keep what the person-size learner has seen (`SizeMemory`, when there is one)."""
        self._size_saved = time.monotonic()
        samples = getattr(analyzer, "size_samples", None)
        if self._size_memory is not None and callable(samples):
            self._size_memory.save(self._safe(samples, None))

    def _set_fps(self, analyzer: FrameAnalyzer, fps: float) -> None:
        if fps > 0:
            self.rate = fps
        set_fps = getattr(analyzer, "set_fps", None)
        if callable(set_fps) and fps > 0:
            self._safe(partial(set_fps, fps), None)
        self._follow_rate(fps)

    def _follow_rate(self, fps: float) -> None:
        """Keep whether frames come too far apart to count well, and say so in the log once a
        run when they do."""
        self._slow = too_slow(fps)
        if self._slow and not self._slow_told:
            self._slow_told = True
            log.warning("%s: %s", self.name, slow_sentence(fps))

    def _safe(self, call: Callable[[], Any], default: Any) -> Any:
        """Run an analyzer call; an exception is logged and the frame skipped."""
        try:
            return call()
        except Exception as exc:
            self._error("the analyzer failed on a frame", exc)
            return default

    def _commit(self, passages: list[Passage], *, force: bool = False) -> None:
        """Hand passages to the store (`Committer`), count those stored; a refusal is an error,
        logged with its cause when the outage begins (`Committer.commit`)."""
        stored, refused = self._committer.commit(passages, force=force)
        for p in stored:
            self.passages[p.direction] += 1
        self._size.stored(sum(p.track_id is None for p in stored), len(stored))
        if refused is None:
            return
        if refused.first:
            self._error("the store refused passages; keeping them to retry", refused.error)
        else:
            self.errors += 1
            self.last_error = (
                f"the store refuses passages ({refused.error}); {refused.kept} kept to retry"
            )


def start_counting(
    source: str,
    loop: bool,
    params_provider: Callable[[], Params],
    ingest: Ingest,
    *,
    paced: bool = True,
    detector: str | None = None,
    analyzer_factory: AnalyzerFactory | None = None,
    size_file: Path | None = None,
    source_fps: float | None = None,
) -> CountingHandle:
    """Count `source` (a `--source` string) in a background thread; frames of a file are paced
    at real time unless `paced=False`, and timed from now. `detector`: see `analyzer_with`.
    `size_file`: where the person size learnt is kept over restarts (`SizeMemory`), for a
    camera, a stream or the synthetic scene: a file is a recording, and counting it again starts
    at its first frame, not where the last run left the doorway, so it is counted afresh as
    `footfall count` counts it (tram 02 counted a second time from the samples of a whole first
    pass: 34 of 23, the new background model tearing the queue of its first frame)."""
    analyzers = analyzer_factory or analyzer_with(detector)
    check_source(source)

    def factory() -> Source:
        return open_source(source, loop, paced=paced, start_time=datetime.now(UTC), fps=source_fps)

    name = redact(source)
    live = source_kind(source) != "file"
    memory = SizeMemory(size_file, name) if size_file is not None and live else None
    handle = CountingHandle(
        name, factory, params_provider, ingest, analyzers, restart_on_end=loop, size_memory=memory
    )
    return handle.start()


def check_source(source: str) -> None:
    """Refuse, before any thread starts, a `--source` that cannot be right: a file that does not
    exist or does not decode, a bad synthetic seed. Streams and cameras are tried (and retried)
    by the thread."""
    spec = source.strip()
    if not spec:
        raise BadRequest(
            "--source is empty: give none (the API alone), synthetic, a video file, a URL or a "
            "camera (a device index like 0 or a path like /dev/video0)"
        )
    try:
        if synthetic_seed(spec) is not None:
            return
    except ValueError as exc:
        raise BadRequest(f"--source {source}: the synthetic seed must be a whole number") from exc
    scheme = unknown_scheme(spec)
    if scheme is not None:
        raise BadRequest(
            f"--source {redact(source)}: {scheme}:// is not a stream footfall reads; give an "
            f"{', '.join(s.removesuffix('://') for s in STREAM_SCHEMES)} URL, a video file, "
            "synthetic or a camera"
        )
    if source_kind(spec) in ("stream", "camera"):
        return
    spec = file_path(spec)
    sequence = image_sequence(Path(spec))
    if not Path(spec).is_file() and not sequence:
        pattern = frames_pattern(Path(spec))  # None unless a folder of numbered images
        if pattern is not None:
            raise BadRequest(
                f"--source {source}: a directory; for the frames in it give their pattern: "
                f"'{pattern}'"
            )
        raise BadRequest(
            f"--source {source}: no such video file (or give synthetic, a URL, or a camera: "
            "a device index like 0 or a path like /dev/video0)"
        )
    capture = cv2.VideoCapture(spec)  # a file that cannot be decoded now never will be
    try:
        if not capture.isOpened():
            raise BadRequest(
                f"--source {source}: {NO_FRAMES}"
                if sequence
                else f"--source {source}: OpenCV cannot decode it as video (not a video, or an "
                "empty or truncated one)"
            )
    finally:
        capture.release()

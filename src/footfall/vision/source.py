"""Where frames come from: a video file, a network stream, a local camera or the synthetic scene.

Every source is an iterable of `Frame`s with a `close()` (the `Source` protocol). Open one from
the `--source` string with `open_source`:

    >>> src = open_source("synthetic", paced=False)
    >>> frame = next(iter(src)); src.close()

- a file: `Frame.time` = start time + the frame's timestamp in the file (`FileClock`), so an
  offline count gives the same times on every run and a file that lost frames keeps its
  timeline; looping keeps the index (and the time) growing;
- `rtsp://`, `http://`, `https://` (e.g. an Axis camera's `/axis-cgi/mjpg/video.cgi` MJPEG or
  `/axis-media/media.amp` RTSP URL), `rtmp://`, `udp://`, `rtp://`, `tcp://` (`STREAM_SCHEMES`)
  through OpenCV's FFmpeg backend, and a local camera (an
  integer index, `/dev/videoN` or a stable `/dev/v4l/by-id/...` name): `Frame.time` is the wall
  clock at capture (for a stream with timestamps of its own, those anchored to the wall clock,
  `StreamClock`; for one delivered ahead of real time, HLS or a video over HTTP, its frames held
  until their timestamps fall due, `PacedClock`). A live source that fails to open or drops is
  reopened with capped, jittered exponential backoff, logged, forever, until `close()`.
"""

from __future__ import annotations

import abc
import functools
import itertools
import logging
import os
import random
import re
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

import cv2
import numpy as np
import numpy.typing as npt

from footfall.config import plausible_fps, redact
from footfall.vision.types import Frame

log = logging.getLogger(__name__)

# Live video OpenCV's FFmpeg reads: RTSP(S); HTTP(S) (MJPEG, HLS); RTMP(S) from a media server or
# recorder; MPEG-TS or RTP over UDP (encoders, multicast) and MPEG-TS over TCP.
STREAM_SCHEMES = (
    "rtsp://",
    "rtsps://",
    "http://",
    "https://",
    "rtmp://",
    "rtmps://",
    "udp://",
    "rtp://",
    "tcp://",
)
URL_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
OPEN_TIMEOUT_MS = 5000
READ_TIMEOUT_MS = 5000
DEFAULT_FPS = 25.0
PTS_PROBE = 60  # frames whose timestamps tell the rate of a file that lost frames
# The camera's frame interval is the shortest its frames are apart, but for a little jitter: a
# low percentile, not the median, which half the frames lost puts at two intervals (the trams
# without half their frames counted 35 / 19 / 0/33 told 12.5 fps, 20 / 16 / 0/28 told 25).
RATE_PERCENTILE = 10
ON_GRID = 0.05  # a timestamp this close (in frame intervals) to a whole frame is on it
STAMP_ROUNDING_S = 0.0011  # timestamps to the millisecond (WebM, Matroska), and a little more


@runtime_checkable
class Source(Protocol):
    """An iterable of frames that can be closed from any thread."""

    def __iter__(self) -> Iterator[Frame]: ...

    def close(self) -> None:
        """Stop producing frames and release the device or connection."""
        ...


def backoff_delay(attempt: int, base_s: float, cap_s: float, rng: random.Random) -> float:
    """Seconds before reconnect `attempt` (0-based): base·2^attempt, capped, jittered 50-100 %."""
    raw = min(cap_s, base_s * (2.0 ** min(attempt, 30)))
    return raw * (0.5 + 0.5 * rng.random())


def file_fps(capture: cv2.VideoCapture) -> float:
    """The frame rate a video file states, or DEFAULT_FPS when it states none or an implausible
    one (outside 1-240: some containers give their time base); `serve` and `count` alike."""
    fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
    return fps if plausible_fps(fps) else DEFAULT_FPS


def file_rate_known(capture: cv2.VideoCapture) -> bool:
    """Whether a video file states a frame rate of its own: a plausible one, in a container that
    knows its length. A raw stream (`.h264`) has none: FFmpeg reads it at 25 fps whatever it
    is, and its frame count comes out negative."""
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
    if fps is not None or not file_rate_known(capture):
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
        if not self.path.is_file():
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
                "%s states no usable frame rate (a raw stream?): played and counted at %g fps",
                self.path,
                self.fps,
            )
        if start_time is None:  # repeatable: the file's modification time
            start_time = datetime.fromtimestamp(int(self.path.stat().st_mtime), UTC)
        self.start_time = start_time
        self.state = "open"
        self.last_error: str | None = None
        self._closed = threading.Event()

    def __iter__(self) -> Iterator[Frame]:
        index = 0
        t0 = time.monotonic()
        offset, last = 0.0, 0.0  # a loop goes on one frame after the last one played
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
                offset = last + 1.0 / self.fps
                self._clock = FileClock(self.fps, self._clock.stamped)
            last = offset + self._clock(self._cap, index)
            if self.paced:
                _sleep_until(t0 + last, self._closed)
            yield Frame(_bgr(image), index, self.start_time + timedelta(seconds=last))
            index += 1
        self.state = "closed" if self._closed.is_set() else "ended"
        self._cap.release()

    def close(self) -> None:
        """Stop after the current frame."""
        self._closed.set()


Opener = Callable[[], "cv2.VideoCapture"]

# Streams over HTTP: MJPEG (a camera's, told by its codec) has no timestamps of its own (FFmpeg
# makes them up at 25 fps), nor does OpenCV give a camera's; every other stream's packets carry
# the camera's (RTP's, MPEG-TS's, FLV's, those of HLS segments).
HTTP_SCHEMES = ("http://", "https://")
MJPEG_FOURCCS = frozenset({"MJPG", "mjpg", "JPEG", "jpeg"})
MAX_LAG_S = 3.0  # a frame read this long after its stamp: the stream's clock is not the wall's
# The longest a paced stream's frame is held: three HLS segments of 10 s, and some. A stream whose
# timestamps run slower than its frames come (a raw H.264 stream FFmpeg times at 25 fps from a
# 30 fps camera) would otherwise fall further and further behind.
MAX_HOLD_S = 40.0

# How a live source times its frames: the wall clock at reading (MJPEG over HTTP, a camera), the
# stream's timestamps anchored to the wall clock (`StreamClock`: RTSP, RTMP, MPEG-TS), or those
# timestamps with each frame held until it falls due (`PacedClock`: HLS, a video over HTTP).
Timing = Literal["wall", "stamped", "paced"]
TIMING_NAMES: dict[Timing, str] = {
    "wall": "the wall clock",
    "stamped": "its timestamps",
    "paced": "its timestamps, each frame held until it falls due",
}


class AnchoredClock(abc.ABC):
    """A live stream's timestamps (s, the stream's clock) put on the wall clock: a frame's time
    is the anchor's plus the distance of its timestamp from the anchor frame's. `StreamClock`
    and `PacedClock` say when to anchor again and how to move the anchor."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """A new connection: anchored again at its first frame."""
        self._anchor: datetime | None = None
        self._pts0 = 0.0
        self._last_pts = 0.0

    def _anchor_at(self, pts_s: float, read_at: datetime) -> datetime:
        """Anchor at this frame, read now: its time is `read_at`."""
        self._anchor, self._pts0 = read_at, pts_s
        return read_at

    def _at(self, anchor: datetime, pts_s: float) -> datetime:
        return anchor + timedelta(seconds=pts_s - self._pts0)

    @abc.abstractmethod
    def stamp(self, pts_s: float, read_at: datetime) -> datetime:
        """The time of a frame stamped `pts_s` read at `read_at`."""


class StreamClock(AnchoredClock):
    """Capture times of a live stream's frames from the stream's own timestamps, anchored to the
    wall clock: a network that holds frames back and hands them over in a burst (Wi-Fi, a busy
    uplink) no longer bunches their times, and the motion difference, the tracks and the
    passages see the camera's spacing. Anchored at a frame as it is read, and moved earlier
    whenever a frame is read before its stamp (the anchor frame had waited): stamps never run
    ahead of the wall clock. Anchored again at a frame whose timestamp does not advance (frames
    before the first key frame, a restarted stream) or that is read more than MAX_LAG_S after
    its stamp (a stream clock slower than the wall's)."""

    def stamp(self, pts_s: float, read_at: datetime) -> datetime:
        """The capture time of a frame stamped `pts_s` (s, the stream's clock) read at `read_at`."""
        advanced = pts_s > self._last_pts
        self._last_pts = pts_s
        if self._anchor is None or not advanced:
            return self._anchor_at(pts_s, read_at)
        at = self._at(self._anchor, pts_s)
        if at > read_at:
            self._anchor -= at - read_at
            return read_at
        if (read_at - at).total_seconds() > MAX_LAG_S:
            return self._anchor_at(pts_s, read_at)
        return at


class PacedClock(AnchoredClock):
    """Times of a stream delivered ahead of real time: HLS, whose player fetches whole segments
    (2 to 10 s of video each, three of them at once on joining) and reads each one in a few
    milliseconds, or a video file served over HTTP. Each frame falls due at the wall-clock time
    of the stream's first frame plus the distance of its timestamp from that frame's; the
    reader holds a frame until then, so the counting sees the camera's spacing at the camera's
    pace, behind the live edge by the segments fetched on joining. A frame that comes after it
    fell due (a segment published or fetched late: frames would come in a burst again) moves
    the anchor later by as much, as a player waits for its buffer to fill: the frames after it
    are held that much longer, never bunched. Anchored again where the timestamps do not advance
    (a restarted stream, a VOD playlist starting over), jump ahead by more than MAX_LAG_S
    (segments that expired before they were fetched) or would hold a frame more than MAX_HOLD_S
    (timestamps slower than the stream)."""

    def stamp(self, pts_s: float, read_at: datetime) -> datetime:
        """When the frame stamped `pts_s` (s, the stream's clock) read at `read_at` falls due: its
        capture time, at or after `read_at`, or `read_at` itself."""
        step = pts_s - self._last_pts
        self._last_pts = pts_s
        if self._anchor is None or not 0 < step <= MAX_LAG_S:
            return self._anchor_at(pts_s, read_at)
        due = self._at(self._anchor, pts_s)
        if due < read_at:  # came late: it and the frames after it are held that much longer
            self._anchor += read_at - due
            return read_at
        if (due - read_at).total_seconds() > MAX_HOLD_S:  # timestamps slower than the stream
            return self._anchor_at(pts_s, read_at)
        return due


def stream_timing(url: str, capture: cv2.VideoCapture) -> Timing:
    """How an opened stream's frames are timed: over HTTP, MJPEG (a camera's
    `multipart/x-mixed-replace`, no timestamps of its own) by the wall clock, anything else
    (H.264 or H.265 in HLS segments, a video file) paced by its timestamps; RTSP, RTMP and
    MPEG-TS by their timestamps anchored to the wall clock."""
    if not url.strip().lower().startswith(HTTP_SCHEMES):
        return "stamped"
    code = int(capture.get(cv2.CAP_PROP_FOURCC)) & 0xFFFFFFFF
    fourcc = code.to_bytes(4, "little").decode("latin-1")
    return "wall" if fourcc in MJPEG_FOURCCS else "paced"


class LiveSource:
    """A network stream or camera, reopened with backoff whenever it fails, timed by `timing`
    (one `Timing`, or a function of the opened capture that tells it): the wall clock at
    reading, the stream's timestamps anchored to the wall clock (`StreamClock`), or those with
    each frame held until it falls due (`PacedClock`).

    Frames are read in a thread of their own and the counting gets the newest one each time it
    asks: when counting is slower than the camera, the frames in between are grabbed but not
    converted, and dropped (`dropped`), instead of queueing in the stream's buffers, where the
    count would fall further and further behind the doorway, capture times would be stamped
    late, and a camera would in the end drop the connection. Delivered frames are numbered
    0, 1, 2 ... (`Frame.index`); the rate they arrive at is the rate the analyzer is given.
    """

    def __init__(
        self,
        name: str,
        opener: Opener,
        base_delay_s: float = 0.5,
        max_delay_s: float = 30.0,
        seed: int | None = None,
        stall_s: float = READ_TIMEOUT_MS / 1000,
        timing: Timing | Callable[[cv2.VideoCapture], Timing] = "wall",
    ) -> None:
        self.name = name
        self._opener = opener
        self._timing = timing
        self.timing: Timing = "wall"  # decided at each opening
        self._clock: AnchoredClock | None = None  # None: the wall clock at reading
        self.stall_s = stall_s  # a read that waited this long means the stream stalled
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self._rng = random.Random(seed)
        self._closed = threading.Event()
        self._handover = threading.Condition()
        self._wanted = False  # the counting waits for a frame
        self._slot: Frame | None = None
        self._ended = False
        self.state = "connecting"
        self.last_error: str | None = None
        self.reconnects = 0
        self.dropped = 0  # frames read while the counting was still busy with an earlier one

    def __iter__(self) -> Iterator[Frame]:
        reader = threading.Thread(target=self._read, name=f"reading {self.name}", daemon=True)
        reader.start()
        index = 0
        try:
            while True:
                with self._handover:
                    self._wanted = True
                    while self._slot is None and not self._ended:
                        self._handover.wait()
                    frame, self._slot = self._slot, None
                if frame is None:
                    return
                yield Frame(frame.image, index, frame.time)
                index += 1
        finally:
            self.close()  # the reader thread ends within one read timeout

    def _read(self) -> None:
        """Grab every frame the source sends; convert and hand over the ones asked for."""
        attempt = 0
        cap: cv2.VideoCapture | None = None
        try:
            while not self._closed.is_set():
                if cap is None:
                    cap = self._open()
                    if cap is None:
                        self._wait(attempt)
                        attempt += 1
                        continue
                began = time.monotonic()
                ok = cap.grab()
                waited = time.monotonic() - began
                captured = datetime.now(UTC)
                if ok and self._clock is not None:
                    pts = float(cap.get(cv2.CAP_PROP_POS_MSEC)) / 1000.0
                    captured = self._clock.stamp(pts, captured)
                    if self.timing == "paced":
                        self._closed.wait(max(0.0, (captured - datetime.now(UTC)).total_seconds()))
                image = None
                if ok and waited < self.stall_s:
                    with self._handover:
                        wanted = self._wanted
                    if not wanted:
                        self.dropped += 1
                        attempt = 0
                        self.state = "streaming"
                        continue
                    ok, image = cap.retrieve()
                if not ok or image is None or waited >= self.stall_s:
                    # After a read timeout FFmpeg may still hand out a frame it held: late, and
                    # the stream behind it is dead. Reopen at the first such read.
                    cap.release()
                    cap = None
                    late = f" (a read waited {waited:.1f} s)" if waited >= self.stall_s else ""
                    self._failed(f"{self.name} stopped delivering frames{late}")
                    continue
                attempt = 0
                self.state = "streaming"
                with self._handover:
                    self._slot = Frame(_bgr(image), 0, captured)
                    self._wanted = False
                    self._handover.notify_all()
        finally:
            if cap is not None:
                cap.release()
            self.state = "closed"
            with self._handover:
                self._ended = True
                self._handover.notify_all()

    def _open(self) -> cv2.VideoCapture | None:
        self.state = "connecting"
        try:
            cap = self._opener()
        except cv2.error as exc:
            self._failed(f"{self.name} cannot be opened: {exc}")
            return None
        if not cap.isOpened():
            cap.release()
            self._failed(f"{self.name} cannot be opened")
            return None
        if self.reconnects or self.last_error:
            log.info("video source %s is back", self.name)
        timing = self._timing(cap) if callable(self._timing) else self._timing
        if timing != self.timing:
            log.info("video source %s is timed by %s", self.name, TIMING_NAMES[timing])
        self.timing = timing
        self._clock = {"wall": None, "stamped": StreamClock(), "paced": PacedClock()}[timing]
        return cap

    def _failed(self, message: str) -> None:
        if self._closed.is_set():  # a read cut short by close(): expected, nothing to reopen
            return
        self.last_error = message
        self.state = "reconnecting"
        self.reconnects += 1
        log.warning("%s; reconnecting", message)

    def _wait(self, attempt: int) -> None:
        delay = backoff_delay(attempt, self.base_delay_s, self.max_delay_s, self._rng)
        log.info("retrying %s in %.1f s", self.name, delay)
        self._closed.wait(delay)

    def close(self) -> None:
        """Stop; a read in progress ends within the read timeout."""
        self._closed.set()


def _bgr(image: Any) -> npt.NDArray[np.uint8]:
    """A decoded image as uint8 BGR: grey camera frames become 3-channel, like every other."""
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    return np.asarray(image, dtype=np.uint8)


def _sleep_until(deadline: float, closed: threading.Event) -> None:
    delay = deadline - time.monotonic()
    if delay > 0:
        closed.wait(delay)


def stream_opener(
    url: str, open_timeout_ms: int = OPEN_TIMEOUT_MS, read_timeout_ms: int = READ_TIMEOUT_MS
) -> Opener:
    """Open `url` with OpenCV's FFmpeg backend, bounded open and read timeouts, RTSP over TCP
    where the server offers it."""
    # RTP over the RTSP connection (TCP) first: FFmpeg's plain default, UDP, loses packets on busy
    # networks. `prefer_tcp`, not `rtsp_transport;tcp`: a server that refuses TCP (461, e.g. some
    # cameras and NVRs) is then read over UDP instead of never opening. An operator can override
    # this through the same environment variable (`rtsp_transport;tcp`: never UDP).
    os.environ.setdefault("OPENCV_FFMPEG_CAPTURE_OPTIONS", "rtsp_flags;prefer_tcp")

    def opener() -> cv2.VideoCapture:
        params = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
            open_timeout_ms,
            cv2.CAP_PROP_READ_TIMEOUT_MSEC,
            read_timeout_ms,
        ]
        return cv2.VideoCapture(url, cv2.CAP_FFMPEG, params)

    return opener


def camera_opener(device: int | str) -> Opener:
    """Open a local camera by index or device path (a stable name is followed to its device
    at every open: after a replug the same camera may come back as another /dev/videoN)."""

    def opener() -> cv2.VideoCapture:
        return cv2.VideoCapture(device_node(device))

    return opener


def parse_device(spec: str) -> int | str | None:
    """`0` -> 0, `/dev/video2` or a stable udev name (`/dev/v4l/by-id/...`,
    `/dev/v4l/by-path/...`) -> the path; anything else is not a camera."""
    if spec.isdecimal():  # what int() reads; isdigit() also passes '²', which int() refuses
        return int(spec)
    if re.fullmatch(r"/dev/video\d+|/dev/v4l/by-(id|path)/[^/]+", spec):
        return spec
    return None


def device_node(device: int | str) -> int | str:
    """The device OpenCV opens: an index as it is, a path with its symlinks followed (udev's
    by-id and by-path names link to /dev/videoN, the name OpenCV's V4L2 backend expects)."""
    return os.path.realpath(device) if isinstance(device, str) else device


def synthetic_seed(spec: str, default: int = 0) -> int | None:
    """The seed of a `synthetic[:SEED]` source (`default` without one), None for any other
    source; a seed that is not a whole number is a ValueError."""
    if spec == "synthetic":
        return default
    if not spec.startswith("synthetic:"):
        return None
    tail = spec.split(":", 1)[1]
    if not tail.isdecimal():  # what int() reads; isdigit() also passes '²', which int() refuses
        raise ValueError(f"synthetic seed must be a whole number, not {tail!r}")
    return int(tail)


SourceKind = Literal["none", "synthetic", "stream", "camera", "file"]


def unknown_scheme(spec: str) -> str | None:
    """The scheme of a URL that is neither a stream footfall reads (`STREAM_SCHEMES`) nor a
    `file://` URL (`srt://`, `ftp://`, a typo such as `rstp://`), else None."""
    found = URL_SCHEME.match(spec.strip())
    if found is None or spec.strip().lower().startswith((*STREAM_SCHEMES, "file://")):
        return None
    return found.group(1)


def file_path(spec: str) -> str:
    """The path of a file source: a `file://` URL's path (percent-decoded), else `spec`."""
    spec = spec.strip()
    if not spec.lower().startswith("file://"):
        return spec
    return urllib.parse.unquote(urllib.parse.urlsplit(spec).path)


def source_kind(spec: str) -> SourceKind:
    """What a `--source` string names: `none`, `synthetic[:SEED]` (keywords in any case; the seed
    is checked by `synthetic_seed`), a stream URL, a camera, or else a video file."""
    spec = spec.strip()
    lowered = spec.lower()
    if lowered == "none":
        return "none"
    if lowered == "synthetic" or lowered.startswith("synthetic:"):
        return "synthetic"
    if lowered.startswith(STREAM_SCHEMES):
        return "stream"
    if parse_device(spec) is not None:
        return "camera"
    return "file"


def open_source(
    spec: str,
    loop: bool = False,
    *,
    paced: bool = True,
    start_time: datetime | None = None,
    seed: int = 0,
    fps: float | None = None,
) -> Source:
    """The source named by a `--source` string: `synthetic[:SEED]`, a URL, a camera or a file
    (played at `fps` when given, else at the rate it states)."""
    spec = spec.strip()
    synthetic = synthetic_seed(spec, seed)
    if synthetic is not None:
        from footfall.vision.synthetic import SyntheticSource

        return SyntheticSource(seed=synthetic, paced=paced, start_time=start_time)
    if spec.lower().startswith(STREAM_SCHEMES):
        return LiveSource(
            redact(spec), stream_opener(spec), timing=functools.partial(stream_timing, spec)
        )
    device = parse_device(spec)
    if device is not None:
        return LiveSource(f"camera {device}", camera_opener(device))
    scheme = unknown_scheme(spec)
    if scheme is not None:
        raise ValueError(f"{redact(spec)}: {scheme}:// is not a stream footfall reads")
    return FileSource(file_path(spec), loop=loop, start_time=start_time, paced=paced, fps=fps)

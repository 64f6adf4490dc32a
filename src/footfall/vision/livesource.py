"""Frames from a network stream or a local camera (`LiveSource`), read on a thread of its own,
timed by the wall clock at capture or by the stream's own timestamps anchored to it
(`StreamClock`), or held until they fall due (`PacedClock`: HLS, a video over HTTP); a source that
fails to open or drops is reopened with capped, jittered exponential backoff (`backoff_delay`),
logged, forever, until `close()`.

    >>> src = LiveSource("camera 0", camera_opener(0))   # doctest: +SKIP
"""

from __future__ import annotations

import abc
import logging
import os
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Literal

import cv2

from footfall.vision.reading import bgr
from footfall.vision.types import Frame

log = logging.getLogger(__name__)

OPEN_TIMEOUT_MS = 5000
READ_TIMEOUT_MS = 5000


Opener = Callable[[], "cv2.VideoCapture"]


def backoff_delay(attempt: int, base_s: float, cap_s: float, rng: random.Random) -> float:
    """Seconds before reconnect `attempt` (0-based): base·2^attempt, capped, jittered 50-100 %."""
    raw = min(cap_s, base_s * (2.0 ** min(attempt, 30)))
    return raw * (0.5 + 0.5 * rng.random())


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
        for frame in self.frames():
            if frame is not None:
                yield frame

    def frames(self, beat_s: float | None = None) -> Iterator[Frame | None]:
        """The frames as they come; with `beat_s`, also None each time no frame has come for
        that long (the stream stalled, dropped or is being reopened), so that the counting can
        end what it holds of a stream that stopped, as at a file's end, rather than when the
        stream is back, which may be the next morning."""
        reader = threading.Thread(target=self._read, name=f"reading {self.name}", daemon=True)
        reader.start()
        index = 0
        try:
            while True:
                with self._handover:
                    self._wanted = True
                    if self._slot is None and not self._ended:
                        self._handover.wait(beat_s)
                    frame, self._slot = self._slot, None
                    ended = self._ended
                if frame is not None:
                    yield replace(frame, index=index)
                    index += 1
                elif ended:
                    return
                elif beat_s is not None:
                    yield None
        finally:
            self.close()  # the reader thread ends within one read timeout

    def _read(self) -> None:
        """Grab every frame the source sends; convert and hand over the ones asked for."""
        attempt = 0
        cap: cv2.VideoCapture | None = None
        # The first frame handed over after the stream was opened again is a cut (`Frame.cut`):
        # the people seen before the drop are not where they were.
        opened, cut = False, False
        try:
            while not self._closed.is_set():
                if cap is None:
                    cap = self._open()
                    if cap is None:
                        self._wait(attempt)
                        attempt += 1
                        continue
                    opened, cut = True, opened
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
                    self._slot = Frame(bgr(image), 0, captured, cut=cut)
                    self._wanted = False
                    self._handover.notify_all()
                cut = False
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

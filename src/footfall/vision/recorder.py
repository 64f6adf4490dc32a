"""Recording what the counter counts, for a hand count to be checked against later
(`check.html` with "record", then `footfall eval RECORDING TRUTH.json --fit`).

The counting thread hands every frame it counts to `Recorder.offer` (the picture as counted:
turned by `Counter.Rotation`, the area's own coordinates); a writer thread of the recorder's
encodes them, so counting never waits on the disk. A frame that finds the writer's queue full
is left out (`dropped`), and the capture time of every frame written is kept (`times`): a
moment of the check is taken to the frame of the recording shown then, whatever was left out.
Motion JPEG in AVI (OpenCV's own writer) at JPEG quality 90: what the counter saw, with no
blocks of a heavy compression to count differently: about 65 MB a minute of 352x288 at 25 fps,
three times that at 640x480. It stops by itself before the disk fills (the counts' store lives
there too): under FREE_BYTES free at the start it does not start, under KEEP_FREE_BYTES it ends.

    recorder = Recorder(folder)
    recorder.start(seconds=600)      # from the next frame on, for at most 10 minutes
    recorder.offer(frame)            # the counting thread, for every frame
    done = recorder.stop()           # the file, its frames' times, its rate
"""

from __future__ import annotations

import logging
import queue
import shutil
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from footfall.errors import BadRequest
from footfall.vision.types import Frame

log = logging.getLogger("footfall.recorder")

CHECKS_DIR = "checks"  # where in the data directory recordings of checks go
MAX_SECONDS = 1800  # a check longer than half an hour is recorded for its first half hour
QUEUE_FRAMES = 64  # frames waiting for the writer at most (about 2.5 s at 25 fps)
QUALITY = 90  # JPEG quality of the recording
FREE_BYTES = 2 * 1024**3  # a recording is refused with less free space than this left
KEEP_FREE_BYTES = 1024**3  # ... and ends when the disk has only this much left
DISK_EVERY = 50  # frames between two looks at the free space


@dataclass(slots=True)
class Recording:
    """A recording made: its file, the capture time of each frame in it, their size and rate."""

    video: Path
    times: list[datetime] = field(default_factory=list)
    size: tuple[int, int] = (0, 0)  # width, height
    fps: float = 0.0
    dropped: int = 0


class Recorder:
    """Records the frames offered between `start` and `stop` (or `seconds` after the first) to a
    new file in `folder`. One recording at a time."""

    def __init__(self, folder: Path, fps: float = 25.0) -> None:
        self.folder = folder
        self.fps = fps  # the rate the file is written at (the source's)
        self._lock = threading.Lock()
        self._queue: queue.Queue[tuple[npt.NDArray[np.uint8], datetime]] = queue.Queue(
            maxsize=QUEUE_FRAMES
        )
        self._recording: Recording | None = None
        self._until: datetime | None = None
        self._seconds = 0.0
        self._taking = False  # frames offered are queued
        self._ending = threading.Event()  # the writer ends once the queue is empty
        self._finished = threading.Event()  # ... and has closed the file
        self.failure: str | None = None  # why the last recording could not be written

    @property
    def active(self) -> bool:
        """Whether frames offered now are recorded."""
        with self._lock:
            return self._taking

    def start(self, seconds: float, now: datetime | None = None) -> Path:
        """Record the frames offered from now on, for at most `seconds` (MAX_SECONDS at most);
        the file it writes. Refused with a sentence while recording, for a duration out of
        range, or with less than FREE_BYTES of disk free."""
        if not 0 < seconds <= MAX_SECONDS:
            raise BadRequest(f"a recording lasts 1 to {MAX_SECONDS} seconds, not {seconds:g}")
        with self._lock:
            if self._recording is not None and not self._finished.is_set():
                raise BadRequest(f"already recording to {self._recording.video.name}")
            self.folder.mkdir(parents=True, exist_ok=True)
            free = shutil.disk_usage(self.folder).free
            if free < FREE_BYTES:
                raise BadRequest(
                    f"only {free / 1024**3:.1f} GiB free in {self.folder}: a recording needs "
                    f"{FREE_BYTES / 1024**3:.0f} GiB"
                )
            began = now or datetime.now(UTC)
            video = self.folder / f"check-{began.strftime('%Y%m%dT%H%M%SZ')}.avi"
            recording = Recording(video, fps=self.fps)
            self._recording, self._seconds, self._until = recording, seconds, None
            self._ending, self._finished = threading.Event(), threading.Event()
            self._queue = queue.Queue(maxsize=QUEUE_FRAMES)
            self.failure = None
            self._taking = True
            threading.Thread(
                target=self._write,
                args=(recording, self._queue, self._ending, self._finished),
                name="recorder",
                daemon=True,
            ).start()
            log.info("recording what is counted to %s for %g s at most", video, seconds)
            return video

    def offer(self, frame: Frame) -> None:
        """The counting thread's frame: queued for the writer while recording (left out when
        the writer is behind); never blocks and never raises."""
        try:
            with self._lock:
                if not self._taking or self._recording is None:
                    return
                if self._until is None:
                    self._until = frame.time + timedelta(seconds=self._seconds)
                if frame.time > self._until:  # its time is up: the writer finishes the file
                    self._taking = False
                    self._ending.set()
                    return
                try:
                    self._queue.put_nowait((frame.image, frame.time))
                except queue.Full:
                    self._recording.dropped += 1
        except Exception:  # a recording must never stop the count
            log.exception("recording a frame failed")

    def stop(self, timeout_s: float = 30.0) -> Recording | None:
        """End the recording (the frames queued are written first); it, or None if there was
        none."""
        with self._lock:
            recording = self._recording
            if recording is None:
                return None
            self._taking = False
            self._ending.set()
            finished = self._finished
        finished.wait(timeout_s)
        with self._lock:
            if self._recording is recording:
                self._recording = None
        return recording

    def _write(
        self,
        recording: Recording,
        frames: queue.Queue[tuple[npt.NDArray[np.uint8], datetime]],
        ending: threading.Event,
        finished: threading.Event,
    ) -> None:
        """The writer thread: frames from the queue into the file, until `ending` and empty."""
        writer: cv2.VideoWriter | None = None
        try:
            while True:
                try:
                    image, time = frames.get(timeout=0.1)
                except queue.Empty:
                    if ending.is_set():
                        break
                    continue
                if writer is None:
                    height, width = image.shape[:2]
                    writer = open_writer(recording.video, recording.fps, (width, height))
                    recording.size = (width, height)
                if (image.shape[1], image.shape[0]) != recording.size:  # a new stream's size
                    writer.write(cv2.resize(image, recording.size, interpolation=cv2.INTER_AREA))
                else:
                    writer.write(image)
                recording.times.append(time)
                if len(recording.times) % DISK_EVERY == 0 and not disk_left(recording.video):
                    ending.set()
                    self.failure = f"ended: under {KEEP_FREE_BYTES / 1024**3:.0f} GiB left"
                    log.warning("recording to %s %s on its disk", recording.video, self.failure)
                    break
        except (OSError, cv2.error, BadRequest) as exc:
            self.failure = str(exc)
            log.error("recording to %s failed: %s", recording.video, exc)
        finally:
            if writer is not None:
                writer.release()
            with self._lock:
                if self._recording is recording:
                    self._taking = False  # what comes now is not written
            log.info(
                "recorded %d frames to %s (%d left out)",
                len(recording.times),
                recording.video,
                recording.dropped,
            )
            finished.set()


def disk_left(video: Path) -> bool:
    """Whether the disk of `video` still has KEEP_FREE_BYTES free."""
    return shutil.disk_usage(video.parent).free >= KEEP_FREE_BYTES


def open_writer(video: Path, fps: float, size: tuple[int, int]) -> cv2.VideoWriter:
    """OpenCV's own Motion JPEG writer at QUALITY; BadRequest if it cannot open the file."""
    writer = cv2.VideoWriter(
        str(video), cv2.CAP_OPENCV_MJPEG, cv2.VideoWriter.fourcc(*"MJPG"), fps, size
    )
    if not writer.isOpened():
        raise BadRequest(f"cannot write a recording to {video}")
    writer.set(cv2.VIDEOWRITER_PROP_QUALITY, QUALITY)
    return writer

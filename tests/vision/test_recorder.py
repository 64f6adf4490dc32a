"""The recorder of checks: frames offered while recording are in the file, in order, with their
times; its time up, it takes no more; it never blocks or raises into the counting thread; one
recording at a time, refused with a sentence otherwise."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest

from footfall.errors import BadRequest
from footfall.vision import recorder as recorder_module
from footfall.vision.recorder import Recorder
from footfall.vision.types import Frame

T0 = datetime(2026, 12, 6, 14, 0, tzinfo=UTC)


def frame(i: int, size: tuple[int, int] = (320, 240)) -> Frame:
    """Frame `i`: a bar at x = 10 i on grey (told apart after a lossy encoding)."""
    image = np.full((size[1], size[0], 3), 90, np.uint8)
    x = (10 * i) % (size[0] - 20)
    image[:, x : x + 20] = 250
    return Frame(image, i, T0 + timedelta(seconds=i / 10))


def bar_x(image: np.ndarray) -> int:
    return int(np.argmax(image[:, :, 1].mean(axis=0) > 170))


def decoded(video: Path) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(video))
    images = []
    while True:
        ok, image = capture.read()
        if not ok:
            break
        images.append(image)
    capture.release()
    return images


def test_the_frames_offered_while_recording_are_the_file(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "checks", fps=10.0)
    recorder.offer(frame(0))  # before the start: not recorded
    video = recorder.start(seconds=60, now=T0)
    assert recorder.active and video.parent == tmp_path / "checks"
    for i in range(1, 31):
        recorder.offer(frame(i))
    done = recorder.stop()
    assert done is not None and done.video == video and not recorder.active
    assert done.times == [frame(i).time for i in range(1, 31)]
    assert done.size == (320, 240) and done.fps == 10.0 and done.dropped == 0
    images = decoded(video)
    assert len(images) == 30
    assert [bar_x(image) for image in images] == [(10 * i) % 300 for i in range(1, 31)]
    recorder.offer(frame(31))  # after the stop: nothing, and no error
    assert recorder.stop() is None  # nothing recorded since


def test_its_time_up_it_takes_no_more(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path, fps=10.0)
    recorder.start(seconds=2, now=T0)
    for i in range(50):  # 5 s of frames
        recorder.offer(frame(i))
    assert not recorder.active
    done = recorder.stop()
    assert done is not None and len(done.times) == 21  # 0 .. 2.0 s
    # a new one may start at once (the last ended by its time, unsaved)
    recorder.start(seconds=1, now=T0 + timedelta(seconds=10))
    assert recorder.active
    recorder.stop()


def test_a_writer_behind_leaves_frames_out_and_never_blocks_the_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk that stalls: frames beyond the queue are left out (counted), `offer` returns at
    once; what was queued is written when the disk comes back."""
    release = threading.Event()
    opened = recorder_module.open_writer

    def slow_writer(video: Path, fps: float, size: tuple[int, int]) -> cv2.VideoWriter:
        release.wait(10)
        return opened(video, fps, size)

    monkeypatch.setattr(recorder_module, "open_writer", slow_writer)
    recorder = Recorder(tmp_path, fps=10.0)
    recorder.start(seconds=600, now=T0)
    began = datetime.now(UTC)
    for i in range(recorder_module.QUEUE_FRAMES + 40):
        recorder.offer(frame(i))
    assert (datetime.now(UTC) - began).total_seconds() < 2
    release.set()
    done = recorder.stop()
    assert done is not None
    assert done.dropped >= 30
    assert len(done.times) + done.dropped == recorder_module.QUEUE_FRAMES + 40
    assert len(decoded(done.video)) == len(done.times)


def test_one_recording_at_a_time_and_sentences_for_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = Recorder(tmp_path)
    with pytest.raises(BadRequest, match="a recording lasts 1 to 1800 seconds, not 0"):
        recorder.start(seconds=0)
    with pytest.raises(BadRequest, match="not 3600"):
        recorder.start(seconds=3600)
    recorder.start(seconds=10, now=T0)
    with pytest.raises(BadRequest, match=r"already recording to check-20261206T140000Z\.avi"):
        recorder.start(seconds=10)
    recorder.stop()
    monkeypatch.setattr(recorder_module, "FREE_BYTES", 1 << 62)
    with pytest.raises(BadRequest, match=r"GiB free in .*: a recording needs"):
        recorder.start(seconds=10)


def test_a_picture_that_changes_size_is_recorded_at_the_first_size(tmp_path: Path) -> None:
    """A stream reopened at another resolution mid-check: the file keeps one size."""
    recorder = Recorder(tmp_path, fps=10.0)
    recorder.start(seconds=60, now=T0)
    for i in range(5):
        recorder.offer(frame(i))
    for i in range(5, 10):
        recorder.offer(frame(i, size=(640, 480)))
    done = recorder.stop()
    assert done is not None and done.size == (320, 240)
    images = decoded(done.video)
    assert len(images) == 10 and {image.shape for image in images} == {(240, 320, 3)}


def test_it_ends_by_itself_before_the_disk_fills(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The counts' store shares the disk: with under KEEP_FREE_BYTES left the recording ends
    (checked every DISK_EVERY frames), says why, and takes no more frames."""
    monkeypatch.setattr(recorder_module, "disk_left", lambda video: False)
    recorder = Recorder(tmp_path, fps=10.0)
    recorder.start(seconds=600, now=T0)
    for i in range(200):
        recorder.offer(frame(i))
        if i % 20 == 0:
            time.sleep(0.05)  # the writer keeps up
    deadline = time.monotonic() + 10
    while recorder.active and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not recorder.active
    done = recorder.stop()
    assert done is not None and len(done.times) == recorder_module.DISK_EVERY
    assert recorder.failure == "ended: under 1 GiB left"
    assert len(decoded(done.video)) == recorder_module.DISK_EVERY

"""The live pipeline with real sources, analyzer and SQLite store; failures are not fatal."""

from __future__ import annotations

import itertools
import json
import logging
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from footfall.commands.count import params_for
from footfall.config import Params
from footfall.counting.groundtruth import GroundTruth
from footfall.errors import BadRequest
from footfall.ingest import Ingest
from footfall.pipeline import CountingHandle, analyzer_with, start_counting
from footfall.store.base import Passage
from footfall.store.sqlite import SQLiteStore
from footfall.vision.analyzer import Analyzer
from footfall.vision.offline import count_file
from footfall.vision.person import person_width_px, work_width
from footfall.vision.scale_analyzer import ScaleAnalyzer
from footfall.vision.sizestate import SizeMemory, SizeSamples
from footfall.vision.synthetic import SCENARIO_EPOCH, SyntheticSource, scenario
from footfall.vision.types import Frame, View
from tests.needs import unavailable
from tests.polling import wait_for
from tests.real.resample import decoded, moved, zoom_shift, zoomed, zoomed_area
from tests.refusing import Refusing
from tests.serving import COMMAND
from tests.vision.tracklag import track_lag
from tests.vision.walker import write_walking

DAY = (0, 4_000_000_000)


class Holder:
    """What `footfall serve` keeps: the current Params, replaced whole by setparams."""

    def __init__(self, params: Params | None = None) -> None:
        self.params = params or Params()

    def __call__(self) -> Params:
        return self.params


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "footfall.db")
    yield s
    s.close()


def test_counts_the_synthetic_scene_into_the_store(store: SQLiteStore) -> None:
    ingest = Ingest(store)
    heard: list[Passage] = []
    ingest.subscribe(heard.append)
    handle = start_counting("synthetic", False, Holder(), ingest, paced=False)
    try:
        wait_for(lambda: handle.status()["passages"] >= 4, 60, "passages")
    finally:
        handle.stop()
    status = handle.status()
    assert status["state"] == "stopped" and status["source"] == "synthetic"
    assert status["frames"] > 0 and status["fps"] > 15 and status["last_error"] is None
    assert 0 <= status["last_frame_age_s"] < 5
    assert store.totals(*DAY) == (status["in"], status["out"])
    assert len(heard) == status["passages"]
    assert all(p.time.tzinfo is not None and p.frame is not None for p in heard)
    assert [p.time for p in heard] == sorted(p.time for p in heard)


def test_synthetic_counts_are_close_to_the_truth(store: SQLiteStore) -> None:
    source = SyntheticSource(seed=11, paced=False)
    frames = 60 * 15  # one minute of scene

    def one_minute() -> Iterator[Frame]:
        yield from itertools.islice(iter(source), frames)

    class Finite:
        fps = 15.0

        def __iter__(self) -> Iterator[Frame]:
            return one_minute()

        def close(self) -> None:
            source.close()

    handle = CountingHandle("synthetic:11", Finite, Holder(), Ingest(store)).start()
    handle.join(120)
    assert handle.status()["state"] == "finished" and handle.frames == frames
    truth = sum(source.true_totals.values())
    got = handle.status()["passages"]
    assert truth >= 10
    assert got >= 0.6 * truth  # a floor against breakage; accuracy is tests/real's job


def _minute(seed: int, quarter_turned: bool) -> type:
    """One minute of the synthetic scene, or of it seen by a camera turned a quarter turn
    (people walk left and right across the picture)."""
    source = SyntheticSource(seed=seed, paced=False)

    class Minute:
        fps = 15.0

        def __iter__(self) -> Iterator[Frame]:
            for frame in itertools.islice(iter(source), 60 * 15):
                if not quarter_turned:
                    yield frame
                    continue
                turned = cv2.rotate(frame.image, cv2.ROTATE_90_COUNTERCLOCKWISE)
                yield Frame(np.ascontiguousarray(turned), frame.index, frame.time)

        def close(self) -> None:
            source.close()

    return Minute


def test_counter_rotation_turns_a_sideways_camera_upright(tmp_path: Path) -> None:
    counted = {}
    for name, sideways, rotation in (
        ("upright", False, 0),
        ("sideways", True, 0),
        ("turned", True, 90),
    ):
        params = Params()
        params.Counter.Rotation = rotation
        with SQLiteStore(tmp_path / f"{name}.db") as s:
            handle = CountingHandle(name, _minute(11, sideways), Holder(params), Ingest(s)).start()
            handle.join(120)
            status = handle.status()
            assert status["state"] == "finished" and status["errors"] == 0
            counted[name] = (status["in"], status["out"])
            view = handle.latest()
            assert view is not None
            # The live view (snapshot, view.mjpg) shows the picture the area is drawn on.
            assert view.image.shape[:2] == ((320, 240) if name == "sideways" else (240, 320))
    assert sum(counted["upright"]) >= 10
    assert counted["turned"] == counted["upright"]  # a quarter turn back loses nothing
    # Not turned, people walk along the area, not through it.
    assert sum(counted["sideways"]) <= 0.3 * sum(counted["upright"])


def test_a_turned_picture_reaches_the_network_upright_live(tmp_path: Path) -> None:
    # Counter.Rotation 90 for a camera whose people cross left and right, counted live through
    # the shipped network: the frames carry their turn, and the network looks at them as the
    # camera shows them (people upright). Not told, it counted the man 8 times each way.
    video = write_walking(tmp_path / "walking.mp4")
    area = {"left": 0, "right": 256, "top": 364, "bottom": 404, "yfirst": 364, "ylast": 404}
    params = params_for(area | {"radius": 0}, "up", None, (768, 256), rotation=90)
    with SQLiteStore(tmp_path / "c.db") as s:
        handle = start_counting(
            str(video), False, Holder(params), Ingest(s), paced=False, detector="net"
        )
        handle.join(120)
        status = handle.status()
        assert status["state"] == "finished" and status["errors"] == 0
        assert (status["in"], status["out"]) == (1, 1)
        view = handle.latest()
        assert view is not None and view.image.shape[:2] == (768, 256)  # shown as counted


def test_the_network_path_offers_no_mounting_height(tmp_path: Path) -> None:
    # A network's boxes are each person's own: no Counter.Height (with AutoSize 0) gives them,
    # and the status must not offer one (the setup page would put it in a button). The man's
    # boxes, 150-160 px of 768, once read as a height of 260 cm.
    video = write_walking(tmp_path / "walking.mp4")
    with SQLiteStore(tmp_path / "c.db") as s:
        handle = start_counting(
            str(video), False, Holder(Params()), Ingest(s), paced=False, detector="net"
        )
        handle.join(120)
        status = handle.status()
    assert status["state"] == "finished" and status["errors"] == 0
    assert 120 < status["person_px"] < 200  # the boxes' width, not the mounting height's guess
    assert status["told_height_cm"] is None


class Noting(Analyzer):
    """The real analyzer, noting each set_params call and what each end of stream gave."""

    def __init__(self, params: Params) -> None:
        super().__init__(params)
        self.calls: list[Params] = []
        self.flushed: list[list[Passage]] = []

    def set_params(self, params: Params) -> None:
        self.calls.append(params)
        super().set_params(params)

    def flush(self) -> list[Passage]:
        passages = super().flush()
        self.flushed.append(passages)
        return passages


def count_noted(
    source: str, holder: Holder, store: SQLiteStore
) -> tuple[CountingHandle, list[Noting]]:
    """Count `source` unpaced into `store` with `Noting` analyzers (the list fills as made)."""
    made: list[Noting] = []

    def factory(params: Params) -> Noting:
        made.append(Noting(params))
        return made[-1]

    handle = start_counting(
        source, False, holder, Ingest(store), paced=False, analyzer_factory=factory
    )
    return handle, made


def test_setparams_reaches_the_running_analyzer_and_enable_stops_counting(
    store: SQLiteStore,
) -> None:
    holder = Holder()
    handle, made = count_noted("synthetic:2", holder, store)
    try:
        wait_for(lambda: handle.frames > 30, 30, "frames")
        moved = Params.model_validate({"Area": {"Top": 60, "YFirst": 60, "InDirection": "down"}})
        holder.params = moved
        wait_for(lambda: bool(made[0].calls), 10, "set_params")
        assert made[0].calls == [moved]
        holder.params = Params.model_validate(moved.model_dump())  # equal: not passed again
        wait_for(lambda: handle.status()["passages"] >= 1, 60, "a passage")
        holder.params = moved.model_copy(
            update={"Counter": moved.Counter.model_copy(update={"Enable": 0})}
        )
        time.sleep(0.3)
        counted, frames = handle.status()["passages"], handle.frames
        wait_for(lambda: handle.frames > frames + 300, 30, "more frames")
        assert handle.status()["passages"] == counted  # disabled: frames read, nothing counted
        assert len(made) == 1 and len(made[0].calls) == 2
    finally:
        handle.stop()


def test_switching_counting_off_ends_the_counted_stream_and_on_starts_afresh(
    store: SQLiteStore,
) -> None:
    """Counter.Enable = 0 used to freeze the analyzer: its tracks waited for the next person
    seen after it was switched on again, minutes later, and the motion it held back for
    tracks was never counted. Switching off now ends the stream as a file's end does."""
    holder = Holder()
    handle, made = count_noted("synthetic:5", holder, store)
    try:
        wait_for(lambda: handle.status()["passages"] >= 3, 60, "passages")
        on = holder.params
        holder.params = on.model_copy(
            update={"Counter": on.Counter.model_copy(update={"Enable": 0})}
        )
        wait_for(lambda: bool(made[0].flushed), 10, "the end of the counted stream")
        frames = handle.frames
        wait_for(lambda: handle.frames > frames + 100, 30, "frames while switched off")
        assert made[0].tracks == [] and len(made[0].flushed) == 1  # ended once, nothing left
        stored = sum(store.totals(*DAY))
        assert stored == handle.status()["passages"]  # what the end counted is stored too
        holder.params = on
        wait_for(lambda: handle.status()["passages"] > stored, 60, "counting again")
        assert len(made) == 1 and len(made[0].flushed) == 1
    finally:
        handle.stop()


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("/nowhere/clip.mp4", "no such video file"),
        ("synthetic:abc", "whole number"),
        ("synthetic:²", "whole number"),  # a digit to isdigit(), not to int(): was let through
        ("cam0", "no such video file"),
        ("²", "no such video file"),  # not a camera index: int('²') used to raise at start
        ("srt://cam:9000", "srt:// is not a stream footfall reads; give an rtsp, rtsps, http"),
        ("rstp://cam/axis-media/media.amp", "rstp:// is not a stream footfall reads"),  # a typo
        ("file:///nowhere/clip.mp4", "no such video file"),
    ],
)
def test_sources_that_cannot_be_right_are_refused_at_once(
    store: SQLiteStore, source: str, words: str
) -> None:
    with pytest.raises(BadRequest, match=words) as caught:
        start_counting(source, False, Holder(), Ingest(store))
    assert caught.value.message.startswith(f"--source {source}: ")


def test_a_url_of_a_stream_footfall_cannot_read_hides_its_password(store: SQLiteStore) -> None:
    with pytest.raises(BadRequest, match="ftp:// is not a stream") as caught:
        start_counting("ftp://root:secret@nvr/door.mp4", False, Holder(), Ingest(store))
    assert "secret" not in caught.value.message and "***@nvr" in caught.value.message


@pytest.mark.parametrize("content", [b"", b"not a video\n", b"RIFF\x00\x10\x00\x00AVI LIST"])
def test_a_file_that_does_not_decode_is_refused_at_once(
    store: SQLiteStore, tmp_path: Path, content: bytes
) -> None:
    """serve started, said it was serving, and logged a traceback on every retry, forever."""
    path = tmp_path / "clip.mp4"
    path.write_bytes(content)
    with pytest.raises(BadRequest, match="OpenCV cannot decode it as video") as caught:
        start_counting(str(path), True, Holder(), Ingest(store))
    assert caught.value.message.startswith(f"--source {path}: ")
    done = subprocess.run(
        [*COMMAND, "serve", "--data", str(tmp_path / "data"), "--port", "0", "--source", str(path)],
        capture_output=True,
        text=True,
        errors="replace",  # OpenCV's AVI reader prints the bytes it found instead of "hdrl"
        timeout=30,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert f"--source {path}: OpenCV cannot decode it as video" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_file_is_counted_to_its_end(store: SQLiteStore, tmp_path: Path) -> None:
    path = tmp_path / "clip.avi"
    write_clip(path, 12)
    handle = start_counting(str(path), False, Holder(), Ingest(store), paced=False)
    handle.join(20)
    assert handle.status()["state"] == "finished" and handle.frames == 12 and handle.errors == 0


def test_a_looping_file_that_vanishes_is_retried_not_fatal(
    store: SQLiteStore, tmp_path: Path
) -> None:
    path = tmp_path / "clip.avi"
    write_clip(path, 12)
    handle = start_counting(str(path), True, Holder(), Ingest(store), paced=False)
    handle.retry_base_s, handle.retry_cap_s = 0.05, 0.1
    try:
        wait_for(lambda: handle.frames > 30, 20, "looping frames")
        path.unlink()
        wait_for(lambda: handle.errors >= 3, 10, "retries")
        status = handle.status()
        assert status["state"] == "running" and "cannot open source" in status["last_error"]
        frames = handle.frames
        write_clip(path, 12)  # the file is back: counting goes on
        wait_for(lambda: handle.frames > frames + 30, 20, "frames of the new file")
    finally:
        t0 = time.monotonic()
        handle.stop()
        assert time.monotonic() - t0 < 3
    assert handle.status()["state"] == "stopped"


def write_clip(path: Path, n: int) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 15.0, (320, 240))
    for i in range(n):
        writer.write(np.full((240, 320, 3), 100 + i, np.uint8))
    writer.release()


class Flaky:
    """A source that raises after a few frames, as a broken decoder would."""

    opened = 0

    def __init__(self) -> None:
        Flaky.opened += 1

    def __iter__(self) -> Iterator[Frame]:
        for i in range(5):
            yield Frame(np.zeros((240, 320, 3), np.uint8), i, datetime.now(UTC))
        raise RuntimeError("decoder exploded")

    def close(self) -> None:
        pass


def test_a_source_that_raises_is_reopened(store: SQLiteStore) -> None:
    Flaky.opened = 0
    handle = CountingHandle("flaky", Flaky, Holder(), Ingest(store))
    handle.retry_base_s = 0.02
    handle.start()
    try:
        wait_for(lambda: Flaky.opened >= 3, 10, "reopening")
        assert handle.status()["state"] == "running"
        assert handle.status()["last_error"] == "source flaky failed"
        assert handle.frames >= 10
    finally:
        handle.stop()


def test_an_analyzer_failure_skips_one_frame(store: SQLiteStore) -> None:
    class Fails(Analyzer):
        def process(self, frame: Frame) -> list[Passage]:
            if frame.index == 3:
                raise ZeroDivisionError("bad frame")
            return super().process(frame)

    handle = start_counting(
        "synthetic", False, Holder(), Ingest(store), paced=False, analyzer_factory=Fails
    )
    try:
        wait_for(lambda: handle.frames > 50, 30, "frames after the failure")
        assert (
            handle.errors == 1 and handle.status()["last_error"] == "the analyzer failed on a frame"
        )
    finally:
        handle.stop()


def test_passages_wait_while_the_store_refuses(store: SQLiteStore) -> None:
    refusing = Refusing(store, refusals=2)
    handle = start_counting("synthetic", False, Holder(), Ingest(refusing), paced=False)  # type: ignore[arg-type]
    try:
        wait_for(lambda: handle.status()["passages"] >= 2, 60, "passages after the refusals")
    finally:
        handle.stop()
    assert handle.errors == 2 and refusing.refusals == 0
    assert handle.status()["pending"] == 0
    assert sum(store.totals(*DAY)) == handle.status()["passages"]


def test_a_store_outage_is_logged_once_and_retried_every_second(
    store: SQLiteStore, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database away for a while: not a traceback per frame, nor a write attempt per frame."""
    monkeypatch.setattr("footfall.committer.STORE_RETRY_S", 0.3)
    refusing = Refusing(store, refusals=4)
    caplog.set_level(logging.INFO, logger="footfall")
    handle = start_counting("synthetic", False, Holder(), Ingest(refusing), paced=False)  # type: ignore[arg-type]
    began = time.monotonic()
    try:
        wait_for(lambda: refusing.refusals == 0, 30, "the four refusals")
        wait_for(lambda: "takes passages again" in caplog.text, 30, "the store back")
    finally:
        handle.stop()
    assert time.monotonic() - began >= 4 * 0.3 * 0.9  # paced retries, not one per frame
    assert caplog.text.count("the store refused passages") == 1
    assert caplog.text.count("Traceback") <= 1
    assert handle.status()["pending"] == 0
    assert sum(store.totals(*DAY)) == handle.status()["passages"] > 0


def test_counting_leaves_the_main_thread_responsive(store: SQLiteStore) -> None:
    """A counter that held the GIL through its frames would stretch most of the main thread's
    5 ms sleeps to a frame or more; one stretched once is the machine (a loaded CI box stalled
    one of them 0.94 s), not the counter."""
    handle = start_counting("synthetic", False, Holder(), Ingest(store), paced=False)
    gaps: list[float] = []
    try:
        for _ in range(200):
            t0 = time.monotonic()
            time.sleep(0.005)
            gaps.append(time.monotonic() - t0)
    finally:
        handle.stop()
    assert handle.frames > 20
    assert float(np.median(gaps)) < 0.02, sorted(gaps)[-10:]
    assert sum(gap > 0.25 for gap in gaps) <= 2, sorted(gaps)[-10:]


class Slowing(Analyzer):
    """The real analyzer, taking 0.08 s a frame from the 80th frame on (load arriving), and
    noting the frame rates it is told."""

    rates: list[float]
    seen = 0

    def set_fps(self, fps: float) -> None:
        self.rates.append(fps)
        super().set_fps(fps)

    def process(self, frame: Frame) -> list[Passage]:
        self.seen += 1
        if self.seen > 80:
            time.sleep(0.08)
        return super().process(frame)


def test_a_live_camera_faster_than_counting_drops_frames_and_the_rate_follows(
    store: SQLiteStore, tmp_path: Path
) -> None:
    """A camera sending 50 fps: counted at its rate at first, then, once counting takes 0.08 s a
    frame, frames are dropped (shown in status) and the analyzer is told the rate it now gets,
    ~12 fps (it was told the first rate only, and the frames queued in the connection)."""
    from tests.vision.test_source import free_port, serve_mjpeg

    port = free_port()
    server = serve_mjpeg(tmp_path, port, 90)
    made: list[Slowing] = []

    def factory(params: Params) -> Slowing:
        analyzer = Slowing(params)
        analyzer.rates = []
        made.append(analyzer)
        return analyzer

    url = f"http://127.0.0.1:{port}/axis-cgi/mjpg/video.cgi"
    handle = start_counting(url, False, Holder(), Ingest(store), analyzer_factory=factory)
    try:
        wait_for(lambda: handle.frames > 60 + 2 * 60, 40, "frames at the slower rate")
        status = handle.status()
    finally:
        handle.stop()
        server.kill()
        server.wait()
    rates = made[0].rates
    assert len(rates) >= 2 and rates[0] > 35, rates  # the camera's ~50 fps first
    assert 8 < rates[-1] < 14, rates  # then what counting gets
    assert 8 < status["fps"] < 14
    assert status["slow_stream"] is (rates[-1] < 10)  # judged by the rate counting gets
    assert status["dropped_frames"] > 2 * 60


def test_stop_is_prompt_for_a_paced_source(store: SQLiteStore) -> None:
    handle = start_counting("synthetic", False, Holder(), Ingest(store))
    wait_for(lambda: handle.frames > 3, 10, "frames")
    t0 = time.monotonic()
    handle.stop()
    assert time.monotonic() - t0 < 1
    assert not any(t.name == "counting synthetic" for t in threading.enumerate())


def test_net_detector_option_runs_the_shipped_model(store: SQLiteStore) -> None:
    handle = start_counting(
        "synthetic", False, Holder(), Ingest(store), paced=False, detector="net"
    )
    try:
        wait_for(lambda: handle.frames > 10, 30, "frames through the network")
    finally:
        handle.stop()
    assert handle.errors == 0
    with pytest.raises(BadRequest, match="no ONNX model file there"):
        analyzer_with("/nowhere/model.onnx")


class OnePerFrame:
    """An analyzer that completes a passage on every frame and one more at the end."""

    def __init__(self, params: Params) -> None:
        pass

    def process(self, frame: Frame) -> list[Passage]:
        return [Passage(frame.time, "in")]

    def set_params(self, params: Params) -> None:
        pass

    def flush(self) -> list[Passage]:
        return [Passage(datetime.now(UTC), "out")]


def test_a_file_that_ends_while_the_store_refuses_is_stored_when_it_is_back(
    store: SQLiteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """serve --source FILE (no --loop) with the database away when the file ends: the thread
    finished with the passages still kept, and nothing ever wrote them (status said pending 13
    for good, the log nothing). Now it keeps trying until the store takes them."""
    monkeypatch.setattr("footfall.committer.STORE_RETRY_S", 0.05)
    path = tmp_path / "clip.avi"
    write_clip(path, 12)
    refusing = Refusing(store, refusals=10**9)  # away for the whole file
    ingest = Ingest(refusing)  # type: ignore[arg-type]
    handle = start_counting(
        str(path), False, Holder(), ingest, paced=False, analyzer_factory=OnePerFrame
    )
    try:
        wait_for(lambda: handle.status()["source_state"] == "ended", 20, "the end of the file")
        time.sleep(0.2)
        assert handle.status()["pending"] == 13 and sum(store.totals(*DAY)) == 0
        refusing.refusals = 0  # the database is back
        handle.join(5)
        assert handle.status()["state"] == "finished" and handle.status()["pending"] == 0
        assert store.totals(*DAY) == (12, 1)
    finally:
        handle.stop()


def test_passages_the_store_never_took_are_logged_when_counting_stops(
    store: SQLiteStore, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "clip.avi"
    write_clip(path, 12)
    refusing = Refusing(store, refusals=10**9)
    ingest = Ingest(refusing)  # type: ignore[arg-type]
    handle = start_counting(
        str(path), False, Holder(), ingest, paced=False, analyzer_factory=OnePerFrame
    )
    wait_for(lambda: handle.status()["source_state"] == "ended", 20, "the end of the file")
    handle.stop()
    assert handle.status()["state"] == "stopped"
    assert "13 passages were not stored" in caplog.text


def test_the_learnt_person_size_is_kept_over_a_restart(store: SQLiteStore, tmp_path: Path) -> None:
    """`footfall serve` started again (a deploy, a crash) goes on from the person size the run
    before learnt, written to the data directory, instead of relearning it from a background
    model that has just taken whoever stands in the door for the floor."""
    size_file = tmp_path / "person-size.json"
    first = start_counting(
        "synthetic:3", False, Holder(), Ingest(store), paced=False, size_file=size_file
    )
    try:
        wait_for(lambda: first.status()["passages"] >= 3, 60, "passages")
    finally:
        first.stop()
    learnt = first.status()["person_px"]
    assert first.status()["size_learnt"] is True
    saved = json.loads(size_file.read_text())
    assert saved["source"] == "synthetic:3"
    assert len(saved["samples"]["thickness"]) >= 20
    c = Params().Counter
    guess = person_width_px(320, c.Height, c.FieldOfView, c.PersonWidth)  # the scene's width
    assert learnt is not None and abs(learnt - guess) > 1.0  # what it learnt is not the guess
    assert first.status()["height_px"] == pytest.approx(guess, abs=0.1)  # shown beside it

    again = start_counting(
        "synthetic:3", False, Holder(), Ingest(store), paced=False, size_file=size_file
    )
    try:
        wait_for(lambda: again.status()["person_px"] is not None, 30, "a counted frame")
        assert again.status()["person_px"] == pytest.approx(learnt, rel=0.06)
    finally:
        again.stop()
    other = start_counting(
        "synthetic:4", False, Holder(), Ingest(store), paced=False, size_file=size_file
    )
    try:
        wait_for(lambda: other.status()["person_px"] is not None, 30, "a counted frame")
        assert other.status()["person_px"] == pytest.approx(guess, abs=0.1)  # another source
    finally:
        other.stop()


def test_the_status_and_the_log_say_when_the_learnt_size_is_held(
    store: SQLiteStore, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Once the learner has its 600 samples the width is held: the status says so, the log says
    it once with the width, and the width stays while counting goes on; a counter started again
    from the samples kept holds it from its first frame."""
    caplog.set_level(logging.INFO, logger="footfall.sizereport")
    size_file = tmp_path / "person-size.json"
    handle = start_counting(
        "synthetic:3", False, Holder(), Ingest(store), paced=False, size_file=size_file
    )
    try:
        wait_for(lambda: handle.status()["size_learnt"] is True, 60, "the size learnt")
        assert handle.status()["size_held"] is False  # learnt, and still learning
        wait_for(lambda: handle.status()["size_held"] is True, 120, "the size held")
        held = handle.status()["person_px"]
        seen = handle.status()["frames"]
        wait_for(lambda: handle.status()["frames"] >= seen + 300, 60, "300 frames more")
        assert handle.status()["person_px"] == held and handle.status()["size_held"] is True
    finally:
        handle.stop()
    said = [r.getMessage() for r in caplog.records if "held from now on" in r.getMessage()]
    assert len(said) == 1 and f"{held:.1f} px" in said[0], said
    # ... and the Counter.Height that tells a counter that width (with AutoSize 0): the one the
    # status shows, which gives the held width back within a centimetre's worth of pixels
    told = handle.status()["told_height_cm"]
    assert isinstance(told, int) and f"Counter.Height={told} with Counter.AutoSize=0" in said[0]
    c = Params().Counter
    back = [person_width_px(320, h, c.FieldOfView, c.PersonWidth) for h in (told - 1, told + 1)]
    assert min(back) <= held <= max(back), (told, held, back)
    again = start_counting(
        "synthetic:3", False, Holder(), Ingest(store), paced=False, size_file=size_file
    )
    try:
        # a frame waits for the next before it is counted: the second one read counts the first
        wait_for(lambda: again.status()["frames"] >= 3, 30, "a counted frame")
        assert again.status()["size_held"] is True
        assert again.status()["person_px"] == pytest.approx(held, rel=0.06)
    finally:
        again.stop()


def test_a_file_is_counted_afresh_whatever_the_size_memory_holds(
    store: SQLiteStore, tmp_path: Path
) -> None:
    """A file is a recording: served again it starts at its first frame, not where the last run
    left the doorway, so its size is learnt afresh (as `footfall count` does), even with samples
    kept for it, and nothing is kept for it either."""
    clip = tmp_path / "clip.avi"
    write_clip(clip, 30)
    size_file = tmp_path / "person-size.json"
    wide = SizeSamples((280, 90.0, 50, 1), (320, 240), (60.0,) * 40, (0.95,) * 40)
    SizeMemory(size_file, str(clip)).save(wide)
    kept = size_file.read_bytes()
    handle = start_counting(
        str(clip), False, Holder(), Ingest(store), paced=False, size_file=size_file
    )
    handle.join(60)
    assert handle.status()["state"] == "finished"
    c = Params().Counter
    guess = person_width_px(320, c.Height, c.FieldOfView, c.PersonWidth)
    assert handle.status()["person_px"] == pytest.approx(guess, abs=0.1)
    assert handle.status()["size_learnt"] is False  # the guess: no one crossed the clip
    assert handle.status()["told_height_cm"] is None  # nothing learnt to tell
    assert handle.status()["height_px"] == pytest.approx(guess, abs=0.1)
    assert size_file.read_bytes() == kept


@pytest.mark.parametrize("jitter_px", [0.0, 1.5])
def test_the_status_says_whether_the_camera_shakes(
    store: SQLiteStore, tmp_path: Path, jitter_px: float
) -> None:
    """A recording of our synthetic scene, every frame moved by a random shift as a camera on
    an idling vehicle would move it: the status says its frames are moved back; steady, not."""
    clip = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter.fourcc(*"MJPG"), 15.0, (320, 240))
    rng = np.random.default_rng(0)
    for frame in itertools.islice(scenario("single", 0).frames(), 60):
        writer.write(moved(frame.image, rng.uniform(-jitter_px, jitter_px, 2)))
    writer.release()
    handle = start_counting(str(clip), False, Holder(), Ingest(store), paced=False)
    handle.join(60)
    assert handle.status()["state"] == "finished"
    assert handle.status()["shaking"] is (jitter_px > 0)


def counted_recording(
    store: SQLiteStore, tmp_path: Path, images: list[npt.NDArray[np.uint8]]
) -> CountingHandle:
    """`images` recorded as a camera's MJPEG (320x240, 15 fps) and counted to the end."""
    clip = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter.fourcc(*"MJPG"), 15.0, (320, 240))
    for image in images:
        writer.write(image)
    writer.release()
    handle = start_counting(str(clip), False, Holder(), Ingest(store), paced=False)
    handle.join(60)
    assert handle.status()["state"] == "finished"
    return handle


@pytest.mark.parametrize("black", [0, 10])
def test_the_status_says_when_the_camera_shows_no_picture(
    store: SQLiteStore, tmp_path: Path, black: int, caplog: pytest.LogCaptureFixture
) -> None:
    """Our synthetic scene whose camera then shows black (switched off, a "no video" card): the
    status says there is no picture, and the log says from which frame its frames are skipped;
    the scene alone, neither."""
    images = [f.image for f in itertools.islice(scenario("single", 0).frames(), 30)]
    images += [np.zeros((240, 320, 3), np.uint8)] * black
    with caplog.at_level(logging.INFO, logger="footfall.vision.analyzer"):
        handle = counted_recording(store, tmp_path, images)
    assert handle.status()["no_picture"] is bool(black)
    said = [r.getMessage() for r in caplog.records if "shows no picture" in r.getMessage()]
    assert said == (
        ["frame 30 shows no picture (black or one colour): skipped until one comes"]
        if black
        else []
    )


@pytest.mark.parametrize("quality", [0, 10])
def test_the_status_says_whether_the_picture_is_heavily_compressed(
    store: SQLiteStore, tmp_path: Path, quality: int, caplog: pytest.LogCaptureFixture
) -> None:
    """Our synthetic scene recorded from a camera's MJPEG stream at JPEG quality 10 (its 8x8
    blocks baked in): the status says the picture is blocky, and the log says so once; recorded
    as it is, neither."""
    images = []
    for frame in itertools.islice(scenario("single", 0).frames(), 40):
        image = frame.image
        if quality:
            _, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
            image = cv2.imdecode(data, cv2.IMREAD_COLOR)
        images.append(image)
    with caplog.at_level(logging.INFO, logger="footfall.pipeline"):
        handle = counted_recording(store, tmp_path, images)
    assert handle.status()["blocky"] is bool(quality)
    said = [r for r in caplog.records if "8x8 blocks" in r.getMessage()]
    assert len(said) == (1 if quality else 0)


@pytest.mark.parametrize("stride", [1, 3])
def test_the_status_says_whether_frames_come_too_far_apart(
    store: SQLiteStore, tmp_path: Path, stride: int, caplog: pytest.LogCaptureFixture
) -> None:
    """Our synthetic scene recorded at 5 fps (every 3rd frame of its 15): the status says the
    stream is too slow to count well, and the log says so once; at 15 fps, neither."""
    clip = tmp_path / "clip.avi"
    fps = 15.0 / stride
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter.fourcc(*"MJPG"), fps, (320, 240))
    for frame in itertools.islice(scenario("single", 0).frames(), 0, 60, stride):
        writer.write(frame.image)
    writer.release()
    with caplog.at_level(logging.INFO, logger="footfall.pipeline"):
        handle = start_counting(str(clip), False, Holder(), Ingest(store), paced=False)
        handle.join(60)
    assert handle.status()["state"] == "finished"
    assert handle.status()["slow_stream"] is (stride > 1)
    said = [r for r in caplog.records if "under 10 fps" in r.getMessage()]
    assert len(said) == (1 if stride > 1 else 0)


class Pausing(ScaleAnalyzer):
    """The real analyzer, stopping in the middle of its third frame (after its person size was
    set to 99 px, before the frame is done) until told to go on."""

    def __init__(self, params: Params) -> None:
        super().__init__(params)
        self.inside = threading.Event()
        self.go_on = threading.Event()
        self.seen = 0

    def process(self, frame: Frame) -> list[Passage]:
        self.seen += 1
        if self.seen == 3:
            self._set_person(99.0)
            self.inside.set()
            self.go_on.wait(30)
            self._set_person(12.0)
        return super().process(frame)


def test_status_shows_the_person_width_of_the_last_counted_frame_never_one_mid_frame(
    store: SQLiteStore,
) -> None:
    """status() is read by the API while the counting thread is inside a frame: the person
    width it shows is the one the last whole frame was counted with (a restarted serve once
    showed the mounting-height guess the analyzer holds for an instant on its first frame)."""
    made: list[Pausing] = []

    def factory(params: Params) -> Pausing:
        made.append(Pausing(params))
        return made[-1]

    handle = start_counting(
        "synthetic:3", False, Holder(), Ingest(store), paced=False, analyzer_factory=factory
    )
    try:
        wait_for(lambda: bool(made) and made[0].inside.is_set(), 30, "the third frame")
        shown = handle.status()["person_px"]
        c = Params().Counter
        assert shown == pytest.approx(
            person_width_px(320, c.Height, c.FieldOfView, c.PersonWidth), abs=0.1
        )
        made[0].go_on.set()
        wait_for(lambda: handle.status()["frames"] >= 5, 30, "more frames")
        assert handle.status()["person_px"] != pytest.approx(99.0, abs=1)
    finally:
        made[0].go_on.set()
        handle.stop()


@pytest.mark.parametrize(
    ("zoom", "whole_width", "small"), [(0.7, True, True), (0.7, False, False), (1.0, False, False)]
)
def test_the_status_and_the_log_say_when_people_are_small_in_the_picture(
    store: SQLiteStore,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    zoom: float,
    whole_width: bool,
    small: bool,
) -> None:
    """Tram 02's first 12 s as a camera 0.7 times as close would see them, counted over an area
    as wide as the picture: the person width is learnt ~5.5 % of the picture's, too small
    (docs/vision.md "Another scale"); the status shows the share and the log says it once.
    Over the doorway's own area, a quarter of the picture, the finer analysis goes on
    (`Analyzer`, `work_width`) and the share is of the width analysed at 160 px, three times the
    area's: nothing to say. As it is (8.9 %), nothing either."""
    data = Path(__file__).resolve().parents[2] / "shared" / "data"
    tram = data / "video" / "tram_door_overhead_02.mp4"
    if not tram.exists():
        unavailable("shared clips are not here (CI must have ../shared/data)")
    truth = GroundTruth.load(data / "tram_door_overhead_02.json")
    area = truth.area.as_cntpos()
    size = (area["width"], area["height"])
    shift = zoom_shift(area, zoom)
    clip = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter.fourcc(*"MJPG"), 25.0, size)
    for image in itertools.islice(decoded(tram), 300):
        writer.write(zoomed(image, zoom, shift) if zoom != 1.0 else image)
    writer.release()
    counted_area = zoomed_area(area, zoom, shift)
    if whole_width:
        counted_area.update(left=0, right=area["width"])
    params = params_for(counted_area, truth.in_direction, None)
    caplog.set_level(logging.WARNING, logger="footfall")
    handle = start_counting(str(clip), False, Holder(params), Ingest(store), paced=False)
    handle.join(120)
    status = handle.status()
    assert status["state"] == "finished"
    # learnt small at 160 px over the doorway's area: counted finer, at 224 px (a third of
    # 160 px over its 84)
    span = 352 if whole_width or zoom == 1 else 352 * 160 / work_width(352, params.Area)
    assert span == (352 if whole_width or zoom == 1 else pytest.approx(3 * 84, abs=3))
    assert status["person_share"] == pytest.approx(status["person_px"] / span, abs=1e-3)
    said = caplog.text.count("of the picture's width: under 7.5 %")
    if small:
        assert status["person_share"] < 0.075 and said == 1, (status, caplog.text)
    else:
        assert status["person_share"] > 0.075 and said == 0, (status, caplog.text)


@pytest.mark.parametrize(
    ("clip", "dense"), [("tram_door_overhead_04", True), ("bus_overhead_koba", False)]
)
def test_the_status_and_the_log_say_when_the_count_rests_on_a_crowds_motion(
    store: SQLiteStore, caplog: pytest.LogCaptureFixture, clip: str, dense: bool
) -> None:
    """Tram 04's alighting queue merges into one moving mass, and many of its people are
    counted from the motion across the line no track claimed, in units of the learnt width: the
    status says how many and that the count rests on them, and the log says it once; the bus's
    people, every one of them tracked, give nothing to say."""
    data = Path(__file__).resolve().parents[2] / "shared" / "data"
    video = data / "video" / ("tram_door_overhead_04.mp4" if dense else "bus_overhead_koba.avi")
    if not video.exists():
        unavailable("shared clips are not here (CI must have ../shared/data)")
    truth = GroundTruth.load(
        data / f"{'tram_door_overhead_02' if dense else clip}.json"
    )  # one door
    params = params_for(truth.area.as_cntpos(), truth.in_direction, None)
    caplog.set_level(logging.WARNING, logger="footfall")
    handle = start_counting(str(video), False, Holder(params), Ingest(store), paced=False)
    handle.join(120)
    status = handle.status()
    assert status["state"] == "finished"
    said = caplog.text.count("were counted from the motion of a crowd no track could follow")
    offline = count_file(video, params)  # a file served counts what `footfall count` counts
    assert status["from_motion"] == offline.from_motion, (status, offline.from_motion)
    if dense:
        assert status["from_motion"] >= status["passages"] / 3, status
        assert status["rests_on_motion"] and said == 1, (status, caplog.text)
    else:
        assert status["from_motion"] == 0 and status["passages"] == 14, status
        assert not status["rests_on_motion"] and said == 0, (status, caplog.text)


class StoppingCamera:
    """An MJPEG camera over real HTTP (`multipart/x-mixed-replace`) that sends `jpegs` once at
    `fps` and then keeps the connection open, sending nothing more (a camera that hung, a
    stream whose source stopped), until `close`."""

    def __init__(self, jpegs: list[bytes], fps: float) -> None:
        self.sent = threading.Event()
        self._closing = threading.Event()
        camera = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
                self.end_headers()
                began = time.monotonic()
                try:
                    for k, body in enumerate(jpegs if not camera.sent.is_set() else []):
                        head = f"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: {len(body)}"
                        self.wfile.write(head.encode() + b"\r\n\r\n" + body + b"\r\n")
                        camera._closing.wait(max(0.0, began + (k + 1) / fps - time.monotonic()))
                    camera.sent.set()
                    camera._closing.wait()  # and any later connection gets no frame either
                except OSError:
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/axis-cgi/mjpg/video.cgi"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()


def test_a_live_stream_that_stops_is_counted_to_its_end_without_waiting_for_it(
    store: SQLiteStore,
) -> None:
    """Tram 03's last 12 s from a camera that then sends nothing more (switched off at closing
    time, hung): what a stream's end counts (the queue's motion no track claimed, as at a
    file's end) is stored once no frame has come for `stream_break_s`, not when the camera is
    back or counting stops (it was held until then: the day's last people missing from the
    counts until the next morning's first frame)."""
    data = Path(__file__).resolve().parents[2] / "shared" / "data"
    tram = data / "video" / "tram_door_overhead_03.mp4"
    if not tram.exists():
        unavailable("shared clips are not here (CI must have ../shared/data)")
    truth = GroundTruth.load(data / "tram_door_overhead_02.json")  # the same door and area
    params = params_for(truth.area, truth.in_direction, None)
    jpegs = [
        cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()
        for image in itertools.islice(decoded(tram), 450, None)
    ]
    camera = StoppingCamera(jpegs, truth.fps)
    handle = start_counting(camera.url, False, Holder(params), Ingest(store))
    try:
        assert camera.sent.wait(60), "the camera did not send its frames"
        wait_for(lambda: (handle.status()["last_frame_age_s"] or 0) >= 0.5, 10, "a quiet camera")
        before = store.totals(*DAY)
        quiet = time.monotonic()
        wait_for(lambda: store.totals(*DAY) != before, 8, "the stream counted to its end")
        assert time.monotonic() - quiet < 4.5  # 3 s without a frame, told each second
        ended = store.totals(*DAY)
        time.sleep(1.5)
        assert store.totals(*DAY) == ended  # nothing more while the camera stays silent
        assert handle.status()["source_state"] != "closed"  # still waiting for it
    finally:
        handle.stop()
        camera.close()
    assert store.totals(*DAY) == ended  # stopping had nothing left to add
    assert ended[0] > before[0] > 0 and ended[1] == before[1] == 0


@pytest.mark.parametrize("shown", [1, 4])
def test_the_live_view_shows_the_tracks_on_the_frame_they_were_found_in(
    store: SQLiteStore, shown: int
) -> None:
    """snapshot.jpg and view.mjpg draw `latest`: the picture and its tracks. Each frame is
    analysed when the next comes, so the picture is the frame the analyzer took, before the
    newest; the tracks lie on it (`tests/vision/tracklag.py`: under a frame behind, as
    `--annotate`'s). So too from a camera at 4 times the rate (each frame shown 4 times, 60 fps:
    one in two analysed), whose picture is the frame taken, a few back."""
    scene = scenario("single", 3, episodes=4)
    views: list[View] = []
    handle: CountingHandle | None = None

    def watched() -> Iterator[Frame]:
        step = timedelta(seconds=1 / (shown * scene.fps))
        for frame in scene.frames():
            for k in range(shown):
                latest = handle.latest() if handle is not None else None
                if latest is not None:
                    views.append(latest)  # what the counter showed after the frame before
                index = shown * frame.index + k
                yield replace(frame, index=index, time=SCENARIO_EPOCH + index * step)

    class Scene:
        fps = shown * scene.fps

        def __iter__(self) -> Iterator[Frame]:
            return watched()

        def close(self) -> None:
            pass

    handle = CountingHandle("synthetic:3", Scene, Holder(scene.params), Ingest(store))
    handle.start().join(60)
    assert handle.status()["state"] == "finished"
    if shown == 1:  # the first frame is shown alone, then each frame once the next has come
        assert [v.index for v in views] == [0, *range(scene.n_frames - 2)]
    as_scene = [replace(v, index=v.index // shown) for v in views]
    assert -0.5 < track_lag(as_scene, scene) < 1.0

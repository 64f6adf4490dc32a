"""Video sources: files (times, looping), dispatch, backoff, and a real MJPEG stream that dies."""

from __future__ import annotations

import functools
import itertools
import logging
import random
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest

from footfall.config import Params, hide_url_password, redact
from footfall.errors import BadRequest
from footfall.pipeline import check_source
from footfall.vision.filesource import (
    FileClock,
    FileSource,
    frames_pattern,
    same_rate,
    stamped_rate,
)
from footfall.vision.livesource import (
    LiveSource,
    PacedClock,
    StreamClock,
    backoff_delay,
    camera_opener,
    device_node,
    parse_device,
    stream_opener,
    stream_timing,
)
from footfall.vision.offline import count_file, open_video
from footfall.vision.source import Source, open_source, source_kind
from footfall.vision.synthetic import SyntheticSource
from footfall.vision.types import Frame
from tests.polling import wait_for

# An Axis-like MJPEG endpoint: multipart/x-mixed-replace of JPEGs whose grey level is argv[2],
# so a test can tell the server before a restart from the one after (`clock`: each frame shows
# the time it was sent instead, see `sent_ms`). `stall` sends 40 frames and
# then holds the connection open without sending more; `auth` wants Basic root:pass first,
# `digest` wants Digest root:pass (RFC 2617, qop=auth, MD5: an Axis camera's default), both with
# the password given after the mode instead of `pass` when there is one; `tls`
# serves HTTPS with the certificate and key given after the mode (a camera's self-signed one).
MJPEG_SERVER = r"""
import base64, hashlib, re, sys, time, cv2, numpy as np
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
port, level, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
password = sys.argv[4] if mode in ("auth", "digest") and len(sys.argv) > 4 else "pass"
basic = "Basic " + base64.b64encode(f"root:{password}".encode()).decode()
jpeg = cv2.imencode(".jpg", np.full((120, 160, 3), level, np.uint8))[1].tobytes()
md5 = lambda text: hashlib.md5(text.encode()).hexdigest()
def clock_jpeg():  # the send time, ms mod 65536, as four bands of grey 16 * hex digit + 8
    ms, image = int(time.time() * 1000) % 65536, np.zeros((120, 160, 3), np.uint8)
    for band in range(4):
        image[:, band * 40:(band + 1) * 40] = 16 * ((ms >> (12 - 4 * band)) & 15) + 8
    return cv2.imencode(".jpg", image)[1].tobytes()
REALM, NONCE = "AXIS_ACCC8E000000", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
def digest_ok(header, method, path):
    f = dict(re.findall(r'(\w+)="?([^",]*)"?', header.partition(" ")[2]))
    ha1, ha2 = md5(f"root:{REALM}:{password}"), md5(f"{method}:{f.get('uri', '')}")
    want = md5(f"{ha1}:{NONCE}:{f.get('nc')}:{f.get('cnonce')}:auth:{ha2}")
    return (header.startswith("Digest ") and f.get("uri") == path and f.get("nonce") == NONCE
            and f.get("qop") == "auth" and f.get("response") == want)
class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        given = self.headers.get("Authorization") or ""
        if mode == "digest" and not digest_ok(given, "GET", self.path):
            self.send_response(401)
            self.send_header("WWW-Authenticate",
                             f'Digest realm="{REALM}", nonce="{NONCE}", qop="auth", algorithm=MD5')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if mode == "auth" and given != basic:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="AXIS_ACCC8E000000"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
        self.end_headers()
        try:
            for sent in range(10**9):
                body = clock_jpeg() if mode == "clock" else jpeg
                self.wfile.write(b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: "
                                 + str(len(body)).encode() + b"\r\n\r\n" + body + b"\r\n")
                if mode == "stall" and sent >= 40:
                    time.sleep(3600)
                time.sleep(1 / 50)
        except OSError:
            pass
    def log_message(self, *args):
        pass
server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
if mode == "tls":
    import ssl
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[4], sys.argv[5])
    server.socket = context.wrap_socket(server.socket, server_side=True)
print("ready", flush=True)
server.serve_forever()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A camera's self-signed certificate and its key (openssl), in `folder`."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subject = ["-subj", "/CN=axis-accc8e000000", "-keyout", str(key), "-out", str(cert)]
    openssl = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    subprocess.run([*openssl, *subject], check=True, capture_output=True)
    return cert, key


def serve_mjpeg(
    tmp_path: Path, port: int, level: int, mode: str = "live", *tls: str
) -> subprocess.Popen[str]:
    script = tmp_path / "mjpeg_server.py"
    script.write_text(MJPEG_SERVER)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(port), str(level), mode, *tls],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


class Reader:
    """Iterates a source in a thread, keeping every frame's mean grey level."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.levels: list[float] = []
        self.frames: list[Frame] = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        for frame in self.source:
            self.levels.append(float(frame.image.mean()))
            self.frames.append(frame)

    def stop(self) -> None:
        self.source.close()
        self.thread.join(10)
        assert not self.thread.is_alive(), "the source did not stop on close()"


@pytest.fixture
def clip(tmp_path: Path) -> Iterator[Path]:
    """A 20-frame, 10 fps clip whose frame i has grey level 10·i."""
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 10.0, (64, 48))
    for i in range(20):
        writer.write(np.full((48, 64, 3), 10 * i, np.uint8))
    writer.release()
    yield path


def test_file_frames_are_timed_from_the_start_time(clip: Path) -> None:
    start = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    frames = list(FileSource(clip, start_time=start, paced=False))
    assert [f.index for f in frames] == list(range(20))
    assert [f.time for f in frames] == [start + timedelta(seconds=i / 10) for i in range(20)]
    assert abs(float(frames[7].image.mean()) - 70) < 3


@pytest.mark.parametrize(("stated", "used"), [(10.0, 10.0), (500.0, 25.0), (0.5, 25.0)])
def test_serve_and_count_read_a_files_frame_rate_alike(
    tmp_path: Path, stated: float, used: float, caplog: pytest.LogCaptureFixture
) -> None:
    # count_file took any stated rate (500 fps: motion lag, occlusion and passage times of a
    # 500 fps stream) while serve's FileSource took 25 for a rate outside 1-240.
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), stated, (64, 48))
    for i in range(6):
        writer.write(np.full((48, 64, 3), 10 * i, np.uint8))
    writer.release()
    result = count_file(path, Params())
    with caplog.at_level(logging.WARNING, logger="footfall.vision.source"):
        assert FileSource(path).fps == result.fps == used
    assert result.passages == [] and result.frames == 6
    # serve says so when it plays a file at a rate the file does not state
    assert ("states no usable frame rate" in caplog.text) == (stated != used)


def test_a_file_source_is_played_at_the_rate_it_is_told(
    clip: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """`serve --source-fps`: a raw stream states no rate and was played at 25 fps."""
    start = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    with caplog.at_level(logging.WARNING, logger="footfall.vision.source"):
        source = open_source(str(clip), paced=False, start_time=start, fps=4.0)
    assert isinstance(source, FileSource) and source.fps == 4.0
    assert [f.time for f in source][:3] == [start + timedelta(seconds=i / 4) for i in range(3)]
    assert "frame rate" not in caplog.text


def test_an_image_sequence_is_served_at_the_rate_given(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """`serve --source frames/%03d.png`: a dataset's frames, one file each, are a source like a
    video file (they were "no such video file"); they state no rate (25, and a warning) unless
    `--source-fps` gives one, and a pattern that names no frames is refused."""
    for i in range(12):
        cv2.imwrite(str(tmp_path / f"{i:03d}.png"), np.full((48, 64, 3), 20 * i, np.uint8))
    pattern = str(tmp_path / "%03d.png")
    check_source(pattern)
    start = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    with caplog.at_level(logging.WARNING, logger="footfall.vision.source"):
        guessed = open_source(pattern, paced=False, start_time=start)
        assert [f.time for f in guessed][-1] == start + timedelta(seconds=11 / 25)
    assert "states no usable frame rate" in caplog.text
    told = list(open_source(pattern, paced=False, start_time=start, fps=5.0))
    assert [f.index for f in told] == list(range(12))
    assert [f.time for f in told] == [start + timedelta(seconds=i / 5) for i in range(12)]
    assert abs(float(told[7].image.mean()) - 140) < 1
    assert isinstance(open_source(pattern, paced=False).start_time, datetime)  # the folder's
    with pytest.raises(BadRequest, match="no frames match that pattern"):
        check_source(str(tmp_path / "%03d.jpg"))
    # the folder itself: the pattern to give is named
    with pytest.raises(BadRequest, match=re.escape(f"give their pattern: '{pattern}'")):
        check_source(str(tmp_path))
    with pytest.raises(BadRequest, match=re.escape(f"give their pattern: '{pattern}'")):
        open_video(tmp_path)


def test_the_pattern_of_a_folder_of_frames_is_its_commonest_name_shape(tmp_path: Path) -> None:
    for i in range(1, 4):
        (tmp_path / f"cam1_{i:06d}.JPG").touch()
    (tmp_path / "cam1_000004.jpg.bak").touch()
    (tmp_path / "notes.txt").touch()
    (tmp_path / "100%_1.png").touch()
    assert frames_pattern(tmp_path) == tmp_path / "cam1_%06d.JPG"
    (tmp_path / "sub").mkdir()
    assert frames_pattern(tmp_path / "sub") is None
    assert frames_pattern(tmp_path / "missing") is None
    only = tmp_path / "only"
    only.mkdir()
    (only / "100%_1.png").touch()
    assert frames_pattern(only) == only / "100%%_%01d.png"  # a % in a name is escaped


@pytest.fixture
def lossy(tmp_path: Path) -> Path:
    """A 25 fps clip that lost every 4th of its 40 frames (an MP4 whose timestamps jump over
    them): frame k of the file is frame KEPT[k]."""
    from tests.real.resample import written_lossy

    kept = ((i, np.full((48, 64, 3), 6 * i, np.uint8)) for i in KEPT)
    return written_lossy(kept, tmp_path / "lossy.mp4", 25)


KEPT = [i for i in range(40) if i % 4 != 3]


def test_a_file_that_lost_frames_is_timed_by_its_timestamps(lossy: Path) -> None:
    """OpenCV states the average rate, about 19 fps; the frames were 0.04 s apart where none was
    lost. Timed by index at the stated rate, the gaps vanished and the clip ran 1.33 times fast
    (the motion difference, track and ledger windows and passage times are all in seconds)."""
    capture = cv2.VideoCapture(str(lossy))
    assert 18 < capture.get(cv2.CAP_PROP_FPS) < 20
    capture.release()
    assert stamped_rate(lossy) == 25.0
    start = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    source = FileSource(lossy, start_time=start)
    frames = list(source)
    assert source.fps == 25.0 and len(frames) == len(KEPT)
    assert [f.time for f in frames] == [start + timedelta(seconds=i / 25) for i in KEPT]
    assert count_file(lossy, Params()).fps == 25.0  # count and serve alike
    told = FileSource(lossy, start_time=start, fps=10.0)  # --source-fps: by index, as told
    assert [f.time for f in told][:4] == [start + timedelta(seconds=i / 10) for i in range(4)]


def test_a_looping_file_that_lost_frames_goes_on_one_frame_after_its_end(lossy: Path) -> None:
    src = FileSource(lossy, loop=True, start_time=datetime(2026, 1, 1, tzinfo=UTC))
    frames = []
    for frame in src:
        frames.append(frame)
        if len(frames) == len(KEPT) + 2:
            src.close()
    first, second = frames[0].time, frames[len(KEPT)].time
    assert second - first == timedelta(seconds=(KEPT[-1] + 1) / 25)  # 39 / 25 s, then one frame
    assert frames[-1].time - second == timedelta(seconds=KEPT[1] / 25)


@pytest.mark.parametrize(
    ("shown", "stated", "same"),
    [
        (15.152, 15.0, True),  # 66 ms at the 10th percentile: a WebM's millisecond timestamps
        (30.303, 29.97, True),
        (25.0, 25.2, True),  # within 1 %
        (25.0, 20.0, False),  # a fifth of the frames lost
        (15.0, 10.4, False),
    ],
)
def test_a_rate_read_off_timestamps_is_the_stated_one_but_for_their_rounding(
    shown: float, stated: float, same: bool
) -> None:
    assert same_rate(shown, stated) is same


@pytest.mark.parametrize("container", ["mkv", "webm"])
def test_millisecond_timestamps_keep_the_stated_rate(tmp_path: Path, container: str) -> None:
    """A 15 fps Matroska or WebM file: its frames are 66 or 67 ms apart; it is timed at 15 fps
    on the frame grid, not at the 15.15 fps its shortest interval reads as."""
    av = pytest.importorskip("av")
    path = tmp_path / f"clip.{container}"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libvpx-vp9" if container == "webm" else "libx264", rate=15)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(40):
            image = np.full((48, 64, 3), 5 * i, np.uint8)
            out.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")))
        out.mux(stream.encode())
    start = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    source = FileSource(path, start_time=start)
    assert source.fps == 15.0
    assert [f.time for f in source] == [start + timedelta(seconds=i / 15) for i in range(40)]


def test_the_stream_clock() -> None:
    """Frames 40 ms apart by the stream's clock, read in bursts: stamped 40 ms apart from the
    anchor, moved earlier when a frame is read before its stamp; anchored again where the
    stream's clock stalls or lags."""
    t0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def at(ms: float) -> datetime:
        return t0 + timedelta(milliseconds=ms)

    clock = StreamClock()
    # read: 0, 0, 0 (a burst), then on time; the stream's clock 40 ms a frame from 1000 ms
    reads = [0, 1, 2, 121, 161, 201]
    stamps = [clock.stamp(1.0 + 0.04 * i, at(ms)) for i, ms in enumerate(reads)]
    assert stamps[:3] == [at(0), at(1), at(2)]  # read before their stamps: the anchor moves
    assert [s - stamps[2] for s in stamps[3:]] == [timedelta(milliseconds=m) for m in (40, 80, 120)]
    assert all(s <= at(ms) for s, ms in zip(stamps, reads, strict=True))
    assert clock.stamp(1.24, at(4000)) == at(4000)  # 3.8 s late: anchored again
    assert clock.stamp(1.28, at(4100)) == at(4040)
    assert clock.stamp(1.28, at(4200)) == at(4200)  # did not advance: anchored again
    assert clock.stamp(1.32, at(4300)) == at(4240)
    clock.reset()
    assert clock.stamp(0.0, at(5000)) == at(5000)  # a new connection starts its clock anew
    assert clock.stamp(0.04, at(5100)) == at(5040)


def test_the_paced_clock() -> None:
    """Frames 40 ms apart by the stream's clock, read a segment at a time: each falls due 40 ms
    after the one before from the first frame's reading; one read after it fell due moves the
    rest later, so they are never bunched; anchored again where the stream's clock stalls or
    jumps ahead."""
    t0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def at(ms: float) -> datetime:
        return t0 + timedelta(milliseconds=ms)

    clock = PacedClock()
    # a segment of five frames read at once, the next one read 300 ms late
    stamps = [clock.stamp(10.0 + 0.04 * i, at(i * 0.5)) for i in range(5)]
    assert stamps == [at(40 * i) for i in range(5)]  # due 40 ms apart, ahead of their reading
    assert clock.stamp(10.2, at(500)) == at(500)  # due at 200 ms, came at 500: held from now on
    assert clock.stamp(10.24, at(501)) == at(540)
    assert clock.stamp(10.28, at(502)) == at(580)
    assert clock.stamp(10.28, at(600)) == at(600)  # did not advance: anchored again
    assert clock.stamp(10.32, at(601)) == at(640)
    assert clock.stamp(20.0, at(700)) == at(700)  # 9.7 s ahead (segments expired): anchored again
    assert clock.stamp(20.04, at(701)) == at(740)
    # 39 s of frames read at once: each held till due (three long segments)
    held = [clock.stamp(20.04 + 0.04 * i, at(702)) for i in range(1, 975)]
    assert held[-1] == at(740 + 40 * 974)
    assert clock.stamp(61.0, at(703)) == at(703)  # due 41 s on: anchored again, not so far behind
    clock.reset()
    assert clock.stamp(0.0, at(5000)) == at(5000)  # a new connection starts its clock anew
    assert clock.stamp(0.04, at(5001)) == at(5040)


def test_the_file_clock() -> None:
    class Stamps:
        """A capture whose frames carry these timestamps (ms)."""

        def __init__(self, ms: list[float]) -> None:
            self.ms = iter(ms)

        def get(self, prop: int) -> float:
            assert prop == cv2.CAP_PROP_POS_MSEC
            return next(self.ms)

    def times(clock: FileClock, ms: list[float]) -> list[float]:
        capture = Stamps(ms)
        return [clock(capture, i) for i in range(len(ms))]  # type: ignore[arg-type]

    # from the first frame's timestamp; on the frame grid exactly k / fps (not 120.00000001 ms)
    assert times(FileClock(25.0, True), [1000, 1040, 1120.0004, 1160]) == [0, 0.04, 0.12, 0.16]
    # off the grid (a variable-rate phone video): as stamped
    assert times(FileClock(25.0, True), [0, 33, 70]) == pytest.approx([0, 0.033, 0.07])
    # a timestamp that does not advance (a broken muxer): one interval after the last
    assert times(FileClock(10.0, True), [0, 0, 0, 500]) == pytest.approx([0, 0.1, 0.2, 0.5])
    assert times(FileClock(10.0, False), [7, 9, 3]) == pytest.approx([0, 0.1, 0.2])  # by index


def test_file_times_repeat_between_runs(clip: Path) -> None:
    first = [f.time for f in FileSource(clip)]
    again = [f.time for f in FileSource(clip)]
    assert first == again and first[0].tzinfo is not None


def test_looping_file_keeps_counting_frames(clip: Path) -> None:
    src = FileSource(clip, loop=True, start_time=datetime(2026, 1, 1, tzinfo=UTC))
    frames = []
    for frame in src:
        frames.append(frame)
        if len(frames) == 45:
            src.close()
    assert [f.index for f in frames] == list(range(45))
    assert frames[44].time - frames[0].time == timedelta(seconds=4.4)
    assert abs(float(frames[25].image.mean()) - 50) < 3  # frame 5 of the second pass
    assert src.state == "closed"
    # the first frame of each pass after the first is a cut: no one's motion runs across it
    assert [f.index for f in frames if f.cut] == [20, 40]


def test_paced_file_takes_real_time(clip: Path) -> None:
    t0 = time.monotonic()
    assert len(list(FileSource(clip, paced=True))) == 20
    assert 1.7 < time.monotonic() - t0 < 4.0  # 20 frames at 10 fps


@pytest.mark.parametrize(
    ("content", "error"),
    [(None, FileNotFoundError), (b"not a video at all", ValueError)],
)
def test_bad_file_is_refused_with_a_sentence(
    tmp_path: Path, content: bytes | None, error: type[Exception]
) -> None:
    path = tmp_path / "clip.mp4"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(error, match=r"clip\.mp4"):
        FileSource(path)


@pytest.mark.parametrize(
    ("spec", "kind", "name"),
    [
        ("synthetic", SyntheticSource, None),
        ("synthetic:7", SyntheticSource, None),
        (
            "rtsp://cam.local/axis-media/media.amp",
            LiveSource,
            "rtsp://cam.local/axis-media/media.amp",
        ),
        (
            "http://root:secret@10.0.0.9/axis-cgi/mjpg/video.cgi",
            LiveSource,
            "http://***@10.0.0.9/axis-cgi/mjpg/video.cgi",
        ),
        ("HTTPS://cam/mjpg", LiveSource, "HTTPS://cam/mjpg"),
        ("0", LiveSource, "camera 0"),
        ("/dev/video3", LiveSource, "camera /dev/video3"),
    ],
)
def test_open_source_picks_the_kind(spec: str, kind: type, name: str | None) -> None:
    src = open_source(spec)
    try:
        assert isinstance(src, kind) and isinstance(src, Source)
        if name is not None:
            assert isinstance(src, LiveSource) and src.name == name
    finally:
        src.close()


def test_open_source_seeds_the_synthetic_scene() -> None:
    src = open_source("synthetic:7")
    assert isinstance(src, SyntheticSource) and src.seed == 7
    with pytest.raises(ValueError, match="whole number"):
        open_source("synthetic:seven")
    with pytest.raises(ValueError, match="whole number"):
        open_source("synthetic:²")


def test_open_source_of_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no video file"):
        open_source(str(tmp_path / "nowhere.mp4"))


def test_a_file_url_is_the_file(clip: Path) -> None:
    src = open_source(clip.as_uri(), paced=False)
    try:
        assert isinstance(src, FileSource) and src.path == clip
        assert len(list(src)) == 20
    finally:
        src.close()
    spaced = clip.rename(clip.with_name("door clip.avi"))
    assert open_source(spaced.as_uri(), paced=False).path == spaced  # %20 decoded


@pytest.mark.parametrize("spec", ["srt://cam:9000", "rstp://root:secret@cam/media.amp"])
def test_open_source_refuses_a_url_it_cannot_read(spec: str) -> None:
    with pytest.raises(ValueError, match="is not a stream footfall reads") as caught:
        open_source(spec)
    assert "secret" not in str(caught.value)


def test_an_mpeg_ts_stream_over_udp_is_read() -> None:
    """An encoder pushing MPEG-TS to a UDP port (or multicast group): what `udp://` reads."""
    av = pytest.importorskip("av")
    port = free_port()
    stop = threading.Event()

    def push() -> None:
        with av.open(f"udp://127.0.0.1:{port}?pkt_size=1316", "w", format="mpegts") as out:
            stream = out.add_stream("mpeg2video", rate=15)
            stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
            i = 0
            while not stop.is_set() and i < 600:
                image = np.full((120, 160, 3), 200, np.uint8)
                frame = av.VideoFrame.from_ndarray(image, format="bgr24")
                for packet in stream.encode(frame):
                    out.mux(packet)
                i += 1
                time.sleep(1 / 15)

    pusher = threading.Thread(target=push, daemon=True)
    pusher.start()
    source = open_source(f"udp://127.0.0.1:{port}")
    assert isinstance(source, LiveSource)
    reader = Reader(source)
    try:
        wait_for(lambda: len(reader.levels) >= 10, 20, "frames over UDP")
        assert source.state == "streaming" and abs(reader.levels[-1] - 200) < 5
        assert source.timing == "stamped"  # MPEG-TS carries the encoder's timestamps
        assert reader.frames[-1].image.shape == (120, 160, 3)
    finally:
        reader.stop()
        stop.set()
        pusher.join(10)


@pytest.mark.parametrize(
    ("spec", "device"),
    [
        ("0", 0),
        ("12", 12),
        ("/dev/video2", "/dev/video2"),
        ("/dev/v4l/by-id/usb-Cam_0001-video-index0", "/dev/v4l/by-id/usb-Cam_0001-video-index0"),
        ("/dev/v4l/by-path/pci-0000:00:14.0-usb-0:1:1.0-video-index0",) * 2,
        ("/dev/v4l/by-id/", None),
        ("/dev/sda", None),
        ("cam0", None),
        ("²", None),
    ],
)
def test_parse_device(spec: str, device: int | str | None) -> None:
    assert parse_device(spec) == device


def test_a_stable_camera_name_opens_the_device_it_links_to(tmp_path: Path) -> None:
    node = tmp_path / "video7"
    node.touch()
    (tmp_path / "usb-Cam-video-index0").symlink_to(node)
    assert device_node(str(tmp_path / "usb-Cam-video-index0")) == str(node)
    assert device_node(3) == 3
    assert source_kind("/dev/v4l/by-id/usb-Cam-video-index0") == "camera"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("rtsp://u:p@h/x", "rtsp://***@h/x"),
        ("http://h:8080/axis-cgi/mjpg/video.cgi", "http://h:8080/axis-cgi/mjpg/video.cgi"),
        ("https://user@h/a?b=c", "https://***@h/a?b=c"),
        # a password holding an `@` showed its end; one holding a `/` was shown whole
        ("rtsp://root:p@ss@cam/axis-media/media.amp", "rtsp://***@cam/axis-media/media.amp"),
        ("rtsp://root:p/ss@cam/axis-media/media.amp", "rtsp://***@cam/axis-media/media.amp"),
        ("http://cam/a?mail=u@example.com", "http://cam/a?mail=u@example.com"),
    ],
)
def test_redact_hides_credentials(url: str, shown: str) -> None:
    assert redact(url) == shown


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://hook:s3cr%40t@h:9/in?x=1", "http://hook:***@h:9/in?x=1"),
        ("http://hook:s3cr@t@h:9/in", "http://hook:***@h:9/in"),
        # a `/` in the password, not encoded: urllib reads "s3" as the password, "cr@h" as path
        ("http://hook:s3/cr@h:9/in", "http://***@h:9/in"),
        ("postgresql://u:pw@db/footfall?password=x", "postgresql://u:***@db/footfall?password=***"),
        ("http://h/in", "http://h/in"),
    ],
)
def test_hide_url_password_hides_the_password_whole(url: str, shown: str) -> None:
    assert hide_url_password(url) == shown


def test_backoff_grows_is_capped_and_jittered() -> None:
    rng = random.Random(1)
    for attempt in range(12):
        raw = min(30.0, 0.5 * 2**attempt)
        delays = [backoff_delay(attempt, 0.5, 30.0, rng) for _ in range(200)]
        assert all(raw * 0.5 <= d <= raw for d in delays)
        assert max(delays) - min(delays) > raw * 0.3  # jittered, not fixed
    assert backoff_delay(10_000, 0.5, 30.0, rng) <= 30.0


def test_mjpeg_stream_is_read_and_resumes_after_the_server_restarts(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/axis-cgi/mjpg/video.cgi"
    server = serve_mjpeg(tmp_path, port, level=60)
    timing = functools.partial(stream_timing, url)  # as open_source tells it
    opener = stream_opener(url, 2000, 2000)
    source = LiveSource(url, opener, base_delay_s=0.1, max_delay_s=0.5, timing=timing)
    reader = Reader(source)
    try:
        wait_for(lambda: len(reader.levels) >= 10, 10, "frames from the first server")
        assert source.state == "streaming"
        assert source.timing == "wall"  # MJPEG over HTTP: no timestamps of its own
        assert abs(reader.levels[0] - 60) < 3
        before = datetime.now(UTC)
        assert abs(reader.frames[-1].time - before) < timedelta(seconds=2)  # wall clock

        server.kill()
        server.wait()
        wait_for(lambda: source.state in ("reconnecting", "connecting"), 10, "the drop")
        assert source.last_error is not None
        time.sleep(0.8)  # several failed reopen attempts while the server is down
        server = serve_mjpeg(tmp_path, port, level=180)
        wait_for(lambda: reader.levels and abs(reader.levels[-1] - 180) < 3, 15, "new frames")
        assert source.state == "streaming"
        assert source.reconnects >= 2
        indices = [f.index for f in reader.frames]
        assert indices == list(range(len(indices)))  # the index runs on across the reconnect
        # the first frame of the new connection is a cut (no one's motion runs across the
        # drop), and only it
        cuts = [f for f in reader.frames if f.cut]
        assert len(cuts) == 1 and abs(float(cuts[0].image.mean()) - 180) < 3
        before_cut = reader.frames[cuts[0].index - 1]
        assert abs(float(before_cut.image.mean()) - 60) < 3
    finally:
        reader.stop()
        server.kill()
        server.wait()


def sent_ms(image: np.ndarray) -> int:
    """The send time (ms mod 65536) a `clock` frame shows."""
    digits = [
        round((float(image[40:80, b * 40 + 10 : b * 40 + 30].mean()) - 8) / 16) for b in range(4)
    ]
    return sum(min(max(d, 0), 15) << (12 - 4 * i) for i, d in enumerate(digits))


def test_counting_slower_than_the_camera_gets_the_newest_frame(tmp_path: Path) -> None:
    """A camera sending 50 frames a second to counting that takes 0.1 s a frame: the frames in
    between are dropped, not queued, so each frame counted is the one just sent (before, they
    queued in the connection: 2.5 s behind after 3 s, and growing) and stamped when it came."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/axis-cgi/mjpg/video.cgi"
    server = serve_mjpeg(tmp_path, port, 0, "clock")
    source = LiveSource(url, stream_opener(url, 2000, 2000))
    behind: list[float] = []
    stamped: list[float] = []
    frames: list[Frame] = []
    try:
        started = time.monotonic()
        for frame in source:
            now_ms = int(time.time() * 1000) % 65536
            behind.append(((now_ms - sent_ms(frame.image)) % 65536) / 1000)
            stamped.append(abs((frame.time - datetime.now(UTC)).total_seconds()))
            frames.append(frame)
            if time.monotonic() - started > 3.0:
                break
            time.sleep(0.1)  # counting one frame
    finally:
        source.close()
        server.kill()
        server.wait()
    assert len(frames) >= 15
    assert [f.index for f in frames] == list(range(len(frames)))  # counted frames, in order
    assert max(behind[5:]) < 0.5, behind  # each is the newest, not one queued seconds ago
    assert max(stamped[5:]) < 0.5, stamped  # stamped when it came, not when it was counted
    assert source.dropped >= 3 * len(frames)  # ~4 of 5 frames sent were skipped


def test_a_read_cut_short_by_close_is_no_reconnect(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Closing a live source while it waits on a camera that then goes away: the read fails
    because we closed it. It was logged as "stopped delivering frames; reconnecting" (and,
    from a test that had ended, onto a closed log stream)."""
    port = free_port()
    server = serve_mjpeg(tmp_path, port, level=70)
    url = f"http://127.0.0.1:{port}/axis-cgi/mjpg/video.cgi"
    source = LiveSource(url, stream_opener(url, 1000, 1000), stall_s=1.0)
    reader = Reader(source)
    try:
        wait_for(lambda: len(reader.levels) >= 3, 10, "frames")
        before = source.reconnects
        with caplog.at_level(logging.WARNING, logger="footfall.vision.source"):
            source.close()
            server.kill()
            server.wait()
            wait_for(lambda: source.state == "closed", 10, "the reader to stop")
        assert source.reconnects == before
        assert not [r for r in caplog.records if "reconnecting" in r.getMessage()]
    finally:
        reader.stop()
        if server.poll() is None:
            server.kill()
            server.wait()


def test_a_stalled_stream_times_out_and_is_reopened(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/mjpg"
    server = serve_mjpeg(tmp_path, port, level=90, mode="stall")
    source = LiveSource(
        url, stream_opener(url, 1000, 1000), base_delay_s=0.1, max_delay_s=0.2, stall_s=1.0
    )
    reader = Reader(source)
    try:
        wait_for(lambda: source.reconnects >= 1, 10, "the read timeout")
        assert source.last_error is not None and "stopped delivering" in source.last_error
        wait_for(lambda: len(reader.levels) > 45, 10, "frames of a second connection")
    finally:
        reader.stop()
        server.kill()
        server.wait()


def test_a_stalled_stream_says_so_every_beat_until_frames_come_again(tmp_path: Path) -> None:
    """`frames(beat_s)`: None each `beat_s` without a frame while the stream stalls and is
    reopened (what lets the counting end a stream that stopped), then the second connection's
    frames, the first of them a cut; plain iteration never gives None."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/mjpg"
    server = serve_mjpeg(tmp_path, port, level=90, mode="stall")
    source = LiveSource(
        url, stream_opener(url, 1000, 1000), base_delay_s=0.1, max_delay_s=0.2, stall_s=1.5
    )
    seen: list[Frame | None] = []
    beats: list[float] = []
    try:
        for item in source.frames(0.2):
            seen.append(item)
            if item is None:
                beats.append(time.monotonic())
            elif len([f for f in seen if f is not None]) > 45 and beats:
                break
    finally:
        source.close()
        server.kill()
        server.wait()
    frames = [f for f in seen if f is not None]
    first_gap = seen.index(None)
    assert first_gap >= 30  # the 41 frames sent before the stall (the first may be missed)
    assert len(beats) >= 5  # the stall (1.5 s) and the reopening, told every 0.2 s
    assert all(0.1 < b - a < 1.0 for a, b in itertools.pairwise(beats))
    back = seen[len(seen) - 1 - seen[::-1].index(None) + 1]  # the first frame after the gap
    assert back is not None and back.cut and not any(f.cut for f in frames[:first_gap])
    assert [f.index for f in frames] == list(range(len(frames)))


def test_a_missing_camera_is_retried_until_closed() -> None:
    source = LiveSource("camera /dev/video99", camera_opener("/dev/video99"), base_delay_s=0.05)
    reader = Reader(source)
    wait_for(lambda: source.reconnects >= 3, 10, "repeated open attempts")
    assert source.state in ("reconnecting", "connecting")
    assert source.last_error == "camera /dev/video99 cannot be opened"
    t0 = time.monotonic()
    reader.stop()
    assert time.monotonic() - t0 < 2
    assert reader.levels == []


@pytest.mark.parametrize(
    ("mode", "password", "given"),
    [
        ("auth", "pass", "pass"),
        ("digest", "pass", "pass"),
        # a camera's password with an `@` and a `:` as typed (its end was shown in the name,
        # the log and the status), and one with a `/` given percent-encoded, as it must be
        ("auth", "p@ss:w0rd!", "p@ss:w0rd!"),
        ("digest", "p@ss:w0rd!", "p@ss:w0rd!"),
        ("digest", "p@ss/w0rd", "p%40ss%2Fw0rd"),
    ],
)
def test_a_camera_that_wants_credentials_gets_them_from_the_url(
    tmp_path: Path, mode: str, password: str, given: str
) -> None:
    """Basic, or Digest as an Axis camera asks by default: answered from the URL's login."""
    port = free_port()
    server = serve_mjpeg(tmp_path, port, 120, mode, password)
    url = f"http://root:{given}@127.0.0.1:{port}/axis-cgi/mjpg/video.cgi?resolution=320x240"
    source = open_source(url)
    assert isinstance(source, LiveSource)
    assert source.name == f"http://***@127.0.0.1:{port}/axis-cgi/mjpg/video.cgi?resolution=320x240"
    reader = Reader(source)
    try:
        wait_for(lambda: len(reader.levels) >= 3, 10, "frames after authenticating")
        assert abs(reader.levels[-1] - 120) < 3
    finally:
        reader.stop()
        server.kill()
        server.wait()


def test_https_mjpeg_with_a_self_signed_certificate_is_read(tmp_path: Path) -> None:
    """Cameras serve HTTPS with their own certificate: the stream is read, not refused."""
    cert, key = self_signed(tmp_path)
    port = free_port()
    server = serve_mjpeg(tmp_path, port, 150, "tls", str(cert), str(key))
    source = open_source(f"https://127.0.0.1:{port}/axis-cgi/mjpg/video.cgi")
    assert isinstance(source, LiveSource)
    reader = Reader(source)
    try:
        wait_for(lambda: len(reader.levels) >= 5, 15, "frames over HTTPS")
        assert abs(reader.levels[-1] - 150) < 3
        assert source.state == "streaming"
    finally:
        reader.stop()
        server.kill()
        server.wait()


@pytest.mark.parametrize(
    ("spec", "kind"),
    [
        ("none", "none"),
        (" None ", "none"),
        ("synthetic", "synthetic"),
        ("Synthetic:3", "synthetic"),
        ("synthetic:x", "synthetic"),  # the seed is synthetic_seed's to refuse
        ("rtsp://root:pw@cam/axis-media/media.amp", "stream"),
        ("HTTPS://cam/mjpg", "stream"),
        ("rtmp://nvr/live/door", "stream"),
        ("udp://239.0.0.1:5000", "stream"),
        ("rtp://0.0.0.0:5004", "stream"),
        ("tcp://encoder:2000", "stream"),
        ("0", "camera"),
        ("/dev/video2", "camera"),
        ("\u00b2", "file"),  # isdigit, but not a device index int() reads
        ("clips/door.mp4", "file"),
        ("none.mp4", "file"),
    ],
)
def test_source_kind_names_what_a_source_string_is(spec: str, kind: str) -> None:
    assert source_kind(spec) == kind

"""RTSP sources against a real RTSP server (rtsp-rs) fed with H.264 from libx264 (PyAV).

The server runs as a process, so a test can kill -9 it and start another on the same port.
rtsp-rs refuses RTP over the RTSP connection (SETUP with TCP interleaved gets 461) and sends
RTP over UDP: these tests also hold that footfall asks for TCP first and falls back to UDP.
"""

from __future__ import annotations

import itertools
import logging
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from footfall.vision.livesource import LiveSource, stream_opener
from footfall.vision.source import open_source
from tests.polling import wait_for
from tests.serving import serve_process
from tests.vision.rtsp_relay import Recorder, RtspGate
from tests.vision.test_source import Reader, free_port

# argv: PORT MODE. MODE a grey level pushes 320x240 frames of that level at 25 fps, `stallLEVEL`
# stops after 61 of them and keeps the connection open, `burstLEVEL` sends them six at a time
# every 0.24 s (a network that holds frames back; their RTP timestamps keep the 25 fps spacing);
# `synthetic` pushes footfall's synthetic scene (seed 0) at its own 15 fps, so people cross the
# counting area.
RTSP_SERVER = r"""
import itertools, sys, time
from fractions import Fraction
import av, numpy as np, rtsp
port, mode = int(sys.argv[1]), sys.argv[2]
if mode == "synthetic":
    from footfall.vision.synthetic import FPS, SyntheticSource
    fps = int(FPS)
    images = (frame.image for frame in SyntheticSource(seed=0, paced=False))
else:
    fps = 25
    level = int(mode.removeprefix("stall").removeprefix("burst"))
    images = itertools.repeat(np.full((240, 320, 3), level, np.uint8))
encoder = av.CodecContext.create("libx264", "w")
encoder.width, encoder.height, encoder.pix_fmt = 320, 240, "yuv420p"
encoder.time_base, encoder.framerate = Fraction(1, fps), Fraction(fps, 1)
encoder.options = {"tune": "zerolatency", "g": str(fps // 2), "bf": "0"}  # a key frame each 0.5 s
server = rtsp.Server(f"127.0.0.1:{port}")
server.start()
print("ready", flush=True)
t0 = time.monotonic()
for index, image in enumerate(images):
    frame = av.VideoFrame.from_ndarray(image, format="bgr24")
    frame.pts = index
    for packet in encoder.encode(frame):
        server.send_frame(bytes(packet), 90000 // fps)
    if not mode.startswith("burst") or index % 6 == 5:
        time.sleep(max(0.0, t0 + (index + 1) / fps - time.monotonic()))
    if mode.startswith("stall") and index == 60:
        time.sleep(3600)  # the connection stays open, no frame comes
"""

VIEWER = httpx.DigestAuth("view", "pw")
SECRET = "s3cr3tPW"  # never to be seen in a log line, an error or a status


def assert_secret_hidden(
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str], source: LiveSource
) -> None:
    """SECRET is in no log line, nothing FFmpeg or OpenCV printed, nor the source's status."""
    captured = capfd.readouterr()
    for text in (caplog.text, captured.out, captured.err, source.name, source.last_error or ""):
        assert SECRET not in text


def serve_rtsp(tmp_path: Path, port: int, mode: str) -> subprocess.Popen[str]:
    """The RTSP server on 127.0.0.1:`port` pushing `mode` (a grey level or `synthetic`)."""
    script = tmp_path / "rtsp_server.py"
    script.write_text(RTSP_SERVER)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(port), mode], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def stop(proc: subprocess.Popen[str]) -> None:
    proc.kill()
    proc.wait(10)


def near(level: float, expected: int) -> bool:
    """H.264 in yuv420p and back to BGR moves a flat grey level by about 3."""
    return abs(level - expected) < 6


def test_rtsp_stream_is_read_with_wall_clock_times(tmp_path: Path) -> None:
    port = free_port()
    server = serve_rtsp(tmp_path, port, "60")
    source = open_source(f"rtsp://127.0.0.1:{port}/stream")
    assert isinstance(source, LiveSource)
    reader = Reader(source)
    try:
        wait_for(lambda: len(reader.frames) >= 80, 20, "frames from the RTSP server")
        assert source.state == "streaming" and source.reconnects == 0
        assert source.timing == "stamped"  # RTP timestamps, anchored to the wall clock
        assert all(near(level, 60) for level in reader.levels)
        assert reader.frames[0].image.shape == (240, 320, 3)
        times = [frame.time for frame in reader.frames[:80]]
        assert all(a < b for a, b in itertools.pairwise(times))
        assert abs(times[-1] - datetime.now(UTC)) < timedelta(seconds=3)  # the wall clock
        # Opening buffers about a second of frames (FFmpeg probes the stream), read at once;
        # then frames come at the server's 25 fps: 50 intervals, 2 s.
        span = (times[79] - times[29]).total_seconds()
        assert 1.0 < span < 6, span
    finally:
        reader.stop()
        stop(server)


def test_frames_a_network_bunches_keep_the_cameras_spacing(tmp_path: Path) -> None:
    """The server sends six frames at once every 0.24 s. Stamped at reading, five in six came
    0 ms after the one before and the sixth 0.24 s after: the motion difference, taken 0.08 s
    back by time, compared frames 0.24 s apart. Stamped by the stream's RTP timestamps,
    anchored to the wall clock, they are 40 ms apart (80 after a frame dropped), and never
    ahead of the wall clock. A burst that comes sooner after its frames were taken than any before
    it moves the anchor earlier by the difference (stamps never run ahead of the wall clock): on a
    loaded machine, whose first bursts are read late, a few gaps are shorter than an interval."""
    port = free_port()
    server = serve_rtsp(tmp_path, port, "burst60")
    source = open_source(f"rtsp://127.0.0.1:{port}/stream")
    reader = Reader(source)
    try:
        wait_for(lambda: len(reader.frames) >= 130, 25, "frames from the RTSP server")
        times = [frame.time for frame in reader.frames[:130]]
        assert times[-1] <= datetime.now(UTC)
        gaps = [(b - a).total_seconds() / 0.04 for a, b in itertools.pairwise(times[40:])]
        assert all(gap >= 0 for gap in gaps), gaps
        # whole frame intervals (a frame the reader was too busy for is dropped: two); stamped
        # at reading, 5 gaps in 6 would be 0
        whole = [gap for gap in gaps if abs(gap - round(gap)) < 0.1 and gap >= 0.9]
        assert len(whole) >= 0.9 * len(gaps), gaps
        assert sorted(gaps)[len(gaps) // 2] == pytest.approx(1.0, abs=0.05)
    finally:
        reader.stop()
        stop(server)


def test_rtsp_asks_for_tcp_first_and_takes_udp_when_refused(tmp_path: Path) -> None:
    # `rtsp_transport;tcp` never opened a server that refuses TCP: footfall retried for ever.
    port = free_port()
    server = serve_rtsp(tmp_path, port, "90")
    relay = Recorder(port)
    source = open_source(f"rtsp://127.0.0.1:{relay.port}/stream")
    assert isinstance(source, LiveSource)
    reader = Reader(source)
    try:
        wait_for(lambda: len(reader.frames) >= 5, 20, "frames over UDP")
        assert near(reader.levels[-1], 90) and source.reconnects == 0
        transports = relay.transports()
        assert transports[0].startswith("RTP/AVP/TCP;unicast;interleaved=")  # refused: 461
        assert transports[1].startswith("RTP/AVP/UDP;unicast;client_port=")
        assert os.environ["OPENCV_FFMPEG_CAPTURE_OPTIONS"] == "rtsp_flags;prefer_tcp"
    finally:
        reader.stop()
        relay.close()
        stop(server)


def test_rtsp_source_resumes_after_the_server_is_killed_and_restarted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    port = free_port()
    server = serve_rtsp(tmp_path, port, "60")
    source = open_source(f"rtsp://127.0.0.1:{port}/stream")
    assert isinstance(source, LiveSource)
    source.max_delay_s = 1.0  # the reopen attempts while the server is down stay frequent
    reader = Reader(source)
    try:
        wait_for(lambda: len(reader.frames) >= 10, 20, "frames from the first server")
        server.kill()
        server.wait(10)
        killed = time.monotonic()
        dropped = "stopped delivering frames; reconnecting"
        wait_for(lambda: dropped in caplog.text, 15, "the drop")  # the read timeout at the latest
        detected = time.monotonic() - killed
        wait_for(lambda: source.reconnects >= 2, 15, "a failed reopen while the server is down")
        server = serve_rtsp(tmp_path, port, "180")
        wait_for(lambda: near(reader.levels[-1], 180), 20, "frames from the restarted server")
        assert reader.thread.is_alive() and source.state == "streaming"
        assert detected < 9, detected
        indices = [frame.index for frame in reader.frames]
        assert indices == list(range(len(indices)))  # the index runs on across the reconnect
        times = [frame.time for frame in reader.frames]
        assert all(a < b for a, b in itertools.pairwise(times))
        before = len(reader.frames)
        wait_for(lambda: len(reader.frames) >= before + 10, 10, "the stream to go on")
        closing = time.monotonic()
        reader.stop()
        assert time.monotonic() - closing < 2  # a frame every 40 ms ends the read in progress
        assert source.state == "closed"
    finally:
        reader.stop()
        stop(server)


def test_a_stalled_rtsp_stream_times_out_and_is_reopened(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The server keeps the connection open and sends nothing more. FFmpeg hands out a frame it
    # still held after the read timeout; a read that waited that long reopens at once.
    caplog.set_level(logging.INFO)
    port = free_port()
    server = serve_rtsp(tmp_path, port, "stall150")
    url = f"rtsp://127.0.0.1:{port}/stream"
    source = LiveSource(
        url, stream_opener(url, 1000, 1000), base_delay_s=0.1, max_delay_s=0.5, stall_s=1.0
    )
    reader = Reader(source)
    try:
        wait_for(lambda: len(reader.frames) >= 5, 20, "frames before the stall")
        stalled = time.monotonic()
        wait_for(lambda: "stopped delivering frames" in caplog.text, 20, "the read timeout")
        assert time.monotonic() - stalled < 5  # the first late read, not the third
        assert reader.thread.is_alive() and near(reader.levels[-1], 150)
        wait_for(lambda: source.reconnects >= 2, 20, "a reopen of the stalled server")
        closing = time.monotonic()
        reader.stop()
        assert time.monotonic() - closing < 4  # the open or read in progress times out
    finally:
        reader.stop()
        stop(server)


def test_axis_style_rtsp_url_with_credentials_opens_and_hides_the_password(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    port = free_port()
    server = serve_rtsp(tmp_path, port, "120")
    query = "videocodec=h264&resolution=320x240&fps=25"
    url = f"rtsp://root:{SECRET}@127.0.0.1:{port}/axis-media/media.amp?{query}"
    source = open_source(url)
    assert isinstance(source, LiveSource)
    assert source.name == f"rtsp://***@127.0.0.1:{port}/axis-media/media.amp?{query}"
    source.max_delay_s = 1.0
    reader = Reader(source)
    try:
        wait_for(lambda: len(reader.frames) >= 5, 20, "frames of the Axis-style URL")
        assert near(reader.levels[-1], 120)
        stop(server)  # every failure message: the drop, then reopens that cannot connect
        wait_for(lambda: source.reconnects >= 3, 20, "the drop and failed reopens")
        assert source.last_error is not None and "cannot be opened" in source.last_error
    finally:
        reader.stop()
        stop(server)
    assert "stopped delivering frames" in caplog.text and "cannot be opened" in caplog.text
    assert "***@127.0.0.1" in caplog.text
    assert_secret_hidden(caplog, capfd, source)


def test_footfall_serve_counts_people_from_an_rtsp_stream(tmp_path: Path) -> None:
    port = free_port()
    server = serve_rtsp(tmp_path, port, "synthetic")
    data = tmp_path / "data"
    url = f"rtsp://root:{SECRET}@127.0.0.1:{port}/stream"
    process, base = serve_process(data, ["--source", url, "--user", "view:pw:viewer"])
    try:
        body: dict[str, int] = {}

        def counted() -> bool:
            nonlocal body
            answer = httpx.get(base + "/local/tvpc/.api?live-sum.json", auth=VIEWER, timeout=5)
            body = answer.raise_for_status().json()
            return body["in"] + body["out"] > 0

        started = time.monotonic()
        wait_for(counted, 25, "a passage counted from the RTSP stream")
        print(f"first passage after {time.monotonic() - started:.1f} s: {body}")  # with -s
    finally:
        process.kill()
        process.wait(10)
        stop(server)
    log = (tmp_path / "data.stderr").read_text()
    assert f"counting rtsp://***@127.0.0.1:{port}/stream started" in log
    assert SECRET not in log


def behind_gate(
    tmp_path: Path, password: str, scheme: str
) -> tuple[subprocess.Popen[str], RtspGate, LiveSource, Reader]:
    """The RTSP server (grey 90) behind a login gate for root:`password`, and a source reading
    it with root:SECRET in its URL."""
    port = free_port()
    server = serve_rtsp(tmp_path, port, "90")
    gate = RtspGate(port, "root", password, scheme)
    source = open_source(f"rtsp://root:{SECRET}@127.0.0.1:{gate.port}/axis-media/media.amp")
    assert isinstance(source, LiveSource)
    return server, gate, source, Reader(source)


@pytest.mark.parametrize("scheme", ["Digest", "Basic"])
def test_an_rtsp_login_challenge_is_answered_from_the_url(
    tmp_path: Path, scheme: str, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    """An Axis camera asks RTSP clients to log in (Digest by default, Basic if so set): the
    user and password of the URL answer the challenge, and the password is never shown."""
    caplog.set_level(logging.DEBUG)
    server, gate, source, reader = behind_gate(tmp_path, SECRET, scheme)
    try:
        wait_for(lambda: len(reader.frames) >= 5, 20, f"frames through the {scheme} login")
        assert near(reader.levels[-1], 90)
        assert gate.challenged >= 1 and "DESCRIBE" in gate.admitted and "PLAY" in gate.admitted
    finally:
        reader.stop()
        gate.close()
        stop(server)
    assert_secret_hidden(caplog, capfd, source)


def test_a_wrong_rtsp_password_never_streams_and_is_not_shown(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    server, gate, source, reader = behind_gate(tmp_path, "the-right-one", "Digest")
    try:
        wait_for(lambda: source.reconnects >= 2, 30, "failed logins retried")
        assert reader.frames == [] and gate.admitted == []
        assert source.last_error is not None and "cannot be opened" in source.last_error
    finally:
        reader.stop()
        gate.close()
        stop(server)
    assert_secret_hidden(caplog, capfd, source)

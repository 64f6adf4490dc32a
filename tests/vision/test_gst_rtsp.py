"""RTSP sources against GStreamer's RTSP server (gst-rtsp-server, Debian's; `.ci/run` installs
it, the system Python runs it): what the rtsp-rs server of test_rtsp_source.py cannot do — RTP
over the RTSP connection (TCP interleaved, forced), a real server's Digest and Basic login, and
RTSPS (RTSP over TLS with a camera's self-signed certificate)."""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from footfall.vision.livesource import LiveSource
from footfall.vision.source import open_source
from tests.needs import unavailable
from tests.polling import wait_for
from tests.vision.test_rtsp_source import SECRET, assert_secret_hidden, near
from tests.vision.test_source import Reader, free_port, self_signed

SERVER = Path(__file__).with_name("gst_rtsp_server.py")
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, where python3-gi lives
PROBE = (
    "import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer"
)


@pytest.fixture(scope="module")
def gst() -> str:
    found = subprocess.run([SYSTEM_PYTHON, "-c", PROBE], capture_output=True, check=False)
    if found.returncode != 0:
        unavailable(
            "GStreamer's RTSP server is not installed (python3-gi, gir1.2-gst-rtsp-server-1.0)"
        )
    return SYSTEM_PYTHON


@pytest.fixture
def rtsp_server(gst: str) -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for proc in started:
        proc.kill()
        proc.wait(10)


def start(servers: list[subprocess.Popen[str]], gst: str, *flags: str) -> int:
    """A GStreamer RTSP server (grey 90) with `flags`; its port."""
    port = free_port()
    proc = subprocess.Popen(
        [gst, str(SERVER), str(port), "90", *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    servers.append(proc)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return port


def frames_from(url: str, wanted: int = 5) -> tuple[LiveSource, list[float]]:
    """Open `url` and read `wanted` frames (or give up after 20 s); the source and the levels."""
    source = open_source(url)
    assert isinstance(source, LiveSource)
    reader = Reader(source)
    try:
        wait_for(lambda: len(reader.levels) >= wanted or source.reconnects >= 2, 20, url)
    finally:
        reader.stop()
    return source, reader.levels


URL = "{scheme}://{login}127.0.0.1:{port}/axis-media/media.amp"


def test_rtp_over_the_rtsp_connection(rtsp_server: list[subprocess.Popen[str]], gst: str) -> None:
    """A server that offers TCP interleaved only: footfall asks for TCP first and reads it."""
    port = start(rtsp_server, gst, "--tcp-only")
    source, levels = frames_from(URL.format(scheme="rtsp", login="", port=port))
    assert len(levels) >= 5 and near(levels[-1], 90), source.last_error
    assert source.reconnects == 0


@pytest.mark.parametrize("auth", ["digest", "basic"])
def test_a_real_servers_login_is_answered_from_the_url(
    rtsp_server: list[subprocess.Popen[str]],
    gst: str,
    auth: str,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    port = start(rtsp_server, gst, "--login", f"root:{SECRET}", "--auth", auth, "--tcp-only")
    source, levels = frames_from(URL.format(scheme="rtsp", login=f"root:{SECRET}@", port=port))
    assert len(levels) >= 5 and near(levels[-1], 90), source.last_error
    wrong, none = frames_from(URL.format(scheme="rtsp", login="root:nope@", port=port))
    assert none == [] and wrong.reconnects >= 2
    anonymous, nothing = frames_from(URL.format(scheme="rtsp", login="", port=port))
    assert nothing == [] and anonymous.reconnects >= 2
    assert_secret_hidden(caplog, capfd, source)


def test_rtsps_with_a_cameras_self_signed_certificate(
    rtsp_server: list[subprocess.Popen[str]],
    gst: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    cert, key = self_signed(tmp_path)
    login = ("--login", f"root:{SECRET}")
    port = start(rtsp_server, gst, *login, "--tls", str(cert), str(key))
    source, levels = frames_from(URL.format(scheme="rtsps", login=f"root:{SECRET}@", port=port))
    assert len(levels) >= 5 and near(levels[-1], 90), source.last_error
    assert source.name.startswith("rtsps://***@127.0.0.1")
    plain, nothing = frames_from(URL.format(scheme="rtsp", login=f"root:{SECRET}@", port=port))
    assert nothing == [] and plain.reconnects >= 2  # the TLS server does not speak plain RTSP
    assert_secret_hidden(caplog, capfd, source)

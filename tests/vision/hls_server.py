"""A live HLS stream for tests: frames encoded to H.264 at their own pace by FFmpeg's HLS muxer
(PyAV) into a folder of MPEG-TS segments and a sliding playlist, served over real HTTP.

A player joining it fetches the last three segments at once and each later one as soon as it is
listed: frames come in bursts of a segment, milliseconds apart, seconds between bursts.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Iterator
from fractions import Fraction
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves the folder without logging; the first fetch of the playlist sets `joined`."""

    def __init__(self, *args: Any, joined: threading.Event, **kwargs: Any) -> None:
        self.joined = joined
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        if self.path.split("?")[0].endswith(".m3u8"):
            self.joined.set()
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def numbered(index: int, size: tuple[int, int] = (240, 320)) -> npt.NDArray[np.uint8]:
    """A frame showing `index` mod 4096 as three bands of grey 16 * hex digit + 8 (kept through
    H.264's loss)."""
    image = np.zeros((*size, 3), np.uint8)
    width = size[1] // 3
    for band in range(3):
        image[:, band * width : (band + 1) * width] = 16 * ((index >> (8 - 4 * band)) & 15) + 8
    return image


def number_of(image: npt.NDArray[np.uint8]) -> int:
    """The index (mod 4096) a `numbered` frame shows."""
    height, width = image.shape[:2]
    third = width // 3
    digits = [
        round(
            (
                float(
                    image[height // 4 : -height // 4, b * third + 10 : (b + 1) * third - 10].mean()
                )
                - 8
            )
            / 16
        )
        for b in range(3)
    ]
    return sum(min(max(d, 0), 15) << (8 - 4 * i) for i, d in enumerate(digits))


class HlsServer:
    """Encodes `images` at `fps` in real time into `folder` as a live HLS stream (segments of
    `segment_s`, the playlist listing the last six) and serves the folder on 127.0.0.1; `url`
    is the playlist's, `joined` is set once a player has fetched it. A context manager: stops
    encoding and serving on exit."""

    def __init__(
        self,
        folder: Path,
        images: Iterator[npt.NDArray[np.uint8]],
        fps: int = 15,
        segment_s: float = 1.0,
    ) -> None:
        self.av = pytest.importorskip("av")
        self.folder, self.images, self.fps, self.segment_s = folder, images, fps, segment_s
        folder.mkdir(parents=True, exist_ok=True)
        self.sent = 0  # frames encoded so far
        self._stop = threading.Event()
        self.joined = threading.Event()  # a player fetched the playlist
        handler = functools.partial(QuietHandler, directory=str(folder), joined=self.joined)
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/live.m3u8"
        self._threads = [
            threading.Thread(target=self.http.serve_forever, daemon=True),
            threading.Thread(target=self._encode, daemon=True),
        ]

    def __enter__(self) -> HlsServer:
        for thread in self._threads:
            thread.start()
        deadline = time.monotonic() + 20
        while not (self.folder / "live.m3u8").exists():  # the first segment is listed
            assert time.monotonic() < deadline, "no HLS playlist was written"
            time.sleep(0.05)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self.http.shutdown()
        self.http.server_close()
        for thread in self._threads:
            thread.join(10)

    def _encode(self) -> None:
        options = {
            "hls_time": str(self.segment_s),
            "hls_list_size": "6",
            "hls_flags": "delete_segments",
        }
        with self.av.open(
            str(self.folder / "live.m3u8"), "w", format="hls", options=options
        ) as out:
            stream = out.add_stream("libx264", rate=self.fps)
            first = next(self.images)
            stream.height, stream.width = first.shape[:2]
            stream.pix_fmt = "yuv420p"
            stream.codec_context.time_base = Fraction(1, self.fps)
            # a key frame each segment, so each segment starts one
            stream.options = {
                "preset": "ultrafast",
                "g": str(round(self.fps * self.segment_s)),
                "bf": "0",
            }
            started = time.monotonic()
            image: npt.NDArray[np.uint8] | None = first
            while image is not None and not self._stop.is_set():
                frame = self.av.VideoFrame.from_ndarray(image, format="bgr24")
                frame.pts = self.sent
                for packet in stream.encode(frame):
                    out.mux(packet)
                self.sent += 1
                self._stop.wait(max(0.0, started + self.sent / self.fps - time.monotonic()))
                image = next(self.images, None)
            for packet in stream.encode():
                out.mux(packet)

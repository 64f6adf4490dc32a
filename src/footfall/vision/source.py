"""Where frames come from: a video file, a network stream, a local camera or the synthetic scene.

Every source is an iterable of `Frame`s with a `close()` (the `Source` protocol). Open one from
the `--source` string with `open_source`:

    >>> src = open_source("synthetic", paced=False)
    >>> frame = next(iter(src)); src.close()

- a file (`vision/filesource.py`): `Frame.time` = start time + the frame's timestamp in the
  file (`FileClock`), so an
  offline count gives the same times on every run and a file that lost frames keeps its
  timeline; looping keeps the index (and the time) growing;
- `rtsp://`, `http://`, `https://` (e.g. an Axis camera's `/axis-cgi/mjpg/video.cgi` MJPEG or
  `/axis-media/media.amp` RTSP URL), `rtmp://`, `udp://`, `rtp://`, `tcp://` (`STREAM_SCHEMES`)
  through OpenCV's FFmpeg backend, and a local camera (`vision/livesource.py`; an
  integer index, `/dev/videoN` or a stable `/dev/v4l/by-id/...` name): `Frame.time` is the wall
  clock at capture (for a stream with timestamps of its own, those anchored to the wall clock,
  `StreamClock`; for one delivered ahead of real time, HLS or a video over HTTP, its frames held
  until their timestamps fall due, `PacedClock`). A live source that fails to open or drops is
  reopened with capped, jittered exponential backoff, logged, forever, until `close()`.
"""

from __future__ import annotations

import functools
import logging
import re
import urllib.parse
from collections.abc import Iterator
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

from footfall.config import redact
from footfall.vision.filesource import FileSource
from footfall.vision.livesource import (
    LiveSource,
    camera_opener,
    parse_device,
    stream_opener,
    stream_timing,
)
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


@runtime_checkable
class Source(Protocol):
    """An iterable of frames that can be closed from any thread."""

    def __iter__(self) -> Iterator[Frame]: ...

    def close(self) -> None:
        """Stop producing frames and release the device or connection."""
        ...


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

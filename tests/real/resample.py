"""A shared clip as another camera would give it. `decoded` keeps every n-th frame as OpenCV
decodes them; `resampled` decodes it at another frame rate with FFmpeg's filters (PyAV, a
development dependency): `fps` keeps the frame nearest each new tick (fewer frames), and
`minterpolate` makes the new frames by motion-compensated interpolation (more frames, as a
camera running faster would see them). `empty_doorway` is the clip's scene with no one in it.

    >>> frames = list(resampled(Path("clip.mp4"), 30))   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import cv2
import numpy as np
import numpy.typing as npt


def decoded(video: Path, stride: int = 1) -> Iterator[npt.NDArray[np.uint8]]:
    """Every `stride`-th frame of `video` (the first kept), as OpenCV decodes it."""
    capture = cv2.VideoCapture(str(video))
    index = 0
    while True:
        ok, image = capture.read()
        if not ok:
            break
        if index % stride == 0:
            yield np.asarray(image, np.uint8)
        index += 1
    capture.release()


def empty_doorway(images: list[npt.NDArray[np.uint8]]) -> npt.NDArray[np.uint8]:
    """The clip's doorway with no one in it: the median of every 10th image (people move on,
    the floor stays)."""
    return np.asarray(np.median(np.stack(images[::10]), axis=0), np.uint8)


def resampled(video: Path, fps: int) -> Iterator[npt.NDArray[np.uint8]]:
    """BGR frames of `video` at `fps` frames a second (interpolated when faster than the clip)."""
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        rate = float(stream.average_rate or fps)
        graph = av.filter.Graph()
        source = graph.add_buffer(template=stream)
        if fps > rate:
            convert = graph.add("minterpolate", f"fps={fps}:mi_mode=mci")
        else:
            convert = graph.add("fps", f"fps={fps}")
        sink = graph.add("buffersink")
        source.link_to(convert)
        convert.link_to(sink)
        graph.configure()
        for frame in container.decode(stream):
            graph.push(frame)
            yield from _drain(graph)
        graph.push(None)
        yield from _drain(graph)


def _drain(graph: av.filter.Graph) -> Iterator[npt.NDArray[np.uint8]]:
    while True:
        try:
            out = graph.pull()
        except (av.BlockingIOError, av.EOFError):
            return
        yield np.asarray(out.to_ndarray(format="bgr24"), np.uint8)

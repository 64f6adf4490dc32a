"""An annotated copy of a counted video: every frame with the counting area, the in direction,
the tracks and the running counts drawn (`footfall count --annotate OUT`).

    with AnnotatedVideo(Path("out.mp4"), params, fps=25.0) as video:
        result = count_file(path, params, observe=video.write)
        video.finish(result.counts)   # the last frame shows the final counts
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

import cv2
import numpy as np
import numpy.typing as npt

from footfall.config import Params
from footfall.counting.area import Area
from footfall.errors import BadRequest
from footfall.vision.draw import annotate
from footfall.vision.types import View

CODECS = {".mp4": "mp4v", ".avi": "MJPG", ".mkv": "MJPG"}  # what OpenCV writes without extras


def check_output_file(flag: str, path: Path, name_hint: str = "") -> None:
    """Refuse an output path that cannot be written (a directory, or in a directory that is not
    there) before the count, not after it; `name_hint` completes "give a file name"."""
    if path.is_dir():
        raise BadRequest(f"{flag} {path} is a directory; give a file name{name_hint}")
    if not path.parent.is_dir():
        raise BadRequest(f"{flag} {path}: there is no directory {path.parent}")


def check_annotate(out: Path) -> None:
    """Refuse an `--annotate` path that cannot be written, before counting."""
    if out.suffix.lower() not in CODECS:
        raise BadRequest(f"--annotate {out}: the name must end in {', '.join(CODECS)}")
    check_output_file("--annotate", out)


def even_sized(image: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """`image` with a black column and / or row added to make both sides even: the encoders
    OpenCV writes with (4:2:0 chroma) would otherwise drop the last column or row of the video."""
    h, w = image.shape[:2]
    if h % 2 == 0 and w % 2 == 0:
        return image
    return np.asarray(
        cv2.copyMakeBorder(image, 0, h % 2, 0, w % 2, cv2.BORDER_CONSTANT, value=(0, 0, 0)),
        np.uint8,
    )


class AnnotatedVideo:
    """Writes each observed frame, drawn on, to `path` (opened at the first frame's size).

    The last frame is held back until `finish(counts)`: the end of a video may still add
    passages (what the analyzer held, the motion no track claimed), and the last frame should
    show the counts the command prints."""

    def __init__(self, path: Path, params: Params, fps: float) -> None:
        check_annotate(path)
        self.path = path
        self._area = Area.from_params(params.Area)
        self._in = params.Area.InDirection
        self._fps = fps
        self._writer: cv2.VideoWriter | None = None
        self._held: tuple[View, tuple[int, int]] | None = None
        self.frames = 0

    def write(self, view: View, counts: tuple[int, int]) -> None:
        """Take one frame with the counts so far (written when the next one comes)."""
        if self._held is not None:
            self._append(*self._held)
        self._held = (view, counts)

    def finish(self, counts: tuple[int, int]) -> None:
        """Write the last frame with the final `counts`."""
        if self._held is not None:
            view, _ = self._held
            self._held = None
            self._append(view, counts)

    def _append(self, view: View, counts: tuple[int, int]) -> None:
        image = even_sized(annotate(view.image, self._area, self._in, view.tracks, counts))
        if self._writer is None:
            h, w = image.shape[:2]
            fourcc = cv2.VideoWriter.fourcc(*CODECS[self.path.suffix.lower()])
            self._writer = cv2.VideoWriter(str(self.path), fourcc, self._fps, (w, h))
            if not self._writer.isOpened():
                raise BadRequest(f"--annotate {self.path}: OpenCV cannot write this video")
        self._writer.write(image)
        self.frames += 1

    def close(self) -> None:
        """Finish the file (the last frame as it came, without `finish`)."""
        if self._held is not None:
            self.finish(self._held[1])
        if self._writer is not None:
            self._writer.release()
            self._writer = None

    def __enter__(self) -> AnnotatedVideo:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is not None:
            self._held = None  # the count failed: nothing more to write
        self.close()

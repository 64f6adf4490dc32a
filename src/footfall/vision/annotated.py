"""An annotated copy of a counted video: every frame with the counting area, the in direction,
the tracks and the running counts drawn (`footfall count --annotate OUT`).

    with AnnotatedVideo(Path("out.mp4"), params, fps=25.0) as video:
        count_file(path, params, observe=video.write)
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

import cv2

from footfall.config import Params
from footfall.counting.area import Area
from footfall.errors import BadRequest
from footfall.vision.draw import annotate
from footfall.vision.types import View

CODECS = {".mp4": "mp4v", ".avi": "MJPG", ".mkv": "MJPG"}  # what OpenCV writes without extras


def check_annotate(out: Path) -> None:
    """Refuse an `--annotate` path that cannot be written, before counting."""
    if out.suffix.lower() not in CODECS:
        raise BadRequest(f"--annotate {out}: the name must end in {', '.join(CODECS)}")
    if out.is_dir():
        raise BadRequest(f"--annotate {out} is a directory; give a file name")
    if not out.parent.is_dir():
        raise BadRequest(f"--annotate {out}: there is no directory {out.parent}")


class AnnotatedVideo:
    """Writes each observed frame, drawn on, to `path` (opened at the first frame's size)."""

    def __init__(self, path: Path, params: Params, fps: float) -> None:
        check_annotate(path)
        self.path = path
        self._area = Area.from_params(params.Area)
        self._in = params.Area.InDirection
        self._fps = fps
        self._writer: cv2.VideoWriter | None = None
        self.frames = 0

    def write(self, view: View, counts: tuple[int, int]) -> None:
        """Draw and append one frame."""
        image = annotate(view.image, self._area, self._in, view.tracks, counts)
        if self._writer is None:
            h, w = image.shape[:2]
            fourcc = cv2.VideoWriter.fourcc(*CODECS[self.path.suffix.lower()])
            self._writer = cv2.VideoWriter(str(self.path), fourcc, self._fps, (w, h))
            if not self._writer.isOpened():
                raise BadRequest(f"--annotate {self.path}: OpenCV cannot write this video")
        self._writer.write(image)
        self.frames += 1

    def close(self) -> None:
        """Finish the file."""
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
        self.close()

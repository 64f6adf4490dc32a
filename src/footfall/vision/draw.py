"""What the counter sees, drawn on a frame: the counting area, the in direction, the tracks and
the counts. For placing the area by eye (`snapshot.jpg`, `footfall count --annotate`).

    >>> image = annotate(frame.image, area, "up", tracks=[(7, 160.0, 120.0)], counts=(3, 1))
    ... # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from footfall.counting.area import Area, InDirection

EDGE = (0, 215, 255)  # BGR amber: the two edges a person crosses
SPAN = (0, 140, 200)  # the x span's sides
MIDDLE = (255, 255, 255)
TRACK = (80, 230, 80)
TEXT = (255, 255, 255)
SHADE = 0.18  # opacity of the area's fill


def area_outline(area: Area, in_direction: InDirection, level: float) -> npt.NDArray[np.int32]:
    """Polyline (N,1,2) of the curve of equivalent y `level` across the x span: a straight line,
    or the arc of `Area` (SPEC §5 with `radius` > 0) where it reaches."""
    xs = np.linspace(area.left, area.right, 65 if area.radius > 0 else 2)  # 65: the middle too
    if area.radius <= 0:
        ys = np.full_like(xs, level)
    else:
        below = in_direction == "up"
        cy = area.arc_centre_y(in_direction)
        r = abs(cy - level)
        dx = xs - (area.left + area.right) / 2
        reach = np.abs(dx) <= r  # a tight arc does not reach the ends of a wide span
        xs, dx = xs[reach], dx[reach]
        dy = np.sqrt(r**2 - dx**2)
        ys = cy - dy if below else cy + dy
    return np.stack([xs, ys], axis=1).round().astype(np.int32).reshape(-1, 1, 2)


def annotate(
    image: npt.NDArray[np.uint8],
    area: Area,
    in_direction: InDirection,
    tracks: Sequence[tuple[int, float, float]] = (),
    counts: tuple[int, int] | None = None,
) -> npt.NDArray[np.uint8]:
    """A copy of `image` (BGR) with the area (scaled to the image), an arrow pointing the way
    that counts as in, each track (id, x, y in image pixels) and `counts` (in, out)."""
    h, w = image.shape[:2]
    a = area.scaled(w, h)
    out = np.ascontiguousarray(image, np.uint8).copy()
    first = area_outline(a, in_direction, a.yfirst)
    last = area_outline(a, in_direction, a.ylast)
    polygon = np.concatenate([first, last[::-1]])
    fill = out.copy()
    cv2.fillPoly(fill, [polygon], EDGE)
    cv2.addWeighted(fill, SHADE, out, 1.0 - SHADE, 0.0, dst=out)
    thick = max(1, round(w / 320))
    cv2.polylines(out, [first, last], False, EDGE, thick + 1, cv2.LINE_AA)
    for side in (0, -1):
        cv2.line(out, tuple(first[side, 0]), tuple(last[side, 0]), SPAN, thick, cv2.LINE_AA)
    middle = area_outline(a, in_direction, (a.yfirst + a.ylast) / 2)
    cv2.polylines(out, [middle], False, MIDDLE, 1, cv2.LINE_AA)
    _in_arrow(out, a, in_direction, thick)
    for tid, x, y in tracks:
        centre = (round(x), round(y))
        cv2.circle(out, centre, 4 * thick, TRACK, -1, cv2.LINE_AA)
        cv2.putText(
            out, str(tid), (centre[0] + 6 * thick, centre[1]), cv2.FONT_HERSHEY_SIMPLEX,
            0.35 * thick, TRACK, thick, cv2.LINE_AA,
        )  # fmt: skip
    if counts is not None:
        _label(out, f"in {counts[0]}  out {counts[1]}", thick)
    return out


def _in_arrow(image: npt.NDArray[np.uint8], a: Area, in_direction: InDirection, thick: int) -> None:
    """An arrow beside the area's right side, pointing the way that counts as in, labelled."""
    x = min(image.shape[1] - 12 * thick, a.right + 10 * thick)
    top, bottom = a.yfirst, a.ylast
    start, end = ((x, bottom), (x, top)) if in_direction == "up" else ((x, top), (x, bottom))
    cv2.arrowedLine(image, start, end, EDGE, thick + 1, cv2.LINE_AA, tipLength=0.3)
    cv2.putText(
        image, "in", (x - 16 * thick, (top + bottom) // 2 + 4 * thick), cv2.FONT_HERSHEY_SIMPLEX,
        0.4 * thick, EDGE, thick, cv2.LINE_AA,
    )  # fmt: skip


def _label(image: npt.NDArray[np.uint8], text: str, thick: int) -> None:
    """`text` on a dark band in the top-left corner."""
    scale = 0.5 * thick
    (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
    cv2.rectangle(image, (0, 0), (tw + 10, th + base + 8), (0, 0, 0), -1)
    cv2.putText(image, text, (5, th + 4), cv2.FONT_HERSHEY_SIMPLEX, scale, TEXT, thick, cv2.LINE_AA)


def jpeg(image: npt.NDArray[np.uint8], quality: int = 80) -> bytes:
    """`image` (BGR) encoded as JPEG."""
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("the frame could not be encoded as JPEG")
    return bytes(buf)

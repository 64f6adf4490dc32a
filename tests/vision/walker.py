"""A person walking across a real scene, for the network detector's tests: the man of
`data/cameraman_cc0.jpg` (a real photo, CC0) cut out of it by his dark coat, the photo without
him (inpainted) mirrored either side into a wide stage, and him pasted walking across it left to
right, then back. Seen from the side, upright: what a person-detection network is made for, and
what a camera whose people cross left and right gives (counted with `Counter.Rotation` 90).
And two dark shapes walked over the photo itself (`walked_over_photo`): a busy picture with
people moving over it, for the checks of the picture (`vision/cuts.py`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

PHOTO = Path(__file__).parent / "data" / "cameraman_cc0.jpg"
DARK = 60  # grey levels: his coat and hair, darker than the sky and the grass
COAT_X = 175  # px of the photo: the coat lies left of this (the tripod and the town right)
STEP_PX = 14  # how far he walks each frame
STILL = 15  # frames of the empty stage before, between and after the walks

Image = npt.NDArray[np.uint8]


def cut_out() -> tuple[Image, Image, npt.NDArray[np.bool_], tuple[int, int]]:
    """(the photo without him, his pixels, where they are in them, his top-left in the photo)."""
    photo = cv2.imread(str(PHOTO))
    grey = cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY)
    dark = np.where(grey < DARK, 255, 0).astype(np.uint8)
    dark[:, COAT_X:] = 0
    dark = cv2.morphologyEx(dark, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    _, labels, stats, _ = cv2.connectedComponentsWithStats(dark)
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    him = np.where(labels == biggest, 255, 0).astype(np.uint8)
    outline, _ = cv2.findContours(him, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    cv2.drawContours(him, outline, -1, 255, -1)
    grown = cv2.dilate(him, np.ones((9, 9), np.uint8))
    empty = np.asarray(cv2.inpaint(photo, grown, 7, cv2.INPAINT_TELEA), np.uint8)
    ys, xs = np.nonzero(him)
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    return empty, photo[y0:y1, x0:x1], him[y0:y1, x0:x1] > 0, (int(x0), int(y0))


def walking() -> Iterator[Image]:
    """The frames: the empty stage, him walking across left to right, the empty stage, him
    walking back, the empty stage (three photos wide, one high)."""
    empty, person, where, (_, top) = cut_out()
    stage = np.hstack([cv2.flip(empty, 1), empty, cv2.flip(empty, 1)])
    width = stage.shape[1]
    w = person.shape[1]
    walk = (width + w) // STEP_PX
    yield from (stage.copy() for _ in range(STILL))
    yield from (pasted(stage, person, where, -w + k * STEP_PX, top) for k in range(walk))
    yield from (stage.copy() for _ in range(STILL))
    yield from (pasted(stage, person, where, width - k * STEP_PX, top) for k in range(walk))
    yield from (stage.copy() for _ in range(STILL))


def pasted(stage: Image, person: Image, where: npt.NDArray[np.bool_], x: int, y: int) -> Image:
    """A copy of `stage` with `person`'s pixels (`where`) pasted with their top left at (x, y),
    cut where they leave it."""
    image = stage.copy()
    h, w = person.shape[:2]
    x0, x1 = max(0, x), min(image.shape[1], x + w)
    y0, y1 = max(0, y), min(image.shape[0], y + h)
    if x1 > x0 and y1 > y0:
        part = image[y0:y1, x0:x1]
        shown = where[y0 - y : y1 - y, x0 - x : x1 - x]
        part[shown] = person[y0 - y : y1 - y, x0 - x : x1 - x][shown]
    return image


def write_walking(path: Path, fps: int = 15) -> Path:
    """The frames written to `path` (MPEG-4 in MP4)."""
    return written(walking(), path, fps)


def written(frames: Iterator[Image], path: Path, fps: int = 15) -> Path:
    """`frames` written to `path` (MPEG-4 in MP4) at `fps`."""
    out: cv2.VideoWriter | None = None
    for image in frames:
        if out is None:
            h, w = image.shape[:2]
            out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
        out.write(image)
    if out is not None:
        out.release()
    return path


def plaza(size: tuple[int, int], tall_px: int) -> tuple[Image, Image, npt.NDArray[np.bool_]]:
    """(the photo's floor stretched to `size` (width, height), the man shrunk to `tall_px`,
    where his pixels are in that)."""
    empty, person, where, _ = cut_out()
    stage = np.asarray(cv2.resize(empty, size, interpolation=cv2.INTER_AREA), np.uint8)
    h, w = person.shape[:2]
    small_w = max(1, round(w * tall_px / h))
    small = np.asarray(cv2.resize(person, (small_w, tall_px), interpolation=cv2.INTER_AREA))
    shown = cv2.resize(where.astype(np.uint8), (small_w, tall_px)) > 0
    return stage, small, np.asarray(shown)


def far_away(size: tuple[int, int] = (1280, 720), tall_px: int = 130) -> Iterator[Image]:
    """The man small in a wide picture, as a camera high above a plaza sees people: shrunk to
    `tall_px`, walking down the middle of a `size` (width, height) stage of the photo's own
    floor (the empty photo, stretched) from above its top to below its bottom, then still."""
    stage, small, shown = plaza(size, tall_px)
    width, height = size
    small_w = small.shape[1]
    x = (width - small_w) // 2
    yield from (stage.copy() for _ in range(STILL))
    for top in range(-tall_px, height, STEP_PX // 2):
        yield pasted(stage, small, shown, x, top)
    yield from (stage.copy() for _ in range(STILL))


def write_far_away(path: Path, size: tuple[int, int] = (1280, 720), tall_px: int = 130) -> Path:
    """`far_away`'s frames written to `path` (MPEG-4 in MP4, 15 fps)."""
    return written(far_away(size, tall_px), path)


def crowd_far_away(
    size: tuple[int, int] = (1280, 720), tall_px: int = 130, columns: int = 6, waves: int = 2
) -> Iterator[Image]:
    """A busy plaza: the man, `tall_px` tall, walking in `columns` columns across a `size`
    stage of the photo's floor, down in the first, up in the next and so on, `waves` men one
    after the other in each (the next sets off when the one before is half way), each column
    setting off `STILL` // 3 frames after the one before: every tile around a band across the
    middle changes nearly every frame. Truth: `waves` passages in each column, down in the
    even ones (0, 2, ...), up in the odd ones."""
    stage, small, shown = plaza(size, tall_px)
    width, height = size
    small_w = small.shape[1]
    step = STEP_PX // 2
    walk = (height + tall_px) // step  # frames one man takes
    lag, gap = STILL // 3, walk // 2
    column = width // columns
    yield from (stage.copy() for _ in range(STILL))
    for k in range(walk + gap * (waves - 1) + lag * (columns - 1)):
        image = stage.copy()
        for n in range(columns):
            x = n * column + (column - small_w) // 2
            for m in range(waves):
                moved = (k - n * lag - m * gap) * step
                if 0 <= moved <= height + tall_px:
                    top = moved - tall_px if n % 2 == 0 else height - moved
                    image = pasted(image, small, shown, x, top)
        yield image
    yield from (stage.copy() for _ in range(STILL))


def walked_over_photo(n: int) -> list[Image]:
    """`n` frames of a real photo (a busy picture, all edges, as a tram's doorway) with two
    people (dark ellipses) walking across it, one down, one up, 4 px a frame."""
    photo = cv2.resize(cv2.imread(str(PHOTO)), (320, 240), interpolation=cv2.INTER_AREA)
    frames = []
    for i in range(n):
        image = photo.copy()
        cv2.ellipse(image, (110, -30 + 4 * i), (22, 15), 0, 0, 360, (40, 35, 30), -1)
        cv2.ellipse(image, (210, 270 - 4 * i), (22, 15), 0, 0, 360, (70, 60, 90), -1)
        frames.append(image)
    return frames

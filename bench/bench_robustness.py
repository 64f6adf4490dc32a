"""How the count holds when a shared clip is degraded or seen at another frame rate: smaller or
larger frames, every 2nd or 3rd frame, and the clip as a camera at 10, 15 or 30 fps would give it
(FFmpeg's `fps` filter keeps the nearest frames; 30 fps is motion-interpolated by `minterpolate`,
through PyAV), after a second of empty doorway, or shaken: every frame moved by a random shift of
up to 1 or 2 px each way (a camera on an idling vehicle; seeded, the same every run), or swaying
by 2 px at 1.5 Hz with 0.3 px of jitter (a mast in the wind), or grainy: Gaussian noise of 6 grey
levels on every pixel (a cheap sensor in a dark doorway), or with a fifth of its frames dropped at
random (a camera or a box too slow; the others keep their times), or as a camera 0.7 times as
close would see it (a higher mount or a wider lens: the clip shrunk onto a plain floor) or 1.2
times (a lower one: the part around the area, enlarged), or counted as is by a counter told
another mounting height (`Counter.Height` 200 or 450 cm instead of the default 280: the person
size is still learnt, the told height only starts it), or with a clock burned into the picture
as CCTV recorders stamp it (bottom left, to the tenth of a second), or under a light beating by
10 % at 5 Hz (a camera at 25 fps under 60 Hz lamps) or an exposure stepping by 12 % every 3 s,
or as a 1280x720 or 1920x1080 camera would show the doorway (the clip enlarged to the picture's
height, plain floor either side: a 16:9 picture, its door under a third of the width), or as
a camera's MJPEG stream at JPEG quality 20 or 10 gives it (blocks, ringing, banded shading), or
from a camera mounted the other way round (the picture turned by 180°, the area and the `in`
direction with it: no way of the picture is favoured), or through a wide-angle lens (barrel
distortion: a corner shows what lay 30 % further out, the edges squeezed; the area where the lens
shows it).

Every variant feeds its frames to a fresh `Analyzer` with the clip's area (scaled by the analyzer
to the frame size) and the variant's frame rate. Prints counted in/out per clip and variant, and
the combined accuracy against the clip's ground truth, or against our own hand counts of the
clips whose truth is hidden (tests/real/README.md; estimates, marked ~).

    .venv/bin/python bench/bench_robustness.py [--jobs 2]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import cv2
import numpy as np
import numpy.typing as npt
from floor import DATA, clip_truth

from footfall.commands.count import params_for
from footfall.vision.analyzer import Analyzer
from footfall.vision.types import Frame

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.real
from tests.real import resample as alter

# Our own hand counts (in, out) of the clips whose ground truth is hidden: estimates only.
HAND_COUNTS = {"tram_door_overhead_03": (19, 0), "tram_door_overhead_04": (0, 28)}


class Variant(NamedTuple):
    """One way of altering a clip; the defaults leave it as it is."""

    name: str
    scale: float = 1.0  # frames resized by this
    stride: int = 1  # every n-th frame kept (the frame rate divided alike)
    rate: int = 0  # resampled to this many frames a second (0: as decoded)
    empty_s: float = 0.0  # seconds of the clip's empty doorway (its median image) before it
    shake: float = 0.0  # every frame moved by a random shift of up to this (px) each way
    sway: float = 0.0  # and by a sway of this amplitude (px; 1.5 Hz)
    grain: float = 0.0  # Gaussian noise of this many grey levels on every pixel
    drop: float = 0.0  # this share of the frames dropped at random, the others keeping their time
    zoom: float = 1.0  # seen by a camera this much closer (< 1: higher; the area follows)
    height: int | None = None  # the counter told this mounting height (cm; None: the default)
    clock: bool = False  # a recorder's clock burned in at the bottom left
    beat: float = 0.0  # a light beating at 5 Hz by this depth (a fraction)
    steps: float = 0.0  # an exposure stepping by this every 3 s (a fraction)
    switched: float = 0.0  # a light rising by this from 3 s on, over 2 s (a fraction)
    exposure: float = 1.0  # every frame's brightness times this (a camera exposing darker)
    knock: float = 0.0  # the camera knocked by this (px) at 5 s and left there
    wide: tuple[int, int] | None = None  # as a camera of this 16:9 size: plain floor either side
    jpeg: int = 0  # each frame JPEG-compressed at this quality (0: not): a low-bitrate MJPEG
    turned: bool = False  # the picture turned by 180° (a camera mounted the other way round)
    barrel: float = 0.0  # a wide-angle lens's barrel distortion of this strength (corners)
    contrast: float = 1.0  # the grey levels' spread about mid-grey times this (tone curve)
    gamma: float = 1.0  # then raised to this power (a camera's other gamma)
    blur: float = 0.0  # a lens out of focus: a Gaussian blur of this many px


VARIANTS = (
    Variant("as is"),
    Variant("0.75 size", scale=0.75),
    Variant("half size", scale=0.5),
    Variant("double size", scale=2.0),
    Variant("half fps", stride=2),
    Variant("third fps", stride=3),
    Variant("half size+fps", scale=0.5, stride=2),
    Variant("at 10 fps", rate=10),
    Variant("at 15 fps", rate=15),
    Variant("at 30 fps", rate=30),
    Variant("1 s empty first", empty_s=1.0),
    Variant("shaken 1 px", shake=1.0),
    Variant("shaken 2 px", shake=2.0),
    Variant("swaying 2 px", sway=2.0, shake=0.3),
    Variant("grain 6", grain=6.0),
    Variant("20 % dropped", drop=0.2),
    Variant("higher cam 0.7", zoom=0.7),
    Variant("lower cam 1.2", zoom=1.2),
    Variant("told 200 cm", height=200),
    Variant("told 450 cm", height=450),
    Variant("clock burned in", clock=True),
    Variant("light beating 10 %", beat=0.1),
    Variant("exposure steps 12 %", steps=0.12),
    Variant("light on +30 % 2 s", switched=0.3),
    Variant("exposed 0.8", exposure=0.8),
    Variant("knocked 4 px", knock=4.0),
    Variant("1280x720 cam", wide=(1280, 720)),
    Variant("1920x1080 cam", wide=(1920, 1080)),
    Variant("MJPEG q 20", jpeg=20),
    Variant("MJPEG q 10", jpeg=10),
    Variant("turned 180°", turned=True),
    Variant("wide lens 0.3", barrel=0.3),
    Variant("contrast 0.8", contrast=0.8),
    Variant("gamma 0.7", gamma=0.7),
    Variant("gamma 1.4", gamma=1.4),
    Variant("soft focus 2 px", blur=2.0),
)


def count_variant(
    video: Path,
    scale: float,
    stride: int,
    rate: int,
    empty_s: float = 0.0,
    shake: float = 0.0,
    sway: float = 0.0,
    grain: float = 0.0,
    drop: float = 0.0,
    zoom: float = 1.0,
    height: int | None = None,
    clock: bool = False,
    beat: float = 0.0,
    steps: float = 0.0,
    switched: float = 0.0,
    exposure: float = 1.0,
    knock: float = 0.0,
    wide: tuple[int, int] | None = None,
    jpeg: int = 0,
    turned: bool = False,
    barrel: float = 0.0,
    contrast: float = 1.0,
    gamma: float = 1.0,
    blur: float = 0.0,
) -> tuple[int, int]:
    """Counted (in, out) of `video` resized by `scale`, keeping every `stride`-th frame, or
    resampled to `rate` frames a second, after `empty_s` seconds of its empty doorway, every
    frame moved by up to `shake` px each way and swaying by `sway` px, with `grain` grey levels of
    noise, with a `drop` share of the frames dropped, seen `zoom` times closer, by a counter told
    the mounting height `height` (cm), with a recorder's clock burned in (`clock`), under a light
    beating by `beat` at 5 Hz, an exposure stepping by `steps` every 3 s or a light switched on
    over 2 s at 3 s, rising by `switched`, every frame's brightness times `exposure`, the
    camera knocked by `knock` px at 5 s, as a 16:9 camera of `wide` size shows it (the clip
    enlarged to its height, plain floor either side), as a camera's MJPEG stream at `jpeg`
    quality gives them, turned by 180° (`turned`: the area and the `in` direction with it),
    through a wide-angle lens bulging the picture by `barrel` (a corner shows what lay that
    share further out; the area where the lens shows it), through another tone curve
    (`contrast` about mid-grey, then `gamma`) or a lens out of focus (a blur of `blur` px).
    Returned as the clip's own (in, out): turned, what is counted `in` is the clip's `in`."""
    cv2.setNumThreads(1)
    capture = cv2.VideoCapture(str(video))
    fps = float(capture.get(cv2.CAP_PROP_FPS) or 25.0) / stride
    capture.release()
    frames: Iterator[npt.NDArray[np.uint8]] = (
        alter.resampled(video, rate) if rate else alter.decoded(video, stride)
    )
    fps = float(rate) if rate else fps
    if empty_s > 0:
        frames = after_empty_doorway(list(frames), round(empty_s * fps))
    if clock:
        frames = alter.clocked(frames, fps)
    if beat > 0 or steps > 0 or switched != 0 or exposure != 1.0:
        frames = alter.lit(frames, fps, beat, steps, switched, exposure)
    if contrast != 1.0 or gamma != 1.0:
        frames = alter.graded(frames, contrast, gamma)
    if blur > 0:
        frames = alter.blurred(frames, blur)
    if knock > 0:
        frames = alter.knocked(frames, fps, knock)
    if grain > 0:
        frames = alter.grainy(frames, grain)
    if jpeg:
        frames = alter.jpeg(frames, jpeg)
    if shake > 0 or sway > 0:
        frames = alter.shaken(frames, fps, jitter_px=shake, sway_px=sway)
    truth, _ = clip_truth(video)
    area = truth.area.as_cntpos()
    if zoom != 1.0:
        shift = alter.zoom_shift(area, zoom)
        frames = (alter.zoomed(image, zoom, shift) for image in frames)
        area = alter.zoomed_area(area, zoom, shift)
    if wide is not None:
        frames = (alter.widescreen(image, wide) for image in frames)
        area = alter.widescreen_area(area, wide)
    if barrel:
        frames = alter.barrelled(frames, barrel)
        area = alter.barrelled_area(area, barrel)
    direction = truth.in_direction
    if turned:
        frames = (cv2.rotate(image, cv2.ROTATE_180) for image in frames)
        area, direction = alter.turned(area, direction)
    analyzer = Analyzer(params_for(area, direction, height))
    analyzer.set_fps(fps)
    start = datetime(1970, 1, 1, tzinfo=UTC)
    passages = []
    timed: Iterator[tuple[int, npt.NDArray[np.uint8]]] = (
        alter.dropped(frames, drop) if drop > 0 else enumerate(frames)
    )
    for kept, image in timed:
        if scale != 1.0:
            how = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
            image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=how)
        when = start + timedelta(seconds=kept / fps)
        passages += analyzer.process(Frame(np.asarray(image, np.uint8), kept, when))
    passages += analyzer.flush()
    n_in = sum(1 for p in passages if p.direction == "in")
    return n_in, len(passages) - n_in


def after_empty_doorway(
    images: list[npt.NDArray[np.uint8]], n: int
) -> Iterator[npt.NDArray[np.uint8]]:
    """`n` frames of the empty doorway, then the images: a camera that was watching before
    anyone came."""
    yield from [alter.empty_doorway(images)] * n
    yield from images


def truth_of(video: Path) -> tuple[int, int, str]:
    """(in, out, mark): the ground truth, or our hand count marked '~'."""
    truth, found = clip_truth(video)
    if found:
        return truth.true_in, truth.true_out, ""
    n_in, n_out = HAND_COUNTS.get(video.stem, (0, 0))
    return n_in, n_out, "~"


def main() -> None:
    """Count every clip in every variant and print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    videos = sorted((DATA / "video").iterdir())
    jobs = [(v, *variant[1:]) for v in videos for variant in VARIANTS]
    with ProcessPoolExecutor(args.jobs) as pool:
        counted = list(pool.map(count_variant, *zip(*jobs, strict=True)))
    header = f"{'clip (truth)':<30}" + "".join(f"{v.name:>16}" for v in VARIANTS)
    print(header)
    print("-" * len(header))
    total = [0.0] * len(VARIANTS)
    for i, video in enumerate(videos):
        t_in, t_out, mark = truth_of(video)
        cells = ""
        for j in range(len(VARIANTS)):
            n_in, n_out = counted[i * len(VARIANTS) + j]
            acc = 1 - (abs(n_in - t_in) + abs(n_out - t_out)) / max(1, t_in + t_out)
            total[j] += acc
            cells += f"{f'{n_in}/{n_out} {mark}{acc:.2f}':>16}"
        print(f"{f'{video.stem} ({mark}{t_in}/{t_out})':<30}{cells}")
    print(f"{'mean accuracy':<30}" + "".join(f"{t / len(videos):>16.3f}" for t in total))


if __name__ == "__main__":
    main()

"""The network detector on wide cameras: people small in the picture, looked at whole or in tiles.

Two scenes in a 1280x720 and a 1920x1080 picture, the man of tests/vision/data/cameraman_cc0.jpg
(a real photo) shrunk to 110 and 160 px tall over the photo's own floor (tests/vision/walker.py):
`walk`, he walks down through a band across the picture (`far_away`; truth: one passage, out),
and `crowd`, a busy plaza: four columns of men, three one after the other in each, down in two
columns and up in the other two (`crowd_far_away`; truth: 6 out, 6 in). Each is counted with
the shipped SSDLite model (onnxruntime, 2 threads) four ways in the same run: the frame squeezed
whole into the 300x300 input (`tiled=False`, the baseline: how the network looked before), in
tiles of its own size around the counting area (`vision/tiles.py`) every tile every frame, in
tiles looked at again only where the picture changed (`vision/glance.py`), every one that did,
and so with at most two passes a frame, the others' boxes following their people
(`vision/drift.py`; the default). Prints the passages counted, the network passes a frame, and
the detector's fps alone and end to end (detector + tracker + counter), with the ratio to the
frame squeezed whole.

    .venv/bin/python bench/bench_net_wide.py [--repeat N] [--scene walk|crowd]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.vision
from footfall.commands.count import params_for
from footfall.vision.analyzer import Analyzer
from footfall.vision.netdetect import NetDetector
from footfall.vision.types import Frame
from tests.vision.walker import crowd_far_away, far_away

START = datetime(2026, 1, 1, tzinfo=UTC)
FPS = 15.0


def band(size: tuple[int, int]) -> dict[str, int]:
    """A counting area across the whole picture, 1/12 of its height deep about its middle."""
    width, height = size
    top, bottom = round(height * 11 / 24), round(height * 13 / 24)
    return {"left": 0, "right": width, "top": top, "bottom": bottom, "yfirst": top,
            "ylast": bottom, "radius": 0}  # fmt: skip


MODES = {  # name: (tiled, look_again, passes_a_frame)
    "whole": (False, False, None),
    "tiles": (True, False, None),
    "tiles, again where changed": (True, True, None),
    "... at most 2 a frame": (True, True, 2),
}
SCENES = {"walk": far_away, "crowd": lambda size, tall: crowd_far_away(size, tall, 4, 3)}


def run(
    size: tuple[int, int], tall_px: int, mode: str, repeat: int, scene: str
) -> dict[str, float]:
    """Best fps of the detector alone and end to end, the passages and network passes a frame
    of one setting."""
    tiled, again, most = MODES[mode]
    frames = [
        Frame(image, i, START + timedelta(seconds=i / FPS))
        for i, image in enumerate(SCENES[scene](size, tall_px))
    ]
    area = band(size)
    box = (0.0, float(area["top"]), float(size[0]), float(area["bottom"]))
    alone = piped = 0.0
    counted = ""
    for _ in range(repeat):
        detector = NetDetector(threads=2, tiled=tiled, look_again=again, passes_a_frame=most)
        detector.look_at(box)
        began = time.perf_counter()
        for frame in frames:
            detector.detect(frame)
        alone = max(alone, len(frames) / (time.perf_counter() - began))
        net = NetDetector(threads=2, tiled=tiled, look_again=again, passes_a_frame=most)
        analyzer = Analyzer(params_for(area, "up", None, size), net)
        analyzer.set_fps(FPS)
        passages = []
        began = time.perf_counter()
        for frame in frames:
            passages += analyzer.process(frame)
        passages += analyzer.flush()
        piped = max(piped, len(frames) / (time.perf_counter() - began))
        ways = Counter(p.direction for p in passages)
        counted = " ".join(f"{n} {way}" for way, n in sorted(ways.items(), reverse=True)) or "-"
    passes = detector.passes / len(frames)
    return {"alone": alone, "piped": piped, "passes": passes, "counted": counted}  # type: ignore[dict-item]


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--scene", choices=sorted(SCENES), action="append")
    args = parser.parse_args()
    print("| scene | picture | person | looked at | passes a frame | counted "
          "| detector fps | end to end fps | / whole |")  # fmt: skip
    print("|---|---|---:|---|---:|---|---:|---:|---:|")
    for scene in args.scene or list(SCENES):
        for size in ((1280, 720), (1920, 1080)):
            for tall in (110, 160):
                whole = run(size, tall, "whole", args.repeat, scene)
                for mode in MODES:
                    r = whole if mode == "whole" else run(size, tall, mode, args.repeat, scene)
                    print(
                        f"| {scene} | {size[0]}x{size[1]} | {tall} px | {mode} "
                        f"| {r['passes']:.2f} | {r['counted']} | {r['alone']:.1f} "
                        f"| {r['piped']:.1f} | {r['piped'] / whole['piped']:.2f} |",
                        flush=True,
                    )


if __name__ == "__main__":
    main()

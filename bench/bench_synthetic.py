"""How the counter does on our synthetic overhead scenes, where the truth is exact.

Every scenario of `footfall.vision.synthetic.SCENARIOS` (singles, pairs side by side,
tailgaters, people passing in opposite directions, U-turns, someone standing in the area, a
light swing, mixed episodes, a dense queue at a door) over a range of seeds, each counted by a
fresh `Analyzer` and flushed at its end, twice: learning the person size from the footage (the
default, `Counter.AutoSize = 1`) and told it by the mounting height (`Counter.AutoSize = 0`; the
scenes are drawn with the same height, lens and shoulder width). Prints per scenario the true
passages, the passages counted off the truth (|Δin| + |Δout|), the combined accuracy and the
passages matched to a true one (same way, within 1 s), and the totals. `--floor plain` draws
the scenes over a plain floor (one grey and the camera's noise) instead of the tiled one;
`--shadow across|along` gives every person the hard shadow of a low sun, falling across the way
people walk or along it, `--shadow lamp` the soft shadow of a lamp (`scene_render.SHADOWS`);
`--stride N` counts every N-th frame only (a camera streaming at 15 / N fps); `--height CM` draws
and counts the scenes from that mounting height (280 cm if not given: people about 57 px of 320;
600 cm, about 20 px, with `--floor plain --shadow lamp` is the open hall where the motion no
track claimed is a known weakness, docs/vision.md).

    .venv/bin/python bench/bench_synthetic.py [--seeds 10] [--jobs 2] [--floor plain]
        [--shadow across|along|lamp] [--stride 3] [--height 600] [--scenes single,opposite]
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor

import cv2

from footfall.config import Params
from footfall.counting.groundtruth import TrueEvent, match_events
from footfall.vision.analyzer import Analyzer
from footfall.vision.scene_render import SHADOWS, Floor
from footfall.vision.synthetic import SCENARIOS, scenario


def count_scene(
    name: str,
    seed: int,
    auto_size: int,
    floor: Floor = "tiled",
    shadow: str = "",
    stride: int = 1,
    height: int | None = None,
) -> tuple[int, int, int]:
    """(true passages, passages off the truth, passages matched) of one scene, counted from
    every `stride`-th frame, drawn and counted from `height` cm (None: the default)."""
    cv2.setNumThreads(1)
    counter: dict[str, int] = {"AutoSize": auto_size}
    if height is not None:
        counter["Height"] = height
    params = Params.model_validate({"Counter": counter})
    sc = scenario(name, seed, params=params, floor=floor, shadow=SHADOWS.get(shadow))
    analyzer = Analyzer(sc.params, in_order=False)  # scored offline, as `footfall eval`
    analyzer.set_fps(sc.fps / stride)
    passages = []
    for frame in sc.frames():
        if frame.index % stride == 0:
            passages += analyzer.process(frame)
    passages += analyzer.flush()
    counted = {d: sum(p.direction == d for p in passages) for d in ("in", "out")}
    off = sum(abs(counted[d] - sc.totals[d]) for d in ("in", "out"))
    truth = [TrueEvent(e.frame, e.direction) for e in sc.events]
    found = [(p.frame if p.frame is not None else -1, p.direction) for p in passages]
    return len(sc.events), off, match_events(found, truth, sc.fps)


def main() -> None:
    """Count every scenario and seed both ways and print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0 .. N-1 of each scenario")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--floor", choices=("tiled", "plain"), default="tiled")
    parser.add_argument("--shadow", choices=tuple(SHADOWS), default="")
    parser.add_argument("--stride", type=int, default=1, help="count every N-th frame only")
    parser.add_argument("--height", type=int, default=None, help="mounting height, cm")
    parser.add_argument(
        "--scenes", default=",".join(SCENARIOS), help="the scenarios, comma-separated"
    )
    args = parser.parse_args()
    scenes = [n for n in args.scenes.split(",") if n]
    unknown = sorted(set(scenes) - set(SCENARIOS))
    if unknown:
        parser.error(f"unknown scenario {', '.join(unknown)}; known: {', '.join(SCENARIOS)}")
    jobs = [
        (n, s, a, args.floor, args.shadow, args.stride, args.height)
        for a in (1, 0)
        for n in scenes
        for s in range(args.seeds)
    ]
    with ProcessPoolExecutor(args.jobs) as pool:
        results = list(pool.map(count_scene, *zip(*jobs, strict=True)))
    table: dict[tuple[str, int], list[int]] = {}
    for (name, _, auto, *_), (true, off, matched) in zip(jobs, results, strict=True):
        row = table.setdefault((name, auto), [0, 0, 0])
        row[0], row[1], row[2] = row[0] + true, row[1] + off, row[2] + matched
    print(
        f"seeds 0-{args.seeds - 1}, {args.floor} floor"
        f"{f', shadows {args.shadow}' if args.shadow else ''}"
        f"{f', every {args.stride}th frame' if args.stride > 1 else ''}"
        f"{f', from {args.height} cm' if args.height else ''}; "
        "learning the size (AutoSize 1) | told it (AutoSize 0)"
    )
    header = f"{'scenario':<14}{'true':>6}" + f"{'off':>6}{'accuracy':>10}{'matched':>9}" * 2
    print(header)
    print("-" * len(header))
    totals = {a: [0, 0, 0] for a in (1, 0)}
    for name in scenes:
        cells = ""
        for auto in (1, 0):
            true, off, matched = table[(name, auto)]
            totals[auto] = [t + v for t, v in zip(totals[auto], (true, off, matched), strict=True)]
            accuracy = 1.0 - off / true if true else (1.0 if off == 0 else 0.0)
            cells += f"{off:>6}{accuracy:>10.3f}{matched:>9}"
        print(f"{name:<14}{table[(name, 1)][0]:>6}{cells}")
    cells = ""
    for auto in (1, 0):
        true, off, matched = totals[auto]
        cells += f"{off:>6}{1.0 - off / max(1, true):>10.3f}{matched:>9}"
    print(f"{'all':<14}{totals[1][0]:>6}{cells}")


if __name__ == "__main__":
    main()

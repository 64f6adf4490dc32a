"""How the count holds over a long run: every shared clip counted several times in a row by one
analyzer, as a looping file or an hours-long camera would be, pass by pass.

The first pass starts from the mounting-height guess of the person size; the later ones run on
a size learnt from the clip itself (what a counter that has run for a while uses). Between two
passes the doorway stands empty for GAP_S (the clip's median image, so no one jumps across the
line at the cut), and each pass ends as a file does (`flush`). A counter
whose later passes count unlike its first is one whose accuracy on short clips says little about
a day at the door. Prints in/out per pass, the learnt person width (px of the clip) at the end of
each pass and the combined accuracy against the ground truth (or, marked ~, our own hand counts
of the clips whose truth is hidden).

`--backwards`: each clip, then its frames played backwards straight after (its people walk the
other way; no bare doorway between, so nothing starts afresh: a counter that runs on), the
backward half as it is, dimmed or brightened by 30 % over 2 s from 3 s into it: a learnt size
that followed the blobs' thickness moved with the light and the queue's motion (tram 02
backwards 44 / 64 / 35 for 23 before the size was held once learnt; held, 26 / 26 / 26).

    .venv/bin/python bench/bench_longrun.py [--passes 4] [--gap 2] [--live] [--jobs 2]
    .venv/bin/python bench/bench_longrun.py --backwards
    .venv/bin/python bench/bench_longrun.py --turn [--gap 2]

`--turn`: two tram clips of the door whose people go opposite ways (tram 04's alighting, the
others' boarding), the second straight after the first and after `--gap` s of its bare doorway,
the second half scored alone: the size learnt on the first flow and held counts the second one
in the first one's people unless a bare doorway lets it be learnt afresh (README, "Where the
counter is weak").
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
from bench_robustness import alter, truth_of
from floor import DATA, clip_params

from footfall.counting.groundtruth import combined_accuracy
from footfall.vision.analyzer import Analyzer
from footfall.vision.filesource import file_fps
from footfall.vision.types import Frame

GAP_S = 2.0  # s of empty doorway between two passes


def clip_frames(video: Path) -> tuple[float, list[npt.NDArray[np.uint8]]]:
    """The clip's frame rate and every frame of it (OpenCV on one thread, as a core would)."""
    cv2.setNumThreads(1)
    capture = cv2.VideoCapture(str(video))
    fps = file_fps(capture)
    capture.release()
    return fps, [np.asarray(image, np.uint8) for image in alter.decoded(video, 1)]


def count_passes(
    video: Path, passes: int, gap_s: float = GAP_S, live: bool = False
) -> list[tuple[int, int, float]]:
    """(in, out, person width px) after each of `passes` runs of `video` through one analyzer,
    `gap_s` seconds of empty doorway between two passes. Each pass ends as a file does
    (`flush`), or with `live` as a camera's stream goes on: no flush, the empty doorway after
    each pass (the last one too) counted with it."""
    fps, images = clip_frames(video)
    # Between passes the doorway stands empty for GAP_S (the clip's median image): a cut from
    # the last frame straight to the first would show people jumping across the line.
    gap = [alter.empty_doorway(images)] * round(gap_s * fps)
    analyzer = Analyzer(clip_params(video))
    analyzer.set_fps(fps)
    start = datetime(1970, 1, 1, tzinfo=UTC)
    index = 0
    result = []
    for k in range(passes):
        found = []
        for image in (images + gap) if live else (gap if k else []) + images:
            found += analyzer.process(Frame(image, index, start + timedelta(seconds=index / fps)))
            index += 1
        if not live:
            found += analyzer.flush()  # tracks end with the pass, as they do at a file's end
        n_in = sum(p.direction == "in" for p in found)
        result.append((n_in, len(found) - n_in, analyzer.person_px))
    return result


LIGHTS = {"as is": 0.0, "dimmed 30 %": -0.3, "brightened 30 %": 0.3}


def count_there_and_back(video: Path, switched: float) -> tuple[int, int, int, int, float]:
    """(in, out) of `video` and (in, out) of its frames played backwards straight after, their
    light changed by `switched` over 2 s from 3 s into them, by one analyzer; and the person
    width (px) at the end."""
    fps, images = clip_frames(video)
    back = list(alter.lit(iter(images[::-1]), fps, switched=switched)) if switched else images[::-1]
    analyzer = Analyzer(clip_params(video))
    analyzer.set_fps(fps)
    start = datetime(1970, 1, 1, tzinfo=UTC)
    found = []
    for index, image in enumerate(images + back):
        found += analyzer.process(Frame(image, index, start + timedelta(seconds=index / fps)))
    found += analyzer.flush()
    there = [p.direction for p in found if (p.frame or 0) < len(images)]
    again = [p.direction for p in found if (p.frame or 0) >= len(images)]
    return (
        there.count("in"),
        there.count("out"),
        again.count("in"),
        again.count("out"),
        analyzer.person_px,
    )


def backwards_table(jobs: int) -> None:
    """Every clip there and back under each light of LIGHTS; the backward half scored against
    the truth with in and out swapped."""
    videos = sorted((DATA / "video").iterdir())
    runs = [(v, light) for v in videos for light in LIGHTS.values()]
    with ProcessPoolExecutor(jobs) as pool:
        found = pool.map(count_there_and_back, [v for v, _ in runs], [light for _, light in runs])
        counted = dict(zip(runs, found, strict=True))
    header = f"{'clip (truth)':<30}{'forward':>16}" + "".join(
        f"{f'back {name}':>26}" for name in LIGHTS
    )
    print(header)
    print("-" * len(header))
    accuracies: dict[str, list[float]] = {name: [] for name in ["forward", *LIGHTS]}
    for video in videos:
        t_in, t_out, mark = truth_of(video)
        f_in, f_out, *_ = counted[(video, 0.0)]
        forward = combined_accuracy(f_in, f_out, t_in, t_out)
        accuracies["forward"].append(forward)
        cells = f"{f'{f_in}/{f_out} {mark}{forward:.2f}':>16}"
        for name, light in LIGHTS.items():
            _, _, b_in, b_out, width = counted[(video, light)]
            acc = combined_accuracy(b_in, b_out, t_out, t_in)  # walked the other way
            accuracies[name].append(acc)
            cells += f"{f'{b_in}/{b_out} {mark}{acc:.2f} w{width:.0f}':>26}"
        print(f"{f'{video.stem} ({mark}{t_in}/{t_out})':<30}{cells}")
    print(
        "mean accuracy: "
        + ", ".join(f"{name} {sum(a) / len(a):.3f}" for name, a in accuracies.items())
    )


def count_turn(first: Path, second: Path, gap_s: float) -> tuple[int, int, int, int, float]:
    """(in, out) of `first` and (in, out) of `second` played straight after it by one analyzer
    (the area and `in` of `first`), `gap_s` seconds of `second`'s empty doorway between; and the
    person width (px) at the end. Two clips of one door whose people go opposite ways: a stop
    where people alight, then board."""
    fps, images = clip_frames(first)
    _, then = clip_frames(second)
    gap = [alter.empty_doorway(then)] * round(gap_s * fps)
    analyzer = Analyzer(clip_params(first))
    analyzer.set_fps(fps)
    start = datetime(1970, 1, 1, tzinfo=UTC)
    found = []
    for index, image in enumerate(images + gap + then):
        found += analyzer.process(Frame(image, index, start + timedelta(seconds=index / fps)))
    found += analyzer.flush()
    cut = len(images) + len(gap)
    before = [p.direction for p in found if (p.frame or 0) < cut]
    after = [p.direction for p in found if (p.frame or 0) >= cut]
    ways = (before.count("in"), before.count("out"), after.count("in"), after.count("out"))
    return (*ways, analyzer.person_px)


def turn_table(jobs: int, gap_s: float) -> None:
    """Every pair of clips whose people go opposite ways (in one, out in the other), the second
    straight after the first and after `gap_s` of bare doorway; the second scored alone."""
    videos = sorted((DATA / "video").iterdir())
    way = {v: truth_of(v)[0] > truth_of(v)[1] for v in videos}
    pairs = [(a, b) for a in videos for b in videos if a != b and way[a] != way[b]]
    pairs = [(a, b) for a, b in pairs if "tram" in a.stem and "tram" in b.stem]  # one door
    runs = [(a, b, g) for a, b in pairs for g in (0.0, gap_s)]
    with ProcessPoolExecutor(jobs) as pool:
        found = list(pool.map(count_turn, *zip(*runs, strict=True)))
    header = f"{'first, then second':<50}{'straight after':>24}{f'{gap_s:g} s bare between':>24}"
    print(header)
    print("-" * len(header))
    for k in range(0, len(runs), 2):
        first, second, _ = runs[k]
        t_in, t_out, mark = truth_of(second)
        cells = ""
        for _, _, b_in, b_out, width in found[k : k + 2]:
            acc = combined_accuracy(b_in, b_out, t_in, t_out)
            cells += f"{f'{b_in}/{b_out} {mark}{acc:.2f} w{width:.0f}':>24}"
        names = [v.stem.replace("tram_door_overhead_", "tram ") for v in (first, second)]
        name = f"{names[0]} then {names[1]} ({mark}{t_in}/{t_out})"
        print(f"{name:<50}{cells}")


def main() -> None:
    """Count every clip `--passes` times in a row and print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--passes", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--gap", type=float, default=GAP_S, help="s of empty doorway between")
    parser.add_argument(
        "--live", action="store_true", help="no end of stream after a pass: a camera's view"
    )
    parser.add_argument(
        "--backwards",
        action="store_true",
        help="each clip then played backwards, under another light: a counter that runs on",
    )
    parser.add_argument(
        "--turn",
        action="store_true",
        help="two tram clips whose people go opposite ways, one straight after the other",
    )
    args = parser.parse_args()
    if args.turn:
        turn_table(args.jobs, args.gap)
        return
    if args.backwards:
        backwards_table(args.jobs)
        return
    videos = sorted((DATA / "video").iterdir())
    n = len(videos)
    with ProcessPoolExecutor(args.jobs) as pool:
        counted = list(
            pool.map(count_passes, videos, [args.passes] * n, [args.gap] * n, [args.live] * n)
        )
    header = f"{'clip (truth)':<30}" + "".join(f"{f'pass {k + 1}':>20}" for k in range(args.passes))
    print(header)
    print("-" * len(header))
    first: list[float] = []
    later: list[float] = []
    for video, runs in zip(videos, counted, strict=True):
        t_in, t_out, mark = truth_of(video)
        cells = ""
        for k, (n_in, n_out, width) in enumerate(runs):
            acc = combined_accuracy(n_in, n_out, t_in, t_out)
            (first if k == 0 else later).append(acc)
            cells += f"{f'{n_in}/{n_out} {mark}{acc:.2f} w{width:.0f}':>20}"
        print(f"{f'{video.stem} ({mark}{t_in}/{t_out})':<30}{cells}")
    print(
        f"mean accuracy: first pass {sum(first) / len(first):.3f}, "
        f"later passes {sum(later) / max(1, len(later)):.3f}"
    )


if __name__ == "__main__":
    main()

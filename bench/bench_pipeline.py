"""Speed of the whole overhead pipeline, video file to SQLite, against baselines in the same run.

On each clip in ../shared/data/video, pinned to ONE core with one OpenCV/BLAS thread:
- (a) decode: reading every frame, the limit;
- (b) floor: decode + resize to 320x240 + OpenCV MOG2 + findContours, what any overhead
  counter pays;
- (c) footfall: the file source -> Analyzer (detect, track, count) -> Ingest -> SQLite file.
Prints fps, (c)/(b) (target >= 0.8), (c)/(a), and (c) x real time (target >= 8).

Then the network detector (shipped SSDLite pedestrian model) on both cores: the detector alone
and the pipeline with it, on the first frames of each clip (target >= 25 fps), a network pass
every frame, and as shipped, the picture looked at again only when the region around the
counting area changed (`vision/glance.py`), with the passes a frame that took.

    .venv/bin/python bench/bench_pipeline.py [--repeat N] [--net-frames N]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402
from floor import DATA, clip_params, decode_frames, floor_frames  # noqa: E402

from footfall.config import Params  # noqa: E402
from footfall.ingest import Ingest  # noqa: E402
from footfall.store.sqlite import SQLiteStore  # noqa: E402
from footfall.vision.analyzer import Analyzer  # noqa: E402
from footfall.vision.filesource import FileSource  # noqa: E402
from footfall.vision.netdetect import NetDetector  # noqa: E402

START = datetime(2026, 1, 1, tzinfo=UTC)


def decode(video: Path) -> int:
    """(a) read every frame."""
    return decode_frames(video)


def floor(video: Path) -> int:
    """(b) decode + resize 320x240 + MOG2 + findContours."""
    return floor_frames(video)


def full(video: Path, params: Params | None = None) -> int:
    """(c) FileSource -> Analyzer -> Ingest -> a fresh SQLite file; returns frames."""
    params = params or clip_params(video)
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "bench.db")
        ingest = Ingest(store)
        source = FileSource(video, start_time=START)
        analyzer = Analyzer(params)
        analyzer.set_fps(source.fps)
        n = 0
        for frame in source:
            ingest.add(analyzer.process(frame))
            n += 1
        ingest.add(analyzer.flush())
        full.last_totals = store.totals(0, 4_000_000_000)  # type: ignore[attr-defined]
        store.close()
    return n


def fps_of(runs: list[Callable[[Path], int]], video: Path, repeat: int) -> list[float]:
    """Best frames per second of each run over `repeat` rounds, the runs interleaved in each
    round so that other work on the machine disturbs them alike."""
    best = [0.0] * len(runs)
    for _ in range(repeat):
        for i, run in enumerate(runs):
            began = time.perf_counter()
            n = run(video)
            best[i] = max(best[i], n / (time.perf_counter() - began))
    return best


def net_rates(video: Path, frames: int, repeat: int, again: bool) -> tuple[float, float, float]:
    """Best (detector alone fps, decode + detector + track + count + store fps) on the first
    `frames` frames, over `repeat` rounds, and the network passes a frame in the pipeline;
    `again`: the detector's `look_again`."""
    detector = NetDetector(threads=2, look_again=again)
    images = list(itertools.islice(FileSource(video, start_time=START), frames))
    for frame in images[:5]:  # warm up
        detector.detect(frame)
    alone = piped = 0.0
    for _ in range(repeat):
        began = time.perf_counter()
        for frame in images:
            detector.detect(frame)
        alone = max(alone, len(images) / (time.perf_counter() - began))
        with tempfile.TemporaryDirectory() as tmp:
            store = SQLiteStore(Path(tmp) / "bench.db")
            ingest = Ingest(store)
            analyzer = Analyzer(clip_params(video), detector)
            detector.passes = 0
            began = time.perf_counter()
            for frame in itertools.islice(FileSource(video, start_time=START), frames):
                ingest.add(analyzer.process(frame))
            piped = max(piped, frames / (time.perf_counter() - began))
            store.close()
    return alone, piped, detector.passes / frames


def main() -> None:
    """Run every clip and print the tables."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--net-frames", type=int, default=300, help="frames of each clip the network sees (0: none)"
    )
    args = parser.parse_args()
    if args.repeat < 1 or args.net_frames < 0:
        parser.error("--repeat must be 1 or more and --net-frames 0 or more")
    clips = sorted((DATA / "video").iterdir())
    all_cores = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(all_cores)})
    cv2.setNumThreads(1)
    day = time.strftime("%Y-%m-%d")
    load = os.getloadavg()[0]
    print(
        f"one core ({min(all_cores)}), cv2 threads 1, best of {args.repeat}; {day}; load {load:.1f}"
    )
    head = (
        f"{'clip':<24}{'frames':>7}{'clip fps':>9}{'(a) dec':>9}{'(b) floor':>10}{'(c) ours':>9}"
        f"{'c/b':>7}{'c/a':>7}{'x real':>8}{'in/out':>8}"
    )
    print(head)
    print("-" * len(head))
    rows = []
    for video in clips:
        a, b, c = fps_of([decode, floor, full], video, args.repeat)
        clip_fps = FileSource(video).fps
        n_in, n_out = full.last_totals  # type: ignore[attr-defined]
        frames = decode(video)
        print(
            f"{video.stem:<24}{frames:>7}{clip_fps:>9.1f}{a:>9.0f}{b:>10.0f}{c:>9.0f}"
            f"{c / b:>7.2f}{c / a:>7.2f}{c / clip_fps:>8.1f}{f'{n_in}/{n_out}':>8}"
        )
        rows.append(
            {"clip": video.stem, "decode": a, "floor": b, "full": c, "x_real": c / clip_fps}
        )
    os.sched_setaffinity(0, all_cores)
    cv2.setNumThreads(len(all_cores))
    if args.net_frames == 0:
        print(json.dumps(rows))
        return
    print()
    print(f"network detector (ssdlite_pedestrian.onnx, onnxruntime, {len(all_cores)} cores)")
    head = (
        f"{'clip':<24}{'detector fps':>13}{'pipeline fps':>13}{'x real':>8}"
        f"{'again: pipeline fps':>21}{'passes a frame':>16}{'x real':>8}"
    )
    print(head)
    print("-" * len(head))
    for video in clips:
        alone, piped, _ = net_rates(video, args.net_frames, args.repeat, False)
        _, shipped, passes = net_rates(video, args.net_frames, args.repeat, True)
        clip_fps = FileSource(video).fps
        print(
            f"{video.stem:<24}{alone:>13.1f}{piped:>13.1f}{piped / clip_fps:>8.1f}"
            f"{shipped:>21.1f}{passes:>16.2f}{shipped / clip_fps:>8.1f}"
        )
        row = {"clip": video.stem, "net_detector": alone, "net_pipeline": piped}
        rows.append(row | {"net_shipped": shipped, "net_passes": passes})
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (figures are noisy above ~1.5)")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()

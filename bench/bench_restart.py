"""How a counter started again counts, learning the person size afresh or going on from the
samples the run before learnt (`Analyzer.restore_size`, what `footfall serve` keeps in
person-size.json).

Restarts measured on every shared clip:
- "mid-queue": one analyzer counts the first half of the clip, a new one the second half (the
  samples handed on are the first half's); truth: the hand-marked events of the second half.
- "queue at start": a new analyzer counts the whole clip, whose first frame already holds the
  people at the door (the samples handed on are those of a whole pass of it); truth: the clip's.
- "N s empty": a new analyzer watches N seconds of the clip's empty doorway (its median image),
  then the whole clip (the samples handed on are those of a whole pass); truth: the clip's.

Clips whose truth is hidden are scored against our own hand counts (tests/real/README.md;
estimates, marked ~; for the second halves, the events of those lists after the middle).

    .venv/bin/python bench/bench_restart.py [--jobs 2]
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
from floor import DATA, clip_params, clip_truth

from footfall.vision.analyzer import Analyzer
from footfall.vision.sizestate import SizeSamples
from footfall.vision.types import Frame

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.real
from tests.real.resample import decoded, empty_doorway

# Our own hand counts of the clips whose truth is hidden: (in, out) of the whole clip and of its
# second half (frames 374 on), from the lists in tests/real/README.md (sure crossings and ~half
# of the unsure ones).
HAND_COUNTS = {
    "tram_door_overhead_03": ((19, 0), (8, 0)),
    "tram_door_overhead_04": ((0, 28), (0, 15)),
}
EMPTY_S = (1, 12, 60)
COLUMNS = ("mid-queue", "queue at start", *(f"{s} s empty" for s in EMPTY_S))


def count(
    video: Path, images: list[npt.NDArray[np.uint8]], fps: float, samples: SizeSamples | None
) -> tuple[int, int]:
    """(in, out) a new analyzer counts in `images`, going on from `samples` when given."""
    analyzer = Analyzer(clip_params(video))
    analyzer.set_fps(fps)
    analyzer.restore_size(samples)
    start = datetime(1970, 1, 1, tzinfo=UTC)
    passages = []
    for index, image in enumerate(images):
        when = start + timedelta(seconds=index / fps)
        passages += analyzer.process(Frame(image, index, when))
    passages += analyzer.flush()
    n_in = sum(p.direction == "in" for p in passages)
    return n_in, len(passages) - n_in


def learnt(video: Path, images: list[npt.NDArray[np.uint8]], fps: float) -> SizeSamples | None:
    """The size samples an analyzer has after counting `images`."""
    analyzer = Analyzer(clip_params(video))
    analyzer.set_fps(fps)
    for index, image in enumerate(images):
        analyzer.process(Frame(image, index, datetime(1970, 1, 1, tzinfo=UTC)))
    return analyzer.size_samples()


def measure(video: Path) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Per column: (counted afresh, counted going on from the run before)."""
    cv2.setNumThreads(1)
    capture = cv2.VideoCapture(str(video))
    fps = float(capture.get(cv2.CAP_PROP_FPS) or 25.0)
    capture.release()
    images = list(decoded(video))
    half = len(images) // 2
    first_half, whole = learnt(video, images[:half], fps), learnt(video, images, fps)
    empty = empty_doorway(images)
    runs = [(images[half:], first_half), (images, whole)]
    runs += [([empty] * round(s * fps) + images, whole) for s in EMPTY_S]
    return [(count(video, seq, fps, None), count(video, seq, fps, kept)) for seq, kept in runs]


def truths(video: Path) -> tuple[tuple[int, int], tuple[int, int], str]:
    """(whole clip, second half) truth, and '~' when it is our hand count."""
    truth, found = clip_truth(video)
    if not found:
        whole, second = HAND_COUNTS.get(video.stem, ((0, 0), (0, 0)))
        return whole, second, "~"
    half = truth.frames // 2 if truth.frames else 0
    second = tuple(
        sum(e.direction == way and e.frame >= half for e in truth.events) for way in ("in", "out")
    )
    return (truth.true_in, truth.true_out), (second[0], second[1]), ""


def accuracy(got: tuple[int, int], true: tuple[int, int]) -> float:
    return 1 - (abs(got[0] - true[0]) + abs(got[1] - true[1])) / max(1, sum(true))


def main() -> None:
    """Measure every clip and print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    videos = sorted((DATA / "video").iterdir())
    with ProcessPoolExecutor(args.jobs) as pool:
        results = list(pool.map(measure, videos))
    header = f"{'clip':<24}{'truth':>12}" + "".join(f"{c:>26}" for c in COLUMNS)
    print(header)
    print(f"{'':<36}" + "".join(f"{'afresh -> going on':>26}" for _ in COLUMNS))
    print("-" * len(header))
    sums = np.zeros((len(COLUMNS), 2))
    for video, cells in zip(videos, results, strict=True):
        whole, second, mark = truths(video)
        row = f"{video.stem:<24}{f'{mark}{whole[0]}/{whole[1]}':>12}"
        for j, (fresh, kept) in enumerate(cells):
            true = second if j == 0 else whole
            a, b = accuracy(fresh, true), accuracy(kept, true)
            sums[j] += (a, b)
            text = f"{fresh[0]}/{fresh[1]} {a:.2f} -> {kept[0]}/{kept[1]} {b:.2f}"
            row += f"{text:>26}"
        print(row)
    means = "".join(f"{f'{a:.3f} -> {b:.3f}':>26}" for a, b in sums / len(videos))
    print(f"{'mean accuracy':<36}{means}")
    print("(mid-queue: truth of the second half; the hidden clips against our hand counts, ~)")


if __name__ == "__main__":
    main()

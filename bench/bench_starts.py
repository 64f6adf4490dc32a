"""How the count depends on where the footage starts: every shared clip counted by a new
analyzer from each whole second of its first half, learning the person size afresh, as a clip
of the same door cut at another moment would be (the clips kept for evaluation are such clips).

A dense queue is counted in units of the person size learnt from the first frames counted, and
what the learner sees then moves with the start (a background model started on people who
stand leaves their ghosts when they move on; the mask's closing follows the size it is
teaching). Scored against the events after the start (the ground truth's; for the clips whose
truth is hidden, our own hand-marked crossings in tests/real/README.md, marked ~). Prints the
combined accuracy from each start, each clip's mean and the mean of all.

    .venv/bin/python bench/bench_starts.py [--step 1] [--jobs 2]
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
from floor import DATA, clip_params, events_of

from footfall.counting.groundtruth import combined_accuracy
from footfall.vision.analyzer import Analyzer
from footfall.vision.filesource import file_fps
from footfall.vision.types import Frame

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.real
from tests.real.resample import decoded

SETTLE_FRAMES = 3  # a crossing this close after the start is not asked of the counter


def count_from(video: Path, start_s: float) -> tuple[int, int, float]:
    """(in, out, person width px) a new analyzer counts in `video` from `start_s` on."""
    cv2.setNumThreads(1)
    capture = cv2.VideoCapture(str(video))
    fps = file_fps(capture)
    capture.release()
    skip = round(start_s * fps)
    analyzer = Analyzer(clip_params(video))
    analyzer.set_fps(fps)
    start = datetime(1970, 1, 1, tzinfo=UTC)
    passages = []
    for index, image in enumerate(decoded(video)):
        if index < skip:
            continue
        when = start + timedelta(seconds=index / fps)
        passages += analyzer.process(Frame(np.asarray(image, np.uint8), index, when))
    passages += analyzer.flush()
    n_in = sum(p.direction == "in" for p in passages)
    return n_in, len(passages) - n_in, analyzer.person_px


def main() -> None:
    """Count every clip from each start and print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--step", type=float, default=1.0, help="s between two starts")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    videos = sorted((DATA / "video").iterdir())
    plans = []
    for video in videos:
        capture = cv2.VideoCapture(str(video))
        fps = file_fps(capture)
        half_s = capture.get(cv2.CAP_PROP_FRAME_COUNT) / fps / 2.0
        capture.release()
        starts = [k * args.step for k in range(int(half_s / args.step) + 1)]
        plans += [(video, s, fps) for s in starts]
    with ProcessPoolExecutor(args.jobs) as pool:
        found = list(pool.map(count_from, [p[0] for p in plans], [p[1] for p in plans]))
    rows: dict[Path, list[tuple[float, float, float]]] = {v: [] for v in videos}
    for (video, start_s, fps), (n_in, n_out, width) in zip(plans, found, strict=True):
        events, _ = events_of(video)
        after = [way for frame, way in events if frame >= round(start_s * fps) + SETTLE_FRAMES]
        acc = combined_accuracy(n_in, n_out, after.count("in"), after.count("out"))
        rows[video].append((start_s, acc, width))
    every: list[float] = []
    for video in videos:
        _, mark = events_of(video)
        accs = [acc for _, acc, _ in rows[video]]
        every += accs
        cells = " ".join(f"{acc:5.2f}" for acc in accs)
        widths = [w for _, _, w in rows[video]]
        print(
            f"{video.stem:<24}{mark:1} mean {sum(accs) / len(accs):.3f}  width "
            f"{min(widths):.0f}-{max(widths):.0f} px  from 0, {args.step:g} s, ...: {cells}"
        )
    print(f"mean of every start of every clip: {sum(every) / len(every):.3f}")


if __name__ == "__main__":
    main()

"""How a mounting height fitted to a hand count (`footfall eval --fit`) carries to another
recording of the same door: the three tram clips (one camera, one door), each fitted on its own
hand count, and each scored told the height fitted on the other two together (the sum of their
counts against the sum of their hand counts), against learning the width as the counter does.

Tram 02 is scored against its ground truth, trams 03 and 04 against our own hand marks
(tests/real/README.md; estimates, marked ~). Every count is of the whole clip told the height
(`Counter.AutoSize` 0), as `eval --fit` counts it.

    .venv/bin/python bench/bench_fit.py [--jobs 2]
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor
from functools import cache, partial
from pathlib import Path

from floor import DATA, clip_params, events_of

from footfall.commands.fit import fit_height
from footfall.counting.groundtruth import combined_accuracy
from footfall.vision.offline import count_file

CLIPS = ("tram_door_overhead_02", "tram_door_overhead_03", "tram_door_overhead_04")


def video_of(stem: str) -> Path:
    return DATA / "video" / f"{stem}.mp4"


def counted(job: tuple[str, int | None]) -> tuple[int, int, float]:
    """(in, out, person px) of a clip told `height` cm (AutoSize 0), or learning it (None)."""
    stem, height = job
    video = video_of(stem)
    params = clip_params(video)
    if height is not None:
        told = {"Height": height, "AutoSize": 0}
        params = params.model_copy(update={"Counter": params.Counter.model_copy(update=told)})
    result = count_file(video, params)
    n_in = sum(p.direction == "in" for p in result.passages)
    return n_in, len(result.passages) - n_in, result.person_px


def truth_of(stem: str) -> tuple[int, int]:
    """The clip's hand count (in, out): its ground truth's events, or our hand marks."""
    events, _ = events_of(video_of(stem))
    n_in = sum(way == "in" for _, way in events)
    return n_in, len(events) - n_in


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    pool = ProcessPoolExecutor(args.jobs)

    @cache
    def count(stems: tuple[str, ...], height: int | None) -> tuple[int, int, float]:
        got = list(pool.map(counted, [(stem, height) for stem in stems]))
        return sum(g[0] for g in got), sum(g[1] for g in got), got[0][2]

    truths = {stem: truth_of(stem) for stem in CLIPS}
    print(
        f"{'clip':<24}{'truth':>7}{'learning':>10}{'acc':>7}{'own fit':>9}{'acc':>7}"
        f"{'others':>8}{'told':>7}{'acc':>7}"
    )
    print("-" * 86)
    scores: list[tuple[float, float]] = []
    for stem in CLIPS:
        mark = "" if (DATA / f"{stem}.json").exists() else "~"
        true = truths[stem]
        learnt = count((stem,), None)
        own = fit_height(partial(count, (stem,)), true).best
        others = tuple(s for s in CLIPS if s != stem)
        pooled = (sum(truths[s][0] for s in others), sum(truths[s][1] for s in others))
        joint = fit_height(partial(count, others), pooled).best
        told = count((stem,), joint.height_cm)
        a_learnt = combined_accuracy(learnt[0], learnt[1], *true)
        a_told = combined_accuracy(told[0], told[1], *true)
        scores.append((a_learnt, a_told))
        shown = f"{mark}{true[0]}/{true[1]}"
        print(
            f"{stem:<24}{shown:>7}{f'{learnt[0]}/{learnt[1]}':>10}{a_learnt:>7.3f}"
            f"{f'{own.height_cm} cm':>9}{own.accuracy:>7.3f}{f'{joint.height_cm} cm':>8}"
            f"{f'{told[0]}/{told[1]}':>7}{a_told:>7.3f}"
        )
    mean_learnt = sum(a for a, _ in scores) / len(scores)
    mean_told = sum(t for _, t in scores) / len(scores)
    print(f"mean: learning {mean_learnt:.3f}, told the height fitted on the others {mean_told:.3f}")
    pool.shutdown()


if __name__ == "__main__":
    main()

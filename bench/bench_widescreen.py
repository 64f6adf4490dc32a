"""The shared clips as 1280x720 and 1920x1080 cameras would give them: speed and counts.

Each clip is enlarged to the picture's height with plain floor either side (`widescreen` in
tests/real/resample.py) and written as H.264 (PyAV, libx264) into a temporary folder; its
counting area goes where that picture shows it. Then, on ONE core with one OpenCV thread, as
bench_pipeline.py does for the clips as they are: (a) decode, (b) the bare floor (decode +
resize to 320x240 + MOG2 + contours), (c) footfall (file -> Analyzer -> SQLite), and (d) footfall
with every frame averaged down exactly (`cv2.INTER_AREA` whatever the size: the code before
`vision/shrink.py`), the baseline in the same run. Prints fps, (c)/(b) (goal >= 0.8), (d)/(b),
x real time and the counts of (c) and (d) against the clip's truth (~: our hand count).

    .venv/bin/python bench/bench_widescreen.py [--repeat N] [--sizes 1280x720,1920x1080]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import av  # noqa: E402
import cv2  # noqa: E402
from bench_pipeline import decode, floor, fps_of, full  # noqa: E402
from bench_robustness import truth_of  # noqa: E402
from floor import DATA, clip_truth  # noqa: E402

from footfall.commands.count import params_for  # noqa: E402
from footfall.config import Params  # noqa: E402
from footfall.vision import shrink  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.real
from tests.real.resample import decoded, widescreen, widescreen_area  # noqa: E402


def write_widescreen(video: Path, size: tuple[int, int], out: Path) -> float:
    """`video` as a camera of `size` would give it, written to `out` (H.264); its frame rate."""
    fps = cv2.VideoCapture(str(video)).get(cv2.CAP_PROP_FPS) or 25.0
    with av.open(str(out), "w") as container:
        stream = container.add_stream("libx264", rate=round(fps))
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "20", "preset": "veryfast"}
        for image in decoded(video):
            frame = av.VideoFrame.from_ndarray(widescreen(image, size), format="bgr24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return float(fps)


Totals = dict[bool, tuple[int, int]]


def counted(params: Params, exact: bool, totals: Totals) -> Callable[[Path], int]:
    """(c) footfall, or (d) with every frame averaged down exactly (`exact`: `shrink` never
    takes its fast way); the counts go to `totals[exact]`."""

    def run(video: Path) -> int:
        fast = shrink.STAGE
        shrink.STAGE = 10**9 if exact else fast  # never shrunk by that much: always exact
        try:
            return full(video, params)
        finally:
            shrink.STAGE = fast
            totals[exact] = full.last_totals  # type: ignore[attr-defined]

    return run


def main() -> None:
    """Write every clip at every size, then time and count them."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--sizes", default="1280x720,1920x1080")
    args = parser.parse_args()
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]
    clips = sorted((DATA / "video").iterdir())
    all_cores = os.sched_getaffinity(0)
    with tempfile.TemporaryDirectory() as tmp:
        made = []
        for video in clips:
            for w, h in sizes:
                out = Path(tmp) / f"{video.stem}_{w}x{h}.mp4"
                fps = write_widescreen(video, (w, h), out)
                truth, _ = clip_truth(video)
                area = widescreen_area(truth.area.as_cntpos(), (w, h))
                made.append((video, out, fps, params_for(area, truth.in_direction, None)))
        os.sched_setaffinity(0, {min(all_cores)})
        cv2.setNumThreads(1)
        print(
            f"one core ({min(all_cores)}), cv2 threads 1, best of {args.repeat}; "
            f"{time.strftime('%Y-%m-%d %H:%M')}; load {os.getloadavg()[0]:.1f}"
        )
        head = (
            f"{'clip':<34}{'(a) dec':>8}{'(b) floor':>10}{'(c) ours':>9}{'(d) exact':>10}"
            f"{'c/b':>6}{'d/b':>6}{'x real':>7}{'ours':>7}{'exact':>7}{'truth':>7}"
        )
        print(head)
        print("-" * len(head))
        for video, out, fps, params in made:
            totals: Totals = {}
            runs = [decode, floor, counted(params, False, totals), counted(params, True, totals)]
            a, b, c, d = fps_of(runs, out, args.repeat)
            ours, before = ("{}/{}".format(*totals[e]) for e in (False, True))
            t_in, t_out, mark = truth_of(video)
            print(
                f"{out.stem:<34}{a:>8.0f}{b:>10.0f}{c:>9.0f}{d:>10.0f}{c / b:>6.2f}{d / b:>6.2f}"
                f"{c / fps:>7.1f}{ours:>7}{before:>7}{f'{mark}{t_in}/{t_out}':>7}"
            )
        os.sched_setaffinity(0, all_cores)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (figures are noisy above ~1.5)")


if __name__ == "__main__":
    main()

"""Memory over one hour of live counting, compressed: the pipeline thread on an unpaced source.

Runs `start_counting` (source -> Analyzer -> Ingest -> SQLite file) for as many frames as an hour
holds (54,000 at the synthetic scene's 15 fps, or a clip looped: `--source CLIP --loop`), sampling
the process's resident memory, and prints the samples, the growth from the first quarter of the
run to the last, and whether that stays under the allowance (flat).

    .venv/bin/python bench/bench_memory.py [--source synthetic|CLIP --loop] [--hours 1]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from footfall.config import Params
from footfall.ingest import Ingest
from footfall.pipeline import start_counting
from footfall.store.sqlite import SQLiteStore
from footfall.vision.filesource import FileSource

PAGE = os.sysconf("SC_PAGE_SIZE")
ALLOWANCE_MB = 8.0  # growth from the first to the last quarter still called flat


def rss_mb() -> float:
    """Resident memory of this process, MiB."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE / 2**20


def main() -> None:
    """Run, sample, print."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", default="synthetic")
    parser.add_argument("--loop", action="store_true")
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--samples", type=int, default=20)
    args = parser.parse_args()
    fps = 15.0 if args.source.startswith("synthetic") else FileSource(args.source).fps
    frames = round(args.hours * 3600 * fps)
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "memory.db")
        params = Params()
        handle = start_counting(args.source, args.loop, lambda: params, Ingest(store), paced=False)
        began = time.perf_counter()
        samples: list[tuple[int, float]] = []
        print(f"{args.source}: {frames} frames = {args.hours:g} h at {fps:g} fps, unpaced")
        print(f"{'frames':>8}{'video time':>12}{'rss MiB':>9}{'passages':>10}")
        for i in range(1, args.samples + 1):
            target = frames * i // args.samples
            while handle.frames < target and handle.status()["state"] in ("starting", "running"):
                time.sleep(0.05)
            samples.append((handle.frames, rss_mb()))
            minutes = handle.frames / fps / 60
            print(
                f"{handle.frames:>8}{minutes:>10.1f} m{samples[-1][1]:>9.1f}"
                f"{handle.status()['passages']:>10}"
            )
        handle.stop()
        elapsed = time.perf_counter() - began
        db_mb = sum(p.stat().st_size for p in Path(tmp).glob("memory.db*")) / 2**20
        store.close()
    quarter = max(1, len(samples) // 4)
    first = statistics.median(r for _, r in samples[:quarter])
    last = statistics.median(r for _, r in samples[-quarter:])
    growth = last - first
    verdict = "flat" if growth < ALLOWANCE_MB else "GROWING"
    print(
        f"\n{handle.frames} frames in {elapsed:.0f} s ({handle.frames / elapsed:.0f} fps, "
        f"{handle.frames / fps / elapsed:.0f}x real time); database {db_mb:.2f} MiB"
    )
    print(
        f"rss first quarter {first:.1f} MiB, last quarter {last:.1f} MiB, "
        f"growth {growth:+.1f} MiB (allowance {ALLOWANCE_MB:g}): {verdict}"
    )


if __name__ == "__main__":
    main()

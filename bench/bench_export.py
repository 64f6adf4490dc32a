"""Export speed on a year of realistic counts, against baselines measured in the same run.

Fills a temporary SQLite store with one year of data (opening hours 07:00-21:00 local, a passage
or a few in most minutes), then times, best of --repeat runs:
- sql floor: fetching every minute row, what any exporter reading minute bins pays;
- naive: the per-row Python loop (each minute to local time with zoneinfo, a dict of bins,
  strftime per row), the obvious way to write an exporter;
- footfall: `count_report` + the writers, per resolution and format, and the small reads
  (list-cnt days, live-sum totals).
Prints ms per call, the speed-up over naive, and whether the 15m CSV target (< 300 ms) is met.

    .venv/bin/python bench/bench_export.py [--days 365] [--zone Europe/Stockholm] [--repeat 5]
"""

from __future__ import annotations

import argparse
import platform
import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from footfall.api.cntfile import render_cnt
from footfall.api.formats import render_csv, render_json, render_xml
from footfall.store.bins import count_report, day_bounds_utc, days_with_data, today_totals
from footfall.store.sqlite import SQLiteStore

SERIAL, NAME = "ACCC8E019C5F", "Exit south"
TARGET_S = 0.3


def fill(store: SQLiteStore, tz: ZoneInfo, first: date, n_days: int) -> int:
    """A passage (or a few) in ~85 % of the minutes of opening hours; returns the passage count."""
    rng = np.random.default_rng(2017)
    rows = []
    for d in range(n_days):
        start, _ = day_bounds_utc(first + timedelta(days=d), tz)
        for minute in range(7 * 60, 21 * 60):
            if rng.random() < 0.85:
                rows.append((start + minute * 60, int(rng.poisson(1.2)), int(rng.poisson(1.1))))
    store.add_minute_counts(rows)
    return sum(r[1] + r[2] for r in rows)


def sql_floor(path: Path) -> int:
    """Every minute row fetched into Python, nothing else."""
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT minute_utc, in_count, out_count FROM minute_bins").fetchall()
    conn.close()
    return len(rows)


def naive_csv(store: SQLiteStore, tz: ZoneInfo) -> str:
    """The obvious exporter: one zoneinfo conversion and one dict update per minute row."""
    sums: dict[datetime, list[int]] = {}
    for b in store.minute_bins(0, 2**40):
        local = datetime.fromtimestamp(b.minute_utc, tz).replace(tzinfo=None)
        start = local.replace(minute=local.minute // 15 * 15)
        counts = sums.setdefault(start, [0, 0])
        counts[0] += b.in_count
        counts[1] += b.out_count
    lines = ["Interval start,Interval stop,Camera serial number,Counter name,in,out"]
    days = sorted({start.date() for start in sums})
    for day in days:  # complete days, but blind to DST gaps (a naive exporter's usual bug)
        midnight = datetime(day.year, day.month, day.day)
        for k in range(96):
            start = midnight + timedelta(minutes=15 * k)
            n_in, n_out = sums.get(start, (0, 0))
            lines.append(
                f"{start:%Y-%m-%d %H:%M:%S},{start + timedelta(minutes=15):%Y-%m-%d %H:%M:%S},"
                f"{SERIAL},{NAME},{n_in},{n_out}"
            )
    return "\n".join(lines) + "\n"


def best(fn: Callable[[], object], repeat: int) -> float:
    """Best wall time of `repeat` calls, in seconds."""
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return min(times)


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--zone", default="Europe/Stockholm")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    tz = ZoneInfo(args.zone)

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        store = SQLiteStore(path)
        began = time.perf_counter()
        passages = fill(store, tz, date(2025, 1, 1), args.days)
        fill_s = time.perf_counter() - began
        n_rows = sql_floor(path)
        print(
            f"{args.days} days in {args.zone}: {n_rows} minute rows, {passages} passages, "
            f"filled in {fill_s:.1f} s; {platform.processor() or platform.machine()}, "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
            f"{datetime.now(UTC):%Y-%m-%d}"
        )
        rep = {res: count_report(store, tz, None, res) for res in (900, 3600, 86400)}
        assert sum(v for d in rep[900] for b in d.bins for v in b.values) == passages
        now = datetime(2025, 7, 1, 12, 34, tzinfo=UTC)

        naive_s = best(lambda: naive_csv(store, tz), max(1, args.repeat // 2))
        cases: list[tuple[str, Callable[[], object]]] = [
            ("sql floor: fetch all minute rows", lambda: sql_floor(path)),
            ("naive: per-row loop, 15m CSV", lambda: naive_csv(store, tz)),
            (
                "footfall 15m CSV (report + render)",
                lambda: render_csv(count_report(store, tz, None, 900), SERIAL, NAME),
            ),
            ("  of which count_report 15m", lambda: count_report(store, tz, None, 900)),
            ("  of which render_csv 15m", lambda: render_csv(rep[900], SERIAL, NAME)),
            ("footfall 15m JSON", lambda: render_json(rep[900], SERIAL, NAME, 900)),
            ("footfall 15m XML", lambda: render_xml(rep[900], SERIAL, NAME, 900)),
            ("footfall 15m cnt", lambda: render_cnt(rep[900], SERIAL, NAME, args.zone, 900)),
            (
                "footfall 1h CSV (report + render)",
                lambda: render_csv(count_report(store, tz, None, 3600), SERIAL, NAME),
            ),
            (
                "footfall 24h CSV (report + render)",
                lambda: render_csv(count_report(store, tz, None, 86400), SERIAL, NAME),
            ),
            ("list-cnt days_with_data", lambda: days_with_data(store, tz)),
            ("live-sum today_totals", lambda: today_totals(store, tz, now)),
        ]
        print(f"\n{'operation':42} {'ms':>9} {'x faster than naive':>20}")
        results = {}
        for label, fn in cases:
            seconds = naive_s if label.startswith("naive") else best(fn, args.repeat)
            results[label] = seconds
            print(f"{label:42} {seconds * 1000:9.2f} {naive_s / seconds:20.1f}")
        store.close()
    csv_s = results["footfall 15m CSV (report + render)"]
    verdict = "met" if csv_s < TARGET_S * args.days / 365 else "MISSED"
    print(
        f"\ntarget: one year of 15m CSV < {TARGET_S * 1000:.0f} ms: "
        f"{csv_s * 1000:.0f} ms, {verdict}"
    )


if __name__ == "__main__":
    main()

"""SQLite against PostgreSQL, side by side, on a year of passages (same data, same run).

For each store backend: the time to add a year of passages in batches (one batch per hour of
opening time, each committed before the next, as the counting thread does), then, best of
--repeat runs, a year of 15m CSV (count_report + render_csv), a year of 1h CSV, list-cnt's days
and live-sum's totals. Prints ms per operation and the ratio PostgreSQL / SQLite.

PostgreSQL runs in an empty schema of its own in --url's database, dropped at the end.

    .venv/bin/python bench/bench_store.py [--days 365] [--url postgresql://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import platform
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import psycopg
from bench_export import NAME, SERIAL, best

from footfall.api.formats import render_csv
from footfall.store.base import Direction, Passage
from footfall.store.bins import count_report, day_bounds_utc, days_with_data, today_totals
from footfall.store.postgres import PostgresStore
from footfall.store.sqlite import SQLiteStore

AnyStore = SQLiteStore | PostgresStore


def year_of_batches(tz: ZoneInfo, first: date, n_days: int) -> list[list[Passage]]:
    """Passages in ~85 % of the minutes of opening hours (07:00-21:00 local), one batch an hour."""
    rng = np.random.default_rng(2017)
    batches: list[list[Passage]] = []
    for d in range(n_days):
        start, _ = day_bounds_utc(first + timedelta(days=d), tz)
        for hour in range(7, 21):
            batch: list[Passage] = []
            for minute in range(hour * 60, hour * 60 + 60):
                if rng.random() >= 0.85:
                    continue
                counts: tuple[tuple[Direction, int], ...] = (
                    ("in", int(rng.poisson(1.2))),
                    ("out", int(rng.poisson(1.1))),
                )
                for direction, n in counts:
                    for k in range(n):
                        when = datetime.fromtimestamp(start + minute * 60 + 7 * k, UTC)
                        batch.append(Passage(when, direction))
            batches.append(batch)
    return batches


@contextmanager
def postgres_store(url: str) -> Iterator[PostgresStore]:
    """A PostgresStore in an empty schema of its own (dropped afterwards)."""
    schema = f"footfall_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    joiner = "&" if "?" in url else "?"
    try:
        with PostgresStore(f"{url}{joiner}options=-csearch_path%3D{schema}", SERIAL) as store:
            yield store
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def measure(
    store: AnyStore, batches: list[list[Passage]], tz: ZoneInfo, repeat: int
) -> dict[str, float]:
    """Seconds per operation on `store` (filled here from `batches`)."""
    began = time.perf_counter()
    for batch in batches:
        store.add_passages(batch)
    results = {f"add passages: {len(batches)} batches": time.perf_counter() - began}
    now = datetime(2025, 7, 1, 12, 34, tzinfo=UTC)
    cases: list[tuple[str, Callable[[], object]]] = [
        ("15m CSV, every day (report + render)", lambda: csv(store, tz, 900)),
        ("1h CSV, every day (report + render)", lambda: csv(store, tz, 3600)),
        ("window_sums 15m, every day", lambda: store.window_sums(0, 900 * 2**30, 900)),
        ("list-cnt days_with_data", lambda: days_with_data(store, tz)),
        ("live-sum today_totals", lambda: today_totals(store, tz, now)),
    ]
    for label, fn in cases:
        results[label] = best(fn, repeat)
    return results


def csv(store: AnyStore, tz: ZoneInfo, res_s: int) -> str:
    """The export-csv body for every day."""
    return render_csv(count_report(store, tz, None, res_s), SERIAL, NAME)


def main() -> None:
    """Run both backends and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--zone", default="Europe/Stockholm")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    tz = ZoneInfo(args.zone)
    batches = year_of_batches(tz, date(2025, 1, 1), args.days)
    passages = sum(len(b) for b in batches)

    with tempfile.TemporaryDirectory() as folder, SQLiteStore(Path(folder) / "f.sqlite3") as lite:
        on_sqlite = measure(lite, batches, tz, args.repeat)
        lite_csv = csv(lite, tz, 900)
    with postgres_store(args.url) as pg:
        on_postgres = measure(pg, batches, tz, args.repeat)
        assert csv(pg, tz, 900) == lite_csv  # the same bytes from both
        server = pg.stats()["server_version"]
    print(
        f"{args.days} days in {args.zone}: {passages} passages; "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, PostgreSQL {server // 10000}.{server % 10000} "
        f"(TCP loopback), {datetime.now(UTC):%Y-%m-%d}"
    )
    print(f"\n{'operation':40} {'SQLite ms':>10} {'PostgreSQL ms':>14} {'PG / SQLite':>12}")
    for label, lite_s in on_sqlite.items():
        pg_s = on_postgres[label]
        print(f"{label:40} {lite_s * 1000:10.2f} {pg_s * 1000:14.2f} {pg_s / lite_s:12.2f}")
    per_batch = {k: v for k, v in on_sqlite.items() if k.startswith("add")}
    for label, lite_s in per_batch.items():
        pg_s = on_postgres[label]
        print(
            f"\nper batch ({passages / len(batches):.0f} passages, one commit): "
            f"SQLite {lite_s / len(batches) * 1000:.2f} ms, "
            f"PostgreSQL {pg_s / len(batches) * 1000:.2f} ms"
        )


if __name__ == "__main__":
    main()

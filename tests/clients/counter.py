"""A real `footfall serve` process fed by `footfall replay`, and what its clients must read back.

The passages are known in advance, so every client's parse is compared with bins computed here
independently of the server code: local wall-clock bins keyed at their END (SPEC §2).
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from tests.needs import unavailable
from tests.serving import replay_process, serve_process

SERIAL = "ACCC8E019C5F"
ZONE = ZoneInfo("Europe/Stockholm")
NAME = "Exit south"
DAYS = (date(2017, 5, 12), date(2017, 5, 13))
USERS = ("root:pass:admin", "op:oppass:operator", "view:viewpass:viewer")
HERE = Path(__file__).parent


def _history() -> list[tuple[datetime, str]]:
    """Deterministic local passages on DAYS, edges of bins and days included."""
    out: list[tuple[datetime, str]] = []
    for day_index, day in enumerate(DAYS):
        start = datetime(day.year, day.month, day.day)
        for i in range(60):
            minute = (i * 37 + day_index * 11) % (24 * 60)
            second = (i * 13) % 60
            moment = start + timedelta(minutes=minute, seconds=second)
            out.append((moment, "in" if (i + day_index) % 3 else "out"))
        out.append((start, "in"))  # the first instant of the day: the first bin
        out.append((start + timedelta(hours=24, seconds=-1), "out"))  # the last bin
    return sorted(out)


HISTORY = _history()


@dataclass
class Counter:
    """A running `footfall serve` and the passages replayed into it."""

    process: subprocess.Popen[str]
    base: str
    data: Path
    today: tuple[int, int]  # (in, out) replayed for today in the counter's zone

    @property
    def api(self) -> str:
        """The viewer endpoint."""
        return self.base + "/local/tvpc/.api"

    @property
    def operator(self) -> str:
        """The operator endpoint."""
        return self.base + "/local/tvpc/.apioperator"

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it lingers."""
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


def serve(data: Path, flags: Sequence[str] = ()) -> tuple[subprocess.Popen[str], str]:
    """Start `footfall serve --port 0` as a new user would; returns it and its base URL."""
    user_flags = [arg for user in USERS for arg in ("--user", user)]
    return serve_process(data, ["--serial", SERIAL, *user_flags, *flags])


def start_counter(data: Path, flags: Sequence[str] = (), extra_params: str = "") -> Counter:
    """Serve, set name and zone with setparams, replay HISTORY and today's passages."""
    process, base = serve(data, flags)
    auth = httpx.BasicAuth("root", "pass")
    query = "setparams&Counter.TimeZone=Europe/Stockholm&Counter.Name=Exit%20south" + extra_params
    answer = httpx.get(f"{base}/local/tvpc/.apioperator?{query}", auth=auth, timeout=10)
    assert answer.text == "OK", answer.text
    now = datetime.now(UTC).replace(microsecond=0)
    midnight = datetime.combine(now.astimezone(ZONE).date(), datetime.min.time(), ZONE)
    today = [(now - timedelta(seconds=s), d) for s, d in ((5, "in"), (4, "in"), (3, "out"))]
    today = [(t, d) for t, d in today if t >= midnight]
    rows = [f"{t:%Y-%m-%d %H:%M:%S},{d}" for t, d in HISTORY]
    rows += [f"{t.isoformat().replace('+00:00', 'Z')},{d}" for t, d in today]
    csv_file = data.parent / f"{data.name}-passages.csv"
    csv_file.write_text("time,direction\n" + "\n".join(rows) + "\n")
    replay_process(data, csv_file)
    totals = (sum(d == "in" for _, d in today), sum(d == "out" for _, d in today))
    counter = Counter(process, base, data, totals)
    deadline = time.monotonic() + 5  # the live-sum cache sees another process within ~1 s
    while True:
        live = httpx.get(f"{counter.api}?live-sum.json", auth=auth, timeout=10).json()
        if (live["in"], live["out"]) == counter.today or time.monotonic() > deadline:
            return counter
        time.sleep(0.1)


# -- what the clients must read ----------------------------------------------------------------
@dataclass(frozen=True)
class Bin:
    """One expected bin: local naive start and end, in, out."""

    start: datetime
    end: datetime
    ins: int
    outs: int


def expected_bins(day: date, res_s: int) -> list[Bin]:
    """Every bin of a local day at `res_s`, zero bins included, from HISTORY."""
    start = datetime(day.year, day.month, day.day)
    step = timedelta(seconds=res_s)
    bins: list[Bin] = []
    for k in range(86400 // res_s):
        lo, hi = start + k * step, start + (k + 1) * step
        ins = sum(1 for t, d in HISTORY if lo <= t < hi and d == "in")
        outs = sum(1 for t, d in HISTORY if lo <= t < hi and d == "out")
        bins.append(Bin(lo, hi, ins, outs))
    return bins


def expected_json_data(days: Sequence[date], res_s: int) -> dict[str, list[int]]:
    """export-json `data`: bin END `YYYYMMDDhhmmss` -> [in, out]."""
    return {
        f"{b.end:%Y%m%d%H%M%S}": [b.ins, b.outs] for day in days for b in expected_bins(day, res_s)
    }


def expected_csv_rows(days: Sequence[date], res_s: int) -> list[list[str]]:
    """export-csv rows (header excluded) as lists of fields."""
    return [
        [f"{b.start:%Y-%m-%d %H:%M:%S}", f"{b.end:%Y-%m-%d %H:%M:%S}", SERIAL, NAME,
         str(b.ins), str(b.outs)]
        for day in days
        for b in expected_bins(day, res_s)
    ]  # fmt: skip


def day_totals(day: date) -> tuple[int, int]:
    """(in, out) of a whole local day."""
    return (
        sum(1 for t, d in HISTORY if t.date() == day and d == "in"),
        sum(1 for t, d in HISTORY if t.date() == day and d == "out"),
    )


def need_tool(name: str) -> str:
    """The path of an external program; skip without it, fail under FOOTFALL_CI=1."""
    path = shutil.which(name)
    if path is None:
        unavailable(f"{name} is not installed")
    return path


def run(args: Sequence[str], *, cwd: Path | None = None, timeout: float = 60) -> str:
    """Run a client; its stdout, or an assertion error carrying stderr."""
    done = subprocess.run(
        list(args), capture_output=True, text=True, timeout=timeout, cwd=cwd, check=False
    )
    assert done.returncode == 0, f"{args[0]} exited {done.returncode}: {done.stderr[-2000:]}"
    return done.stdout

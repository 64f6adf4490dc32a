"""Fitting the counter to a recorded check (operator, `check.html`'s last step).

A check recorded on the counter (`check-record` / `check-save`, api/check_record.py) leaves a
recording and its hand count in `DATA/checks/`. `check-fit&recording=NAME` counts that recording
again in a process of its own, `footfall eval RECORDING TRUTH.json --fit --json`, at a lower
priority than the counting (`nice`), and keeps what it found; `check-fit` alone says how it goes
and, once done, what to set — the mounting height with `Counter.AutoSize=0`, or
`Counter.Crowds=0`, or nothing (learning counts as near) — as the `setparams` pairs that set it.
The page offers them with one button; nothing is set by the fit itself.

- `check-fit&recording=NAME`: 202 `{"state": "fitting", "recording", "started"}`; 404 for a
  recording that is not there (or has no hand count), 400 for a name that is not a recording's,
  409 while another fit runs.
- `check-fit`: `{"state": "idle" | "fitting" | "done" | "failed" | "cancelled", "recording",
  "started", "seconds", "recordings": [{"name", "in", "out", "frames", "fps"}, …]}` and, once
  done, `"hand"`, `"learning"`, `"fit"` (as `eval --fit --json` prints it), `"advice"`, `"set"`
  (the setparams pairs, or null) and `"says"` (a sentence); once failed, `"error"`.
- `check-fit&cancel=1`: ends a fit under way.

One fit at a time; a server stopped mid-fit ends it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from footfall.api.actions import Action, ApiContext, Call
from footfall.api.vendor import json_response
from footfall.errors import BadRequest
from footfall.progress import PROGRESS_ENV, read_line
from footfall.vision.person import DEFAULT_LENS, Lens, told_height_cm

# A recording's name as check-record gives it: nothing that could lead out of the folder.
NAME = re.compile(r"check-[0-9A-Za-z._-]{1,80}\.avi")
MAX_LISTED = 50  # recordings listed by `check-fit`, newest first
NICE = 10  # how much lower the fit's priority is than the counting's (where `nice` exists)
ERROR_PREFIX = "footfall eval: error: "
# How many times `eval --fit` counts a recording, about: learning the width, some ten heights,
# and with only the people followed (the share done is judged against it).
COUNTS = 12
KEPT_LINES = 50  # the last lines of the fit's stderr kept, for the sentence it ended with


def fit_command(video: Path, truth: Path, lens: Lens = DEFAULT_LENS) -> list[str]:
    """The process that fits: this Python's `footfall eval … --fit --json` through `lens`,
    niced if it can be."""
    command = [sys.executable, "-m", "footfall", "eval", str(video), str(truth), "--fit", "--json"]
    command += ["--fov", f"{lens[0]:g}", "--person-width", f"{lens[1]:g}"]
    nice = shutil.which("nice")
    return [nice, "-n", str(NICE), *command] if nice else command


def settings_for(advice: str, height_cm: int | None) -> str | None:
    """The setparams pairs that carry out `eval --fit`'s advice (None: keep learning, or no
    height, `height_cm` None, gives the width the fit found)."""
    if advice == "height":
        return None if height_cm is None else f"Counter.Height={height_cm}&Counter.AutoSize=0"
    if advice == "crowds":
        return "Counter.Crowds=0"
    return None


def counter_height(
    fit: dict[str, Any], width: int | None, lens: Lens, fitted: Lens = DEFAULT_LENS
) -> int | None:
    """The `Counter.Height` that gives the person width the fit found through this counter's
    lens and shoulder width (`lens`): the fit's own height where it counted through the same
    (`fitted`), else the one that gives its width through `lens` (the lens set otherwise since);
    None where no height `Counter.Height` takes gives it. `width`: the recording's picture width
    (None: unknown)."""
    if lens == fitted:
        return int(fit["height_cm"])  # exactly the height it counted with
    return None if width is None else told_height_cm(width, float(fit["person_px"]), *lens)


def says(found: dict[str, Any], height_cm: int | None = None) -> str:
    """One sentence of what a fit found (`found`: `eval --fit --json`'s object; `height_cm`:
    the `Counter.Height` that gives its width on this counter, `counter_height`)."""
    fit = found["fit"]
    learnt = (
        f"Learning the person width, the counter counts this recording {found['in']} in, "
        f"{found['out']} out against your {found['true_in']} in, {found['true_out']} out "
        f"(combined accuracy {found['combined_accuracy']:.3f})"
    )
    if fit["advice"] == "height":
        told = f"; told a person {fit['person_px']:.0f} px wide, {fit['in']} in, {fit['out']} out"
        if height_cm is None:
            return (
                f"{learnt}{told} ({fit['combined_accuracy']:.3f}), but no Counter.Height gives"
                " that width with this counter's Counter.FieldOfView and Counter.PersonWidth:"
                " check them."
            )
        return (
            f"{learnt}{told} ({fit['combined_accuracy']:.3f}): a mounting height of {height_cm}"
            " cm on this counter. Set it, and check it on a second recording: a height fitted"
            " to one recording fits the people in it."
        )
    if fit["advice"] == "crowds":
        alone = fit["no_crowds"]
        return (
            f"{learnt}; counting only the people it follows one by one (Counter.Crowds=0), "
            f"{alone['in']} in, {alone['out']} out ({alone['combined_accuracy']:.3f}). Set it if "
            "people never crowd at this door."
        )
    tail = (
        ", within your count's tolerance"
        if found.get("within_tolerance") and any(found["tolerance"].values())
        else ""
    )
    bound = (
        " No mounting height brings its count to yours: check the counting area and the in"
        " direction."
        if fit["at_bound"]
        else ""
    )
    return f"{learnt}{tail}: keep learning the width (nothing to set).{bound}"


def modified(path: Path) -> float:
    """When `path` was last written (0 for a file gone meanwhile)."""
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def listed(folder: Path) -> list[dict[str, Any]]:
    """The recordings in `folder` that have a hand count, newest first (at most MAX_LISTED)."""
    rows: list[dict[str, Any]] = []
    videos = sorted(
        (p for p in folder.glob("check-*.avi") if NAME.fullmatch(p.name)),
        key=modified,
        reverse=True,
    )
    for video in videos[:MAX_LISTED]:
        truth = video.with_suffix(".json")
        try:
            raw = json.loads(truth.read_text(encoding="utf-8"))
            totals = raw["totals"]
            rows.append(
                {
                    "name": video.name,
                    "in": int(totals["in"]),
                    "out": int(totals["out"]),
                    "frames": raw.get("frames"),
                    "fps": raw.get("fps"),
                }
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue  # no hand count (still recording, or never saved): nothing to fit to
    return rows


@dataclass(slots=True)
class FitProgress:
    """How far a fit is, from the progress lines `footfall eval` writes (PROGRESS_ENV)."""

    counts: int = 0  # counts of the recording begun
    done: int = 0  # frames of the current count done ...
    total: int = 0  # ... of about this many

    def read(self, line: str) -> bool:
        """Take in one line of the fit's stderr; False if it is not a progress line."""
        found = read_line(line)
        if found is None:
            return False
        kind, done, total = found
        if kind == "start":
            self.counts, self.done, self.total = self.counts + 1, 0, 0
        else:
            self.done, self.total = done, total
        return True

    def view(self, seconds: float) -> dict[str, Any]:
        """The share done (of about COUNTS counts) and the seconds left, guessed from it."""
        counts = max(COUNTS, self.counts + 1)
        within = self.done / self.total if self.total else 0.0
        share = min(0.99, (max(0, self.counts - 1) + min(within, 1.0)) / counts)
        left = round(seconds * (1 - share) / share) if share >= 0.02 else None
        return {"count": self.counts, "counts": counts, "share": round(share, 3), "left_s": left}


@dataclass(slots=True)
class FitJob:
    """One fit: of which recording, since when, and how it went."""

    recording: str
    started: datetime
    begun: float  # time.monotonic() at the start
    state: str = "fitting"  # then done / failed / cancelled
    seconds: float | None = None  # how long it took, once over
    width: int | None = None  # the recording's picture width (its hand count says it)
    lens: Lens = DEFAULT_LENS  # the counter's lens and shoulder width, counted through
    found: dict[str, Any] | None = None  # eval --fit --json's object, once done
    error: str | None = None
    progress: FitProgress = field(default_factory=FitProgress)
    process: asyncio.subprocess.Process | None = field(default=None, repr=False)
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    def view(self, lens: Lens = DEFAULT_LENS) -> dict[str, Any]:
        """What `check-fit` tells of it, its height for a counter with `lens`."""
        seconds = self.seconds if self.seconds is not None else time.monotonic() - self.begun
        out: dict[str, Any] = {
            "state": self.state,
            "recording": self.recording,
            "started": self.started.isoformat().replace("+00:00", "Z"),
            "seconds": round(seconds, 1),
        }
        if self.state == "fitting":
            out["progress"] = self.progress.view(seconds)
        if self.found is not None:
            fit = self.found["fit"]
            out["hand"] = {"in": self.found["true_in"], "out": self.found["true_out"]}
            out["learning"] = {
                key: self.found[key] for key in ("in", "out", "combined_accuracy", "person_px")
            }
            out["fit"] = fit
            out["advice"] = fit["advice"]
            height = (
                counter_height(fit, self.width, lens, self.lens)
                if fit["advice"] == "height"
                else None
            )
            out["height_cm"] = height  # Counter.Height here, for the width the fit found
            out["set"] = settings_for(fit["advice"], height)
            out["says"] = says(self.found, height)
        if self.error is not None:
            out["error"] = self.error
        return out


class Fitter:
    """Runs one fit at a time over the recordings in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.job: FitJob | None = None

    def files(self, name: str) -> tuple[Path, Path]:
        """The recording called `name` and its hand count; BadRequest / LookupError if not."""
        if not NAME.fullmatch(name):
            raise BadRequest(
                f'"{name[:80]}" is not the name of a recording: give it as check-save named it,'
                " check-TIME.avi"
            )
        video = self.folder / name
        truth = video.with_suffix(".json")
        if not video.is_file():
            raise LookupError(f"there is no recording {name} on the counter")
        if not truth.is_file():
            raise LookupError(
                f"the recording {name} has no hand count: check-save writes it as the check ends"
            )
        return video, truth

    async def start(self, name: str, lens: Lens = DEFAULT_LENS) -> FitJob:
        """Start fitting the recording `name` through the counter's `lens`; RuntimeError while
        another fit runs."""
        video, truth = self.files(name)
        if self.job is not None and self.job.state == "fitting":
            raise RuntimeError(
                f"a fit of {self.job.recording} is under way: wait for it, or check-fit&cancel=1"
            )
        job = FitJob(
            name, datetime.now(UTC), time.monotonic(), width=picture_width(truth), lens=lens
        )
        self.job = job  # before the first await: a second start meanwhile finds it
        try:
            job.process = await asyncio.create_subprocess_exec(
                *fit_command(video, truth, lens),
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                stdin=asyncio.subprocess.DEVNULL,
                env={**os.environ, PROGRESS_ENV: "lines"},
            )
        except OSError as exc:
            job.state, job.error, job.seconds = "failed", f"the fit could not start: {exc}", 0.0
            return job
        job.task = asyncio.create_task(self._wait(job))
        return job

    async def _wait(self, job: FitJob) -> None:
        process = job.process
        assert process is not None and process.stdout is not None and process.stderr is not None
        said: deque[str] = deque(maxlen=KEPT_LINES)

        async def follow(stderr: asyncio.StreamReader) -> None:
            async for raw in stderr:
                line = raw.decode("utf-8", "replace").rstrip()
                if not job.progress.read(line):
                    said.append(line)

        following = asyncio.create_task(follow(process.stderr))
        out = await process.stdout.read()
        await following
        await process.wait()
        job.seconds = time.monotonic() - job.begun
        if job.state == "cancelled":
            return
        if process.returncode == 0:
            try:
                found = json.loads(out.decode("utf-8"))
                if isinstance(found, dict) and isinstance(found.get("fit"), dict):
                    job.found, job.state = found, "done"
                    return
            except ValueError:
                pass
            job.error = "the fit printed no result"
        else:
            job.error = error_of("\n".join(said), process.returncode)
        job.state = "failed"

    async def cancel(self) -> bool:
        """End the fit under way; False if none was."""
        job = self.job
        if job is None or job.state != "fitting" or job.process is None:
            return False
        job.state = "cancelled"
        with contextlib.suppress(ProcessLookupError):
            job.process.kill()
        if job.task is not None:
            await job.task
        return True

    def view(self, lens: Lens = DEFAULT_LENS) -> dict[str, Any]:
        """`check-fit`'s answer without the recordings (heights for a counter with `lens`)."""
        return self.job.view(lens) if self.job is not None else {"state": "idle"}


def picture_width(truth: Path) -> int | None:
    """The picture width a hand count gives (check-save writes it), else None."""
    try:
        width = json.loads(truth.read_text(encoding="utf-8")).get("width")
    except (OSError, ValueError, AttributeError):
        return None
    return width if isinstance(width, int) and width > 0 else None


def lens_of(call: Call) -> Lens:
    """The counter's lens and shoulder width now (what its `Counter.Height` is read with)."""
    counter = call.ctx.params.current.Counter
    return counter.FieldOfView, counter.PersonWidth


def error_of(stderr: str, code: int | None) -> str:
    """The sentence a failed `footfall eval` ended with, else its exit status."""
    for line in reversed(stderr.splitlines()):
        if line.startswith(ERROR_PREFIX):
            return line[len(ERROR_PREFIX) :].strip()
    return f"the fit ended with status {code}"


async def check_fit(fitter: Fitter, call: Call) -> Response:
    """`check-fit`: start, follow or cancel a fit (see the module)."""
    if call.param("cancel") not in (None, "", "0") and not await fitter.cancel():
        return Response("no fit is under way\n", status_code=409)
    name, lens = call.param("recording"), lens_of(call)
    if name is not None:
        try:
            job = await fitter.start(name, lens)
        except LookupError as exc:
            return Response(f"{exc}\n", status_code=404)
        except RuntimeError as exc:
            return Response(f"{exc}\n", status_code=409)
        return json_response(job.view(lens), status=202)
    recordings = await run_in_threadpool(listed, fitter.folder)
    return json_response({**fitter.view(lens), "recordings": recordings})


def install_check_fit(ctx: ApiContext, folder: Path) -> None:
    """Register `check-fit` (operator) over the recordings in `folder`; a fit under way at the
    server's stop is ended."""
    fitter = Fitter(folder)

    async def handler(call: Call) -> Response:
        return await check_fit(fitter, call)

    ctx.actions.register(Action("check-fit", handler, level="operator"), replace=True)

    async def finish() -> None:
        await fitter.cancel()

    ctx.on_shutdown.append(finish)

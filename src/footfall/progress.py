"""A count's progress as plain lines, for a program that runs `footfall count` / `eval` and
follows it (the counter's own `check-fit` follows `footfall eval --fit` so).

With PROGRESS_ENV set to "lines" in its environment, the command writes to stderr, for each
count of a file, `progress start LABEL` as it begins and `progress DONE TOTAL` (frames) at most
every PROGRESS_EVERY_S and at the end, instead of drawing a progress bar. The writer and the
reader of the lines are both here.

    >>> read_line("progress 375 987"), read_line("progress start door.avi told 300 cm")
    (('at', 375, 987), ('start', 0, 0))
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

PROGRESS_ENV = "FOOTFALL_PROGRESS"
PROGRESS_EVERY_S = 0.5


def line_progress(label: str) -> Callable[[int, int], None]:
    """Write `progress start LABEL` now; the reporter that writes `progress DONE TOTAL`."""
    sys.stderr.write(f"progress start {label}\n")
    sys.stderr.flush()
    last = -PROGRESS_EVERY_S

    def report(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= PROGRESS_EVERY_S or done >= total > 0:
            last = now
            sys.stderr.write(f"progress {done} {total}\n")
            sys.stderr.flush()

    return report


def read_line(line: str) -> tuple[str, int, int] | None:
    """("start", 0, 0) for a count begun, ("at", done, total) for how far it is, None for any
    other line."""
    words = line.split()
    if words[:2] == ["progress", "start"]:
        return "start", 0, 0
    if len(words) == 3 and words[0] == "progress" and words[1].isdigit() and words[2].isdigit():
        return "at", int(words[1]), int(words[2])
    return None

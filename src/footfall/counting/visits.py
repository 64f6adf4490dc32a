"""Visit time by first-in-first-out matching of entries and exits (SPEC §7).

Nobody is identified: the person leaving is assumed to be the one who has been inside longest.
Over a day this gives the same *average* as true matching whenever people leave roughly in the
order they came, and it needs nothing but the passage times.

    >>> q = VisitQueue()
    >>> q.enter(100.0); q.enter(130.0)
    >>> q.exit(160.0)
    60.0

People already inside when counting started (or set by an occupancy reset) are *unknown*
entries: they are matched like the others but give no visit time, so they never distort it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

# A FIFO longer than this means exits are being missed; the oldest entries are dropped so the
# state stays small (smart occupancy re-zeros long before that on a real site).
MAX_INSIDE = 100_000


class VisitQueue:
    """Entry times of the people believed inside, oldest first; `None` is an unknown entry time."""

    def __init__(self, entries: Iterable[float | None] = ()) -> None:
        self._inside: deque[float | None] = deque(entries, maxlen=MAX_INSIDE)

    def __len__(self) -> int:
        return len(self._inside)

    def enter(self, time_s: float) -> None:
        """Someone entered at epoch second `time_s`."""
        self._inside.append(time_s)

    def exit(self, time_s: float) -> float | None:
        """Someone left at `time_s`: the visit length in seconds, or None when it is unknown."""
        if not self._inside:
            return None  # an exit nobody entered for: drift, no visit to measure
        entered = self._inside.popleft()
        if entered is None:
            return None
        return max(0.0, time_s - entered)

    def reset(self, inside: int = 0) -> None:
        """Forget everyone; `inside` people of unknown entry time are believed present."""
        self._inside.clear()
        self._inside.extend([None] * max(0, inside))

    def snapshot(self) -> list[float | None]:
        """The entries as a JSON-ready list, for persistence."""
        return list(self._inside)


def match_visits(passages: Iterable[tuple[float, str]]) -> list[tuple[float, float]]:
    """(exit time, visit seconds) for each exit matched FIFO to an earlier entry, in time order."""
    queue = VisitQueue()
    visits: list[tuple[float, float]] = []
    for time_s, direction in passages:
        if direction == "in":
            queue.enter(time_s)
            continue
        length = queue.exit(time_s)
        if length is not None:
            visits.append((time_s, length))
    return visits

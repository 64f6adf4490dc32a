"""How many people are inside: the naive and the smart estimate (SPEC §7). Pure, no I/O.

Both estimates are kept side by side, so switching `Occupancy.Mode` shows a sensible figure at
once; the mode only picks which one is served, exported and alarmed on.

- **naive**: in - out since the last `occupancy-reset` (which sets it to `occ`). It is kept
  signed inside, so a reset followed by more exits than entries is still exact arithmetic, but it
  is *shown* clamped at 0 (SPEC §7: `occupancy` is never negative).
- **smart**: corrects the two ways a counter drifts.
  1. An exit while the estimate is 0 is dropped (a missed entry leaves no lasting deficit).
  2. Quiet re-zero: after `Occupancy.QuietPeriod` minutes without any passage while the estimate
     is at most `Occupancy.QuietMaximum`, the site is taken to be empty and the estimate goes to 0
     (missed exits leave no lasting surplus). A busy site with many people inside is left alone.
  3. Closing re-zero: at `Occupancy.ClosingTime` (local HH:MM, counter's time zone) every day.
  `occupancy-reset` is refused in smart mode.

    >>> est = OccupancyEstimate()
    >>> est.apply("in", 0.0).occupancy, est.apply("out", 60.0).visit_s
    (1, 60.0)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from typing import Any, Literal
from zoneinfo import ZoneInfo

from footfall.counting.visits import VisitQueue

Mode = Literal["naive", "smart"]


@dataclass(frozen=True, slots=True)
class Rezero:
    """When the smart estimate re-zeros by itself; `quiet_s` 0 disables the quiet rule."""

    quiet_s: float = 3600.0
    quiet_maximum: int = 3
    closing: clock_time | None = None
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))


@dataclass(frozen=True, slots=True)
class Change:
    """What one passage or correction did: the estimate served afterwards and any visit ended."""

    occupancy: int
    visit_s: float | None = None


class OccupancyEstimate:
    """Naive and smart occupancy with the visit FIFO; feed it passages in time order."""

    def __init__(self, mode: Mode = "smart") -> None:
        self.mode: Mode = mode
        self.naive = 0
        self.smart = 0
        self.visits = VisitQueue()
        self.last_passage_s: float | None = None
        self.checked_s: float | None = None  # last time `due` looked at the clock

    @property
    def occupancy(self) -> int:
        """The figure served in the current mode, never negative."""
        return max(0, self.naive) if self.mode == "naive" else self.smart

    def apply(self, direction: str, time_s: float) -> Change:
        """Count one passage at epoch second `time_s`."""
        self.last_passage_s = time_s
        if direction == "in":
            self.naive += 1
            self.smart += 1
            self.visits.enter(time_s)
            return Change(self.occupancy)
        self.naive -= 1
        self.smart = max(0, self.smart - 1)
        visit = self.visits.exit(time_s)  # None when nobody is believed inside
        return Change(self.occupancy, visit)

    def reset(self, inside: int) -> Change:
        """Set the naive estimate to `inside` (occupancy-reset); the caller checks the mode."""
        self.naive = inside
        self.visits.reset(inside)
        return Change(self.occupancy)

    def rezero(self) -> Change:
        """Smart re-zero: the site is empty."""
        self.smart = 0
        if self.mode == "smart":
            self.visits.reset(0)
        return Change(self.occupancy)

    def due(self, now_s: float, rule: Rezero) -> str | None:
        """Why the smart estimate should re-zero now ("quiet" / "closing"), or None."""
        since, self.checked_s = self.checked_s, now_s
        if self.smart == 0:
            return None
        closing = rule.closing
        if since and closing and closing_between(since, now_s, closing, rule.zone):
            return "closing"
        last = self.last_passage_s
        quiet = last is not None and rule.quiet_s > 0 and now_s - last >= rule.quiet_s
        return "quiet" if quiet and self.smart <= rule.quiet_maximum else None

    def to_json(self) -> dict[str, Any]:
        """State for persistence."""
        return {
            "naive": self.naive,
            "smart": self.smart,
            "visits": self.visits.snapshot(),
            "last_passage_s": self.last_passage_s,
            "checked_s": self.checked_s,
        }

    @classmethod
    def from_json(cls, state: dict[str, Any], mode: Mode) -> OccupancyEstimate:
        """Rebuild from `to_json`."""
        est = cls(mode)
        est.naive = int(state.get("naive", 0))
        est.smart = max(0, int(state.get("smart", 0)))
        est.visits = VisitQueue(state.get("visits", []))
        est.last_passage_s = state.get("last_passage_s")
        est.checked_s = state.get("checked_s")
        return est


def parse_closing(value: str) -> clock_time | None:
    """`HH:MM` → time; "" → None. Raises ValueError with a sentence on anything else."""
    if value == "":
        return None
    hours, sep, minutes = value.partition(":")
    ok = sep == ":" and len(hours) == 2 and len(minutes) == 2
    if not (ok and hours.isdecimal() and minutes.isdecimal()):  # int() refuses '²'
        raise ValueError(f"closing time {value!r} is not HH:MM")
    if int(hours) > 23 or int(minutes) > 59:
        raise ValueError(f"closing time {value!r} is not a time of day")
    return clock_time(int(hours), int(minutes))


def closing_between(after_s: float, until_s: float, closing: clock_time, zone: ZoneInfo) -> bool:
    """True when a local `closing` instant lies in (after_s, until_s]."""
    if until_s <= after_s:
        return False
    first = datetime.fromtimestamp(after_s, UTC).astimezone(zone).date()
    last = datetime.fromtimestamp(until_s, UTC).astimezone(zone).date()
    day = first
    while day <= last:
        instant = datetime.combine(day, closing, tzinfo=zone).timestamp()
        if after_s < instant <= until_s:
            return True
        day += timedelta(days=1)
    return False

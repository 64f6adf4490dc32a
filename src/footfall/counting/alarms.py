"""The three alarms, as pure rules over passages and occupancy (issue 5). No I/O.

Every alarm is an `Event` (kept in the store, then delivered). Kinds and payloads:

- `tailgating`: an entry follows the previous entry within `Alarm.TailgatingInterval` seconds.
  One event per burst (at the second person); a burst ends at a gap of at least the interval.
  Payload `interval_s`, `limit_s`.
- `wrong_direction`: a passage whose direction is not `Alarm.AllowedDirection`.
  Payload `direction`, `allowed`.
- `occupancy_high`: occupancy rises above `Alarm.OccupancyThreshold`. Payload `occupancy`,
  `threshold`.
- `occupancy_normal`: after `occupancy_high`, occupancy falls to `threshold -
  Alarm.OccupancyHysteresis` or below (or the rule is switched off). Same payload.

    >>> state = AlarmState()
    >>> rules = AlarmRules(tailgating=True, tailgating_interval_s=2.0)
    >>> from footfall.store.base import Passage
    >>> from datetime import datetime, UTC
    >>> t = datetime(2026, 1, 1, tzinfo=UTC)
    >>> state.on_passage(Passage(t, "in"), rules)
    []
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from footfall.config import AlarmParams
from footfall.store.base import Direction, Event, Passage

ALARM_KINDS = ("tailgating", "wrong_direction", "occupancy_high", "occupancy_normal")


@dataclass(frozen=True, slots=True)
class AlarmRules:
    """The alarm settings in force (from `Alarm.*`)."""

    tailgating: bool = False
    tailgating_interval_s: float = 2.0
    wrong_direction: bool = False
    allowed: Direction = "in"
    occupancy: bool = False
    threshold: int = 100
    hysteresis: int = 1

    @classmethod
    def from_params(cls, p: AlarmParams) -> AlarmRules:
        """Rules from the `Alarm` group of params.json."""
        return cls(
            tailgating=bool(p.TailgatingEnable),
            tailgating_interval_s=p.TailgatingInterval,
            wrong_direction=bool(p.WrongDirectionEnable),
            allowed=p.AllowedDirection,
            occupancy=bool(p.OccupancyEnable),
            threshold=p.OccupancyThreshold,
            hysteresis=p.OccupancyHysteresis,
        )


class AlarmState:
    """What the rules remember between passages: the last entry, the burst, occupancy high."""

    def __init__(self) -> None:
        self.last_in_s: float | None = None
        self.in_burst = False
        self.occupancy_high = False

    def on_passage(self, passage: Passage, rules: AlarmRules) -> list[Event]:
        """Alarms raised by one passage (tailgating, wrong direction), in that order."""
        events: list[Event] = []
        if passage.direction == "in":
            now_s = passage.time.timestamp()
            gap = None if self.last_in_s is None else now_s - self.last_in_s
            close = gap is not None and gap < rules.tailgating_interval_s
            if rules.tailgating and close and not self.in_burst and gap is not None:
                payload = {"interval_s": round(gap, 3), "limit_s": rules.tailgating_interval_s}
                events.append(Event(passage.time, "tailgating", payload))
            self.in_burst = close
            self.last_in_s = now_s
        if rules.wrong_direction and passage.direction != rules.allowed:
            payload2: dict[str, Any] = {"direction": passage.direction, "allowed": rules.allowed}
            events.append(Event(passage.time, "wrong_direction", payload2))
        return events

    def on_occupancy(self, occupancy: int, time: datetime, rules: AlarmRules) -> list[Event]:
        """The occupancy_high / occupancy_normal edge caused by a new occupancy figure, if any."""
        payload = {"occupancy": occupancy, "threshold": rules.threshold}
        if not self.occupancy_high:
            if rules.occupancy and occupancy > rules.threshold:
                self.occupancy_high = True
                return [Event(time, "occupancy_high", payload)]
            return []
        if not rules.occupancy or occupancy <= rules.threshold - rules.hysteresis:
            self.occupancy_high = False
            return [Event(time, "occupancy_normal", payload)]
        return []

    def to_json(self) -> dict[str, Any]:
        """State for persistence."""
        return {
            "last_in_s": self.last_in_s,
            "in_burst": self.in_burst,
            "occupancy_high": self.occupancy_high,
        }

    @classmethod
    def from_json(cls, state: dict[str, Any]) -> AlarmState:
        """Rebuild from `to_json`."""
        out = cls()
        out.last_in_s = state.get("last_in_s")
        out.in_burst = bool(state.get("in_burst", False))
        out.occupancy_high = bool(state.get("occupancy_high", False))
        return out

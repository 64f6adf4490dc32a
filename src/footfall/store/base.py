"""The store's currency (Passage, MinuteBin, Event), the Store protocol of every backend and the
error a backend raises when its database is out of reach (StoreUnavailable)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

Direction = Literal["in", "out"]


@dataclass(frozen=True, slots=True)
class Passage:
    """One person crossing the counting area; `time` is UTC-aware."""

    time: datetime
    direction: Direction
    frame: int | None = None  # frame number in the source, when it came from video
    track_id: int | None = None


@dataclass(frozen=True, slots=True)
class MinuteBin:
    """Counts of one UTC minute; `minute_utc` is the epoch second at which the minute starts."""

    minute_utc: int
    in_count: int
    out_count: int


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened besides a passage (an alarm raised or cleared, a reset)."""

    time: datetime  # UTC-aware
    kind: str  # e.g. "tailgating", "wrong_direction", "occupancy_high", "occupancy_normal"
    payload: dict[str, Any] = field(default_factory=dict)
    id: int | None = None  # assigned by the store


class StoreUnavailable(RuntimeError):
    """The store's database cannot be reached now (down, refusing, connection lost).

    The message says where and why, never with a password; callers may try again later (the
    pipeline keeps its passages, the API answers 503).
    """


class Store(Protocol):
    """Durable count storage. Every write is committed before the call returns."""

    def add_passages(self, passages: Sequence[Passage], batch_id: str | None = None) -> None:
        """Commit passages into their minute bins (durable on return). A `batch_id` makes the
        write idempotent: retried with the same id after a failure that may have landed (a
        connection lost during the COMMIT), the batch is applied once."""
        ...

    def minute_bins(self, start_utc: int, end_utc: int) -> list[MinuteBin]:
        """Non-empty minute bins with start_utc <= minute_utc < end_utc, in time order."""
        ...

    def totals(self, start_utc: int, end_utc: int) -> tuple[int, int]:
        """(in, out) summed over [start_utc, end_utc)."""
        ...

    def window_sums(self, start_utc: int, end_utc: int, width_s: int) -> list[tuple[int, int, int]]:
        """(window start, in, out) per non-empty epoch-aligned window in [start, end), in order."""
        ...

    def data_hours(self) -> list[int]:
        """Epoch seconds of every UTC hour that holds at least one non-empty bin, ascending."""
        ...

    def clear(self) -> None:
        """Delete every bin and event (the clear-data action)."""
        ...

    def purge_before(self, utc: int) -> int:
        """Delete bins older than `utc` (retention); returns how many rows went."""
        ...

    def add_event(self, event: Event) -> int:
        """Commit an event; returns its id."""
        ...

    def events(self, start_utc: int, end_utc: int, kind: str | None = None) -> list[Event]:
        """Events in [start_utc, end_utc), oldest first."""
        ...

    def stats(self) -> dict[str, Any]:
        """Row counts, file size and the like, for generate-logs."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...

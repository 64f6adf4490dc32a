"""A hand count made live (`check.html`'s taps) as the ground truth of the recording made
meanwhile (`vision/recorder.py`), in the format `footfall eval` reads
(`../shared/data/README.md`): each tap becomes an event at the frame of the recording that was
being counted at that moment. Pure.

    >>> from datetime import datetime, timedelta, UTC
    >>> t0 = datetime(2026, 12, 6, 14, 0, tzinfo=UTC)
    >>> times = [t0 + timedelta(seconds=i / 10) for i in range(50)]
    >>> taps = [("in", t0 + timedelta(seconds=2.04)), ("out", t0 - timedelta(seconds=1))]
    >>> area = Area(320, 240, 0, 320, 100, 140, 100, 140, 0)
    >>> truth = hand_truth(taps, times, area, "up", 10.0, "c.avi")
    >>> truth.json["totals"], truth.json["events"], truth.left_out
    ({'in': 1, 'out': 0}, [{'frame': 20, 'direction': 'in'}], 1)
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from footfall.counting.area import Area, InDirection
from footfall.store.base import Direction


@dataclass(frozen=True, slots=True)
class HandTruth:
    """The ground-truth object, and how many taps fell outside the recording (left out)."""

    json: dict[str, Any]
    left_out: int


def hand_truth(
    taps: Sequence[tuple[Direction, datetime]],
    times: Sequence[datetime],
    area: Area,
    in_direction: InDirection,
    fps: float,
    video: str,
    size: tuple[int, int] | None = None,
) -> HandTruth:
    """The ground truth of a recording whose frames were taken at `times` (in order), of the
    taps (way, moment) made while it was recorded: each an event at the last frame taken at or
    before its moment; a tap before the first frame or over a frame's time after the last is
    of no frame of it and is left out of the events and the totals. `area` (in its own
    Width x Height) is given in the recording's `size` (default: the area's own)."""
    frame_s = 1.0 / fps if fps > 0 else 0.0
    events: list[dict[str, Any]] = []
    left_out = 0
    for way, moment in sorted(taps, key=lambda tap: tap[1]):
        frame = bisect.bisect_right(times, moment) - 1
        if frame < 0 or moment > times[-1] + timedelta(seconds=frame_s):
            left_out += 1
            continue
        events.append({"frame": frame, "direction": way})
    width, height = size or (area.width, area.height)
    return HandTruth(
        {
            "video": video,
            "frames": len(times),
            "fps": round(fps, 3),
            "width": width,
            "height": height,
            "area": area.scaled(width, height).as_cntpos(),
            "in_direction": in_direction,
            "totals": {
                "in": sum(e["direction"] == "in" for e in events),
                "out": sum(e["direction"] == "out" for e in events),
            },
            "events": events,
        },
        left_out,
    )

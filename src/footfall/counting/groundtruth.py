"""Hand-counted ground truth (format of ../shared/data/README.md) and the accuracy figures.

>>> truth = GroundTruth.load(Path("bus_overhead_koba.json"))     # doctest: +SKIP
>>> score(truth, counted_passages, fps=15.0).combined_accuracy   # doctest: +SKIP
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from footfall.counting.area import Area, InDirection, completed, four_three_width
from footfall.errors import BadRequest
from footfall.store.base import Direction

ACROSS_ROTATION = 90  # a vertical counting line is counted in the picture turned this far
# A line given without a band (`line_y` without `area`, `line_x` without a narrow one) is counted
# on a band this share of the counted picture's width thick: 0.65 of the width the default
# mounting height gives a person (50 cm from 280 cm through a 90 degree lens: 0.179), as the
# shared clips' own areas are (40 px: 0.64 and 0.70 of it). It was a tenth of the picture either
# side: the bus 8/7 and tram 02 21 on such bands (7/7 and 22 now; trams 03 / 04 20/1, 0/24).
LINE_BAND_SHARE = 0.116
ROTATIONS = (0, 90, 180, 270)  # `rotation` (our extension): degrees clockwise, as `count --rotate`
# The keys of the format (../shared/data/README.md) and of our extensions (line_x, rotation);
# one that is not but nearly is one of them is reported (`GroundTruth.unknown`): a misspelt
# in_direction would count backwards.
KNOWN_KEYS = frozenset(
    {"video", "frames", "fps", "width", "height", "line_y", "line_x", "area", "in_direction"}
    | {"totals", "tolerance", "events", "ambiguous", "rotation"}
)
MATCH_WINDOW_S = 1.0  # a counted passage matches a true event of its direction within ±1 s
TRUE_FRAME_SLACK = 2  # a true event's frame is where its person's centre crossed, ±2 frames


@dataclass(frozen=True, slots=True)
class TrueEvent:
    """One hand-counted crossing."""

    frame: int
    direction: Direction


@dataclass(frozen=True, slots=True)
class Unsure:
    """A stretch of the clip the hand count marks unsure (its `ambiguous` list), with its note:
    frames `first` to `last`."""

    first: int
    last: int
    note: str


@dataclass(frozen=True, slots=True)
class GroundTruth:
    """A clip's hand count: area, in direction, totals and events."""

    video: str
    fps: float  # 0: not given (the video's own rate is used)
    area: Area
    in_direction: InDirection
    true_in: int
    true_out: int
    events: tuple[TrueEvent, ...]
    frames: int = 0  # frames of the clip it was counted on; 0: not given
    rotation: int = 0  # degrees clockwise the clip is turned for counting (`area` is in that)
    tolerance_in: int = 0  # how far a count may be off for the cases the counter marked unsure
    tolerance_out: int = 0
    unknown: tuple[str, ...] = ()  # misspelt-looking top-level keys, ignored (`misspelt`)
    unsure: tuple[Unsure, ...] = ()  # the stretches the hand count marks `ambiguous`

    def unsure_at(self, frame: int, margin: float) -> Unsure | None:
        """The unsure stretch (`ambiguous`) that `frame` falls in, or within `margin` frames
        of; None if none."""
        for stretch in self.unsure:
            if stretch.first - margin <= frame <= stretch.last + margin:
                return stretch
        return None

    @property
    def events_known(self) -> bool:
        """Whether the file lists the events (precision and recall can be measured): a hand
        count of totals alone lists none although people passed."""
        return bool(self.events) or self.true_in + self.true_out == 0

    @classmethod
    def load(
        cls, path: Path, frame_size: tuple[int, int] | None = None, rate: float | None = None
    ) -> GroundTruth:
        """Read a ground-truth JSON file; a malformed one raises BadRequest naming the problem.
        `frame_size` (the video's width, height) stands in for a `width` or `height` the file
        leaves out, at its top level or in its `area`; `rate` (the video's frames per second, when
        known) turns an event's `time` into its frame (else the file's `fps` does)."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8-sig"))  # a BOM (Notepad, Excel)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BadRequest(f"cannot read ground truth {path}: {exc}") from exc
        return cls.from_json(raw, frame_size, rate)

    @classmethod
    def from_json(
        cls, raw: Any, frame_size: tuple[int, int] | None = None, rate: float | None = None
    ) -> GroundTruth:
        """Build from the parsed JSON object (`frame_size`, `rate`: as for `load`)."""
        try:
            if not isinstance(raw, dict):
                raise ValueError(f"the file must hold one JSON object, not {_show(raw)}")
            if frame_size is not None:
                if _rotation(raw) in (90, 270):  # the area is in the turned picture
                    frame_size = (frame_size[1], frame_size[0])
                raw = _sized(raw, frame_size)
                if isinstance(raw.get("area"), dict):
                    raw["area"] = _sized(raw["area"], frame_size)
            in_direction = raw.get("in_direction", "up")
            rotation = _rotation(raw)
            if raw.get("line_x") is not None or in_direction in ("left", "right"):
                if rotation:
                    raise ValueError("give either line_x (a vertical line) or rotation, not both")
                area, in_direction = _across(raw, in_direction)
                rotation = ACROSS_ROTATION
            elif raw.get("area") is None and raw.get("line_y") is not None:
                area = _around_line(raw)
            else:
                a = completed(_object(raw, "area", ""))
                area = Area(**{f.name: _count(a, f.name, "area.") for f in fields(Area)})
            if in_direction not in ("up", "down"):
                raise ValueError(f"in_direction must be up or down, not {_show(in_direction)}")
            listed = raw.get("events", [])
            if not isinstance(listed, list):
                raise ValueError(f"events must be a list, not {_show(listed)}")
            fps = raw.get("fps") or 0.0
            if isinstance(fps, bool) or not isinstance(fps, int | float):
                raise ValueError(f"fps must be a number, not {_show(fps)}")
            if not math.isfinite(fps) or fps < 0:
                raise ValueError(f"fps must be a frame rate > 0 (or absent), not {fps}")
            events = []
            for i, event in enumerate(listed):
                if not isinstance(event, dict):
                    raise ValueError(f"events[{i}] must be an object, not {_show(event)}")
                if "direction" not in event:
                    raise KeyError(f"events[{i}].direction")
                if "frame" not in event and "time" in event:  # noted from a player's clock
                    frame = _frame_at(event["time"], rate or fps, f"events[{i}].time")
                else:
                    frame = _count(event, "frame", f"events[{i}].")
                events.append(TrueEvent(frame, _direction(event["direction"])))
            totals = _object(raw, "totals", "")
            tolerance = _object(raw, "tolerance", "") if raw.get("tolerance") is not None else {}
            return cls(
                video=str(raw.get("video", "")),
                fps=float(fps),
                area=area,
                in_direction=in_direction,
                true_in=_count(totals, "in", "totals."),
                true_out=_count(totals, "out", "totals."),
                events=tuple(events),
                frames=_count(raw, "frames", "") if raw.get("frames") is not None else 0,
                rotation=rotation,
                tolerance_in=_count(tolerance, "in", "tolerance.") if "in" in tolerance else 0,
                tolerance_out=_count(tolerance, "out", "tolerance.") if "out" in tolerance else 0,
                unknown=misspelt(raw),
                unsure=unsure_stretches(raw.get("ambiguous"), rate or fps),
            )
        except KeyError as exc:
            raise BadRequest(f"ground truth is malformed: it has no {exc.args[0]}") from exc
        except ValueError as exc:
            raise BadRequest(f"ground truth is malformed: {exc}") from exc


def _sized(container: dict[str, Any], frame_size: tuple[int, int]) -> dict[str, Any]:
    """A copy of `container` with the frame's width and height where it gives none."""
    width, height = frame_size
    return {"width": width, "height": height} | container


def _band(line: int, across: int, counted: tuple[int, int]) -> tuple[int, int]:
    """The counting band around a line in a picture `across` px wide across the line, counted
    in a picture of `counted` (width, height): LINE_BAND_SHARE of its width thick, or of a 4:3
    picture of its height if it is wider (a 16:9 picture shows more floor, not wider people)."""
    half = max(1, round(LINE_BAND_SHARE * four_three_width(*counted) / 2))
    return max(0, line - half), min(across, line + half)


def _around_line(raw: dict[str, Any]) -> Area:
    """The area of a file that gives `line_y` and no `area`: the band around the line, across
    the whole picture (the file's `width` and `height`)."""
    width, height, line = (_count(raw, k, "") for k in ("width", "height", "line_y"))
    if not 0 < line < height:
        raise ValueError(f"line_y {line} is not inside the picture (0-{height})")
    top, bottom = _band(line, height, (width, height))
    return Area(width, height, 0, width, top, bottom, top, bottom, 0)


def unsure_stretches(listed: object, fps: float | None) -> tuple[Unsure, ...]:
    """The readable entries of a hand count's `ambiguous` list: `{"frames": "894-926", "note":
    "..."}`, the frames also as one frame (`"frames": 33`, `"frame": 33`), a pair (`[894,
    926]`), or as times a player shows (`"time": "0:35.2-0:37"`, at `fps`). It only annotates
    the comparison, so an entry in another form is left out rather than refused.

        >>> [(u.first, u.last) for u in unsure_stretches([{"frames": "0-8"}, {"frame": 33},
        ...     {"frames": [40, 42]}, {"time": "1:00-1:01.5"}, {"frames": "soon"}], 10.0)]
        [(0, 8), (33, 33), (40, 42), (600, 615)]
    """
    if not isinstance(listed, list):
        return ()
    found = []
    for entry in listed:
        if not isinstance(entry, dict):
            continue
        span = _span(entry.get("frames", entry.get("frame")), _frame_number)
        if span is None and fps:
            span = _span(entry.get("time"), lambda v: _timed_frame(v, fps))
        if span is not None:
            found.append(Unsure(min(span), max(span), str(entry.get("note", "")).strip()))
    return tuple(found)


def _span(value: object, frame_of: Callable[[object], int | None]) -> tuple[int, int] | None:
    """(first, last) of a value naming one point or two: `a`, `"a-b"`, `[a, b]` (each read by
    `frame_of`); None if it names none."""
    if isinstance(value, str) and "-" in value.strip()[1:]:
        parts: list[object] = list(value.strip().split("-", 1))
    elif isinstance(value, list) and len(value) == 2:
        parts = list(value)
    else:
        parts = [value, value]
    first, last = (frame_of(part) for part in parts)
    return None if first is None or last is None else (first, last)


def _frame_number(value: object) -> int | None:
    """A frame number given as a whole number or its digits; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value >= 0:
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _timed_frame(value: object, fps: float) -> int | None:
    """The frame at a time as a player shows it (`_frame_at`), at `fps`; None if it is not one."""
    try:
        return _frame_at(value, fps, "time")
    except ValueError:
        return None


def misspelt(raw: dict[str, Any]) -> tuple[str, ...]:
    """The keys of `raw` that are not the format's but close to one of its keys ("in_directon":
    "did you mean in_direction?"); other keys of its own (a `confidence`, a note) pass."""
    found = []
    for key in sorted(str(k) for k in raw if k not in KNOWN_KEYS):
        near = difflib.get_close_matches(key, KNOWN_KEYS, n=1, cutoff=0.75)
        if near:
            found.append(f"{key} (did you mean {near[0]}?)")
    return tuple(found)


def _rotation(raw: dict[str, Any]) -> int:
    """`rotation`: the degrees clockwise the clip is turned before counting (0 when absent);
    `area`, `line_y` and the in direction are in the turned picture."""
    rotation = raw.get("rotation", 0)
    if isinstance(rotation, bool) or rotation not in ROTATIONS:
        raise ValueError(f"rotation must be 0, 90, 180 or 270, not {_show(rotation)}")
    return int(rotation)


def _across(raw: dict[str, Any], in_direction: object) -> tuple[Area, InDirection]:
    """The area and in direction, in the picture turned ACROSS_ROTATION degrees, of a file whose
    counting line is vertical (`line_x`, people crossing left and right).

    The band is the `area`'s x span when it holds the line and is at most half the picture
    wide, else a LINE_BAND_SHARE of the turned picture's width (the height) about `line_x`; the
    line runs along the `area`'s
    top..bottom when that is a span of the picture, else the whole height."""
    if in_direction not in ("left", "right"):
        raise ValueError(
            f"a vertical line (line_x) needs in_direction left or right, not {_show(in_direction)}"
        )
    if raw.get("line_x") is None:
        raise KeyError("line_x (in_direction is left or right)")
    line = _count(raw, "line_x", "")
    given = raw.get("area")
    a = _object(raw, "area", "") if given is not None else {}
    where = "area." if given is not None else ""
    size = a if given is not None else raw
    width, height = _count(size, "width", where), _count(size, "height", where)
    if not 0 < line < width:
        raise ValueError(f"line_x {line} is not inside the picture (0-{width})")
    left, right = (_count(a, k, "area.") for k in ("left", "right")) if a else (0, width)
    band = (
        (left, right)
        if left < line < right and right - left <= width // 2
        else _band(line, width, (height, width))  # counted turned: `height` wide
    )
    top, bottom = (_count(a, k, "area.") for k in ("top", "bottom")) if a else (0, height)
    span = (top, bottom) if top < bottom <= height else (0, height)
    # Turned 90° clockwise, x becomes y (rightwards is down) and y becomes height - x.
    area = Area(
        width=height,
        height=width,
        left=height - span[1],
        right=height - span[0],
        top=band[0],
        bottom=band[1],
        yfirst=band[0],
        ylast=band[1],
        radius=_count(a, "radius", "area.") if "radius" in a else 0,
    )
    return area, "down" if in_direction == "right" else "up"


def _show(value: object) -> str:
    """A JSON value as the file spells it, cut short."""
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _object(container: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    """container[key], which must be a JSON object."""
    if key not in container:
        raise KeyError(f"{where}{key}")
    value = container[key]
    if not isinstance(value, dict):
        raise ValueError(f"{where}{key} must be an object, not {_show(value)}")
    return value


def _count(container: dict[str, Any], key: str, where: str) -> int:
    """container[key] as a whole number >= 0 (pixels, frames, people)."""
    if key not in container:
        raise KeyError(f"{where}{key}")
    value = container[key]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{where}{key} must be a whole number >= 0, not {_show(value)}")
    return value


def _frame_at(value: object, fps: float | None, where: str) -> int:
    """The frame at an event's `time` (seconds from the start of the video, as a player shows
    them: 83.4, "83.4", "1:23.4" or "0:01:23.4") at `fps` frames a second.

        >>> _frame_at("1:23.4", 25.0, "t"), _frame_at(2.5, 15.0, "t"), _frame_at("1:00:00", 10, "t")
        (2085, 38, 36000)
    """
    seconds = _seconds(value)
    if seconds is None:
        raise ValueError(
            f'{where} must be seconds from the start of the video (83.4, "1:23.4" or'
            f' "0:01:23.4"), not {_show(value)}'
        )
    if not fps:
        raise ValueError(
            f"{where} gives a time, and the video's frame rate is not known: give the file's"
            " fps (or the event's frame)"
        )
    return round(seconds * fps)


def _seconds(value: object) -> float | None:
    """Seconds in a time as a player shows it (see `_frame_at`); None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and re.fullmatch(r"(\d+:){0,2}\d+(\.\d*)?", value.strip()):
        *bigger, last = value.strip().split(":")
        if any(int(part) >= 60 for part in bigger[1:]) or (bigger and float(last) >= 60):
            return None  # "1:75" is no time
        whole = 0
        for part in bigger:  # hours, minutes
            whole = whole * 60 + int(part)
        seconds = whole * 60 + float(last)
    else:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _direction(value: object) -> Direction:
    if value == "in":
        return "in"
    if value == "out":
        return "out"
    raise ValueError(f"event direction must be in or out, not {value!r}")


@dataclass(frozen=True, slots=True)
class EventPair:
    """A true event and the passage matched to it; `counted` None: missed, `true` None: a
    passage that matches no true event (extra)."""

    direction: Direction
    true: int | None
    counted: int | None


@dataclass(frozen=True, slots=True)
class Score:
    """How a count compares with the ground truth."""

    counted_in: int
    counted_out: int
    true_in: int
    true_out: int
    in_accuracy: float
    out_accuracy: float
    combined_accuracy: float
    precision: float
    recall: float
    matched: int
    events_known: bool = True  # False: the ground truth lists no events (totals alone)
    tolerance_in: int = 0  # the ground truth's tolerance (unsure cases), per direction
    tolerance_out: int = 0
    pairs: tuple[EventPair, ...] = ()  # each true event with its passage, missed or extra

    @property
    def within_tolerance(self) -> bool:
        """Whether each direction's count is within the ground truth's tolerance of the truth."""
        return (
            abs(self.counted_in - self.true_in) <= self.tolerance_in
            and abs(self.counted_out - self.true_out) <= self.tolerance_out
        )


def direction_accuracy(counted: int, true: int) -> float:
    """1 - |counted - true| / true, floored at 0; 1 when both are 0, 0 when only true is 0."""
    if true == 0:
        return 1.0 if counted == 0 else 0.0
    return max(0.0, 1.0 - abs(counted - true) / true)


def combined_accuracy(counted_in: int, counted_out: int, true_in: int, true_out: int) -> float:
    """1 - (|Δin| + |Δout|) / (true in + true out) (README of the data)."""
    total = true_in + true_out
    miss = abs(counted_in - true_in) + abs(counted_out - true_out)
    if total == 0:
        return 1.0 if miss == 0 else 0.0
    return 1.0 - miss / total


def pair_events(
    counted: Sequence[tuple[int, Direction]], truth: Sequence[TrueEvent], fps: float
) -> list[EventPair]:
    """The most one-to-one pairs (counted, true) of one direction within ±1 s of each other
    (the closest ones among equally many), then the true events left (missed) and the passages
    left (extra); in frame order."""
    window = MATCH_WINDOW_S * fps
    pairs: list[EventPair] = []
    for direction in ("in", "out"):
        c = [f for f, d in counted if d == direction]
        t = [e.frame for e in truth if e.direction == direction]
        used_c: set[int] = set()
        used_t: set[int] = set()
        if c and t:
            gap = np.abs(np.array(c, np.float64)[:, None] - np.array(t, np.float64)[None, :])
            # Maximise the number of pairs first, then prefer the closest ones.
            cost = np.where(gap <= window, gap / (window + 1.0) - 1.0, 0.0)
            for i, j in zip(*linear_sum_assignment(cost), strict=True):
                if gap[i, j] <= window:
                    pairs.append(EventPair(direction, t[j], c[i]))
                    used_c.add(int(i))
                    used_t.add(int(j))
        pairs += [EventPair(direction, f, None) for j, f in enumerate(t) if j not in used_t]
        pairs += [EventPair(direction, None, f) for i, f in enumerate(c) if i not in used_c]
    return sorted(pairs, key=lambda p: min(f for f in (p.true, p.counted) if f is not None))


def match_events(
    counted: Sequence[tuple[int, Direction]], truth: Sequence[TrueEvent], fps: float
) -> int:
    """Most one-to-one pairs (counted, true) of one direction within ±1 s of each other."""
    return _matched(pair_events(counted, truth, fps))


def _matched(pairs: Sequence[EventPair]) -> int:
    """How many of these pairs hold both a true event and a passage."""
    return sum(1 for p in pairs if p.true is not None and p.counted is not None)


def score(truth: GroundTruth, counted: Sequence[tuple[int, Direction]], fps: float) -> Score:
    """Accuracy figures of passages given as (frame, direction) against the ground truth."""
    n_in = sum(1 for _, d in counted if d == "in")
    n_out = len(counted) - n_in
    pairs = pair_events(counted, truth.events, fps)
    matched = _matched(pairs)
    n_true = len(truth.events)
    return Score(
        counted_in=n_in,
        counted_out=n_out,
        true_in=truth.true_in,
        true_out=truth.true_out,
        in_accuracy=direction_accuracy(n_in, truth.true_in),
        out_accuracy=direction_accuracy(n_out, truth.true_out),
        combined_accuracy=combined_accuracy(n_in, n_out, truth.true_in, truth.true_out),
        precision=matched / len(counted) if counted else (1.0 if n_true == 0 else 0.0),
        recall=matched / n_true if n_true else 1.0,
        matched=matched,
        events_known=truth.events_known,
        tolerance_in=truth.tolerance_in,
        tolerance_out=truth.tolerance_out,
        pairs=tuple(pairs) if truth.events_known else (),
    )

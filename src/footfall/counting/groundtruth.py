"""Hand-counted ground truth (format of ../shared/data/README.md) and the accuracy figures.

>>> truth = GroundTruth.load(Path("bus_overhead_koba.json"))     # doctest: +SKIP
>>> score(truth, counted_passages, fps=15.0).combined_accuracy   # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from footfall.counting.area import Area, InDirection
from footfall.errors import BadRequest
from footfall.store.base import Direction

MATCH_WINDOW_S = 1.0  # a counted passage matches a true event of its direction within ±1 s


@dataclass(frozen=True, slots=True)
class TrueEvent:
    """One hand-counted crossing."""

    frame: int
    direction: Direction


@dataclass(frozen=True, slots=True)
class GroundTruth:
    """A clip's hand count: area, in direction, totals and events."""

    video: str
    fps: float
    area: Area
    in_direction: InDirection
    true_in: int
    true_out: int
    events: tuple[TrueEvent, ...]

    @classmethod
    def load(cls, path: Path) -> GroundTruth:
        """Read a ground-truth JSON file; a malformed one raises BadRequest naming the problem."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BadRequest(f"cannot read ground truth {path}: {exc}") from exc
        return cls.from_json(raw)

    @classmethod
    def from_json(cls, raw: Any) -> GroundTruth:
        """Build from the parsed JSON object."""
        try:
            a = raw["area"]
            area = Area(**{f.name: int(a[f.name]) for f in fields(Area)})
            in_direction = raw.get("in_direction", "up")
            if in_direction not in ("up", "down"):
                raise ValueError(f"in_direction must be up or down, not {in_direction!r}")
            events = tuple(
                TrueEvent(int(e["frame"]), _direction(e["direction"]))
                for e in raw.get("events", [])
            )
            return cls(
                video=str(raw.get("video", "")),
                fps=float(raw.get("fps", 0.0)),
                area=area,
                in_direction=in_direction,
                true_in=int(raw["totals"]["in"]),
                true_out=int(raw["totals"]["out"]),
                events=events,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise BadRequest(f"ground truth is malformed: {exc}") from exc


def _direction(value: object) -> Direction:
    if value == "in":
        return "in"
    if value == "out":
        return "out"
    raise ValueError(f"event direction must be in or out, not {value!r}")


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


def match_events(
    counted: Sequence[tuple[int, Direction]], truth: Sequence[TrueEvent], fps: float
) -> int:
    """Most one-to-one pairs (counted, true) of one direction within ±1 s of each other."""
    window = MATCH_WINDOW_S * fps
    total = 0
    for direction in ("in", "out"):
        c = np.array([f for f, d in counted if d == direction], np.float64)
        t = np.array([e.frame for e in truth if e.direction == direction], np.float64)
        if len(c) == 0 or len(t) == 0:
            continue
        gap = np.abs(c[:, None] - t[None, :])
        # Maximise the number of pairs first, then prefer the closest ones.
        cost = np.where(gap <= window, gap / (window + 1.0) - 1.0, 0.0)
        rows, cols = linear_sum_assignment(cost)
        total += int((gap[rows, cols] <= window).sum())
    return total


def score(truth: GroundTruth, counted: Sequence[tuple[int, Direction]], fps: float) -> Score:
    """Accuracy figures of passages given as (frame, direction) against the ground truth."""
    n_in = sum(1 for _, d in counted if d == "in")
    n_out = len(counted) - n_in
    matched = match_events(counted, truth.events, fps)
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
    )

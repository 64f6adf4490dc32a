"""Alarm rules: tailgating, wrong direction, occupancy threshold with hysteresis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from footfall.config import AlarmParams
from footfall.counting.alarms import AlarmRules, AlarmState
from footfall.store.base import Passage

T0 = datetime(2026, 11, 24, 12, tzinfo=UTC)


def _kinds(rules: AlarmRules, passages: list[tuple[float, str]]) -> list[str]:
    state = AlarmState()
    out: list[str] = []
    for offset, direction in passages:
        p = Passage(T0 + timedelta(seconds=offset), direction)  # type: ignore[arg-type]
        out += [e.kind for e in state.on_passage(p, rules)]
    return out


TAIL = AlarmRules(tailgating=True, tailgating_interval_s=2.0)
WRONG = AlarmRules(wrong_direction=True, allowed="in")

PASSAGE_CASES = [
    ("two entries 1 s apart", TAIL, [(0, "in"), (1, "in")], ["tailgating"]),
    ("two entries 3 s apart", TAIL, [(0, "in"), (3, "in")], []),
    ("exactly the interval is not tailgating", TAIL, [(0, "in"), (2, "in")], []),
    (
        "a burst of four is one alarm",
        TAIL,
        [(0, "in"), (1, "in"), (2, "in"), (3, "in")],
        ["tailgating"],
    ),
    (
        "two bursts",
        TAIL,
        [(0, "in"), (1, "in"), (10, "in"), (10.5, "in")],
        ["tailgating", "tailgating"],
    ),
    ("exits do not tailgate", TAIL, [(0, "out"), (0.5, "out")], []),
    (
        "an exit between entries does not break the burst",
        TAIL,
        [(0, "in"), (0.5, "out"), (1, "in")],
        ["tailgating"],
    ),
    ("disabled", AlarmRules(), [(0, "in"), (0.1, "in"), (0.2, "out")], []),
    (
        "wrong direction",
        WRONG,
        [(0, "in"), (5, "out"), (9, "out")],
        ["wrong_direction", "wrong_direction"],
    ),
    (
        "one-way exit",
        AlarmRules(wrong_direction=True, allowed="out"),
        [(0, "in"), (5, "out")],
        ["wrong_direction"],
    ),
]


@pytest.mark.parametrize(("name", "rules", "passages", "expected"), PASSAGE_CASES)
def test_passage_alarms(
    name: str, rules: AlarmRules, passages: list[tuple[float, str]], expected: list[str]
) -> None:
    assert _kinds(rules, passages) == expected, name


def test_tailgating_payload() -> None:
    state = AlarmState()
    state.on_passage(Passage(T0, "in"), TAIL)
    [event] = state.on_passage(Passage(T0 + timedelta(seconds=0.75), "in"), TAIL)
    assert event.payload == {"interval_s": 0.75, "limit_s": 2.0}
    assert event.time == T0 + timedelta(seconds=0.75)


def test_occupancy_threshold_one_event_up_one_down_with_hysteresis() -> None:
    rules = AlarmRules(occupancy=True, threshold=10, hysteresis=3)
    state = AlarmState()
    seen = []
    for occ in [9, 10, 11, 12, 11, 10, 8, 11, 7, 6, 11]:
        seen += [(e.kind, e.payload["occupancy"]) for e in state.on_occupancy(occ, T0, rules)]
    assert seen == [("occupancy_high", 11), ("occupancy_normal", 7), ("occupancy_high", 11)]


def test_switching_the_rule_off_ends_a_raised_alarm() -> None:
    state = AlarmState()
    on = AlarmRules(occupancy=True, threshold=1)
    assert [e.kind for e in state.on_occupancy(5, T0, on)] == ["occupancy_high"]
    assert [e.kind for e in state.on_occupancy(5, T0, AlarmRules())] == ["occupancy_normal"]
    assert state.on_occupancy(5, T0, AlarmRules()) == []


def test_state_round_trip_keeps_the_raised_alarm() -> None:
    state = AlarmState()
    rules = AlarmRules(occupancy=True, threshold=1, tailgating=True)
    state.on_occupancy(3, T0, rules)
    state.on_passage(Passage(T0, "in"), rules)
    again = AlarmState.from_json(state.to_json())
    assert again.on_occupancy(3, T0, rules) == []
    assert [e.kind for e in again.on_passage(Passage(T0 + timedelta(seconds=1), "in"), rules)] == [
        "tailgating"
    ]


def test_rules_from_params() -> None:
    p = AlarmParams(TailgatingEnable=1, TailgatingInterval=1.5, OccupancyThreshold=50)
    rules = AlarmRules.from_params(p)
    assert (rules.tailgating, rules.tailgating_interval_s, rules.threshold) == (True, 1.5, 50)
    assert not rules.wrong_direction

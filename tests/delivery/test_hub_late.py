"""Passages another process stores (footfall replay into a running server) are taken in late,
once; our own Ingest's passages never twice; history is left alone."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from footfall.config import Params
from footfall.counting.occupancy_db import OccupancyBook
from footfall.delivery.hub import LATE_CONFIRM_S, Hub
from footfall.delivery.outbox import Outbox
from footfall.ingest import Ingest
from footfall.store.base import Passage
from footfall.store.sqlite import SQLiteStore


@dataclass
class Live:
    """A hub on a real SQLite file, fed by its own Ingest."""

    path: Path
    store: SQLiteStore
    hub: Hub
    ingest: Ingest


def _open(path: Path) -> Live:
    store = SQLiteStore(path)
    params = Params()
    params.Occupancy.Enable = 1
    params.Alarm.TailgatingEnable = 1
    hub = Hub(store, OccupancyBook(path), Outbox(path), params, "ACCC8E019C5F",
              lambda: ZoneInfo("UTC"), lambda: "Door")  # fmt: skip
    ingest = Ingest(store)
    ingest.subscribe(hub.on_passage)
    return Live(path, store, hub, ingest)


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    """A fresh counter."""
    opened = _open(tmp_path / "counts.sqlite3")
    yield opened
    opened.store.close()


def _other_process(path: Path, passages: list[Passage]) -> None:
    """What `footfall replay` does: its own store connection, no listener of ours."""
    other = SQLiteStore(path)
    Ingest(other).add(passages)
    other.close()


def test_passages_from_another_process_are_taken_once(live: Live) -> None:
    now = time.time()
    t = datetime.fromtimestamp(now, UTC) - timedelta(minutes=5)
    _other_process(live.path, [Passage(t, "in"), Passage(t, "in"), Passage(t, "out")])
    assert live.hub.take_late(now) == 0  # not yet: it could be our own, a moment early
    assert live.hub.take_late(now + LATE_CONFIRM_S) == 3
    assert live.hub.estimate.occupancy == 1
    assert live.hub.take_late(now + 3 * LATE_CONFIRM_S) == 0
    messages = live.hub.outbox.after(0)
    assert [m.body["direction"] for m in messages] == ["in", "in", "out"]
    assert all(m.body["late"] is True for m in messages)
    assert live.store.events(0, 2**40) == []  # no tailgating from made-up times


def test_our_own_passages_are_never_taken_twice(live: Live) -> None:
    now = time.time()
    t = datetime.fromtimestamp(now, UTC)
    live.ingest.add([Passage(t, "in"), Passage(t + timedelta(seconds=5), "in")])
    for step in range(4):
        assert live.hub.take_late(now + step * LATE_CONFIRM_S) == 0
    assert live.hub.estimate.occupancy == 2


def test_history_is_not_news(tmp_path: Path) -> None:
    path = tmp_path / "counts.sqlite3"
    now = time.time()
    recent = datetime.fromtimestamp(now, UTC) - timedelta(minutes=10)
    old = datetime.fromtimestamp(now, UTC) - timedelta(days=2)
    _other_process(path, [Passage(recent, "in")])  # before footfall ever ran occupancy here
    first = _open(path)
    try:
        _other_process(path, [Passage(old, "in")])  # a replay of last week: history
        assert first.hub.take_late(now) == 0
        assert first.hub.take_late(now + 2 * LATE_CONFIRM_S) == 0
        assert first.hub.estimate.occupancy == 0
    finally:
        first.store.close()


def test_stored_while_footfall_was_stopped_is_taken_after_the_restart(live: Live) -> None:
    now = time.time()
    t = datetime.fromtimestamp(now, UTC) - timedelta(minutes=2)
    live.ingest.add([Passage(t, "in")])
    live.store.close()
    _other_process(live.path, [Passage(t, "in")])
    again = _open(live.path)
    try:
        again.hub.take_late(now)
        assert again.hub.take_late(now + LATE_CONFIRM_S) == 1
        assert again.hub.estimate.occupancy == 2
    finally:
        again.store.close()
    live.store = SQLiteStore(live.path)  # for the fixture's close


def test_local_midnight_sends_the_zeroed_day_totals(live: Live) -> None:
    day1 = datetime(2026, 11, 24, 23, 59, 58, tzinfo=UTC)
    live.ingest.add([Passage(day1 - timedelta(seconds=5), "in")])
    assert not live.hub.new_day(day1.timestamp())  # the first look only notes the day
    assert not live.hub.new_day(day1.timestamp() + 1)
    newest = live.hub.outbox.last_seq()
    assert live.hub.new_day(day1.timestamp() + 3)  # 00:00:01 of the next day
    sent = [m for m in live.hub.outbox.after(newest, 10) if m.kind == "occupancy"]
    assert len(sent) == 1
    body = sent[0].body
    assert (body["reason"], body["in_today"], body["out_today"], body["occupancy"]) == (
        "day", 0, 0, 1
    )  # fmt: skip
    assert not live.hub.new_day(day1.timestamp() + 4)


def test_a_failing_tick_is_logged_once_until_it_works_again(
    live: Live, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A count database away for an hour: one traceback, then one line when it is back."""
    import footfall.delivery.hub as hub_module

    monkeypatch.setattr(hub_module, "TICK_S", 0.02)
    failures = {"left": 10}
    real_tick = live.hub.tick

    def tick(now_s: float | None = None) -> str | None:
        if failures["left"] > 0:
            failures["left"] -= 1
            raise OSError("the count database does not answer")
        return real_tick(now_s)

    monkeypatch.setattr(live.hub, "tick", tick)
    caplog.set_level("INFO", logger="footfall")
    live.hub.start()
    try:
        deadline = time.monotonic() + 10
        while "work again" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        live.hub.stop()
    assert failures["left"] == 0
    assert caplog.text.count("housekeeping failed") == 1
    assert caplog.text.count("Traceback") <= 1
    assert "work again" in caplog.text

"""The outbox: ordered durable messages, per-sink cursors, pruning."""

from __future__ import annotations

import time
from pathlib import Path

from footfall.delivery import outbox as outbox_module
from footfall.delivery.outbox import Outbox


def test_seq_order_cursor_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "o.sqlite3"
    box = Outbox(path)
    seqs = [box.add("passage", {"n": n}, float(n)) for n in range(5)]
    assert seqs == [1, 2, 3, 4, 5]
    assert box.start_cursor("webhook") == 5  # a new sink starts after the newest message
    box.add("alarm", {"kind": "tailgating"}, 6.0)
    assert box.pending("webhook") == 1
    box.advance("webhook", 6)
    box.advance("webhook", 2)  # never moves back
    assert box.cursor("webhook") == 6
    box.close()
    again = Outbox(path)
    assert again.cursor("webhook") == 6
    assert [m.seq for m in again.after(3)] == [4, 5, 6]
    assert again.after(5)[0].as_json() == {"id": 6, "type": "alarm", "kind": "tailgating"}
    again.forget("webhook")
    assert again.cursor("webhook") is None


def test_ids_are_never_reused_after_clear(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite3")
    box.add("passage", {}, 0.0)
    box.clear()
    assert box.add("passage", {}, 0.0) == 2  # SSE clients de-duplicate on ids


def test_prune_keeps_what_a_sink_has_not_delivered(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite3")
    old = time.time() - outbox_module.KEEP_S - 10
    for _ in range(4):
        box.add("passage", {}, old)
    box.advance("mqtt", 2)
    assert box.prune(time.time()) == 2
    assert [m.seq for m in box.after(0)] == [3, 4]


def test_wait_wakes_on_add_and_on_timeout(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite3")
    start = time.monotonic()
    assert box.wait(0, 0.05) is False
    assert time.monotonic() - start >= 0.04
    box.add("passage", {}, 0.0)
    assert box.wait(0, 5) is True


def test_hub_housekeeping_applies_retention_to_occupancy_minutes(tmp_path: Path) -> None:
    from zoneinfo import ZoneInfo

    from footfall.config import Params
    from footfall.counting.occupancy_db import OccupancyBook
    from footfall.delivery.hub import Hub
    from footfall.store.sqlite import SQLiteStore

    path = tmp_path / "counts.sqlite3"
    store = SQLiteStore(path)
    book = OccupancyBook(path)
    params = Params()
    params.Storage.RetentionDays = 1
    hub = Hub(store, book, Outbox(path), params, "ACCC8E019C5F", lambda: ZoneInfo("UTC"), str)
    now = 10 * 86400
    book.record(now - 2 * 86400, 3, None)
    book.record(now - 3600, 4, 60.0)
    assert hub.housekeeping(now) == 1
    assert [m.occupancy for m in book.minutes(0, now)] == [4]
    store.close()

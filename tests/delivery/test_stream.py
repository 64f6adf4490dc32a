"""The SSE generator: catch-up after Last-Event-ID, live messages, keep-alive, bounded life."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from footfall.delivery.outbox import Message, Outbox
from footfall.delivery.stream import event_stream, parse_last_id, sse_event


async def _collect(box: Outbox, last: int | None, **kw: float) -> list[bytes]:
    return [frame async for frame in event_stream(box, last, **kw)]


def test_catch_up_then_live_then_keepalive_then_end(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite3")
    for n in range(3):
        box.add("passage", {"n": n}, 0.0)
    timer = threading.Timer(0.2, lambda: box.add("alarm", {"kind": "tailgating"}, 0.0))
    timer.start()
    frames = asyncio.run(_collect(box, 1, keepalive_s=0.4, lifetime_s=2.0))
    timer.join()
    assert frames[0] == b"retry: 3000\n\n"
    assert frames[1].startswith(b"id: 2\nevent: passage\ndata: {")
    assert frames[2].startswith(b"id: 3\n")
    assert frames[3].startswith(b"id: 4\nevent: alarm\n")  # live, woken from another thread
    assert b": keepalive\n\n" in frames[4:]


def test_without_last_id_the_stream_starts_after_the_newest(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite3")
    box.add("passage", {}, 0.0)
    frames = asyncio.run(_collect(box, None, keepalive_s=0.1, lifetime_s=0.15))
    assert not any(f.startswith(b"id:") for f in frames)


def test_a_last_id_beyond_the_newest_starts_after_the_newest(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite3")
    box.add("passage", {}, 0.0)
    timer = threading.Timer(0.1, lambda: box.add("alarm", {}, 0.0))
    timer.start()
    frames = asyncio.run(_collect(box, 10**20, keepalive_s=0.5, lifetime_s=0.6))
    timer.join()
    assert [f[:5] for f in frames if f.startswith(b"id:")] == [b"id: 2"]


def test_kinds_filter(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite3")
    box.add("passage", {}, 0.0)
    box.add("alarm", {}, 0.0)

    async def run() -> list[bytes]:
        return [f async for f in event_stream(box, 0, ["alarm"], lifetime_s=0.1)]

    assert [f[:5] for f in asyncio.run(run()) if f.startswith(b"id:")] == [b"id: 2"]


def test_frame() -> None:
    frame = sse_event(Message(7, 0.0, "alarm", {"kind": "x"}))
    assert frame == b'id: 7\nevent: alarm\ndata: {"id":7,"type":"alarm","kind":"x"}\n\n'


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(None, None), ("", None), ("12", 12), (" 3 ", 3), ("-1", None), ("x", None), ("²", None)],
)
def test_parse_last_id(raw: str | None, expected: int | None) -> None:
    assert parse_last_id(raw) == expected

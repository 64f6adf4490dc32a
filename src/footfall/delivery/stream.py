"""The live stream for browsers: server-sent events of the outbox (`GET /footfall/events`).

Each message is one SSE event: `id:` is the message id, `event:` its type (`passage`, `alarm`,
`occupancy`), `data:` the same JSON as MQTT and webhooks carry. A client that reconnects sends
`Last-Event-ID` (browsers do so by themselves) and first gets every message after that id still
in the outbox (7 days), then the live ones. Without it the stream starts with the next message.
A comment line every 15 s keeps proxies from closing an idle stream.

    const source = new EventSource("/footfall/events");
    source.addEventListener("passage", (e) => console.log(JSON.parse(e.data)));
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Collection

from starlette.concurrency import run_in_threadpool

from footfall.delivery.outbox import Message, Outbox

KEEPALIVE_S = 15.0
RETRY_MS = 3000
# A stream ends after this long; the browser reconnects with Last-Event-ID and loses nothing.
# It bounds how long a graceful server shutdown waits for open streams.
LIFETIME_S = 60.0


def sse_event(message: Message) -> bytes:
    """One message in text/event-stream framing."""
    data = message.as_text()
    return f"id: {message.seq}\nevent: {message.kind}\ndata: {data}\n\n".encode()


def parse_last_id(value: str | None) -> int | None:
    """The Last-Event-ID as a message id; None when absent or not a non-negative integer."""
    # isdecimal, not isdigit: int() refuses digits such as '²' that isdigit accepts.
    if value is None or not value.strip().isdecimal():
        return None
    return int(value.strip())


async def event_stream(
    outbox: Outbox,
    last_id: int | None,
    kinds: Collection[str] | None = None,
    keepalive_s: float = KEEPALIVE_S,
    lifetime_s: float = LIFETIME_S,
    closing: threading.Event | None = None,
) -> AsyncIterator[bytes]:
    """Yield SSE frames: the catch-up after `last_id`, then live messages, for `lifetime_s`.

    The stream also ends soon after `closing` is set and the outbox kicked (server stopping).
    """
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()

    def waker(_seq: int) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is already closed
            loop.call_soon_threadsafe(wake.set)

    stop = outbox.on_add(waker)
    try:
        newest = await run_in_threadpool(outbox.last_seq)
        # An id beyond the newest came from another data directory (a reinstall, another
        # counter behind the same URL): waiting for ids to catch up would leave it silent.
        cursor = newest if last_id is None else min(last_id, newest)
        yield f"retry: {RETRY_MS}\n\n".encode()
        deadline = loop.time() + lifetime_s
        while loop.time() < deadline and not (closing is not None and closing.is_set()):
            wake.clear()
            batch = await run_in_threadpool(outbox.after, cursor, 200)
            for message in batch:
                cursor = message.seq
                if kinds is None or message.kind in kinds:
                    yield sse_event(message)
            if batch:
                continue
            try:
                await asyncio.wait_for(wake.wait(), min(keepalive_s, deadline - loop.time()))
            except TimeoutError:
                yield b": keepalive\n\n"
    finally:
        stop()

"""What the camera sees, with the counting area drawn: `snapshot.jpg` and `view.mjpg`.

For placing the counting area by eye: the latest frame the counter analysed, with the area of
`Area.*` (scaled to the frame), the way that counts as in, the live tracks and today's counts.
Operator level on both endpoints (an image of people is more than a count). `overlay=0` gives the
bare frame. `view.mjpg` streams the same as `multipart/x-mixed-replace` (what browsers show in an
`<img>` or a tab), `fps` 1-15 (default 5); a HEAD gets the headers alone, SIGINT/SIGTERM of the
server ends the open streams (uvicorn would wait for them), and while the count database does not
answer the frames come without today's counts.

    install_view(ctx, counting.latest)      # footfall serve, with a video source
    install_view(ctx, None)                 # --source none: both answer 409 with a sentence
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from functools import partial
from types import FrameType
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse

from footfall.api.actions import Action, ApiContext, Call
from footfall.config import AreaParams
from footfall.counting.area import Area
from footfall.errors import BadRequest
from footfall.store.base import StoreUnavailable
from footfall.vision.draw import annotate, jpeg
from footfall.vision.types import View

BOUNDARY = "footfallframe"
DEFAULT_FPS = 5
MAX_FPS = 15
NO_STORE = {"Cache-Control": "no-store"}


ViewSource = Callable[[], View | None]


def _overlay(call: Call) -> bool:
    value = call.param("overlay")
    if value not in (None, "", "0", "1"):
        raise BadRequest("overlay must be 0 (the bare frame) or 1 (the counting area drawn)")
    return value != "0"


def _fps(call: Call) -> int:
    value = call.param("fps")
    if value in (None, ""):
        return DEFAULT_FPS
    if not value.isdecimal() or not 1 <= int(value) <= MAX_FPS:
        raise BadRequest(f"fps must be a whole number from 1 to {MAX_FPS}")
    return int(value)


def _latest(latest: ViewSource | None) -> View:
    if latest is None:
        raise BadRequest(
            "no video is being counted (footfall serve --source none); start it with --source "
            "FILE, URL, a camera or synthetic to see what it sees",
            status=409,
        )
    view = latest()
    if view is None:
        raise BadRequest("no frame has come from the video source yet; try again shortly", 503)
    return view


Overlay = tuple[AreaParams, tuple[int, int] | None]  # what is drawn: the area, today's counts


def overlay_now(ctx: ApiContext) -> Overlay:
    """The area in force and today's counts (None while the count database does not answer:
    the picture is still worth having, and a stream must not break)."""
    try:
        counts: tuple[int, int] | None = ctx.live.get(datetime.now(UTC))
    except StoreUnavailable:
        counts = None
    return ctx.params.current.Area, counts


def render(view: View, overlay: Overlay | None) -> bytes:
    """The view as JPEG, with the area, the tracks and the counts drawn unless `overlay` is None."""
    if overlay is None:
        return jpeg(view.image)
    params, counts = overlay
    area = Area.from_params(params)
    return jpeg(annotate(view.image, area, params.InDirection, view.tracks, counts))


class Pictures:
    """The last JPEG of each kind (drawn on, bare), shared by every client: N open streams cost
    one encoding per frame, not N (a few ms each for an HD camera, taken from the counting)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: dict[bool, tuple[View, Overlay | None, bytes]] = {}

    def jpeg(self, ctx: ApiContext, view: View, drawn: bool) -> bytes:
        """`view` as JPEG, drawn on as things stand now when `drawn`."""
        overlay = overlay_now(ctx) if drawn else None
        with self._lock:  # clients waiting here get the picture the first one made
            last = self._last.get(drawn)
            if last is not None and last[0] is view and last[1] == overlay:
                return last[2]
            body = render(view, overlay)
            self._last[drawn] = (view, overlay, body)
            return body


async def snapshot(latest: ViewSource | None, pictures: Pictures, call: Call) -> Response:
    """`snapshot.jpg`: the latest frame, drawn on unless overlay=0."""
    overlay = _overlay(call)
    view = _latest(latest)
    body = await run_in_threadpool(pictures.jpeg, call.ctx, view, overlay)
    return Response(body, media_type="image/jpeg", headers=NO_STORE)


async def _frames(
    ctx: ApiContext,
    pictures: Pictures,
    latest: ViewSource,
    first: View,
    overlay: bool,
    fps: int,
    closing: threading.Event,
) -> AsyncIterator[bytes]:
    """Each new frame (at most `fps` a second) as one part of a multipart/x-mixed-replace body,
    until `closing` is set (the server is stopping)."""
    view: View | None = first
    shown = -1
    while not closing.is_set():
        if view is not None and view.index != shown:
            body = await run_in_threadpool(pictures.jpeg, ctx, view, overlay)
            shown = view.index
            head = (
                f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(body)}\r\n\r\n"
            )
            yield head.encode("ascii") + body + b"\r\n"
        await asyncio.sleep(1.0 / fps)
        view = latest()


async def _nothing() -> AsyncIterator[bytes]:
    """The body of a HEAD: none (an endless stream would hold the connection for ever)."""
    return
    yield b""


async def stream(
    latest: ViewSource | None, pictures: Pictures, closing: threading.Event, call: Call
) -> Response:
    """`view.mjpg`: the view as an endless MJPEG stream (the headers alone for a HEAD)."""
    overlay, fps = _overlay(call), _fps(call)
    first = _latest(latest)
    assert latest is not None
    head = call.request.method == "HEAD"
    return StreamingResponse(
        _nothing() if head else _frames(call.ctx, pictures, latest, first, overlay, fps, closing),
        media_type=f"multipart/x-mixed-replace; boundary={BOUNDARY}",
        headers=NO_STORE | {"X-Accel-Buffering": "no"},
    )


def close_streams_on_signal(closing: threading.Event) -> None:
    """Make SIGINT/SIGTERM end the open streams, so a graceful shutdown does not wait for them.

    uvicorn waits for open responses before it stops (then cancels them with a traceback each);
    a view.mjpg stream never ends by itself. Called at start-up, after uvicorn installed its
    handlers, which still run. Only possible in the main thread.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous = signal.getsignal(sig)

        def handler(signum: int, frame: FrameType | None, previous: Any = previous) -> None:
            closing.set()
            if callable(previous):
                previous(signum, frame)

        signal.signal(sig, handler)


def install_view(ctx: ApiContext, latest: ViewSource | None) -> None:
    """Register `snapshot.jpg` and `view.mjpg` (operator) over `latest` (None: no video)."""
    closing, pictures = threading.Event(), Pictures()
    ctx.actions.register(
        Action("snapshot.jpg", partial(snapshot, latest, pictures), level="operator"), replace=True
    )
    ctx.actions.register(
        Action("view.mjpg", partial(stream, latest, pictures, closing), level="operator"),
        replace=True,
    )

    async def start() -> None:
        close_streams_on_signal(closing)

    ctx.on_startup.append(start)

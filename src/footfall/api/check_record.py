"""A hand-count check on the counter (operator, `check.html`'s actions): `check-record` starts
recording what the counter counts, `check-save` ends it and writes the taps of the check as the
recording's ground truth, so that `footfall eval RECORDING TRUTH.json --fit` can fit the door's
mounting height to it; `check-result` keeps the check's outcome in the store as an event of kind
`check` (with the alarms: `alarm-export-json&kind=check`; in a chain's PostgreSQL, under the
counter's serial).

- `check-record[&seconds=N]` (default 600, at most 1800): `{"recording": NAME, "seconds": N}`;
  409 without a video source, 400 while recording or with too little disk.
- `check-save[&tap=in,ISO-TIME][&tap=out,ISO-TIME]…` (the counter's clock): ends the recording
  and writes `NAME.json` beside it: `{"video", "truth", "frames", "frames_left_out", "in",
  "out", "left_out", "command", "ended"}`; 409 when nothing was recorded.

- `check-result&hand_in=N&hand_out=N&counter_in=N&counter_out=N&started=ISO&stopped=ISO`
  `[&matched=N][&recording=NAME]`: the event stored, `{"id", "kind", "combined_accuracy", …}`.

Both files are in `DATA/checks/` (`--data`); nothing else keeps them. A server stopped while
recording closes the recording (it plays; the taps, never sent, are not in it).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from footfall.api.actions import Action, ApiContext, Call
from footfall.api.vendor import json_response
from footfall.counting.area import Area
from footfall.counting.groundtruth import combined_accuracy, direction_accuracy
from footfall.counting.handcount import hand_truth
from footfall.errors import BadRequest
from footfall.store.base import Direction, Event
from footfall.vision.recorder import Recorder

DEFAULT_SECONDS = 600
MAX_TAPS = 20_000


def _seconds(call: Call) -> float:
    text = call.param("seconds")
    if text is None:
        return DEFAULT_SECONDS
    try:
        return float(text)
    except ValueError:
        raise BadRequest(f'seconds must be a number of seconds, not "{text}"') from None


def parse_tap(text: str) -> tuple[Direction, datetime]:
    """`in,2026-12-06T14:00:02.040Z` -> ("in", that moment, UTC); BadRequest otherwise."""
    way, _, moment = text.partition(",")
    if way not in ("in", "out"):
        raise BadRequest(f'a tap is "in,TIME" or "out,TIME", not "{text[:60]}"')
    return ("in" if way == "in" else "out"), utc(moment, f'the time of the tap "{text[:60]}"')


def utc(text: str, said: str) -> datetime:
    """An ISO 8601 time with its offset (`Z` too), in UTC; BadRequest naming it as `said`."""
    try:
        at = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"{said} is not an ISO 8601 time") from None
    if at.tzinfo is None:
        raise BadRequest(f"{said} has no UTC offset")
    return at.astimezone(UTC)


async def check_record(recorder: Recorder, fps: Callable[[], float], call: Call) -> Response:
    """`check-record`: start recording (see the module)."""
    seconds = _seconds(call)
    recorder.fps = fps()
    video = recorder.start(seconds)
    return json_response({"recording": video.name, "seconds": seconds})


async def check_save(recorder: Recorder, call: Call) -> Response:
    """`check-save`: end the recording, write its ground truth (see the module)."""
    taps = [parse_tap(value) for key, value in call.pairs if key == "tap"]
    if len(taps) > MAX_TAPS:
        raise BadRequest(f"{len(taps)} taps: a check holds {MAX_TAPS} at most")
    recording = recorder.stop()
    if recording is None:
        return Response("nothing is being recorded: check-record first\n", status_code=409)
    if not recording.times:
        reason = recorder.failure or "no frame came from the camera while it recorded"
        return Response(f"the recording holds no frame: {reason}\n", status_code=409)
    params = call.ctx.params.current
    truth = hand_truth(
        taps,
        recording.times,
        Area.from_params(params.Area),
        params.Area.InDirection,
        recording.fps,
        recording.video.name,
        recording.size,
    )
    path = recording.video.with_suffix(".json")
    path.write_text(json.dumps(truth.json, indent=1) + "\n", encoding="utf-8")
    totals = truth.json["totals"]
    return json_response(
        {
            "video": str(recording.video),
            "truth": str(path),
            "frames": len(recording.times),
            "frames_left_out": recording.dropped,  # the writer behind: not in the recording
            "in": totals["in"],
            "out": totals["out"],
            "left_out": truth.left_out,
            "command": f"footfall eval {recording.video} {path} --fit",
            "ended": recorder.failure,  # why it ended early (the disk), or None
        }
    )


CHECK_KIND = "check"  # the store's event kind of a check's outcome
COUNTS = ("hand_in", "hand_out", "counter_in", "counter_out")


def _whole(call: Call, key: str, required: bool = True) -> int | None:
    text = call.param(key)
    if text is None:
        if required:
            raise BadRequest(f"check-result needs {key}")
        return None
    if not text.isdigit() or len(text) > 9:
        raise BadRequest(f'{key} must be a whole number of people >= 0, not "{text[:40]}"')
    return int(text)


def _moment(call: Call, key: str) -> datetime:
    text = call.param(key)
    if text is None:
        raise BadRequest(f"check-result needs {key}")
    return utc(text, f'{key} "{text[:60]}"')


def check_event(call: Call) -> Event:
    """The outcome of a check as the event kept of it, from `check-result`'s parameters (a
    sentence for any that is missing or wrong); its accuracy as `footfall eval` scores."""
    hand_in, hand_out, counted_in, counted_out = (int(_whole(call, k) or 0) for k in COUNTS)
    started, stopped = _moment(call, "started"), _moment(call, "stopped")
    if stopped < started:
        raise BadRequest("the check stopped before it started")
    payload: dict[str, object] = {
        "started": started.isoformat().replace("+00:00", "Z"),
        "seconds": round((stopped - started).total_seconds(), 1),
        "hand_in": hand_in,
        "hand_out": hand_out,
        "counter_in": counted_in,
        "counter_out": counted_out,
        "in_accuracy": round(direction_accuracy(counted_in, hand_in), 4),
        "out_accuracy": round(direction_accuracy(counted_out, hand_out), 4),
        "combined_accuracy": round(
            combined_accuracy(counted_in, counted_out, hand_in, hand_out), 4
        ),
    }
    matched = _whole(call, "matched", required=False)
    if matched is not None:
        payload["matched"] = matched
    recording = call.param("recording")
    if recording:
        payload["recording"] = recording[:200]
    return Event(stopped, CHECK_KIND, payload)


async def check_result(call: Call) -> Response:
    """`check-result`: keep a check's outcome in the store (see the module)."""
    event = check_event(call)
    event_id = await run_in_threadpool(call.ctx.store.add_event, event)
    return json_response({"id": event_id, "kind": event.kind, **event.payload})


def install_check_record(ctx: ApiContext, recorder: Recorder, fps: Callable[[], float]) -> None:
    """Register `check-record`, `check-save` and `check-result` (operator), the first two over
    `recorder` (closed at the server's stop); `fps` gives the rate frames come at (the
    recording's)."""
    ctx.actions.register(
        Action("check-record", partial(check_record, recorder, fps), level="operator"),
        replace=True,
    )
    ctx.actions.register(
        Action("check-save", partial(check_save, recorder), level="operator"), replace=True
    )
    ctx.actions.register(Action("check-result", check_result, level="operator"), replace=True)

    async def finish() -> None:  # a stop mid-recording: the file is closed, and plays
        await asyncio.to_thread(recorder.stop)

    ctx.on_shutdown.append(finish)

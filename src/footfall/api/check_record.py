"""Recording a hand-count check (operator): `check-record` starts recording what the counter
counts, `check-save` ends it and writes the taps of the check as the recording's ground truth,
so that `footfall eval RECORDING TRUTH.json --fit` can fit the door's mounting height to it.

- `check-record[&seconds=N]` (default 600, at most 1800): `{"recording": NAME, "seconds": N}`;
  409 without a video source, 400 while recording or with too little disk.
- `check-save[&tap=in,ISO-TIME][&tap=out,ISO-TIME]…` (the counter's clock): ends the recording
  and writes `NAME.json` beside it: `{"video", "truth", "frames", "frames_left_out", "in",
  "out", "left_out", "command", "ended"}`; 409 when nothing was recorded.

Both files are in `DATA/checks/` (`--data`); nothing else keeps them. A server stopped while
recording closes the recording (it plays; the taps, never sent, are not in it).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

from starlette.responses import Response

from footfall.api.actions import Action, ApiContext, Call
from footfall.api.vendor import json_response
from footfall.counting.area import Area
from footfall.counting.handcount import hand_truth
from footfall.errors import BadRequest
from footfall.store.base import Direction
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
    try:
        at = datetime.fromisoformat(moment.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f'the time of the tap "{text[:60]}" is not an ISO 8601 time') from None
    if at.tzinfo is None:
        raise BadRequest(f'the time of the tap "{text[:60]}" has no UTC offset')
    return ("in" if way == "in" else "out"), at.astimezone(UTC)


async def check_record(recorder: Recorder, fps: Callable[[], float], call: Call) -> Response:
    """`check-record`: start recording (see the module)."""
    recorder.fps = fps()
    video = recorder.start(_seconds(call))
    return json_response({"recording": video.name, "seconds": _seconds(call)})


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


def install_check_record(ctx: ApiContext, recorder: Recorder, fps: Callable[[], float]) -> None:
    """Register `check-record` and `check-save` (operator) over `recorder`; `fps` gives the
    rate frames come at (the recording's)."""
    ctx.actions.register(
        Action("check-record", partial(check_record, recorder, fps), level="operator"),
        replace=True,
    )
    ctx.actions.register(
        Action("check-save", partial(check_save, recorder), level="operator"), replace=True
    )

    async def finish() -> None:  # a stop mid-recording: the file is closed, and plays
        await asyncio.to_thread(recorder.stop)

    ctx.on_shutdown.append(finish)

"""Recording a check: the real `footfall serve` on the synthetic scene records what it counts
(`check-record`), writes the taps as that recording's ground truth (`check-save`), and
`footfall eval` reads the pair; what a client gets wrong is a sentence."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import httpx
import pytest

from footfall.api.check_record import parse_tap
from footfall.counting.groundtruth import GroundTruth, combined_accuracy, direction_accuracy
from footfall.errors import BadRequest
from tests.api.liveserver import LiveServer
from tests.serving import serve_process

OPERATOR = "/local/tvpc/.apioperator"
FOOTFALL = [sys.executable, "-c", "from footfall.cli import main; main()"]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def test_a_check_recorded_is_a_recording_and_its_hand_count(tmp_path: Path) -> None:
    data = tmp_path / "data"
    process, base = serve_process(data, ["--source", "synthetic", "--user", "op:secret:operator"])
    auth = httpx.DigestAuth("op", "secret")
    try:
        with httpx.Client(base_url=base, auth=auth, timeout=20) as c:
            assert c.post(f"{OPERATOR}?check-save").status_code == 409  # nothing recorded yet
            assert httpx.get(f"{base}{OPERATOR}?check-record", timeout=5).status_code == 401
            refused = c.get(f"{OPERATOR}?check-record&seconds=abc")
            assert refused.status_code == 400
            assert refused.text.strip() == 'seconds must be a number of seconds, not "abc"'
            before = datetime.now(UTC)
            started = c.post(f"{OPERATOR}?check-record&seconds=30")
            assert started.status_code == 200, started.text
            name = started.json()["recording"]
            again = c.post(f"{OPERATOR}?check-record")
            assert again.status_code == 400 and f"already recording to {name}" in again.text
            time.sleep(3)
            taps = [("in", datetime.now(UTC)), ("in", datetime.now(UTC) + timedelta(seconds=1))]
            time.sleep(3)
            taps.append(("out", datetime.now(UTC)))
            time.sleep(2)
            taps.append(("in", before - timedelta(seconds=60)))  # before the recording
            bad = c.post(f"{OPERATOR}?check-save&tap=sideways,{iso(before)}")
            assert bad.status_code == 400
            said = f'a tap is "in,TIME" or "out,TIME", not "sideways,{iso(before)}"'
            assert bad.text.strip() == said
            body = "&".join(f"tap={way},{iso(at)}" for way, at in taps)
            saved = c.post(
                f"{OPERATOR}?check-save",
                content=body,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            assert saved.status_code == 200, saved.text
            result = saved.json()
            assert c.post(f"{OPERATOR}?check-save").status_code == 409  # saved: nothing now
    finally:
        process.terminate()
        process.wait(20)
    video, truth_path = Path(result["video"]), Path(result["truth"])
    assert video == data / "checks" / name and truth_path == video.with_suffix(".json")
    assert (result["in"], result["out"], result["left_out"]) == (2, 1, 1)
    assert result["command"] == f"footfall eval {video} {truth_path} --fit"
    assert result["ended"] is None  # it ran to the save, not to a full disk
    assert isinstance(result["frames_left_out"], int) and result["frames_left_out"] >= 0
    capture = cv2.VideoCapture(str(video))
    frames = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    size = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
    capture.release()
    raw = json.loads(truth_path.read_text())
    truth = GroundTruth.from_json(raw)
    assert frames == result["frames"] == raw["frames"] >= 6 * 10  # 8 s of a scene at 15 fps
    assert size == (raw["width"], raw["height"]) == (320, 240)
    assert (truth.true_in, truth.true_out) == (2, 1)
    assert [e.direction for e in truth.events] == ["in", "in", "out"]
    # tapped about 3 s, 4 s and 6 s into it: frames that far apart at the recording's rate
    first, second, third = (e.frame for e in truth.events)
    assert abs((second - first) - raw["fps"]) <= 2 and abs((third - first) - 3 * raw["fps"]) <= 3
    assert 0 < first < third < frames
    # the counter's own area and in direction, in the recording's pixels
    assert truth.area.as_cntpos() == {**raw["area"]} and raw["in_direction"] == "up"
    done = subprocess.run(
        [*FOOTFALL, "eval", str(video), str(truth_path), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    scored = json.loads(done.stdout)
    assert (scored["true_in"], scored["true_out"]) == (2, 1)
    assert scored["frames"] == frames


def test_a_server_stopped_while_recording_leaves_a_recording_that_plays(tmp_path: Path) -> None:
    data = tmp_path / "data"
    process, base = serve_process(data, ["--source", "synthetic", "--user", "op:secret:operator"])
    try:
        started = httpx.post(
            f"{base}{OPERATOR}?check-record", auth=httpx.DigestAuth("op", "secret"), timeout=20
        )
        assert started.status_code == 200, started.text
        time.sleep(3)
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 128 + signal.SIGTERM
    finally:
        if process.poll() is None:
            process.kill()
    video = data / "checks" / started.json()["recording"]
    capture = cv2.VideoCapture(str(video))
    frames = 0
    while capture.read()[0]:
        frames += 1
    indexed = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    capture.release()
    assert frames >= 2 * 10 and indexed == frames  # closed: its index holds every frame


def test_a_checks_outcome_is_kept_with_the_alarms(pages: LiveServer) -> None:
    """`check-result` stores the outcome as an event of kind `check`, its accuracy as eval
    scores it; the alarm exports list it (`kind=check`, and `all`), not among the alarms; what
    is missing or wrong is a sentence and stores nothing."""
    op = httpx.DigestAuth("op", "oppass")
    query = (
        "check-result&hand_in=41&hand_out=37&counter_in=40&counter_out=38"
        "&started=2026-12-06T14:00:00Z&stopped=2026-12-06T14:10:30.5Z&matched=74"
        "&recording=check-20261206T140000Z.avi"
    )
    with pages.client(op) as c:
        for bad, said in (
            ("check-result&hand_in=41", "check-result needs hand_out"),
            (
                query.replace("hand_out=37", "hand_out=-2"),
                'hand_out must be a whole number of people >= 0, not "-2"',
            ),
            (query.replace("14:10:30.5Z", "13:10:30Z"), "the check stopped before it started"),
            (query.replace("14:00:00Z", "14:00:00"), 'started "2026-12-06T14:00:00" has no UTC'),
        ):
            refused = c.post(f"{OPERATOR}?{bad}")
            assert refused.status_code == 400 and said in refused.text, (bad, refused.text)
        kept = c.post(f"{OPERATOR}?{query}")
        assert kept.status_code == 200, kept.text
        stored = kept.json()
        listed = c.get(f"{OPERATOR}?alarm-export-json&date=20261206&kind=check").json()
        every = c.get(f"{OPERATOR}?alarm-export-json&date=20261206&kind=all").json()
        alarms = c.get(f"{OPERATOR}?alarm-export-json&date=20261206").json()
        csv = c.get(f"{OPERATOR}?alarm-export-csv&date=20261206&kind=check").text
        assert c.post(f"{OPERATOR}?{query}", auth=None).status_code == 401
    accuracy = combined_accuracy(40, 38, 41, 37)
    assert stored["kind"] == "check" and stored["combined_accuracy"] == round(accuracy, 4)
    assert (stored["in_accuracy"], stored["out_accuracy"]) == (
        round(direction_accuracy(40, 41), 4),
        round(direction_accuracy(38, 37), 4),
    )
    assert stored["seconds"] == 630.5 and stored["matched"] == 74
    rows = listed["events"]
    assert len(rows) == 1 and rows[0]["id"] == stored["id"] and rows[0]["kind"] == "check"
    assert rows[0]["hand_in"] == 41 and rows[0]["counter_out"] == 38
    assert rows[0]["recording"] == "check-20261206T140000Z.avi"
    assert [r["id"] for r in every["events"]] == [stored["id"]]
    assert alarms["events"] == []  # a check is no alarm
    assert f",{stored['id']},check," in csv and "combined_accuracy=" in csv


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            "in,2026-12-06T14:00:02",
            'the time of the tap "in,2026-12-06T14:00:02" has no UTC offset',
        ),
        ("in,yesterday", 'the time of the tap "in,yesterday" is not an ISO 8601 time'),
        (
            "up,2026-12-06T14:00:02Z",
            'a tap is "in,TIME" or "out,TIME", not "up,2026-12-06T14:00:02Z"',
        ),
    ],
)
def test_a_tap_that_is_not_one_is_a_sentence(text: str, said: str) -> None:
    with pytest.raises(BadRequest) as refused:
        parse_tap(text)
    assert refused.value.message == said


def test_a_tap_is_taken_to_utc() -> None:
    assert parse_tap("out,2026-12-06T15:00:02.5+01:00") == (
        "out",
        datetime(2026, 12, 6, 14, 0, 2, 500000, tzinfo=UTC),
    )

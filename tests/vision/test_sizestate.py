"""The person-size learner's samples kept over a restart: the file, and the detector going on
from them (the counts this buys on real clips are in tests/real/test_clips.py)."""

from __future__ import annotations

import itertools
import json
import logging
import os
from pathlib import Path

import numpy as np
import pytest

from footfall.config import Params
from footfall.vision.analyzer import Analyzer
from footfall.vision.detect import ForegroundDetector
from footfall.vision.person import WORK_WIDTH, person_width_px
from footfall.vision.sizestate import SizeMemory, SizeSamples
from footfall.vision.synthetic import scenario
from tests.vision.test_detect import bare_floor, with_people

SAMPLES = SizeSamples((280, 90.0, 50, 1), (320, 240), (12.5, 13.0, 14.25) * 10, (0.875,) * 30)


def test_samples_go_through_json_unchanged() -> None:
    raw = json.loads(json.dumps(SAMPLES.to_json()))
    assert SizeSamples.from_json(raw) == SAMPLES
    opened = SizeSamples(
        SAMPLES.sizing, SAMPLES.frame, SAMPLES.thickness, SAMPLES.solidity, 160, (6.5,) * 30
    )
    assert SizeSamples.from_json(json.loads(json.dumps(opened.to_json()))) == opened


def test_a_file_from_before_the_unclosed_thickness_was_kept_still_loads() -> None:
    """Samples saved without `opened` (or with a count that does not match the thickness)
    load without it: the size is then learnt as before, not bound by it (`OPENED_MAX`)."""
    old = {k: v for k, v in SAMPLES.to_json().items() if k != "opened"}
    assert SizeSamples.from_json(old).opened == ()
    assert SizeSamples.from_json({**SAMPLES.to_json(), "opened": [3.0]}).opened == ()


@pytest.mark.parametrize(
    "raw",
    [
        None,
        [],
        {"format": 99},
        {**SAMPLES.to_json(), "thickness": [1.0, -2.0]},
        {**SAMPLES.to_json(), "solidity": ["x"]},
        {**SAMPLES.to_json(), "frame": [0, 240]},
        {**SAMPLES.to_json(), "sizing": [280, 90]},
        {k: v for k, v in SAMPLES.to_json().items() if k != "thickness"},
    ],
)
def test_malformed_samples_are_refused_with_a_reason(raw: object) -> None:
    with pytest.raises(ValueError, match=r"\w"):
        SizeSamples.from_json(raw)


def test_memory_keeps_the_samples_of_its_source_only(tmp_path: Path) -> None:
    path = tmp_path / "person-size.json"
    SizeMemory(path, "rtsp://cam/1").save(SAMPLES)
    assert SizeMemory(path, "rtsp://cam/1").load() == SAMPLES
    assert SizeMemory(path, "rtsp://cam/2").load() is None  # another camera learns afresh
    assert [p.name for p in tmp_path.iterdir()] == ["person-size.json"]  # no temporary left


@pytest.mark.parametrize(
    "body", [b"{not json", b"\xff\xfe", b'{"source": "cam", "samples": {"format": 1}}', b"[]"]
)
def test_an_unreadable_memory_is_no_memory_and_says_so(
    tmp_path: Path, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "person-size.json"
    path.write_bytes(body)
    with caplog.at_level(logging.INFO, "footfall.vision.sizestate"):
        assert SizeMemory(path, "cam").load() is None
    assert str(path) in caplog.text


def test_a_memory_that_cannot_be_written_warns_once_and_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    memory = SizeMemory(tmp_path / "gone" / "person-size.json", "cam")
    with caplog.at_level(logging.WARNING, "footfall.vision.sizestate"):
        memory.save(SAMPLES)
        memory.save(SizeSamples(SAMPLES.sizing, SAMPLES.frame, (9.0,) * 30, SAMPLES.solidity))
    assert caplog.text.count("cannot be written") == 1
    (tmp_path / "gone").mkdir()
    memory.save(SAMPLES)
    assert SizeMemory(memory.path, "cam").load() == SAMPLES


def test_a_save_replaces_the_file_whole(tmp_path: Path) -> None:
    """Written beside it and renamed: a reader (or a kill -9) never meets half a file."""
    path = tmp_path / "person-size.json"
    memory = SizeMemory(path, "cam")
    memory.save(SAMPLES)
    first = os.stat(path).st_ino
    later = SizeSamples(SAMPLES.sizing, SAMPLES.frame, (20.0,) * 30, SAMPLES.solidity)
    memory.save(later)
    assert os.stat(path).st_ino != first
    assert SizeMemory(path, "cam").load() == later


def learnt_detector(
    params: Params, frames: int = 150, drawn_cm: int | None = None, work_px: int = 160
) -> ForegroundDetector:
    """A detector (analysing at `work_px`) that has watched people cross the synthetic scene
    (drawn as seen from `drawn_cm` when given, else from the mounting height it is told)."""
    detector = ForegroundDetector(params, work_px)
    drawn = params
    if drawn_cm is not None:
        counter = params.Counter.model_copy(update={"Height": drawn_cm})
        drawn = params.model_copy(update={"Counter": counter})
    sc = scenario("single", 0, drawn)
    detector.set_fps(sc.fps)
    for frame in itertools.islice(sc.frames(), frames):
        detector.detect(frame)
    assert detector.size_learnt
    return detector


def test_a_detector_goes_on_from_the_samples_of_an_earlier_run() -> None:
    params = Params()
    before = learnt_detector(params, drawn_cm=240)  # people larger than the 280 cm guess
    samples = before.samples()
    assert samples is not None and samples.frame == (320, 240)
    guess = person_width_px(160, params.Counter.Height, 90.0, 50)
    assert before.person_px > guess + 3.0  # learnt: not the mounting-height guess

    after = ForegroundDetector(params)
    after.restore(SizeSamples.from_json(samples.to_json()))
    assert not after.size_learnt
    blank = next(iter(scenario("single", 0, params).frames()))
    after.detect(blank)
    assert after.size_learnt
    assert after.person_px == pytest.approx(before.person_px, rel=0.01)


def test_samples_say_the_width_they_were_learnt_at_and_only_it_takes_them() -> None:
    """A detector analysing a narrow area finer, at 320 px, hands on its samples with that
    width: one at 320 px goes on with the same size, one at 160 px (where people measure a
    smaller share of the picture) learns afresh. Over JSON the width is kept, and a file written
    before it was is read as learnt at 160 px."""
    params = Params()
    before = learnt_detector(params, work_px=320)
    samples = before.samples()
    assert samples is not None and samples.work == 320
    assert SizeSamples.from_json(samples.to_json()).work == 320
    blank = next(iter(scenario("single", 0, params).frames()))
    learnt = []
    for work_px in (160, 320):
        after = ForegroundDetector(params, work_px)
        after.restore(samples)
        after.detect(blank)
        learnt.append(after.size_learnt)
        if work_px == 320:
            # learnt again from all the samples: `before` last set its width 3 samples earlier
            assert after.frame_person_px == pytest.approx(before.frame_person_px, rel=0.05)
    assert learnt == [False, True]
    older = {k: v for k, v in samples.to_json().items() if k != "work"}
    assert SizeSamples.from_json(older).work == WORK_WIDTH
    with pytest.raises(ValueError, match="analysis width"):
        SizeSamples.from_json({**samples.to_json(), "work": 0})


def test_samples_of_other_sizing_params_or_frames_are_dropped() -> None:
    params = Params()
    samples = learnt_detector(params).samples()
    assert samples is not None
    frame = next(iter(scenario("single", 0, params).frames()))
    higher = params.model_copy(
        update={"Counter": params.Counter.model_copy(update={"Height": 400})}
    )
    other = ForegroundDetector(higher)
    other.restore(samples)
    other.detect(frame)
    assert not other.size_learnt  # a new mounting height: learnt afresh from its guess
    assert other.person_px == pytest.approx(person_width_px(160, 400, 90.0, 50))

    wider = ForegroundDetector(params)
    wider.restore(samples)
    wider.detect(type(frame)(np.zeros((240, 400, 3), np.uint8), 0, frame.time))
    assert not wider.size_learnt  # another frame size: another camera or lens


def test_an_analyzer_hands_its_samples_on() -> None:
    sc = scenario("single", 0)
    first = Analyzer(sc.params)
    first.set_fps(sc.fps)
    for frame in sc.frames():
        first.process(frame)
    samples = first.size_samples()
    assert samples is not None
    second = Analyzer(sc.params)
    second.restore_size(samples)
    for frame in itertools.islice(sc.frames(), 2):  # the first waits for the next
        second.process(frame)  # the empty doorway: no detection to follow
    assert second.person_px == pytest.approx(first.person_px, rel=0.06)


def test_a_queue_arriving_in_a_bare_doorway_makes_a_restored_size_learnt_afresh() -> None:
    """Restarted on an empty doorway, a counter goes on from its earlier size; when a queue then
    arrives all at once the background model starts again (as at a first start) and the size
    is learnt afresh with it: the old size over a model started on the queue counted tram 02 34
    for 23, learning afresh 23 (bench_restart). One person walking in keeps it."""
    params = Params()
    samples = learnt_detector(params).samples()
    assert samples is not None
    guess = person_width_px(160, params.Counter.Height, 90.0, 50)
    crowd = with_people(bare_floor(), [(x, y) for x in range(30, 320, 52) for y in (80, 130, 180)])
    walker = with_people(bare_floor(), [(160, 120)])
    learnt = []
    for arrival in (crowd, walker):
        detector = ForegroundDetector(params)
        detector.set_fps(25.0)
        detector.restore(samples)
        for _ in range(25):
            detector.mask(bare_floor())
        assert detector.size_learnt
        detector.mask(arrival)
        learnt.append((detector.size_learnt, detector.person_px))
    assert learnt[0] == (False, pytest.approx(guess))
    assert learnt[1][0] and learnt[1][1] != pytest.approx(guess)

"""Ground-truth files and the accuracy figures of `footfall eval`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from footfall.counting.area import Area
from footfall.counting.groundtruth import (
    EventPair,
    GroundTruth,
    TrueEvent,
    combined_accuracy,
    direction_accuracy,
    match_events,
    pair_events,
    score,
)
from footfall.errors import BadRequest

AREA = {
    "width": 320,
    "height": 240,
    "left": 0,
    "right": 320,
    "top": 100,
    "bottom": 140,
    "yfirst": 100,
    "ylast": 140,
    "radius": 0,
}
GOOD = {
    "video": "x.avi",
    "fps": 15.0,
    "area": AREA,
    "in_direction": "up",
    "totals": {"in": 2, "out": 1},
    "events": [{"frame": 10, "direction": "in"}, {"frame": 40, "direction": "out"}],
}


def test_reads_a_good_file() -> None:
    truth = GroundTruth.from_json(GOOD)
    assert (truth.true_in, truth.true_out, truth.area.ylast) == (2, 1, 140)
    assert truth.events[1] == TrueEvent(40, "out")


def test_events_may_give_the_time_a_player_shows_instead_of_the_frame() -> None:
    """Seconds from the start (a number or a player's "m:ss.f" / "h:mm:ss.f") are taken to the
    frame at the video's rate when it is known, else at the file's fps; a frame given wins."""
    events = [
        {"time": "0:02", "direction": "in"},
        {"time": 3.5, "direction": "out"},
        {"time": "1:01:01.5", "direction": "in"},
        {"time": "2.6", "direction": "in", "frame": 7},
    ]
    raw = GOOD | {"events": events}
    at_file_rate = GroundTruth.from_json(raw)  # 15 fps
    assert [e.frame for e in at_file_rate.events] == [30, 52, 54922, 7]
    at_video_rate = GroundTruth.from_json(raw, rate=25.0)
    assert [e.frame for e in at_video_rate.events] == [50, 88, 91538, 7]
    assert [e.direction for e in at_video_rate.events] == ["in", "out", "in", "in"]


def test_a_file_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    # Notepad and Excel save UTF-8 with a BOM; json refused it ("Unexpected UTF-8 BOM").
    path = tmp_path / "truth.json"
    path.write_text(json.dumps(GOOD), encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert GroundTruth.load(path) == GroundTruth.from_json(GOOD)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"area": None}, "malformed"),
        ({"totals": {"in": 1}}, "out"),
        ({"in_direction": "left"}, r"it has no line_x \(in_direction is left or right\)"),
        ({"line_x": 160}, "a vertical line \\(line_x\\) needs in_direction left or right"),
        ({"line_x": 400, "in_direction": "left"}, "line_x 400 is not inside the picture"),
        ({"events": [{"frame": 1, "direction": "sideways"}]}, "in or out"),
        ({"area": {**AREA, "left": "x"}}, "malformed"),
        # These were read as int()/float() would: a truth of -3 people scored 4.33, true as 1,
        # 7.9 as 7, an infinite fps matched every event; KeyError and TypeError texts were
        # all the user saw ("'width'", "'NoneType' object is not iterable").
        ({"totals": {"in": -3, "out": 1}}, "totals.in must be a whole number >= 0, not -3"),
        ({"totals": {"in": True, "out": 1}}, "totals.in must be a whole number >= 0, not true"),
        ({"totals": {"in": 7.9, "out": 1}}, "not 7.9"),
        ({"totals": [2, 1]}, r"totals must be an object, not \[2, 1\]"),
        ({"fps": float("inf")}, "fps must be a frame rate > 0"),
        ({"fps": -15}, "fps must be a frame rate > 0"),
        ({"fps": "15"}, 'fps must be a number, not "15"'),
        ({"events": None}, "events must be a list, not null"),
        ({"events": [{"frame": 1.5, "direction": "in"}]}, r"events\[0\].frame must be a whole"),
        ({"events": [{"frame": 3}]}, r"it has no events\[0\].direction"),
        ({"events": [7]}, r"events\[0\] must be an object, not 7"),
        (
            {"events": [{"time": "1:75", "direction": "in"}]},
            r'events\[0\].time must be seconds from the start of the video \(83.4, "1:23.4" or'
            r' "0:01:23.4"\), not "1:75"',
        ),
        ({"events": [{"time": -2, "direction": "in"}]}, r"events\[0\].time must be seconds"),
        ({"events": [{"time": True, "direction": "in"}]}, r"not true"),
        (
            {"fps": None, "events": [{"time": 3.0, "direction": "in"}]},
            r"events\[0\].time gives a time, and the video's frame rate is not known: give the"
            r" file's fps \(or the event's frame\)",
        ),
        ({"area": {k: v for k, v in AREA.items() if k != "width"}}, "it has no area.width"),
        ({"in_direction": None}, "up or down, not null"),
        ({"tolerance": 2}, "tolerance must be an object, not 2"),
        ({"tolerance": {"in": -1}}, "tolerance.in must be a whole number >= 0, not -1"),
        ({"rotation": 45}, "rotation must be 0, 90, 180 or 270, not 45"),
        ({"rotation": True}, "rotation must be 0, 90, 180 or 270, not true"),
        ({"rotation": "90"}, 'rotation must be 0, 90, 180 or 270, not "90"'),
        (
            {"rotation": 90, "line_x": 100, "in_direction": "left"},
            "give either line_x \\(a vertical line\\) or rotation, not both",
        ),
    ],
)
def test_bad_files_say_why(change: dict[str, Any], message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        GroundTruth.from_json(GOOD | change)


SIDEWAYS_AREA = {**AREA, "left": 140, "right": 180, "top": 20, "bottom": 200}


@pytest.mark.parametrize(
    ("change", "area"),
    [
        # The area's x span is the band; people crossing rightwards go down once turned.
        (
            {"line_x": 160, "in_direction": "right", "area": SIDEWAYS_AREA},
            Area(240, 320, 40, 220, 140, 180, 140, 180, 0),
        ),
        # An area as wide as the picture is no band: the line ± 0.058 of the turned picture's
        # width (the height, 240: ± 14 px).
        (
            {"line_x": 100, "in_direction": "left", "area": {**AREA, "top": 0, "bottom": 240}},
            Area(240, 320, 0, 240, 86, 114, 86, 114, 0),
        ),
        # No area at all: the file's own size.
        (
            {"line_x": 100, "in_direction": "left", "area": None, "width": 320, "height": 240},
            Area(240, 320, 0, 240, 86, 114, 86, 114, 0),
        ),
    ],
)
def test_a_vertical_line_is_counted_in_the_picture_turned_upright(
    change: dict[str, Any], area: Area
) -> None:
    raw = {k: v for k, v in (GOOD | change).items() if v is not None}
    truth = GroundTruth.from_json(raw)
    assert truth.rotation == 90
    assert truth.area == area
    assert truth.in_direction == ("down" if change["in_direction"] == "right" else "up")
    assert truth.events == GroundTruth.from_json(GOOD).events


def test_a_rotation_is_read_and_the_frame_size_turned_with_it() -> None:
    area = {k: v for k, v in AREA.items() if k not in ("width", "height")}
    truth = GroundTruth.from_json(GOOD | {"rotation": 270, "area": area}, (240, 320))
    assert truth.rotation == 270
    assert (truth.area.width, truth.area.height) == (320, 240)  # the video turned upright
    assert GroundTruth.from_json(GOOD).rotation == 0


def test_keys_that_look_misspelt_are_reported() -> None:
    """A misspelt key is named with the one it is close to; a key of the file's own that is
    like none of the format's (the shared tram files' `confidence`) is not."""
    raw = GOOD | {"in_directon": "down", "ambiguous": [], "confidence": "medium", "totls": {}}
    assert GroundTruth.from_json(raw).unknown == (
        "in_directon (did you mean in_direction?)",
        "totls (did you mean totals?)",
    )
    assert GroundTruth.from_json(GOOD).unknown == ()


def test_the_unsure_stretches_are_read_in_every_form_and_the_unreadable_left_out() -> None:
    """`ambiguous` entries by frames ("a-b", one frame, a pair), by a player's time (at the
    file's fps), with or without a note; one in a form of its own does not make the file
    unreadable (it only annotates the comparison)."""
    listed = [
        {"frames": "0-8", "note": " already past the line "},
        {"frame": 33},
        {"frames": [40, 42], "note": "a pair"},
        {"time": "0:02-0:02.4", "note": "by time"},
        {"frames": "after the pair"},
        "a loose sentence",
    ]
    truth = GroundTruth.from_json(GOOD | {"ambiguous": listed})
    assert [(u.first, u.last, u.note) for u in truth.unsure] == [
        (0, 8, "already past the line"),
        (33, 33, ""),
        (40, 42, "a pair"),
        (30, 36, "by time"),
    ]
    assert truth.unsure_at(10, 2) == truth.unsure[0] and truth.unsure_at(11, 2) is None
    assert GroundTruth.from_json(GOOD | {"ambiguous": "none"}).unsure == ()
    assert GroundTruth.from_json(GOOD).unsure == ()


def test_a_line_y_without_an_area_counts_a_band_across_the_picture() -> None:
    raw = {k: v for k, v in GOOD.items() if k != "area"}
    truth = GroundTruth.from_json(raw | {"line_y": 120, "width": 320, "height": 240})
    # 0.116 of the picture's width thick (as the shared clips' own areas are): 120 ± 19
    assert truth.area == Area(320, 240, 0, 320, 101, 139, 101, 139, 0)
    assert truth.rotation == 0
    with pytest.raises(BadRequest, match="line_y 240 is not inside the picture"):
        GroundTruth.from_json(raw | {"line_y": 240, "width": 320, "height": 240})
    with pytest.raises(BadRequest, match="it has no width"):
        GroundTruth.from_json(raw | {"line_y": 120})


def test_a_line_in_a_widescreen_picture_counts_a_band_as_thick_as_in_a_4_3_one() -> None:
    """A 1280x720 picture shows more floor either side than a 960x720 one, not wider people:
    its line's band is 0.116 of 960 px thick (111), not of 1280 (148); a vertical line in a
    portrait 720x1280 one alike."""
    raw = {k: v for k, v in GOOD.items() if k != "area"}
    wide = GroundTruth.from_json(raw | {"line_y": 360, "width": 1280, "height": 720})
    assert (wide.area.yfirst, wide.area.ylast) == (304, 416)
    across = GroundTruth.from_json(
        raw | {"line_x": 360, "width": 720, "height": 1280, "in_direction": "right"}
    )
    assert (across.area.yfirst, across.area.ylast) == (304, 416)


@pytest.mark.parametrize("raw", [[1, 2], "hello", None])
def test_a_file_that_is_not_an_object_says_so(raw: object) -> None:
    with pytest.raises(BadRequest, match="must hold one JSON object"):
        GroundTruth.from_json(raw)


def test_a_hand_count_of_totals_alone_has_no_event_figures() -> None:
    """Without events, precision 0 and recall 1 were reported for a perfect count."""
    totals_only = GroundTruth.from_json({k: v for k, v in GOOD.items() if k != "events"})
    assert not totals_only.events_known
    s = score(totals_only, [(10, "in"), (12, "in"), (40, "out")], fps=15.0)
    assert s.combined_accuracy == 1.0 and not s.events_known
    nobody = GroundTruth.from_json(GOOD | {"totals": {"in": 0, "out": 0}, "events": []})
    assert nobody.events_known and score(nobody, [], fps=15.0).precision == 1.0
    assert GroundTruth.from_json(GOOD).events_known
    assert GroundTruth.from_json(GOOD | {"frames": 947, "fps": None}).frames == 947


@pytest.mark.parametrize(
    ("counted", "true", "expected"),
    [(7, 7, 1.0), (6, 7, 1 - 1 / 7), (9, 7, 1 - 2 / 7), (0, 0, 1.0), (1, 0, 0.0), (30, 7, 0.0)],
)
def test_direction_accuracy(counted: int, true: int, expected: float) -> None:
    assert direction_accuracy(counted, true) == pytest.approx(expected)


def test_combined_accuracy() -> None:
    assert combined_accuracy(7, 7, 7, 7) == 1.0
    assert combined_accuracy(22, 1, 23, 0) == pytest.approx(1 - 2 / 23)
    assert combined_accuracy(0, 0, 0, 0) == 1.0


@pytest.mark.parametrize(
    ("tolerance", "counted", "within"),
    [
        (None, [(10, "in"), (12, "in"), (40, "out")], True),  # exact: within no tolerance
        (None, [(10, "in"), (40, "out")], False),
        ({"in": 1}, [(10, "in"), (40, "out")], True),  # out's tolerance is 0 when not given
        ({"in": 1}, [(10, "in"), (11, "in"), (12, "in"), (13, "in"), (40, "out")], False),
        ({"in": 1}, [(10, "in"), (12, "in")], False),
        ({"in": 0, "out": 1}, [(10, "in"), (12, "in")], True),
    ],
)
def test_the_hand_counts_tolerance_says_whether_a_count_is_within_it(
    tolerance: dict[str, int] | None, counted: list[tuple[int, str]], within: bool
) -> None:
    truth = GroundTruth.from_json(GOOD | ({"tolerance": tolerance} if tolerance else {}))
    s = score(truth, counted, fps=15.0)  # type: ignore[arg-type]
    assert s.within_tolerance is within
    assert (s.tolerance_in, s.tolerance_out) == (
        (tolerance or {}).get("in", 0),
        (tolerance or {}).get("out", 0),
    )


def test_events_match_one_to_one_within_a_second() -> None:
    truth = [TrueEvent(100, "in"), TrueEvent(110, "in"), TrueEvent(300, "out")]
    # two counted near the first two events, one outside the window, one of the wrong direction
    counted = [(104, "in"), (106, "in"), (200, "in"), (300, "in")]
    assert match_events(counted, truth, fps=15.0) == 2  # type: ignore[arg-type]
    # one counted passage cannot match two true events
    assert match_events([(105, "in")], truth, fps=15.0) == 1


def test_event_pairs_say_what_matched_what_was_missed_and_what_is_extra() -> None:
    truth = [TrueEvent(100, "in"), TrueEvent(110, "in"), TrueEvent(300, "out")]
    counted = [(104, "in"), (200, "in"), (290, "out"), (301, "in")]
    pairs = pair_events(counted, truth, fps=15.0)  # type: ignore[arg-type]
    assert pairs == [
        EventPair("in", 100, 104),
        EventPair("in", 110, None),  # the only passage near it went to the closer event
        EventPair("in", None, 200),  # 90 frames from any true in: extra
        EventPair("out", 300, 290),
        EventPair("in", None, 301),  # near the true out, but the other way
    ]
    truth_gt = GroundTruth.from_json(
        {
            "area": AREA,
            "in_direction": "up",
            "totals": {"in": 2, "out": 1},
            "events": [{"frame": e.frame, "direction": e.direction} for e in truth],
        }
    )
    s = score(truth_gt, counted, 15.0)  # type: ignore[arg-type]
    assert s.pairs == tuple(pairs) and s.matched == 2


@pytest.mark.parametrize(
    ("area", "read"),
    [
        # Written by hand: no radius (straight), the guide lines alone, or the edges alone.
        ({"left": 0, "right": 320, "top": 100, "bottom": 140}, (100, 140, 100, 140, 0)),
        ({"left": 0, "right": 320, "yfirst": 90, "ylast": 150}, (90, 150, 90, 150, 0)),
        (
            {
                "left": 0,
                "right": 320,
                "top": 80,
                "bottom": 160,
                "yfirst": 90,
                "ylast": 150,
                "radius": 30,
            },
            (80, 160, 90, 150, 30),
        ),
    ],
)
def test_an_area_written_by_hand_may_leave_out_the_radius_and_one_pair_of_lines(
    area: dict[str, int], read: tuple[int, ...]
) -> None:
    truth = GroundTruth.from_json(GOOD | {"area": area}, (320, 240))
    a = truth.area
    assert (a.top, a.bottom, a.yfirst, a.ylast, a.radius) == read
    assert (a.width, a.height, a.left, a.right) == (320, 240, 0, 320)


def test_an_area_with_neither_pair_of_lines_names_what_is_missing() -> None:
    with pytest.raises(BadRequest, match=r"it has no area\.top"):
        GroundTruth.from_json(GOOD | {"area": {"left": 0, "right": 320}}, (320, 240))

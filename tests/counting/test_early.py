"""EarlyHold: the pieces of one person, counted while the size was a guess, become one passage."""

from __future__ import annotations

from footfall.counting.early import EarlyHold


def test_pieces_of_one_person_become_one_passage_and_neighbours_stay() -> None:
    hold: EarlyHold[str] = EarlyHold()
    hold.add("a", "in", frame=100, x=50.0)
    hold.add("a2", "in", frame=101, x=80.0)  # 30 px away: under 0.8 of a 60 px person
    hold.add("b", "in", frame=101, x=120.0)  # 70 px from a: someone beside them
    hold.add("c", "out", frame=101, x=55.0)  # the other way: someone else
    hold.add("d", "in", frame=120, x=52.0)  # later than the window: the next person
    hold.add("m", "in", frame=100, x=None)  # counted from motion: no position, kept
    assert hold.release(width_px=60.0, within_frames=5) == ["a", "b", "c", "d", "m"]
    assert not hold.open


def test_the_size_at_release_decides() -> None:
    """With the small guess two pieces 30 px apart look like two people; at the learnt 100 px
    they are one."""
    for width, expected in ((30.0, ["a", "b"]), (100.0, ["a"])):
        hold: EarlyHold[str] = EarlyHold()
        hold.add("a", "in", frame=10, x=100.0)
        hold.add("b", "in", frame=12, x=130.0)
        assert hold.release(width_px=width, within_frames=5) == expected


def test_an_empty_hold_releases_nothing() -> None:
    hold: EarlyHold[int] = EarlyHold()
    assert hold.release(width_px=50.0, within_frames=3) == []


def test_passages_from_motion_are_kept_in_the_share_given() -> None:
    """Counted in people of a width far smaller than the one learnt, four passages from motion
    are a quarter as many people: one is kept (the first); the tracked ones are kept as ever."""
    hold: EarlyHold[str] = EarlyHold()
    for i, name in enumerate(["m1", "m2", "m3", "m4"]):
        hold.add(name, "in", frame=i, x=None)
    hold.add("t", "in", frame=9, x=50.0)
    hold.add("o", "out", frame=9, x=None)
    assert hold.release(width_px=60.0, within_frames=5, motion_share=0.25) == ["m1", "t"]
    again: EarlyHold[str] = EarlyHold()
    again.add("m1", "in", frame=0, x=None)
    again.add("m2", "in", frame=1, x=None)
    assert again.release(width_px=60.0, within_frames=5) == ["m1", "m2"]  # share 1: all


def test_a_piece_still_in_flight_after_a_rescaled_release_is_dropped() -> None:
    """Told a height far too high, the guess cut each person into pieces; the tracks of some
    are still short of the far edge when the size is learnt. After a release that rescaled the
    motion, a passage the same way, just after a kept one and where it crossed, is a piece; one
    beside it, later, or the other way is someone else. After a release at a fair guess (share
    1) nothing is dropped: a late passage there is someone beside."""
    hold: EarlyHold[str] = EarlyHold()
    hold.add("a", "in", frame=170, x=44.0)
    assert hold.release(width_px=120.0, within_frames=8, motion_share=0.05) == ["a"]
    assert hold.late_piece("in", 178, 45.0)
    assert not hold.late_piece("in", 179, 45.0)  # past the window: the next person
    assert not hold.late_piece("in", 175, 150.0)  # beside: someone else
    assert not hold.late_piece("out", 175, 45.0)
    assert not hold.late_piece("in", 175, None)  # from motion: no position
    fair: EarlyHold[str] = EarlyHold()
    fair.add("a", "in", frame=170, x=44.0)
    assert fair.release(width_px=120.0, within_frames=8) == ["a"]
    assert not fair.late_piece("in", 172, 60.0)


def test_nothing_is_a_late_piece_while_the_hold_is_open() -> None:
    hold: EarlyHold[str] = EarlyHold()
    hold.add("a", "in", frame=1, x=10.0)
    assert not hold.late_piece("in", 2, 10.0)

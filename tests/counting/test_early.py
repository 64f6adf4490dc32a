"""EarlyHold: the pieces of one person, counted while the size was a guess, become one passage."""

from __future__ import annotations

from footfall.counting.early import EarlyHold


def test_pieces_of_one_person_become_one_passage_and_neighbours_stay() -> None:
    hold: EarlyHold[str] = EarlyHold()
    hold.add("a", "in", frame=100, x=50.0)
    hold.add("a2", "in", frame=101, x=80.0)  # 30 px away: under 0.6 of a 60 px person
    hold.add("b", "in", frame=101, x=120.0)  # 70 px from a: someone beside them
    hold.add("c", "out", frame=101, x=55.0)  # the other way: someone else
    hold.add("d", "in", frame=120, x=52.0)  # later than the window: the next person
    hold.add("m", "in", frame=100, x=None)  # counted from motion: no position, kept
    assert hold.release(width_px=60.0, within_frames=5) == ["a", "b", "c", "d", "m"]
    assert not hold.open


def test_the_size_at_release_decides() -> None:
    """With the small guess two pieces 30 px apart look like two people; at the learnt 100 px
    they are one."""
    for width, expected in ((40.0, ["a", "b"]), (100.0, ["a"])):
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

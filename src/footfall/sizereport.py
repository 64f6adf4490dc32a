"""What a running counter tells of the person width it counts with: in its status (`fields`),
and in its log once people come out small, once the learnt width is held, and once its count
rests on the motion of a crowd counted in units of that width (`rests_on_motion`).

    >>> report = SizeReport()
    >>> report.read(analyzer, frame_width, params.Counter)   # doctest: +SKIP
    >>> report.fields()["told_height_cm"]                     # doctest: +SKIP
"""

from __future__ import annotations

import logging
from typing import Any

from footfall.config import CounterParams
from footfall.vision.person import (
    SMALL_PERSON_SHARE,
    people_small,
    person_share,
    person_width_px,
    told_height_cm,
)

log = logging.getLogger(__name__)

DENSE_SHARE = 1 / 3  # this share of the passages or more counted from motion: a word on it
DENSE_TOLD_AFTER = 10  # ... said in a running counter's log once it has counted this many


def rests_on_motion(from_motion: int, passages: int) -> bool:
    """Whether a count of `passages` rests on the motion of a crowd no track could follow:
    `from_motion` of them (two or more, and DENSE_SHARE of them or more) were counted from the
    motion across the line in units of the learnt person width, and move by about 2 % for each
    1 % of that width.

        >>> rests_on_motion(10, 24), rests_on_motion(1, 2), rests_on_motion(0, 14)
        (True, False, False)
    """
    return from_motion >= max(2, DENSE_SHARE * passages)


def motion_sentence(from_motion: int, passages: int, width_px: float | None) -> str:
    """What a count that rests on a crowd's motion (`rests_on_motion`) is to be told with: how
    much of it, in people how wide, what that hangs on and what to check.

        >>> motion_sentence(10, 24, 32.6)[:60]
        '10 of the 24 passages were counted from the motion of a crow'
    """
    wide = "" if width_px is None else f" {width_px:.0f} px wide"
    return (
        f"{from_motion} of the {passages} passages were counted from the motion of a crowd no"
        f" track could follow, in people{wide}: those move by about 2 % for each 1 % of that"
        " width; check the count once against a hand count of this door (footfall eval"
        " RECORDING TRUTH.json --fit finds the Counter.Height it counts right with; where"
        " people never crowd, Counter.Crowds = 0 counts only the people followed one by one)"
    )


class SizeReport:
    """The person width of the last counted frame, published once the frame is done (read
    mid-frame, the analyzer's may still be the mounting-height guess), and what it tells."""

    def __init__(self) -> None:
        self._counted_px: float | None = None  # the width the last frame was counted with
        self._size_learnt: bool | None = None  # ... and whether that width was learnt yet
        self._size_held: bool | None = None  # ... and whether it is held (its samples all in)
        self._height_px: float | None = None  # ... and the width Counter.Height gives
        self._told_cm: int | None = None  # ... and the Counter.Height that gives the learnt one
        self._analysed_w: float | None = None  # ... and the part of the frame analysed at 160 px
        self._small_told = False  # whether the log has said the people are small (once a run)
        self._passages = 0  # passages stored since the start
        self._from_motion = 0  # ... of which counted from motion no track followed
        self._dense_told = False  # whether the log has said the count rests on motion

    def read(self, analyzer: object, frame_w: int, counter: CounterParams) -> None:
        """Read the width off the analyzer after a frame `frame_w` px wide was counted with
        these `Counter` params; log what is to be told."""
        width = getattr(analyzer, "person_px", None)
        self._counted_px = float(width) if isinstance(width, float | int) else None
        self._size_learnt = bool(getattr(analyzer, "size_learnt", True))
        analysed = getattr(analyzer, "analysed_width", 0.0)
        self._analysed_w = float(analysed) if analysed else float(frame_w)
        self._tell_if_small(analyzer)
        c = counter
        self._height_px = round(person_width_px(frame_w, c.Height, c.FieldOfView, c.PersonWidth), 1)
        learns = bool(getattr(analyzer, "learns_size", True))  # not a network's own boxes
        self._told_cm = (
            told_height_cm(frame_w, self._counted_px, c.FieldOfView, c.PersonWidth)
            if learns and self._size_learnt and self._counted_px is not None
            else None
        )
        self._tell_if_held(bool(getattr(analyzer, "size_held", False)))

    def stored(self, from_motion: int, passages: int) -> None:
        """`passages` more were stored, `from_motion` of them counted from the motion of a
        crowd (no track); log once a run when the count comes to rest on that motion."""
        self._passages += passages
        self._from_motion += from_motion
        if self._dense_told or self._passages < DENSE_TOLD_AFTER:
            return
        if rests_on_motion(self._from_motion, self._passages):
            self._dense_told = True
            told = motion_sentence(self._from_motion, self._passages, self._counted_px)
            log.warning("%s", told)

    def fields(self) -> dict[str, Any]:
        """The status fields of the person width, as plain JSON values."""
        return {
            # the person width counting uses now (frame px; None before the first frame)
            "person_px": None if self._counted_px is None else round(self._counted_px, 1),
            # that width over the frame's: a learnt one under SMALL_PERSON_SHARE (7.5 %) is a view
            # the size learner measures too small (docs/vision.md "Another scale"; logged once)
            "person_share": self._person_share(),
            # whether that width is learnt from the footage (False: the mounting-height guess,
            # until the first people are seen, or after a queue arrived at once in an empty
            # doorway; the passages of that time wait for it); None before the first frame
            "size_learnt": self._size_learnt,
            # whether that learnt width is held: learnt over the first 600 frames with people
            # near the area, it no longer follows the light or the crowd (learnt again for a new
            # scene, a new Counter.Height, FieldOfView or PersonWidth, or AutoSize 0 then 1)
            "size_held": self._size_held,
            # the width Counter.Height, FieldOfView and PersonWidth give for that frame: far from
            # person_px, either the mounting height is wrong or the learnt width is (a doorway
            # crowded from the start on a clean floor teaches one too wide; docs/vision.md)
            "height_px": self._height_px,
            # the Counter.Height (at this FieldOfView and PersonWidth) that gives person_px once
            # it is learnt: set with Counter.AutoSize 0, a counter counts with that width from
            # its first frame, whatever the light or the crowd then (None until it is learnt,
            # where no height Counter.Height takes gives it, or for a person-detection network,
            # whose boxes are each person's own)
            "told_height_cm": self._told_cm,
            # the passages stored since the start that were counted from the motion across the
            # line no track claimed (a crowd the tracker could not follow one by one), in units
            # of person_px; and whether the count rests on them (a third of the passages or more)
            "from_motion": self._from_motion,
            "rests_on_motion": rests_on_motion(self._from_motion, self._passages),
        }

    def _person_share(self) -> float | None:
        """The person width over the counted frame's width (None before the first frame)."""
        if self._counted_px is None or not self._analysed_w:
            return None
        return round(person_share(self._counted_px, self._analysed_w), 4)

    def _tell_if_small(self, analyzer: object) -> None:
        """Log once a run that the learnt person width is under SMALL_PERSON_SHARE."""
        width, analysed_w = self._counted_px, self._analysed_w
        if self._small_told or not self._size_learnt or width is None or analysed_w is None:
            return
        # the analyzer's word when it has one (not while it is still choosing a finer analysis)
        small = getattr(analyzer, "people_small", None)
        if small if isinstance(small, bool) else people_small(width, analysed_w):
            self._small_told = True
            log.warning(
                "people are learnt %.1f %% of the picture's width: under %.1f %% the learnt width"
                " comes out small and a crowded doorway is over-counted (docs/vision.md,"
                " 'Another scale'); frame the doorway closer or set Counter.Height with"
                " Counter.AutoSize 0",
                100 * person_share(width, analysed_w),
                100 * SMALL_PERSON_SHARE,
            )

    def _tell_if_held(self, held: bool) -> None:
        """Log when the learnt person width comes to be held (again after it was learnt afresh)."""
        if held and not self._size_held and self._counted_px is not None:
            told = (
                f"; Counter.Height={self._told_cm} with Counter.AutoSize=0 counts with it from"
                " the first frame"
                if self._told_cm is not None
                else ""
            )
            log.info(
                "the person width is learnt and held from now on: %.1f px (Counter.AutoSize 0"
                " then 1 learns it again%s)",
                self._counted_px,
                told,
            )
        self._size_held = held

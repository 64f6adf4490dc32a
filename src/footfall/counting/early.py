"""Passages of the first seconds, held until the person size is known. Pure.

Until the detector has learnt how wide a person looks, it splits blobs by the mounting-height
guess; when that guess is too small, one person is cut in two or three, each piece is tracked
across the area and counted (the bus at 10 fps: three `in` for its first two people).
`EarlyHold` keeps the passages of that time back, with where each crossed, and when the size is
learnt lets through one passage for pieces that crossed the same way at nearly the same time
closer together than a person is wide.

    >>> hold = EarlyHold()
    >>> hold.add("a", "in", frame=10, x=100.0)
    >>> hold.add("b", "in", frame=11, x=120.0)     # 20 px from a: a piece of the same person
    >>> hold.add("c", "in", frame=11, x=190.0)     # beside them: someone else
    >>> hold.release(width_px=60.0, within_frames=5)
    ['a', 'c']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from footfall.store.base import Direction

P = TypeVar("P")
# Pieces crossing closer than this (in person widths) are one person: a blob split by a wrong
# size gives centres 0.6-0.75 of a width apart, a pair side by side is a width apart or more. The
# width they are judged at is the one just learnt, which can be under the person's (the bus
# counted from its 14th second learns its broad first passenger 101 px wide from 20 samples of
# him, the whole clip 124, and his pieces crossed 75 px apart): at 0.6 both counted (6 in for 5).
# At 0.8 the clips, bench_robustness, the synthetic scenes and the bus on 25 areas across its
# door count as at 0.6; bench_starts' bus 0.950 -> 0.971.
SAME_PERSON_WIDTHS = 0.8


@dataclass(frozen=True, slots=True)
class _Held(Generic[P]):
    passage: P
    direction: Direction
    frame: int
    x: float | None  # None: counted from motion, not from a track


class EarlyHold(Generic[P]):
    """Passages held while the person size is not yet learnt."""

    def __init__(self) -> None:
        self.open = True
        self._held: list[_Held[P]] = []
        self._kept: list[_Held[P]] = []  # the tracked ones let through, once released
        self._width, self._within = 0.0, 0

    def add(self, passage: P, direction: Direction, frame: int, x: float | None) -> None:
        """Hold a passage that crossed at `frame`, at `x` along the line (None: from motion)."""
        self._held.append(_Held(passage, direction, frame, x))

    def release(self, width_px: float, within_frames: int, motion_share: float = 1.0) -> list[P]:
        """Close the hold: the held passages in order, less the tracked ones that crossed the
        same way within `within_frames` of a kept one and nearer to it than SAME_PERSON_WIDTHS
        of `width_px`, and of those counted from motion alone each way, `motion_share` of them
        (rounded; the first ones): counted in people of a width far smaller than the one learnt,
        they are that share as many people."""
        self.open = False
        kept: list[_Held[P]] = []
        from_motion = {
            d: sum(h.x is None and h.direction == d for h in self._held) for d in ("in", "out")
        }
        allowed = {d: round(n * motion_share) for d, n in from_motion.items()}
        for h in self._held:
            if h.x is None:
                if allowed[h.direction] <= 0:
                    continue
                allowed[h.direction] -= 1
            if self._piece_of(kept, h.direction, h.frame, h.x, width_px, within_frames):
                continue
            kept.append(h)
        self._held = []
        # Pieces are still in flight only where the guess was far too small (the motion was
        # rescaled, `motion_share` < 1): else a late one is someone beside (side by side).
        self._kept = [k for k in kept if k.x is not None] if motion_share < 1.0 else []
        self._width, self._within = width_px, within_frames
        return [k.passage for k in kept]

    def late_piece(self, direction: Direction, frame: int, x: float | None) -> bool:
        """After a release that rescaled the motion (a guess far too small): whether a tracked
        passage is a piece of a person let through, crossing just after (within the release's
        `within_frames`, nearer than SAME_PERSON_WIDTHS of its width): the tracks of pieces
        split by the guess are still in flight when the size is learnt. Told 450 cm for the bus
        (200 cm up), a piece of its first person crossed 8 frames after it, 4 after the release,
        1 px from it, and counted one more `in`."""
        if self.open:
            return False
        return self._piece_of(self._kept, direction, frame, x, self._width, self._within)

    @staticmethod
    def _piece_of(
        kept: list[_Held[P]],
        direction: Direction,
        frame: int,
        x: float | None,
        width_px: float,
        within_frames: int,
    ) -> bool:
        """Whether a tracked passage (`x` not None) crossed the way of one of `kept`, within
        `within_frames` of it and nearer than SAME_PERSON_WIDTHS of `width_px`."""
        return x is not None and any(
            k.x is not None
            and k.direction == direction
            and abs(k.frame - frame) <= within_frames
            and abs(k.x - x) < SAME_PERSON_WIDTHS * width_px
            for k in kept
        )

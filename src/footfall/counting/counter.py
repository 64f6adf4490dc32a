"""Tracks become passages: one per full traversal of the counting area (SPEC §5).

Each track remembers the outer side of the area (above the upper edge or below the lower one,
inside the x span) where it was last seen. When it is next seen beyond the *other* edge, inside
the span, it has crossed the whole area: one passage, and the new side becomes its origin, so a
person who walks in and later out again counts twice, while lingering, U-turns and jitter on an
edge count nothing.

A person who stands still in the area fades into the background and their track ends; when a new
track is born within `handoff_px` of where an ended track was last seen, within `handoff_frames`,
it takes over that track's origin side (once; only tracks that ended inside the area hand over),
so standing and then walking on still counts.

    >>> c = Counter(Area(yfirst=90, ylast=150), "up")
    >>> c.update([1], [160.0], [200.0], 0)
    []
    >>> [p.direction for p in c.update([1], [160.0], [60.0], 1)]
    ['in']
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from footfall.counting.area import ABOVE, BELOW, INSIDE, Area, InDirection, direction_of
from footfall.store.base import Direction

REMAINDER_MIN_PEOPLE = 0.7  # at the end of a stream, this much of one person's motion counts as one
TRACE_FRAMES = 512  # frames of each way's balance kept to date what the remainder counts


@dataclass(frozen=True, slots=True)
class Crossing:
    """A full traversal by one track: which way, and the frame its centre crossed the middle
    of the area (the moment a person is seen to pass, not the later one the track left it)."""

    track_id: int
    direction: Direction
    frame: int


class Counter:
    """Turns track positions, frame by frame, into crossings of one area."""

    def __init__(self, area: Area, in_direction: InDirection) -> None:
        self._area = area
        self._in = in_direction
        self._origin: dict[int, int] = {}  # track id -> last outer side seen (ABOVE / BELOW)
        self._last: dict[int, tuple[float, float, int]] = {}  # track id -> last x, y, frame
        self._lost: list[tuple[int, float, float, int]] = []  # origin, x, y, frame of ended tracks
        self._refused: dict[int, int] = {}  # track id -> the side its refused crossing reached
        self._half: dict[int, tuple[bool, int]] = {}  # track id -> upper half?, since which frame
        self.handoff_px = 0.0
        self.handoff_frames = 0
        self.min_band_px = 0.0  # an area thinner than this counts as this thick (see `_margin`)

    @property
    def area(self) -> Area:
        """The area counted on."""
        return self._area

    @property
    def in_direction(self) -> InDirection:
        """Which way counts as in."""
        return self._in

    def reconfigure(self, area: Area, in_direction: InDirection) -> None:
        """Change area or in direction; tracks start afresh so no half-seen crossing counts."""
        if (area, in_direction) != (self._area, self._in):
            self._area, self._in = area, in_direction
            self._origin.clear()
            self._refused.clear()
            self._half.clear()
            self._lost.clear()

    def update(
        self,
        track_ids: Sequence[int],
        xs: Sequence[float],
        ys: Sequence[float],
        frame: int,
    ) -> list[Crossing]:
        """Feed the positions of the live tracks at `frame`; returns the crossings completed."""
        self._lost = [lost for lost in self._lost if frame - lost[3] <= self.handoff_frames]
        if not track_ids:
            return []
        a = self._area
        across = a.equivalent_y(xs, ys, self._in)  # where each track lies across the area
        sides = a.sides_at(across, self._margin())
        span = a.in_span(xs)
        upper = (across < (a.yfirst + a.ylast) / 2).tolist()
        crossings: list[Crossing] = []
        for tid, x, y, side, inside_span, up in zip(
            track_ids, xs, ys, sides.tolist(), span.tolist(), upper, strict=True
        ):
            if tid not in self._last:
                self._take_over(tid, x, y)
            self._last[tid] = (x, y, frame)
            if self._half.get(tid, (None, 0))[0] != up:
                self._half[tid] = (up, frame)
            refused = self._refused.get(tid)
            if side == INSIDE and refused is not None and inside_span:
                # From the side its refused crossing reached, back into the area: the track
                # jumped onto someone there (the next of a queue), who may cross in turn.
                self._origin[tid] = refused
                self._refused.pop(tid)
            if side == INSIDE or not inside_span or refused == side:
                continue
            self._refused.pop(tid, None)
            origin = self._origin.get(tid)
            if origin is not None and origin != side:
                way = direction_of(origin, side, self._in)
                crossings.append(Crossing(tid, way, self._half[tid][1]))
            self._origin[tid] = side
        return crossings

    def _margin(self) -> float:
        """How far beyond an edge a track must be to be beyond it: an area thinner than
        `min_band_px` is widened to that about its middle, so a track's jitter does not carry it
        across and back (with the size learnt around such a band too, `MIN_BAND_GUESS` in
        vision/person.py: the bus on 10 / 20 px bands 19/20, 11/11 → 7/10, 7/8 for 7/7)."""
        return (self.band_px - (self._area.ylast - self._area.yfirst)) / 2

    @property
    def band_px(self) -> float:
        """How thick the area counts as (px): its own thickness, or `min_band_px` if thinner."""
        return max(self._area.ylast - self._area.yfirst, self.min_band_px)

    @property
    def busy(self) -> bool:
        """Whether a track could still complete a crossing from motion already measured: one is
        in the area, or one that stood there may yet be taken over."""
        return bool(self._lost) or bool(self._in_area())

    def _in_area(self) -> list[int]:
        """The tracks last seen in the area (between its edges)."""
        if not self._last:
            return []
        xs, ys, _ = zip(*self._last.values(), strict=True)
        inside = (self._area.sides(xs, ys, self._in, self._margin()) == INSIDE).tolist()
        return [tid for tid, there in zip(self._last, inside, strict=True) if there]

    def owed(self) -> dict[int, int]:
        """Per side (ABOVE / BELOW), the live tracks in the area past its middle towards that
        side, come from the other one: the motion of their bodies across the middle line is
        measured already, their crossing is counted only when they reach the far edge."""
        owed = {ABOVE: 0, BELOW: 0}
        for tid in self._in_area():
            origin = self._origin.get(tid)
            half = self._half.get(tid)
            if origin is not None and half is not None and half[0] == (origin == BELOW):
                owed[ABOVE if origin == BELOW else BELOW] += 1
        return owed

    def undo(self, crossings: Sequence[Crossing]) -> None:
        """These crossings were refused (no motion backed them): each track is back on the side
        it came from, and its side beyond the other edge stays refused until it leaves it, so a
        track that jumped across the area and back counts nothing either way, and one that stays
        there is not offered again at every frame (until flow noise would let it through). One that
        goes from that side into the area has jumped onto someone there (the next of a queue,
        right behind the person it counted): it comes from that side now, and their crossing
        counts (the bus seen 1.2 times closer lost its second person so, at the least change of
        the flow image)."""
        for c in crossings:
            side = self._origin.get(c.track_id)
            if side is not None:
                self._origin[c.track_id] = ABOVE if side == BELOW else BELOW
                self._refused[c.track_id] = side

    def _take_over(self, tid: int, x: float, y: float) -> None:
        """A new track close to where a track with an origin ended inherits that origin."""
        best, best_d = -1, self.handoff_px
        for i, (_, lx, ly, _) in enumerate(self._lost):
            d = ((lx - x) ** 2 + (ly - y) ** 2) ** 0.5
            if d <= best_d:
                best, best_d = i, d
        if best >= 0:
            self._origin[tid] = self._lost.pop(best)[0]

    def end_stream(self) -> None:
        """The stream ended (a file's end, a stalled camera): no track of it is handed over to
        one of the next stream, however near and however few frames later it appears."""
        self._lost.clear()

    def forget(self, track_ids: Sequence[int]) -> None:
        """Drop the state of tracks that ended (their origin stays open for a hand-off)."""
        for tid in track_ids:
            origin = self._origin.pop(tid, None)
            last = self._last.pop(tid, None)
            self._refused.pop(tid, None)
            self._half.pop(tid, None)
            if origin is None or last is None or self.handoff_frames <= 0:
                continue
            if self._area.side(last[0], last[1], self._in) == INSIDE:  # it stood in the area
                self._lost.append((origin, *last))


def trailing_share(band_px: float, length_px: float) -> float:
    """The share of a person's swept area still behind the middle line of an area `band_px`
    thick when their centre reaches its far edge (where a track is counted), the person seen
    as an ellipse `length_px` long the way they walk: the segment of it beyond half the band
    from its centre. 0 for a person no longer than the band is thick.

    The bus's people, 125 px across over a 40 px band, leave 0.3 of their area to cross after
    their track is counted; where the flow swept them wider than one person's area (grain, a
    light that beats, seen from higher up) that remainder was counted as another passage.

        >>> round(trailing_share(40.0, 125.0), 2), trailing_share(40.0, 33.0)
        (0.3, 0.0)
    """
    u = min(1.0, band_px / max(length_px, 1e-9))
    return (math.acos(u) - u * math.sqrt(1.0 - u * u)) / math.pi


class FluxLedger:
    """Checks tracked crossings against the motion across the area, and counts what tracks miss.

    Each frame the optical flow through the middle line of the area adds the area swept upwards
    and downwards (px², `add`). A person crossing sweeps about one `unit` (a person's area). A
    tracked crossing is refused when less than `veto` x unit moved its way over the last
    `recent` flow measurements: nothing really moved that way, a track jumped between people.
    A kept one spends one unit of its way's balance, which may go below zero (the flow missed
    part of a fast step); that debt is paid before motion counts anyone the tracks missed. When a
    way's balance exceeds (1 + `slack`) units, people crossed that the tracker lost (a dense
    queue merges into one moving mass): one untracked crossing per unit is counted, at the frame
    the balance rose past (0.5 + `slack`) units, when half of that person had crossed. A track
    is counted at the far edge of the area, and a person much longer than the area is thick has
    part of their body still behind the middle line then (`trailing_share`): the motion of that
    part, in the next `tail_frames`, is theirs and counts no one else. A tracked crossing that
    would take its way's balance below `debt` units owed waits (a piece of someone already
    counted, or a person the flow has not caught yet) until the motion pays for it, and is then
    dated when half of that motion had crossed; one still waiting after `wait_frames`, at a lull
    or at the end of a stream counts as it was. Counts are those of spending at once; only the
    dates move.

        >>> ledger = FluxLedger("up")
        >>> ledger.add(up_px2=300.0, down_px2=0.0)
        >>> [c.direction for c in ledger.settle([], unit_px2=100.0, frame=7)]
        ['in']
    """

    def __init__(
        self,
        in_direction: InDirection,
        veto: float = 0.3,
        slack: float = 1.5,
        leak: float = 0.999,
        recent: int = 25,
        debt: float = math.inf,
    ) -> None:
        self._in = in_direction
        self.veto, self.slack, self.leak, self.recent = veto, slack, leak, recent
        self.debt = debt
        self.wait_frames = 250  # a crossing waits for motion to pay for it at most this long
        self._waiting = self._no_waiting()  # (crossing, frame it came, unit) waiting, each way
        self.deferred: list[Crossing] = []  # the crossings of the last `settle` that wait
        self.dropped: list[Crossing] = []  # ... and the pieces it spent for
        self._released: list[Crossing] = []  # waiting when the area changed: counted next
        self.quiet_frames = 0  # the balance leaks only after this many frames without motion
        self._balance = {ABOVE: 0.0, BELOW: 0.0}  # keyed by the side people move towards
        self._quiet = {ABOVE: 0, BELOW: 0}  # frames since motion last arrived that way
        self._moved = self._empty_recent()  # the motion of the last `recent` frames, each way
        self._half = {ABOVE: -1, BELOW: -1}  # frame the balance rose past slack + 0.5 (-1: not)
        self._trace = self._empty_trace()  # (frame, balance) of recent frames, each way
        self.refused = 0
        self.untracked = 0
        # Whether motion no track claimed counts people (`Counter.Crowds`); off, the motion
        # only backs tracked crossings (a door where people never crowd).
        self.count_untracked = True
        # ... and only where the tracks break: an untracked crossing counts when a track began
        # or ended at the area (`note_break`) within this many frames of its date (0: always);
        # one whose time for that has passed without a break is no one's, and does not wait.
        self.crowd_frames = 0
        self._breaks: deque[int] = deque(maxlen=TRACE_FRAMES)
        # The share of a tracked person's swept area still behind the middle line when the
        # track is counted (`trailing_share`; set by the caller), and for how many frames after
        # the crossing that trailing motion is taken as theirs, not someone else's.
        self.tail = 0.0
        self.tail_frames = 25
        self._tail = {ABOVE: 0.0, BELOW: 0.0}  # what is still to come of the last one, each way
        self._tail_at = {ABOVE: 0, BELOW: 0}  # the frame it was counted at

    def reconfigure(self, in_direction: InDirection) -> None:
        """New in direction or area: start with empty balances (the crossings waiting for
        motion count at the next `settle`, as they were: they happened)."""
        self._released += self._all_paid()
        self._in = in_direction
        self._balance = {ABOVE: 0.0, BELOW: 0.0}
        self._quiet = {ABOVE: 0, BELOW: 0}
        self._moved = self._empty_recent()
        self._half = {ABOVE: -1, BELOW: -1}
        self._trace = self._empty_trace()
        self._tail = {ABOVE: 0.0, BELOW: 0.0}

    def rescale(self, factor: float) -> None:
        """The person size changed: what the balances hold in people is `factor` as many."""
        for side in (ABOVE, BELOW):
            self._balance[side] *= factor
            self._tail[side] *= factor
            moved, trace = self._moved[side], self._trace[side]
            self._moved[side] = deque((m * factor for m in moved), maxlen=moved.maxlen)
            self._trace[side] = deque(((f, b * factor) for f, b in trace), maxlen=trace.maxlen)

    def _empty_recent(self) -> dict[int, deque[float]]:
        return {side: deque(maxlen=max(1, self.recent)) for side in (ABOVE, BELOW)}

    @staticmethod
    def _empty_trace() -> dict[int, deque[tuple[int, float]]]:
        return {side: deque(maxlen=TRACE_FRAMES) for side in (ABOVE, BELOW)}

    @staticmethod
    def _no_waiting() -> dict[int, deque[tuple[Crossing, int, float]]]:
        return {side: deque() for side in (ABOVE, BELOW)}

    def _way(self, side: int) -> Direction:
        """The passage direction of motion towards `side` (from the opposite one)."""
        return direction_of(BELOW if side == ABOVE else ABOVE, side, self._in)

    def add(self, up_px2: float, down_px2: float) -> None:
        """Area swept across the middle line in this frame, towards each side; what comes
        within `tail_frames` of a tracked crossing the same way, up to its `tail`, is that
        person's body still crossing: it does not add to the balance."""
        for side, amount in ((ABOVE, up_px2), (BELOW, down_px2)):
            absorbed = min(max(0.0, amount), self._tail[side])
            self._tail[side] -= absorbed
            self._balance[side] += amount - absorbed
            self._moved[side].append(max(0.0, amount))
            if amount > 0.0:
                self._quiet[side] = 0

    def settle(
        self,
        crossings: Sequence[Crossing],
        unit_px2: float,
        frame: int,
        pending: tuple[float, float] = (0.0, 0.0),
        owed: dict[int, int] | None = None,
        pieces: Collection[Crossing] = (),
    ) -> list[Crossing]:
        """The crossings to count at this frame: tracked ones backed by motion, plus untracked.

        `pending` (up, down) is motion measured but not yet added (an open window): it backs a
        tracked crossing but is not counted on its own. `owed` (`Counter.owed`): per side, the
        tracked people whose motion across the middle is in the balance but whose crossing
        comes later (they have yet to reach the far edge): that much is not counted untracked.
        `pieces`: crossings of these that are pieces of a person already counted (the caller's
        to know): backed, they spend their unit at once and count no one (`dropped`)."""
        unit_px2 = max(unit_px2, 1e-9)
        waiting = {ABOVE: pending[0], BELOW: pending[1]}
        towards = {self._way(side): side for side in (ABOVE, BELOW)}
        counted, self._released = self._released, []
        self.deferred, self.dropped = [], []
        for c in crossings:
            side = towards[c.direction]
            if sum(self._moved[side]) + waiting[side] < self.veto * unit_px2:
                self.refused += 1
                continue
            self._tail[side], self._tail_at[side] = self.tail * unit_px2, frame
            if c in pieces:
                self._balance[side] -= unit_px2
                self.dropped.append(c)
                continue
            if self._waiting[side] or self._balance[side] < (1.0 - self.debt) * unit_px2:
                self._waiting[side].append((c, frame, unit_px2))
                self.deferred.append(c)
                continue
            self._balance[side] -= unit_px2
            counted.append(c)
        for side in (ABOVE, BELOW):
            counted += self._paid(side, unit_px2, frame)
            if frame - self._tail_at[side] > self.tail_frames:
                self._tail[side] = 0.0
            spare = self.slack + (owed or {}).get(side, 0)
            half = (0.5 + self.slack) * unit_px2
            if self._balance[side] <= half:
                self._half[side] = -1
            elif self._half[side] < 0:
                self._half[side] = frame
            while self.count_untracked and self._balance[side] > (1.0 + spare) * unit_px2:
                dated = self._half[side]
                if not self._crowded(dated):
                    if frame - dated > self.crowd_frames:  # no break near it: no one's motion
                        self._balance[side] = (1.0 + spare) * unit_px2
                        self._half[side] = frame
                    break
                self._balance[side] -= unit_px2
                counted.append(Crossing(-1, self._way(side), dated))
                self.untracked += 1
                self._half[side] = frame if self._balance[side] > half else -1
            self._quiet[side] += 1
            if self._quiet[side] > self.quiet_frames:  # noise fades; a flowing queue keeps it
                self._balance[side] *= self.leak
            self._trace[side].append((frame, self._balance[side]))
        return counted

    def _paid(self, side: int, unit_px2: float, frame: int) -> list[Crossing]:
        """The waiting crossings towards `side` that the motion now pays for, each dated when
        half of its motion had crossed, and those that have waited `wait_frames`, as they were."""
        paid: list[Crossing] = []
        queue = self._waiting[side]
        while queue:
            c, came, _ = queue[0]
            if self._balance[side] >= (1.0 - self.debt) * unit_px2:
                half = self._rose_past(side, self._balance[side] - 0.5 * unit_px2, frame)
                c = replace(c, frame=max(c.frame, half))
            elif frame - came < self.wait_frames:
                break
            queue.popleft()
            self._balance[side] -= unit_px2
            paid.append(c)
        return paid

    def _all_paid(self) -> list[Crossing]:
        """Every waiting crossing, as it was (a lull, the end of a stream)."""
        paid: list[Crossing] = []
        for side in (ABOVE, BELOW):
            for c, _, unit in self._waiting[side]:
                self._balance[side] -= unit
                paid.append(c)
            self._waiting[side].clear()
        return paid

    def settle_quiet(self, frame: int) -> list[Crossing]:
        """Once nothing has moved either way for `quiet_frames` (and no track that could still
        claim it is in the area: the caller's to know), the motion no track claimed counts as
        at the end of a stream (`remainder`): a live stream's lull settles what a file's end
        would, instead of letting it fade."""
        if min(self._quiet.values()) <= max(1, self.quiet_frames):
            return []
        return self.remainder(frame)

    def remainder(self, frame: int) -> list[Crossing]:
        """End of stream: the motion no track claimed, net of the other way, rounded to whole
        people, counts (unclaimed motion both ways is someone who turned back, or rocking). Each
        is dated when half of its motion had crossed (the last one the frame the balance rose
        past its level less half a person, the one before a person earlier)."""
        counted = self._all_paid()
        both = max(0.0, min(self._balance[ABOVE], self._balance[BELOW]))
        for side in (ABOVE, BELOW):
            n = max(0, math.floor(self._balance[side] - both + 1.0 - REMAINDER_MIN_PEOPLE))
            n = n if self.count_untracked else 0
            for k in range(n, 0, -1):
                level = self._balance[side] - (k - 1) - 0.5
                dated = self._rose_past(side, level, frame)
                if self._crowded(dated):
                    counted.append(Crossing(-1, self._way(side), dated))
                    self.untracked += 1
            self._balance[side] = 0.0
        return counted

    def note_break(self, frame: int) -> None:
        """A track began or ended at the area at `frame` (`crowd_frames`; once a frame: which
        frames had one is what counts)."""
        self._breaks.append(frame)

    def _crowded(self, dated: int) -> bool:
        """Whether an untracked crossing dated `dated` counts: a track began or ended at the
        area within `crowd_frames` of it (always, with `crowd_frames` 0)."""
        if self.crowd_frames <= 0:
            return True
        return any(abs(b - dated) <= self.crowd_frames for b in self._breaks)

    def _rose_past(self, side: int, level: float, frame: int) -> int:
        """The frame the way's balance last rose to `level` or above (`frame` if unknown)."""
        when = frame
        for f, balance in reversed(self._trace[side]):
            if balance < level:
                return when
            when = f
        return when

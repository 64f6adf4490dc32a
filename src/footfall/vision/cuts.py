"""Frames whose picture does not go on from the one before (a cut: a recording edited together,
a recorder's card, black frames first, a camera switched to another input or turned), frames
with no picture where one was (blank: black, one colour, a "no video" card, a stream's glitch),
frames whose picture goes back after them (broken: a JPEG cut short, a flash, a band across it
lost on its way) and the frames of a stream that starts fading in (settling).

Across a cut nothing moved: the optical flow between the two pictures is made up, and a background
model of the picture before takes all of the new one for people. A stock clip of a plaza that ends
on a black card with a logo counted three passages at its last frame (the flow of the cut, 3.3
people across the line); tram 02 after three black frames counted 12 for 23 (the background model
started on black, the size learnt from a doorway that was all foreground), tram 03 9 for ~19, tram
04 0/24 for ~0/28. So `PictureWatch` looks at each frame analysed, shrunk to a thumbnail: a
**blank** one (nearly all of it within a few grey levels of one level, far from the last picture's,
and not correlated with it) is skipped, as if it never came; a picture that does not go on from the
last one (their correlation is low and most of the thumbnail changed) is a **cut**: the stream
before it ends there as at a file's end, and the background model starts again from it; if, a while
later, the view is not the one left at the cut, the count goes on from a fresh analysis started at
the cut (`Analyzer`). People walking change a part of the picture, however fast they go: on the
shared clips and the public ones we measured, even one frame a second of them, at most 0.45 of the
thumbnail changed from one frame to the next, and the correlation never fell under 0.23 (the bus at
5 fps, 0.33 of it changed: a black floor, its people most of what varies); a light that is switched
on or an exposure that steps changes the levels, not the correlation.

    >>> watch = PictureWatch()
    >>> watch.see(np.zeros((240, 320, 3), np.uint8))  # a stream's first frame: never blank
    'picture'
"""

from __future__ import annotations

from typing import Literal

import cv2
import numpy as np
import numpy.typing as npt

Seen = Literal["picture", "cut", "blank", "settling"]

THUMB_SIZE = (64, 48)  # (width, height) the picture is compared at
BLANK_LEVELS = 4  # grey levels about the thumbnail's median ...
BLANK_SHARE = 0.97  # ... that this much of a blank frame lies within (the bus's black floor 0.64)
BLANK_JUMP = 16  # grey levels: a blank frame's median is this far from the last picture's
CUT_CORRELATION = 0.2  # a cut correlates less than this with the last picture (the bus >= 0.23)
CUT_CHANGED = 0.6  # ... and changed over this much of it (people at most 0.45 of a picture)
VIEW_PICTURES = 50  # pictures after a cut the view is checked at (2 s at 25 fps)
# A stream starts (and starts again after a cut or a stretch without a picture) where its
# picture's level holds: a recording that fades in from black, or a camera whose exposure is
# still settling, brightens frame by frame, and a background model started on the dark frames
# took the whole doorway for people as it brightened (tram 02 after a 1 s fade-in counted 11
# for 24, tram 04 0/14 for 0/27). A stream's frames are skipped while the next frame's mean
# level is more than SETTLE_GAIN off theirs the same way as theirs was off the frame before
# (a light that beats turns back within a few frames: the trams under a 10 % beat at 5 Hz
# skipped 16 to 75 frames before this), for SETTLE_FRAMES at most.
SETTLE_GAIN = 0.02
SETTLE_FRAMES = 75
# A broken frame: a JPEG cut short (its lower part grey), a flash, a frame of another stream
# slipped in. Over a bare doorway the background model took its broken part for people and
# learnt the person size from it: the bus with three such frames (the lower half grey) 10/8
# for 7/7. A frame is broken when it changed BROKEN_CHANGED of the thumbnail's BROKEN_CELLS or
# more from the frame before and again to the frame after, while those two differ by
# BROKEN_BACK of that at most: the picture went back. People walking never do (every clip we
# have, at its own rate and a third and an eighth of it: 0.0); a camera shaking by 2 px each
# way jumps back and forth, but changes its coarse cells little (at most 0.125 on the trams,
# whose picture is all edges); a torn lower half changes half of them.
BROKEN_CELLS = (16, 12)
BROKEN_CHANGED = 0.2
BROKEN_BACK = 0.3
# A band torn across the picture (a slice of a frame lost on its way: grey, black, or its rows
# smeared down from the last one decoded) is too narrow to change BROKEN_CHANGED of the cells, and
# over the counting area it made people: the bus with a grey band a sixth of its height high across
# its area in three frames counted 12/7 for 7/7, tram 02 with a smeared one in four frames of its
# queue 27 for 23 (24 whole; 30 in five). A band is TORN_ROWS or more of the thumbnail's rows in a
# row, each changed over TORN_CHANGED of its width from the frame before and again to the frame
# after, which differ by TORN_BACK of that at most there, and whose detail down the picture (each
# row's mean step from the row above) fell to TORN_SMOOTH of the two frames' (+ 1 level) or less: a
# lost slice is filled flat or smeared downwards, which people, a light or a shaking camera never
# do. On the shared clips and the rear-door ones, at their own rate, a third and an eighth of it,
# under a beating light, grainy, JPEG at quality 10, shaken by 2-3 px every frame, and our synthetic
# scenes: no frame. Bands of 8-25 % of the height on the trams: 3 to 11 rows, nearly all known (a
# few smeared ones over rows alike already are not; on the bus's black floor a black or smeared band
# changes nothing, and counts nothing).
TORN_ROWS = 3
TORN_CHANGED = 0.2
TORN_BACK = 0.5
TORN_SMOOTH = 0.5
CHANGE_LEVELS = 25  # a thumbnail pixel that moved by more than this changed


def thumbnail(image: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """The picture in grey, THUMB_SIZE, each pixel the mean of the ones it covers (of a frame
    first thinned by whole pixels to less than twice that: the mean of a picture's every n-th
    pixel, cheaply)."""
    h, w = image.shape[:2]
    step = max(1, min(w // THUMB_SIZE[0], h // THUMB_SIZE[1]))
    thinned = image[::step, ::step]
    grey = cv2.cvtColor(thinned, cv2.COLOR_BGR2GRAY) if thinned.ndim == 3 else thinned
    small = cv2.resize(np.ascontiguousarray(grey), THUMB_SIZE, interpolation=cv2.INTER_AREA)
    return np.asarray(small, np.uint8)


def flat(thumb: npt.NDArray[np.uint8]) -> bool:
    """Whether the thumbnail is flat: BLANK_SHARE of it within BLANK_LEVELS of its median."""
    hist = cv2.calcHist([thumb], [0], None, [256], [0, 256]).ravel()
    median = int(np.searchsorted(np.cumsum(hist), thumb.size / 2))
    near = hist[max(0, median - BLANK_LEVELS) : median + BLANK_LEVELS + 1].sum()
    return bool(near >= BLANK_SHARE * thumb.size)


def blank(last: npt.NDArray[np.uint8] | None, thumb: npt.NDArray[np.uint8]) -> bool:
    """Whether `thumb` shows no picture where `last` showed one: it is flat, its level is
    BLANK_JUMP or more from the last picture's, and it does not correlate with it. A plain floor
    with no one on it is flat too, but at the level it had under the people who left it; and
    the first frames of a stream are never blank (black ones are cut from: `PictureWatch`)."""
    if last is None or not flat(thumb):
        return False
    if abs(float(np.median(thumb)) - float(np.median(last))) < BLANK_JUMP:
        return False
    return correlation(last, thumb) < CUT_CORRELATION


def correlation(a: npt.NDArray[np.uint8], b: npt.NDArray[np.uint8]) -> float:
    """Pearson's correlation of two thumbnails (0 when either has no variance: nothing in it
    goes on in the other)."""
    da = a.ravel().astype(np.float32)
    db = b.ravel().astype(np.float32)
    da -= da.mean()
    db -= db.mean()
    norm = float(np.sqrt(float(da @ da) * float(db @ db)))
    return float(da @ db) / norm if norm > 1e-6 else 0.0


def changed_share(a: npt.NDArray[np.uint8], b: npt.NDArray[np.uint8]) -> float:
    """The share of two thumbnails' pixels more than CHANGE_LEVELS apart."""
    _, moved = cv2.threshold(cv2.absdiff(a, b), CHANGE_LEVELS, 255, cv2.THRESH_BINARY)
    return cv2.countNonZero(moved) / a.size


def cells(thumb: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """The thumbnail's BROKEN_CELLS, each the mean of the pixels it covers."""
    return np.asarray(cv2.resize(thumb, BROKEN_CELLS, interpolation=cv2.INTER_AREA), np.uint8)


def broken(
    before: npt.NDArray[np.uint8], now: npt.NDArray[np.uint8], after: npt.NDArray[np.uint8]
) -> bool:
    """Whether picture `now` is broken: its coarse cells changed much from `before` and again to
    `after`, which are nearly alike (BROKEN_CELLS, BROKEN_CHANGED, BROKEN_BACK), or a band
    across it was torn (`torn`), whatever else moved (a band torn while a crowd crosses the
    picture changes many cells that do not go back: the cells alone miss it)."""
    a, b = cells(before), cells(now)
    came = changed_share(a, b)
    if came >= BROKEN_CHANGED:  # rare: the next one's cells are needed only then
        c = cells(after)
        went = changed_share(b, c)
        if went >= BROKEN_CHANGED and changed_share(a, c) <= BROKEN_BACK * min(came, went):
            return True
    return torn(before, now, after)


def changed_rows(a: npt.NDArray[np.uint8], b: npt.NDArray[np.uint8]) -> npt.NDArray[np.float64]:
    """The share of each row of two thumbnails' pixels more than CHANGE_LEVELS apart."""
    return np.asarray((cv2.absdiff(a, b) > CHANGE_LEVELS).mean(axis=1), np.float64)


def row_detail(thumb: npt.NDArray[np.uint8]) -> npt.NDArray[np.float64]:
    """Each row's mean step (grey levels) from the row above (the first row's: the second's)."""
    steps = np.abs(np.diff(thumb.astype(np.int16), axis=0)).mean(axis=1)
    return np.asarray(np.concatenate([steps[:1], steps]), np.float64)


def longest_run(rows: npt.NDArray[np.bool_]) -> int:
    """The most True rows in a row."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], rows.astype(np.int8), [0]])))
    return int((edges[1::2] - edges[::2]).max(initial=0))


def torn(
    before: npt.NDArray[np.uint8], now: npt.NDArray[np.uint8], after: npt.NDArray[np.uint8]
) -> bool:
    """Whether a band across picture `now` was torn: TORN_ROWS rows in a row changed from
    `before` and back to `after`, and smoothed (TORN_CHANGED, TORN_BACK, TORN_SMOOTH)."""
    came = changed_rows(before, now)
    if longest_run(came >= TORN_CHANGED) < TORN_ROWS:  # nearly every frame
        return False
    went, back = changed_rows(now, after), changed_rows(before, after)
    gone = (went >= TORN_CHANGED) & (back <= TORN_BACK * np.minimum(came, went))
    detail = (row_detail(before) + row_detail(after)) / 2
    smooth = row_detail(now) <= TORN_SMOOTH * detail + 1.0
    return longest_run((came >= TORN_CHANGED) & gone & smooth) >= TORN_ROWS


def level_holds(before: npt.NDArray[np.uint8], now: npt.NDArray[np.uint8]) -> bool:
    """Whether the mean level of `now` is within SETTLE_GAIN of that of `before`."""
    a, b = float(before.mean()), float(now.mean())
    return abs(b - a) <= SETTLE_GAIN * max(a, 1.0)


def goes_on(before: npt.NDArray[np.uint8], now: npt.NDArray[np.uint8]) -> bool:
    """Whether picture `now` goes on from `before`: most of it is as it was (a dark floor
    under the people who move over it), or it correlates with it."""
    if changed_share(before, now) <= CUT_CHANGED:
        return True
    return correlation(before, now) >= CUT_CORRELATION


class PictureWatch:
    """Tells each frame analysed a `picture`, a `cut`, `blank` (module docstring) or `settling`
    (skipped: the stream starts where the picture's level holds, SETTLE_GAIN), and counts the
    blank and the settling frames skipped and the cuts.

    Whether the view itself changed is told later: VIEW_PICTURES after a cut (or the last of a
    run of cuts), the picture is compared with the last one before it (`view`). A stream's
    first VIEW_PICTURES pictures are no view to tell a change by (a camera starting shows
    black or a card first, and a restarted counter goes on with the person size it had). A
    recorder's card edited into a recording of one doorway cuts twice and comes back to the
    view it left, whose person size still holds (the bus with half a second of a card in its
    middle, learnt afresh after it: 10/7 for 7/7); a camera turned to another view does not."""

    def __init__(self) -> None:
        self._last: npt.NDArray[np.uint8] | None = None  # the last picture's thumbnail
        self._left: npt.NDArray[np.uint8] | None = None  # the picture before a cut, to check
        self._since = 0  # pictures since the last cut
        self._pictures = 0  # pictures seen (not blank)
        self.view: Literal["same", "changed"] | None = None  # the view checked at this picture
        self._settled = False  # the stream has started: its picture's level held
        self._settling = 0  # frames skipped since the stream last started
        self.blank_frames = 0
        self.settling_frames = 0  # frames dropped while the picture's level moved
        self.cuts = 0

    def see(
        self,
        image: npt.NDArray[np.uint8],
        thumb: npt.NDArray[np.uint8] | None = None,
        after: npt.NDArray[np.uint8] | None = None,
    ) -> Seen:
        """What this frame is: blank (skip it), settling (skip it: the stream has not started,
        its picture's level still moves to the next frame's, `after`), a cut (the stream
        before ends; start from it, once `started`) or a picture that goes on from the last
        one. `thumb`: its thumbnail, if taken already; `after`: the next frame's (None: not
        known, the level is taken to hold)."""
        thumb = thumbnail(image) if thumb is None else thumb
        last = self._last
        self.view = None
        if blank(last, thumb):
            self.blank_frames += 1
            self._settled = False  # what comes after may fade in
            return "blank"
        self._last = thumb
        self._pictures += 1
        cut = last is not None and not goes_on(last, thumb)
        if cut:
            self.cuts += 1
            if self._left is None and self._pictures > VIEW_PICTURES:
                self._left = last  # (a stream's first pictures are no view: black, a card)
            self._since = 0
            self._settled = False
        if not self._settled:
            fading = after is not None and not level_holds(thumb, after)
            if fading and after is not None and last is not None and not cut:
                # a light that beats turns back within a few frames; a fade goes on one way
                came, goes = (
                    float(thumb.mean()) - float(last.mean()),
                    float(after.mean()) - float(thumb.mean()),
                )
                fading = not level_holds(last, thumb) and came * goes > 0
            if fading and self._settling < SETTLE_FRAMES:
                self.settling_frames += 1
                self._settling += 1
                return "cut" if cut else "settling"
            self._settled, self._settling = True, 0
        if cut:
            return "cut"
        self._check_view(thumb)
        return "picture"

    @property
    def started(self) -> bool:
        """Whether the stream has started: the last picture's level held to the next frame's
        (a cut frame that did not is skipped: `settling`)."""
        return self._settled

    def view_now(self) -> Literal["same", "changed"] | None:
        """At a stream's end, whether its last picture is of the view left at the last cut,
        if that was not checked yet (None: it was, or there was no cut)."""
        if self._left is None or self._last is None:
            return None
        view = self._view_of(self._left, self._last)
        self._left = None
        return view

    @staticmethod
    def _view_of(
        left: npt.NDArray[np.uint8], thumb: npt.NDArray[np.uint8]
    ) -> Literal["same", "changed"]:
        """Whether picture `thumb` is of the view `left` showed (it goes on from it)."""
        return "same" if goes_on(left, thumb) else "changed"

    @property
    def checking(self) -> bool:
        """Whether the view after the last cut is still to be checked (`view`, `view_now`)."""
        return self._left is not None

    def _check_view(self, thumb: npt.NDArray[np.uint8]) -> None:
        """VIEW_PICTURES after a cut, whether this picture is of the view left at it."""
        if self._left is None:
            return
        self._since += 1
        if self._since >= VIEW_PICTURES:
            self.view = self._view_of(self._left, thumb)
            self._left = None

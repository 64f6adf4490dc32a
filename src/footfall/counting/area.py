"""The counting area of SPEC §5 (cntpos.json) and its geometry.

A point is on one of three sides of the area: beyond the upper edge (`ABOVE`), inside, or beyond
the lower edge (`BELOW`). The edges are the lines y = yfirst and y = ylast, or, with `radius` > 0,
two concentric arcs whose centre lies `radius` px beyond the middle of the area on the side of the
out edge (SPEC §5 decision). Both cases reduce to one number per point, its *equivalent y*: the y
the point would have on the vertical through the middle of the area, following the arcs.

    >>> area = Area(yfirst=90, ylast=150)
    >>> area.side(160, 80), area.side(160, 120), area.side(160, 160)
    (-1, 0, 1)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from footfall.config import AreaParams

InDirection = Literal["up", "down"]

# cntpos.json key -> the `Area.*` parameter that holds it (SPEC §5, §6)
PARAM_NAMES = {
    "width": "Width",
    "height": "Height",
    "left": "Left",
    "right": "Right",
    "top": "Top",
    "bottom": "Bottom",
    "yfirst": "YFirst",
    "ylast": "YLast",
    "radius": "Radius",
}

# What an area written by hand may leave out, and what stands in for it: `radius` 0 (straight
# edges), the edges (`yfirst`, `ylast`) at the guide lines (`top`, `bottom`) or the guide lines at
# the edges (the vendor's own areas and the shared hand counts give them alike).
EDGE_PAIRS = (("yfirst", "top"), ("ylast", "bottom"))


def completed(fields: dict[str, object]) -> dict[str, object]:
    """A copy of cntpos.json `fields` with what a hand-written area may leave out filled in
    (`EDGE_PAIRS`, `radius` 0); anything else missing is left for the reader to name."""
    out = dict(fields)
    out.setdefault("radius", 0)
    for edge, guide in EDGE_PAIRS:
        if edge in out and guide not in out:
            out[guide] = out[edge]
        elif guide in out and edge not in out:
            out[edge] = out[guide]
    return out


ABOVE = -1
INSIDE = 0
BELOW = 1


@dataclass(frozen=True, slots=True)
class Area:
    """Counting area in pixels of the analysed stream, exactly the fields of cntpos.json."""

    width: int = 320
    height: int = 240
    left: int = 0
    right: int = 320
    top: int = 90
    bottom: int = 150
    yfirst: int = 90
    ylast: int = 150
    radius: int = 0

    @classmethod
    def from_params(cls, params: AreaParams) -> Area:
        """The area held by the `Area.*` parameters."""
        return cls(**{key: getattr(params, name) for key, name in PARAM_NAMES.items()})

    def as_cntpos(self) -> dict[str, int]:
        """The cntpos.json body, keys in the vendor's order."""
        return asdict(self)

    def scaled(self, width: int, height: int) -> Area:
        """The same area in pixels of an image of `width` x `height` (rounded to whole pixels)."""
        if (width, height) == (self.width, self.height):
            return self
        sx, sy = width / self.width, height / self.height
        return Area(
            width=width,
            height=height,
            left=round(self.left * sx),
            right=round(self.right * sx),
            top=round(self.top * sy),
            bottom=round(self.bottom * sy),
            yfirst=round(self.yfirst * sy),
            ylast=round(self.ylast * sy),
            radius=round(self.radius * (sx + sy) / 2),
        )

    def arc_centre_y(self, in_direction: InDirection = "up") -> float:
        """y of the centre of the curved edges (`radius` > 0): `radius` px beyond the middle of
        the area on the out side (in = up: people going out leave through the lower edge, so
        the centre lies below)."""
        y_mid = (self.yfirst + self.ylast) / 2
        return y_mid + self.radius if in_direction == "up" else y_mid - self.radius

    def equivalent_y(
        self, x: npt.ArrayLike, y: npt.ArrayLike, in_direction: InDirection = "up"
    ) -> npt.NDArray[np.float64]:
        """Where each point lies across the area, in y of the middle vertical (arcs followed)."""
        xs = np.asarray(x, np.float64)
        ys = np.asarray(y, np.float64)
        if self.radius <= 0:
            return np.broadcast_to(ys, np.broadcast_shapes(xs.shape, ys.shape)).copy()
        x_mid = (self.left + self.right) / 2
        below = in_direction == "up"
        cy = self.arc_centre_y(in_direction)
        d = np.hypot(xs - x_mid, ys - cy)
        result: npt.NDArray[np.float64] = cy - d if below else cy + d
        return result

    def sides(
        self,
        x: npt.ArrayLike,
        y: npt.ArrayLike,
        in_direction: InDirection = "up",
        margin: float = 0.0,
    ) -> npt.NDArray[np.int8]:
        """ABOVE (-1), INSIDE (0) or BELOW (1) for each point (x span not considered); beyond an
        edge means more than `margin` px beyond it."""
        return self.sides_at(self.equivalent_y(x, y, in_direction), margin)

    def sides_at(self, ey: npt.NDArray[np.float64], margin: float = 0.0) -> npt.NDArray[np.int8]:
        """`sides` of points already given as `equivalent_y`; beyond an edge means more than
        `margin` px beyond it."""
        out = np.zeros(ey.shape, np.int8)
        out[ey < self.yfirst - margin] = ABOVE
        out[ey > self.ylast + margin] = BELOW
        return out

    def side(self, x: float, y: float, in_direction: InDirection = "up") -> int:
        """ABOVE (-1), INSIDE (0) or BELOW (1) for one point."""
        return int(self.sides(x, y, in_direction))

    def in_span(self, x: npt.ArrayLike) -> npt.NDArray[np.bool_]:
        """Whether each x lies inside the area's x span [left, right]."""
        xs = np.asarray(x, np.float64)
        result: npt.NDArray[np.bool_] = (xs >= self.left) & (xs <= self.right)
        return result

    def mid_line(
        self, step_px: float, in_direction: InDirection = "up"
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Points every `step_px` along the middle of the area inside the x span, and at each
        the unit normal pointing to the upper side (ABOVE): straight or the middle arc."""
        xs = np.arange(self.left + step_px / 2, self.right, step_px, dtype=np.float64)
        y_mid = (self.yfirst + self.ylast) / 2
        if self.radius <= 0:
            points = np.stack([xs, np.full_like(xs, y_mid)], axis=1)
            return points, np.tile(np.array([0.0, -1.0]), (len(xs), 1))
        below = in_direction == "up"
        x_mid = (self.left + self.right) / 2
        cy = self.arc_centre_y(in_direction)
        dx = xs - x_mid
        keep = np.abs(dx) < self.radius
        xs, dx = xs[keep], dx[keep]
        dy = np.sqrt(self.radius**2 - dx**2)
        points = np.stack([xs, cy - dy if below else cy + dy], axis=1)
        radial = (points - np.array([x_mid, cy])) / self.radius
        # Above the area lies away from a centre below it, towards a centre above it.
        return points, radial if below else -radial


def direction_of(from_side: int, to_side: int, in_direction: InDirection) -> Literal["in", "out"]:
    """The passage direction of a move from one outer side to the other."""
    moved_up = to_side < from_side
    return "in" if moved_up == (in_direction == "up") else "out"


def four_three_width(width: int, height: int) -> int:
    """The width of a picture `width` x `height` as a person-size guess takes it: its own, or a
    4:3 picture's of its height when it is wider (a 16:9 camera shows more floor either side,
    not wider people)."""
    return min(width, round(height * 4 / 3))

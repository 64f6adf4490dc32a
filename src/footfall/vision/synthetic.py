"""A synthetic overhead scene with exact ground truth: our own generator, no clips shipped.

A floor seen straight down, people as shaded ellipses (shoulders) with a head on top, sized by a
pinhole model from `Counter.Height`, `Counter.FieldOfView` and `Counter.PersonWidth`, walking
through the counting area: singles, pairs side by side, tailgating pairs, people passing in
opposite directions, U-turns, someone standing in the area, a dense queue at a door, slow light
changes and camera noise.
Everything is deterministic from a seed.

    >>> sc = scenario("side_by_side", seed=1)
    >>> [e.direction for e in sc.events]
    ['in', 'in']
    >>> frames = list(sc.frames())            # finite, with exact ground truth
    >>> src = SyntheticSource(seed=0)          # endless, paced at 15 fps; `footfall serve` default
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from footfall.config import AreaParams, CounterParams, Params
from footfall.counting.area import Area
from footfall.vision.person import person_width_px
from footfall.vision.scene_render import FPS, HEIGHT, WIDTH, Floor, Renderer, Shadow, light_gain
from footfall.vision.types import Frame

Direction = Literal["in", "out"]

LIGHT_PERIOD_S = 30.0  # light swing of the finite scenarios
QUEUE_PEOPLE = (8, 14)  # people in the `queue` scenario
QUEUE_WAIT_S = (3.0, 6.0)  # the queue stands this long before the door opens
QUEUE_ABREAST = 0.3  # share of the queue's rows that are two people abreast
SCENARIO_EPOCH = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def shoulder_px(counter: CounterParams, width_px: int = WIDTH) -> float:
    """Shoulder width of one person in pixels, seen from `Counter.Height`: the detector's model."""
    return person_width_px(width_px, counter.Height, counter.FieldOfView, counter.PersonWidth)


@dataclass(frozen=True, slots=True)
class TruthEvent:
    """One true passage: the frame its body centre crosses the area's middle line, and which way."""

    frame: int
    direction: Direction


@dataclass(frozen=True, slots=True)
class Walker:
    """One person: a piecewise-linear path of (frame, x, y) in image pixels, and a look."""

    path: tuple[tuple[int, float, float], ...]
    width_px: float
    shirt: tuple[int, int, int]
    hair: tuple[int, int, int]
    legs: tuple[int, int, int] = (60, 60, 70)

    @property
    def first(self) -> int:
        """First frame the walker exists."""
        return self.path[0][0]

    @property
    def last(self) -> int:
        """Last frame the walker exists."""
        return self.path[-1][0]

    def at(self, frame: int) -> tuple[float, float, float] | None:
        """(x, y, heading in radians) at `frame`, or None when not in the scene."""
        if not self.first <= frame <= self.last:
            return None
        for (f0, x0, y0), (f1, x1, y1) in zip(self.path, self.path[1:], strict=False):
            if f0 <= frame <= f1:
                u = (frame - f0) / max(1, f1 - f0)
                heading = math.atan2(y1 - y0, x1 - x0)
                if abs(y1 - y0) + abs(x1 - x0) < 3.0:  # standing: keep facing the way of travel
                    (_, xa, ya), (_, xb, yb) = self.path[0], self.path[-1]
                    heading = math.atan2(yb - ya, xb - xa)
                return x0 + u * (x1 - x0), y0 + u * (y1 - y0), heading
        raise AssertionError("unreachable: frame within the path")

    def crossings(self, line_y: float) -> list[tuple[int, float]]:
        """(frame, dy sign) of every crossing of `line_y`, in order."""
        out: list[tuple[int, float]] = []
        prev = self.at(self.first)
        for f in range(self.first + 1, self.last + 1):
            cur = self.at(f)
            assert prev is not None and cur is not None
            if (prev[1] - line_y) * (cur[1] - line_y) < 0 or (cur[1] == line_y != prev[1]):
                out.append((f, math.copysign(1.0, cur[1] - prev[1])))
            prev = cur
        return out


def truth_of(walker: Walker, area: AreaParams) -> TruthEvent | None:
    """The passage a walker makes: it must go from beyond one area edge to beyond the other."""
    ys = [p[2] for p in walker.path]
    top, bottom = min(area.YFirst, area.YLast), max(area.YFirst, area.YLast)
    if not (min(ys) < top and max(ys) > bottom):
        return None
    first_y, last_y = ys[0], ys[-1]
    if (first_y < top) == (last_y < top):  # came back to the side it started from
        return None
    crossings = walker.crossings((top + bottom) / 2)
    frame, sign = crossings[-1]
    where = walker.at(frame)
    left, right = (edge * WIDTH / area.Width for edge in (area.Left, area.Right))
    if where is None or not left <= where[0] <= right:  # crossed beside the counting area
        return None
    up = sign < 0
    direction: Direction = "in" if up == (area.InDirection == "up") else "out"
    return TruthEvent(frame, direction)


class Planner:
    """Lays out people in episodes (single, pair, tailgating, opposite, U-turn, standing)."""

    KINDS = ("single", "side_by_side", "tailgating", "opposite", "uturn", "standing")
    WEIGHTS = (0.42, 0.14, 0.14, 0.12, 0.09, 0.09)

    def __init__(self, rng: random.Random, params: Params, fps: float = FPS) -> None:
        self.rng = rng
        self.params = params
        self.fps = fps
        self.size = shoulder_px(params.Counter)
        self.scale = self.size / (params.Counter.PersonWidth / 100)  # px per metre at shoulders

    def _look(
        self,
    ) -> tuple[float, tuple[int, int, int], tuple[int, int, int], tuple[int, int, int]]:
        r = self.rng
        width = self.size * r.uniform(0.88, 1.12)
        shirt = (r.randint(20, 235), r.randint(20, 235), r.randint(20, 235))
        grey = r.randint(15, 90)
        hair = (grey, grey + r.randint(0, 20), grey + r.randint(0, 35))
        dark = r.randint(25, 110)
        legs = (dark + r.randint(0, 40), dark, dark + r.randint(0, 20))
        return width, shirt, hair, legs

    def _speed(self) -> float:
        """Pixels per frame for a walking pace of 0.8-1.4 m/s."""
        return self.rng.uniform(0.8, 1.4) * self.scale / self.fps

    def walk(
        self,
        start: int,
        x: float,
        up: bool,
        speed: float,
        stops: tuple[tuple[float, int], ...] = (),
    ) -> Walker:
        """A straight walk across the whole frame, optionally pausing at (y, frames) stops."""
        margin = self.size
        y0, y1 = (HEIGHT + margin, -margin) if up else (-margin, HEIGHT + margin)
        drift = self.rng.uniform(-0.08, 0.08) * HEIGHT
        path = [(start, x, y0)]
        f, cy = float(start), y0
        for stop_y, frames in stops:
            f += abs(stop_y - cy) / speed
            path.append((round(f), x + drift * (stop_y - y0) / (y1 - y0), stop_y))
            f += frames
            path.append((round(f), x + drift * (stop_y - y0) / (y1 - y0) + 1.0, stop_y))
            cy = stop_y
        f += abs(y1 - cy) / speed
        path.append((round(f), x + drift, y1))
        return Walker(tuple(path), *self._look())

    def uturn(self, start: int, x: float, up: bool, speed: float, turn_y: float) -> Walker:
        """Walk in to `turn_y` and back out the same side."""
        margin = self.size
        y0 = HEIGHT + margin if up else -margin
        f_turn = start + round(abs(turn_y - y0) / speed)
        path = ((start, x, y0), (f_turn, x + 4.0, turn_y), (2 * f_turn - start, x + 8.0, y0))
        return Walker(path, *self._look())

    def _doorway(self) -> tuple[float, float]:
        """The left edge and the width of the counting area's x span, in image pixels: people
        walk through the doorway it is drawn over."""
        a = self.params.Area
        left, right = (edge * WIDTH / a.Width for edge in (a.Left, a.Right))
        return left, right - left

    def episode(self, start: int, kind: str | None = None) -> list[Walker]:
        """The walkers of one episode starting at frame `start`, over the middle 60 % of the
        doorway (`_doorway`)."""
        r = self.rng
        kind = kind or r.choices(self.KINDS, self.WEIGHTS)[0]
        up = r.random() < 0.5
        speed = self._speed()
        left, span = self._doorway()
        x = left + r.uniform(0.2 * span, 0.8 * span)
        area = self.params.Area
        if kind == "single":
            return [self.walk(start, x, up, speed)]
        if kind == "side_by_side":
            gap = self.size * r.uniform(1.02, 1.15)
            x = left + r.uniform(0.2 * span + gap / 2, 0.8 * span - gap / 2)
            return [
                self.walk(start, x - gap / 2, up, speed),
                self.walk(start, x + gap / 2, up, speed),
            ]
        if kind == "tailgating":
            lag = round(r.uniform(0.6, 0.9) * self.fps)
            return [
                self.walk(start, x, up, speed),
                self.walk(start + lag, x + r.uniform(-6, 6), up, speed),
            ]
        if kind == "opposite":
            x = left + r.uniform(0.3 * span, 0.38 * span)
            far = 2 * left + span - x + r.uniform(-8, 8)
            return [self.walk(start, x, up, speed), self.walk(start, far, not up, self._speed())]
        if kind == "uturn":
            mid = (area.YFirst + area.YLast) / 2
            return [self.uturn(start, x, up, speed, mid + (-8 if up else 8))]
        if kind == "standing":
            # stop on the entry side of the middle line, so the true crossing comes after
            stand_y = (area.YFirst + area.YLast) / 2 + (1 if up else -1) * r.uniform(4, 12)
            frames = round(r.uniform(3.0, 6.0) * self.fps)
            return [self.walk(start, x, up, speed, stops=((stand_y, frames),))]
        raise ValueError(f"unknown episode kind {kind!r}; known: {', '.join(self.KINDS)}")

    def queue(self, start: int) -> list[Walker]:
        """A queue at a closed door: QUEUE_PEOPLE people in a column on one side of the area,
        the front ones standing in view from `start`, then, when the door opens after
        QUEUE_WAIT_S, all walking through at one slow pace, 0.45-0.75 m apart, now and then two
        abreast (as people board a tram or alight from it)."""
        r = self.rng
        area = self.params.Area
        up = r.random() < 0.5
        speed = r.uniform(0.5, 0.9) * self.scale / self.fps
        top, bottom = min(area.YFirst, area.YLast), max(area.YFirst, area.YLast)
        margin = self.size
        front = bottom + 0.6 * self.size if up else top - 0.6 * self.size
        exit_y = -margin if up else HEIGHT + margin
        opens = start + round(r.uniform(*QUEUE_WAIT_S) * self.fps)
        left, span = self._doorway()
        x_door = left + r.uniform(0.4, 0.6) * span
        walkers: list[Walker] = []
        behind = 0.0  # px from the front of the queue, along the way it walks
        n = r.randint(*QUEUE_PEOPLE)
        while len(walkers) < n:
            abreast = 2 if r.random() < QUEUE_ABREAST and n - len(walkers) >= 2 else 1
            y = front + behind if up else front - behind
            for k in range(abreast):
                x = x_door + (k - (abreast - 1) / 2) * 1.1 * self.size + r.uniform(-4, 4)
                sway = r.uniform(-1.5, 1.5)
                walk_frames = round(abs(y - exit_y) / speed)
                path = (
                    (start, x, y),
                    ((start + opens) // 2, x + sway, y + sway / 2),  # weight shifts a little
                    (opens, x, y),
                    (opens + walk_frames, x + r.uniform(-6, 6), exit_y),
                )
                walkers.append(Walker(path, *self._look()))
            behind += r.uniform(0.45, 0.75) * self.scale
        return walkers

    def next_start(self, walkers: list[Walker]) -> int:
        """The frame the next episode may start: after these walkers leave, plus a pause."""
        return (
            max(w.last for w in walkers)
            - round(0.4 * self.fps)
            + round(self.rng.uniform(0.2, 2.5) * self.fps)
        )


@dataclass
class Scenario:
    """A finite scene with its exact ground truth (`events`, in time order)."""

    name: str
    seed: int
    params: Params
    walkers: list[Walker]
    events: list[TruthEvent]
    n_frames: int
    fps: float = FPS
    light_depth: float = 0.0
    floor: Floor = "tiled"
    shadow: Shadow | None = None

    def frames(self, start_time: datetime = SCENARIO_EPOCH) -> Iterator[Frame]:
        """Every frame, timed start_time + index / fps."""
        renderer = Renderer(
            self.seed, camera_cm=self.params.Counter.Height, floor=self.floor, shadow=self.shadow
        )
        for i in range(self.n_frames):
            gain = light_gain(i, self.fps, period_s=LIGHT_PERIOD_S, depth=self.light_depth)
            yield Frame(
                renderer.render(self.walkers, i, gain),
                i,
                start_time + timedelta(seconds=i / self.fps),
            )

    @property
    def totals(self) -> dict[str, int]:
        """True counts per direction."""
        return {d: sum(e.direction == d for e in self.events) for d in ("in", "out")}

    def ground_truth(self) -> dict[str, Any]:
        """The scene in the ground-truth file format of the shared clips."""
        a = self.params.Area
        return {
            "video": f"synthetic:{self.name}:{self.seed}",
            "frames": self.n_frames,
            "fps": self.fps,
            "width": WIDTH,
            "height": HEIGHT,
            "line_y": (a.YFirst + a.YLast) // 2,
            "area": Area.from_params(a).as_cntpos(),
            "in_direction": a.InDirection,
            "totals": self.totals,
            "tolerance": {"in": 0, "out": 0},
            "events": [{"frame": e.frame, "direction": e.direction} for e in self.events],
            "ambiguous": [],
        }


SCENARIOS = (*Planner.KINDS, "lights", "mixed", "queue")


def scenario(
    name: str,
    seed: int = 0,
    params: Params | None = None,
    episodes: int = 12,
    floor: Floor = "tiled",
    shadow: Shadow | None = None,
) -> Scenario:
    """A finite scene: one episode kind of `Planner.KINDS`, `lights` (a single under a light
    swing), `mixed` (`episodes` random episodes) or `queue` (a dense queue at a door, standing
    in view from the first frame, then walking through: `Planner.queue`), over a tiled floor or
    a `plain` one, each person casting a `shadow` if one is given."""
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}")
    params = params or Params()
    planner = Planner(random.Random(seed), params)
    start = round(0.5 * FPS)
    walkers: list[Walker] = []
    if name == "mixed":
        for _ in range(episodes):
            batch = planner.episode(start)
            walkers += batch
            start = planner.next_start(batch)
    elif name == "lights":  # the walker comes while the light is dimming fastest
        walkers = planner.episode(round(LIGHT_PERIOD_S / 2 * FPS) - 20, "single")
    elif name == "queue":  # standing there from the first frame, as the shared tram clips
        walkers = planner.queue(0)
    else:
        walkers = planner.episode(start, name)
    truth = [t for t in (truth_of(w, params.Area) for w in walkers) if t is not None]
    n_frames = max(w.last for w in walkers) + round(0.5 * FPS)
    depth = {"lights": 0.15, "mixed": 0.1}.get(name, 0.0)
    return Scenario(
        name,
        seed,
        params,
        walkers,
        sorted(truth, key=lambda e: e.frame),
        n_frames,
        light_depth=depth,
        floor=floor,
        shadow=shadow,
    )


class SyntheticSource:
    """The endless synthetic scene as a `Source`, paced at real time unless `paced=False`."""

    def __init__(
        self,
        seed: int = 0,
        paced: bool = True,
        start_time: datetime | None = None,
        params: Params | None = None,
        fps: float = FPS,
    ) -> None:
        self.seed = seed
        self.paced = paced
        self.fps = fps
        self.start_time = start_time
        self.params = params or Params()
        self.state = "open"
        self.last_error: str | None = None
        # passages of walkers that have started so far: totals, and the latest events
        self.true_totals = {"in": 0, "out": 0}
        self.recent_truth: deque[TruthEvent] = deque(maxlen=1000)
        self._closed = threading.Event()

    def __iter__(self) -> Iterator[Frame]:
        planner = Planner(random.Random(self.seed), self.params, self.fps)
        renderer = Renderer(self.seed, camera_cm=self.params.Counter.Height)
        start_time = self.start_time or datetime.now(UTC)
        active: list[Walker] = []
        next_start = round(0.3 * self.fps)
        t0 = time.monotonic()
        index = 0
        self.state = "streaming"
        while not self._closed.is_set():
            while next_start <= index + 1:
                batch = planner.episode(max(next_start, index + 1))
                active += batch
                for truth in filter(None, (truth_of(w, self.params.Area) for w in batch)):
                    self.true_totals[truth.direction] += 1
                    self.recent_truth.append(truth)
                next_start = planner.next_start(batch)
            active = [w for w in active if w.last >= index]
            image = renderer.render(active, index, light_gain(index, self.fps))
            if self.paced:
                delay = t0 + index / self.fps - time.monotonic()
                if delay > 0 and self._closed.wait(delay):
                    break
            yield Frame(image, index, start_time + timedelta(seconds=index / self.fps))
            index += 1
        self.state = "closed"

    def close(self) -> None:
        """Stop after the current frame."""
        self._closed.set()

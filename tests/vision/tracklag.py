"""How many frames behind the picture they are drawn on the tracks shown lie, measured against
the exact places of our synthetic scene's walkers (for `--annotate` and the live snapshot)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from footfall.vision.synthetic import Scenario
from footfall.vision.types import View

LAGS = range(-3, 5)  # frames back at which the tracks are put against the walkers


def track_lag(views: Sequence[View], scene: Scenario) -> float:
    """The frames back (interpolated: the lowest point of a parabola through the three around
    the best) at which the tracks of `views` lie nearest the walkers, on average."""

    def present(view: View) -> bool:
        return all(any(w.at(view.index - lag) for w in scene.walkers) for lag in LAGS)

    shown = [v for v in views if v.tracks and present(v)]
    assert len(shown) > 30, len(shown)

    def miss(lag: int) -> float:
        misses = []
        for view in shown:
            at = [w.at(view.index - lag) for w in scene.walkers]
            places = np.array([(p[0], p[1]) for p in at if p is not None])
            misses += [float(np.hypot(*(places - (x, y)).T).min()) for _, x, y in view.tracks]
        return float(np.mean(misses))

    misses = [miss(lag) for lag in LAGS]
    best = int(np.argmin(misses))
    assert 0 < best < len(LAGS) - 1, misses
    a, b, c = misses[best - 1 : best + 2]
    return LAGS[best] + 0.5 * (a - c) / (a - 2 * b + c)

"""Passages the live side never heard of: in the store, but not taken in by occupancy. Pure.

`footfall replay` (or any other process) writes passages straight into the store; this
process's `Ingest` listeners never see them. The hub compares, per minute, the store's bin with
the passages it took in. A shortfall is taken in late, but only once it has lasted `confirm_s`:
a passage of our own `Ingest` is committed a moment before its listener runs, and must not be
counted twice.

    >>> late = LateGaps(confirm_s=10)
    >>> late.update({60: (2, 0)}, {60: (1, 0)}, now_s=0.0)
    {}
    >>> late.update({60: (2, 0)}, {60: (1, 0)}, now_s=10.0)
    {60: (1, 0)}
"""

from __future__ import annotations

from collections.abc import Mapping

Counts = tuple[int, int]  # (in, out)


class LateGaps:
    """Per-minute shortfalls between the store and what was taken in, confirmed over time."""

    def __init__(self, confirm_s: float = 10.0) -> None:
        self.confirm_s = confirm_s
        self._open: dict[int, tuple[float, Counts]] = {}  # minute -> (first seen, shortfall)

    def update(
        self, stored: Mapping[int, Counts], taken: Mapping[int, Counts], now_s: float
    ) -> dict[int, Counts]:
        """Shortfalls that lasted `confirm_s`, to take in now; they are forgotten once returned."""
        due: dict[int, Counts] = {}
        still: dict[int, tuple[float, Counts]] = {}
        for minute, (n_in, n_out) in stored.items():
            seen_in, seen_out = taken.get(minute, (0, 0))
            gap = (max(0, n_in - seen_in), max(0, n_out - seen_out))
            if gap == (0, 0):
                continue
            since, before = self._open.get(minute, (now_s, gap))
            lasting = (min(gap[0], before[0]), min(gap[1], before[1]))
            if now_s - since >= self.confirm_s and lasting != (0, 0):
                due[minute] = lasting
                rest = (gap[0] - lasting[0], gap[1] - lasting[1])
                if rest != (0, 0):
                    still[minute] = (now_s, rest)
            else:
                still[minute] = (since, lasting if lasting != (0, 0) else gap)
        self._open = still
        return due

    def clear(self) -> None:
        """Forget every open shortfall (clear-data)."""
        self._open = {}

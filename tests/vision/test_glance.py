"""Which tiles the network looks at again (`vision/glance.py`): pure parts and the memory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from footfall.vision.glance import (
    CHANGE_PIXELS,
    REFRESH_S,
    SHRINK,
    TileMemory,
    changed,
    piece,
    shrunk,
)
from footfall.vision.types import Detections

WHEN = datetime(2026, 1, 1, tzinfo=UTC)
TILE = (300, 100, 600, 400)


def floor(seed: int = 0) -> np.ndarray:
    """A textured 720 x 1280 floor (tiles of two greys) with a little sensor noise."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:720, 0:1280]
    base = np.where(((yy // 40) + (xx // 40)) % 2 == 0, 150, 175).astype(np.float64)
    noisy = base + rng.normal(0.0, 3.0, base.shape)
    return np.repeat(np.clip(noisy, 0, 255).astype(np.uint8)[:, :, None], 3, axis=2)


def test_noise_is_no_change_and_a_person_moving_a_few_pixels_is() -> None:
    before = shrunk(floor(0))
    assert before.shape == (720 // SHRINK, 1280 // SHRINK)
    assert not changed(piece(before, TILE), piece(shrunk(floor(1)), TILE))  # other noise
    person = floor(1)
    person[200:300, 400:440] = 40  # a dark coat, 100 px tall
    moved = floor(2)
    moved[206:306, 400:440] = 40  # ... 6 px further down
    assert changed(piece(shrunk(person), TILE), piece(shrunk(moved), TILE))
    # the same change outside the tile does not concern it
    elsewhere = (700, 100, 1000, 400)
    assert not changed(piece(shrunk(person), elsewhere), piece(shrunk(moved), elsewhere))


def test_a_change_of_fewer_pixels_than_needed_is_none() -> None:
    small = np.full((75, 75), 100, np.uint8)
    speck = small.copy()
    speck[10, 10 : 10 + CHANGE_PIXELS - 1] = 200
    assert not changed(small, speck)
    speck[10, 10 : 10 + CHANGE_PIXELS] = 200
    assert changed(small, speck)
    assert changed(small, small[:-1])  # another size: another tile


def test_the_memory_gives_what_was_found_until_the_picture_changes_or_a_second_passes() -> None:
    memory = TileMemory()
    small = piece(shrunk(floor(0)), TILE)
    assert memory.kept(TILE, small, WHEN) is None and memory.due(TILE, WHEN)
    found = Detections(np.array([[320, 120, 360, 220]], np.float32), np.array([0.9], np.float32))
    memory.keep(TILE, small, WHEN, found)
    later = WHEN + timedelta(seconds=REFRESH_S / 2)
    assert memory.kept(TILE, piece(shrunk(floor(1)), TILE), later) is found
    assert not memory.due(TILE, later)
    assert memory.kept(TILE, small, WHEN + timedelta(seconds=REFRESH_S)) is None  # refresh
    assert memory.kept(TILE, small, WHEN - timedelta(seconds=1)) is None  # a file looped
    bright = small.copy()
    bright[:] = 255
    assert memory.kept(TILE, bright, later) is None  # a light switched on
    memory.only([(0, 0, 300, 300)])  # the tiles moved
    assert memory.kept(TILE, small, later) is None
    memory.keep(TILE, small, WHEN, found)
    memory.clear()
    assert memory.due(TILE, later)

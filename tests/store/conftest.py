"""Real SQLite files for the store tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from footfall.store.sqlite import SQLiteStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    """A fresh store in a real file."""
    with SQLiteStore(tmp_path / "counts.sqlite3") as opened:
        yield opened

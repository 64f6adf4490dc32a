"""Fixtures: real servers on real sockets (see liveserver.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.liveserver import LiveServer, start_server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """A fresh server per test (users root/admin, op/operator, viewer/viewer)."""
    live = start_server(tmp_path)
    yield live
    live.stop()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for a whole module of read-only tests."""
    live = start_server(tmp_path_factory.mktemp("shared"))
    yield live
    live.stop()

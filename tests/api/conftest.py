"""Fixtures: real servers on real sockets (see liveserver.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from footfall.api import occupancy
from footfall.api.check_fit import install_check_fit
from footfall.api.check_page import install_check_page
from footfall.api.check_record import install_check_record
from footfall.api.setup_page import install_setup_page
from footfall.api.view import install_view
from footfall.vision.recorder import Recorder
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


@pytest.fixture
def pages(tmp_path: Path) -> Iterator[LiveServer]:
    """A server with the operator's pages installed as `footfall serve` installs them (no
    video: no pictures), its occupancy plugin (the alarm exports), and an anonymous viewer."""
    live = start_server(tmp_path, anonymous_viewer=True, plugins=[occupancy.install])
    install_view(live.ctx, None)
    install_setup_page(live.ctx)
    install_check_page(live.ctx)
    install_check_record(live.ctx, Recorder(tmp_path / "checks"), lambda: 25.0)
    install_check_fit(live.ctx, tmp_path / "checks")
    yield live
    live.stop()

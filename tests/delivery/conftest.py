"""Fixtures: a webhook receiver and a private Mosquitto (see realservices.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.delivery.realservices import Broker, Receiver, free_port
from tests.needs import unavailable


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A running webhook receiver."""
    r = Receiver(free_port())
    r.start()
    yield r
    r.stop()


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    """A private broker on a free port."""
    if shutil.which("mosquitto") is None:
        unavailable("mosquitto is not installed")
    folder = tmp_path / "broker"
    folder.mkdir()
    for attempt in range(3):  # a port another worker took between free_port and the bind
        b = Broker(free_port(), folder)
        try:
            b.start()
            break
        except AssertionError:
            b.stop()
            if attempt == 2:
                raise
    yield b
    b.stop()

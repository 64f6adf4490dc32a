"""Real `footfall serve` processes shared by the client tests (see counter.py).

- `counter`: the defaults a new user gets (one Digest MD5 challenge, no anonymous access), with
  CORS for one dashboard origin;
- `counter_sha256`: `--sha256 --cors-origin '*'`, occupancy on (naive);
- `counter_basic`: `--basic-challenge --anonymous-viewer`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.clients.counter import HERE, Counter, need_tool, run, start_counter

DASHBOARD = "http://dashboard.example:8000"


@pytest.fixture(scope="session")
def counter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Counter]:
    """The default server."""
    live = start_counter(tmp_path_factory.mktemp("clients") / "data", ["--cors-origin", DASHBOARD])
    yield live
    live.stop()


@pytest.fixture(scope="session")
def counter_sha256(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Counter]:
    """MD5 then SHA-256 challenges, CORS for any origin, occupancy on."""
    live = start_counter(
        tmp_path_factory.mktemp("clients") / "data",
        ["--sha256", "--cors-origin", "*"],
        extra_params="&Occupancy.Enable=1&Occupancy.Mode=naive",
    )
    yield live
    live.stop()


@pytest.fixture(scope="session")
def counter_basic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Counter]:
    """A Basic challenge after the Digest one; anonymous viewers."""
    live = start_counter(
        tmp_path_factory.mktemp("clients") / "data", ["--basic-challenge", "--anonymous-viewer"]
    )
    yield live
    live.stop()


@pytest.fixture(scope="session")
def java_classes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Java clients (XmlExtractor, ParamsMonitor) compiled into a temporary directory."""
    javac = need_tool("javac")
    where = tmp_path_factory.mktemp("java")
    sources = [str(HERE / "java" / name) for name in ("XmlExtractor.java", "ParamsMonitor.java")]
    run([javac, "-d", str(where), *sources], timeout=120)
    return where

"""The README's first command, as the Makefile runs it (only the data directory and the port
changed): the synthetic scene is counted at once, and the operator can see what is counted."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest

from tests.polling import wait_for
from tests.serving import serve_process

ROOT = Path(__file__).resolve().parents[1]
API = "/local/tvpc/.api"


def run_flags() -> list[str]:
    """The flags of `footfall serve` in the Makefile's run target."""
    recipe = re.search(r"^run:.*\n\t(.+)$", (ROOT / "Makefile").read_text(), re.M)
    assert recipe is not None, "no run target in the Makefile"
    words = shlex.split(recipe.group(1))
    flags = words[words.index("serve") + 1 :]
    for name in ("--data", "--port"):  # serve_process gives its own
        at = flags.index(name)
        del flags[at : at + 2]
    return flags


@pytest.fixture
def base(tmp_path: Path) -> Iterator[str]:
    process, url = serve_process(tmp_path / "data", run_flags())
    yield url
    process.terminate()
    process.wait(10)


def test_make_run_counts_at_once_and_shows_what_it_counts(base: str) -> None:
    assert "synthetic" in run_flags() and "--anonymous-viewer" in run_flags()
    with httpx.Client(base_url=base, timeout=10) as anonymous:

        def total() -> int:
            body = anonymous.get(f"{API}?live-sum.json").json()
            return int(body["in"]) + int(body["out"])

        wait_for(lambda: total() > 0, 40, "the first passage of the synthetic scene")
        assert anonymous.get(f"{API}?snapshot.jpg").status_code == 401  # no picture for anyone
    with httpx.Client(base_url=base, timeout=10, auth=httpx.DigestAuth("root", "pass")) as root:
        r = root.get(f"{API}?snapshot.jpg")
        assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
        image = cv2.imdecode(np.frombuffer(r.content, np.uint8), cv2.IMREAD_COLOR)
        assert image is not None and image.shape[2] == 3 and image.shape[1] >= 320
        with root.stream("GET", f"{API}?view.mjpg&fps=2") as stream:
            assert stream.headers["content-type"].startswith("multipart/x-mixed-replace")
            seen = b""
            for chunk in stream.iter_bytes():
                seen += chunk
                if seen.count(b"\xff\xd9") >= 2:
                    break
        assert seen.count(b"Content-Type: image/jpeg") >= 2

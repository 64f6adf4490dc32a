"""A real browser for the tests that need one: Debian's Chromium, driven by Playwright.

`.ci/run` installs it (`apt-get install chromium`); without it such a test is skipped here and
fails under CI (`chromium_path`). The `chromium` fixture (tests/conftest.py) gives its path.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

from tests.needs import unavailable

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium_path() -> str:
    """The Chromium to drive (skip, or fail under CI, without one)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        unavailable("Chromium is not installed (.ci/run installs Debian's chromium)")
    return found


def launch(playwright: Playwright, chromium: str) -> Browser:
    """Chromium at `chromium`, headless, as the tests run it (no sandbox in a container)."""
    return playwright.chromium.launch(executable_path=chromium, args=ARGS)

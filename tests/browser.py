"""A real browser for the tests that need one: Debian's Chromium, driven by Playwright.

`.ci/run` installs it (`apt-get install chromium`); without it such a test is skipped here and
fails under CI (`chromium_path`). The `chromium` fixture (tests/conftest.py) gives its path.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from tests.needs import unavailable

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

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


OPERATOR = "/local/tvpc/.apioperator"


@contextmanager
def operator_page(data: Path, chromium: str, name: str) -> Iterator[tuple[Page, str]]:
    """`footfall serve` counting the synthetic scene into `data` (operator op / secret), and
    its page `name` open in Chromium as that operator: (the page, the server's base URL). The
    browser and the server end with the block."""
    from playwright.sync_api import sync_playwright

    from tests.serving import serve_process

    flags = ["--source", "synthetic", "--user", "op:secret:operator"]
    process, base = serve_process(data, flags)
    try:
        with sync_playwright() as playwright:
            browser = launch(playwright, chromium)
            context = browser.new_context(
                http_credentials={"username": "op", "password": "secret"},
                viewport={"width": 1000, "height": 900},
            )
            page = context.new_page()
            page.goto(f"{base}{OPERATOR}?{name}")
            try:
                yield page, base
            finally:
                browser.close()
    finally:
        process.terminate()
        process.wait(timeout=20)

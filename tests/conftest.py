"""Fixtures every test directory may ask for."""

from __future__ import annotations

import pytest

from tests.browser import chromium_path


@pytest.fixture
def chromium() -> str:
    """The path of the Chromium a browser test drives (tests/browser.py)."""
    return chromium_path()

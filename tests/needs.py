"""What a test needs from the machine (a program, a service, the shared clips): without it the
test is skipped here, and fails under FOOTFALL_CI=1, where `.ci/run` installs or starts it all."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def unavailable(reason: str) -> NoReturn:
    """Skip the test saying `reason`; under FOOTFALL_CI=1 fail it instead."""
    if os.environ.get("FOOTFALL_CI") == "1":
        pytest.fail(f"FOOTFALL_CI=1: {reason}", pytrace=False)
    pytest.skip(reason)

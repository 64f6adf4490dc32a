"""What the counter is doing now, as plain JSON values: who it is, how it is set up (no
secrets), and what each part reports (`ctx.status`: the counting thread's source state, frame
rate, counts, person width and errors; occupancy and delivery). `generate-logs` bundles it as
status.json; `status.json` (operator) answers it live, for monitoring and the setup page.

    >>> counter_status(ctx)["counting"]["person_px"]      # doctest: +SKIP
    32.6
"""

from __future__ import annotations

from typing import Any

from footfall.api.actions import ApiContext
from footfall.config import redact


def counter_status(ctx: ApiContext) -> dict[str, Any]:
    """The counter's status now; a part whose report fails says so instead of failing it all."""
    status: dict[str, Any] = {
        "serial": ctx.serial,
        "name": ctx.name(),
        "started_utc": ctx.started_utc.isoformat(),
        "zone": ctx.zone().key,
        "settings": {
            "host": ctx.settings.host,
            "port": ctx.settings.port,
            "source": redact(ctx.settings.source),  # no URL credentials
            "anonymous_viewer": ctx.settings.anonymous_viewer,
            "sha256_challenge": ctx.settings.sha256_challenge,
            "basic_challenge": ctx.settings.basic_challenge,
            "cors_origins": ctx.settings.cors_origins,
            "users": {name: user.level for name, user in ctx.auth.users.items()},
        },
    }
    for key, provider in ctx.status.items():
        try:
            status[key] = provider()
        except Exception as exc:
            status[key] = f"unavailable: {exc}"
    return status

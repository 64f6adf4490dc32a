"""`footfall check-config` (placeholder until its owner lands it)."""

import typer


def check_config() -> None:
    """Not built yet."""
    raise typer.Exit(2)

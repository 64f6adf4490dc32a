"""`footfall serve` (placeholder until its owner lands it)."""

import typer


def serve() -> None:
    """Not built yet."""
    raise typer.Exit(2)

"""`footfall count` (placeholder until its owner lands it)."""

import typer


def count() -> None:
    """Not built yet."""
    raise typer.Exit(2)

"""`footfall replay` (placeholder until its owner lands it)."""

import typer


def replay() -> None:
    """Not built yet."""
    raise typer.Exit(2)

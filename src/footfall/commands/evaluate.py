"""`footfall evaluate` (placeholder until its owner lands it)."""

import typer


def evaluate() -> None:
    """Not built yet."""
    raise typer.Exit(2)

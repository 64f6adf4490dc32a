"""The `footfall` command: thin, every command calls the library (STYLE: cli.py)."""

from __future__ import annotations

import signal
import sys

import typer

from footfall.commands import check_config, count, evaluate, replay, serve

app = typer.Typer(
    help="footfall: count people from an overhead camera and serve the counts over an "
    "AXIS People Counter compatible HTTP API.",
    no_args_is_help=True,
    add_completion=False,
)
app.command("serve")(serve.serve)
app.command("replay")(replay.replay)
app.command("count")(count.count)
app.command("eval")(evaluate.evaluate)
app.command("check-config")(check_config.check_config)


PIPED_COMMANDS = ("count", "eval")  # print reports meant for pipes (`footfall count … | head`)


def main() -> None:
    """Entry point of the console script."""
    if len(sys.argv) > 1 and sys.argv[1] in PIPED_COMMANDS and hasattr(signal, "SIGPIPE"):
        # A reader that stops early (head) ends these commands quietly, as it ends Unix tools:
        # by SIGPIPE, not by a BrokenPipeError that click reports as exit status 1.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    app()

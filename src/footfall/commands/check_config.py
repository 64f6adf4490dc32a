"""`footfall check-config`: say exactly what is wrong with a config file before serving."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Annotated

import typer


def check_config(
    file: Annotated[
        Path,
        typer.Argument(
            help="A `footfall serve --config` TOML file, a users file (\\[\\[user]] tables), or a "
            "params.json; the kind is recognised from the content."
        ),
    ],
) -> None:
    """Check FILE and print OK or every problem found; exit code 0 when fine, 2 otherwise."""
    from footfall.api.params import validate_params
    from footfall.api.users import load_users_file
    from footfall.errors import BadRequest
    from footfall.server import check_settings, load_settings

    try:
        text = file.read_text(encoding="utf-8-sig")  # a BOM (Notepad) is no error
    except (OSError, UnicodeDecodeError) as exc:
        typer.echo(f"{file}: cannot read it: {exc}", err=True)
        raise typer.Exit(2) from None
    try:
        if file.suffix == ".json" or text.lstrip().startswith("{"):
            try:
                data = json.loads(text)
            except ValueError as exc:
                raise BadRequest(f"not valid JSON: {exc}") from None
            validate_params(data)
            kind = "params file"
        elif _is_users_file(text):
            users = load_users_file(file)
            kind = f"users file ({len(users)} users)"
        else:
            settings = load_settings(file, {})
            problems = check_settings(settings)
            if settings.store and not problems:  # serve would connect: so does the check
                from footfall.store.postgres import reach_problem

                unreachable = reach_problem(settings.store)
                if unreachable is not None:
                    problems.append(unreachable)
            if problems:
                for problem in problems:
                    typer.echo(f"{file}: {problem}", err=True)
                raise typer.Exit(2)
            kind = "config file"
    except BadRequest as exc:
        message = exc.message if exc.message.startswith(str(file)) else f"{file}: {exc.message}"
        typer.echo(message, err=True)
        raise typer.Exit(2) from None
    typer.echo(f"OK: {file} is a valid footfall {kind}")


def _is_users_file(text: str) -> bool:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return False
    return "user" in data

"""`footfall replay`: feed a CSV of timestamped passages into a data directory."""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from footfall.errors import BadRequest
from footfall.store.base import Passage


def replay(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV with a header naming the columns time and direction; time is ISO 8601 "
            "(2017-05-12 08:03:10, local in the counter's zone unless it carries an offset "
            "such as +02:00 or Z), direction is in or out.",
        ),
    ],
    data: Annotated[
        Path,
        typer.Option(help="Data directory of the counter (the one `footfall serve --data` uses)."),
    ] = Path("./footfall-data"),
    store: Annotated[
        str,
        typer.Option(
            help="The counter's store when it is not SQLite in --data: the postgresql:// URL "
            "that `footfall serve --store` uses.",
        ),
    ] = "",
    serial: Annotated[
        str,
        typer.Option(
            help="The counter's serial (12 hex digits), whose rows a --store database gets; "
            "as `footfall serve --serial`. Default: the host's MAC.",
        ),
    ] = "",
) -> None:
    """Add every passage of FILE to the counter's store, all or nothing.

    A bad row exits 2, naming its line, before anything is stored. Works while serve runs.
    """
    from footfall.api.app import resolve_serial
    from footfall.api.params import ParamsStore, counter_zone
    from footfall.ingest import Ingest
    from footfall.server import check_data_dir, load_settings, open_store, store_place
    from footfall.store.base import StoreUnavailable

    try:
        settings = load_settings(None, {"data": data, "store": store, "serial": serial})
        data = settings.data  # `--data=~/…` in the home directory, as serve takes it
        zone = counter_zone(ParamsStore.load(data).current)
        passages = read_passages(file, zone)
        check_data_dir(data)
        opened = open_store(settings.store, data, resolve_serial(settings.serial))
        try:
            Ingest(opened).add(passages)
        except sqlite3.Error as exc:
            raise BadRequest(f"{store_place(settings)}: nothing was stored: {exc}") from None
        except StoreUnavailable as exc:
            raise BadRequest(f"the passages could not be stored: {exc}") from None
        finally:
            opened.close()
    except BadRequest as exc:
        typer.echo(f"footfall replay: {exc.message}", err=True)
        raise typer.Exit(2) from None
    ins = sum(1 for p in passages if p.direction == "in")
    where = f"{data}" if not settings.store else store_place(settings)
    typer.echo(
        f"added {len(passages)} passages ({ins} in, {len(passages) - ins} out) to {where} "
        f"(times read in {zone.key})"
    )


def parse_time(text: str, zone: ZoneInfo) -> datetime:
    """An ISO 8601 time, local in `zone` unless it has an offset, as UTC; BadRequest if not."""
    value = text.strip()
    if not value:
        raise BadRequest("the time is empty")
    try:
        when = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise BadRequest(
            f"time {value[:40]!r} is not ISO 8601 (e.g. 2017-05-12 08:03:10)"
        ) from None
    if when.tzinfo is None:
        local = when.replace(tzinfo=zone)  # fold=0: the first of a repeated autumn hour
        utc = local.astimezone(UTC)
        if utc.astimezone(zone).replace(tzinfo=None) != when:
            raise BadRequest(f"time {value!r} does not exist in {zone.key} (the clocks skip it)")
        return utc
    return when.astimezone(UTC)


def parse_passages(lines: Iterable[str], zone: ZoneInfo) -> list[Passage]:
    """Passages from CSV lines with a `time,direction` header; BadRequest names the line."""
    reader = csv.reader(lines)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise BadRequest("line 1: the file is empty; expected a header time,direction") from None
    except csv.Error as exc:
        raise BadRequest(f"line 1: {exc}") from None
    if "time" not in header or "direction" not in header:
        raise BadRequest(
            f"line 1: the header must name the columns time and direction, got {header}"
        )
    time_col, dir_col = header.index("time"), header.index("direction")
    passages: list[Passage] = []
    try:
        for row in reader:
            line = reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise BadRequest(f"line {line}: {len(row)} fields, the header has {len(header)}")
            direction = row[dir_col].strip().lower()
            if direction not in ("in", "out"):
                raise BadRequest(f"line {line}: direction {row[dir_col][:20]!r} is not in or out")
            try:
                when = parse_time(row[time_col], zone)
            except BadRequest as exc:
                raise BadRequest(f"line {line}: {exc.message}") from None
            passages.append(Passage(when, "in" if direction == "in" else "out"))
    except csv.Error as exc:
        raise BadRequest(f"line {reader.line_num}: {exc}") from None
    return passages


def read_passages(path: Path, zone: ZoneInfo) -> list[Passage]:
    """Passages of a CSV file (see `parse_passages`)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return parse_passages(handle, zone)
    except OSError as exc:
        raise BadRequest(f"{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise BadRequest(f"{path}: not UTF-8 text") from None

"""`footfall serve`: run the counter's HTTP API (and count a video source)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from footfall.errors import BadRequest


def serve(
    data: Annotated[
        Path | None,
        typer.Option(
            help="Data directory: counts.sqlite3, params.json, person-size.json, footfall.log. "
            "Default: ./footfall-data."
        ),
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="TCP port to listen on; 0 picks a free one. Default: 8080.")
    ] = None,
    host: Annotated[
        str | None,
        typer.Option(help="Address to listen on; 0.0.0.0 for every interface. Default: 127.0.0.1."),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            help="What to count: none (API only), synthetic (a simulated scene), a video FILE, "
            "an rtsp://, http(s)://, rtmp://, udp://, rtp:// or tcp:// URL, or a camera device "
            "index. Default: none."
        ),
    ] = None,
    loop: Annotated[
        bool | None,
        typer.Option("--loop/--no-loop", help="Start a file source again when it ends."),
    ] = None,
    source_fps: Annotated[
        float | None,
        typer.Option(
            help="The frame rate of a file source that states none (a raw .h264 stream is "
            "played at 25 fps) or a wrong one. Default: the file's."
        ),
    ] = None,
    detector: Annotated[
        str | None,
        typer.Option(
            help="How people are found: foreground (overhead cameras: motion segmentation with "
            "a person-size model), net (the shipped pedestrian network, for oblique cameras) or "
            "the path of an ONNX person-detection model (SSD, YOLO or end-to-end YOLO layout). "
            "Default: foreground."
        ),
    ] = None,
    user: Annotated[
        list[str] | None,
        typer.Option(
            help="A user NAME:PASSWORD:LEVEL, LEVEL one of viewer, operator, admin (default "
            "viewer). Repeatable; replaces the users of the config file."
        ),
    ] = None,
    users_file: Annotated[
        Path | None,
        typer.Option(
            help="TOML users file: a user table per user, plain or hashed passwords (docs/api.md)."
        ),
    ] = None,
    anonymous_viewer: Annotated[
        bool | None,
        typer.Option(
            "--anonymous-viewer/--no-anonymous-viewer",
            help="Let requests without credentials use the viewer (.api) actions. Default: off.",
        ),
    ] = None,
    serial: Annotated[
        str | None,
        typer.Option(help="Serial number: 12 hexadecimal digits. Default: the host's MAC."),
    ] = None,
    sha256: Annotated[
        bool | None,
        typer.Option(
            "--sha256/--no-sha256",
            help="Also offer a Digest SHA-256 challenge, after the MD5 one. Default: off.",
        ),
    ] = None,
    basic_challenge: Annotated[
        bool | None,
        typer.Option(
            "--basic-challenge/--no-basic-challenge",
            help="Also offer a Basic challenge, after the Digest ones, for clients that send "
            "Basic only when challenged (Python urllib HTTPBasicAuthHandler, Java HttpClient "
            "Authenticator). Default: off (one Digest challenge).",
        ),
    ] = None,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option(
            help="A browser origin (scheme://host[:port]) allowed to call the API from its "
            "pages, e.g. a dashboard; * allows any origin (without browser credentials). "
            "Repeatable. Default: none (no CORS headers).",
        ),
    ] = None,
    store: Annotated[
        str | None,
        typer.Option(
            help="Where the counts live: a postgresql:// (or postgres://) URL, e.g. "
            "postgresql://footfall:PASSWORD@db.example.org/counts, for one database shared by "
            "many counters (rows carry the serial). Default: SQLite, counts.sqlite3 in --data.",
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            help="TOML file with the same settings (data, host, port, source, loop, source_fps, "
            "detector, users, users_file, anonymous_viewer, serial, sha256_challenge, "
            "basic_challenge, cors_origins, store); flags override it."
        ),
    ] = None,
) -> None:
    """Serve the AXIS-compatible people counter API, e.g.
    `footfall serve --data DIR --port 8080 --source none --user root:pass:admin`."""
    from footfall.api.users import parse_user_option
    from footfall.server import check_settings, load_settings
    from footfall.server import serve as run

    try:
        users = [parse_user_option(u).model_dump() for u in user] if user else None
        settings = load_settings(
            config,
            {
                "data": data,
                "port": port,
                "host": host,
                "source": source,
                "loop": loop,
                "source_fps": source_fps,
                "detector": detector,
                "users": users,
                "users_file": users_file,
                "anonymous_viewer": anonymous_viewer,
                "serial": serial,
                "sha256_challenge": sha256,
                "basic_challenge": basic_challenge,
                "cors_origins": cors_origin,
                "store": store,
            },
        )
        problems = check_settings(settings)
        if problems:
            for problem in problems:
                typer.echo(f"footfall serve: {problem}", err=True)
            raise typer.Exit(2)
        run(settings)
    except BadRequest as exc:
        typer.echo(f"footfall serve: {exc.message}", err=True)
        raise typer.Exit(2) from None

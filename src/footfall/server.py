"""Runs one counter: settings -> store, params, app, counting -> uvicorn on a socket.

`load_settings(config_file, overrides)` merges a TOML config file with command-line values
(flags win); `serve(settings)` blocks until SIGINT/SIGTERM.
"""

from __future__ import annotations

import fcntl
import importlib
import logging
import os
import re
import signal
import socket
import sqlite3
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import IO, Any, Protocol

import uvicorn
from pydantic import ValidationError

from footfall.api.actions import ApiContext
from footfall.api.app import Plugin, create_app, resolve_serial
from footfall.api.check_fit import install_check_fit
from footfall.api.check_page import install_check_page
from footfall.api.check_record import install_check_record
from footfall.api.logs import LOG_FORMAT, LOGGERS, install_file_log
from footfall.api.params import ParamsStore
from footfall.api.setup_page import install_setup_page
from footfall.api.users import build_credentials
from footfall.api.view import install_view
from footfall.config import ServerSettings, hide_url_password, read_toml, redact
from footfall.errors import BadRequest
from footfall.http1 import protocol_class
from footfall.ingest import Ingest
from footfall.store.base import Store, StoreUnavailable
from footfall.store.migrate import SchemaError
from footfall.vision.recorder import CHECKS_DIR, Recorder
from footfall.vision.sizestate import SIZE_FILE
from footfall.vision.types import Frame, View

log = logging.getLogger("footfall.server")

STORE_FILE = "counts.sqlite3"
LOCK_FILE = "serve.lock"
# Modules that extend the app when present: "module:function", function(ctx: ApiContext).
PLUGINS: tuple[str, ...] = ("footfall.api.occupancy:install",)


class CountingHandle(Protocol):
    """What `footfall.pipeline.start_counting` returns."""

    frame_listeners: list[Callable[[Frame], None]]  # each frame as counted goes to these too
    rate: float  # frames a second counted at

    def stop(self) -> None:
        """Stop counting."""
        ...

    def status(self) -> dict[str, Any]:
        """Frames, fps, last error and the like."""
        ...

    def latest(self) -> View | None:
        """The last frame analysed, with its tracks."""
        ...


PATH_KEYS = ("data", "users_file", "source", "detector")  # settings that may name a file


def read_config_file(path: Path) -> dict[str, Any]:
    """The TOML config file as a dict; relative paths in it are relative to the file, and
    `~/…` is the home directory's."""
    data = read_toml(path, "config file")
    for key in PATH_KEYS:
        value = home_expanded(key, data.get(key))
        if isinstance(value, str) and value.strip() and _names_a_relative_file(key, value):
            value = str(path.parent / value)
        if key in data:
            data[key] = value
    return data


def home_expanded(key: str, value: Any) -> Any:
    """A path setting's `~/…` (or `~user/…`) in the home directory, as a shell would put it: a
    TOML file, a systemd unit or `--data=~/…` get no shell's expansion, and `~` became a
    directory of that name in the working directory."""
    text = str(value).strip() if isinstance(value, str | Path) else ""
    if key in PATH_KEYS and text.startswith("~") and _names_a_relative_file(key, text):
        return os.path.expanduser(text)
    return value


def _names_a_relative_file(key: str, value: str) -> bool:
    """Whether a config value is a relative path: not a URL, a camera index, none, synthetic,
    foreground or net."""
    if Path(value).is_absolute():
        return False
    if key == "source":
        from footfall.vision.source import URL_SCHEME, source_kind

        return source_kind(value) == "file" and URL_SCHEME.match(value.strip()) is None
    if key == "detector":
        return value.strip().lower() not in ("foreground", "net")
    return True


def settings_sentence(exc: ValidationError, where: str) -> str:
    """The first settings error as a sentence naming the key."""
    error = exc.errors()[0]
    key = ".".join(str(part) for part in error["loc"]) or "settings"
    return f"{where}: {key}: {str(error['msg']).removeprefix('Value error, ')}"


def load_settings(config_file: Path | None, overrides: Mapping[str, Any]) -> ServerSettings:
    """ServerSettings from the config file (if any) with `overrides` (non-None values) on top."""
    data: dict[str, Any] = read_config_file(config_file) if config_file is not None else {}
    data.update(
        {key: home_expanded(key, value) for key, value in overrides.items() if value is not None}
    )
    where = str(config_file) if config_file is not None else "settings"
    try:
        settings = ServerSettings.model_validate(data)
    except ValidationError as exc:
        raise BadRequest(settings_sentence(exc, where)) from None
    resolve_serial(settings.serial)  # fail early on a bad serial
    return settings


def check_settings(settings: ServerSettings) -> list[str]:
    """Everything that `serve` would refuse, as sentences (empty when fine)."""
    problems: list[str] = []
    try:
        resolve_serial(settings.serial)
    except BadRequest as exc:
        problems.append(exc.message)
    try:
        build_credentials(settings.users, settings.users_file)
    except BadRequest as exc:
        problems.append(exc.message)
    from footfall.pipeline import check_source, make_detector

    # The checks serve itself makes before it starts counting, so check-config says the same.
    for check, value in ((check_source, settings.source), (make_detector, settings.detector)):
        if check is check_source and value == "none":
            continue
        try:
            check(value)
        except BadRequest as exc:
            problems.append(exc.message)
    problems.extend(cors_problems(settings.cors_origins))
    if settings.store:
        from footfall.store.postgres import url_problem

        problem = url_problem(settings.store)
        if problem is not None:
            problems.append(problem)
    if settings.data.exists() and not settings.data.is_dir():
        problems.append(f"data {settings.data} exists and is not a directory")
    elif (settings.data / "params.json").exists():
        try:
            ParamsStore.load(settings.data)
        except BadRequest as exc:
            problems.append(exc.message)
    return problems


_ORIGIN = re.compile(r"https?://[^/?#\s]+")


def cors_problems(origins: Sequence[str]) -> list[str]:
    """Sentences for CORS origins that a browser could never send (a path, no scheme...)."""
    return [
        f"cors origin {origin!r} is not * or scheme://host[:port] (no path, no trailing /)"
        for origin in origins
        if origin != "*" and not _ORIGIN.fullmatch(origin)
    ]


def load_plugins(names: Sequence[str] = PLUGINS) -> list[Plugin]:
    """The `install` functions of the plugin modules that exist in this build."""
    plugins: list[Plugin] = []
    for spec in names:
        module_name, _, attr = spec.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and module_name.startswith(exc.name):
                log.debug("plugin %s is not in this build", module_name)
                continue
            raise
        install = getattr(module, attr, None)
        if callable(install):
            plugins.append(install)
    return plugins


def start_source(settings: ServerSettings, params: ParamsStore, ingest: Ingest) -> CountingHandle:
    """Start counting `settings.source` through `footfall.pipeline.start_counting`."""
    pipeline = importlib.import_module("footfall.pipeline")
    start = getattr(pipeline, "start_counting", None)
    if start is None:
        raise BadRequest(
            f"--source {redact(settings.source)}: this build cannot count video yet "
            "(footfall.pipeline.start_counting is missing); use --source none"
        )
    for note in unused_source_options(settings):
        log.warning("%s", note)
    handle: CountingHandle = start(
        settings.source,
        settings.loop,
        lambda: params.current,
        ingest,
        detector=settings.detector,
        size_file=settings.data / SIZE_FILE,
        source_fps=settings.source_fps,
    )
    return handle


def unused_source_options(settings: ServerSettings) -> list[str]:
    """What `--loop` and `--source-fps` do not do for a source that is not a file: a sentence
    each (they were ignored without a word)."""
    from footfall.vision.source import source_kind

    kind = source_kind(settings.source)
    if kind == "file":
        return []
    what = {"stream": "a stream", "camera": "a camera", "synthetic": "the synthetic scene"}
    source = what.get(kind, kind)
    notes = []
    if settings.loop:
        notes.append(f"--loop loops a video file; {source} is not one: it is not looped")
    if settings.source_fps is not None:
        notes.append(
            f"--source-fps sets a video file's frame rate; {source} is timed by its own "
            "frames: it is not used"
        )
    return notes


def open_store(url: str, data: Path, serial: str) -> Store:
    """The counts' store: SQLite in `data` when `url` is empty, else the PostgreSQL database
    that `url` names (the rows of `serial`); BadRequest saying why it cannot be opened."""
    from footfall.store.sqlite import SQLiteStore

    if not url:
        try:
            return SQLiteStore(data / STORE_FILE)
        except (OSError, sqlite3.Error, SchemaError) as exc:
            raise BadRequest(f"data directory {data}: cannot open the store: {exc}") from None
    import psycopg

    from footfall.store.postgres import PostgresStore, one_line, scrub

    try:
        return PostgresStore(url, serial)
    except (StoreUnavailable, SchemaError, ValueError) as exc:
        raise BadRequest(f"cannot open the store: {exc}") from None
    except psycopg.Error as exc:  # e.g. no right to create the tables
        shown, reason = hide_url_password(url), scrub(one_line(exc), url)
        raise BadRequest(f"cannot open the store: PostgreSQL {shown}: {reason}") from None


def store_place(settings: ServerSettings) -> str:
    """Where the counts live, for the log (never a password)."""
    return hide_url_password(settings.store) if settings.store else str(settings.data / STORE_FILE)


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket (port 0 picks a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise BadRequest(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def check_data_dir(data: Path) -> None:
    """Create the data directory if needed and prove it writable; BadRequest saying why not."""
    probe = data / ".footfall-write-test"
    if data.exists() and not data.is_dir():
        raise BadRequest(f"the data directory {data} exists and is not a directory")
    try:
        data.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
        for name in (STORE_FILE, f"{STORE_FILE}-wal", f"{STORE_FILE}-shm", "params.json"):
            path = data / name
            if path.exists():
                path.open("r+b").close()  # SQLite and the params writer need write access
    except OSError as exc:
        where = exc.filename or data
        raise BadRequest(
            f"the data directory {data} is not usable: {where}: {exc.strerror}; footfall "
            "keeps its counts, parameters and log there, so it must be writable"
        ) from None


def lock_data_dir(data: Path) -> IO[str]:
    """Hold `<data>/serve.lock` while serving; BadRequest if another `serve` holds it.

    Two servers on one directory would both send the outbox (duplicates on MQTT and webhooks)
    and take each other's passages in late. `footfall replay` takes no lock: it may run beside.
    """
    handle = (data / LOCK_FILE).open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise BadRequest(
            f"the data directory {data} is in use by another footfall serve ({holder}); "
            "stop it or give this one its own --data"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}\n")
    handle.flush()
    return handle


def _console_logging() -> None:
    """Log footfall's and uvicorn's messages (start-up failures included) to stderr, once."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(getattr(h, "_footfall_console", False) for h in logger.handlers):
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter(LOG_FORMAT))
            handler._footfall_console = True  # type: ignore[attr-defined]
            logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def _finish_on_stop_signals() -> None:
    """After its graceful shutdown uvicorn raises the signal it caught again, with the handler
    that was there before it started. Python's default for SIGTERM ends the process at once, so
    the counting thread would never flush and the store never close. For SIGINT it left the
    exit to asyncio's runner (it cancels the server's task and makes that a KeyboardInterrupt,
    status 130), and once in many stops under load the process ended with status 0 instead.
    Both exit through SystemExit (143 for SIGTERM, 130 for SIGINT, as the signal would), which
    runs `serve`'s cleanup first."""
    if threading.current_thread() is not threading.main_thread():
        return

    def finish(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, finish)


def serve(settings: ServerSettings, *, plugins: Sequence[Plugin] | None = None) -> None:
    """Serve the API (and count the source) until interrupted."""
    check_data_dir(settings.data)
    lock = lock_data_dir(settings.data)
    _console_logging()
    try:
        file_handler = install_file_log(settings.data)
        params = ParamsStore.load(settings.data)
    except OSError as exc:
        lock.close()
        raise BadRequest(f"data directory {settings.data}: cannot start: {exc}") from None
    try:
        store = open_store(settings.store, settings.data, resolve_serial(settings.serial))
    except BadRequest:
        logging.getLogger("footfall").removeHandler(file_handler)
        file_handler.close()
        lock.close()
        raise
    ingest = Ingest(store)
    counting: CountingHandle | None = None
    try:
        app = create_app(
            settings,
            params,
            store,
            ingest=ingest,
            plugins=load_plugins() if plugins is None else plugins,
        )
        ctx: ApiContext = app.state.ctx
        if not ctx.auth.users and not settings.anonymous_viewer:
            log.warning("no users and no anonymous viewer: every request will get 401")
        if settings.source != "none":
            counting = start_source(settings, params, ingest)
            ctx.status["counting"] = counting.status
        install_view(ctx, counting.latest if counting is not None else None)
        install_setup_page(ctx)
        install_check_page(ctx)
        install_check_fit(ctx, settings.data / CHECKS_DIR)
        if counting is not None:
            recorder = Recorder(settings.data / CHECKS_DIR)
            counting.frame_listeners.append(recorder.offer)
            install_check_record(ctx, recorder, lambda: counting.rate)
        sock = bind(settings.host, settings.port)
        host, port = sock.getsockname()[:2]
        config = uvicorn.Config(
            app,
            http=protocol_class(),  # keeps the body of Java's h2c upgrade requests (http1.py)
            access_log=False,
            log_config=None,
            lifespan="on",
            timeout_keep_alive=30,
            timeout_graceful_shutdown=5,  # a long export never holds up a stop
        )
        log.info(
            "counter %s (%s), data in %s, counts in %s",
            ctx.serial,
            ctx.name(),
            settings.data,
            store_place(settings),
        )
        print(f"footfall: serving on http://{host}:{port}/local/tvpc/.api", flush=True)
        if counting is not None:
            log.info(
                "draw the counting area at http://%s:%d/local/tvpc/.apioperator?setup.html"
                " (an operator's login), and check the count against a hand count at"
                " http://%s:%d/local/tvpc/.apioperator?check.html",
                host,
                port,
                host,
                port,
            )
        _finish_on_stop_signals()
        uvicorn.Server(config).run(sockets=[sock])
    except (sqlite3.Error, SchemaError) as exc:  # a plugin opening its tables at start-up
        raise BadRequest(f"data directory {settings.data}: cannot start: {exc}") from None
    finally:
        if counting is not None:
            counting.stop()
        store.close()
        logging.getLogger("footfall").removeHandler(file_handler)
        file_handler.close()
        lock.close()

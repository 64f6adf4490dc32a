"""The action registry: action name -> handler, level, endpoints, methods (SPEC §1).

`api/vendor.py` registers the vendor actions; other modules register theirs (or replace a stub,
e.g. the occupancy actions) through an `install(ctx)` plugin passed to `create_app`, without
editing vendor.py:

    def install(ctx: ApiContext) -> None:
        ctx.actions.register(Action("live-occupancy.json", handler, needs_occupancy=True),
                             replace=True)

A handler receives a `Call` and returns a Starlette `Response`; it raises `BadRequest` for
anything the client got wrong.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from footfall.api.auth import Authenticator, Principal
from footfall.api.logs import LogRing
from footfall.api.params import ParamsStore, counter_zone
from footfall.config import Level, ServerSettings
from footfall.errors import BadRequest
from footfall.ingest import Ingest
from footfall.store.base import Store

if TYPE_CHECKING:
    from footfall.api.vendor import LiveTotals

Endpoint = Literal["api", "apioperator"]
ENDPOINT_LEVEL: dict[str, Level] = {"api": "viewer", "apioperator": "operator"}
BOTH: frozenset[Endpoint] = frozenset(("api", "apioperator"))
OPERATOR_ONLY: frozenset[Endpoint] = frozenset(("apioperator",))
READ_METHODS = frozenset(("GET", "HEAD", "POST"))


@dataclass(frozen=True, slots=True)
class Call:
    """One dispatched request as a handler sees it."""

    ctx: ApiContext
    request: Request
    action: str
    pairs: tuple[tuple[str, str], ...]  # every decoded key=value of the query (and form body)
    principal: Principal
    endpoint: Endpoint
    prefix: str  # e.g. "/local/tvpc"
    body: bytes = b""

    def param(self, key: str) -> str | None:
        """The first value of query parameter `key`, or None."""
        for name, value in self.pairs:
            if name == key:
                return value
        return None


Handler = Callable[[Call], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class Action:
    """An action and who may call it where."""

    name: str
    handler: Handler
    level: Level = "viewer"  # on top of the endpoint's own level
    endpoints: frozenset[Endpoint] = BOTH
    methods: frozenset[str] = READ_METHODS
    needs_occupancy: bool = False  # 409 "occupancy is not enabled" while Occupancy.Enable is 0
    prefixes: frozenset[str] | None = None  # None: every prefix


class ActionRegistry:
    """Action name -> Action; a name is registered once unless `replace=True`."""

    def __init__(self) -> None:
        self._actions: dict[str, Action] = {}

    def register(self, action: Action, *, replace: bool = False) -> None:
        """Add `action`; ValueError if its name is taken and `replace` is False."""
        if action.name in self._actions and not replace:
            raise ValueError(f"action {action.name!r} is already registered")
        self._actions[action.name] = action

    def get(self, name: str) -> Action | None:
        """The action called `name`, or None."""
        return self._actions.get(name)

    def names(self) -> list[str]:
        """Every registered action name, sorted."""
        return sorted(self._actions)


@dataclass(eq=False)
class ApiContext:
    """Everything the handlers share; plugins receive it in `install(ctx)`."""

    settings: ServerSettings
    params: ParamsStore
    store: Store
    ingest: Ingest | None
    serial: str
    auth: Authenticator
    actions: ActionRegistry
    live: LiveTotals
    log_ring: LogRing
    routes: list[BaseRoute] = field(default_factory=list)  # extra routes, e.g. an SSE stream
    on_clear: list[Callable[[], None]] = field(default_factory=list)  # after clear-data
    status: dict[str, Callable[[], object]] = field(default_factory=dict)  # for generate-logs
    on_startup: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    on_shutdown: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    started_utc: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def data_dir(self) -> Path | None:
        """Where params.json and the log file live (None for a memory-only app)."""
        return self.params.path.parent if self.params.path is not None else None

    def zone(self) -> ZoneInfo:
        """The counter's time zone (SPEC §2)."""
        return counter_zone(self.params.current)

    def name(self) -> str:
        """The counter's name: `Counter.Name`, default `footfall-<SERIAL>` (SPEC §2 decision)."""
        return self.params.current.Counter.Name or f"footfall-{self.serial}"

    def local_timestamp(self, now_utc: datetime | None = None) -> str:
        """Local wall-clock `YYYYMMDDhhmmss` (SPEC §2)."""
        now = now_utc if now_utc is not None else datetime.now(UTC)
        return now.astimezone(self.zone()).strftime("%Y%m%d%H%M%S")


def parse_query(raw: bytes) -> tuple[str | None, list[tuple[str, str]]]:
    """(action, pairs) of a raw query: the action is the first item without '=' (SPEC §1)."""
    action: str | None = None
    pairs: list[tuple[str, str]] = []
    for item in raw.split(b"&"):
        if not item:
            continue
        key_raw, sep, value_raw = item.partition(b"=")
        key = _decode(key_raw)
        if not sep:
            if action is None:
                action = key
            continue
        pairs.append((key, _decode(value_raw)))
    return action, pairs


def parse_form(body: bytes) -> list[tuple[str, str]]:
    """Every key=value of an urlencoded body; items without '=' are kept with an empty value."""
    pairs: list[tuple[str, str]] = []
    for item in body.split(b"&"):
        item = item.strip(b"\r\n ")
        if item:
            key, _, value = item.partition(b"=")
            pairs.append((_decode(key), _decode(value)))
    return pairs


def _decode(raw: bytes) -> str:
    try:
        text = raw.decode("ascii")
        return urllib.parse.unquote_plus(text, errors="strict")
    except UnicodeError:
        raise BadRequest(
            "the query or body is not valid percent-encoded UTF-8 near "
            + repr(raw[:30].decode("latin-1"))
        ) from None

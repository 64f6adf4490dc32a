"""The one place that assembles the HTTP app (STYLE habit 13); tests build it the same way.

    app = create_app(settings, ParamsStore.load(data), SQLiteStore(data / "counts.sqlite3"))

Routes: `<prefix>/.api` and `<prefix>/.apioperator` dispatch actions from the registry for every
prefix of SPEC §1; `<prefix>/appdata.dtd` serves the XML DTD. Plugins (`install(ctx)`) add
actions, routes, params validators and start/stop hooks before the routes are frozen.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from footfall.api.actions import (
    ENDPOINT_LEVEL,
    ActionRegistry,
    ApiContext,
    Call,
    Endpoint,
    parse_form,
    parse_query,
)
from footfall.api.auth import Authenticator, AuthFailure, Credential, Principal
from footfall.api.auth import level_allows as allows
from footfall.api.formats import APPDATA_DTD
from footfall.api.logs import LogRing
from footfall.api.params import ParamsStore
from footfall.api.users import build_credentials
from footfall.api.vendor import LiveTotals, register_vendor
from footfall.config import ServerSettings
from footfall.errors import BadRequest
from footfall.ingest import Ingest
from footfall.store.base import Store, StoreUnavailable

log = logging.getLogger(__name__)

PREFIXES = ("/local/tvpc", "/local/people-counter", "/local/occupancy-estimator", "/tvpc")
MAX_BODY_BYTES = 64 * 1024
METHODS = frozenset(("GET", "HEAD", "POST"))
# POST bodies read as something else than a urlencoded form: refused, not silently empty.
UNREAD_BODIES = frozenset(
    ("application/json", "multipart/form-data", "application/xml", "text/xml")
)
ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]  # we answer 405 ourselves
RETENTION_EVERY_S = 86400.0
Plugin = Callable[[ApiContext], None]


def resolve_serial(configured: str) -> str:
    """The configured serial (12 hex digits, any case, colons allowed) or the host's MAC."""
    if not configured:
        node = uuid.getnode()
        if node & (1 << 40):  # the multicast bit: no MAC was found, this one is random
            log.warning("no MAC address found: serial %012X changes per run; set --serial", node)
        return f"{node:012X}"
    serial = configured.replace(":", "").replace("-", "").upper()
    if not re.fullmatch(r"[0-9A-F]{12}", serial):
        raise BadRequest(f"serial {configured!r} is not 12 hexadecimal digits")
    return serial


def text(message: str, status: int, headers: dict[str, str] | None = None) -> Response:
    """A plain-text sentence, newline-terminated."""
    return PlainTextResponse(message.rstrip("\n") + "\n", status_code=status, headers=headers)


def unauthorized(auth: Authenticator, message: str, *, stale: bool = False) -> Response:
    """401 with a fresh Digest challenge (SPEC §1: one MD5 challenge, SHA-256 after if set)."""
    response = text(message, 401)
    for challenge in auth.challenges(stale=stale):
        response.headers.append("WWW-Authenticate", challenge)
    return response


def raw_target(request: Request) -> str:
    """The request target as sent: percent-encoded path and query (what Digest `uri` names)."""
    scope = request.scope
    path: bytes = scope.get("raw_path") or scope["path"].encode()
    query: bytes = scope.get("query_string", b"")
    return (path + b"?" + query if query else path).decode("latin-1")


async def read_body(request: Request) -> bytes:
    """The body, refusing more than MAX_BODY_BYTES with 413."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise BadRequest(f"the body is larger than {MAX_BODY_BYTES} bytes", status=413)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise BadRequest(f"the body is larger than {MAX_BODY_BYTES} bytes", status=413)
        chunks.append(chunk)
    return b"".join(chunks)


def make_dispatch(ctx: ApiContext, prefix: str, endpoint: Endpoint) -> Callable[..., Any]:
    """The handler of `<prefix>/.api` or `<prefix>/.apioperator`."""

    async def dispatch(request: Request) -> Response:
        try:
            response = await _dispatch(ctx, prefix, endpoint, request)
        except BadRequest as exc:
            response = text(exc.message, exc.status)
        except StoreUnavailable as exc:
            response = store_unavailable(exc)
        except Exception:
            log.exception("internal error on %s %s", request.method, raw_target(request)[:200])
            response = text("internal error; the details are in show-logs", 500)
        # Counts change all the time: no browser or proxy may answer from a cache.
        response.headers.setdefault("cache-control", "no-store")
        return response

    return dispatch


async def _dispatch(ctx: ApiContext, prefix: str, endpoint: Endpoint, request: Request) -> Response:
    method = request.method
    if method not in METHODS:
        return text(f"method {method} is not allowed; use GET or POST", 405)
    target = raw_target(request)
    try:
        principal = ctx.auth.authenticate(request.headers.get("authorization"), method, target)
    except AuthFailure as failure:
        return unauthorized(ctx.auth, failure.message, stale=failure.stale)
    if principal is None:
        return unauthorized(ctx.auth, "authentication required")
    need = ENDPOINT_LEVEL[endpoint]
    if not allows(principal.level, need):
        return unauthorized(ctx.auth, _refused(f".{endpoint}", need, principal))
    action_name, pairs = parse_query(request.scope.get("query_string", b""))
    if action_name is None:
        action_name = _action_from_pairs(pairs, ctx.actions)
    body = b""
    if method == "POST":
        body = await read_body(request)
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if body and media in UNREAD_BODIES:
            return text(
                f"the body is {media}; send the parameters urlencoded "
                "(application/x-www-form-urlencoded), e.g. setparams&Counter.Height=280",
                415,
            )
        if body:
            body_pairs = parse_form(body)
            if action_name is None:
                action_name = _action_from_body(body, body_pairs, ctx.actions)
            pairs.extend(p for p in body_pairs if p[0] != action_name)
    if action_name is None:
        return text(
            "no action given; ask e.g. ?live-sum.json (the first query item without '=')", 400
        )
    action = ctx.actions.get(action_name)
    if action is None:
        return text(f"unknown action {_show(action_name)}", 404)
    if endpoint not in action.endpoints:
        return text(f"action {action.name} is served on .apioperator only", 404)
    if action.prefixes is not None and prefix not in action.prefixes:
        return text(f"action {action.name} is not served under {prefix}/", 404)
    if method not in action.methods:
        return text(f"action {action.name} does not take {method}", 405)
    if not allows(principal.level, action.level):
        return unauthorized(ctx.auth, _refused(action.name, action.level, principal))
    if action.needs_occupancy and not ctx.params.current.Occupancy.Enable:
        return text("occupancy is not enabled", 409)
    call = Call(ctx, request, action.name, tuple(pairs), principal, endpoint, prefix, body)
    return await action.handler(call)


def _action_from_pairs(pairs: list[tuple[str, str]], actions: ActionRegistry) -> str | None:
    """Without a bare item, the first `name=` that names an action (and it leaves `pairs`).

    SPEC §1's action has no '=', but URL builders always write one: Python requests and httpx
    `params={"live-sum.json": ""}`, JavaScript `URLSearchParams` and axios give `live-sum.json=`.
    """
    for index, (key, _) in enumerate(pairs):
        if actions.get(key) is not None:
            del pairs[index]
            return key
    return None


def _action_from_body(
    body: bytes, pairs: list[tuple[str, str]], actions: ActionRegistry
) -> str | None:
    for item in body.split(b"&"):
        item = item.strip(b"\r\n ")
        if item and b"=" not in item:
            return parse_query(item)[0]
    for key, _ in pairs:  # the vendor's first form ends with `setparams=needstobeincluded`
        if actions.get(key) is not None:
            return key
    return None


def _refused(what: str, need: str, principal: Principal) -> str:
    who = principal.name or "anonymous"
    return f"{what} needs {need} level; {who} has {principal.level} level"


def _show(value: str) -> str:
    shown = "".join(c if c.isprintable() else "?" for c in value[:60])
    return repr(shown) + ("..." if len(value) > 60 else "")


async def _dtd(request: Request) -> Response:
    return Response(APPDATA_DTD, media_type="application/xml-dtd")


async def _not_found(request: Request) -> Response:
    return text(f"no such path {request.url.path[:100]}; the API is under /local/tvpc/.api", 404)


def store_unavailable(exc: StoreUnavailable) -> Response:
    """503: the counts' database is out of reach for now (the log says where and why)."""
    log.warning("store unavailable: %s", exc)
    return text("the count database does not answer; try again shortly", 503, {"Retry-After": "5"})


async def _store_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StoreUnavailable)
    return store_unavailable(exc)


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("internal error on %s %s", request.method, request.url.path[:200], exc_info=exc)
    return text("internal error; the details are in show-logs", 500)


def cors_middleware(origins: Sequence[str]) -> list[Middleware]:
    """Opt-in CORS for browser dashboards (docs/clients.md): none unless origins are given.

    Listed origins are echoed with credentials allowed (the browser may send its cached Digest
    or Basic login); `*` allows any origin without credentials (an explicit Authorization header
    still works). Preflights are answered without authentication, as browsers send them bare.
    A browser Digest client must read the challenge, so WWW-Authenticate is exposed.
    """
    if not origins:
        return []
    any_origin = "*" in origins
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=["*"] if any_origin else list(origins),
            allow_methods=sorted(METHODS),
            allow_headers=["Authorization", "Content-Type", "X-Requested-With"],
            allow_credentials=not any_origin,
            allow_private_network=True,  # a counter usually lives on a private network
            expose_headers=["WWW-Authenticate", "Content-Disposition"],
            max_age=600,
        )
    ]


def create_app(
    settings: ServerSettings,
    params_store: ParamsStore,
    store: Store,
    *,
    ingest: Ingest | None = None,
    credentials: Sequence[Credential] | None = None,
    plugins: Sequence[Plugin] = (),
    log_ring: LogRing | None = None,
    retention: bool = True,
    live_refresh_s: float = 1.0,
) -> Starlette:
    """The footfall HTTP app: vendor actions on every prefix, auth, plugins (see module doc)."""
    serial = resolve_serial(settings.serial)
    users = (
        list(credentials)
        if credentials is not None
        else build_credentials(settings.users, settings.users_file)
    )
    auth = Authenticator(
        users,
        f"AXIS_{serial}",
        anonymous_viewer=settings.anonymous_viewer,
        sha256_challenge=settings.sha256_challenge,
        basic_challenge=settings.basic_challenge,
    )
    ring = log_ring if log_ring is not None else LogRing()
    ring.attach()
    holder: list[ApiContext] = []
    live = LiveTotals(store, lambda: holder[0].zone(), refresh_s=live_refresh_s)
    registry = ActionRegistry()
    register_vendor(registry)
    ctx = ApiContext(settings, params_store, store, ingest, serial, auth, registry, live, ring)
    holder.append(ctx)
    if ingest is not None:
        ingest.subscribe(live.on_passage)
    for plugin in plugins:
        plugin(ctx)
    routes: list[BaseRoute] = []
    for prefix in PREFIXES:
        for endpoint in ("api", "apioperator"):
            routes.append(
                Route(
                    f"{prefix}/.{endpoint}",
                    make_dispatch(ctx, prefix, endpoint),
                    methods=ANY_METHOD,
                )
            )
        routes.append(Route(f"{prefix}/appdata.dtd", _dtd, methods=["GET", "HEAD"]))
    routes.extend(ctx.routes)
    routes.append(Route("/{path:path}", _not_found, methods=ANY_METHOD))
    app = Starlette(
        routes=routes,
        middleware=cors_middleware(settings.cors_origins),
        lifespan=_lifespan(ctx, retention),
        exception_handlers={StoreUnavailable: _store_error, Exception: _server_error},
    )
    app.state.ctx = ctx
    return app


def _lifespan(
    ctx: ApiContext, retention: bool
) -> Callable[[Starlette], contextlib.AbstractAsyncContextManager[None]]:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(_retention_loop(ctx)) if retention else None
        for hook in ctx.on_startup:
            await hook()
        try:
            yield
        finally:
            for hook in ctx.on_shutdown:
                try:
                    await hook()
                except Exception:
                    log.exception("shutdown hook %r failed", hook)
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            ctx.log_ring.detach()

    return lifespan


async def _retention_loop(ctx: ApiContext) -> None:
    """Purge bins older than Storage.RetentionDays at start and then daily."""
    while True:
        days = ctx.params.current.Storage.RetentionDays
        cutoff = int(time.time()) - days * 86400
        try:
            removed = await run_in_threadpool(ctx.store.purge_before, cutoff)
            if removed:
                log.info("retention: removed %d rows older than %d days", removed, days)
                ctx.live.invalidate()
        except Exception:
            log.exception("retention purge failed")
        await asyncio.sleep(RETENTION_EVERY_S)

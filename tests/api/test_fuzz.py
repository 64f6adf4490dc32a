"""Arbitrary query strings, bodies and Authorization headers never make the app answer a 5xx."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from footfall.api.app import create_app
from footfall.api.params import ParamsStore
from footfall.config import ServerSettings, User
from footfall.store.sqlite import SQLiteStore

BASIC = b"Basic " + base64.b64encode(b"root:pass")
WORDS = [
    b"live-sum.json", b"export-csv", b"export-json", b"export-xml", b"export-cnt", b"list-cnt.json",
    b"params.json", b"cntpos.json", b"setparams", b"date=", b"res=", b"&", b"=", b"%", b"%2C",
    b"%FF", b"20170512", b"-", b",", b"all", b"15m", b"24h", b"Counter.Height=", b"p1=", b"v1=",
    b"Counter.Name=", b"Area.Right=", b"+", b"clear-data",
]  # fmt: skip


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Starlette]:
    data: Path = tmp_path_factory.mktemp("fuzz")
    store = SQLiteStore(data / "counts.sqlite3")
    config = ServerSettings(
        data=data, users=[User(name="root", password="pass", level="admin")], serial="ACCC8E019C5F"
    )
    yield create_app(config, ParamsStore.load(data), store, retention=False)
    store.close()


def call(
    app: Starlette, path: bytes, query: bytes, method: str, headers: list[Any], body: bytes
) -> int:
    """One request straight through the ASGI app; returns the status."""
    scope = {
        "type": "http", "method": method, "path": path.decode("latin-1"), "raw_path": path,
        "query_string": query, "headers": headers, "http_version": "1.1", "scheme": "http",
        "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1), "root_path": "",
    }  # fmt: skip
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    status: int = sent[0]["status"]
    return status


queries = st.lists(st.one_of(st.sampled_from(WORDS), st.binary(max_size=12)), max_size=12).map(
    b"".join
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=queries, body=queries, post=st.booleans(), operator=st.booleans())
def test_queries_and_bodies_never_5xx(
    app: Starlette, query: bytes, body: bytes, post: bool, operator: bool
) -> None:
    path = b"/local/tvpc/.apioperator" if operator else b"/local/tvpc/.api"
    method = "POST" if post else "GET"
    status = call(app, path, query, method, [(b"authorization", BASIC)], body if post else b"")
    assert status < 500, (query, body)
    assert app.state.ctx.params.current.Counter.Height >= 150


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    header=st.one_of(
        st.binary(max_size=80),
        st.builds(lambda b: b"Digest " + b, st.binary(max_size=80)),
        st.builds(lambda b: b"Basic " + base64.b64encode(b), st.binary(max_size=40)),
        st.builds(
            lambda k, v: b"Digest " + k + b'="' + v + b'", qop=auth, nc=00000001',
            st.sampled_from([b"username", b"realm", b"nonce", b"uri", b"response", b"cnonce"]),
            st.binary(max_size=20),
        ),
    )
)
def test_authorization_headers_never_5xx(app: Starlette, header: bytes) -> None:
    status = call(
        app, b"/local/tvpc/.api", b"live-sum.json", "GET", [(b"authorization", header)], b""
    )
    assert status in (200, 400, 401)

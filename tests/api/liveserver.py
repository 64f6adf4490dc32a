"""A real footfall server on a real socket (uvicorn in a thread), built by `create_app`."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from footfall.api.actions import ApiContext
from footfall.api.app import Plugin, create_app
from footfall.api.params import ParamsStore
from footfall.config import ServerSettings, User
from footfall.ingest import Ingest
from footfall.store.sqlite import SQLiteStore

SERIAL = "ACCC8E019C5F"
USERS = [
    User(name="root", password="pass", level="admin"),
    User(name="op", password="oppass", level="operator"),
    User(name="viewer", password="viewpass", level="viewer"),
]


@dataclass
class LiveServer:
    """A running server: its URL, context, store and ingest."""

    base: str
    port: int
    ctx: ApiContext
    store: SQLiteStore
    ingest: Ingest
    data: Path
    server: uvicorn.Server
    thread: threading.Thread

    def client(self, auth: Any = None, **kwargs: Any) -> httpx.Client:
        """An httpx client for this server."""
        return httpx.Client(base_url=self.base, auth=auth, timeout=10, **kwargs)

    def stop(self) -> None:
        """Shut the server down and close the store."""
        self.server.should_exit = True
        self.thread.join(10)
        self.store.close()


def start_server(
    data: Path,
    *,
    plugins: Sequence[Plugin] = (),
    live_refresh_s: float = 1.0,
    **settings: Any,
) -> LiveServer:
    """Start a server on a free port with `settings` over the test defaults."""
    values: dict[str, Any] = {"data": data, "users": USERS, "serial": SERIAL}
    values.update(settings)
    config = ServerSettings(**values)
    store = SQLiteStore(data / "counts.sqlite3")
    ingest = Ingest(store)
    app = create_app(
        config,
        ParamsStore.load(data),
        store,
        ingest=ingest,
        plugins=plugins,
        live_refresh_s=live_refresh_s,
    )
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    base = f"http://127.0.0.1:{port}"
    return LiveServer(base, port, app.state.ctx, store, ingest, data, server, thread)


def raw_request(
    port: int, request: bytes, timeout: float = 5.0
) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, read one response: (status, lower-cased headers, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
            head, sep, body = data.partition(b"\r\n\r\n")
            if sep:
                headers = _headers(head)
                length = int(headers.get("content-length", "-1"))
                if length >= 0 and len(body) >= length:
                    break
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, _headers(head), body


def _headers(head: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.decode("latin-1").partition(":")
        headers.setdefault(key.strip().lower(), value.strip())
    return headers

"""Regression: a request that offers an h2c upgrade (Java's HttpClient) keeps its body.

httptools took the body of any Upgrade request for the new protocol's bytes, so a Java monitor's
POST setparams reached the app empty (400 "no action given"). Raw sockets pin down the cases:
body in the same packet or later, keep-alive and pipelining after it, and a chunked body.
"""

from __future__ import annotations

import json
import socket
import time

import pytest

from tests.clients.counter import Counter

UPGRADE = (
    b"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
    b"HTTP2-Settings: AAEAAEAAAAIAAAABAAMAAABkAAQBAAAAAAUAAEAA\r\n"
)
AUTH = b"Authorization: Basic b3A6b3BwYXNz\r\n"  # op:oppass


def post(height: int, *, upgrade: bool = True, close: bool = False) -> tuple[bytes, bytes]:
    """(head, body) of a setparams POST; the head may offer h2c."""
    body = f"p1=Counter.Height&v1={height}&setparams=needstobeincluded".encode()
    head = (
        b"POST /local/tvpc/.apioperator HTTP/1.1\r\nHost: counter\r\n" + AUTH
        + (UPGRADE if upgrade else b"")
        + b"Content-Type: application/x-www-form-urlencoded\r\n"
        + f"Content-Length: {len(body)}\r\n".encode()
        + (b"Connection: close\r\n" if close else b"") + b"\r\n"
    )  # fmt: skip
    return head, body


GET_PARAMS = (
    b"GET /local/tvpc/.api?params.json HTTP/1.1\r\nHost: counter\r\n" + AUTH
    + b"Connection: close\r\n\r\n"
)  # fmt: skip


def exchange(counter: Counter, *chunks: bytes) -> list[tuple[int, bytes]]:
    """Send the chunks (a pause between them) and read until the server closes: responses."""
    port = int(counter.base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        for chunk in chunks:
            sock.sendall(chunk)
            time.sleep(0.05)
        data = b""
        while True:
            try:
                part = sock.recv(65536)
            except TimeoutError:
                break
            if not part:
                break
            data += part
    return _responses(data)


def _responses(data: bytes) -> list[tuple[int, bytes]]:
    out: list[tuple[int, bytes]] = []
    while data:
        head, _, rest = data.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        out.append((status, rest[:length]))
        data = rest[length:]
    return out


def height(counter: Counter) -> int:
    """Counter.Height as params.json says."""
    answers = exchange(counter, GET_PARAMS)
    value: int = json.loads(answers[0][1])["Counter"]["Height"]
    return value


@pytest.mark.parametrize("split", ["together", "body-later", "byte-by-byte-body"])
def test_upgrade_post_keeps_its_body(counter: Counter, split: str) -> None:
    target = {"together": 286, "body-later": 287, "byte-by-byte-body": 288}[split]
    head, body = post(target, close=True)
    if split == "together":
        chunks = [head + body]
    elif split == "body-later":
        chunks = [head, body]
    else:
        chunks = [head, *(body[i : i + 1] for i in range(len(body)))]
    assert exchange(counter, *chunks) == [(200, b"OK")]
    assert height(counter) == target


def test_keep_alive_and_pipelining_after_an_upgrade_request(counter: Counter) -> None:
    first, first_body = post(289)
    second, second_body = post(291, upgrade=False)
    answers = exchange(counter, first + first_body + second + second_body + GET_PARAMS)
    assert [status for status, _ in answers] == [200, 200, 200]
    assert json.loads(answers[2][1])["Counter"]["Height"] == 291
    # The same, each request in its own packet, the first with a GET offering h2c.
    get_upgrade = GET_PARAMS.replace(b"Connection: close\r\n", UPGRADE)
    answers = exchange(counter, get_upgrade, first + first_body, GET_PARAMS)
    assert [status for status, _ in answers] == [200, 200, 200]
    assert json.loads(answers[2][1])["Counter"]["Height"] == 289


def test_chunked_upgrade_request_is_answered_and_closed(counter: Counter) -> None:
    head = (
        b"POST /local/tvpc/.apioperator?setparams&Counter.Height=292 HTTP/1.1\r\nHost: c\r\n"
        + AUTH + UPGRADE + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
    )  # fmt: skip
    answers = exchange(counter, head)
    assert [status for status, _ in answers] == [200]  # one answer, then the server closes
    assert height(counter) == 292

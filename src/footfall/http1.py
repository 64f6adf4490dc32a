"""uvicorn's httptools protocol, keeping the body of a request that also asks for an upgrade.

Java's `java.net.http.HttpClient` speaks HTTP/2 by default, so on plain http every request carries
`Connection: Upgrade, HTTP2-Settings` and `Upgrade: h2c`. We may ignore the offer and answer in
HTTP/1.1 (RFC 9110 §7.8), but httptools takes every byte after the head of an Upgrade request
for the new protocol: the body of a POST (a Java monitor's setparams) never reached the app,
which saw an empty body. uvicorn's h11 protocol gets it right but is slower, so this subclass
hands those bytes to the request as its body and parses what follows with a fresh parser.
WebSocket upgrades go the usual way. A chunked body of such a request is not recovered (Java sends
a Content-Length): the request is answered without it and the connection closed.

    uvicorn.Config(app, http=protocol_class())
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

log = logging.getLogger(__name__)


def protocol_class() -> type[asyncio.Protocol] | str:
    """The protocol to give uvicorn: ours when httptools is installed, else h11 (no such bug)."""
    try:
        import httptools
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:
        return "h11"

    class UpgradeTolerantProtocol(HttpToolsProtocol):
        """HttpToolsProtocol that keeps the body of a non-WebSocket Upgrade request."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._body_left = 0  # body bytes of an upgrade request that httptools skipped
            self._discard = False  # a chunked upgrade request: nothing after it can be parsed

        def on_message_complete(self) -> None:
            """A request with an Upgrade header we do not take is a plain request: its body is
            still to come through `data_received`."""
            if self.parser.should_upgrade() and not self._should_upgrade():
                length = _content_length(self.headers)
                if length > 0:  # the body comes through data_received, not the parser
                    self._body_left = length
                    return
            super().on_message_complete()

        def data_received(self, data: bytes) -> None:
            """Feed the parser, less the body of a refused upgrade request it skipped."""
            self._unset_keepalive_if_required()
            if self._discard:
                return
            if self._body_left:
                data = self._take_body(data)
                if not data:
                    return
            try:
                self.parser.feed_data(data)
            except httptools.HttpParserUpgrade as exc:
                if self._should_upgrade():
                    self.handle_websocket_upgrade()
                    return
                log.debug("answering an Upgrade request (%s) in HTTP/1.1", self._get_upgrade())
                self.parser = _new_parser(self)  # the old parser stays paused for good
                offset = exc.args[0] if exc.args and isinstance(exc.args[0], int) else len(data)
                rest = data[offset:]
                if _chunked(self.headers):  # answer it, then close: its body cannot be found
                    self._discard = True
                    self.cycle.keep_alive = False
                    return
                if self._body_left:
                    rest = self._take_body(rest)
                if rest:
                    self.data_received(rest)
            except httptools.HttpParserError:
                message = "Invalid HTTP request received."
                self.logger.warning(message)
                self.send_400_response(message)

        def _take_body(self, data: bytes) -> bytes:
            """Give the request up to `_body_left` bytes of `data`; the rest is returned."""
            take = data[: self._body_left]
            self._body_left -= len(take)
            if take:
                self.on_body(take)
            if not self._body_left:
                super().on_message_complete()
            return data[len(take) :]

    return UpgradeTolerantProtocol


def _new_parser(protocol: Any) -> Any:
    import httptools

    parser = httptools.HttpRequestParser(protocol)
    with contextlib.suppress(AttributeError):  # as uvicorn sets up its own parser
        parser.set_dangerous_leniencies(lenient_data_after_close=True)
    return parser


def _chunked(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(name == b"transfer-encoding" for name, _ in headers)


def _content_length(headers: list[tuple[bytes, bytes]]) -> int:
    for name, value in headers:
        if name == b"content-length":
            return int(value) if value.strip().isdigit() else 0
    return 0

"""TCP relays in front of the test RTSP server (for tests): `Recorder` keeps every request the
client sends; `RtspGate` is an RTSP login gate for a server that has none: it answers a request
without valid credentials `401 Unauthorized` with an Axis-style challenge (`Digest` with an MD5
nonce, or `Basic`), as an Axis camera does, checks the client's answer (RFC 2617 digest over
the method and the request URI, or the Basic pair), and relays everything else both ways.

    gate = RtspGate(target_port, "root", "pass", scheme="Digest")
    url = f"rtsp://root:pass@127.0.0.1:{gate.port}/axis-media/media.amp"
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import socket
import threading

REALM = "AXIS_ACCC8E012345"


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


class Relay:
    """Relays each connection to 127.0.0.1:`target`; `client_to_server` may be overridden."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target))
            threading.Thread(target=self._pump, args=(server, client), daemon=True).start()
            threading.Thread(
                target=self.client_to_server, args=(client, server), daemon=True
            ).start()

    def client_to_server(self, client: socket.socket, server: socket.socket) -> None:
        self._pump(client, server)

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        with src, dst:
            try:
                while data := src.recv(65536):
                    dst.sendall(data)
            except OSError:
                pass


class Recorder(Relay):
    """A relay that keeps every request the client sends."""

    def __init__(self, target: int) -> None:
        self.requests: list[str] = []
        super().__init__(target)

    def client_to_server(self, client: socket.socket, server: socket.socket) -> None:
        with client, server:
            try:
                while data := client.recv(65536):
                    self.requests.append(data.decode("latin-1"))
                    server.sendall(data)
            except OSError:
                pass

    def transports(self) -> list[str]:
        """The Transport header of every SETUP so far."""
        lines = "".join(self.requests).splitlines()
        return [line.split(":", 1)[1].strip() for line in lines if line.startswith("Transport:")]


class RtspGate(Relay):
    """A relay that lets through only requests carrying the right login (OPTIONS is free)."""

    def __init__(self, target: int, user: str, password: str, scheme: str = "Digest") -> None:
        self.user, self.password, self.scheme = user, password, scheme
        self.nonce = secrets.token_hex(16)
        self.challenged = 0  # 401s sent
        self.admitted: list[str] = []  # methods let through with a valid login
        super().__init__(target)

    def client_to_server(self, client: socket.socket, server: socket.socket) -> None:
        buffer = b""
        with client, server:
            try:
                while data := client.recv(65536):
                    buffer += data
                    while b"\r\n\r\n" in buffer:
                        head, _, rest = buffer.partition(b"\r\n\r\n")
                        length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
                        size = int(length.group(1)) if length else 0
                        if len(rest) < size:
                            break
                        request, buffer = head + b"\r\n\r\n" + rest[:size], rest[size:]
                        text = head.decode("latin-1")
                        if self._admits(text):
                            server.sendall(request)
                        else:
                            client.sendall(self._challenge(text))
            except OSError:
                pass

    def _admits(self, head: str) -> bool:
        method, uri = head.split(" ", 2)[:2]
        if method == "OPTIONS":
            return True
        found = re.search(r"(?im)^authorization:\s*(\w+)\s+(.*)$", head)
        ok = found is not None and found.group(1).lower() == self.scheme.lower()
        if ok and found is not None and self.scheme == "Basic":
            pair = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            ok = found.group(2).strip() == pair
        elif ok and found is not None:
            fields = dict(re.findall(r'(\w+)="?([^",]*)"?', found.group(2)))
            ha1 = _md5(f"{self.user}:{REALM}:{self.password}")
            ha2 = _md5(f"{method}:{uri}")
            ok = (
                fields.get("uri") == uri
                and fields.get("username") == self.user
                and fields.get("nonce") == self.nonce
                and fields.get("response") == _md5(f"{ha1}:{self.nonce}:{ha2}")
            )
        if ok:
            self.admitted.append(method)
        return ok

    def _challenge(self, head: str) -> bytes:
        self.challenged += 1
        cseq = re.search(r"(?im)^cseq:\s*(\d+)", head)
        if self.scheme == "Basic":
            challenge = f'Basic realm="{REALM}"'
        else:
            challenge = f'Digest realm="{REALM}", nonce="{self.nonce}", stale="FALSE"'
        return (
            f"RTSP/1.0 401 Unauthorized\r\nCSeq: {cseq.group(1) if cseq else 0}\r\n"
            f"WWW-Authenticate: {challenge}\r\nContent-Length: 0\r\n\r\n"
        ).encode()

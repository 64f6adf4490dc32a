"""Real things for delivery tests: an HTTP receiver we can stop and restart, our own Mosquitto."""

from __future__ import annotations

import getpass
import json
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.needs import unavailable


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers(port: int, host: str = "127.0.0.1") -> bool:
    """True when something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def need_service(port: int, what: str) -> None:
    """Skip when a local service is down; fail instead under FOOTFALL_CI=1 (.ci/run)."""
    if answers(port):
        return
    unavailable(f"{what} is not answering on 127.0.0.1:{port}")


def wait_until(check: Callable[[], bool], timeout_s: float = 10.0, what: str = "") -> None:
    """Poll `check` until it is true; fail with `what` after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        time.sleep(0.02)


@dataclass
class Receiver:
    """A webhook receiver on a fixed port; `status` decides the answer to each POST."""

    port: int
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    accepted: list[int] = field(default_factory=list)  # ids answered with a 2xx
    status: Callable[[dict[str, Any]], int] = lambda _body: 200
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """Where to POST."""
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        """Listen (again) on the same port."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.received.append((headers, body))
                code = receiver.status(json.loads(body))
                if 200 <= code < 300:
                    receiver.accepted.append(int(json.loads(body)["id"]))
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Close the socket: POSTs are refused until `start`."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@dataclass
class Broker:
    """Our own Mosquitto (never the system one) with persistence, killable and restartable."""

    port: int
    folder: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Run mosquitto on `port` and wait until it listens there itself: with tests run side by
        side, another worker's broker could hold a port `free_port` gave both, and a bare
        connection test would then pass against the wrong broker."""
        conf = self.folder / "mosquitto.conf"
        log = self.folder / "broker.log"
        conf.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
            f"persistence_location {self.folder}/\nlog_dest file {log}\n"
            # as root, mosquitto would drop to a user who cannot write here
            f"user {getpass.getuser()}\n"
        )
        seen = log.stat().st_size if log.exists() else 0  # the log of an earlier start stays
        process = self.process = subprocess.Popen(["mosquitto", "-c", str(conf)])
        opened = f"Opening ipv4 listen socket on port {self.port}."

        def listening() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"mosquitto on port {self.port} exited: {self._log(seen)}")
            return opened in self._log(seen) and answers(self.port)

        wait_until(listening, 10, "mosquitto to listen")

    def _log(self, start: int) -> str:
        """The broker's log from byte `start` on ('' before it is written)."""
        path = self.folder / "broker.log"
        if not path.exists():
            return ""
        with path.open("rb") as f:
            f.seek(start)
            return f.read().decode(errors="replace")

    def stop(self) -> None:
        """SIGTERM (mosquitto saves its sessions) and wait for it to go."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

"""A TCP forwarder to PostgreSQL that a test can cut and restore: the database "goes away" for
the stores behind it (their connections drop, new ones are refused) while the real server keeps
serving the other tests."""

from __future__ import annotations

import contextlib
import socket
import threading


class Proxy:
    """Forwards 127.0.0.1:`port` to `target`; `cut()` drops every connection and stops
    listening, `restore()` listens on the same port again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._drop_after_commit = threading.Event()
        self._swallow = threading.Event()  # answers from the server are lost (a COMMIT's)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._serve(self._listener)

    def url(self, user: str = "postgres", database: str = "test", password: str = "") -> str:
        """A postgresql:// URL through the proxy."""
        secret = f":{password}" if password else ""
        return f"postgresql://{user}{secret}@127.0.0.1:{self.port}/{database}"

    def _serve(self, listener: socket.socket) -> None:
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # cut: the listener was closed
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets.update((client, upstream))
            for a, b, outward in ((client, upstream, True), (upstream, client, False)):
                threading.Thread(target=self._pump, args=(a, b, outward), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, outward: bool) -> None:
        try:
            while chunk := source.recv(65536):
                if not outward and self._swallow.is_set():
                    return  # the answer to the COMMIT never reaches the client
                if outward and b"COMMIT" in chunk and self._drop_after_commit.is_set():
                    self._drop_after_commit.clear()
                    # Lost before it is sent, not after: the server may answer before cut() runs
                    # (a thread switch is 5 ms), and the client would then know it committed.
                    self._swallow.set()
                    sink.sendall(chunk)
                    self.cut()  # the server reads the COMMIT before the end; its answer is lost
                    return
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """The database is gone: live connections drop, new ones are refused."""
        with contextlib.suppress(OSError):  # wakes the blocked accept() (close alone does not)
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def drop_after_next_commit(self) -> None:
        """Cut the path once the next COMMIT has reached the server, before its answer comes
        back: the write landed, and the client cannot know it."""
        self._drop_after_commit.set()

    def restore(self) -> None:
        """The database is back, on the same port."""
        self._swallow.clear()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._serve(self._listener)

    def close(self) -> None:
        """Stop for good."""
        self.cut()

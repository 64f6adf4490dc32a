"""show-logs and generate-logs (SPEC §1): an in-memory ring of recent lines plus the log file.

The ring keeps the last lines of this process for `show-logs`; `<data>/footfall.log` (rotated)
keeps them across restarts and goes into the `generate-logs` archive with the parameters
(secrets removed) and the store's statistics.
"""

from __future__ import annotations

import io
import json
import logging
import logging.handlers
import tarfile
import time
from collections import deque
from pathlib import Path
from typing import Any

LOG_FILE = "footfall.log"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOGGERS = ("footfall", "uvicorn.error")


class LogRing(logging.Handler):
    """A logging handler that keeps the last `capacity` formatted lines in memory."""

    def __init__(self, capacity: int = 2000) -> None:
        super().__init__(logging.INFO)
        self.lines: deque[str] = deque(maxlen=capacity)
        self.setFormatter(logging.Formatter(LOG_FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        """Keep one formatted record."""
        try:
            self.lines.append(self.format(record))
        except Exception:
            self.handleError(record)

    def text(self) -> str:
        """The kept lines, oldest first, one per line."""
        return "".join(line + "\n" for line in list(self.lines))

    def attach(self) -> None:
        """Listen to the footfall and uvicorn loggers."""
        _listen(self)

    def detach(self) -> None:
        """Stop listening."""
        for name in LOGGERS:
            logging.getLogger(name).removeHandler(self)


def install_file_log(data_dir: Path) -> logging.Handler:
    """Append footfall's log to `<data_dir>/footfall.log` (1 MB x 4, rotated)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        data_dir / LOG_FILE, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.setLevel(logging.INFO)
    _listen(handler)
    return handler


def _listen(handler: logging.Handler) -> None:
    """Add `handler` to the footfall and uvicorn loggers, letting at least INFO through."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        if logger.level == logging.NOTSET or logger.level > logging.INFO:
            logger.setLevel(logging.INFO)


def show_logs_text(ring: LogRing, serial: str) -> str:
    """The show-logs body: a header line, then the recent lines."""
    lines = ring.text()
    header = f"footfall {serial}: last {len(ring.lines)} log lines of this process\n"
    return header + (lines or "(no log lines yet)\n")


def log_archive(
    data_dir: Path | None,
    ring: LogRing,
    params: dict[str, Any],
    stats: dict[str, Any],
    status: dict[str, Any],
) -> bytes:
    """The generate-logs body: a gzip tar of log files, params (no secrets), store stats."""
    buffer = io.BytesIO()
    now = time.time()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        _add(tar, "recent.log", ring.text().encode(), now)
        _add(tar, "params.json", _json(params), now)
        _add(tar, "store-stats.json", _json(stats), now)
        _add(tar, "status.json", _json(status), now)
        if data_dir is not None:
            for path in sorted(data_dir.glob(LOG_FILE + "*")):
                try:
                    _add(tar, path.name, path.read_bytes(), path.stat().st_mtime)
                except OSError:
                    continue  # rotated away while we read; the rest is still useful
    return buffer.getvalue()


def _json(value: dict[str, Any]) -> bytes:
    return (json.dumps(value, indent=2, default=str) + "\n").encode()


def _add(tar: tarfile.TarFile, name: str, content: bytes, mtime: float) -> None:
    info = tarfile.TarInfo(f"footfall-logs/{name}")
    info.size = len(content)
    info.mtime = int(mtime)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(content))

"""Webhooks: every outbox message as a signed JSON POST, in order, retried until a 2xx.

Wire format (documented in docs/occupancy-alarms-delivery.md):
- body: the message JSON (`{"id":…,"type":"passage"|"alarm"|"occupancy",…}`), UTF-8;
- `X-Footfall-Signature: sha256=<hex HMAC-SHA256 of the raw body with Webhook.Secret>`
  (left out when the secret is empty), `X-Footfall-Timestamp: <epoch seconds of the send>`,
  `X-Footfall-Id: <id>` (the same id as in the body; receivers de-duplicate on it).
- One message per POST; the next is sent only after a 2xx for this one, so order is kept.
  Anything else (refused connection, timeout, 3xx/4xx/5xx) is retried with exponential backoff
  (1 s doubling to 60 s by default). The cursor is stored after each 2xx, so a restart resends at
  most the one message whose 2xx arrived just before the crash.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from dataclasses import dataclass

import httpx

from footfall import __version__
from footfall.config import hide_url_password
from footfall.delivery.outbox import Message, Outbox

log = logging.getLogger(__name__)

SINK = "webhook"


def sign(body: bytes, secret: str) -> str:
    """The X-Footfall-Signature value for `body`."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def encode(message: Message) -> bytes:
    """The POST body of one message."""
    return message.as_text().encode()


@dataclass(frozen=True, slots=True)
class Backoff:
    """Retry delays: `first_s`, doubling, at most `max_s`."""

    first_s: float = 1.0
    max_s: float = 60.0

    def next(self, delay_s: float) -> float:
        """The delay after one that was `delay_s`."""
        return min(self.max_s, max(self.first_s, delay_s * 2))


class WebhookSink:
    """A thread that POSTs the outbox to one URL."""

    def __init__(
        self,
        outbox: Outbox,
        url: str,
        secret: str = "",
        backoff: Backoff = Backoff(),
        timeout_s: float = 10.0,
    ) -> None:
        self.outbox = outbox
        self.url = url
        self.shown_url = hide_url_password(url)  # for logs and status: no password
        self.secret = secret
        self.backoff = backoff
        self._client = httpx.Client(
            timeout=timeout_s, headers={"User-Agent": f"footfall/{__version__}"}
        )
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="webhook", daemon=True)
        self.last_error = ""
        self.delivered = 0
        self._cursor = 0

    def start(self) -> None:
        """Begin delivering in the background (from the stored cursor, fixed now)."""
        self._cursor = self.outbox.start_cursor(SINK)
        self._thread.start()

    def stop(self) -> None:
        """Stop after the POST in progress; the cursor keeps what was delivered."""
        self._stop.set()
        self.outbox.kick()
        self._thread.join(timeout=15)
        self._client.close()

    def status(self) -> dict[str, object]:
        """What show-logs prints about the webhook."""
        return {
            "url": self.shown_url,
            "pending": self.outbox.pending(SINK),
            "delivered": self.delivered,
            "last_error": self.last_error,
        }

    def _run(self) -> None:
        cursor = self._cursor
        while not self._stop.is_set():
            batch = self.outbox.after(cursor, 100)
            if not batch:
                self.outbox.wait(cursor, 1.0)
                continue
            for message in batch:
                if not self._deliver(message):
                    return
                cursor = message.seq

    def _deliver(self, message: Message) -> bool:
        """POST until a 2xx (True) or until stopped (False)."""
        delay = 0.0
        body = encode(message)
        while not self._stop.is_set():
            error = self._post(message.seq, body)
            if error is None:
                self.outbox.advance(SINK, message.seq)
                self.delivered += 1
                if self.last_error:
                    log.info(
                        "webhook %s reachable again, delivering id %d", self.shown_url, message.seq
                    )
                self.last_error = ""
                return True
            delay = self.backoff.next(delay)
            if error != self.last_error:
                log.warning(
                    "webhook %s: %s; retrying id %d every <= %.0f s",
                    self.shown_url,
                    error,
                    message.seq,
                    self.backoff.max_s,
                )
            self.last_error = error
            self._stop.wait(delay)
        return False

    def _post(self, seq: int, body: bytes) -> str | None:
        """One attempt: None on a 2xx, else the reason."""
        headers = {
            "Content-Type": "application/json",
            "X-Footfall-Timestamp": str(int(time.time())),
            "X-Footfall-Id": str(seq),
        }
        if self.secret:
            headers["X-Footfall-Signature"] = sign(body, self.secret)
        try:
            response = self._client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"
        if 200 <= response.status_code < 300:
            return None
        return f"HTTP {response.status_code}"

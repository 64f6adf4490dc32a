"""Webhooks against a real HTTP receiver that is stopped and restarted: all, in order, once."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from pathlib import Path

from footfall.delivery.outbox import Outbox
from footfall.delivery.webhook import Backoff, WebhookSink, sign
from tests.delivery.realservices import Receiver, wait_until

FAST = Backoff(first_s=0.02, max_s=0.2)


def _fill(box: Outbox, n: int, start: int = 0) -> list[int]:
    return [box.add("passage", {"n": start + i, "direction": "in"}, time.time()) for i in range(n)]


def _ids(receiver: Receiver) -> list[int]:
    return [json.loads(body)["id"] for _, body in receiver.received]


def test_signed_posts_in_order(tmp_path: Path, receiver: Receiver) -> None:
    box = Outbox(tmp_path / "o.sqlite3")
    sink = WebhookSink(box, receiver.url, "s3cret", FAST)
    sink.start()
    try:
        ids = _fill(box, 20)
        wait_until(lambda: len(receiver.received) == 20, what="20 POSTs")
    finally:
        sink.stop()
    assert _ids(receiver) == ids
    headers, body = receiver.received[0]
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers["x-footfall-signature"] == expected == sign(body, "s3cret")
    assert abs(int(headers["x-footfall-timestamp"]) - time.time()) < 60
    assert headers["x-footfall-id"] == str(ids[0])
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {"id": ids[0], "type": "passage", "n": 0, "direction": "in"}


def test_receiver_down_then_back_gets_everything_in_order_once(
    tmp_path: Path, receiver: Receiver
) -> None:
    box = Outbox(tmp_path / "o.sqlite3")
    sink = WebhookSink(box, receiver.url, "k", FAST)
    sink.start()
    try:
        first = _fill(box, 5)
        wait_until(lambda: len(receiver.accepted) == 5, what="first 5")
        receiver.stop()
        during = _fill(box, 30, 5)
        wait_until(lambda: bool(sink.last_error), what="a refused attempt")  # for show-logs
        time.sleep(0.3)  # a few more refused attempts
        receiver.start()
        wait_until(lambda: len(receiver.accepted) == 35, what="the backlog")
        time.sleep(0.2)
    finally:
        sink.stop()
    assert receiver.accepted == first + during
    assert _ids(receiver) == first + during  # nothing posted twice either
    assert box.pending("webhook") == 0


def test_non_2xx_is_retried_and_each_id_accepted_once(tmp_path: Path, receiver: Receiver) -> None:
    failures = {"left": 3}

    def flaky(body: dict[str, object]) -> int:
        if body["id"] == 2 and failures["left"] > 0:
            failures["left"] -= 1
            return 503
        return 204

    receiver.status = flaky
    box = Outbox(tmp_path / "o.sqlite3")
    sink = WebhookSink(box, receiver.url, "", FAST)
    sink.start()
    try:
        ids = _fill(box, 4)
        wait_until(lambda: len(receiver.accepted) == 4, what="4 accepted")
    finally:
        sink.stop()
    assert receiver.accepted == ids
    assert _ids(receiver) == [1, 2, 2, 2, 2, 3, 4]  # 3 refusals of id 2, then it and the rest
    assert "x-footfall-signature" not in receiver.received[0][0]  # no secret, no signature


def test_a_restarted_sink_resumes_from_its_cursor(tmp_path: Path, receiver: Receiver) -> None:
    path = tmp_path / "o.sqlite3"
    box = Outbox(path)
    box.add("passage", {"before": "the sink existed"}, 0.0)  # a new sink starts after this
    sink = WebhookSink(box, receiver.url, "k", FAST)
    sink.start()
    ids = _fill(box, 3)
    wait_until(lambda: len(receiver.accepted) == 3, what="3")
    sink.stop()
    box.close()
    receiver.stop()
    box = Outbox(path)  # "restart" of footfall while the receiver is down
    later = _fill(box, 4)
    receiver.start()
    sink = WebhookSink(box, receiver.url, "k", FAST)
    sink.start()
    try:
        wait_until(lambda: len(receiver.accepted) == 7, what="7")
    finally:
        sink.stop()
    assert receiver.accepted == ids + later


def test_backoff_doubles_to_the_maximum() -> None:
    b = Backoff(first_s=1, max_s=60)
    delays = [0.0]
    for _ in range(8):
        delays.append(b.next(delays[-1]))
    assert delays[1:] == [1, 2, 4, 8, 16, 32, 60, 60]

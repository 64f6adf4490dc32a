"""What occupancy, alarms and delivery cost per passage, against baselines measured in the same run.

Times, for --n passages fed one at a time through `Ingest.add` (what the video pipeline does):
- baseline: the store alone (commit the passage, no listener);
- hub: + occupancy estimate, visit FIFO, alarm rules, minute row, state and outbox row;
- webhook: + every message POSTed to a local receiver, until its 2xx (end to end);
- mqtt: + every message published QoS 1 to the broker on 127.0.0.1:1883, until PUBACK
  (skipped when no broker answers).
Prints passages per second, ms per passage and the ratio to the baseline.

    .venv/bin/python bench/bench_delivery.py [--n 2000]
"""

from __future__ import annotations

import argparse
import platform
import socket
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from footfall.config import Params
from footfall.counting.occupancy_db import OccupancyBook
from footfall.delivery.hub import Hub
from footfall.delivery.outbox import Outbox
from footfall.ingest import Ingest
from footfall.store.base import Passage
from footfall.store.sqlite import SQLiteStore

T0 = datetime(2026, 11, 24, 8, tzinfo=UTC)


def passages(n: int) -> list[Passage]:
    """Alternating in/out, two seconds apart (a tailgating alarm never fires)."""
    return [Passage(T0 + timedelta(seconds=2 * i), "in" if i % 3 else "out") for i in range(n)]


class _Quiet(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def broker_answers() -> bool:
    """True when a broker listens on 127.0.0.1:1883."""
    try:
        with socket.create_connection(("127.0.0.1", 1883), timeout=1):
            return True
    except OSError:
        return False


def run(folder: Path, n: int, params: Params | None, sink: str | None) -> float:
    """Seconds to ingest n passages (and, with a sink, until it has delivered them all)."""
    store = SQLiteStore(folder / "counts.sqlite3")
    ingest = Ingest(store)
    hub = None
    if params is not None:
        path = str(folder / "counts.sqlite3")
        hub = Hub(store, OccupancyBook(path), Outbox(path), params, "ACCC8E019C5F",
                  lambda: ZoneInfo("UTC"), lambda: "bench")  # fmt: skip
        hub.start()
        ingest.subscribe(hub.on_passage)
    start = time.perf_counter()
    for p in passages(n):
        ingest.add([p])
    if hub is not None and sink is not None:
        while hub.outbox.pending(sink) > 0:
            time.sleep(0.002)
    elapsed = time.perf_counter() - start
    if hub is not None:
        hub.stop()
    store.close()
    return elapsed


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    n = parser.parse_args().n
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _Quiet)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    on = Params().model_copy(deep=True)
    on.Occupancy.Enable = 1
    on.Alarm.TailgatingEnable = on.Alarm.WrongDirectionEnable = 1
    hook = on.model_copy(deep=True)
    hook.Webhook.URL, hook.Webhook.Secret, hook.Webhook.Enable = url, "s", 1
    mqtt = on.model_copy(deep=True)
    mqtt.MQTT.Enable, mqtt.MQTT.TopicPrefix, mqtt.MQTT.Discovery = 1, "footfallbench", 0
    mqtt.MQTT.DiscoveryPrefix = "footfallbench-ha"  # never touch a real Home Assistant's topics
    cases: list[tuple[str, Params | None, str | None]] = [
        ("baseline: store only", None, None),
        ("hub: occupancy + alarms + outbox", on, None),
        ("hub + webhook, until every 2xx", hook, "webhook"),
    ]
    if broker_answers():
        cases.append(("hub + MQTT QoS 1, until every PUBACK", mqtt, "mqtt"))
    print(f"bench_delivery: {n} passages, {platform.node()}, {platform.processor() or '?'}, "
          f"{datetime.now(UTC):%Y-%m-%d}")  # fmt: skip
    print(f"{'case':40} {'passages/s':>11} {'ms/passage':>11} {'x baseline':>11}")
    base: float | None = None
    for name, params, sink in cases:
        with tempfile.TemporaryDirectory() as tmp:
            seconds = run(Path(tmp), n, params, sink)
        base = seconds if base is None else base
        print(f"{name:40} {n / seconds:11.0f} {seconds / n * 1000:11.3f} {seconds / base:11.2f}")
    receiver.shutdown()
    if broker_answers():
        clear_retained("footfallbench")


def clear_retained(prefix: str) -> None:
    """Leave the shared broker as we found it: empty every retained topic under our prefixes."""
    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion

    seen: set[str] = set()
    client = paho.Client(callback_api_version=CallbackAPIVersion.VERSION2)
    client.on_message = lambda _c, _u, m: seen.add(m.topic) if m.retain else None
    client.connect("127.0.0.1", 1883)
    client.subscribe([(f"{prefix}/#", 0), (f"{prefix}-ha/#", 0)])
    client.loop_start()
    time.sleep(0.5)
    for topic in seen:
        client.publish(topic, b"", qos=1, retain=True).wait_for_publish(2)
    client.disconnect()
    client.loop_stop()


if __name__ == "__main__":
    main()

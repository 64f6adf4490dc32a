"""MQTT: the outbox published with QoS 1, retained state, Home Assistant discovery.

Topics (`<p>` = `MQTT.TopicPrefix`, `<s>` = serial; JSON unless said otherwise):

- `<p>/<s>/status` (retained): `online`, or `offline` (the last will, also sent on a clean stop).
- `<p>/<s>/passage`: one message per passage: `id`, `type`, `time`, `direction`, `occupancy`,
  `in_today`, `out_today`.
- `<p>/<s>/alarm`: one message per alarm event: `id`, `type`, `event_id`, `kind`, `time`, payload.
- `<p>/<s>/state` (retained): the latest `occupancy`, `in_today`, `out_today`, `time`.
- `<p>/<s>/occupancy` (retained): the latest occupancy as a bare integer.
- `<p>/<s>/alarm/occupancy_high` (retained): `ON` / `OFF`.
- `<p>/<s>/alarm/tailgating`, `<p>/<s>/alarm/wrong_direction`: `{"event_type": kind, ...}`
  (Home Assistant event entities).
- `<DiscoveryPrefix>/<component>/<s>_<key>/config` (retained): Home Assistant discovery.

Delivery: messages are handed to paho in outbox order while it is connected (while it is not,
they wait in the outbox); the outbox cursor moves only when the broker's PUBACK for every
publish of a message has arrived. Paho re-sends what is unacknowledged after a reconnect, and new
messages wait until those are acknowledged (handed at once, they could reach the broker first:
a restarted counter's backlog arrived 1, 2, 3, 7, 8, 4, 5, 6); after a restart we resume from
the cursor. So a consumer sees every message at least once (QoS 1), in order, and de-duplicates
on `id`.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections import deque
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

from footfall import __version__
from footfall.config import MqttParams
from footfall.delivery.outbox import Message, Outbox

log = logging.getLogger(__name__)

SINK = "mqtt"
WINDOW = 1000  # messages handed to paho but not yet acknowledged, at most
EVENT_ALARMS = ("tailgating", "wrong_direction")


def publications(message: Message, base: str) -> list[tuple[str, str, bool]]:
    """(topic, payload, retain) for one outbox message, in publish order."""
    text = message.as_text()
    out: list[tuple[str, str, bool]] = []
    if message.kind == "passage":
        out.append((f"{base}/passage", text, False))
    if message.kind == "alarm":
        out.append((f"{base}/alarm", text, False))
        kind = str(message.body.get("kind", ""))
        if kind in EVENT_ALARMS:
            event = {"event_type": kind, **message.as_json()}
            out.append((f"{base}/alarm/{kind}", json.dumps(event, separators=(",", ":")), False))
        elif kind in ("occupancy_high", "occupancy_normal"):
            state = "ON" if kind == "occupancy_high" else "OFF"
            out.append((f"{base}/alarm/occupancy_high", state, True))
    if "in_today" in message.body and "out_today" in message.body:
        # Only messages that carry the day's totals replace the retained state: Home
        # Assistant's In/Out sensors read in_today/out_today from it (an occupancy alarm
        # carries the occupancy alone and would leave them without a value).
        keys = ("occupancy", "in_today", "out_today", "time")
        state_body = {k: message.body[k] for k in keys if k in message.body}
        out.append((f"{base}/state", json.dumps(state_body, separators=(",", ":")), True))
    if "occupancy" in message.body:
        out.append((f"{base}/occupancy", str(message.body["occupancy"]), True))
    return out


def discovery(params: MqttParams, serial: str, name: str) -> list[tuple[str, str]]:
    """(config topic, payload) of the Home Assistant discovery messages for this counter."""
    base = f"{params.TopicPrefix}/{serial}"
    device = {
        "identifiers": [f"footfall_{serial}"],
        "name": name,
        "manufacturer": "footfall",
        "model": "footfall people counter",
        "sw_version": __version__,
        "serial_number": serial,
    }
    common = {"availability_topic": f"{base}/status", "device": device}
    entities: list[tuple[str, str, dict[str, Any]]] = [
        (
            "sensor",
            "in",
            {
                "name": "In today",
                "state_topic": f"{base}/state",
                "value_template": "{{ value_json.in_today }}",
                "state_class": "total_increasing",
                "unit_of_measurement": "people",
            },
        ),
        (
            "sensor",
            "out",
            {
                "name": "Out today",
                "state_topic": f"{base}/state",
                "value_template": "{{ value_json.out_today }}",
                "state_class": "total_increasing",
                "unit_of_measurement": "people",
            },
        ),
        (
            "sensor",
            "occupancy",
            {
                "name": "Occupancy",
                "state_topic": f"{base}/occupancy",
                "state_class": "measurement",
                "unit_of_measurement": "people",
            },
        ),
        (
            "binary_sensor",
            "occupancy_high",
            {
                "name": "Occupancy above threshold",
                "state_topic": f"{base}/alarm/occupancy_high",
                "payload_on": "ON",
                "payload_off": "OFF",
                "device_class": "occupancy",
            },
        ),
        (
            "event",
            "tailgating",
            {
                "name": "Tailgating",
                "state_topic": f"{base}/alarm/tailgating",
                "event_types": ["tailgating"],
            },
        ),
        (
            "event",
            "wrong_direction",
            {
                "name": "Wrong direction",
                "state_topic": f"{base}/alarm/wrong_direction",
                "event_types": ["wrong_direction"],
            },
        ),
    ]
    out = []
    for component, key, fields in entities:
        config = {
            "unique_id": f"footfall_{serial}_{key}",
            # Home Assistant 2025.10 replaced object_id with default_entity_id (domain.id) and
            # stopped reading object_id in 2026.4; older versions drop the key they do not know.
            "default_entity_id": f"{component}.footfall_{serial.lower()}_{key}",
            "object_id": f"footfall_{serial}_{key}",
            **fields,
            **common,
        }
        topic = f"{params.DiscoveryPrefix}/{component}/{serial}_{key}/config"
        out.append((topic, json.dumps(config, separators=(",", ":"))))
    return out


class MqttSink:
    """Publishes the outbox to one broker with paho-mqtt 2.x; reconnects by itself."""

    def __init__(self, outbox: Outbox, params: MqttParams, serial: str, name: str) -> None:
        self.outbox = outbox
        self.params = params
        self.serial = serial
        self.name = name
        self.base = f"{params.TopicPrefix}/{serial}"
        self.connected = False
        self.last_error = ""
        self.delivered = 0
        self._handed = 0
        self._acks: queue.SimpleQueue[int] = queue.SimpleQueue()
        self._wake = threading.Event()
        self._mids: dict[int, int] = {}  # paho mid -> outbox seq
        self._left: dict[int, int] = {}  # seq -> publishes not yet acknowledged
        self._order: deque[int] = deque()  # seqs handed to paho, in order
        self._connection = 0  # connections made so far (paho's thread counts them)
        self._handed_in: dict[int, int] = {}  # seq -> the connection it was handed in
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mqtt", daemon=True)
        self.client = self._make_client()
        self._unhook = outbox.on_add(lambda _seq: self._wake.set())

    def _make_client(self) -> paho.Client:
        client = paho.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=f"footfall-{self.serial}",
            clean_session=True,
        )
        if self.params.Username:
            client.username_pw_set(self.params.Username, self.params.Password or None)
        client.will_set(f"{self.base}/status", "offline", qos=1, retain=True)
        client.reconnect_delay_set(min_delay=1, max_delay=30)
        client.max_inflight_messages_set(100)
        client.max_queued_messages_set(0)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_connect_fail = self._on_connect_fail
        client.on_publish = self._on_publish
        return client

    def start(self) -> None:
        """Connect in the background and begin publishing (from the stored cursor, fixed now)."""
        self._handed = self.outbox.start_cursor(SINK)
        self.client.connect_async(self.params.Host, self.params.Port, keepalive=30)
        self.client.loop_start()
        self._thread.start()

    def stop(self) -> None:
        """Publish `offline`, disconnect, stop the threads."""
        self._stop.set()
        self._wake.set()
        self._unhook()
        self._thread.join(timeout=10)
        if self.connected:
            info = self.client.publish(f"{self.base}/status", "offline", qos=1, retain=True)
            info.wait_for_publish(timeout=2)
        self.client.disconnect()
        self.client.loop_stop()

    def status(self) -> dict[str, object]:
        """What show-logs prints about MQTT."""
        return {
            "broker": f"{self.params.Host}:{self.params.Port}",
            "connected": self.connected,
            "pending": self.outbox.pending(SINK),
            "delivered": self.delivered,
            "last_error": self.last_error,
        }

    def _on_connect(
        self, client: paho.Client, _u: Any, _f: Any, reason: ReasonCode, _p: Any
    ) -> None:
        if reason.is_failure:
            self.last_error = f"broker refused the connection: {reason}"
            log.warning("MQTT %s:%s %s", self.params.Host, self.params.Port, self.last_error)
            return
        self._connection += 1
        self.connected = True
        self.last_error = ""
        self._wake.set()
        log.info("MQTT connected to %s:%s", self.params.Host, self.params.Port)
        client.publish(f"{self.base}/status", "online", qos=1, retain=True)
        for topic, payload in discovery(self.params, self.serial, self.name):
            # An empty retained payload removes the entity from Home Assistant.
            client.publish(topic, payload if self.params.Discovery else "", qos=1, retain=True)

    def _on_connect_fail(self, _c: paho.Client, _u: Any) -> None:
        # Paho retries by itself (1 s doubling to 30 s); say so once, not at every attempt.
        error = f"cannot connect to the broker {self.params.Host}:{self.params.Port}"
        if error != self.last_error:
            log.warning("MQTT %s; retrying, messages wait in the outbox", error)
        self.last_error = error

    def _on_disconnect(
        self, _c: paho.Client, _u: Any, _f: Any, reason: ReasonCode, _p: Any
    ) -> None:
        if self.connected and not self._stop.is_set():
            log.warning(
                "MQTT disconnected from %s:%s (%s); will reconnect",
                self.params.Host,
                self.params.Port,
                reason,
            )
        self.connected = False
        if not self.last_error:
            self.last_error = f"disconnected: {reason}"

    def _on_publish(self, _c: paho.Client, _u: Any, mid: int, _r: ReasonCode, _p: Any) -> None:
        # Runs in paho's thread while it holds its own locks: hand over, never block here.
        self._acks.put(mid)
        self._wake.set()

    def _run(self) -> None:
        handed = self._handed
        while not self._stop.is_set():
            self._wake.clear()
            self._take_acks()
            if not self._may_hand():
                self._wake.wait(1.0)
                continue
            room = WINDOW - len(self._order)
            batch = self.outbox.after(handed, min(200, room)) if room > 0 else []
            for message in batch:
                self._hand(message)
                handed = message.seq
            if not batch:
                self._wake.wait(1.0)

    def _may_hand(self) -> bool:
        """Whether new messages may go to paho: it is connected, and what it re-sends of an
        earlier connection has been acknowledged."""
        if not self.connected:
            return False
        return not self._order or self._handed_in[self._order[0]] >= self._connection

    def _take_acks(self) -> None:
        """Count PUBACKs; move the cursor over every message fully acknowledged, in order."""
        done = 0
        while not self._acks.empty():
            seq = self._mids.pop(self._acks.get(), None)
            if seq is None:
                continue  # status or discovery
            self._left[seq] -= 1
            while self._order and self._left[self._order[0]] == 0:
                done = self._order.popleft()
                del self._left[done], self._handed_in[done]
                self.delivered += 1
        if done:
            self.outbox.advance(SINK, done)

    def _hand(self, message: Message) -> None:
        """Give one message's publishes to paho (it queues them while the broker is away)."""
        pubs = publications(message, self.base)
        self._order.append(message.seq)
        self._left[message.seq] = len(pubs)
        self._handed_in[message.seq] = self._connection
        for topic, payload, retain in pubs:
            info = self.client.publish(topic, payload, qos=1, retain=retain)
            self._mids[info.mid] = message.seq

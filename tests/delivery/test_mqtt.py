"""MQTT against real Mosquitto: topics, QoS 1, retained state, Home Assistant discovery, and a
broker that is killed and restarted while messages keep coming (nothing lost or duplicated)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from footfall.config import MqttParams
from footfall.delivery.mqtt import MqttSink, discovery, publications
from footfall.delivery.outbox import Message, Outbox
from tests.delivery.realservices import free_port, need_service, wait_until

SERIAL = "ACCC8E019C5F"


class Subscriber:
    """A persistent-session QoS 1 subscriber that reconnects by itself."""

    def __init__(self, port: int, topic: str, client_id: str | None = None) -> None:
        self.messages: list[tuple[str, bytes, bool]] = []
        self.dups: list[bool] = []  # the MQTT DUP flag of each message, in arrival order
        self.lock = threading.Lock()
        self.client = paho.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=client_id or f"sub-{uuid.uuid4().hex[:8]}",
            clean_session=client_id is None,
        )
        self.client.reconnect_delay_set(1, 2)
        self.subscribed = threading.Event()
        self.client.on_connect = lambda c, *_: c.subscribe(topic, qos=1)
        self.client.on_subscribe = lambda *_: self.subscribed.set()
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        assert self.subscribed.wait(10), "no SUBACK"

    def _on_message(self, _c: Any, _u: Any, msg: paho.MQTTMessage) -> None:
        with self.lock:
            self.messages.append((msg.topic, msg.payload, bool(msg.retain)))
            self.dups.append(bool(msg.dup))

    def on(self, suffix: str) -> list[bytes]:
        """Payloads received on topics ending with `suffix`."""
        with self.lock:
            return [p for t, p, _ in self.messages if t.endswith(suffix)]

    def ids(self, suffix: str) -> list[int]:
        """Message ids received on `suffix`, in arrival order."""
        return [json.loads(p)["id"] for p in self.on(suffix)]

    def check_once_in_order(self, suffix: str, expected: list[int]) -> None:
        """Every id arrived, in order; an id seen again is only a QoS 1 re-delivery (DUP set)."""
        with self.lock:
            rows = [
                (json.loads(p)["id"], dup)
                for (t, p, _), dup in zip(self.messages, self.dups, strict=True)
                if t.endswith(suffix)
            ]
        first: list[int] = []
        for seq, dup in rows:
            if seq in first:
                assert dup, f"id {seq} was published twice as a new message"
            else:
                first.append(seq)
        assert first == expected

    def close(self) -> None:
        """Disconnect."""
        self.client.disconnect()
        self.client.loop_stop()


def _passage(box: Outbox, n: int) -> int:
    body = {
        "serial": SERIAL,
        "time": "t",
        "direction": "in",
        "occupancy": n,
        "in_today": n,
        "out_today": 0,
    }
    return box.add("passage", body, time.time())


PUB_CASES = [
    (
        Message(
            1, 0.0, "passage", {"direction": "in", "occupancy": 3, "in_today": 5, "out_today": 2}
        ),
        [("b/passage", False), ("b/state", True), ("b/occupancy", True)],
    ),
    (
        Message(2, 0.0, "passage", {"direction": "out", "in_today": 5, "out_today": 3}),
        [("b/passage", False), ("b/state", True)],
    ),  # occupancy disabled: no /occupancy
    (
        Message(3, 0.0, "alarm", {"kind": "tailgating"}),
        [("b/alarm", False), ("b/alarm/tailgating", False)],
    ),
    (
        Message(4, 0.0, "alarm", {"kind": "occupancy_high", "occupancy": 9}),
        [("b/alarm", False), ("b/alarm/occupancy_high", True), ("b/occupancy", True)],
    ),  # no /state: it would lack in_today/out_today, which Home Assistant's sensors read
    (
        Message(
            5,
            0.0,
            "occupancy",
            {"occupancy": 0, "reason": "quiet", "in_today": 4, "out_today": 4},
        ),
        [("b/state", True), ("b/occupancy", True)],
    ),
]


@pytest.mark.parametrize(("message", "expected"), PUB_CASES)
def test_publications(message: Message, expected: list[tuple[str, bool]]) -> None:
    pubs = publications(message, "b")
    assert [(t, r) for t, _, r in pubs] == expected
    if message.kind == "alarm" and message.body["kind"] == "occupancy_high":
        assert pubs[1][1] == "ON"
    if message.kind == "passage":
        assert json.loads(pubs[0][1])["id"] == message.seq
    for topic, payload, _ in pubs:
        if topic == "b/state":  # the retained state always feeds both day sensors
            assert {"in_today", "out_today"} <= set(json.loads(payload))


def test_discovery_documents() -> None:
    configs = dict(discovery(MqttParams(), SERIAL, "Door"))
    assert set(configs) == {
        f"homeassistant/sensor/{SERIAL}_in/config",
        f"homeassistant/sensor/{SERIAL}_out/config",
        f"homeassistant/sensor/{SERIAL}_occupancy/config",
        f"homeassistant/binary_sensor/{SERIAL}_occupancy_high/config",
        f"homeassistant/event/{SERIAL}_tailgating/config",
        f"homeassistant/event/{SERIAL}_wrong_direction/config",
    }
    occ = json.loads(configs[f"homeassistant/sensor/{SERIAL}_occupancy/config"])
    assert occ["state_topic"] == f"footfall/{SERIAL}/occupancy"
    assert occ["availability_topic"] == f"footfall/{SERIAL}/status"
    assert occ["unique_id"] == f"footfall_{SERIAL}_occupancy"
    assert occ["default_entity_id"] == f"sensor.footfall_{SERIAL.lower()}_occupancy"
    high = json.loads(configs[f"homeassistant/binary_sensor/{SERIAL}_occupancy_high/config"])
    assert high["default_entity_id"].startswith("binary_sensor.")
    assert occ["device"]["identifiers"] == [f"footfall_{SERIAL}"]
    assert occ["device"]["serial_number"] == SERIAL
    tail = json.loads(configs[f"homeassistant/event/{SERIAL}_tailgating/config"])
    assert tail["event_types"] == ["tailgating"]


def test_system_broker_gets_discovery_status_and_retained_state(tmp_path: Path) -> None:
    need_service(1883, "Mosquitto")
    prefix, disc = f"fftest{uuid.uuid4().hex[:6]}", f"fftestha{uuid.uuid4().hex[:6]}"
    params = MqttParams(Enable=1, TopicPrefix=prefix, DiscoveryPrefix=disc)
    box = Outbox(tmp_path / "o.sqlite3")
    sink = MqttSink(box, params, SERIAL, "Door")
    sink.start()
    sub = Subscriber(1883, "#")
    try:
        wait_until(lambda: sink.connected, what="connection")
        ids = [_passage(box, n) for n in (1, 2)]
        wait_until(lambda: len(sub.on("/passage")) == 2, what="passages")
        wait_until(lambda: box.pending("mqtt") == 0, what="acks")
        assert sub.ids("/passage") == ids
        late = Subscriber(1883, f"{prefix}/{SERIAL}/#")  # a newcomer sees the retained state
        wait_until(lambda: len(late.on("/occupancy")) == 1, what="retained occupancy")
        assert late.on("/occupancy") == [b"2"]
        assert late.on("/status") == [b"online"]
        assert json.loads(late.on("/state")[0])["in_today"] == 2
        late.close()
        wait_until(lambda: len({t for t, _, _ in sub.messages if t.startswith(disc)}) == 6)
    finally:
        sink.stop()
        wait_until(lambda: sub.on("/status")[-1:] == [b"offline"], what="offline on stop")
        sub.close()
        _clear_retained(1883, [prefix, disc])


def _clear_retained(port: int, prefixes: list[str]) -> None:
    """Leave the shared broker as we found it."""
    seen = Subscriber(port, "#")
    time.sleep(0.3)
    topics = {t for t, _, r in seen.messages if r and t.split("/")[0] in prefixes}
    for topic in topics:
        seen.client.publish(topic, b"", qos=1, retain=True).wait_for_publish(2)
    seen.close()


def test_broker_killed_and_restarted_nothing_lost_or_duplicated(
    tmp_path: Path, broker: Any
) -> None:
    box = Outbox(tmp_path / "o.sqlite3")
    params = MqttParams(Enable=1, Port=broker.port, Discovery=0)
    sub = Subscriber(broker.port, f"footfall/{SERIAL}/passage", client_id="persistent-sub")
    sink = MqttSink(box, params, SERIAL, "Door")
    sink.start()
    try:
        wait_until(lambda: sink.connected, what="connection")
        ids = [_passage(box, n) for n in range(10)]
        wait_until(lambda: box.pending("mqtt") == 0, what="first acks")
        broker.stop()
        wait_until(lambda: not sink.connected, what="disconnect noticed")
        ids += [_passage(box, n) for n in range(10, 40)]  # published while the broker is down
        time.sleep(0.3)
        assert box.pending("mqtt") == 30  # kept in the outbox, not acknowledged
        assert sink.status()["connected"] is False
        broker.start()
        wait_until(lambda: box.pending("mqtt") == 0, 20, "backlog acknowledged")
        wait_until(lambda: len(set(sub.ids("/passage"))) >= 40, 20, "backlog received")
        time.sleep(0.3)
    finally:
        sink.stop()
        sub.close()
    sub.check_once_in_order("/passage", ids)  # in order, none lost, none sent twice by us


def test_footfall_restart_while_broker_down_resumes_from_cursor(
    tmp_path: Path, broker: Any
) -> None:
    path = tmp_path / "o.sqlite3"
    params = MqttParams(Enable=1, Port=broker.port, Discovery=0)
    sub = Subscriber(broker.port, f"footfall/{SERIAL}/passage", client_id="persistent-sub2")
    box = Outbox(path)
    sink = MqttSink(box, params, SERIAL, "Door")
    sink.start()
    wait_until(lambda: sink.connected, what="connection")
    ids = [_passage(box, n) for n in range(3)]
    wait_until(lambda: box.pending("mqtt") == 0, what="acks")
    sub.subscribed.clear()
    broker.stop()
    ids += [_passage(box, n) for n in range(3, 8)]
    sink.stop()  # footfall stops with 5 messages not delivered
    box.close()
    broker.start()
    # The subscriber back first: a persistent session the broker restores while messages
    # arrive may be handed a new one before those it queued (the broker's order, not ours).
    assert sub.subscribed.wait(20), "the subscriber did not come back"
    box = Outbox(path)
    sink = MqttSink(box, params, SERIAL, "Door")
    sink.start()
    try:
        wait_until(lambda: box.pending("mqtt") == 0, 20, "backlog acknowledged")
        wait_until(lambda: len(set(sub.ids("/passage"))) >= 8, 20, "backlog received")
        time.sleep(0.2)
    finally:
        sink.stop()
        sub.close()
    sub.check_once_in_order("/passage", ids)


def test_a_large_backlog_is_delivered_in_order(tmp_path: Path, broker: Any) -> None:
    """A counter restarted with 300 messages waiting (stopped during a long outage) hands them
    to paho only once it is connected: handed while it connected, some went out before others
    queued earlier (a restarted counter's backlog once arrived 1, 2, 3, 7, 8, 4, 5, 6)."""
    path = tmp_path / "o.sqlite3"
    params = MqttParams(Enable=1, Port=broker.port, Discovery=0)
    sub = Subscriber(broker.port, f"footfall/{SERIAL}/passage")
    box = Outbox(path)
    sink = MqttSink(box, params, SERIAL, "Door")
    sink.start()  # the sink's cursor: messages from now on are its to deliver
    wait_until(lambda: sink.connected, what="connection")
    sink.stop()
    ids = [_passage(box, n) for n in range(300)]
    sink = MqttSink(box, params, SERIAL, "Door")
    sink.start()
    try:
        wait_until(lambda: box.pending("mqtt") == 0, 30, "backlog acknowledged")
        wait_until(lambda: len(set(sub.ids("/passage"))) >= 300, 30, "backlog received")
    finally:
        sink.stop()
        sub.close()
    sub.check_once_in_order("/passage", ids)


def test_unreachable_broker_is_reported_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    box = Outbox(tmp_path / "o.sqlite3")
    sink = MqttSink(box, MqttParams(Enable=1, Port=free_port()), SERIAL, "Door")
    sink.start()
    try:
        _passage(box, 1)
        wait_until(lambda: "cannot connect" in str(sink.status()["last_error"]), what="the report")
        assert sink.status()["connected"] is False
        assert "messages wait in the outbox" in caplog.text  # what show-logs prints
        assert box.pending("mqtt") == 1
    finally:
        sink.stop()


def test_discovery_off_removes_the_home_assistant_entities(tmp_path: Path, broker: Any) -> None:
    box = Outbox(tmp_path / "o.sqlite3")
    topic = f"homeassistant/sensor/{SERIAL}_occupancy/config"
    for discovery_on in (1, 0):
        params = MqttParams(Enable=1, Port=broker.port, Discovery=discovery_on)
        sink = MqttSink(box, params, SERIAL, "Door")
        sink.start()
        wait_until(lambda s=sink: s.connected, what="connection")  # type: ignore[misc]
        sink.stop()
        late = Subscriber(broker.port, "homeassistant/#")
        time.sleep(0.3)
        retained = late.on(topic)
        late.close()
        if discovery_on:
            assert json.loads(retained[0])["name"] == "Occupancy"
        else:
            assert retained == []  # an empty retained payload deleted it

"""The live side of one counter: passages in; occupancy, alarms and messages out.

`Hub.on_passage` is an `Ingest` listener, so it only sees committed passages. For each one, under
one lock (so ids and order agree everywhere):
1. the occupancy estimate and the visit FIFO move on; the minute row and the state are saved;
2. the alarm rules run; each alarm is stored (`Store.add_event`);
3. the passage, then its alarms, are appended to the outbox, which wakes MQTT, webhooks and SSE.
A tick every second applies the smart re-zero rules (quiet site, closing time) and takes in,
late, passages that another process wrote to the store (`take_late`, counting/late.py).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from footfall.config import MqttParams, Params, WebhookParams
from footfall.counting.alarms import AlarmRules, AlarmState
from footfall.counting.late import LateGaps
from footfall.counting.occupancy import Change, OccupancyEstimate, Rezero, parse_closing
from footfall.counting.occupancy_db import OccupancyBook
from footfall.delivery import mqtt, webhook
from footfall.delivery.outbox import Outbox
from footfall.errors import BadRequest
from footfall.store import bins
from footfall.store.base import Direction, Event, Passage, Store

log = logging.getLogger(__name__)

TICK_S = 1.0  # how often the smart re-zero rules look at the clock
HOUSEKEEPING_S = 3600.0  # how often old occupancy minutes and delivered messages are dropped
LATE_WINDOW_S = 6 * 3600  # passages stored by another process within this are taken in late
LATE_CONFIRM_S = 10.0  # ... once the store has held them this long without our Ingest telling


def iso_utc(when: datetime) -> str:
    """`2026-11-24T15:30:00.120Z`: the time format of every message body."""
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _late_span(now_s: float) -> tuple[int, int]:
    """The minutes [start, end) looked at for late passages: LATE_WINDOW_S up to the next one."""
    return (int(now_s) - LATE_WINDOW_S) // 60 * 60, int(now_s) // 60 * 60 + 120


@dataclass(frozen=True, slots=True)
class LiveOccupancy:
    """What live-occupancy.json reports (SPEC §7)."""

    occupancy: int
    average_visit_s: int  # visits that ended today (local day), rounded
    total_in: int  # today
    total_out: int


class Hub:
    """Occupancy, alarms and delivery for one counter; thread-safe."""

    def __init__(
        self,
        store: Store,
        book: OccupancyBook,
        outbox: Outbox,
        params: Params,
        serial: str,
        zone: Callable[[], ZoneInfo],
        name: Callable[[], str],
    ) -> None:
        self.store = store
        self.book = book
        self.outbox = outbox
        self.params = params
        self.serial = serial
        self.zone = zone
        self.name = name
        self._lock = threading.RLock()
        saved = book.load_state("estimate")
        self.estimate = OccupancyEstimate.from_json(saved, params.Occupancy.Mode)
        self.late = LateGaps(LATE_CONFIRM_S)
        self.alarms = AlarmState.from_json(book.load_state("alarms"))
        self.mqtt: mqtt.MqttSink | None = None
        self.webhook: webhook.WebhookSink | None = None
        self._day: date | None = None  # the local day the last tick saw
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick_loop, name="occupancy-tick", daemon=True)
        if not saved:
            self._mark_all_seen(time.time())
            self._save()

    # -- passages and corrections -------------------------------------------------------------

    def on_passage(self, passage: Passage) -> None:
        """Ingest listener: count, alarm, send on."""
        with self._lock:
            self._take(passage, late=False)

    def _take(self, passage: Passage, late: bool) -> None:
        """Count one passage, alarm, send on; lock held."""
        change = self.estimate.apply(passage.direction, passage.time.timestamp())
        self._record(passage.time, change, passage.direction)
        rules = AlarmRules.from_params(self.params.Alarm)
        if late:  # its time is only the middle of its minute: no tailgating from it
            rules = dataclasses.replace(rules, tailgating=False)
        events = self.alarms.on_passage(passage, rules)
        events += self.alarms.on_occupancy(change.occupancy, passage.time, rules)
        self._save()
        body: dict[str, Any] = {
            "serial": self.serial,
            "time": iso_utc(passage.time),
            "direction": passage.direction,
            **self._state_fields(passage.time, change.occupancy),
        }
        if late:
            body["late"] = True
        self.outbox.add("passage", body, passage.time.timestamp())
        for event in events:
            self._emit_alarm(event)

    def take_late(self, now_s: float | None = None) -> int:
        """Take in passages another process stored (footfall replay); returns how many.

        Only the last LATE_WINDOW_S are looked at: older passages are history, they do not
        move the live estimate (the exports still count them in and out).
        """
        now = time.time() if now_s is None else now_s
        start, end = _late_span(now)
        with self._lock:
            stored = {
                b.minute_utc: (b.in_count, b.out_count) for b in self.store.minute_bins(start, end)
            }
            due = self.late.update(stored, self.book.seen(start, end), now)
            taken = 0
            for minute, (n_in, n_out) in sorted(due.items()):
                when = datetime.fromtimestamp(minute + 30, UTC)
                ins: list[Direction] = ["in"] * n_in
                outs: list[Direction] = ["out"] * n_out
                for direction in ins + outs:
                    self._take(Passage(when, direction), late=True)
                    taken += 1
        if taken:
            log.info("took in %d passages stored by another process", taken)
        return taken

    def _mark_all_seen(self, now_s: float) -> None:
        """First start on a store that already holds passages: they are history, not news."""
        minutes = self.store.minute_bins(*_late_span(now_s))
        rows = [(b.minute_utc, b.in_count, b.out_count) for b in minutes]
        self.book.mark_seen(rows, self.estimate.occupancy)

    def reset(self, inside: int, now: datetime | None = None) -> None:
        """occupancy-reset&occ=N (naive mode only, else 409 as SPEC §7 says)."""
        if self.params.Occupancy.Mode != "naive":
            raise BadRequest(
                "occupancy-reset works only in naive mode; Occupancy.Mode is smart", status=409
            )
        when = now or datetime.now(UTC)
        with self._lock:
            self._correct(self.estimate.reset(inside), "reset", when)

    def tick(self, now_s: float | None = None) -> str | None:
        """Apply the smart re-zero rules now; returns the reason when it re-zeroed."""
        now = time.time() if now_s is None else now_s
        occ = self.params.Occupancy
        rule = Rezero(
            quiet_s=occ.QuietPeriod * 60.0,
            quiet_maximum=occ.QuietMaximum,
            closing=parse_closing(occ.ClosingTime),
            zone=self.zone(),
        )
        with self._lock:
            before = self.estimate.smart
            reason = self.estimate.due(now, rule)
            if reason is None:
                return None
            change = self.estimate.rezero()
            log.info("smart occupancy re-zeroed (%s) from %d", reason, before)
            self._correct(change, reason, datetime.fromtimestamp(now, UTC), before)
            return reason

    def new_day(self, now_s: float | None = None) -> bool:
        """At local midnight send the zeroed day totals (retained MQTT state, HA day sensors)."""
        when = datetime.fromtimestamp(time.time() if now_s is None else now_s, UTC)
        day = when.astimezone(self.zone()).date()
        seen, self._day = self._day, day
        if seen is None or day == seen:
            return False
        with self._lock:
            self._send_occupancy(when, self.estimate.occupancy, {"reason": "day"})
        return True

    def _correct(self, change: Change, reason: str, when: datetime, before: int = 0) -> None:
        """Store, alarm and send an occupancy correction (reset or re-zero); lock held."""
        kind = "occupancy_reset" if reason == "reset" else "occupancy_rezero"
        payload: dict[str, Any] = {"occupancy": change.occupancy, "reason": reason}
        if kind == "occupancy_rezero":
            payload["before"] = before
        self._occupancy_changed(when, change, {"reason": reason}, Event(when, kind, payload))

    def _mode_switched(self, when: datetime) -> None:
        """The served figure changed with the mode, or occupancy was switched on: record, send
        and alarm on it (a retained MQTT occupancy may be days old); lock held."""
        # Without it the retained MQTT occupancy (and an occupancy_high alarm) would keep the
        # other mode's figure until the next passage.
        fields = {"reason": "mode", "mode": self.params.Occupancy.Mode}
        self._occupancy_changed(when, Change(self.estimate.occupancy), fields)

    def _occupancy_changed(
        self, when: datetime, change: Change, fields: dict[str, Any], event: Event | None = None
    ) -> None:
        """Record the served figure, alarm on it, store `event` and send the message; lock held."""
        self._record(when, change)
        rules = AlarmRules.from_params(self.params.Alarm)
        alarms = self.alarms.on_occupancy(change.occupancy, when, rules)
        self._save()
        if event is not None:
            fields = {"event_id": self.store.add_event(event), **fields}
        self._send_occupancy(when, change.occupancy, fields)
        for alarm in alarms:
            self._emit_alarm(alarm)

    def _send_occupancy(self, when: datetime, occupancy: int, fields: dict[str, Any]) -> None:
        """Append an occupancy message: serial, time, `fields`, then the figure and day totals."""
        body = {"serial": self.serial, "time": iso_utc(when), **fields}
        body.update(self._state_fields(when, occupancy, force=True))
        self.outbox.add("occupancy", body, when.timestamp())

    def _emit_alarm(self, event: Event) -> None:
        event_id = self.store.add_event(event)
        body = {
            "serial": self.serial,
            "time": iso_utc(event.time),
            "event_id": event_id,
            "kind": event.kind,
            **event.payload,
        }
        self.outbox.add("alarm", body, event.time.timestamp())

    def _record(self, when: datetime, change: Change, direction: str | None = None) -> None:
        minute = math.floor(when.timestamp() / 60) * 60
        self.book.record(minute, change.occupancy, change.visit_s, direction)

    def _save(self) -> None:
        self.book.save_state("estimate", self.estimate.to_json())
        self.book.save_state("alarms", self.alarms.to_json())

    def _state_fields(self, when: datetime, occupancy: int, force: bool = False) -> dict[str, Any]:
        total_in, total_out = bins.today_totals(self.store, self.zone(), when)
        fields: dict[str, Any] = {"in_today": total_in, "out_today": total_out}
        if force or self.params.Occupancy.Enable:
            fields["occupancy"] = occupancy
        return fields

    # -- reading --------------------------------------------------------------------------------

    def live(self, now: datetime | None = None) -> LiveOccupancy:
        """The live-occupancy.json figures."""
        when = now or datetime.now(UTC)
        zone = self.zone()
        start, end = bins.day_bounds_utc(when.astimezone(zone).date(), zone)
        minutes = self.book.minutes(start, end)
        visits = sum(m.visits for m in minutes)
        total_s = sum(m.visit_s for m in minutes)
        total_in, total_out = bins.today_totals(self.store, zone, when)
        with self._lock:
            occupancy = self.estimate.occupancy
        average = round(total_s / visits) if visits else 0
        return LiveOccupancy(occupancy, average, total_in, total_out)

    def status(self) -> dict[str, object]:
        """For show-logs / generate-logs."""
        with self._lock:
            out: dict[str, object] = {
                "occupancy": {
                    "mode": self.estimate.mode,
                    "naive": self.estimate.naive,
                    "smart": self.estimate.smart,
                    "inside_fifo": len(self.estimate.visits),
                },
                "outbox_last_id": self.outbox.last_seq(),
            }
        if self.mqtt is not None:
            out["mqtt"] = self.mqtt.status()
        if self.webhook is not None:
            out["webhook"] = self.webhook.status()
        return out

    # -- settings and life cycle ----------------------------------------------------------------

    def apply(self, new: Params, old: Params | None = None) -> None:
        """Take new params (a ParamsStore listener): mode, alarms, and (re)start the sinks."""
        with self._lock:
            self.params = new
            self.estimate.mode = new.Occupancy.Mode
            switched_on = old is not None and new.Occupancy.Enable > old.Occupancy.Enable
            if old is not None and (new.Occupancy.Mode != old.Occupancy.Mode or switched_on):
                self._mode_switched(datetime.now(UTC))
            elif old is None or new.Alarm != old.Alarm:
                # A rule switched off or a new threshold may end an occupancy alarm at once.
                rules = AlarmRules.from_params(new.Alarm)
                now = datetime.now(UTC)
                for event in self.alarms.on_occupancy(self.estimate.occupancy, now, rules):
                    self._emit_alarm(event)
                self._save()
        if old is None or new.MQTT != old.MQTT or new.Counter.Name != old.Counter.Name:
            self._restart_mqtt(new.MQTT)
        if old is None or new.Webhook != old.Webhook:
            self._restart_webhook(new.Webhook)

    def _restart_mqtt(self, settings: MqttParams) -> None:
        if self.mqtt is not None:
            self.mqtt.stop()
            self.mqtt = None
        if not settings.Enable:
            self.outbox.forget(mqtt.SINK)
            return
        self.mqtt = mqtt.MqttSink(self.outbox, settings, self.serial, self.name())
        self.mqtt.start()

    def _restart_webhook(self, settings: WebhookParams) -> None:
        if self.webhook is not None:
            self.webhook.stop()
            self.webhook = None
        if not settings.Enable:
            self.outbox.forget(webhook.SINK)
            return
        self.webhook = webhook.WebhookSink(self.outbox, settings.URL, settings.Secret)
        self.webhook.start()

    def start(self) -> None:
        """Start the sinks the params enable and the re-zero ticker."""
        self.apply(self.params)
        self._ticker.start()

    def stop(self) -> None:
        """Stop the ticker and the sinks (what was not delivered stays in the outbox)."""
        self._stop.set()
        if self._ticker.is_alive():
            self._ticker.join(timeout=TICK_S * 2)
        for sink in (self.mqtt, self.webhook):
            if sink is not None:
                sink.stop()
        self.mqtt = self.webhook = None

    def clear(self) -> None:
        """After clear-data: forget occupancy minutes and state (counts and events are gone)."""
        with self._lock:
            self.book.clear()
            self.estimate = OccupancyEstimate(self.params.Occupancy.Mode)
            self.alarms = AlarmState()
            self.late.clear()
            self._save()

    def housekeeping(self, now_s: float | None = None) -> int:
        """Apply Storage.RetentionDays to occupancy minutes and prune the outbox; rows removed."""
        now = time.time() if now_s is None else now_s
        cutoff = int(now) - self.params.Storage.RetentionDays * 86400
        return self.book.purge_before(cutoff) + self.outbox.prune(now)

    def _tick_loop(self) -> None:
        last_housekeeping = 0.0
        failing: str | None = None  # the failure being reported, logged once until it ends
        while not self._stop.wait(TICK_S):
            try:
                self.tick()
                self.new_day()
                self.take_late()
                if time.monotonic() - last_housekeeping >= HOUSEKEEPING_S:
                    last_housekeeping = time.monotonic()
                    self.housekeeping()
            except Exception as exc:
                # A database away for an hour is one traceback, not one a second.
                if failing != type(exc).__name__:
                    failing = type(exc).__name__
                    log.exception("occupancy re-zero check or housekeeping failed; retrying")
                continue
            if failing is not None:
                log.info("occupancy re-zero check and housekeeping work again")
                failing = None

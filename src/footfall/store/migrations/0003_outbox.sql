-- Everything that leaves the counter, in order, once (delivery/outbox.py): passages, alarms and
-- occupancy changes. `seq` is the message id used by MQTT, webhooks and the SSE stream.
-- Also applied by the delivery module when it opens a file of its own (PostgreSQL counts).
CREATE TABLE IF NOT EXISTS outbox (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    time_s REAL NOT NULL,             -- epoch seconds of the passage or event
    kind   TEXT NOT NULL,             -- "passage" | "alarm" | "occupancy"
    body   TEXT NOT NULL              -- JSON message without its id
);
CREATE TABLE IF NOT EXISTS outbox_cursor (
    sink TEXT PRIMARY KEY,            -- "mqtt" | "webhook"
    seq  INTEGER NOT NULL             -- last seq the sink has delivered (acknowledged)
);

-- footfall PostgreSQL schema, version 1 (applied by footfall.store.postgres at start-up).
-- One database holds the counts of many counters: every row carries its counter's serial, and a
-- store reads, clears and purges only the rows of its own serial.

-- Counts in 1-minute bins keyed by the epoch second at which the UTC minute starts (SPEC.md §2).
-- A row exists only for a minute that holds at least one passage.
CREATE TABLE minute_bins (
    serial     text   NOT NULL,
    minute_utc bigint NOT NULL CHECK (minute_utc >= 0 AND minute_utc % 60 = 0),
    in_count   bigint NOT NULL DEFAULT 0 CHECK (in_count >= 0),
    out_count  bigint NOT NULL DEFAULT 0 CHECK (out_count >= 0),
    PRIMARY KEY (serial, minute_utc)
);

-- Alarms, resets and the like; `time_us` is UTC microseconds since 1970. `json` (not jsonb)
-- keeps the payload's text, so its keys come back in the order they were written.
CREATE TABLE events (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    serial  text   NOT NULL,
    time_us bigint NOT NULL,
    kind    text   NOT NULL,
    payload json   NOT NULL DEFAULT '{}'
);
CREATE INDEX events_serial_time ON events (serial, time_us);

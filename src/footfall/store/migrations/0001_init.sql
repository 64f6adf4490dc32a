-- footfall store schema, version 1 (applied by footfall.store.migrate).
-- Counts live in 1-minute bins keyed by the epoch second at which the UTC minute starts
-- (SPEC.md §2). A row exists only for a minute that holds at least one passage.
CREATE TABLE minute_bins (
    minute_utc INTEGER PRIMARY KEY CHECK (minute_utc >= 0 AND minute_utc % 60 = 0),
    in_count   INTEGER NOT NULL DEFAULT 0 CHECK (in_count >= 0),
    out_count  INTEGER NOT NULL DEFAULT 0 CHECK (out_count >= 0)
) WITHOUT ROWID;

-- Alarms, resets and the like; `time_us` is UTC microseconds since 1970, `payload` JSON text.
CREATE TABLE events (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    time_us INTEGER NOT NULL,
    kind    TEXT    NOT NULL,
    payload TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX events_time ON events (time_us);

-- The same counts summed per UTC quarter-hour, kept by the database itself (triggers below),
-- so it can never disagree with minute_bins whoever writes them. Exports read it: every real
-- zone offset today is a multiple of 15 minutes, so a UTC quarter lies inside one local bin.
CREATE TABLE quarter_bins (
    quarter_utc INTEGER PRIMARY KEY,
    in_count    INTEGER NOT NULL,
    out_count   INTEGER NOT NULL,
    minutes     INTEGER NOT NULL  -- minute_bins rows in this quarter; the row goes at 0
) WITHOUT ROWID;

CREATE TRIGGER minute_bins_insert AFTER INSERT ON minute_bins BEGIN
    INSERT INTO quarter_bins (quarter_utc, in_count, out_count, minutes)
    VALUES (NEW.minute_utc / 900 * 900, NEW.in_count, NEW.out_count, 1)
    ON CONFLICT (quarter_utc) DO UPDATE SET
        in_count = in_count + excluded.in_count,
        out_count = out_count + excluded.out_count,
        minutes = minutes + 1;
END;

CREATE TRIGGER minute_bins_update AFTER UPDATE ON minute_bins BEGIN
    UPDATE quarter_bins SET in_count = in_count - OLD.in_count,
        out_count = out_count - OLD.out_count, minutes = minutes - 1
    WHERE quarter_utc = OLD.minute_utc / 900 * 900;
    INSERT INTO quarter_bins (quarter_utc, in_count, out_count, minutes)
    VALUES (NEW.minute_utc / 900 * 900, NEW.in_count, NEW.out_count, 1)
    ON CONFLICT (quarter_utc) DO UPDATE SET
        in_count = in_count + excluded.in_count,
        out_count = out_count + excluded.out_count,
        minutes = minutes + 1;
    DELETE FROM quarter_bins WHERE quarter_utc = OLD.minute_utc / 900 * 900 AND minutes = 0;
END;

CREATE TRIGGER minute_bins_delete AFTER DELETE ON minute_bins BEGIN
    UPDATE quarter_bins SET in_count = in_count - OLD.in_count,
        out_count = out_count - OLD.out_count, minutes = minutes - 1
    WHERE quarter_utc = OLD.minute_utc / 900 * 900;
    DELETE FROM quarter_bins WHERE quarter_utc = OLD.minute_utc / 900 * 900 AND minutes = 0;
END;

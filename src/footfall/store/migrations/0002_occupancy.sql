-- Occupancy per UTC minute and the live estimate's state (counting/occupancy_db.py, SPEC §7).
-- Also applied by the occupancy module when it opens a file of its own (PostgreSQL counts).
CREATE TABLE IF NOT EXISTS occupancy_minute (
    minute_utc INTEGER PRIMARY KEY,   -- epoch second at which the UTC minute starts
    occupancy  INTEGER NOT NULL,      -- estimate served at the end of the minute (mode in force)
    visit_s    REAL    NOT NULL DEFAULT 0,  -- sum of the visit lengths that ended in the minute
    visits     INTEGER NOT NULL DEFAULT 0   -- how many visits ended in the minute
);
CREATE TABLE IF NOT EXISTS occupancy_state (
    name  TEXT PRIMARY KEY,           -- "estimate", "alarms"
    value TEXT NOT NULL               -- JSON
);

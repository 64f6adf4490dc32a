-- How many passages of each minute the live occupancy has taken in (delivery/hub.py). A minute
-- bin holding more got them from another process (`footfall replay` into a running server); the
-- hub takes those in late.
ALTER TABLE occupancy_minute ADD COLUMN in_seen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE occupancy_minute ADD COLUMN out_seen INTEGER NOT NULL DEFAULT 0;

-- Batches of passages written with an id (the video pipeline's): a batch retried after the
-- connection was lost during its COMMIT, which may have landed, is applied once. The ids of the
-- last 7 days are kept (a retry comes seconds to hours later).
CREATE TABLE applied_batches (
    batch_id   text   PRIMARY KEY,
    serial     text   NOT NULL,
    applied_us bigint NOT NULL
);
CREATE INDEX applied_batches_time ON applied_batches (applied_us);

-- The batch lifecycle (SPEC §6): the progress a running batch stores as each
-- group of rows commits (done of total rows), the SHA-256 of its file (a
-- resume must upload the same one), and the lease of the run that holds it
-- (runner, lease_until). A Running batch whose lease lapsed reads as
-- Interrupted. Batches stored before have no lease: they read as
-- Interrupted if they were left Running.

-- +goose Up
ALTER TABLE batches
    ADD COLUMN done        integer NOT NULL DEFAULT 0,
    ADD COLUMN total       integer NOT NULL DEFAULT 0,
    ADD COLUMN file_hash   text NOT NULL DEFAULT '',
    ADD COLUMN runner      text NOT NULL DEFAULT '',
    ADD COLUMN lease_until timestamptz;

-- +goose Down
ALTER TABLE batches
    DROP COLUMN lease_until,
    DROP COLUMN runner,
    DROP COLUMN file_hash,
    DROP COLUMN total,
    DROP COLUMN done;

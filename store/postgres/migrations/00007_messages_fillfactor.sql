-- The bytes an import writes (SPEC §13): every outbox message is inserted
-- and then updated once its delivery is recorded (Sent, its time, its
-- secret cleared). With full pages the new version of the row goes to
-- another page: the update is logged whole, after a lock of the old row,
-- and every index gets a new entry. With room left on each page for the
-- rows' updated versions (a sent message is a little smaller than a queued
-- one: at 60 %, most of a page's rows fit again), the new version stays on
-- the row's page, where PostgreSQL logs only the part of the row that
-- changed. The price is disk: the table's pages hold 60 % of what they
-- could when first written. Existing pages are left as they are.

-- +goose Up
ALTER TABLE messages SET (fillfactor = 60);

-- +goose Down
ALTER TABLE messages RESET (fillfactor);

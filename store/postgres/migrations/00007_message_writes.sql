-- The bytes an import writes (SPEC §13): every outbox message is inserted
-- and then updated once its delivery is recorded (Sent, its time, its
-- secret cleared). Two things made that update dear.
--
-- The due messages' index named the state in its predicate (WHERE state IN
-- ('Queued', 'Failed')), so every change of state was a change of an
-- indexed column: the update could not be a HOT one, and wrote a new entry
-- in each of the table's indexes. The due messages are now the rows of
-- message_due, one per message Queued or Failed, which the store keeps in
-- step with the messages it writes (a row is inserted with a due message
-- and deleted when its message leaves the due states) and DueMessages
-- joins; no index of messages names a column a delivery changes.
--
-- With full pages the new version of the row went to another page: it was
-- logged whole, after a lock of the old row. The table now leaves room on
-- each page for its rows' updated versions (a sent message is a little
-- smaller than a queued one: at 50 %, every row of a page fits again), so
-- the new version stays on the row's page, which a HOT update needs, and
-- is logged as the part that changed. The price is disk: the table's pages
-- hold half of what they could when first written. Existing pages are left
-- as they are.

-- +goose Up
CREATE TABLE message_due (
    id text COLLATE "C" PRIMARY KEY
);
INSERT INTO message_due (id) SELECT id FROM messages WHERE state IN ('Queued', 'Failed');
DROP INDEX messages_due_idx;
ALTER TABLE messages SET (fillfactor = 50);

-- +goose Down
ALTER TABLE messages RESET (fillfactor);
CREATE INDEX messages_due_idx ON messages (id) WHERE state IN ('Queued', 'Failed');
DROP TABLE message_due;

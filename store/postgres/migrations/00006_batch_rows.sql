-- A batch's report lines move out of its row into a table of their own, one
-- row per line (SPEC §13, the scale of an import). A running batch stored
-- its whole report so far in batches.rows and batches.accounts (JSON) at
-- each group of rows: every group rewrote every line done before it, so an
-- upload's cost, and the WAL it wrote, grew with the square of its rows.
-- Now a group inserts its own lines and updates the batch's header; the
-- lines are only ever added, and read (ordered by line, the primary key)
-- to show, download, undo or resume a batch.
--
-- A line's columns are those of the report (batch.ReportRow); account_id
-- is the account the row created, NULL for none. The existing reports are
-- moved over (the JSON's keys are the Go field names encoding/json wrote;
-- a report stored as JSON null has no lines), and back on the way down.

-- +goose Up
CREATE TABLE batch_rows (
    batch_id         text COLLATE "C" NOT NULL,
    line             integer NOT NULL,
    email_or_device  text NOT NULL,
    first_name       text NOT NULL,
    last_name        text NOT NULL,
    multiline_number text NOT NULL,
    status           text NOT NULL,
    error            text NOT NULL,
    error_code       text NOT NULL,
    account_id       text COLLATE "C",
    PRIMARY KEY (batch_id, line)
);

INSERT INTO batch_rows (batch_id, line, email_or_device, first_name, last_name, multiline_number, status, error,
                        error_code, account_id)
SELECT b.id, (r.line ->> 'Row')::integer, coalesce(r.line ->> 'EmailOrDevice', ''), coalesce(r.line ->> 'FirstName', ''),
       coalesce(r.line ->> 'LastName', ''), coalesce(r.line ->> 'MultilineNumber', ''), coalesce(r.line ->> 'Status', ''),
       coalesce(r.line ->> 'Error', ''), coalesce(r.line ->> 'ErrorCode', ''),
       nullif(CASE WHEN jsonb_typeof(b.accounts) = 'array' THEN b.accounts ->> (r.n - 1)::integer END, '')
FROM batches b,
     jsonb_array_elements(CASE WHEN jsonb_typeof(b.rows) = 'array' THEN b.rows ELSE '[]'::jsonb END)
         WITH ORDINALITY AS r(line, n)
ON CONFLICT DO NOTHING;

ALTER TABLE batches
    DROP COLUMN rows,
    DROP COLUMN accounts;

-- +goose Down
ALTER TABLE batches
    ADD COLUMN rows     jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN accounts jsonb NOT NULL DEFAULT '[]';

UPDATE batches b
SET rows     = l.rows,
    accounts = l.accounts
FROM (SELECT batch_id,
             jsonb_agg(jsonb_build_object('Row', line, 'EmailOrDevice', email_or_device, 'FirstName', first_name,
                                          'LastName', last_name, 'MultilineNumber', multiline_number,
                                          'Status', status, 'Error', error, 'ErrorCode', error_code)
                       ORDER BY line)                         AS rows,
             jsonb_agg(coalesce(account_id, '') ORDER BY line) AS accounts
      FROM batch_rows
      GROUP BY batch_id) l
WHERE b.id = l.batch_id;

ALTER TABLE batches
    ALTER COLUMN rows DROP DEFAULT,
    ALTER COLUMN accounts DROP DEFAULT;

DROP TABLE batch_rows;

-- The bytes and the server time an import spends on its audit events (SPEC
-- §13): two to three a row, each with its record before and after as JSON.
-- Stored as jsonb, every document was parsed and converted on its way in
-- (about 4 µs a 650-byte account snapshot here, against under 2 µs to check
-- it as json) and came back normalized (keys reordered), though no
-- statement reads inside it: ListAudit returns the documents whole. As json
-- they are checked, stored and returned as the service wrote them, as the
-- memory store returns them, and take some 7 % less room. The change
-- rewrites the table once, under an exclusive lock: a host with a long
-- audit log applies it at a quiet time.

-- +goose Up
ALTER TABLE audit ALTER COLUMN before TYPE json USING before::json,
    ALTER COLUMN after TYPE json USING after::json;

-- +goose Down
ALTER TABLE audit ALTER COLUMN before TYPE jsonb USING before::jsonb,
    ALTER COLUMN after TYPE jsonb USING after::jsonb;

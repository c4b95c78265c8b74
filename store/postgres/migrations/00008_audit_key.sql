-- The bytes an import writes (SPEC §13): two to three audit events a row,
-- each of which wrote an entry in two indexes, the primary key on the
-- event's ID and audit_org_idx on (org_id, id), which ListAudit reads. One
-- index now serves both: the primary key is (org_id, id). An event's ID is
-- then unique within its organization, which is all the key guards: the
-- service's IDs are UUIDv7, unique everywhere, and no read looks an event
-- up by its ID alone. The constraint keeps its name, audit_pkey, which the
-- store maps to multiline.KeyAuditEvent.

-- +goose Up
ALTER TABLE audit DROP CONSTRAINT audit_pkey;
ALTER TABLE audit ADD CONSTRAINT audit_pkey PRIMARY KEY (org_id, id);
DROP INDEX audit_org_idx;

-- +goose Down
CREATE INDEX audit_org_idx ON audit (org_id, id);
ALTER TABLE audit DROP CONSTRAINT audit_pkey;
ALTER TABLE audit ADD CONSTRAINT audit_pkey PRIMARY KEY (id);

-- The bytes an import writes (SPEC §13): every account was entered in the
-- search indexes of its Account ID and its number even when it has none,
-- and most imported accounts have no Account ID and many no number, so an
-- import wrote an index entry (and its share of page splits) per such
-- account for nothing: no search can find the empty value, since a search
-- text is never empty. These two indexes now leave the empty value out;
-- the store's search adds the matching condition (account_id <> '',
-- number <> '') to those branches, which the prefix range implies.

-- +goose Up
DROP INDEX accounts_search_account_id_idx;
CREATE INDEX accounts_search_account_id_idx ON accounts (org_id, (lower(account_id) COLLATE "C"), id) WHERE account_id <> '';
DROP INDEX accounts_search_number_idx;
CREATE INDEX accounts_search_number_idx ON accounts (org_id, (lower(number) COLLATE "C"), id) WHERE number <> '';

-- +goose Down
DROP INDEX accounts_search_number_idx;
CREATE INDEX accounts_search_number_idx ON accounts (org_id, (lower(number) COLLATE "C"), id);
DROP INDEX accounts_search_account_id_idx;
CREATE INDEX accounts_search_account_id_idx ON accounts (org_id, (lower(account_id) COLLATE "C"), id);

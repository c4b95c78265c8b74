-- The indexes of SearchAccounts (the Accounts screen's status filter and
-- prefix search). Each searched field has an index on (org_id, its
-- lower-cased value in byte order, id): a prefix is a range of it, and its
-- rows within the range come in the order a search page is keyed by, so a
-- page reads a page's worth of rows per field however many accounts match.
-- The expressions must stay exactly as the store's queries write them.

-- +goose Up
CREATE INDEX accounts_search_first_name_idx ON accounts (org_id, (lower(first_name) COLLATE "C"), id);
CREATE INDEX accounts_search_last_name_idx ON accounts (org_id, (lower(last_name) COLLATE "C"), id);
CREATE INDEX accounts_search_username_idx ON accounts (org_id, (lower(username) COLLATE "C"), id);
CREATE INDEX accounts_search_account_id_idx ON accounts (org_id, (lower(account_id) COLLATE "C"), id);
CREATE INDEX accounts_search_number_idx ON accounts (org_id, (lower(number) COLLATE "C"), id);
-- The status filter alone: one status of one organization, oldest first.
CREATE INDEX accounts_status_idx ON accounts (org_id, status, id);

-- +goose Down
DROP INDEX accounts_status_idx;
DROP INDEX accounts_search_number_idx;
DROP INDEX accounts_search_account_id_idx;
DROP INDEX accounts_search_username_idx;
DROP INDEX accounts_search_last_name_idx;
DROP INDEX accounts_search_first_name_idx;

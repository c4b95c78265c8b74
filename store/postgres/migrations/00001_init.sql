-- The MultiLine store's tables. Every key column uses the "C" collation, so
-- that ORDER BY and keyset pagination compare bytes, as Go does, whatever the
-- database's default collation. Unique constraints are the last line of
-- defence behind the store's own checks; their names are what the store maps
-- unique violations (SQLSTATE 23505) to *multiline.UniqueError keys with.

-- +goose Up
CREATE TABLE orgs (
    id        text COLLATE "C" PRIMARY KEY,
    parent_id text COLLATE "C" NOT NULL,
    name      text NOT NULL,
    settings  jsonb NOT NULL,
    created   timestamptz
);
CREATE INDEX orgs_parent_idx ON orgs (parent_id, id);

-- One row per organization: the counts Capacity returns, kept by the store in
-- the transactions that change numbers and accounts. LockOrg locks the row
-- (SELECT … FOR UPDATE), so every change to an organization's counts waits
-- for the transaction that weighs them.
CREATE TABLE org_capacity (
    org_id    text COLLATE "C" PRIMARY KEY,
    available integer NOT NULL DEFAULT 0,
    pending   integer NOT NULL DEFAULT 0,
    held      integer NOT NULL DEFAULT 0,
    total     integer NOT NULL DEFAULT 0
);

CREATE TABLE admins (
    id      text COLLATE "C" PRIMARY KEY,
    name    text NOT NULL,
    email   text NOT NULL,
    roles   jsonb NOT NULL,
    created timestamptz
);
CREATE UNIQUE INDEX admins_email_key ON admins (email) WHERE email <> '';

CREATE TABLE profiles (
    id         text COLLATE "C" PRIMARY KEY,
    org_id     text COLLATE "C" NOT NULL,
    name       text NOT NULL,
    is_default boolean NOT NULL,
    created    timestamptz
);
CREATE INDEX profiles_org_idx ON profiles (org_id);
CREATE UNIQUE INDEX profiles_default_key ON profiles (org_id) WHERE is_default;

CREATE TABLE numbers (
    e164        text COLLATE "C" PRIMARY KEY,
    org_id      text COLLATE "C" NOT NULL,
    state       text NOT NULL,
    tag         text NOT NULL,
    account_id  text NOT NULL,
    origin      text NOT NULL,
    aging_until timestamptz
);
CREATE INDEX numbers_org_idx ON numbers (org_id, e164);
CREATE INDEX numbers_pick_idx ON numbers (org_id, state, e164);
CREATE INDEX numbers_aging_idx ON numbers (e164) WHERE state = 'Aging';

CREATE TABLE accounts (
    id                       text COLLATE "C" PRIMARY KEY,
    org_id                   text COLLATE "C" NOT NULL,
    account_id               text NOT NULL,
    first_name               text NOT NULL,
    last_name                text NOT NULL,
    email                    text NOT NULL,
    device                   text NOT NULL,
    username                 text NOT NULL,
    applications             text[],
    number                   text NOT NULL,
    profile_id               text NOT NULL,
    forwarding               text NOT NULL,
    features                 text[],
    language                 text NOT NULL,
    social_messaging         boolean NOT NULL,
    restrict_incoming_social boolean NOT NULL,
    record_calls             boolean NOT NULL,
    record_sms               boolean NOT NULL,
    status                   text NOT NULL,
    suspended_from           text NOT NULL,
    batch_id                 text NOT NULL,
    created                  timestamptz,
    updated                  timestamptz
);
CREATE UNIQUE INDEX accounts_username_key ON accounts (username);
CREATE UNIQUE INDEX accounts_account_id_key ON accounts (org_id, account_id) WHERE account_id <> '';
CREATE INDEX accounts_org_idx ON accounts (org_id, id);

CREATE TABLE invitations (
    account_id    text COLLATE "C" PRIMARY KEY,
    id            text COLLATE "C" NOT NULL,
    org_id        text COLLATE "C" NOT NULL,
    channel       text NOT NULL,
    destination   text NOT NULL,
    token_hash    bytea,
    token_version integer NOT NULL,
    retired       bytea[],
    expires_at    timestamptz,
    state         text NOT NULL,
    consent       jsonb,
    message_id    text NOT NULL,
    created       timestamptz,
    updated       timestamptz
);
CREATE UNIQUE INDEX invitations_id_key ON invitations (id);

-- Every token hash an invitation answers to, current and retired: the index
-- InvitationByToken looks up, and what makes a hash unique system-wide.
CREATE TABLE invitation_tokens (
    hash       bytea PRIMARY KEY,
    account_id text COLLATE "C" NOT NULL
);
CREATE INDEX invitation_tokens_account_idx ON invitation_tokens (account_id);

CREATE TABLE messages (
    id              text COLLATE "C" PRIMARY KEY,
    kind            text NOT NULL,
    org_id          text COLLATE "C" NOT NULL,
    channel         text NOT NULL,
    to_addr         text NOT NULL,
    subject         text NOT NULL,
    body_text       text NOT NULL,
    body_html       text NOT NULL,
    idempotency_key text NOT NULL,
    invitation_id   text NOT NULL,
    account_id      text NOT NULL,
    token_version   integer NOT NULL,
    secret          text NOT NULL,
    state           text NOT NULL,
    attempts        integer NOT NULL,
    last_error      text NOT NULL,
    next_attempt    timestamptz,
    sent_at         timestamptz,
    created         timestamptz
);
CREATE UNIQUE INDEX messages_idempotency_key ON messages (idempotency_key);
CREATE INDEX messages_org_idx ON messages (org_id, id);
CREATE INDEX messages_due_idx ON messages (id) WHERE state IN ('Queued', 'Failed');

CREATE TABLE audit (
    id      text COLLATE "C" PRIMARY KEY,
    at      timestamptz,
    actor   text NOT NULL,
    org_id  text COLLATE "C" NOT NULL,
    action  text NOT NULL,
    subject text NOT NULL,
    before  jsonb,
    after   jsonb
);
CREATE INDEX audit_org_idx ON audit (org_id, id);

CREATE TABLE batches (
    id       text COLLATE "C" PRIMARY KEY,
    org_id   text COLLATE "C" NOT NULL,
    actor    text NOT NULL,
    mode     integer NOT NULL,
    profile  text NOT NULL,
    key      text,
    state    text NOT NULL,
    rows     jsonb NOT NULL,
    summary  jsonb NOT NULL,
    accounts jsonb NOT NULL,
    created  timestamptz,
    finished timestamptz
);
CREATE UNIQUE INDEX batches_key ON batches (org_id, key);
CREATE INDEX batches_org_idx ON batches (org_id, id);

-- +goose Down
DROP TABLE batches;
DROP TABLE audit;
DROP TABLE messages;
DROP TABLE invitation_tokens;
DROP TABLE invitations;
DROP TABLE accounts;
DROP TABLE numbers;
DROP TABLE profiles;
DROP TABLE admins;
DROP TABLE org_capacity;
DROP TABLE orgs;

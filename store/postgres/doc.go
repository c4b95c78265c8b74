// Package postgres is the PostgreSQL store of the MultiLine SDK: a
// multiline.Store over a pgx connection pool, for hosts that run several
// service instances (processes, machines) against one database.
//
// It lives in a Go module of its own, so that pgx never enters the core
// module's dependencies. A host wires it with one line where it used the
// memory store:
//
//	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
//	…
//	store := postgres.New(pool)
//	if err := store.Migrate(ctx); err != nil { … }
//	svc, err := multiline.New(store, …)
//
// # Migrations
//
// Migrate applies the embedded, versioned SQL migrations with goose, so that
// instances starting at once apply each migration exactly once; it is
// idempotent. It serializes them with a row lock, not an advisory lock
// (which some PostgreSQL-compatible engines lack or accept as a no-op): it
// holds the write lock of the one row of the schema's MigrationLockTable,
// in a READ COMMITTED transaction on a connection of its own, while goose
// applies them on others; another instance's Migrate waits for it (as long
// as its ctx allows) and then finds nothing to apply. The server releases
// the lock when the holder's connection ends, even if its process dies.
// The tables live in one schema (WithSchema, default "multiline"), which
// Migrate creates; every statement names it, so the store does not depend
// on the connections' search_path.
//
// # Transactions, locks and retries
//
// Tx holds one pooled connection for the transaction and begins it with
// BEGIN ISOLATION LEVEL READ COMMITTED, or SERIALIZABLE under
// WithIsolation(Serializable). Every rule of the SDK holds at READ
// COMMITTED because the store takes the locks itself (and at SERIALIZABLE,
// where the engine adds its own checks, with more retries):
//
//   - reads of a record the service may then update lock it with SELECT …
//     FOR UPDATE (numbers, accounts, invitations, messages, batches);
//     organizations, which are read by every call and updated rarely, are
//     read with SELECT … FOR SHARE;
//   - PickNumber and DueMessages use SELECT … FOR UPDATE SKIP LOCKED, so that
//     concurrent transactions never get the same number or message and do
//     not queue behind each other;
//   - the counts Capacity returns are kept per organization in a row of
//     org_capacity, changed by the store in the transactions that change
//     numbers and accounts (INSERT … ON CONFLICT DO UPDATE with increments,
//     a transaction's in one statement, sent with the round trip that
//     reads the counts or with COMMIT, so that the row, which every change
//     of the organization's numbers and accounts locks, is locked late);
//     LockOrg locks that row (SELECT … FOR UPDATE), so a transaction that
//     weighs an organization's capacity and then changes it is serialized
//     against every other change of that organization's counts, and
//     Capacity after LockOrg costs nothing;
//   - unique indexes (usernames, Account IDs per organization, numbers,
//     idempotency keys, batch keys per organization, one default profile
//     per organization, token hashes) are the last line of defence. Inserts
//     use INSERT … ON CONFLICT DO NOTHING and then find which key was taken,
//     and an update that may take another record's key runs inside a
//     SAVEPOINT, so that a *multiline.UniqueError leaves the transaction
//     usable, as the contract says. The group creates (CreateAccounts,
//     CreateInvitations, EnqueueAll) are the exception the contract allows:
//     see below.
//
// A transaction that fails with a serialization failure (SQLSTATE 40001) or
// a deadlock (40P01) is rolled back and run again, as the store's
// RetryPolicy says (WithRetryPolicy, WithMaxRetries): up to
// DefaultMaxRetries times by default, after a pause drawn at random below a
// bound that doubles from DefaultMinBackoff up to DefaultMaxBackoff. The
// service's transaction functions may therefore run more than once. At READ
// COMMITTED only deadlocks are retried, which are rare. At SERIALIZABLE, on
// PostgreSQL, a transaction that waited for a row lock whose holder then
// changed the row fails once the holder commits, so contended rows (an
// organization's capacity row above all) cost retries: the budget is sized
// so that, under the multi-instance test's load, none of them reaches a
// caller. CI runs the store's whole test suite at both levels
// (MULTILINE_PG_ISOLATION=serializable selects SERIALIZABLE), on
// PostgreSQL 15 and 18.
//
// # Round trips
//
// Writes that cannot fail with an answer the caller acts on (audit events,
// the capacity counts, updates and deletes of rows this transaction has
// already locked and whose unique keys do not change) are queued and sent
// with the transaction's next statement, or with COMMIT, in one pgx.Batch;
// the BEGIN is sent with the first statement. An error in such a queued
// write fails the transaction and is returned by the call that sent it, or
// by Tx.
//
// The group calls cost one round trip for a group however large: Numbers,
// MessagesByID and Invitations are one SELECT each, which probes the key's
// index once for each of the keys, passed sorted, and locks the rows in
// that order (so concurrent group reads lock rows in one order), and
// AccountConflicts is one SELECT over the unnested keys of its accounts,
// which probes one unique index per key it checks. Their cost does not
// grow with the tables: written as WHERE key = ANY($1), the planner read
// whole tables of up to some 50 000 rows instead, which concurrent imports
// made dear (see the queries' comments). SwapDeliveries is one UPDATE …
// FROM unnest(…) WHERE the stored delivery is the one given … RETURNING
// the IDs swapped, its messages in ID order and found by their key's index
// as the queued updates find theirs (see below); at READ COMMITTED a row
// that another transaction changed and committed meanwhile is weighed
// again as committed, so a delivery that moved on is never overwritten.
// CreateAccounts, CreateInvitations and EnqueueAll cost none of their own:
// each queues one set-based INSERT … SELECT … FROM unnest($1::text[], …),
// its columns passed as arrays, without ON CONFLICT, so a key taken
// nonetheless fails the transaction with a *multiline.UniqueError from the
// call that sends it, or from Tx at commit.
//
// # COPY
//
// A run of DefaultCopyRows inserts or more (a group's accounts, messages,
// invitations and their token hashes, its report lines, a run of audit
// events) goes as COPY … FROM STDIN BINARY instead, encoded by the store
// when it is queued, and sent just before the round trip it would have
// gone with, in one of its own: a COPY cannot join a pipeline. Why: as
// array parameters, a 1000-row Import & Invite was 52 MB of allocations in
// the client, most of them pgx growing Bind messages while it encoded the
// arrays, and the server decoded and unnested them; as COPY it is 28 MB,
// and the server inserts the rows in batches, which also writes less WAL
// (TestWALPerRow: 6 239 → 5 921 bytes a row). The cost is one round trip a
// table a group (six for a group of an import), and one more when writes
// queued before the first COPY must go ahead of it. The rows are those the
// statements would write (the same argument lists, kinds and NULLs;
// TestConformanceCopy runs the conformance suite with every insert a COPY),
// and a key taken fails the transaction with a *multiline.UniqueError as
// before. A COPY is traced as pgx's CopyFrom is, if the pool's tracer
// traces CopyFrom. WithCopyRows sets the length, or turns COPY off.
//
// The queued writes are set-based too: a run of consecutive queued updates
// of numbers, accounts or messages goes as one UPDATE … FROM unnest(…) (of
// two updates of one row in a run, the last, which is what they leave),
// which finds its rows by their key's index (not by reading the table
// whole, as the planner otherwise chose for tables of up to well over
// 50 000 rows), in its place among the other queued writes, whose order
// is kept; the audit
// events, which no queued write reads, go after all of them, as one
// INSERT … SELECT … FROM unnest(…). A run of one goes set-based too, so
// that each kind of queued write is one statement to prepare on a
// connection: its first use there costs one more round trip, as any
// statement's does. An update of a message the transaction has read or
// written that changes only its delivery (state, attempts, last error,
// next attempt, sent at; and the body and secret, cleared once the message
// is sent) sets only those columns, rather than sending the body again.
//
// # Times
//
// PostgreSQL keeps times to the microsecond; the store returns them in UTC,
// and a zero time.Time is stored as NULL.
//
// # Account search
//
// SearchAccounts (the Accounts screen's filter and search) reads, for a
// text, one index range per searched field: migration 00004 indexes each
// field as (org_id, lower(field) COLLATE "C", id), a prefix is the range
// [prefix, next string) of it (no LIKE, so '%' and '_' are plain
// characters), and the cursor is a row-value comparison on the last two
// columns. The five ranges are read a page at a time in one statement
// (UNION ALL) and merged in the store, so a page reads a page's worth of
// rows per field in one organization, whatever the number of matches;
// TestSearchReadsAPage checks it with EXPLAIN on 100 000 accounts (see
// BENCHMARKS.md). Besides the features listed below it relies on
// expression indexes, row-value comparisons used as index conditions, and
// lower() under a UTF-8 ctype: the database's ctype must map case beyond
// ASCII (libc's C.UTF-8 or a language's UTF-8 locale, or PostgreSQL 17's
// builtin C.UTF-8 provider, which CI uses for PostgreSQL 18); under plain
// "C", lower('É') is 'É' and a search for "élodie" misses "Élodie", as the
// conformance suite's non-ASCII case shows. With sub-organizations (org_id = ANY) each
// range is sorted whole. The Account ID and number indexes leave out the
// empty value (migration 00005), which no search text can match: most
// imported accounts have no Account ID and many no number, and their
// entries cost an import some 320 bytes of WAL per row for nothing; the
// branches of those fields add the condition that the field is not empty,
// implied by their range, so that the planner may use the partial index.
//
// # What an import writes
//
// The bytes an Import & Invite writes are measured as WAL per imported row
// (TestWALPerRow, and the WAL-B/row metric of the import benchmark; see
// BENCHMARKS.md): every row is an account with its index entries, an
// invitation and its token, an outbox message (which the service queues
// without its body, rendered again if a retry needs it) updated when sent,
// and its audit events (an account's creation, its invitation, a number's
// assignment; a delivery is not audited). The store keeps every record the
// service writes, whole; what it can choose is how it indexes and lays
// them out. A message's update when it is sent is a HOT one (migration
// 00007): no index of messages names a column a delivery changes, since
// the due messages are the rows of a table of their own, message_due (the
// store inserts a message's row with the message when it is due and
// deletes it in the round trip after the write that takes it out of the
// due states, with one statement per round trip for all the messages
// written; DueMessages joins it), and the table leaves half of each page
// free when rows are inserted (fillfactor 50), so that the new version
// lands on the row's page, where PostgreSQL logs only the changed part of
// the row, no lock of the old one, and no new index entry. The messages'
// WAL drops by some 850 bytes a message (1 780 to 930 in TestWALPerRow),
// for about 300 of message_due (its row, index entry and delete), and the
// messages table is up to twice as large on disk.
//
// For a message whose row the transaction knows as it will stand (one it
// inserts, or one it holds and updates under the same idempotency key),
// the store knows whether it is due without asking: message_due gets or
// loses its row by ID. For any other, the statement reads the message's
// state first. An import's messages are all of the first kind, which took
// 8.7 % off a 1000-row import's time and 12 % off the server's CPU
// (p = 0.04, n = 6; BENCHMARKS.md). So is a message SwapDeliveries
// swapped: its condition names the state it leaves.
//
// A batch's report is kept one row per line in batch_rows (batch_id, line:
// the primary key; the report's columns; the account created, NULL for
// none), apart from the batch's row, which holds its header (migration
// 00006; before it, the lines were JSON columns of the batch). Each group
// of an import inserts its own lines, as one queued INSERT … SELECT … FROM
// unnest(…) that goes with the commit, and updates the header: a group
// writes the same bytes whatever the rows done before it, where rewriting
// the whole report at each group made the WAL of an upload grow with the
// square of its rows. BatchRows reads the lines by the primary key, in
// line order.
//
// The audit table's one index is its primary key, (org_id, id) (migration
// 00008), which ListAudit reads; an event's ID had an index of its own
// besides, which no read used. An event's ID is therefore unique within
// its organization, which is what the key guards (the service's IDs are
// UUIDv7, unique everywhere). Each event writes one index entry, not two:
// some 230 bytes of WAL a row (three events).
//
// An event's record before and after are json columns, not jsonb
// (migration 00009): the server checks each document and keeps it as the
// service wrote it, rather than parsing it into jsonb's form, and ListAudit
// returns it as written, as the memory store does (jsonb returned it with
// its keys reordered). No statement reads inside the documents, which is
// all jsonb's form is for. A 1000-row import writes some 2 500 of them:
// the server's conversion to jsonb cost about 4 µs a 650-byte account
// snapshot against under 2 µs to check it as json (10 000 documents,
// INSERT … SELECT, on the benchmark machine), and the documents take
// some 7 % less room (see BENCHMARKS.md for the import's figures).
//
// # PostgreSQL-compatible distributed databases
//
// The store relies on these features, and on nothing else: an isolation
// level of READ COMMITTED or SERIALIZABLE; SELECT … FOR UPDATE and FOR
// UPDATE OF, FOR SHARE (organizations) and FOR UPDATE SKIP LOCKED
// (PickNumber, DueMessages); row locks held to commit (Migrate's lock
// row); SAVEPOINT and ROLLBACK TO SAVEPOINT; INSERT … ON CONFLICT DO
// NOTHING and ON CONFLICT (column) DO UPDATE; array parameters ($1::text[],
// bytea[]) unnested side by side (WITH ORDINALITY) into INSERT … SELECT and
// UPDATE … FROM; data-modifying common table expressions with RETURNING;
// unique indexes, some partial (… WHERE is_default), as the last line
// of defence of every uniqueness rule; a table's fillfactor storage
// parameter (an engine that ignores it only loses what it saves); jsonb,
// json, text[] and bytea[] columns;
// COLLATE "C" on key columns; SQLSTATEs 23505, 40001 and 40P01; and goose's
// PostgreSQL dialect, which runs each migration file, DDL included, in a
// transaction; COPY … FROM STDIN BINARY inside a transaction (WithCopyRows
// turns it off). It uses no advisory locks, deferred constraints,
// foreign keys, triggers, stored procedures, sequences or LISTEN/NOTIFY.
// It is tested on PostgreSQL 15 and 18 only; what follows is what each
// engine's own documentation says, with the versions it names, and what a
// host must set. "Not checked" marks what was not found in the pages read.
//
// CockroachDB (docs v22.1 to v26.x):
//
//	READ COMMITTED      new in v23.2 as a preview behind the cluster setting
//	                    sql.txn.read_committed_isolation.enabled; from v24.1
//	                    the setting is true by default; when false, READ
//	                    COMMITTED transactions run as SERIALIZABLE.
//	SERIALIZABLE        the default level. Set WithIsolation(Serializable)
//	                    to say so, or enable READ COMMITTED: both are correct.
//	FOR UPDATE          supported; under SERIALIZABLE its locks are
//	                    best-effort (may be released before commit) unless
//	                    enable_durable_locking_for_serializable is set;
//	                    SERIALIZABLE does not rely on them for correctness.
//	FOR SHARE           new in v23.2; under SERIALIZABLE shared locks are off
//	                    unless enable_shared_locking_for_serializable is set.
//	SKIP LOCKED         not supported up to v22.1 (its SELECT FOR UPDATE
//	                    page says so); added by cockroach PR 85720 and
//	                    documented from v23.2; a bug with READ COMMITTED
//	                    (cockroach issue 115057) was fixed by PR 117888.
//	advisory locks      not documented as supported (golang-migrate's
//	                    CockroachDB driver locks with a table instead); the
//	                    store does not use them.
//	SAVEPOINT           listed as unsupported on the v19.2 compatibility
//	                    page, no longer on v20.1's.
//	COPY                its COPY FROM page (v20.2 to v24.3) lists the
//	                    BINARY format, says only members of the admin role
//	                    may run COPY, and that COPY in an explicit
//	                    transaction commits atomically with it; not run
//	                    here. A store whose role is not admin needs
//	                    WithCopyRows(0).
//	ON CONFLICT, unnest, partial indexes, jsonb, arrays, COLLATE "C",
//	data-modifying CTEs, fillfactor, goose: not checked. Migration 00008
//	replaces a primary key (DROP CONSTRAINT then ADD CONSTRAINT … PRIMARY
//	KEY in one transaction, which CockroachDB documents). CockroachDB's
//	json is another name for its jsonb, so migration 00009 changes no
//	type there; whether its binary COPY of such a column takes json's form
//	(the text alone, as the store sends it for the audit documents) is not
//	checked: WithCopyRows(0) sends them as statements instead.
//	Host must: use v23.2 or later; pick the level; expect more retries at
//	SERIALIZABLE, and raise WithRetryPolicy's budget if callers see 40001.
//
// YugabyteDB (YSQL, docs "stable" and v2025.x):
//
//	READ COMMITTED      needs the YB-TServer flag
//	                    yb_enable_read_committed_isolation=true before
//	                    v2025.2 and on manually deployed universes; without
//	                    it READ COMMITTED runs as Snapshot isolation
//	                    (PostgreSQL's REPEATABLE READ), a level the store is
//	                    not tested at. New v2025.2 universes deployed with
//	                    yugabyted, YugabyteDB Anywhere or Aeon have it on.
//	SERIALIZABLE        supported.
//	FOR UPDATE, FOR SHARE  documented (explicit locking page: FOR UPDATE,
//	                    FOR NO KEY UPDATE, FOR SHARE, FOR KEY SHARE).
//	advisory locks      long unsupported (yugabyte-db issue 3642); the
//	                    current explicit locking page covers them; the store
//	                    does not use them.
//	SKIP LOCKED, SAVEPOINT, ON CONFLICT, unnest, partial indexes, COLLATE "C",
//	fillfactor, COPY … BINARY, goose: not checked.
//	Host must: set yb_enable_read_committed_isolation=true, or run the store
//	WithIsolation(Serializable).
//
// Citus (docs v8.3 to v11.3 and "stable"):
//
//	unique keys         on a distributed table a primary key or unique
//	                    constraint must include the distribution column
//	                    (Citus FAQ). The store's cannot: usernames are
//	                    unique across all organizations, numbers are keyed by
//	                    E.164 and move between organizations, idempotency
//	                    keys and token hashes are global. Citus cannot hold
//	                    these rules on distributed tables.
//	FOR UPDATE          works in single-shard queries only ("SQL Support and
//	                    Workarounds"), and group reads lock rows across
//	                    organizations.
//	isolation, SKIP LOCKED, advisory locks on workers: not checked.
//	Host must: leave the store's tables undistributed (local tables on the
//	coordinator), which is plain PostgreSQL and gains no scale; the store
//	does not run on distributed Citus tables.
//
// Amazon Aurora PostgreSQL and Google AlloyDB for PostgreSQL:
//
//	These run PostgreSQL's engine under a major version the host picks
//	(AlloyDB's API lists Postgres 14 to 18), so every feature above is the
//	PostgreSQL feature of that version; the store uses none newer than
//	PostgreSQL 15. Not tested on either.
//	Host must: connect to the writer (primary) instance; read replicas
//	refuse writes. Aurora DSQL is another engine, not covered: goose itself
//	notes that it cannot mix DDL and DML in one transaction.
package postgres

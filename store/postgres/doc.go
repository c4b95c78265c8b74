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
// Migrate applies the embedded, versioned SQL migrations with goose, under a
// PostgreSQL session-level advisory lock (pg_try_advisory_lock), so that
// instances starting at once apply each migration exactly once; it is
// idempotent. The tables live in one schema (WithSchema, default
// "multiline"), which Migrate creates; every statement names it, so the
// store does not depend on the connections' search_path.
//
// # Transactions, locks and retries
//
// Tx holds one pooled connection for the transaction and begins it with
// BEGIN ISOLATION LEVEL READ COMMITTED. Every rule of the SDK holds at that
// level because the store takes the locks itself:
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
//     numbers and accounts (INSERT … ON CONFLICT DO UPDATE with increments);
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
// a deadlock (40P01) is rolled back and run again, up to WithMaxRetries
// times (default 5). The service's transaction functions may therefore run
// more than once.
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
// MessagesByID and Invitations are one SELECT … WHERE key = ANY($1) ORDER BY
// key FOR UPDATE each (so concurrent group reads lock rows in one order),
// and AccountConflicts is one SELECT over the unnested keys of its accounts.
// CreateAccounts, CreateInvitations and EnqueueAll cost none of their own:
// each queues one set-based INSERT … SELECT … FROM unnest($1::text[], …),
// its columns passed as arrays, without ON CONFLICT, so a key taken
// nonetheless fails the transaction with a *multiline.UniqueError from the
// call that sends it, or from Tx at commit.
//
// The queued writes are set-based too: a run of consecutive queued updates
// of numbers, accounts or messages goes as one UPDATE … FROM unnest(…) (of
// two updates of one row in a run, the last, which is what they leave), in
// its place among the other queued writes, whose order is kept; the audit
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
// lower() under a UTF-8 ctype; with sub-organizations (org_id = ANY) each
// range is sorted whole.
//
// # PostgreSQL-compatible distributed databases
//
// The store relies on: READ COMMITTED or a stronger isolation level
// (under SERIALIZABLE the same code is correct and retries more);
// SELECT … FOR UPDATE, FOR UPDATE OF, FOR SHARE and FOR UPDATE SKIP LOCKED;
// SAVEPOINT / ROLLBACK TO SAVEPOINT; INSERT … ON CONFLICT DO NOTHING and
// ON CONFLICT (column) DO UPDATE; data-modifying common table expressions
// (WITH … INSERT/DELETE … RETURNING); unnest of several arrays side by side
// (WITH ORDINALITY), INSERT … SELECT and UPDATE … FROM; casts of array
// literals from text to text[] and bytea[]; partial unique indexes; jsonb,
// text[] and bytea[] columns; COLLATE "C" on key columns; SQLSTATEs 23505, 40001
// and 40P01; and, for Migrate only, session-level advisory locks. It uses no
// triggers, stored procedures, sequences, LISTEN/NOTIFY or foreign keys.
// An engine that documents all of these should run it unchanged (where
// SKIP LOCKED, FOR SHARE or advisory locks are missing, it cannot); the store
// is tested on PostgreSQL 15 only. CockroachDB, for one, runs transactions
// SERIALIZABLE unless READ COMMITTED is enabled on the cluster.
package postgres

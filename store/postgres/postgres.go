package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/multilinehq/multiline"
)

// migrations are the versioned schema changes Migrate applies, in goose's
// SQL format.
//
//go:embed migrations/*.sql
var migrations embed.FS

// DefaultSchema is the schema the store's tables live in unless WithSchema
// names another.
const DefaultSchema = "multiline"

// Store is the PostgreSQL implementation of multiline.Store. It is safe for
// concurrent use; several Stores (in several processes) may share one
// database.
type Store struct {
	pool      *pgxpool.Pool
	schema    string
	isolation Isolation
	retry     RetryPolicy
	q         queries
	// copyMin is the number of rows from which a run of inserts goes as
	// COPY (copy.go, WithCopyRows).
	copyMin int
	// copyTracer is the pool's tracer, if it traces CopyFrom: the store's
	// own COPYs (copy.go) report to it as pgx's CopyFrom would.
	copyTracer pgx.CopyFromTracer
}

var _ multiline.Store = (*Store)(nil)

// An Option configures a Store.
type Option func(*Store)

// WithSchema puts the store's tables in the named schema (default
// DefaultSchema). Stores of different schemas in one database do not see
// each other's records. An empty name keeps the default.
func WithSchema(name string) Option {
	return func(s *Store) {
		if name != "" {
			s.schema = name
		}
	}
}

// New returns a store over pool. It does not touch the database: call
// Migrate before the first transaction. The pool is the caller's, who closes
// it; each transaction holds one of its connections from start to commit.
func New(pool *pgxpool.Pool, opts ...Option) *Store {
	s := &Store{pool: pool, schema: DefaultSchema, isolation: ReadCommitted, retry: DefaultRetryPolicy(), copyMin: DefaultCopyRows}
	for _, o := range append(testOptions[:len(testOptions):len(testOptions)], opts...) {
		o(s)
	}
	s.q = newQueries(s.schema)
	if pool != nil {
		s.copyTracer, _ = pool.Config().ConnConfig.Tracer.(pgx.CopyFromTracer)
	}
	return s
}

// Migrate creates the store's schema if it does not exist and applies every
// embedded migration not yet applied, recording them in the schema's
// goose_db_version table. It is idempotent, and safe when several instances
// call it at once, on any engine that has row locks: while it applies them
// it holds the lock of the one row of the schema's MigrationLockTable
// (SELECT … FOR UPDATE), so another instance's Migrate waits for it, as
// long as its ctx allows, and then finds nothing left to apply. It uses no
// advisory lock, which some PostgreSQL-compatible engines accept and
// ignore.
func (s *Store) Migrate(ctx context.Context) error {
	quoted := pgx.Identifier{s.schema}.Sanitize()
	if _, err := s.pool.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+quoted); err != nil && !isDuplicateSchema(err) {
		return fmt.Errorf("postgres: create schema %s: %w", quoted, err)
	}
	// goose runs the migrations through database/sql, on connections of
	// their own whose search_path is the store's schema: the migration files
	// name no schema.
	cfg := s.pool.Config().ConnConfig.Copy()
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["search_path"] = quoted
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	return migrate(ctx, db, s.schema)
}

func migrate(ctx context.Context, db *sql.DB, schema string) error {
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrationsFS(),
		goose.WithLocker(newRowLocker(schema)), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	return nil
}

// isDuplicateSchema reports the error of a CREATE SCHEMA IF NOT EXISTS that
// lost a race with the same statement of another instance.
func isDuplicateSchema(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "23505" || pe.Code == "42P06")
}

// ctxKey marks the context of a transaction of one store, to refuse a
// transaction begun inside another: it would wait for a second connection
// while holding the first, and could deadlock a small pool.
type ctxKey struct{ s *Store }

var (
	errNested = errors.New("postgres: a transaction was begun inside another transaction of the same store")
	errDone   = errors.New("postgres: transaction used after it ended")
)

// Tx runs fn in a transaction at the store's isolation level (WithIsolation)
// on one connection of the pool and commits it if fn returns nil and ctx has
// not ended. A serialization failure or deadlock runs fn again in a new
// transaction, as the store's RetryPolicy says: up to its budget, after a
// random pause that grows with each attempt.
func (s *Store) Tx(ctx context.Context, fn func(ctx context.Context, tx multiline.Tx) error) error {
	if ctx.Value(ctxKey{s}) != nil {
		return errNested
	}
	if !s.isolation.valid() {
		return fmt.Errorf("postgres: unsupported isolation level %v", s.isolation)
	}
	for attempt := 0; ; attempt++ {
		again, err := s.attempt(ctx, fn)
		if !again || attempt >= s.retry.MaxRetries {
			return err
		}
		if pause := s.retry.backoff(attempt); pause > 0 {
			timer := time.NewTimer(pause)
			select {
			case <-ctx.Done():
				timer.Stop()
				return err
			case <-timer.C:
			}
		}
	}
}

// attempt runs fn once. again reports a failure worth another attempt.
func (s *Store) attempt(ctx context.Context, fn func(context.Context, multiline.Tx) error) (again bool, err error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return false, fmt.Errorf("postgres: acquire a connection: %w", err)
	}
	// A connection released inside a transaction, or broken, is closed by
	// the pool rather than reused.
	defer conn.Release()
	t := newTx(s, conn.Conn())
	defer func() {
		if p := recover(); p != nil {
			t.end()
			t.rollback(ctx)
			panic(p)
		}
	}()
	err = fn(context.WithValue(ctx, ctxKey{s}, true), t)
	if failed := t.end(); err == nil {
		err = failed // a failure fn did not pass on
	}
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		if err = t.commit(ctx); err == nil {
			return false, nil
		}
	}
	t.rollback(ctx)
	return t.retry || retryable(err), err
}

// uniqueKey returns the key of *multiline.UniqueError that a unique
// constraint or index of the schema stands for.
func uniqueKey(constraint string) string {
	switch constraint {
	case "orgs_pkey":
		return multiline.KeyOrg
	case "admins_pkey":
		return multiline.KeyAdmin
	case "admins_email_key":
		return multiline.KeyAdminEmail
	case "profiles_pkey":
		return multiline.KeyProfile
	case "profiles_default_key":
		return multiline.KeyDefaultProfile
	case "numbers_pkey":
		return multiline.KeyNumber
	case "accounts_pkey":
		return multiline.KeyAccount
	case "accounts_username_key":
		return multiline.KeyUsername
	case "accounts_account_id_key":
		return multiline.KeyAccountID
	case "invitations_pkey", "invitations_id_key":
		return multiline.KeyInvitation
	case "invitation_tokens_pkey":
		return multiline.KeyToken
	case "messages_pkey":
		return multiline.KeyMessage
	case "messages_idempotency_key":
		return multiline.KeyIdempotency
	case "audit_pkey":
		return multiline.KeyAuditEvent
	case "batches_pkey":
		return multiline.KeyBatch
	case "batches_key":
		return multiline.KeyBatchKey
	case "batch_rows_pkey":
		return multiline.KeyBatchRow
	}
	return constraint
}

// mapErr turns a PostgreSQL error into the SDK's: a unique violation into a
// *multiline.UniqueError, anything else wrapped with the package's prefix
// (errors.Is and errors.As still find a context's error or a
// *pgconn.PgError inside).
func mapErr(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return &multiline.UniqueError{Key: uniqueKey(pe.ConstraintName), Value: detailValue(pe.Detail)}
	}
	return fmt.Errorf("postgres: %w", err)
}

// detailValue takes the value out of a unique violation's detail, "Key
// (username)=(ada@example.com) already exists.". Of a key scoped to an
// organization, "Key (org_id, account_id)=(o-1, A-7) already exists.", it
// is the value within the organization, as the store's own checks report
// it; of a batch's report line, the line; of an audit event, its ID.
func detailValue(detail string) string {
	cols, rest, ok := strings.Cut(detail, ")=(")
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, ") already exists")
	if strings.HasSuffix(cols, "(org_id, account_id") || strings.HasSuffix(cols, "(org_id, key") ||
		strings.HasSuffix(cols, "(batch_id, line") || strings.HasSuffix(cols, "(org_id, id") {
		if _, in, ok := strings.Cut(v, ", "); ok {
			return in
		}
	}
	return v
}

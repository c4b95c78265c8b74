package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/store/postgres"
)

// defaultURL is the server CI starts on this machine kind.
const defaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// databaseURL is the test database: MULTILINE_TEST_DATABASE_URL, else
// defaultURL.
func databaseURL() string {
	if u := os.Getenv("MULTILINE_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return defaultURL
}

var reach struct {
	once sync.Once
	err  error
}

// requireDatabase skips the test when the database cannot be reached, or
// fails it under CI=true: CI must never pass by skipping the store's tests.
func requireDatabase(t testing.TB) {
	t.Helper()
	reach.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, databaseURL())
		if err == nil {
			err = conn.Ping(ctx)
			conn.Close(ctx)
		}
		reach.err = err
	})
	if reach.err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("PostgreSQL is unreachable at %s under CI=true: %v", databaseURL(), reach.err)
	}
	t.Skipf("PostgreSQL is unreachable at %s (set MULTILINE_TEST_DATABASE_URL, or start the server): %v", databaseURL(), reach.err)
}

// newSchemaName returns a fresh schema name, so that tests and concurrent
// runs never share tables.
func newSchemaName() string {
	b := make([]byte, 8)
	rand.Read(b)
	return "mltest_" + hex.EncodeToString(b)
}

// newPool returns a pool on the test database whose connections use schema
// as their search_path (the store names its schema itself; the search_path
// is for the tests' own SQL), closed when the test ends.
func newPool(t testing.TB, schema string, maxConns int32, tune ...func(*pgxpool.Config)) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(databaseURL())
	require.NoError(t, err)
	cfg.MaxConns = maxConns
	cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{schema}.Sanitize()
	for _, f := range tune {
		f(cfg)
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	return pool
}

// newSchema makes a fresh schema, migrated, dropped when the test ends.
func newSchema(t testing.TB) string {
	t.Helper()
	requireDatabase(t)
	schema := newSchemaName()
	// The schema's DDL need not wait for its WAL to reach the disk: a
	// test's schema does not outlive a crash, and each test makes one.
	admin := newPool(t, "public", 2, func(c *pgxpool.Config) { c.ConnConfig.RuntimeParams["synchronous_commit"] = "off" })
	s := postgres.New(admin, postgres.WithSchema(schema))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, s.Migrate(ctx))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, err := admin.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return schema
}

// fillTables copies the numbers, accounts, messages and invitations of
// organization o under new keys until each of those tables holds at least
// rows rows, and brings the planner's statistics up to date: the tables
// of a database that serves many organizations, made in a second. The
// copies are rows the store would never read as they stand (their numbers
// are not E.164, their counts are in no org_capacity row), and they keep
// no invariant: only for what the planner makes of the tables' size.
func fillTables(t testing.TB, pool *pgxpool.Pool, o org.ID, rows int) {
	t.Helper()
	ctx := context.Background()
	for _, f := range []struct{ table, keys string }{
		{"numbers", `'e164', r.e164 || '-' || g`},
		{"accounts", `'id', r.id || '-' || g, 'username', r.username || '-' || g, 'account_id', ''`},
		{"messages", `'id', r.id || '-' || g, 'idempotency_key', r.idempotency_key || '-' || g`},
		{"invitations", `'account_id', r.account_id || '-' || g, 'id', r.id || '-' || g`},
	} {
		seeds := count(t, pool, "SELECT count(*) FROM "+f.table+" WHERE org_id = $1", string(o))
		require.Positive(t, seeds, "%s: no row of %s to copy", f.table, o)
		_, err := pool.Exec(ctx, fmt.Sprintf(`INSERT INTO %[1]s SELECT (jsonb_populate_record(r, jsonb_build_object(%[2]s))).*
			FROM %[1]s r, generate_series(1, $2::int) g WHERE r.org_id = $1`, f.table, f.keys), string(o), (rows+seeds-1)/seeds)
		require.NoError(t, err, f.table)
		_, err = pool.Exec(ctx, "ANALYZE "+f.table)
		require.NoError(t, err, f.table)
		require.GreaterOrEqual(t, count(t, pool, "SELECT count(*) FROM "+f.table), rows, f.table)
	}
}

// statements is a pgx tracer that records, while on, the statements sent
// (each statement of a batch as its result is read, and each one sent
// alone) that match (all if match is nil), with their arguments.
type statements struct {
	match func(sql string) bool
	mu    sync.Mutex
	on    bool
	seen  []captured
}

type captured struct {
	sql  string
	args []any
}

func (s *statements) add(sql string, args []any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.on && (s.match == nil || s.match(sql)) {
		s.seen = append(s.seen, captured{sql, args})
	}
}

func (s *statements) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}

func (s *statements) TraceBatchQuery(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	s.add(d.SQL, d.Args)
}

func (s *statements) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

func (s *statements) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	s.add(d.SQL, d.Args)
	return ctx
}

func (s *statements) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// set turns the recording on or off.
func (s *statements) set(on bool) {
	s.mu.Lock()
	s.on = on
	s.mu.Unlock()
}

// take returns the statements recorded since the last call.
func (s *statements) take() []captured {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.seen
	s.seen = nil
	return out
}

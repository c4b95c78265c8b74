package postgres_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/store/postgres"
)

// noAdvisoryLocks is a pgx tracer that makes the server's advisory lock
// functions unavailable to its connections, as on an engine without them:
// a statement that names one fails before it is sent. It counts them.
type noAdvisoryLocks struct{ asked atomic.Int64 }

func (n *noAdvisoryLocks) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	if strings.Contains(strings.ToLower(d.SQL), "advisory") {
		n.asked.Add(1)
		ctx, cancel := context.WithCancel(ctx)
		cancel()
		return ctx
	}
	return ctx
}

func (n *noAdvisoryLocks) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TestMigrateWithoutAdvisoryLocks starts several instances at once on a
// schema that does not exist yet, on connections whose advisory locks are
// unavailable: each Migrate succeeds, every migration is applied once, and
// none of them asked for an advisory lock.
func TestMigrateWithoutAdvisoryLocks(t *testing.T) {
	requireDatabase(t)
	schema := newSchemaName()
	admin := newPool(t, "public", 2)
	t.Cleanup(func() {
		_, err := admin.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
		assert.NoError(t, err)
	})
	var tracer noAdvisoryLocks
	// The tracer works: an advisory lock is refused on such a connection.
	probe := newPool(t, "public", 1, func(c *pgxpool.Config) { c.ConnConfig.Tracer = &tracer })
	_, err := probe.Exec(t.Context(), "SELECT pg_try_advisory_lock(1)")
	require.Error(t, err)
	require.Equal(t, int64(1), tracer.asked.Swap(0))

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	const instances = 6
	errs := make([]error, instances)
	var start, wg sync.WaitGroup
	start.Add(1)
	for i := range instances {
		pool := newPool(t, schema, 2, func(c *pgxpool.Config) { c.ConnConfig.Tracer = &tracer })
		s := postgres.New(pool, postgres.WithSchema(schema))
		wg.Go(func() {
			start.Wait()
			errs[i] = s.Migrate(ctx)
		})
	}
	start.Done()
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "instance %d", i)
	}
	assert.Zero(t, tracer.asked.Load(), "Migrate asked for an advisory lock")
	q := pgx.Identifier{schema}.Sanitize()
	files := count(t, admin, `SELECT count(*) FROM `+q+`.goose_db_version WHERE version_id > 0`)
	assert.Equal(t, files, count(t, admin, `SELECT count(DISTINCT version_id) FROM `+q+`.goose_db_version WHERE version_id > 0`),
		"a migration was applied twice")
	assert.Positive(t, files)
	assert.Equal(t, 1, count(t, admin, `SELECT count(*) FROM `+q+`.`+postgres.MigrationLockTable))
	require.NoError(t, postgres.New(admin, postgres.WithSchema(schema)).Migrate(ctx))
	assert.Equal(t, files, count(t, admin, `SELECT count(*) FROM `+q+`.goose_db_version WHERE version_id > 0`), "migrating again applies nothing")
}

// TestMigrateWaitsForLockRow holds the lock row of a schema not migrated
// yet in a transaction of its own: a Migrate waits on it (the server shows
// its session waiting for a lock) without applying anything, and migrates
// once the row is released. (Of a schema with nothing to apply, goose
// returns at once, without the lock.)
func TestMigrateWaitsForLockRow(t *testing.T) {
	requireDatabase(t)
	schema := newSchemaName()
	admin := newPool(t, "public", 4)
	t.Cleanup(func() {
		_, err := admin.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
		assert.NoError(t, err)
	})
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	table := pgx.Identifier{schema, postgres.MigrationLockTable}.Sanitize()
	for _, sql := range []string{
		"CREATE SCHEMA " + pgx.Identifier{schema}.Sanitize(),
		"CREATE TABLE " + table + " (id integer PRIMARY KEY, locked_at timestamptz)",
		"INSERT INTO " + table + " (id) VALUES (1)",
	} {
		_, err := admin.Exec(ctx, sql)
		require.NoError(t, err)
	}
	holder, err := admin.Begin(ctx)
	require.NoError(t, err)
	defer holder.Rollback(context.Background())
	_, err = holder.Exec(ctx, "SELECT id FROM "+table+" WHERE id = 1 FOR UPDATE")
	require.NoError(t, err)

	app := "mltest-migrate-" + schema
	pool := newPool(t, schema, 2, func(c *pgxpool.Config) { c.ConnConfig.RuntimeParams["application_name"] = app })
	done := make(chan error, 1)
	go func() { done <- postgres.New(pool, postgres.WithSchema(schema)).Migrate(ctx) }()
	for {
		waiting := count(t, admin, `SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock' AND query LIKE '%locked_at%'`, app)
		if waiting > 0 {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("Migrate returned while the lock row was held: %v", err)
		case <-ctx.Done():
			t.Fatal("Migrate never waited for the lock row")
		case <-time.After(20 * time.Millisecond):
		}
	}
	select {
	case err := <-done:
		t.Fatalf("Migrate returned while the lock row was held: %v", err)
	default:
	}
	assert.Zero(t, count(t, admin, `SELECT count(*) FROM information_schema.tables WHERE table_schema = $1 AND table_name NOT IN ('goose_db_version', '`+postgres.MigrationLockTable+`')`, schema),
		"a migration was applied without the lock")
	require.NoError(t, holder.Commit(ctx))
	require.NoError(t, <-done)
	assert.Positive(t, count(t, admin, `SELECT count(*) FROM `+pgx.Identifier{schema}.Sanitize()+`.goose_db_version WHERE version_id > 0`))
}

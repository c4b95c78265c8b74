package postgres_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/store/postgres"
)

// TestMigrateConcurrentAndIdempotent starts several instances at once on a
// schema that does not exist yet: each Migrate succeeds, every migration is
// applied once, and migrating again changes nothing.
func TestMigrateConcurrentAndIdempotent(t *testing.T) {
	requireDatabase(t)
	schema := newSchemaName()
	admin := newPool(t, "public", 2)
	t.Cleanup(func() {
		_, err := admin.Exec(context.Background(), `DROP SCHEMA IF EXISTS "`+schema+`" CASCADE`)
		assert.NoError(t, err)
	})
	const instances = 4
	errs := make([]error, instances)
	var wg sync.WaitGroup
	for i := range instances {
		s := postgres.New(newPool(t, schema, 2), postgres.WithSchema(schema))
		wg.Go(func() { errs[i] = s.Migrate(t.Context()) })
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "instance %d", i)
	}
	versions := func() int {
		return count(t, admin, `SELECT count(*) FROM "`+schema+`".goose_db_version WHERE version_id > 0`)
	}
	// One version per migration file, whatever their number.
	files, err := filepath.Glob("migrations/*.sql")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	require.Equal(t, len(files), versions(), "each migration applied once")
	require.NoError(t, postgres.New(admin, postgres.WithSchema(schema)).Migrate(t.Context()))
	assert.Equal(t, len(files), versions(), "migrating again applies nothing")
	assert.Equal(t, 13, count(t, admin, `SELECT count(*) FROM information_schema.tables WHERE table_schema = $1 AND table_name NOT IN ('goose_db_version', '`+postgres.MigrationLockTable+`')`, schema)) // 00001–00005: 11 tables; batch_rows (00006), message_due (00007)
}

// TestSchemasAreSeparate checks that stores of two schemas in one database
// do not see each other's records, and that a store does not depend on the
// search_path of its pool.
func TestSchemasAreSeparate(t *testing.T) {
	a, b := newSchema(t), newSchema(t)
	pool := newPool(t, "public", 4) // neither schema on the search_path
	sa, sb := postgres.New(pool, postgres.WithSchema(a)), postgres.New(pool, postgres.WithSchema(b))
	o := org.Org{ID: "org-1", Name: "Acme", Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	require.NoError(t, sa.Tx(t.Context(), func(ctx context.Context, tx multiline.Tx) error { return tx.CreateOrg(ctx, o) }))
	err := sb.Tx(t.Context(), func(ctx context.Context, tx multiline.Tx) error { _, err := tx.Org(ctx, o.ID); return err })
	assert.ErrorIs(t, err, mlerr.ErrNotFound)
	require.NoError(t, sb.Tx(t.Context(), func(ctx context.Context, tx multiline.Tx) error { return tx.CreateOrg(ctx, o) }))
}

// TestRetriesDeadlock makes two transactions lock two numbers in opposite
// orders: PostgreSQL breaks the deadlock by failing one (40P01), which the
// store runs again, so both succeed; without retries the failure reaches
// the caller, and nothing of the failed attempt is kept.
func TestRetriesDeadlock(t *testing.T) {
	for _, retries := range []int{postgres.DefaultMaxRetries, 0} {
		schema := newSchema(t)
		s := postgres.New(newPool(t, schema, 4), postgres.WithSchema(schema), postgres.WithMaxRetries(retries))
		ctx := t.Context()
		ns := []numberpool.Number{
			{E164: "+14155550001", OrgID: "o", State: numberpool.Available},
			{E164: "+14155550002", OrgID: "o", State: numberpool.Available},
		}
		require.NoError(t, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
			if err := tx.CreateOrg(ctx, org.Org{ID: "o", Name: "O"}); err != nil {
				return err
			}
			for _, n := range ns {
				if err := tx.CreateNumber(ctx, n); err != nil {
					return err
				}
			}
			return nil
		}))
		var attempts atomic.Int32
		var both sync.WaitGroup
		both.Add(2)
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Go(func() {
				first := true
				errs[i] = s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
					attempts.Add(1)
					a, err := tx.Number(ctx, ns[i].E164)
					if err != nil {
						return err
					}
					if first { // both hold their first lock before either asks for the second
						first = false
						both.Done()
						both.Wait()
					}
					b, err := tx.Number(ctx, ns[1-i].E164)
					if err != nil {
						return err
					}
					a.Tag, b.Tag = a.Tag+"A", b.Tag+"B"
					if err := tx.UpdateNumber(ctx, a); err != nil {
						return err
					}
					return tx.UpdateNumber(ctx, b)
				})
			})
		}
		wg.Wait()
		var failed int
		for _, err := range errs {
			if err != nil {
				failed++
				var pe *pgconn.PgError
				require.True(t, errors.As(err, &pe), "%v", err)
				assert.Equal(t, "40P01", pe.Code)
			}
		}
		var tags []string
		require.NoError(t, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
			tags = nil
			for _, n := range ns {
				got, err := tx.Number(ctx, n.E164)
				if err != nil {
					return err
				}
				tags = append(tags, got.Tag)
			}
			return nil
		}))
		if retries > 0 {
			assert.Equal(t, 0, failed, "a deadlock was not retried")
			// Two first attempts, one of them the deadlock's victim, then
			// at least its retry. There may be more: at SERIALIZABLE the
			// victim's second attempt waits for the rows the winner then
			// changes and fails again (40001) when the winner commits; and
			// on a loaded machine the victim's retry may take its first
			// lock again before the woken winner takes it, and deadlock
			// again (seen: 4 and 5 attempts at READ COMMITTED).
			assert.GreaterOrEqual(t, attempts.Load(), int32(3), "the victim ran again")
			assert.ElementsMatch(t, []string{"AB", "BA"}, tags, "each number has both updates, in the order the transactions committed")
		} else {
			assert.Equal(t, 1, failed, "one transaction is the deadlock's victim")
			assert.Equal(t, int32(2), attempts.Load())
			assert.Len(t, tags[0]+tags[1], 2, "the victim's updates were kept")
		}
	}
}

// TestNestedTxRefused checks that a transaction begun inside another of
// the same store is refused rather than left waiting for a connection.
func TestNestedTxRefused(t *testing.T) {
	schema := newSchema(t)
	s := postgres.New(newPool(t, schema, 1), postgres.WithSchema(schema))
	err := s.Tx(t.Context(), func(ctx context.Context, tx multiline.Tx) error {
		return s.Tx(ctx, func(context.Context, multiline.Tx) error { return nil })
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "postgres: ")
}

// TestQueuedWriteFailure checks that a write sent with the next round trip
// (an audit event) that fails fails the transaction as a whole, with the
// SDK's error, and keeps nothing of it.
func TestQueuedWriteFailure(t *testing.T) {
	schema := newSchema(t)
	s := postgres.New(newPool(t, schema, 2), postgres.WithSchema(schema))
	ctx := t.Context()
	ev := multiline.AuditEvent{ID: "ev-1", OrgID: "o", Action: "a", At: time.Now().UTC().Truncate(time.Microsecond)}
	require.NoError(t, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error { return tx.AppendAudit(ctx, ev) }))
	a := account.Account{ID: "acc-1", OrgID: "o", Username: "u@example.com", Status: account.Invited}
	err := s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		if err := tx.CreateAccount(ctx, a); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, ev) // the same ID again
	})
	var ue *multiline.UniqueError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, "audit_event", ue.Key)
	err = s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error { _, err := tx.Account(ctx, a.ID); return err })
	assert.ErrorIs(t, err, mlerr.ErrNotFound, "the failed transaction's account was kept")
}

// TestCapacityAfterLockOrg checks that the counts a transaction holding an
// organization's lock reads without a query follow its own writes exactly
// as the database counts them after commit.
func TestCapacityAfterLockOrg(t *testing.T) {
	schema := newSchema(t)
	s := postgres.New(newPool(t, schema, 2), postgres.WithSchema(schema))
	ctx := t.Context()
	o, other := org.Org{ID: "o", Name: "O"}, org.Org{ID: "p", Name: "P"}
	var inTx numberpool.Capacity
	require.NoError(t, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		for _, x := range []org.Org{o, other} {
			if err := tx.CreateOrg(ctx, x); err != nil {
				return err
			}
		}
		if err := tx.LockOrg(ctx, o.ID); err != nil {
			return err
		}
		for _, e := range []string{"+14155550001", "+14155550002", "+14155550003"} {
			if err := tx.CreateNumber(ctx, numberpool.Number{E164: e, OrgID: o.ID, State: numberpool.Available}); err != nil {
				return err
			}
		}
		n, err := tx.PickNumber(ctx, multiline.NumberQuery{Org: o.ID, State: numberpool.Available})
		if err != nil {
			return err
		}
		if n, err = n.Assign("acc-1"); err != nil {
			return err
		}
		if err := tx.UpdateNumber(ctx, n); err != nil {
			return err
		}
		moved, err := tx.Number(ctx, "+14155550003")
		if err != nil {
			return err
		}
		if n.E164 == moved.E164 {
			moved, _ = tx.Number(ctx, "+14155550002")
		}
		if moved, err = moved.Transfer(other.ID); err != nil {
			return err
		}
		if err := tx.UpdateNumber(ctx, moved); err != nil {
			return err
		}
		a := account.Account{ID: "acc-2", OrgID: o.ID, Username: "u@example.com", Status: account.Invited}
		if err := tx.CreateAccount(ctx, a); err != nil {
			return err
		}
		inTx, err = tx.Capacity(ctx, o.ID)
		return err
	}))
	want := numberpool.Capacity{Available: 1, Pending: 1, Held: 1, Total: 2}
	assert.Equal(t, want, inTx)
	var after, otherAfter numberpool.Capacity
	require.NoError(t, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		var err error
		if after, err = tx.Capacity(ctx, o.ID); err != nil {
			return err
		}
		otherAfter, err = tx.Capacity(ctx, other.ID)
		return err
	}))
	assert.Equal(t, want, after)
	assert.Equal(t, numberpool.Capacity{Available: 1, Total: 1}, otherAfter)
}

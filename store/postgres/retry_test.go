package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/store/postgres"
)

// failures is a pgx tracer that counts the statements the server failed
// with a serialization failure (40001) or a deadlock (40P01): the failures
// Tx retries, which a test that relies on them having happened checks.
type failures struct{ n atomic.Int64 }

func (f *failures) see(err error) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01") {
		f.n.Add(1)
	}
}

func (f *failures) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}
func (f *failures) TraceBatchQuery(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	f.see(d.Err)
}
func (f *failures) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}
func (f *failures) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}
func (f *failures) TraceQueryEnd(_ context.Context, _ *pgx.Conn, d pgx.TraceQueryEndData) {
	f.see(d.Err)
}

// The store's COPYs (copy.go) report to a tracer that traces CopyFrom.
func (f *failures) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceCopyFromStartData) context.Context {
	return ctx
}
func (f *failures) TraceCopyFromEnd(_ context.Context, _ *pgx.Conn, d pgx.TraceCopyFromEndData) {
	f.see(d.Err)
}

// counting returns a pool option that traces the pool's connections with f.
func counting(f *failures) func(*pgxpool.Config) {
	return func(c *pgxpool.Config) { c.ConnConfig.Tracer = f }
}

func TestParseIsolation(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want postgres.Isolation
		ok   bool
	}{
		{"read committed", postgres.ReadCommitted, true},
		{"READ COMMITTED", postgres.ReadCommitted, true},
		{"read_committed", postgres.ReadCommitted, true},
		{" Read-Committed ", postgres.ReadCommitted, true},
		{"read  committed", postgres.ReadCommitted, true},
		{"serializable", postgres.Serializable, true},
		{"SERIALIZABLE", postgres.Serializable, true},
		{"", 0, false},
		{"repeatable read", 0, false},
		{"read uncommitted", 0, false},
		{"serializable; DROP TABLE accounts", 0, false},
		{"readcommitted", 0, false},
	} {
		got, err := postgres.ParseIsolation(tc.in)
		if !tc.ok {
			require.Error(t, err, "%q", tc.in)
			assert.Contains(t, err.Error(), "postgres: ")
			continue
		}
		require.NoError(t, err, "%q", tc.in)
		assert.Equal(t, tc.want, got, "%q", tc.in)
		back, err := postgres.ParseIsolation(got.String())
		require.NoError(t, err)
		assert.Equal(t, got, back, "String and ParseIsolation round trip")
	}
	assert.Equal(t, "Isolation(7)", postgres.Isolation(7).String())
}

// TestIsolationLevel checks the level the server reports inside the
// store's transactions: READ COMMITTED by default (under the tests, the
// level of MULTILINE_PG_ISOLATION), the level WithIsolation sets, and a
// refusal of a level the store does not support.
func TestIsolationLevel(t *testing.T) {
	schema := newSchema(t)
	pool := newPool(t, schema, 2)
	ctx := t.Context()
	want := map[postgres.Isolation]string{postgres.ReadCommitted: "read committed", postgres.Serializable: "serializable"}
	got, err := postgres.TxIsolation(ctx, postgres.New(pool, postgres.WithSchema(schema)))
	require.NoError(t, err)
	assert.Equal(t, want[postgres.EnvIsolation()], got, "the suite's level (%s)", postgres.IsolationEnv)
	for level, name := range want {
		got, err := postgres.TxIsolation(ctx, postgres.New(pool, postgres.WithSchema(schema), postgres.WithIsolation(level)))
		require.NoError(t, err)
		assert.Equal(t, name, got)
	}
	s := postgres.New(pool, postgres.WithSchema(schema), postgres.WithIsolation(postgres.Isolation(7)))
	ran := false
	err = s.Tx(ctx, func(context.Context, multiline.Tx) error { ran = true; return nil })
	require.Error(t, err)
	assert.Contains(t, err.Error(), "postgres: unsupported isolation level")
	assert.False(t, ran)
}

func TestRetryPolicy(t *testing.T) {
	assert.Equal(t, postgres.RetryPolicy{MaxRetries: postgres.DefaultMaxRetries, MinBackoff: postgres.DefaultMinBackoff, MaxBackoff: postgres.DefaultMaxBackoff},
		postgres.DefaultRetryPolicy())
	assert.Equal(t, postgres.DefaultRetryPolicy(), postgres.RetryPolicyOf(postgres.New(nil)))
	for _, tc := range []struct {
		name string
		opts []postgres.Option
		want postgres.RetryPolicy
	}{
		{"budget only", []postgres.Option{postgres.WithMaxRetries(3)},
			postgres.RetryPolicy{MaxRetries: 3, MinBackoff: postgres.DefaultMinBackoff, MaxBackoff: postgres.DefaultMaxBackoff}},
		{"negative budget", []postgres.Option{postgres.WithMaxRetries(-1)},
			postgres.RetryPolicy{MinBackoff: postgres.DefaultMinBackoff, MaxBackoff: postgres.DefaultMaxBackoff}},
		{"policy", []postgres.Option{postgres.WithRetryPolicy(postgres.RetryPolicy{MaxRetries: 9, MinBackoff: time.Millisecond, MaxBackoff: time.Second})},
			postgres.RetryPolicy{MaxRetries: 9, MinBackoff: time.Millisecond, MaxBackoff: time.Second}},
		{"cap below the first pause", []postgres.Option{postgres.WithRetryPolicy(postgres.RetryPolicy{MaxRetries: -4, MinBackoff: time.Second, MaxBackoff: time.Millisecond})},
			postgres.RetryPolicy{MinBackoff: time.Second, MaxBackoff: time.Second}},
		{"later option wins", []postgres.Option{postgres.WithMaxRetries(3), postgres.WithRetryPolicy(postgres.RetryPolicy{MaxRetries: 4})},
			postgres.RetryPolicy{MaxRetries: 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, postgres.RetryPolicyOf(postgres.New(nil, tc.opts...)))
		})
	}
}

// TestRetryBackoff checks the pauses: each below its bound, the bound
// doubling from MinBackoff up to MaxBackoff, and spread out (jittered)
// rather than all the same.
func TestRetryBackoff(t *testing.T) {
	p := postgres.RetryPolicy{MaxRetries: 100, MinBackoff: 2 * time.Millisecond, MaxBackoff: 100 * time.Millisecond}
	for n := range 100 {
		bound := min(p.MaxBackoff, p.MinBackoff<<min(n, 40))
		seen := map[time.Duration]bool{}
		var top time.Duration
		for range 200 {
			d := p.Backoff(n)
			require.GreaterOrEqual(t, d, time.Duration(0), "retry %d", n)
			require.Less(t, d, bound, "retry %d", n)
			seen[d] = true
			top = max(top, d)
		}
		assert.Greater(t, len(seen), 100, "retry %d: the pauses are not jittered", n)
		assert.Greater(t, top, bound/2, "retry %d: the pauses do not reach up to their bound", n)
	}
	assert.Zero(t, postgres.RetryPolicy{MaxRetries: 3}.Backoff(2), "no pause when no bound is set")
	huge := postgres.RetryPolicy{MinBackoff: time.Hour, MaxBackoff: 1<<63 - 1}
	for _, n := range []int{0, 1, 30, 62, 63, 64, 1000} {
		assert.GreaterOrEqual(t, huge.Backoff(n), time.Duration(0), "retry %d overflows", n)
	}
}

// TestSerializableHotRow runs many short transactions from several stores
// against one organization's capacity row at SERIALIZABLE: on PostgreSQL,
// a transaction that waited for the row's lock fails with a serialization
// failure once the holder commits. With the default policy every one of
// them commits, and their changes all count; with no retries, failures
// reach the callers (the test sees the contention it claims to).
func TestSerializableHotRow(t *testing.T) {
	for _, retries := range []int{postgres.DefaultMaxRetries, 0} {
		t.Run(fmt.Sprint("retries=", retries), func(t *testing.T) {
			schema := newSchema(t)
			var seen failures
			const stores, workers, each = 3, 4, 8
			ss := make([]*postgres.Store, stores)
			for i := range ss {
				ss[i] = postgres.New(newPool(t, schema, workers, counting(&seen)), postgres.WithSchema(schema),
					postgres.WithIsolation(postgres.Serializable), postgres.WithMaxRetries(retries))
			}
			ctx := t.Context()
			o := org.Org{ID: "o", Name: "O"}
			require.NoError(t, ss[0].Tx(ctx, func(ctx context.Context, tx multiline.Tx) error { return tx.CreateOrg(ctx, o) }))
			var mu sync.Mutex
			var errs []error
			var wg sync.WaitGroup
			for i, s := range ss {
				for w := range workers {
					wg.Go(func() {
						for k := range each {
							e164 := fmt.Sprintf("+1415555%d%d%02d", i, w, k)
							err := s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
								if err := tx.LockOrg(ctx, o.ID); err != nil {
									return err
								}
								if _, err := tx.Capacity(ctx, o.ID); err != nil {
									return err
								}
								// Hold the lock a little, as a transaction
								// that weighs capacity and then writes does.
								time.Sleep(time.Millisecond)
								return tx.CreateNumber(ctx, numberpool.Number{E164: e164, OrgID: o.ID, State: numberpool.Available})
							})
							if err != nil {
								mu.Lock()
								errs = append(errs, err)
								mu.Unlock()
							}
						}
					})
				}
			}
			wg.Wait()
			var capacity numberpool.Capacity
			require.NoError(t, ss[0].Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
				var err error
				capacity, err = tx.Capacity(ctx, o.ID)
				return err
			}))
			t.Logf("serialization failures and deadlocks: %d; reached callers: %d", seen.n.Load(), len(errs))
			require.Positive(t, seen.n.Load(), "no transaction conflicted: the test tests nothing")
			for _, err := range errs {
				var pe *pgconn.PgError
				require.True(t, errors.As(err, &pe), "%v", err)
				assert.Contains(t, []string{"40001", "40P01"}, pe.Code)
			}
			if retries > 0 {
				assert.Empty(t, errs, "serialization failures reached callers")
				assert.Equal(t, numberpool.Capacity{Available: stores * workers * each, Total: stores * workers * each}, capacity)
			} else {
				assert.NotEmpty(t, errs, "without retries the failures reach the callers")
				assert.Equal(t, stores*workers*each-len(errs), capacity.Total, "every committed number counts, no failed one")
			}
		})
	}
}

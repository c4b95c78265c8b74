package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
)

// testBatches checks batch records: the round trip, the idempotency key
// (unique per organization when set, cleared but never changed), and that
// neither the organization nor the key changes through UpdateBatch.
func testBatches(t *testing.T, newStore func(*testing.T) multiline.Store) {
	read := func(f *fixture, id string) batch.Record {
		f.t.Helper()
		return get(f, func(ctx context.Context, tx multiline.Tx) (batch.Record, error) { return tx.Batch(ctx, id) })
	}
	byKey := func(f *fixture, o org.ID, key string) (batch.Record, error) {
		return try(f, func(ctx context.Context, tx multiline.Tx) (batch.Record, error) { return tx.BatchByKey(ctx, o, key) })
	}

	t.Run("Record", func(t *testing.T) {
		f := newFixture(t, newStore)
		o := f.createOrg("")
		b := f.newBatch(o.ID)
		b.State, b.Finished, b.Summary, b.Rows, b.Accounts = batch.Running, time.Time{}, batch.Summary{}, nil, nil
		inTx := get(f, func(ctx context.Context, tx multiline.Tx) (batch.Record, error) {
			if err := tx.CreateBatch(ctx, b); err != nil {
				return batch.Record{}, err
			}
			return tx.Batch(ctx, b.ID)
		})
		assert.Equal(t, b, inTx, "a transaction reads its own write")
		assert.Equal(t, b, read(f, b.ID))

		done := f.newBatch(o.ID)
		done.ID, done.Key, done.Created = b.ID, b.Key, b.Created
		f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.UpdateBatch(ctx, done) })
		assert.Equal(t, done, read(f, b.ID))
		got, err := byKey(f, o.ID, b.Key)
		require.NoError(t, err)
		assert.Equal(t, done, got)
	})

	t.Run("Progress", func(t *testing.T) {
		// A running batch's record is rewritten as each group commits (its
		// rows, progress and lease) and when its lease changes hands; every
		// field reads back as written, a lease cleared as the zero time.
		f := newFixture(t, newStore)
		o := f.createOrg("")
		b := f.createBatch(o.ID, func(r *batch.Record) {
			r.State, r.Finished, r.Summary, r.Rows, r.Accounts, r.Done, r.Total = batch.Running, time.Time{}, batch.Summary{}, nil, nil, 0, 3
		})
		steps := []func(*batch.Record){
			func(r *batch.Record) { // a group committed
				full := f.newBatch(o.ID)
				r.Rows, r.Accounts, r.Summary, r.Done = full.Rows[:1], full.Accounts[:1], batch.Summary{Total: 1, Invited: 1}, 1
				r.LeaseUntil = r.LeaseUntil.Add(time.Minute)
			},
			func(r *batch.Record) { r.Runner, r.LeaseUntil = "run-resumed", at(99) }, // resumed elsewhere
			func(r *batch.Record) { r.State, r.LeaseUntil = batch.Interrupted, time.Time{} },
		}
		for i, step := range steps {
			step(&b)
			f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.UpdateBatch(ctx, b) })
			require.Equal(t, b, read(f, b.ID), "step %d", i)
			got, err := byKey(f, o.ID, b.Key)
			require.NoError(t, err)
			require.Equal(t, b, got, "step %d", i)
		}
	})

	t.Run("Takeover", func(t *testing.T) {
		// Runs that find a batch without a runner race to take it, reading
		// it by ID or by key: both lock it, so exactly one takes it, and no
		// update of its progress is lost.
		const workers = 16
		f := newFixture(t, newStore)
		o := f.createOrg("")
		b := f.createBatch(o.ID, func(r *batch.Record) { r.State, r.Runner, r.Done = batch.Running, "", 0 })
		took := make([]bool, workers)
		errs := make([]error, workers)
		parallel(workers, func(i int) {
			errs[i] = f.do(func(ctx context.Context, tx multiline.Tx) error {
				took[i] = false
				read := func() (batch.Record, error) { return tx.Batch(ctx, b.ID) }
				if i%2 == 1 {
					read = func() (batch.Record, error) { return tx.BatchByKey(ctx, o.ID, b.Key) }
				}
				got, err := read()
				if err != nil {
					return err
				}
				pause()
				got.Done++
				if got.Runner == "" {
					got.Runner, took[i] = fmt.Sprintf("run-%d", i), true
				}
				return tx.UpdateBatch(ctx, got)
			})
		})
		takers := 0
		for i, err := range errs {
			require.NoError(t, err, "worker %d", i)
			if took[i] {
				takers++
			}
		}
		assert.Equal(t, 1, takers, "the batch was taken by several runs")
		assert.Equal(t, workers, read(f, b.ID).Done, "an update of the batch was lost")
	})

	t.Run("Key", func(t *testing.T) {
		f := newFixture(t, newStore)
		a, other := f.createOrg(""), f.createOrg("")
		b := f.createBatch(a.ID)

		dup := f.newBatch(a.ID)
		dup.Key = b.Key
		requireUnique(t, f.do(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateBatch(ctx, dup) }), "batch_key")
		_, err := try(f, func(ctx context.Context, tx multiline.Tx) (batch.Record, error) { return tx.Batch(ctx, dup.ID) })
		require.ErrorIs(t, err, mlerr.ErrNotFound, "a refused batch was stored")

		// A key is unique within its organization only, and a batch may
		// have none.
		elsewhere := f.createBatch(other.ID, func(r *batch.Record) { r.Key = b.Key })
		noKey := func(r *batch.Record) { r.Key = "" }
		f.createBatch(a.ID, noKey)
		f.createBatch(a.ID, noKey)
		got, err := byKey(f, a.ID, b.Key)
		require.NoError(t, err)
		assert.Equal(t, b, got)
		got, err = byKey(f, other.ID, b.Key)
		require.NoError(t, err)
		assert.Equal(t, elsewhere, got)
		_, err = byKey(f, a.ID, "no-such-key")
		assert.ErrorIs(t, err, mlerr.ErrNotFound)
	})

	t.Run("KeyCleared", func(t *testing.T) {
		f := newFixture(t, newStore)
		a := f.createOrg("")
		b := f.createBatch(a.ID)
		undone := b
		undone.State, undone.Key = batch.Undone, ""
		f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.UpdateBatch(ctx, undone) })
		assert.Equal(t, undone, read(f, b.ID))
		_, err := byKey(f, a.ID, b.Key)
		assert.ErrorIs(t, err, mlerr.ErrNotFound, "a cleared key still finds its batch")

		// The key is free for another upload.
		again := f.createBatch(a.ID, func(r *batch.Record) { r.Key = b.Key })
		got, err := byKey(f, a.ID, b.Key)
		require.NoError(t, err)
		assert.Equal(t, again, got)
	})

	t.Run("Immutable", func(t *testing.T) {
		f := newFixture(t, newStore)
		a, other := f.createOrg(""), f.createOrg("")
		b := f.createBatch(a.ID)
		keyless := f.createBatch(a.ID, func(r *batch.Record) { r.Key = "" })
		tests := []struct {
			name   string
			before batch.Record
			change func(*batch.Record)
		}{
			{"OtherKey", b, func(r *batch.Record) { r.Key = "another-key" }},
			{"KeyOnKeyless", keyless, func(r *batch.Record) { r.Key = "late-key" }},
			{"OtherOrg", b, func(r *batch.Record) { r.OrgID = other.ID }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := f.with(t)
				changed := tt.before
				changed.State = batch.Stopped
				tt.change(&changed)
				err := f.do(func(ctx context.Context, tx multiline.Tx) error { return tx.UpdateBatch(ctx, changed) })
				// The contract names no error for it; it must be refused.
				require.Error(t, err)
				assert.Equal(t, tt.before, read(f, tt.before.ID), "a refused update changed the batch")
				if changed.Key != "" && changed.Key != tt.before.Key {
					_, err := byKey(f, changed.OrgID, changed.Key)
					assert.ErrorIs(t, err, mlerr.ErrNotFound, "a refused key was taken")
				}
			})
		}
		assert.Empty(t, listAll(f, batchesOf(other.ID)))
	})

	t.Run("NotFound", func(t *testing.T) {
		f := newFixture(t, newStore)
		o := f.createOrg("")
		f.createBatch(o.ID)
		ghost := f.newBatch(o.ID)
		for _, fn := range []func(context.Context, multiline.Tx) error{
			func(ctx context.Context, tx multiline.Tx) error { _, err := tx.Batch(ctx, ghost.ID); return err },
			func(ctx context.Context, tx multiline.Tx) error {
				_, err := tx.BatchByKey(ctx, o.ID, ghost.Key)
				return err
			},
			func(ctx context.Context, tx multiline.Tx) error { return tx.UpdateBatch(ctx, ghost) },
		} {
			assert.ErrorIs(t, f.do(fn), mlerr.ErrNotFound)
		}
		_, err := try(f, func(ctx context.Context, tx multiline.Tx) (batch.Record, error) { return tx.Batch(ctx, ghost.ID) })
		assert.ErrorIs(t, err, mlerr.ErrNotFound, "a failed UpdateBatch created the batch")
	})

	t.Run("Copies", func(t *testing.T) {
		f := newFixture(t, newStore)
		o := f.createOrg("")
		b := f.newBatch(o.ID)
		want := f.newBatch(o.ID) // a deep copy of b, made by hand
		want.ID, want.Key, want.Created, want.Finished, want.Accounts = b.ID, b.Key, b.Created, b.Finished, []account.ID{b.Accounts[0], ""}
		want.FileHash, want.Runner, want.LeaseUntil = b.FileHash, b.Runner, b.LeaseUntil
		require.Equal(t, want, b)
		scribble := func(r *batch.Record) {
			r.Rows[0].FirstName = "scribbled"
			r.Accounts[0] = "scribbled"
		}

		f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateBatch(ctx, b) })
		scribble(&b)
		got := read(f, want.ID)
		require.Equal(t, want, got, "changing the batch passed to CreateBatch changed the store")
		scribble(&got)
		require.Equal(t, want, read(f, want.ID), "changing the batch returned by Batch changed the store")
		got, err := byKey(f, o.ID, want.Key)
		require.NoError(t, err)
		scribble(&got)
		require.Equal(t, want, read(f, want.ID), "changing the batch returned by BatchByKey changed the store")
		list := listAll(f, batchesOf(o.ID))
		require.Len(t, list, 1)
		scribble(&list[0])
		require.Equal(t, want, read(f, want.ID), "changing the batch returned by ListBatches changed the store")

		upd := read(f, want.ID)
		f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.UpdateBatch(ctx, upd) })
		scribble(&upd)
		require.Equal(t, want, read(f, want.ID), "changing the batch passed to UpdateBatch changed the store")
	})
}

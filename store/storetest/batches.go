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

// testBatches checks batch records: the round trip of the header, the
// idempotency key (unique per organization when set, cleared but never
// changed), that neither the organization nor the key changes through
// UpdateBatch, and the report lines kept apart from the header (testBatchRows).
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
		assert.Equal(t, header(done), read(f, b.ID), "the header is replaced, and carries no lines")
		got, err := byKey(f, o.ID, b.Key)
		require.NoError(t, err)
		assert.Equal(t, header(done), got)
		rows, _ := f.lines(b.ID)
		assert.Empty(t, rows, "UpdateBatch stored the lines of the record it was given")
	})

	t.Run("Progress", func(t *testing.T) {
		// A running batch's header is rewritten as each group commits (its
		// progress and lease) and when its lease changes hands; every
		// field reads back as written, a lease cleared as the zero time.
		f := newFixture(t, newStore)
		o := f.createOrg("")
		b := f.createBatch(o.ID, func(r *batch.Record) {
			r.State, r.Finished, r.Summary, r.Rows, r.Accounts, r.Done, r.Total = batch.Running, time.Time{}, batch.Summary{}, nil, nil, 0, 3
		})
		steps := []func(*batch.Record){
			func(r *batch.Record) { // a group committed
				r.Summary, r.Done = batch.Summary{Total: 1, Invited: 1}, 1
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
		assert.Equal(t, header(b), got)
		got, err = byKey(f, other.ID, b.Key)
		require.NoError(t, err)
		assert.Equal(t, header(elsewhere), got)
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
		assert.Equal(t, header(undone), read(f, b.ID))
		_, err := byKey(f, a.ID, b.Key)
		assert.ErrorIs(t, err, mlerr.ErrNotFound, "a cleared key still finds its batch")

		// The key is free for another upload.
		again := f.createBatch(a.ID, func(r *batch.Record) { r.Key = b.Key })
		got, err := byKey(f, a.ID, b.Key)
		require.NoError(t, err)
		assert.Equal(t, header(again), got)
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
				assert.Equal(t, header(tt.before), read(f, tt.before.ID), "a refused update changed the batch")
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
		// A header holds no slice; the lines are copied in and out.
		f := newFixture(t, newStore)
		o := f.createOrg("")
		b := f.newBatch(o.ID)
		want := f.newBatch(o.ID) // a deep copy of b, made by hand
		want.ID, want.Key, want.Created, want.Finished, want.Accounts = b.ID, b.Key, b.Created, b.Finished, []account.ID{b.Accounts[0], ""}
		want.FileHash, want.Runner, want.LeaseUntil = b.FileHash, b.Runner, b.LeaseUntil
		require.Equal(t, want, b)
		scribble := func(rows []batch.ReportRow, accts []account.ID) {
			rows[0].FirstName = "scribbled"
			accts[0] = "scribbled"
		}
		check := func(msg string) {
			t.Helper()
			rows, accts := f.lines(want.ID)
			require.Equal(t, want.Rows, rows, msg)
			require.Equal(t, want.Accounts, accts, msg)
		}

		f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateBatch(ctx, b) })
		scribble(b.Rows, b.Accounts)
		check("changing the batch passed to CreateBatch changed the store")
		rows, accts := f.lines(want.ID)
		scribble(rows, accts)
		check("changing the lines returned by BatchRows changed the store")

		more := []batch.ReportRow{{Row: 7, EmailOrDevice: "eve@example.com", Status: batch.StatusInvited}}
		moreAccts := []account.ID{"acc-eve"}
		f.must(func(ctx context.Context, tx multiline.Tx) error {
			return tx.AppendBatchRows(ctx, want.ID, more, moreAccts)
		})
		want.Rows, want.Accounts = append(want.Rows, more[0]), append(want.Accounts, moreAccts[0])
		scribble(more, moreAccts)
		check("changing the lines passed to AppendBatchRows changed the store")
	})

	t.Run("Rows", func(t *testing.T) { testBatchRows(t, newStore) })
}

// testBatchRows checks a batch's report lines: stored by CreateBatch and
// AppendBatchRows, read by BatchRows ordered by line whatever the order
// they came in, apart from the header (which UpdateBatch replaces without
// touching them) and from the lines of other batches; a line stored twice
// is refused, and so is a missing batch.
func testBatchRows(t *testing.T, newStore func(*testing.T) multiline.Store) {
	line := func(n int, st batch.Status) batch.ReportRow {
		return batch.ReportRow{Row: n, EmailOrDevice: fmt.Sprintf("u%d@example.com", n), FirstName: "F", LastName: "L",
			MultilineNumber: fmt.Sprintf("+1415555%04d", n), Status: st}
	}
	appendRows := func(id string, rows []batch.ReportRow, accts []account.ID) func(context.Context, multiline.Tx) error {
		return func(ctx context.Context, tx multiline.Tx) error { return tx.AppendBatchRows(ctx, id, rows, accts) }
	}
	empty := func(r *batch.Record) { r.Rows, r.Accounts = nil, nil }

	t.Run("CreateWithRows", func(t *testing.T) {
		f := newFixture(t, newStore)
		o := f.createOrg("")
		b := f.createBatch(o.ID)
		got := get(f, func(ctx context.Context, tx multiline.Tx) (batch.Record, error) { return tx.Batch(ctx, b.ID) })
		assert.Equal(t, header(b), got, "Batch returns the header only")
		rows, accts := f.lines(b.ID)
		assert.Equal(t, b.Rows, rows)
		assert.Equal(t, b.Accounts, accts)
		list := listAll(f, batchesOf(o.ID))
		require.Len(t, list, 1)
		assert.Equal(t, header(b), list[0], "ListBatches returns headers only")

		none := f.createBatch(o.ID, empty)
		rows, accts = f.lines(none.ID)
		assert.Empty(t, rows)
		assert.Empty(t, accts)
	})

	t.Run("AppendOrder", func(t *testing.T) {
		// Lines come in processing order (an Import & Invite batch takes
		// the rows naming a number first; a resumed one fills gaps), and
		// read back by line, each with its own account.
		f := newFixture(t, newStore)
		o := f.createOrg("")
		b := f.createBatch(o.ID, empty)
		f.must(appendRows(b.ID, []batch.ReportRow{line(5, batch.StatusInvited), line(3, batch.StatusFailed)}, []account.ID{"acc-5", ""}))
		f.must(appendRows(b.ID, []batch.ReportRow{line(4, batch.StatusInvited), line(2, batch.StatusInvited)}, []account.ID{"acc-4", "acc-2"}))
		f.must(appendRows(b.ID, []batch.ReportRow{line(6, batch.StatusFailed)}, nil)) // nil: no accounts
		f.must(appendRows(b.ID, nil, nil))                                            // nothing: a no-op
		rows, accts := f.lines(b.ID)
		assert.Equal(t, []batch.ReportRow{line(2, batch.StatusInvited), line(3, batch.StatusFailed), line(4, batch.StatusInvited),
			line(5, batch.StatusInvited), line(6, batch.StatusFailed)}, rows)
		assert.Equal(t, []account.ID{"acc-2", "", "acc-4", "acc-5", ""}, accts)

		// A transaction reads its own appends, and one that fails keeps none.
		got := get(f, func(ctx context.Context, tx multiline.Tx) ([]batch.ReportRow, error) {
			if err := tx.AppendBatchRows(ctx, b.ID, []batch.ReportRow{line(1, batch.StatusInvited)}, []account.ID{"acc-1"}); err != nil {
				return nil, err
			}
			rows, _, err := tx.BatchRows(ctx, b.ID)
			return rows, err
		})
		assert.Equal(t, []int{1, 2, 3, 4, 5, 6}, lineNumbers(got))
		err := f.do(func(ctx context.Context, tx multiline.Tx) error {
			if err := tx.AppendBatchRows(ctx, b.ID, []batch.ReportRow{line(9, batch.StatusInvited)}, []account.ID{"acc-9"}); err != nil {
				return err
			}
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)
		rows, _ = f.lines(b.ID)
		assert.Equal(t, []int{1, 2, 3, 4, 5, 6}, lineNumbers(rows), "a rolled-back append was kept")
	})

	t.Run("HeaderApart", func(t *testing.T) {
		// UpdateBatch replaces the header and ignores the record's lines:
		// none given, other ones, or the same.
		f := newFixture(t, newStore)
		o := f.createOrg("")
		b := f.createBatch(o.ID)
		for i, upd := range []func(*batch.Record){
			func(r *batch.Record) { r.Rows, r.Accounts = nil, nil },
			func(r *batch.Record) {
				r.Rows, r.Accounts = []batch.ReportRow{line(40, batch.StatusFailed)}, []account.ID{"acc-40"}
			},
			func(r *batch.Record) { r.State, r.Done = batch.Undone, 7 },
		} {
			u := b
			upd(&u)
			f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.UpdateBatch(ctx, u) })
			assert.Equal(t, header(u), get(f, func(ctx context.Context, tx multiline.Tx) (batch.Record, error) { return tx.Batch(ctx, b.ID) }), "update %d", i)
			rows, accts := f.lines(b.ID)
			assert.Equal(t, b.Rows, rows, "update %d changed the lines", i)
			assert.Equal(t, b.Accounts, accts, "update %d changed the accounts", i)
		}
	})

	t.Run("Apart", func(t *testing.T) {
		// Two batches with the same lines each read their own.
		f := newFixture(t, newStore)
		o, other := f.createOrg(""), f.createOrg("")
		a := f.createBatch(o.ID, empty)
		b := f.createBatch(other.ID, empty)
		c := f.createBatch(o.ID, empty)
		f.must(appendRows(a.ID, []batch.ReportRow{line(2, batch.StatusInvited), line(3, batch.StatusInvited)}, []account.ID{"a-2", "a-3"}))
		f.must(appendRows(b.ID, []batch.ReportRow{line(3, batch.StatusFailed), line(2, batch.StatusFailed)}, []account.ID{"", "b-2"}))
		rows, accts := f.lines(a.ID)
		assert.Equal(t, []batch.ReportRow{line(2, batch.StatusInvited), line(3, batch.StatusInvited)}, rows)
		assert.Equal(t, []account.ID{"a-2", "a-3"}, accts)
		rows, accts = f.lines(b.ID)
		assert.Equal(t, []batch.ReportRow{line(2, batch.StatusFailed), line(3, batch.StatusFailed)}, rows)
		assert.Equal(t, []account.ID{"b-2", ""}, accts)
		rows, _ = f.lines(c.ID)
		assert.Empty(t, rows)
	})

	t.Run("DuplicateLine", func(t *testing.T) {
		// A line stored already, or twice in one call, is a *UniqueError
		// on "batch_row", from the call or at the latest from the commit,
		// and nothing of the transaction is kept.
		f := newFixture(t, newStore)
		o := f.createOrg("")
		b := f.createBatch(o.ID) // lines 2 and 3
		for name, rows := range map[string][]batch.ReportRow{
			"stored":  {line(4, batch.StatusInvited), line(3, batch.StatusInvited)},
			"twice":   {line(5, batch.StatusInvited), line(5, batch.StatusFailed)},
			"created": {line(2, batch.StatusFailed)},
		} {
			t.Run(name, func(t *testing.T) {
				f := f.with(t)
				other := f.newAccount(o.ID)
				err := f.do(func(ctx context.Context, tx multiline.Tx) error {
					if err := tx.CreateAccount(ctx, other); err != nil {
						return err
					}
					return tx.AppendBatchRows(ctx, b.ID, rows, nil)
				})
				requireUnique(t, err, multiline.KeyBatchRow)
				got, accts := f.lines(b.ID)
				assert.Equal(t, b.Rows, got, "a refused append was kept")
				assert.Equal(t, b.Accounts, accts)
				_, err = try(f, func(ctx context.Context, tx multiline.Tx) (account.Account, error) { return tx.Account(ctx, other.ID) })
				assert.ErrorIs(t, err, mlerr.ErrNotFound, "a transaction whose append was refused committed")
			})
		}

		// CreateBatch with a line twice stores nothing.
		dup := f.newBatch(o.ID)
		dup.Rows[1].Row = dup.Rows[0].Row
		requireUnique(t, f.do(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateBatch(ctx, dup) }), multiline.KeyBatchRow)
		_, err := try(f, func(ctx context.Context, tx multiline.Tx) (batch.Record, error) { return tx.Batch(ctx, dup.ID) })
		assert.ErrorIs(t, err, mlerr.ErrNotFound, "a batch refused for its lines was stored")
	})

	t.Run("Refused", func(t *testing.T) {
		f := newFixture(t, newStore)
		o := f.createOrg("")
		b := f.createBatch(o.ID)
		ghost := f.newBatch(o.ID)
		require.ErrorIs(t, f.do(appendRows(ghost.ID, ghost.Rows, ghost.Accounts)), mlerr.ErrNotFound)
		_, err := try(f, func(ctx context.Context, tx multiline.Tx) ([]batch.ReportRow, error) {
			rows, _, err := tx.BatchRows(ctx, ghost.ID)
			return rows, err
		})
		require.ErrorIs(t, err, mlerr.ErrNotFound)
		// Accounts must be nil or one per line.
		require.Error(t, f.do(appendRows(b.ID, []batch.ReportRow{line(8, batch.StatusInvited), line(9, batch.StatusInvited)}, []account.ID{"acc-8"})))
		rows, _ := f.lines(b.ID)
		assert.Equal(t, b.Rows, rows, "a refused append was kept")
	})
}

func lineNumbers(rows []batch.ReportRow) []int {
	out := make([]int, len(rows))
	for i, r := range rows {
		out[i] = r.Row
	}
	return out
}

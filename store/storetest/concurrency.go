package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
)

// pause widens the window between a transaction's read and its write, so
// that a store that fails to lock lets another transaction in between and
// the test sees the lost update. It costs a serializing store about a
// millisecond per transaction.
func pause() { time.Sleep(time.Millisecond) }

// testConcurrency runs transactions in many goroutines at once and checks
// the rules SPEC §8 says hold across service instances: a number goes to one
// account, the capacity invariant holds, unique keys stay unique, and no
// read-check-write loses an update.
//
// Transaction functions here may be run more than once (a store retries
// serialization failures), so each sets its results afresh on every run and
// the goroutine reads them only once Tx has returned.
func testConcurrency(t *testing.T, newStore func(*testing.T) multiline.Store) {
	t.Run("Reservation", func(t *testing.T) {
		const workers, free = 32, 10
		f := newFixture(t, newStore)
		o := f.createOrg("")
		f.createNumbers(o.ID, free)
		other := f.createOrg("")
		f.createNumbers(other.ID, free) // must never be picked

		picked := make([]string, workers)
		errs := make([]error, workers)
		parallel(workers, func(i int) {
			who := fmt.Sprintf("holder-%02d", i)
			errs[i] = f.do(func(ctx context.Context, tx multiline.Tx) error {
				picked[i] = ""
				n, err := tx.PickNumber(ctx, multiline.NumberQuery{Org: o.ID, State: numberpool.Available})
				if err != nil {
					return err
				}
				pause()
				if n, err = n.Assign(who); err != nil {
					return err
				}
				if err := tx.UpdateNumber(ctx, n); err != nil {
					return err
				}
				picked[i] = n.E164
				return nil
			})
		})

		// Exactly as many succeed as there were numbers; the rest find none.
		holders := map[string]string{} // number → holder
		for i, err := range errs {
			if err != nil {
				assert.ErrorIs(t, err, mlerr.ErrNotFound, "worker %d", i)
				continue
			}
			_, dup := holders[picked[i]]
			assert.False(t, dup, "%s was handed out twice", picked[i])
			holders[picked[i]] = fmt.Sprintf("holder-%02d", i)
		}
		assert.Len(t, holders, free)

		// Every number has exactly the holder that picked it.
		for _, n := range listAll(f, numbersOf(o.ID)) {
			assert.Equal(t, numberpool.Assigned, n.State, n.E164)
			assert.Equal(t, holders[n.E164], n.Account, n.E164)
		}
		assert.Equal(t, numberpool.Capacity{Held: free, Total: free}, f.capacity(o.ID))
		assert.Equal(t, free, f.capacity(other.ID).Available)
	})

	// Each worker invites an account without a number, weighing the
	// capacity under the organization's lock: before it writes, as every
	// change does, or after, as an import's group does (multiline's
	// createGroup). Capacity after LockOrg counts the transaction's own
	// writes on top of every committed one, so both keep the invariant.
	t.Run("CapacityInvariant", func(t *testing.T) {
		capacityRace(t, newStore, func(ctx context.Context, tx multiline.Tx, o org.ID, a account.Account) error {
			if err := tx.LockOrg(ctx, o); err != nil {
				return err
			}
			c, err := tx.Capacity(ctx, o)
			if err != nil {
				return err
			}
			if err := numberpool.CheckCapacity(c, 0, 1); err != nil {
				return err
			}
			pause()
			return tx.CreateAccount(ctx, a) // Invited, without a number
		})
	})
	t.Run("CapacityInvariantLockedLast", func(t *testing.T) {
		capacityRace(t, newStore, func(ctx context.Context, tx multiline.Tx, o org.ID, a account.Account) error {
			if err := tx.CreateAccounts(ctx, []account.Account{a}); err != nil {
				return err
			}
			pause()
			if err := tx.LockOrg(ctx, o); err != nil {
				return err
			}
			c, err := tx.Capacity(ctx, o)
			if err != nil {
				return err
			}
			return numberpool.CheckCapacity(c, 0, 0)
		})
	})

	t.Run("Unique", func(t *testing.T) {
		const workers = 8
		tests := []struct {
			name   string
			key    string
			create func(f *fixture, o org.ID, i int) func(context.Context, multiline.Tx) error
		}{
			{"Username", "username", func(f *fixture, o org.ID, _ int) func(context.Context, multiline.Tx) error {
				a := f.newAccount(o)
				a.Username = "contended@example.com"
				return func(ctx context.Context, tx multiline.Tx) error { return tx.CreateAccount(ctx, a) }
			}},
			{"Number", "number", func(f *fixture, o org.ID, _ int) func(context.Context, multiline.Tx) error {
				n := numberpool.Number{E164: "+14155550000", OrgID: o, State: numberpool.Available}
				return func(ctx context.Context, tx multiline.Tx) error { return tx.CreateNumber(ctx, n) }
			}},
			{"AccountID", "account_id", func(f *fixture, o org.ID, _ int) func(context.Context, multiline.Tx) error {
				a := f.newAccount(o)
				a.AccountID = "E-CONTENDED"
				return func(ctx context.Context, tx multiline.Tx) error { return tx.CreateAccount(ctx, a) }
			}},
			{"BatchKey", "batch_key", func(f *fixture, o org.ID, _ int) func(context.Context, multiline.Tx) error {
				b := f.newBatch(o)
				b.Key = "contended-upload"
				return func(ctx context.Context, tx multiline.Tx) error { return tx.CreateBatch(ctx, b) }
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := newFixture(t, newStore)
				// Usernames and numbers are contended across organizations,
				// Account IDs and batch keys within one.
				shared := f.createOrg("").ID
				fns := make([]func(context.Context, multiline.Tx) error, workers)
				for i := range fns {
					o := shared
					if tt.key == "username" || tt.key == "number" {
						o = f.createOrg("").ID
					}
					fns[i] = tt.create(f, o, i)
				}
				errs := make([]error, workers)
				parallel(workers, func(i int) { errs[i] = f.do(fns[i]) })
				ok := 0
				for _, err := range errs {
					if err == nil {
						ok++
						continue
					}
					requireUnique(t, err, tt.key)
				}
				assert.Equal(t, 1, ok, "exactly one transaction takes the key")
			})
		}
	})

	t.Run("ReadModifyWrite", func(t *testing.T) {
		// Each transaction reads a record, changes it and writes it back:
		// the read locks it, so no transaction overwrites another's change.
		const workers = 16
		tests := []struct {
			name string
			// setup stores the record; bump is one transaction's change; count
			// reads how many changes the record holds.
			setup func(f *fixture) (bump func(context.Context, multiline.Tx) error, count func() int)
		}{
			{"Message", func(f *fixture) (func(context.Context, multiline.Tx) error, func() int) {
				m := f.createMessage(f.createOrg("").ID)
				bump := func(ctx context.Context, tx multiline.Tx) error {
					m, err := tx.Message(ctx, m.ID)
					if err != nil {
						return err
					}
					pause()
					m.Attempts++
					return tx.UpdateMessage(ctx, m)
				}
				count := func() int {
					return get(f, func(ctx context.Context, tx multiline.Tx) (invite.Message, error) { return tx.Message(ctx, m.ID) }).Attempts
				}
				return bump, count
			}},
			{"Invitation", func(f *fixture) (func(context.Context, multiline.Tx) error, func() int) {
				a := f.createAccount(f.createOrg("").ID)
				inv := f.newInvitation(a)
				inv.TokenVersion = 0
				f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateInvitation(ctx, inv) })
				bump := func(ctx context.Context, tx multiline.Tx) error {
					inv, err := tx.Invitation(ctx, a.ID)
					if err != nil {
						return err
					}
					pause()
					inv.TokenVersion++
					return tx.UpdateInvitation(ctx, inv)
				}
				count := func() int {
					return get(f, func(ctx context.Context, tx multiline.Tx) (invite.Invitation, error) { return tx.Invitation(ctx, a.ID) }).TokenVersion
				}
				return bump, count
			}},
			{"Account", func(f *fixture) (func(context.Context, multiline.Tx) error, func() int) {
				// An account's Forwarding grows by one digit per change.
				a := f.createAccount(f.createOrg("").ID, func(a *account.Account) { a.Forwarding = "+" })
				bump := func(ctx context.Context, tx multiline.Tx) error {
					a, err := tx.Account(ctx, a.ID)
					if err != nil {
						return err
					}
					pause()
					a.Forwarding += "1"
					return tx.UpdateAccount(ctx, a)
				}
				count := func() int {
					return len(get(f, func(ctx context.Context, tx multiline.Tx) (account.Account, error) { return tx.Account(ctx, a.ID) }).Forwarding) - 1
				}
				return bump, count
			}},
			{"Number", func(f *fixture) (func(context.Context, multiline.Tx) error, func() int) {
				// A number's Tag grows by one letter per change.
				n := f.createNumbers(f.createOrg("").ID, 1)[0]
				bump := func(ctx context.Context, tx multiline.Tx) error {
					n, err := tx.Number(ctx, n.E164)
					if err != nil {
						return err
					}
					pause()
					n.Tag += "X"
					return tx.UpdateNumber(ctx, n)
				}
				count := func() int { return len(f.number(n.E164).Tag) }
				return bump, count
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := newFixture(t, newStore)
				bump, count := tt.setup(f)
				bumpConcurrently(t, f, workers, bump)
				assert.Equal(t, workers, count(), "updates were lost")
			})
		}
	})

	t.Run("DueMessages", func(t *testing.T) {
		// Workers claim due messages one at a time and mark them Sent: each
		// message is handed to exactly one worker.
		const workers, msgs = 6, 20
		f := newFixture(t, newStore)
		o := f.createOrg("")
		var want []invite.MessageID
		for range msgs {
			want = append(want, f.createMessage(o.ID).ID)
		}
		now := at(f.next())

		var mu sync.Mutex
		claims := map[invite.MessageID]int{}
		errs := make([]error, workers)
		parallel(workers, func(i int) {
			for range 2 * msgs {
				var got []invite.MessageID
				err := f.do(func(ctx context.Context, tx multiline.Tx) error {
					got = nil
					due, err := tx.DueMessages(ctx, now, 1)
					if err != nil {
						return err
					}
					pause()
					for _, m := range due {
						m.State, m.SentAt, m.Attempts = invite.Sent, now, m.Attempts+1
						if err := tx.UpdateMessage(ctx, m); err != nil {
							return err
						}
						got = append(got, m.ID)
					}
					return nil
				})
				if err != nil {
					errs[i] = err
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, id := range got {
					claims[id]++
				}
				mu.Unlock()
			}
			errs[i] = errors.New("DueMessages never ran dry")
		})
		for i, err := range errs {
			require.NoError(t, err, "worker %d", i)
		}
		for _, id := range want {
			assert.Equal(t, 1, claims[id], "message %s claimed %d times", id, claims[id])
		}
		assert.Len(t, claims, msgs)
		for _, m := range listAll(f, messagesOf(o.ID)) {
			assert.Equal(t, invite.Sent, m.State, m.ID)
			assert.Equal(t, 1, m.Attempts, m.ID)
		}
	})
}

// bumpConcurrently runs bump in a transaction of its own from each of
// workers goroutines at once, and requires every transaction to succeed.
func bumpConcurrently(t *testing.T, f *fixture, workers int, bump func(context.Context, multiline.Tx) error) {
	t.Helper()
	errs := make([]error, workers)
	parallel(workers, func(i int) { errs[i] = f.do(bump) })
	for i, err := range errs {
		require.NoError(t, err, "worker %d", i)
	}
}

// capacityRace runs 16 workers, each inviting one account without a number
// into an organization with 5 Available numbers through invite, and checks
// that exactly 5 succeed and the others are refused for capacity.
func capacityRace(t *testing.T, newStore func(*testing.T) multiline.Store,
	invite func(ctx context.Context, tx multiline.Tx, o org.ID, a account.Account) error) {
	const workers, free = 16, 5
	f := newFixture(t, newStore)
	o := f.createOrg("")
	f.createNumbers(o.ID, free)
	accs := make([]account.Account, workers)
	for i := range accs {
		accs[i] = f.newAccount(o.ID)
	}

	errs := make([]error, workers)
	parallel(workers, func(i int) {
		errs[i] = f.do(func(ctx context.Context, tx multiline.Tx) error { return invite(ctx, tx, o.ID, accs[i]) })
	})

	ok := 0
	for i, err := range errs {
		if err == nil {
			ok++
			continue
		}
		assert.ErrorIs(t, err, numberpool.ErrNotEnoughNumbers, "worker %d", i)
	}
	c := f.capacity(o.ID)
	assert.LessOrEqual(t, c.Pending, c.Available, "the capacity invariant is broken")
	assert.Equal(t, free, ok, "as many invitations as Available numbers succeed")
	assert.Equal(t, numberpool.Capacity{Available: free, Pending: free, Total: free}, c)
	assert.Len(t, listAll(f, accountsOf(o.ID)), free)
}

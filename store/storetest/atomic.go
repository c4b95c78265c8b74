package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// snapshot is everything the suite can see of a few organizations through
// the Tx API: records, lists, counts and the outbox.
type snapshot struct {
	Orgs     []org.Org
	Children [][]org.Org
	Profiles []permissions.Profile
	Numbers  [][]numberpool.Number
	Capacity []numberpool.Capacity
	Accounts [][]account.Account
	Messages [][]invite.Message
	Batches  [][]batch.Record
	Lines    [][]batch.ReportRow // of each batch of Batches, in order
	Audit    []multiline.AuditEvent
	Due      []invite.Message
}

// snap reads a snapshot of the given organizations.
func (f *fixture) snap(orgs ...org.ID) snapshot {
	f.t.Helper()
	var s snapshot
	for _, o := range orgs {
		s.Orgs = append(s.Orgs, get(f, func(ctx context.Context, tx multiline.Tx) (org.Org, error) { return tx.Org(ctx, o) }))
		s.Children = append(s.Children, get(f, func(ctx context.Context, tx multiline.Tx) ([]org.Org, error) { return tx.Children(ctx, o) }))
		s.Numbers = append(s.Numbers, listAll(f, numbersOf(o)))
		s.Capacity = append(s.Capacity, f.capacity(o))
		s.Accounts = append(s.Accounts, listAll(f, accountsOf(o)))
		s.Messages = append(s.Messages, listAll(f, messagesOf(o)))
		bs := listAll(f, batchesOf(o))
		s.Batches = append(s.Batches, bs)
		for _, b := range bs {
			rows, _ := f.lines(b.ID)
			s.Lines = append(s.Lines, rows)
		}
	}
	s.Profiles = get(f, func(ctx context.Context, tx multiline.Tx) ([]permissions.Profile, error) {
		return tx.Profiles(ctx, orgs)
	})
	s.Audit = canonEvents(f.t, listAll(f, auditOf(orgs...)))
	s.Due = get(f, func(ctx context.Context, tx multiline.Tx) ([]invite.Message, error) {
		return tx.DueMessages(ctx, base.Add(1000*time.Hour), multiline.MaxPageSize)
	})
	return s
}

// testAtomicity checks that a transaction that fails leaves no trace,
// whichever way it fails: records, unique keys, indexes and counts are all
// as before.
func testAtomicity(t *testing.T, newStore func(*testing.T) multiline.Store) {
	errFail := errors.New("storetest: the transaction function failed")
	tests := []struct {
		name string
		// fail ends a transaction that has written everything: cancel is the
		// cancel function of the transaction's context.
		fail func(cancel context.CancelFunc) error
		// check checks what Tx returned (err) and whether it panicked (p).
		check func(t *testing.T, err error, p any)
	}{
		{
			name:  "ReturnsError",
			fail:  func(context.CancelFunc) error { return errFail },
			check: func(t *testing.T, err error, _ any) { assert.ErrorIs(t, err, errFail) },
		},
		{
			name: "Panics",
			fail: func(context.CancelFunc) error { panic("storetest: the transaction function panicked") },
			check: func(t *testing.T, err error, p any) {
				// The contract does not say whether Tx passes the panic on or
				// turns it into an error; it must not report success.
				assert.True(t, p != nil || err != nil, "Tx reported success for a function that panicked")
			},
		},
		{
			name: "ContextCancelled",
			fail: func(cancel context.CancelFunc) error {
				cancel()
				return nil // the context ended before commit: nothing is kept
			},
			check: func(t *testing.T, err error, _ any) { assert.ErrorIs(t, err, context.Canceled) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, newStore)

			// Committed state: an organization with three Available numbers,
			// an Invited account without a number, a queued message and an
			// audit event.
			a := f.createOrg("")
			ns := f.createNumbers(a.ID, 3)
			x := f.createAccount(a.ID)
			m0 := f.createMessage(a.ID)
			// An activated account with a redeemed invitation, deleted by the
			// failed transaction, and an invitation it rotates.
			w := f.createAccount(a.ID, func(acc *account.Account) { acc.Status = account.Activated })
			invW, invX := f.newInvitation(w), f.newInvitation(x)
			invW.State = invite.Redeemed
			f.must(func(ctx context.Context, tx multiline.Tx) error {
				if err := tx.CreateInvitation(ctx, invW); err != nil {
					return err
				}
				return tx.CreateInvitation(ctx, invX)
			})
			bt0 := f.createBatch(a.ID)
			ev0 := f.newEvent(a.ID, "account.created", string(x.ID))
			f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.AppendAudit(ctx, ev0) })
			before := f.snap(a.ID)
			require.Equal(t, numberpool.Capacity{Available: 3, Pending: 1, Total: 3}, before.Capacity[0])

			// Records the failed transaction writes.
			child := f.newOrg(a.ID)
			renamed := before.Orgs[0]
			renamed.Name = "Renamed"
			def := f.newProfile(a.ID, true)
			adm := f.newAdmin()
			n4 := f.newNumber(a.ID)
			y := f.newAccount(a.ID)
			xRenamed := x
			xRenamed.Username = "renamed@example.com"
			inv := f.newInvitation(y)
			invXRotated := invX
			invXRotated.Retired = append(append([][]byte(nil), invX.Retired...), invX.TokenHash)
			invXRotated.TokenHash, invXRotated.TokenVersion = invite.HashToken("rotated-in-failed-tx"), invX.TokenVersion+1
			m := f.newMessage(a.ID)
			m0Sent := m0
			m0Sent.State, m0Sent.SentAt = invite.Sent, at(900)
			ev := f.newEvent(a.ID, "account.created", string(y.ID))
			bt := f.newBatch(a.ID)
			bt0Undone := bt0
			bt0Undone.State, bt0Undone.Key = batch.Undone, ""

			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var err error
			var p any
			func() {
				defer func() { p = recover() }()
				err = f.s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
					if err := writeEverything(ctx, tx, writes{
						child: child, renamed: renamed, def: def, adm: adm, n4: n4,
						reserve: ns[0].E164, assign: ns[1].E164, x: xRenamed, y: y,
						inv: inv, rotated: invXRotated, deleted: w.ID, m: m, m0: m0Sent, ev: ev,
						batch: bt, batch0: bt0Undone,
					}); err != nil {
						return err
					}
					// The transaction sees its own writes...
					c, err := tx.Capacity(ctx, a.ID)
					if err != nil {
						return err
					}
					if want := (numberpool.Capacity{Available: 2, Pending: 1, Held: 1, Total: 4}); c != want {
						return fmt.Errorf("%w: capacity %+v, want %+v", errSeen, c, want)
					}
					// ...and then fails.
					return tt.fail(cancel)
				})
			}()
			tt.check(t, err, p)
			require.NotErrorIs(t, err, errWrite, "a write of the failed transaction was refused: %v", err)
			require.NotErrorIs(t, err, errSeen, "the failed transaction did not see its own writes: %v", err)

			// Records and lists are as before.
			require.Equal(t, before, f.snap(a.ID))
			for _, nf := range []struct {
				what string
				fn   func(context.Context, multiline.Tx) error
			}{
				{"child org", func(ctx context.Context, tx multiline.Tx) error { _, err := tx.Org(ctx, child.ID); return err }},
				{"admin", func(ctx context.Context, tx multiline.Tx) error { _, err := tx.Admin(ctx, adm.ID); return err }},
				{"number", func(ctx context.Context, tx multiline.Tx) error { _, err := tx.Number(ctx, n4.E164); return err }},
				{"account", func(ctx context.Context, tx multiline.Tx) error { _, err := tx.Account(ctx, y.ID); return err }},
				{"invitation", func(ctx context.Context, tx multiline.Tx) error { _, err := tx.Invitation(ctx, y.ID); return err }},
				{"message", func(ctx context.Context, tx multiline.Tx) error { _, err := tx.Message(ctx, m.ID); return err }},
				{"batch", func(ctx context.Context, tx multiline.Tx) error { _, err := tx.Batch(ctx, bt.ID); return err }},
				{"batch key", func(ctx context.Context, tx multiline.Tx) error {
					_, err := tx.BatchByKey(ctx, a.ID, bt.Key)
					return err
				}},
			} {
				assert.ErrorIs(t, f.do(nf.fn), mlerr.ErrNotFound, "the failed transaction's %s was kept", nf.what)
			}

			// Indexes: the numbers it reserved and assigned are Available
			// again, and picked as such.
			for _, st := range []numberpool.State{numberpool.Reserved, numberpool.Assigned} {
				_, err := f.pick(multiline.NumberQuery{Org: a.ID, State: st})
				assert.ErrorIs(t, err, mlerr.ErrNotFound, "PickNumber found a %s number of the failed transaction", st)
			}
			got, err := f.pick(multiline.NumberQuery{Org: a.ID, State: numberpool.Available})
			require.NoError(t, err)
			assert.Contains(t, ns, got)

			// Unique keys: those it took are free again, those it gave up
			// are still taken.
			f.fits(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateOrg(ctx, child) })
			f.fits(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateProfile(ctx, def) })
			f.fits(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateAdmin(ctx, adm) })
			f.fits(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateNumber(ctx, n4) })
			f.fits(func(ctx context.Context, tx multiline.Tx) error { return tx.Enqueue(ctx, m) })
			f.fits(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateBatch(ctx, bt) })
			assert.Equal(t, header(bt0), get(f, func(ctx context.Context, tx multiline.Tx) (batch.Record, error) {
				return tx.BatchByKey(ctx, a.ID, bt0.Key)
			}), "the failed transaction cleared a batch key for good")
			f.fits(func(ctx context.Context, tx multiline.Tx) error {
				z := f.newAccount(a.ID)
				z.Username, z.AccountID = y.Username, y.AccountID
				return tx.CreateAccount(ctx, z)
			})
			f.fits(func(ctx context.Context, tx multiline.Tx) error {
				z := f.newAccount(a.ID)
				z.Username = xRenamed.Username
				return tx.CreateAccount(ctx, z)
			})
			z := f.newAccount(a.ID)
			z.Username = x.Username
			requireUnique(t, f.do(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateAccount(ctx, z) }), "username")

			// The deleted account and its invitation are back, found by
			// its token; the rotated invitation has its old token.
			assert.Equal(t, w, get(f, func(ctx context.Context, tx multiline.Tx) (account.Account, error) { return tx.Account(ctx, w.ID) }))
			for _, inv := range []invite.Invitation{invW, invX} {
				assert.Equal(t, inv, get(f, func(ctx context.Context, tx multiline.Tx) (invite.Invitation, error) {
					return tx.InvitationByToken(ctx, inv.TokenHash)
				}))
			}
			_, err = try(f, func(ctx context.Context, tx multiline.Tx) (invite.Invitation, error) {
				return tx.InvitationByToken(ctx, invXRotated.TokenHash)
			})
			assert.ErrorIs(t, err, mlerr.ErrNotFound, "the failed transaction's token was kept")
			_, err = try(f, func(ctx context.Context, tx multiline.Tx) (invite.Invitation, error) {
				return tx.InvitationByToken(ctx, inv.TokenHash)
			})
			assert.ErrorIs(t, err, mlerr.ErrNotFound, "the failed transaction's invitation token was kept")
			z = f.newAccount(a.ID)
			z.Username = w.Username
			requireUnique(t, f.do(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateAccount(ctx, z) }), "username")

			// The store still works.
			f.createAccount(a.ID)
			assert.Equal(t, numberpool.Capacity{Available: 3, Pending: 2, Total: 3}, f.capacity(a.ID))
		})
	}

	t.Run("ContextCancelledBefore", func(t *testing.T) {
		f := newFixture(t, newStore)
		a := f.createOrg("")
		before := f.snap(a.ID)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		o := f.newOrg(a.ID)
		err := f.s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error { return tx.CreateOrg(ctx, o) })
		require.ErrorIs(t, err, context.Canceled)
		require.Equal(t, before, f.snap(a.ID))
	})
}

// errWrite and errSeen mark failures of the failed transaction's own steps,
// so that the test can tell them from the deliberate failure.
var (
	errWrite = errors.New("storetest: a write was refused")
	errSeen  = errors.New("storetest: a read did not see the transaction's write")
)

// writes is what writeEverything writes.
type writes struct {
	child, renamed  org.Org
	def             permissions.Profile
	adm             permissions.Admin
	n4              numberpool.Number
	reserve, assign string // Available numbers to reserve and to assign to y
	x, y            account.Account
	inv, rotated    invite.Invitation // a new invitation, and a rotated one
	deleted         account.ID        // an account to delete
	m, m0           invite.Message
	ev              multiline.AuditEvent
	batch, batch0   batch.Record // a new batch, and an update clearing a key
}

// writeEverything writes one record of every kind, creating and updating,
// so that a rollback has every kind of record, key and index to undo.
func writeEverything(ctx context.Context, tx multiline.Tx, w writes) error {
	step := func(what string, err error) error {
		if err != nil {
			return fmt.Errorf("%w: %s: %w", errWrite, what, err)
		}
		return nil
	}
	if err := step("CreateOrg", tx.CreateOrg(ctx, w.child)); err != nil {
		return err
	}
	if err := step("UpdateOrg", tx.UpdateOrg(ctx, w.renamed)); err != nil {
		return err
	}
	if err := step("CreateProfile", tx.CreateProfile(ctx, w.def)); err != nil {
		return err
	}
	if err := step("CreateAdmin", tx.CreateAdmin(ctx, w.adm)); err != nil {
		return err
	}
	if err := step("CreateNumber", tx.CreateNumber(ctx, w.n4)); err != nil {
		return err
	}
	// Reserve one number and assign another: two state indexes change.
	n, err := tx.Number(ctx, w.reserve)
	if err == nil {
		n, err = n.Reserve("ported")
	}
	if err == nil {
		err = tx.UpdateNumber(ctx, n)
	}
	if err := step("reserve a number", err); err != nil {
		return err
	}
	n, err = tx.Number(ctx, w.assign)
	if err == nil {
		n, err = n.Assign(string(w.y.ID))
	}
	if err == nil {
		err = tx.UpdateNumber(ctx, n)
	}
	if err := step("assign a number", err); err != nil {
		return err
	}
	if err := step("UpdateAccount", tx.UpdateAccount(ctx, w.x)); err != nil {
		return err
	}
	y := w.y
	y.Number = w.assign
	if err := step("CreateAccount", tx.CreateAccount(ctx, y)); err != nil {
		return err
	}
	if err := step("CreateInvitation", tx.CreateInvitation(ctx, w.inv)); err != nil {
		return err
	}
	if err := step("UpdateInvitation", tx.UpdateInvitation(ctx, w.rotated)); err != nil {
		return err
	}
	if err := step("DeleteAccount", tx.DeleteAccount(ctx, w.deleted)); err != nil {
		return err
	}
	if err := step("Enqueue", tx.Enqueue(ctx, w.m)); err != nil {
		return err
	}
	if err := step("UpdateMessage", tx.UpdateMessage(ctx, w.m0)); err != nil {
		return err
	}
	if err := step("AppendAudit", tx.AppendAudit(ctx, w.ev)); err != nil {
		return err
	}
	if err := step("CreateBatch", tx.CreateBatch(ctx, w.batch)); err != nil {
		return err
	}
	if err := step("UpdateBatch", tx.UpdateBatch(ctx, w.batch0)); err != nil {
		return err
	}
	if err := step("AppendBatchRows", tx.AppendBatchRows(ctx, w.batch0.ID,
		[]batch.ReportRow{{Row: 99, EmailOrDevice: "late@example.com", Status: batch.StatusImported}}, []account.ID{w.y.ID})); err != nil {
		return err
	}
	if got, err := tx.Account(ctx, y.ID); err != nil || got.Number != w.assign {
		return fmt.Errorf("%w: account %v, %v", errSeen, got.ID, err)
	}
	return nil
}

// testFailedCallKeepsTx checks that a call failing with mlerr.ErrNotFound or
// a *UniqueError changes nothing and leaves the transaction usable: the
// transaction goes on, commits, and keeps what it wrote before and after
// the failures, and nothing of the failed calls.
func testFailedCallKeepsTx(t *testing.T, newStore func(*testing.T) multiline.Store) {
	f := newFixture(t, newStore)
	o := f.createOrg("")
	n := f.createNumbers(o.ID, 1)[0]
	x := f.createAccount(o.ID)
	m := f.createMessage(o.ID)
	bt := f.createBatch(o.ID)
	def := f.newProfile(o.ID, true)
	f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateProfile(ctx, def) })

	before, after := f.newAccount(o.ID), f.newAccount(o.ID)
	// A new account whose username is taken: its fresh Account ID must not
	// be claimed by the refused call.
	clash := f.newAccount(o.ID)
	clash.Username = x.Username
	// An update of x that takes before's username and gives up x's Account
	// ID: x must keep its Account ID.
	xClash := x
	xClash.Username, xClash.AccountID = before.Username, "E-GIVEN-UP"
	dupMsg := f.newMessage(o.ID)
	dupMsg.IdempotencyKey = m.IdempotencyKey
	dupBatch := f.newBatch(o.ID)
	dupBatch.Key = bt.Key
	ghost := f.newAccount(o.ID)

	type failure struct {
		what string
		err  error
		is   error
	}
	var failures []failure
	err := f.do(func(ctx context.Context, tx multiline.Tx) error {
		failures = nil
		fail := func(what string, err, is error) { failures = append(failures, failure{what, err, is}) }
		if err := tx.CreateAccount(ctx, before); err != nil {
			return err
		}
		fail("CreateAccount with a taken username", tx.CreateAccount(ctx, clash), mlerr.ErrAlreadyExists)
		fail("UpdateAccount to a taken username", tx.UpdateAccount(ctx, xClash), mlerr.ErrAlreadyExists)
		fail("CreateNumber of a taken number", tx.CreateNumber(ctx, n), mlerr.ErrAlreadyExists)
		fail("CreateProfile of a second default", tx.CreateProfile(ctx, f.newProfile(o.ID, true)), mlerr.ErrAlreadyExists)
		fail("Enqueue with a taken key", tx.Enqueue(ctx, dupMsg), mlerr.ErrAlreadyExists)
		fail("CreateBatch with a taken key", tx.CreateBatch(ctx, dupBatch), mlerr.ErrAlreadyExists)
		_, err := tx.Account(ctx, ghost.ID)
		fail("Account", err, mlerr.ErrNotFound)
		fail("UpdateAccount of a missing account", tx.UpdateAccount(ctx, ghost), mlerr.ErrNotFound)
		fail("DeleteAccount of a missing account", tx.DeleteAccount(ctx, ghost.ID), mlerr.ErrNotFound)
		_, err = tx.Number(ctx, "+14155559999")
		fail("Number", err, mlerr.ErrNotFound)
		ghostBatch := f.newBatch(o.ID)
		fail("AppendBatchRows to a missing batch", tx.AppendBatchRows(ctx, ghostBatch.ID, ghostBatch.Rows, ghostBatch.Accounts), mlerr.ErrNotFound)
		_, _, err = tx.BatchRows(ctx, ghostBatch.ID)
		fail("BatchRows of a missing batch", err, mlerr.ErrNotFound)
		return tx.CreateAccount(ctx, after)
	})
	require.NoError(t, err, "the transaction could not go on after a not-found or unique-key answer")
	for _, fl := range failures {
		assert.ErrorIs(t, fl.err, fl.is, fl.what)
	}

	read := func(id account.ID) (account.Account, error) {
		return try(f, func(ctx context.Context, tx multiline.Tx) (account.Account, error) { return tx.Account(ctx, id) })
	}
	for _, want := range []account.Account{x, before, after} {
		got, err := read(want.ID)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	for _, gone := range []account.ID{clash.ID, ghost.ID} {
		_, err := read(gone)
		assert.ErrorIs(t, err, mlerr.ErrNotFound)
	}
	// The refused calls took no key and gave none up.
	f.fits(func(ctx context.Context, tx multiline.Tx) error {
		z := f.newAccount(o.ID)
		z.AccountID = clash.AccountID
		return tx.CreateAccount(ctx, z)
	})
	z := f.newAccount(o.ID)
	z.AccountID = x.AccountID
	requireUnique(t, f.do(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateAccount(ctx, z) }), "account_id")
	f.fits(func(ctx context.Context, tx multiline.Tx) error {
		z := f.newAccount(o.ID)
		z.AccountID = xClash.AccountID
		return tx.CreateAccount(ctx, z)
	})
	assert.Equal(t, n, f.number(n.E164))
	assert.Len(t, listAll(f, messagesOf(o.ID)), 1)
	assert.Len(t, listAll(f, batchesOf(o.ID)), 1)
	assert.Equal(t, []permissions.Profile{def}, get(f, func(ctx context.Context, tx multiline.Tx) ([]permissions.Profile, error) {
		return tx.Profiles(ctx, []org.ID{o.ID})
	}))
}

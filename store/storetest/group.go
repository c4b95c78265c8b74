package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
)

// testGroup checks the group calls, which do for many records what the
// single-record calls do for one: the reads return what is stored among
// their inputs, in the order the contract names, each once, and see the
// transaction's own writes; the writes store all their records or none;
// and no call keeps or changes the caller's slice.
func testGroup(t *testing.T, newStore func(*testing.T) multiline.Store) {
	t.Run("Numbers", func(t *testing.T) { testGroupNumbers(t, newStore) })
	t.Run("AccountConflicts", func(t *testing.T) { testAccountConflicts(t, newStore) })
	t.Run("CreateAccounts", func(t *testing.T) { testCreateAccounts(t, newStore) })
	t.Run("CreateInvitations", func(t *testing.T) { testCreateInvitations(t, newStore) })
	t.Run("EnqueueAll", func(t *testing.T) { testEnqueueAll(t, newStore) })
	t.Run("MessagesByID", func(t *testing.T) { testMessagesByID(t, newStore) })
	t.Run("Invitations", func(t *testing.T) { testGroupInvitations(t, newStore) })
	t.Run("SwapDeliveries", func(t *testing.T) { testSwapDeliveries(t, newStore) })
	t.Run("EmptyInput", func(t *testing.T) { testGroupEmpty(t, newStore) })
	t.Run("Conflicts", func(t *testing.T) { testGroupConflicts(t, newStore) })
	t.Run("Locks", func(t *testing.T) { testGroupLocks(t, newStore) })
	t.Run("Copies", func(t *testing.T) { testGroupCopies(t, newStore) })
}

func testGroupNumbers(t *testing.T, newStore func(*testing.T) multiline.Store) {
	t.Run("Stored", func(t *testing.T) {
		f := newFixture(t, newStore)
		a, b := f.createOrg(""), f.createOrg("")
		na := f.createNumbers(a.ID, 4)
		nb := f.createNumbers(b.ID, 1)[0]
		missing := f.e164() // never stored
		// Not only Available numbers: every field comes back.
		reserved, aging := na[1], nb
		reserved.State, reserved.Tag = numberpool.Reserved, "PORTED"
		aging.State, aging.AgingUntil = numberpool.Aging, at(1000)
		f.must(func(ctx context.Context, tx multiline.Tx) error {
			if err := tx.UpdateNumber(ctx, reserved); err != nil {
				return err
			}
			return tx.UpdateNumber(ctx, aging)
		})

		// Out of order, with a duplicate, a missing number, and a number
		// of another organization; na[3] is stored but not asked for.
		in := []string{aging.E164, missing, na[2].E164, na[0].E164, aging.E164, reserved.E164}
		got := get(f, func(ctx context.Context, tx multiline.Tx) ([]numberpool.Number, error) { return tx.Numbers(ctx, in) })
		assert.Equal(t, []numberpool.Number{na[0], reserved, na[2], aging}, got)

		only := get(f, func(ctx context.Context, tx multiline.Tx) ([]numberpool.Number, error) {
			return tx.Numbers(ctx, []string{missing, "+14155559999"})
		})
		assert.Empty(t, only, "numbers that are not stored are left out")
	})

	t.Run("OwnWrites", func(t *testing.T) {
		f := newFixture(t, newStore)
		o := f.createOrg("")
		old := f.createNumbers(o.ID, 1)[0]
		fresh := f.newNumber(o.ID)
		upd := old
		upd.State, upd.Tag = numberpool.Reserved, "VIP"
		got := get(f, func(ctx context.Context, tx multiline.Tx) ([]numberpool.Number, error) {
			if err := tx.CreateNumber(ctx, fresh); err != nil {
				return nil, err
			}
			if err := tx.UpdateNumber(ctx, upd); err != nil {
				return nil, err
			}
			return tx.Numbers(ctx, []string{fresh.E164, old.E164})
		})
		assert.Equal(t, []numberpool.Number{upd, fresh}, got, "Numbers does not see the transaction's own writes")
	})
}

func testAccountConflicts(t *testing.T, newStore func(*testing.T) multiline.Store) {
	conflicts := func(f *fixture, as []account.Account) []error {
		f.t.Helper()
		errs := get(f, func(ctx context.Context, tx multiline.Tx) ([]error, error) { return tx.AccountConflicts(ctx, as) })
		require.Len(f.t, errs, len(as), "the answer is not parallel to the accounts asked about")
		return errs
	}

	t.Run("Keys", func(t *testing.T) {
		f := newFixture(t, newStore)
		a, b := f.createOrg(""), f.createOrg("")
		x, y := f.createAccount(a.ID), f.createAccount(b.ID)
		f.createAccount(a.ID, func(acc *account.Account) { acc.AccountID = "" })

		tests := []struct {
			name  string
			acc   account.Account
			key   string // empty: free
			value string // checked when set
		}{
			{name: "Free", acc: f.newAccount(a.ID)},
			{name: "UsernameOfX", acc: f.newAccount(b.ID), key: "username", value: x.Username},
			{name: "AccountIDInOrg", acc: f.newAccount(a.ID), key: "account_id"},
			{name: "AccountIDOfOtherOrg", acc: f.newAccount(b.ID)},
			{name: "UsernameOfY", acc: f.newAccount(a.ID), key: "username", value: y.Username},
			{name: "AccountRecordID", acc: f.newAccount(a.ID), key: "account"},
			{name: "EmptyAccountID", acc: f.newAccount(a.ID)},
			{name: "AlsoFree", acc: f.newAccount(b.ID)},
		}
		// Usernames clash across organizations, Account IDs within one only,
		// and an empty Account ID with nothing.
		tests[1].acc.Username = x.Username
		tests[2].acc.AccountID = x.AccountID
		tests[3].acc.AccountID = x.AccountID
		tests[4].acc.Username = y.Username
		tests[5].acc.ID = x.ID
		tests[6].acc.AccountID = ""

		as := make([]account.Account, len(tests))
		for i, tt := range tests {
			as[i] = tt.acc
		}
		// The answer follows the order of the question, whichever it is.
		reversed := slices.Clone(as)
		slices.Reverse(reversed)
		forward, backward := conflicts(f, as), conflicts(f, reversed)
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				for _, err := range []error{forward[i], backward[len(tests)-1-i]} {
					if tt.key == "" {
						require.NoError(t, err)
						continue
					}
					requireUnique(t, err, tt.key)
					if tt.value != "" {
						var ue *multiline.UniqueError
						require.ErrorAs(t, err, &ue)
						assert.Equal(t, tt.value, ue.Value)
					}
				}
			})
		}
	})

	t.Run("StoredOnly", func(t *testing.T) {
		// Accounts of the question that clash with each other, but with
		// nothing stored, are free: CreateAccounts reports such clashes.
		f := newFixture(t, newStore)
		a, b := f.createOrg(""), f.createOrg("")
		p, q, r, s := f.newAccount(a.ID), f.newAccount(b.ID), f.newAccount(a.ID), f.newAccount(a.ID)
		q.Username = p.Username
		s.AccountID = r.AccountID
		for i, err := range conflicts(f, []account.Account{p, q, r, s}) {
			assert.NoError(t, err, "account %d", i)
		}
	})

	t.Run("OwnWrites", func(t *testing.T) {
		f := newFixture(t, newStore)
		o := f.createOrg("")
		y, z := f.newAccount(o.ID), f.newAccount(o.ID)
		dupY, dupZ := f.newAccount(o.ID), f.newAccount(o.ID)
		dupY.Username, dupZ.AccountID = y.Username, z.AccountID
		errs := get(f, func(ctx context.Context, tx multiline.Tx) ([]error, error) {
			if err := tx.CreateAccount(ctx, y); err != nil {
				return nil, err
			}
			if err := tx.CreateAccounts(ctx, []account.Account{z}); err != nil {
				return nil, err
			}
			return tx.AccountConflicts(ctx, []account.Account{f.newAccount(o.ID), dupY, dupZ})
		})
		require.Len(t, errs, 3)
		assert.NoError(t, errs[0])
		requireUnique(t, errs[1], "username")
		requireUnique(t, errs[2], "account_id")
	})

	t.Run("Deleted", func(t *testing.T) {
		// A deleted account's keys are free, whether it was deleted by a
		// committed transaction or earlier in the same one.
		f := newFixture(t, newStore)
		a, b := f.createOrg(""), f.createOrg("")
		x, w := f.createAccount(a.ID), f.createAccount(a.ID)
		f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.DeleteAccount(ctx, x.ID) })
		dupX := f.newAccount(b.ID)
		dupX.Username = x.Username
		dupW := f.newAccount(b.ID)
		dupW.Username = w.Username
		errs := get(f, func(ctx context.Context, tx multiline.Tx) ([]error, error) {
			if err := tx.DeleteAccount(ctx, w.ID); err != nil {
				return nil, err
			}
			return tx.AccountConflicts(ctx, []account.Account{x, dupX, w, dupW})
		})
		require.Len(t, errs, 4)
		for i, err := range errs {
			assert.NoError(t, err, "account %d", i)
		}
	})
}

// accountKinds are the kinds of account that Capacity tells apart: the
// first two are pending, the others not.
func (f *fixture) accountKinds(o org.ID) []account.Account {
	mods := []func(*account.Account){
		func(*account.Account) {}, // Invited without a number
		func(a *account.Account) { a.Status = account.InvitationFailed },
		func(a *account.Account) { a.Number = f.e164() },
		func(a *account.Account) { a.Status, a.Number = account.Activated, f.e164() },
		func(a *account.Account) { a.Status = account.NotInvited },
		func(a *account.Account) { a.Status, a.SuspendedFrom = account.Suspended, account.Invited },
	}
	as := make([]account.Account, len(mods))
	for i, m := range mods {
		as[i] = f.newAccount(o)
		m(&as[i])
	}
	return as
}

func testCreateAccounts(t *testing.T, newStore func(*testing.T) multiline.Store) {
	f := newFixture(t, newStore)
	// The same accounts go into a one at a time and into b in a group:
	// every read and count must then agree.
	a, b := f.createOrg(""), f.createOrg("")
	f.createNumbers(a.ID, 3)
	f.createNumbers(b.ID, 3)
	one, bulk := f.accountKinds(a.ID), f.accountKinds(b.ID)
	bulk[0].ProfileID, bulk[0].BatchID, bulk[0].Forwarding = "profile-1", "batch-1", "+390612345"
	f.must(func(ctx context.Context, tx multiline.Tx) error {
		for _, acc := range one {
			if err := tx.CreateAccount(ctx, acc); err != nil {
				return err
			}
		}
		return nil
	})
	want := numberpool.Capacity{Available: 3, Pending: 2, Total: 3}
	require.Equal(t, want, f.capacity(a.ID))

	type seen struct {
		accounts []account.Account
		capacity numberpool.Capacity
	}
	// Handed over newest first: the store orders nothing by the slice.
	in := slices.Clone(bulk)
	slices.Reverse(in)
	inTx := get(f, func(ctx context.Context, tx multiline.Tx) (seen, error) {
		if err := tx.CreateAccounts(ctx, in); err != nil {
			return seen{}, err
		}
		var s seen
		for _, acc := range bulk {
			got, err := tx.Account(ctx, acc.ID)
			if err != nil {
				return seen{}, err
			}
			s.accounts = append(s.accounts, got)
		}
		var err error
		s.capacity, err = tx.Capacity(ctx, b.ID)
		return s, err
	})
	assert.Equal(t, bulk, inTx.accounts, "a transaction reads its own write")
	assert.Equal(t, want, inTx.capacity, "the transaction's Capacity does not count its group of accounts as CreateAccount's")

	for _, acc := range bulk {
		assert.Equal(t, acc, get(f, func(ctx context.Context, tx multiline.Tx) (account.Account, error) { return tx.Account(ctx, acc.ID) }))
	}
	assert.Equal(t, bulk, listAll(f, accountsOf(b.ID)))
	assert.Equal(t, want, f.capacity(b.ID), "Capacity does not count a group of accounts as CreateAccount's")

	// The group took its keys.
	dup := f.newAccount(a.ID)
	dup.Username = bulk[1].Username
	requireUnique(t, f.do(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateAccount(ctx, dup) }), "username")
	dup = f.newAccount(b.ID)
	dup.AccountID = bulk[2].AccountID
	requireUnique(t, f.do(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateAccount(ctx, dup) }), "account_id")

	// Deleting and updating them counts as for the others.
	for _, as := range [][]account.Account{one, bulk} {
		f.must(func(ctx context.Context, tx multiline.Tx) error {
			if err := tx.DeleteAccount(ctx, as[0].ID); err != nil {
				return err
			}
			upd := as[1]
			upd.Status, upd.Number = account.Activated, f.e164()
			return tx.UpdateAccount(ctx, upd)
		})
	}
	want.Pending = 0
	assert.Equal(t, want, f.capacity(a.ID))
	assert.Equal(t, want, f.capacity(b.ID))
}

func testCreateInvitations(t *testing.T, newStore func(*testing.T) multiline.Store) {
	f := newFixture(t, newStore)
	a, b := f.createOrg(""), f.createOrg("")
	accs := []account.Account{f.createAccount(a.ID), f.createAccount(a.ID), f.createAccount(b.ID)}
	invs := make([]invite.Invitation, len(accs))
	for i, acc := range accs {
		invs[i] = f.newInvitation(acc)
	}
	// An email invitation: no consent, one retired token, a message.
	invs[1].Channel, invs[1].Destination, invs[1].Consent = invite.Email, "user@example.com", nil
	invs[1].Retired, invs[1].TokenVersion = invs[1].Retired[:1], 2
	invs[1].State, invs[1].Message = invite.Redeemed, invite.MessageID(id())

	in := slices.Clone(invs)
	slices.Reverse(in)
	type seen struct {
		group   []invite.Invitation
		byToken invite.Invitation
	}
	inTx := get(f, func(ctx context.Context, tx multiline.Tx) (seen, error) {
		if err := tx.CreateInvitations(ctx, in); err != nil {
			return seen{}, err
		}
		var s seen
		var err error
		if s.group, err = tx.Invitations(ctx, []account.ID{accs[0].ID, accs[1].ID, accs[2].ID}); err != nil {
			return seen{}, err
		}
		s.byToken, err = tx.InvitationByToken(ctx, invs[2].Retired[1])
		return s, err
	})
	assert.Equal(t, invs, inTx.group, "a transaction reads its own write")
	assert.Equal(t, invs[2], inTx.byToken, "a transaction finds its own invitation by token")

	for _, inv := range invs {
		assert.Equal(t, inv, get(f, func(ctx context.Context, tx multiline.Tx) (invite.Invitation, error) {
			return tx.Invitation(ctx, inv.Account)
		}))
		for _, h := range append([][]byte{inv.TokenHash}, inv.Retired...) {
			assert.Equal(t, inv, get(f, func(ctx context.Context, tx multiline.Tx) (invite.Invitation, error) {
				return tx.InvitationByToken(ctx, h)
			}), "InvitationByToken of an invitation stored in a group")
		}
	}

	// DeleteAccount removes a group's invitation and its tokens as any.
	f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.DeleteAccount(ctx, accs[0].ID) })
	for _, h := range append([][]byte{invs[0].TokenHash}, invs[0].Retired...) {
		_, err := try(f, func(ctx context.Context, tx multiline.Tx) (invite.Invitation, error) {
			return tx.InvitationByToken(ctx, h)
		})
		assert.ErrorIs(t, err, mlerr.ErrNotFound)
	}
}

func testEnqueueAll(t *testing.T, newStore func(*testing.T) multiline.Store) {
	f := newFixture(t, newStore)
	a, b := f.createOrg(""), f.createOrg("")
	ms := []invite.Message{f.newMessage(a.ID), f.newMessage(b.ID), f.newMessage(a.ID), f.newMessage(a.ID)}
	ms[1].Channel, ms[1].Subject, ms[1].HTML = invite.SMS, "", ""
	ms[2].State, ms[2].Attempts, ms[2].LastError = invite.Failed, 2, "smtp: 421 try later"
	ms[2].NextAttempt = at(100000) // not due
	// An administrator's notification: no invitation, account or token.
	ms[3].Kind, ms[3].InvitationID, ms[3].Account, ms[3].TokenVersion, ms[3].Secret = invite.KindAdmin, "", "", 0, ""
	ms[3].HTML = "<p>Hello</p>"
	ids := messageIDs(ms)
	now := at(f.next())

	in := slices.Clone(ms)
	slices.Reverse(in)
	inTx := get(f, func(ctx context.Context, tx multiline.Tx) ([]invite.Message, error) {
		if err := tx.EnqueueAll(ctx, in); err != nil {
			return nil, err
		}
		return tx.MessagesByID(ctx, ids)
	})
	assert.Equal(t, ms, inTx, "a transaction reads its own write")

	for _, m := range ms {
		assert.Equal(t, m, get(f, func(ctx context.Context, tx multiline.Tx) (invite.Message, error) { return tx.Message(ctx, m.ID) }))
	}
	assert.Equal(t, []invite.Message{ms[0], ms[2], ms[3]}, listAll(f, messagesOf(a.ID)))
	assert.Equal(t, []invite.Message{ms[1]}, listAll(f, messagesOf(b.ID)))
	assert.Equal(t, []invite.Message{ms[3], ms[2], ms[0]}, listAll(f, recentMessagesOf(a.ID)), "ListMessages: newest first, whole records, one organization's")
	assert.Equal(t, []invite.Message{ms[1]}, listAll(f, recentMessagesOf(b.ID)))
	due := get(f, func(ctx context.Context, tx multiline.Tx) ([]invite.Message, error) {
		return tx.DueMessages(ctx, now, multiline.MaxPageSize)
	})
	assert.Equal(t, []invite.MessageID{ms[0].ID, ms[1].ID, ms[3].ID}, messageIDs(due))

	// The group took its idempotency keys.
	dup := f.newMessage(a.ID)
	dup.IdempotencyKey = ms[2].IdempotencyKey
	requireUnique(t, f.do(func(ctx context.Context, tx multiline.Tx) error { return tx.Enqueue(ctx, dup) }), "idempotency_key")
}

func testMessagesByID(t *testing.T, newStore func(*testing.T) multiline.Store) {
	t.Run("Stored", func(t *testing.T) {
		f := newFixture(t, newStore)
		a, b := f.createOrg(""), f.createOrg("")
		ms := []invite.Message{f.newMessage(b.ID), f.newMessage(a.ID), f.newMessage(a.ID), f.newMessage(a.ID)}
		ms[1].State, ms[1].Attempts, ms[1].LastError, ms[1].NextAttempt = invite.Failed, 2, "smtp: 421 try later", at(900)
		ms[2].State, ms[2].SentAt, ms[2].Text, ms[2].Secret = invite.Sent, at(901), "", ""
		// Creation times run against the IDs, and the messages are stored
		// newest first: "oldest first" is by ID alone.
		for i := range ms {
			ms[i].Created = at(800 - i)
		}
		f.must(func(ctx context.Context, tx multiline.Tx) error {
			for _, m := range slices.Backward(ms) {
				if err := tx.Enqueue(ctx, m); err != nil {
					return err
				}
			}
			return nil
		})
		missing := f.newMessage(a.ID).ID // never stored

		// Out of order, with a duplicate and a missing ID; ms[2] is stored
		// but not asked for.
		in := []invite.MessageID{ms[3].ID, missing, ms[0].ID, ms[3].ID, ms[1].ID}
		got := get(f, func(ctx context.Context, tx multiline.Tx) ([]invite.Message, error) { return tx.MessagesByID(ctx, in) })
		assert.Equal(t, []invite.Message{ms[0], ms[1], ms[3]}, got)

		only := get(f, func(ctx context.Context, tx multiline.Tx) ([]invite.Message, error) {
			return tx.MessagesByID(ctx, []invite.MessageID{missing})
		})
		assert.Empty(t, only, "messages that are not stored are left out")
	})

	t.Run("OwnWrites", func(t *testing.T) {
		f := newFixture(t, newStore)
		o := f.createOrg("")
		old := f.createMessage(o.ID)
		fresh := f.newMessage(o.ID)
		sent := old
		sent.State, sent.SentAt, sent.Attempts = invite.Sent, at(900), 1
		got := get(f, func(ctx context.Context, tx multiline.Tx) ([]invite.Message, error) {
			if err := tx.Enqueue(ctx, fresh); err != nil {
				return nil, err
			}
			if err := tx.UpdateMessage(ctx, sent); err != nil {
				return nil, err
			}
			return tx.MessagesByID(ctx, []invite.MessageID{fresh.ID, old.ID})
		})
		assert.Equal(t, []invite.Message{sent, fresh}, got, "MessagesByID does not see the transaction's own writes")
	})
}

func testGroupInvitations(t *testing.T, newStore func(*testing.T) multiline.Store) {
	t.Run("Stored", func(t *testing.T) {
		f := newFixture(t, newStore)
		a, b := f.createOrg(""), f.createOrg("")
		accs := []account.Account{
			f.createAccount(a.ID), f.createAccount(a.ID), f.createAccount(a.ID), f.createAccount(a.ID), f.createAccount(b.ID),
		}
		// Invitations are made and stored in the reverse order of their
		// accounts, so that their IDs run against the account IDs: the
		// answer is by account ID. accs[2] has none.
		invs := map[int]invite.Invitation{}
		f.must(func(ctx context.Context, tx multiline.Tx) error {
			for _, i := range []int{4, 3, 1, 0} {
				invs[i] = f.newInvitation(accs[i])
				if i == 3 {
					inv := invs[i]
					inv.Channel, inv.Destination, inv.Consent = invite.Email, "user@example.com", nil
					inv.State, inv.Message, inv.Retired = invite.Redeemed, invite.MessageID(id()), inv.Retired[1:]
					invs[i] = inv
				}
				if err := tx.CreateInvitation(ctx, invs[i]); err != nil {
					return err
				}
			}
			return nil
		})
		ghost := f.newAccount(a.ID).ID // never stored

		in := []account.ID{accs[4].ID, accs[2].ID, accs[0].ID, accs[4].ID, ghost, accs[3].ID}
		got := get(f, func(ctx context.Context, tx multiline.Tx) ([]invite.Invitation, error) {
			return tx.Invitations(ctx, in)
		})
		assert.Equal(t, []invite.Invitation{invs[0], invs[3], invs[4]}, got)

		only := get(f, func(ctx context.Context, tx multiline.Tx) ([]invite.Invitation, error) {
			return tx.Invitations(ctx, []account.ID{accs[2].ID, ghost})
		})
		assert.Empty(t, only, "accounts without an invitation are left out")
	})

	t.Run("OwnWrites", func(t *testing.T) {
		f := newFixture(t, newStore)
		o := f.createOrg("")
		x, y, z := f.createAccount(o.ID), f.createAccount(o.ID), f.createAccount(o.ID)
		invX, invY, invZ := f.newInvitation(x), f.newInvitation(y), f.newInvitation(z)
		f.must(func(ctx context.Context, tx multiline.Tx) error {
			if err := tx.CreateInvitation(ctx, invX); err != nil {
				return err
			}
			return tx.CreateInvitation(ctx, invZ)
		})
		rotated := invX
		rotated.Retired = append(slices.Clone(invX.Retired), invX.TokenHash)
		rotated.TokenHash, rotated.TokenVersion, rotated.Updated = invite.HashToken("rotated"), invX.TokenVersion+1, at(900)
		got := get(f, func(ctx context.Context, tx multiline.Tx) ([]invite.Invitation, error) {
			if err := tx.CreateInvitation(ctx, invY); err != nil {
				return nil, err
			}
			if err := tx.UpdateInvitation(ctx, rotated); err != nil {
				return nil, err
			}
			if err := tx.DeleteAccount(ctx, z.ID); err != nil {
				return nil, err
			}
			return tx.Invitations(ctx, []account.ID{z.ID, y.ID, x.ID})
		})
		assert.Equal(t, []invite.Invitation{rotated, invY}, got, "Invitations does not see the transaction's own writes")
	})
}

// testGroupEmpty checks that every group call takes an empty or nil slice:
// the reads find nothing, the writes write nothing, and none fails.
func testGroupEmpty(t *testing.T, newStore func(*testing.T) multiline.Store) {
	f := newFixture(t, newStore)
	o := f.createOrg("")
	f.createNumbers(o.ID, 1)
	x := f.createAccount(o.ID)
	inv := f.newInvitation(x)
	f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateInvitation(ctx, inv) })
	m := f.createMessage(o.ID)
	before := f.snap(o.ID)

	calls := []struct {
		name string
		// call passes an empty slice (empty) or nil, and returns how many
		// results it got.
		call func(ctx context.Context, tx multiline.Tx, empty bool) (int, error)
	}{
		{"Numbers", func(ctx context.Context, tx multiline.Tx, empty bool) (int, error) {
			r, err := tx.Numbers(ctx, emptyOrNil[string](empty))
			return len(r), err
		}},
		{"AccountConflicts", func(ctx context.Context, tx multiline.Tx, empty bool) (int, error) {
			r, err := tx.AccountConflicts(ctx, emptyOrNil[account.Account](empty))
			return len(r), err
		}},
		{"CreateAccounts", func(ctx context.Context, tx multiline.Tx, empty bool) (int, error) {
			return 0, tx.CreateAccounts(ctx, emptyOrNil[account.Account](empty))
		}},
		{"CreateInvitations", func(ctx context.Context, tx multiline.Tx, empty bool) (int, error) {
			return 0, tx.CreateInvitations(ctx, emptyOrNil[invite.Invitation](empty))
		}},
		{"EnqueueAll", func(ctx context.Context, tx multiline.Tx, empty bool) (int, error) {
			return 0, tx.EnqueueAll(ctx, emptyOrNil[invite.Message](empty))
		}},
		{"MessagesByID", func(ctx context.Context, tx multiline.Tx, empty bool) (int, error) {
			r, err := tx.MessagesByID(ctx, emptyOrNil[invite.MessageID](empty))
			return len(r), err
		}},
		{"Invitations", func(ctx context.Context, tx multiline.Tx, empty bool) (int, error) {
			r, err := tx.Invitations(ctx, emptyOrNil[account.ID](empty))
			return len(r), err
		}},
		{"SwapDeliveries", func(ctx context.Context, tx multiline.Tx, empty bool) (int, error) {
			r, err := tx.SwapDeliveries(ctx, emptyOrNil[invite.Message](empty), emptyOrNil[invite.Message](empty))
			return len(r), err
		}},
	}
	for _, c := range calls {
		for _, empty := range []bool{false, true} {
			name := c.name + "/Nil"
			if empty {
				name = c.name + "/Empty"
			}
			t.Run(name, func(t *testing.T) {
				f := f.with(t)
				// The transaction goes on after the call, and reads what it
				// holds: an empty write must not break or defer anything.
				n := get(f, func(ctx context.Context, tx multiline.Tx) (int, error) {
					n, err := c.call(ctx, tx, empty)
					if err != nil {
						return 0, err
					}
					_, err = tx.Message(ctx, m.ID)
					return n, err
				})
				assert.Zero(t, n)
			})
		}
	}
	assert.Equal(t, before, f.snap(o.ID), "an empty group call changed the store")
	assert.Equal(t, inv, get(f, func(ctx context.Context, tx multiline.Tx) (invite.Invitation, error) { return tx.Invitation(ctx, x.ID) }))
}

// emptyOrNil returns an empty slice or a nil one.
func emptyOrNil[T any](empty bool) []T {
	if empty {
		return []T{}
	}
	return nil
}

// testGroupConflicts checks a group write whose slice holds a taken key,
// taken by a stored record or by another record of the slice. The store may
// report it from the call, from a later call of the transaction or from the
// commit, so the transaction reads one record more after the call and
// returns the first error: Tx must return a *UniqueError naming the key,
// and afterwards none of the slice's records is stored (not even those
// before the clash), none of their keys is taken, and what was stored
// before is as it was.
func testGroupConflicts(t *testing.T, newStore func(*testing.T) multiline.Store) {
	type write = func(context.Context, multiline.Tx) error
	tests := []struct {
		name string
		key  string
		// setup stores what is there before the transaction and returns the
		// group call and a check of what the slice left behind.
		setup func(f *fixture, a, b org.ID) (call write, check func())
	}{
		{"Accounts/StoredUsername", "username", func(f *fixture, a, b org.ID) (write, func()) {
			x := f.createAccount(a)
			dup := f.newAccount(b)
			dup.Username = x.Username
			as := []account.Account{f.newAccount(a), f.newAccount(b), dup, f.newAccount(a)}
			return createAccounts(as), func() { f.requireNoAccounts(as, dup) }
		}},
		{"Accounts/StoredAccountID", "account_id", func(f *fixture, a, b org.ID) (write, func()) {
			x := f.createAccount(a)
			dup := f.newAccount(a)
			dup.AccountID = x.AccountID
			as := []account.Account{f.newAccount(a), dup, f.newAccount(a)}
			return createAccounts(as), func() { f.requireNoAccounts(as, dup) }
		}},
		{"Accounts/StoredID", "account", func(f *fixture, a, b org.ID) (write, func()) {
			x := f.createAccount(a)
			dup := f.newAccount(a)
			dup.ID = x.ID
			as := []account.Account{f.newAccount(a), dup}
			return createAccounts(as), func() { f.requireNoAccounts(as[:1], account.Account{}) }
		}},
		{"Accounts/UsernameInSlice", "username", func(f *fixture, a, b org.ID) (write, func()) {
			f.createAccount(a)
			p, q := f.newAccount(a), f.newAccount(b)
			q.Username = p.Username
			as := []account.Account{f.newAccount(b), p, q, f.newAccount(a)}
			return createAccounts(as), func() { f.requireNoAccounts(as, q) }
		}},
		{"Accounts/AccountIDInSlice", "account_id", func(f *fixture, a, b org.ID) (write, func()) {
			f.createAccount(a)
			p, q := f.newAccount(a), f.newAccount(a)
			q.AccountID = p.AccountID
			as := []account.Account{f.newAccount(a), p, q}
			return createAccounts(as), func() { f.requireNoAccounts(as, q) }
		}},
		{"Invitations/Stored", "invitation", func(f *fixture, a, b org.ID) (write, func()) {
			x, y, z := f.createAccount(a), f.createAccount(a), f.createAccount(b)
			stored := f.newInvitation(x)
			f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateInvitation(ctx, stored) })
			dup := f.newInvitation(x)
			invs := []invite.Invitation{f.newInvitation(y), dup, f.newInvitation(z)}
			return createInvitations(invs), func() { f.requireNoInvitations(invs, dup, stored) }
		}},
		{"Invitations/InSlice", "invitation", func(f *fixture, a, b org.ID) (write, func()) {
			y, z := f.createAccount(a), f.createAccount(b)
			dup := f.newInvitation(y)
			invs := []invite.Invitation{f.newInvitation(z), f.newInvitation(y), dup}
			return createInvitations(invs), func() { f.requireNoInvitations(invs, dup, invite.Invitation{}) }
		}},
		{"Messages/StoredKey", "idempotency_key", func(f *fixture, a, b org.ID) (write, func()) {
			m := f.createMessage(a)
			dup := f.newMessage(b)
			dup.IdempotencyKey = m.IdempotencyKey
			ms := []invite.Message{f.newMessage(a), f.newMessage(b), dup, f.newMessage(a)}
			return enqueueAll(ms), func() { f.requireNoMessages(ms, dup) }
		}},
		{"Messages/KeyInSlice", "idempotency_key", func(f *fixture, a, b org.ID) (write, func()) {
			f.createMessage(a)
			p, q := f.newMessage(a), f.newMessage(a)
			q.IdempotencyKey = p.IdempotencyKey
			ms := []invite.Message{f.newMessage(b), p, q}
			return enqueueAll(ms), func() { f.requireNoMessages(ms, q) }
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, newStore)
			a, b := f.createOrg(""), f.createOrg("")
			f.createNumbers(a.ID, 2) // so that Capacity has something to weigh
			call, check := tt.setup(f, a.ID, b.ID)
			before := f.snap(a.ID, b.ID)
			// The transaction writes something of its own before the call:
			// it must not be kept either.
			ev := f.newEvent(a.ID, "account.created", "group")
			err := f.do(func(ctx context.Context, tx multiline.Tx) error {
				if err := tx.AppendAudit(ctx, ev); err != nil {
					return err
				}
				if err := call(ctx, tx); err != nil {
					return err
				}
				_, err := tx.Org(ctx, a.ID)
				return err
			})
			requireUnique(t, err, tt.key)
			assert.Equal(t, before, f.snap(a.ID, b.ID), "the failed transaction left a trace")
			check()

			// A caller that ignores the answer cannot commit either: the
			// transaction does not commit with part of its writes.
			err = f.do(func(ctx context.Context, tx multiline.Tx) error {
				if err := tx.AppendAudit(ctx, ev); err != nil {
					return err
				}
				_ = call(ctx, tx)
				return nil
			})
			requireUnique(t, err, tt.key)
			assert.Equal(t, before, f.snap(a.ID, b.ID), "a transaction committed after a group conflict it ignored")
			check()
		})
	}
}

func createAccounts(as []account.Account) func(context.Context, multiline.Tx) error {
	return func(ctx context.Context, tx multiline.Tx) error { return tx.CreateAccounts(ctx, as) }
}

func createInvitations(invs []invite.Invitation) func(context.Context, multiline.Tx) error {
	return func(ctx context.Context, tx multiline.Tx) error { return tx.CreateInvitations(ctx, invs) }
}

func enqueueAll(ms []invite.Message) func(context.Context, multiline.Tx) error {
	return func(ctx context.Context, tx multiline.Tx) error { return tx.EnqueueAll(ctx, ms) }
}

// requireNoAccounts checks that none of as is stored and that all but
// clash (the account whose key was taken) could be stored now: their keys
// were not left taken.
func (f *fixture) requireNoAccounts(as []account.Account, clash account.Account) {
	f.t.Helper()
	var fine []account.Account
	for _, acc := range as {
		if acc.ID == clash.ID && acc.Username == clash.Username {
			continue
		}
		fine = append(fine, acc)
		_, err := try(f, func(ctx context.Context, tx multiline.Tx) (account.Account, error) { return tx.Account(ctx, acc.ID) })
		assert.ErrorIs(f.t, err, mlerr.ErrNotFound, "account %s of the failed group was stored", acc.ID)
	}
	f.fits(func(ctx context.Context, tx multiline.Tx) error {
		for _, acc := range fine {
			if err := tx.CreateAccount(ctx, acc); err != nil {
				return err
			}
		}
		return nil
	})
}

// requireNoInvitations checks that none of invs is stored or found by its
// tokens, that all but clash could be stored now, and that stored, when
// set, is as it was.
func (f *fixture) requireNoInvitations(invs []invite.Invitation, clash, stored invite.Invitation) {
	f.t.Helper()
	var fine []invite.Invitation
	for _, inv := range invs {
		for _, h := range append([][]byte{inv.TokenHash}, inv.Retired...) {
			_, err := try(f, func(ctx context.Context, tx multiline.Tx) (invite.Invitation, error) {
				return tx.InvitationByToken(ctx, h)
			})
			assert.ErrorIs(f.t, err, mlerr.ErrNotFound, "a token of invitation %s of the failed group was stored", inv.ID)
		}
		if inv.ID == clash.ID || inv.Account == stored.Account {
			continue
		}
		fine = append(fine, inv)
		_, err := try(f, func(ctx context.Context, tx multiline.Tx) (invite.Invitation, error) {
			return tx.Invitation(ctx, inv.Account)
		})
		assert.ErrorIs(f.t, err, mlerr.ErrNotFound, "invitation %s of the failed group was stored", inv.ID)
	}
	if stored.ID != "" {
		assert.Equal(f.t, stored, get(f, func(ctx context.Context, tx multiline.Tx) (invite.Invitation, error) {
			return tx.Invitation(ctx, stored.Account)
		}))
		assert.Equal(f.t, stored, get(f, func(ctx context.Context, tx multiline.Tx) (invite.Invitation, error) {
			return tx.InvitationByToken(ctx, stored.TokenHash)
		}))
	}
	f.fits(func(ctx context.Context, tx multiline.Tx) error {
		for _, inv := range fine {
			if err := tx.CreateInvitation(ctx, inv); err != nil {
				return err
			}
		}
		return nil
	})
}

// requireNoMessages checks that none of ms is stored and that all but
// clash could be stored now.
func (f *fixture) requireNoMessages(ms []invite.Message, clash invite.Message) {
	f.t.Helper()
	var fine []invite.Message
	for _, m := range ms {
		_, err := try(f, func(ctx context.Context, tx multiline.Tx) (invite.Message, error) { return tx.Message(ctx, m.ID) })
		assert.ErrorIs(f.t, err, mlerr.ErrNotFound, "message %s of the failed group was stored", m.ID)
		if m.ID != clash.ID {
			fine = append(fine, m)
		}
	}
	f.fits(func(ctx context.Context, tx multiline.Tx) error {
		for _, m := range fine {
			if err := tx.Enqueue(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
}

// testGroupLocks checks that the group reads lock what they return, as
// Number, Message and Invitation do (see ReadModifyWrite in
// testConcurrency): each transaction reads two records through the group
// call, changes both and writes them back, and no change is lost.
func testGroupLocks(t *testing.T, newStore func(*testing.T) multiline.Store) {
	const workers = 16
	tests := []struct {
		name string
		// setup stores two records; bump is one transaction's change to
		// both; count reads how many changes each holds.
		setup func(f *fixture) (bump func(context.Context, multiline.Tx) error, count func() []int)
	}{
		{"Numbers", func(f *fixture) (func(context.Context, multiline.Tx) error, func() []int) {
			// A number's Tag grows by one letter per change.
			ns := f.createNumbers(f.createOrg("").ID, 2)
			in := []string{ns[1].E164, ns[0].E164}
			bump := func(ctx context.Context, tx multiline.Tx) error {
				got, err := tx.Numbers(ctx, in)
				if err != nil {
					return err
				}
				if len(got) != len(in) {
					return fmt.Errorf("Numbers returned %d numbers of %d", len(got), len(in))
				}
				pause()
				for _, n := range got {
					n.Tag += "X"
					if err := tx.UpdateNumber(ctx, n); err != nil {
						return err
					}
				}
				return nil
			}
			count := func() []int { return []int{len(f.number(ns[0].E164).Tag), len(f.number(ns[1].E164).Tag)} }
			return bump, count
		}},
		{"MessagesByID", func(f *fixture) (func(context.Context, multiline.Tx) error, func() []int) {
			o := f.createOrg("").ID
			ms := []invite.Message{f.createMessage(o), f.createMessage(o)}
			in := []invite.MessageID{ms[1].ID, ms[0].ID}
			bump := func(ctx context.Context, tx multiline.Tx) error {
				got, err := tx.MessagesByID(ctx, in)
				if err != nil {
					return err
				}
				if len(got) != len(in) {
					return fmt.Errorf("MessagesByID returned %d messages of %d", len(got), len(in))
				}
				pause()
				for _, m := range got {
					m.Attempts++
					if err := tx.UpdateMessage(ctx, m); err != nil {
						return err
					}
				}
				return nil
			}
			count := func() []int {
				out := make([]int, len(ms))
				for i, m := range ms {
					out[i] = get(f, func(ctx context.Context, tx multiline.Tx) (invite.Message, error) { return tx.Message(ctx, m.ID) }).Attempts
				}
				return out
			}
			return bump, count
		}},
		{"Invitations", func(f *fixture) (func(context.Context, multiline.Tx) error, func() []int) {
			o := f.createOrg("").ID
			accs := []account.Account{f.createAccount(o), f.createAccount(o)}
			f.must(func(ctx context.Context, tx multiline.Tx) error {
				for _, acc := range accs {
					inv := f.newInvitation(acc)
					inv.TokenVersion = 0
					if err := tx.CreateInvitation(ctx, inv); err != nil {
						return err
					}
				}
				return nil
			})
			in := []account.ID{accs[1].ID, accs[0].ID}
			bump := func(ctx context.Context, tx multiline.Tx) error {
				got, err := tx.Invitations(ctx, in)
				if err != nil {
					return err
				}
				if len(got) != len(in) {
					return fmt.Errorf("Invitations returned %d invitations of %d", len(got), len(in))
				}
				pause()
				for _, inv := range got {
					inv.TokenVersion++
					if err := tx.UpdateInvitation(ctx, inv); err != nil {
						return err
					}
				}
				return nil
			}
			count := func() []int {
				out := make([]int, len(accs))
				for i, acc := range accs {
					out[i] = get(f, func(ctx context.Context, tx multiline.Tx) (invite.Invitation, error) {
						return tx.Invitation(ctx, acc.ID)
					}).TokenVersion
				}
				return out
			}
			return bump, count
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, newStore)
			bump, count := tt.setup(f)
			bumpConcurrently(t, f, workers, bump)
			assert.Equal(t, []int{workers, workers}, count(), "updates were lost")
		})
	}
}

// testGroupCopies checks that the group calls share no memory with their
// callers: changing a slice handed to a group write, or the records in it,
// even before the transaction commits, changes nothing stored; changing
// what a group read returned changes nothing stored; and no call changes
// the caller's slice (by sorting it in place, say).
func testGroupCopies(t *testing.T, newStore func(*testing.T) multiline.Store) {
	t.Run("CreateAccounts", func(t *testing.T) {
		f := newFixture(t, newStore)
		o := f.createOrg("")
		as := []account.Account{f.newAccount(o.ID), f.newAccount(o.ID)}
		want := make([]account.Account, len(as))
		for i, acc := range as {
			want[i] = acc
			want[i].Applications = slices.Clone(acc.Applications)
			want[i].Features = slices.Clone(acc.Features)
		}
		other := f.newAccount(o.ID)
		f.must(func(ctx context.Context, tx multiline.Tx) error {
			if err := tx.CreateAccounts(ctx, as); err != nil {
				return err
			}
			as[0].Applications[0], as[0].Features[0], as[0].FirstName = "scribbled", "scribbled", "Scribbled"
			as[1] = other
			return nil
		})
		assert.Equal(t, want, listAll(f, accountsOf(o.ID)), "changing the slice passed to CreateAccounts changed the store")
	})

	t.Run("CreateInvitations", func(t *testing.T) {
		f := newFixture(t, newStore)
		o := f.createOrg("")
		x, y, z := f.createAccount(o.ID), f.createAccount(o.ID), f.createAccount(o.ID)
		invs := []invite.Invitation{f.newInvitation(x), f.newInvitation(y)}
		want := make([]invite.Invitation, len(invs))
		for i, inv := range invs {
			want[i] = cloneInvitation(inv)
		}
		other := f.newInvitation(z)
		f.must(func(ctx context.Context, tx multiline.Tx) error {
			if err := tx.CreateInvitations(ctx, invs); err != nil {
				return err
			}
			scribbleInvitation(&invs[0])
			invs[1] = other
			return nil
		})
		got := get(f, func(ctx context.Context, tx multiline.Tx) ([]invite.Invitation, error) {
			return tx.Invitations(ctx, []account.ID{x.ID, y.ID, z.ID})
		})
		assert.Equal(t, want, got, "changing the slice passed to CreateInvitations changed the store")
		for _, inv := range want {
			assert.Equal(t, inv, get(f, func(ctx context.Context, tx multiline.Tx) (invite.Invitation, error) {
				return tx.InvitationByToken(ctx, inv.Retired[0])
			}))
		}

		// Changing what Invitations returned changes nothing stored.
		for i := range got {
			scribbleInvitation(&got[i])
		}
		assert.Equal(t, want, get(f, func(ctx context.Context, tx multiline.Tx) ([]invite.Invitation, error) {
			return tx.Invitations(ctx, []account.ID{x.ID, y.ID})
		}), "changing the invitations returned by Invitations changed the store")
	})

	t.Run("EnqueueAll", func(t *testing.T) {
		f := newFixture(t, newStore)
		o := f.createOrg("")
		ms := []invite.Message{f.newMessage(o.ID), f.newMessage(o.ID)}
		want := slices.Clone(ms)
		other := f.newMessage(o.ID)
		f.must(func(ctx context.Context, tx multiline.Tx) error {
			if err := tx.EnqueueAll(ctx, ms); err != nil {
				return err
			}
			ms[0].To, ms[0].Text = "scribbled@example.com", "scribbled"
			ms[1] = other
			return nil
		})
		assert.Equal(t, want, listAll(f, messagesOf(o.ID)), "changing the slice passed to EnqueueAll changed the store")
	})

	t.Run("InputsUnchanged", func(t *testing.T) {
		f := newFixture(t, newStore)
		o := f.createOrg("")
		ns := f.createNumbers(o.ID, 3)
		x, y := f.createAccount(o.ID), f.createAccount(o.ID)
		f.must(func(ctx context.Context, tx multiline.Tx) error {
			if err := tx.CreateInvitation(ctx, f.newInvitation(x)); err != nil {
				return err
			}
			return tx.CreateInvitation(ctx, f.newInvitation(y))
		})
		m0, m1 := f.createMessage(o.ID), f.createMessage(o.ID)
		u, v := f.createAccount(o.ID), f.createAccount(o.ID)
		// Every slice is handed over out of order, and the reads' with a
		// duplicate, so that a store that sorts or compacts in place
		// changes it. The writes' records are made here, newest first.
		newAccounts := []account.Account{f.newAccount(o.ID), f.newAccount(o.ID)}
		slices.Reverse(newAccounts)
		newInvitations := []invite.Invitation{f.newInvitation(u), f.newInvitation(v)}
		slices.Reverse(newInvitations)
		newMessages := []invite.Message{f.newMessage(o.ID), f.newMessage(o.ID)}
		slices.Reverse(newMessages)
		conflicting := []account.Account{f.newAccount(o.ID), x}

		tests := []inputCase{
			unchanged("Numbers", []string{ns[2].E164, ns[0].E164, ns[2].E164, ns[1].E164},
				func(ctx context.Context, tx multiline.Tx, in []string) error {
					_, err := tx.Numbers(ctx, in)
					return err
				}),
			unchanged("MessagesByID", []invite.MessageID{m1.ID, m0.ID, m1.ID},
				func(ctx context.Context, tx multiline.Tx, in []invite.MessageID) error {
					_, err := tx.MessagesByID(ctx, in)
					return err
				}),
			unchanged("Invitations", []account.ID{y.ID, x.ID, y.ID},
				func(ctx context.Context, tx multiline.Tx, in []account.ID) error {
					_, err := tx.Invitations(ctx, in)
					return err
				}),
			unchanged("AccountConflicts", conflicting,
				func(ctx context.Context, tx multiline.Tx, in []account.Account) error {
					_, err := tx.AccountConflicts(ctx, in)
					return err
				}),
			unchanged("CreateAccounts", newAccounts,
				func(ctx context.Context, tx multiline.Tx, in []account.Account) error {
					return tx.CreateAccounts(ctx, in)
				}),
			unchanged("CreateInvitations", newInvitations,
				func(ctx context.Context, tx multiline.Tx, in []invite.Invitation) error {
					return tx.CreateInvitations(ctx, in)
				}),
			unchanged("EnqueueAll", newMessages,
				func(ctx context.Context, tx multiline.Tx, in []invite.Message) error { return tx.EnqueueAll(ctx, in) }),
			// The messages swapped, newest first, as they stand and as
			// they are to be.
			unchanged("SwapDeliveries/Was", []invite.Message{m1, m0},
				func(ctx context.Context, tx multiline.Tx, in []invite.Message) error {
					_, err := tx.SwapDeliveries(ctx, in, []invite.Message{sentAt(m1, at(900)), sentAt(m0, at(900))})
					return err
				}),
			unchanged("SwapDeliveries/Set", []invite.Message{sentAt(m1, at(901)), sentAt(m0, at(901))},
				func(ctx context.Context, tx multiline.Tx, in []invite.Message) error {
					_, err := tx.SwapDeliveries(ctx, []invite.Message{m1, m0}, in)
					return err
				}),
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := f.with(t)
				f.must(tt.call)
				assert.True(t, tt.same(), "the call changed the caller's slice")
			})
		}
	})
}

// inputCase is a case of InputsUnchanged: call hands a slice to a group
// call, and same reports whether the slice is as it was.
type inputCase struct {
	name string
	call func(context.Context, multiline.Tx) error
	same func() bool
}

// unchanged makes a case of InputsUnchanged: call passes in to a group
// call, and same reports whether in is still what it was.
func unchanged[T any](name string, in []T, call func(context.Context, multiline.Tx, []T) error) inputCase {
	// The records' own slices are copied and compared too.
	was := deepCopy(in)
	return inputCase{
		name: name,
		call: func(ctx context.Context, tx multiline.Tx) error { return call(ctx, tx, in) },
		same: func() bool { return assert.ObjectsAreEqual(was, in) },
	}
}

// deepCopy copies a slice of the records the group calls take, with the
// slices the records hold.
func deepCopy[T any](in []T) []T {
	out := slices.Clone(in)
	for i := range out {
		switch r := any(&out[i]).(type) {
		case *account.Account:
			r.Applications, r.Features = slices.Clone(r.Applications), slices.Clone(r.Features)
		case *invite.Invitation:
			*r = cloneInvitation(*r)
		}
	}
	return out
}

// cloneInvitation copies an invitation with its token hashes and consent.
func cloneInvitation(inv invite.Invitation) invite.Invitation {
	inv.TokenHash = slices.Clone(inv.TokenHash)
	inv.Retired = slices.Clone(inv.Retired)
	for i, h := range inv.Retired {
		inv.Retired[i] = slices.Clone(h)
	}
	if inv.Consent != nil {
		c := *inv.Consent
		inv.Consent = &c
	}
	return inv
}

// scribbleInvitation overwrites, in place, what an invitation holds by
// reference.
func scribbleInvitation(inv *invite.Invitation) {
	inv.TokenHash[0]++
	inv.Retired[0][0]++
	inv.Retired[1] = nil
	if inv.Consent != nil {
		inv.Consent.AdminID = "scribbled"
	}
}

package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// testUnique checks every unique key: a taken key is a *UniqueError naming
// it that wraps mlerr.ErrAlreadyExists, whether it was taken by a committed
// transaction or earlier in the same one, and the refused write leaves the
// record that holds the key as it was.
func testUnique(t *testing.T, newStore func(*testing.T) multiline.Store) {
	t.Run("Username", func(t *testing.T) {
		f := newFixture(t, newStore)
		a, b := f.createOrg(""), f.createOrg("")
		x := f.createAccount(a.ID)

		// Usernames are unique across the whole system, not per organization.
		for _, o := range []org.Org{a, b} {
			dup := f.newAccount(o.ID)
			dup.Username = x.Username
			err := f.do(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateAccount(ctx, dup) })
			requireUnique(t, err, "username")
			_, err = try(f, func(ctx context.Context, tx multiline.Tx) (account.Account, error) { return tx.Account(ctx, dup.ID) })
			require.ErrorIs(t, err, mlerr.ErrNotFound, "a refused account was stored")
		}

		// Within one transaction, the first write takes the key.
		y, z := f.newAccount(b.ID), f.newAccount(a.ID)
		z.Username = y.Username
		err := f.do(func(ctx context.Context, tx multiline.Tx) error {
			if err := tx.CreateAccount(ctx, y); err != nil {
				return err
			}
			return tx.CreateAccount(ctx, z)
		})
		requireUnique(t, err, "username")
	})

	t.Run("AccountID", func(t *testing.T) {
		f := newFixture(t, newStore)
		a, b := f.createOrg(""), f.createOrg("")
		x := f.createAccount(a.ID)

		dup := f.newAccount(a.ID)
		dup.AccountID = x.AccountID
		err := f.do(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateAccount(ctx, dup) })
		requireUnique(t, err, "account_id")

		// An Account ID is unique within its organization only.
		f.createAccount(b.ID, func(acc *account.Account) { acc.AccountID = x.AccountID })
		assert.Len(t, listAll(f, accountsOf(a.ID)), 1)
		assert.Len(t, listAll(f, accountsOf(b.ID)), 1)
	})

	t.Run("EmptyAccountID", func(t *testing.T) {
		// A CSV row may leave the Account ID empty (account.CSVRow): an empty
		// Account ID is no Account ID, and does not clash with another.
		f := newFixture(t, newStore)
		a := f.createOrg("")
		noID := func(acc *account.Account) { acc.AccountID = "" }
		f.createAccount(a.ID, noID)
		f.createAccount(a.ID, noID)
		assert.Len(t, listAll(f, accountsOf(a.ID)), 2)
	})

	t.Run("Number", func(t *testing.T) {
		f := newFixture(t, newStore)
		a, b := f.createOrg(""), f.createOrg("")
		n := f.createNumbers(a.ID, 1)[0]

		// A number belongs to at most one organization.
		for _, o := range []org.Org{a, b} {
			dup := numberpool.Number{E164: n.E164, OrgID: o.ID, State: numberpool.Reserved, Tag: "DUP"}
			err := f.do(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateNumber(ctx, dup) })
			requireUnique(t, err, "number")
		}
		assert.Equal(t, n, f.number(n.E164))
		assert.Empty(t, listAll(f, numbersOf(b.ID)))
	})

	t.Run("DefaultProfile", func(t *testing.T) {
		f := newFixture(t, newStore)
		a, b := f.createOrg(""), f.createOrg("")
		def := f.newProfile(a.ID, true)
		f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateProfile(ctx, def) })

		second := f.newProfile(a.ID, true)
		err := f.do(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateProfile(ctx, second) })
		requireUnique(t, err, "default_profile")

		// Other profiles of the organization, and the default of another
		// organization, are fine.
		other, otherDef := f.newProfile(a.ID, false), f.newProfile(b.ID, true)
		f.must(func(ctx context.Context, tx multiline.Tx) error {
			if err := tx.CreateProfile(ctx, other); err != nil {
				return err
			}
			return tx.CreateProfile(ctx, otherDef)
		})
		got := get(f, func(ctx context.Context, tx multiline.Tx) ([]permissions.Profile, error) {
			return tx.Profiles(ctx, []org.ID{a.ID, b.ID})
		})
		assert.ElementsMatch(t, []permissions.Profile{def, other, otherDef}, got)
	})

	t.Run("AdminEmail", func(t *testing.T) {
		f := newFixture(t, newStore)
		x := f.newAdmin()
		f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateAdmin(ctx, x) })
		dup := f.newAdmin()
		dup.Email = x.Email
		err := f.do(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateAdmin(ctx, dup) })
		requireUnique(t, err, "admin_email")
		_, err = try(f, func(ctx context.Context, tx multiline.Tx) (permissions.Admin, error) { return tx.Admin(ctx, dup.ID) })
		require.ErrorIs(t, err, mlerr.ErrNotFound, "a refused admin was stored")
	})

	t.Run("IdempotencyKey", func(t *testing.T) {
		f := newFixture(t, newStore)
		a, b := f.createOrg(""), f.createOrg("")
		m := f.createMessage(a.ID)
		dup := f.newMessage(b.ID)
		dup.IdempotencyKey = m.IdempotencyKey
		err := f.do(func(ctx context.Context, tx multiline.Tx) error { return tx.Enqueue(ctx, dup) })
		// store.go names no key for it; "idempotency_key" follows the naming
		// of the keys it does name.
		requireUnique(t, err, "idempotency_key")
		_, err = try(f, func(ctx context.Context, tx multiline.Tx) (invite.Message, error) { return tx.Message(ctx, dup.ID) })
		require.ErrorIs(t, err, mlerr.ErrNotFound, "a refused message was stored")
	})

	// A record whose ID is taken is refused like any other taken key; the
	// contract names no key for IDs.
	t.Run("IDs", func(t *testing.T) {
		f := newFixture(t, newStore)
		o := f.createOrg("")
		acc := f.createAccount(o.ID)
		adm := f.newAdmin()
		prof := f.newProfile(o.ID, false)
		msg := f.createMessage(o.ID)
		ev := f.newEvent(o.ID, "account.created", string(acc.ID))
		f.must(func(ctx context.Context, tx multiline.Tx) error {
			if err := tx.CreateAdmin(ctx, adm); err != nil {
				return err
			}
			if err := tx.CreateProfile(ctx, prof); err != nil {
				return err
			}
			return tx.AppendAudit(ctx, ev)
		})
		tests := []struct {
			name string
			fn   func(context.Context, multiline.Tx) error
		}{
			{"Org", func(ctx context.Context, tx multiline.Tx) error {
				dup := f.newOrg("")
				dup.ID = o.ID
				return tx.CreateOrg(ctx, dup)
			}},
			{"Account", func(ctx context.Context, tx multiline.Tx) error {
				dup := f.newAccount(o.ID) // a fresh username and Account ID
				dup.ID = acc.ID
				return tx.CreateAccount(ctx, dup)
			}},
			{"Admin", func(ctx context.Context, tx multiline.Tx) error {
				dup := f.newAdmin()
				dup.ID = adm.ID
				return tx.CreateAdmin(ctx, dup)
			}},
			{"Profile", func(ctx context.Context, tx multiline.Tx) error {
				dup := f.newProfile(o.ID, false)
				dup.ID = prof.ID
				return tx.CreateProfile(ctx, dup)
			}},
			{"Message", func(ctx context.Context, tx multiline.Tx) error {
				dup := f.newMessage(o.ID) // a fresh idempotency key
				dup.ID = msg.ID
				return tx.Enqueue(ctx, dup)
			}},
			{"AuditEvent", func(ctx context.Context, tx multiline.Tx) error {
				dup := f.newEvent(o.ID, "account.invited", string(acc.ID))
				dup.ID = ev.ID
				return tx.AppendAudit(ctx, dup)
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := f.with(t)
				requireUnique(t, f.do(tt.fn), "")
			})
		}
		assert.Equal(t, o, get(f, func(ctx context.Context, tx multiline.Tx) (org.Org, error) { return tx.Org(ctx, o.ID) }))
		assert.Equal(t, acc, get(f, func(ctx context.Context, tx multiline.Tx) (account.Account, error) { return tx.Account(ctx, acc.ID) }))
		assert.Equal(t, msg, get(f, func(ctx context.Context, tx multiline.Tx) (invite.Message, error) { return tx.Message(ctx, msg.ID) }))
		assert.Len(t, listAll(f, auditOf(o.ID)), 1)
	})

	t.Run("UpdateAccount", testUpdateAccountKeys(newStore))
}

// testUpdateAccountKeys checks that UpdateAccount applies the unique keys
// of CreateAccount, lets an account keep its own keys, and frees the keys an
// account gives up.
func testUpdateAccountKeys(newStore func(*testing.T) multiline.Store) func(*testing.T) {
	return func(t *testing.T) {
		f := newFixture(t, newStore)
		a, b := f.createOrg(""), f.createOrg("")
		x, y := f.createAccount(a.ID), f.createAccount(a.ID)
		read := func(id account.ID) account.Account {
			return get(f, func(ctx context.Context, tx multiline.Tx) (account.Account, error) { return tx.Account(ctx, id) })
		}
		update := func(acc account.Account) error {
			return f.do(func(ctx context.Context, tx multiline.Tx) error { return tx.UpdateAccount(ctx, acc) })
		}

		// Keeping its own keys is no clash.
		x.FirstName = "Grace"
		require.NoError(t, update(x))
		require.Equal(t, x, read(x.ID))

		// Taking another account's keys is.
		taken := y
		taken.Username = x.Username
		requireUnique(t, update(taken), "username")
		taken = y
		taken.AccountID = x.AccountID
		requireUnique(t, update(taken), "account_id")
		require.Equal(t, y, read(y.ID), "a refused update changed the account")

		// Giving a key up frees it; the new one is taken.
		oldUsername, oldAccountID := y.Username, y.AccountID
		y.Username, y.AccountID = "renamed@example.com", "E-RENAMED"
		require.NoError(t, update(y))
		require.Equal(t, y, read(y.ID))
		f.fits(func(ctx context.Context, tx multiline.Tx) error {
			z := f.newAccount(a.ID)
			z.Username, z.AccountID = oldUsername, oldAccountID
			return tx.CreateAccount(ctx, z)
		})
		clash := f.newAccount(b.ID)
		clash.Username = y.Username
		requireUnique(t, f.do(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateAccount(ctx, clash) }), "username")
		clash = f.newAccount(a.ID)
		clash.AccountID = y.AccountID
		requireUnique(t, f.do(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateAccount(ctx, clash) }), "account_id")

		// Moving to another organization checks the Account ID there and
		// frees it in the organization left.
		moved := y
		moved.OrgID = b.ID
		moved.AccountID = f.createAccount(b.ID).AccountID
		requireUnique(t, update(moved), "account_id")
		moved.AccountID = y.AccountID
		require.NoError(t, update(moved))
		f.fits(func(ctx context.Context, tx multiline.Tx) error {
			z := f.newAccount(a.ID)
			z.AccountID = y.AccountID
			return tx.CreateAccount(ctx, z)
		})
		clash = f.newAccount(b.ID)
		clash.AccountID = y.AccountID
		requireUnique(t, f.do(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateAccount(ctx, clash) }), "account_id")
		assert.Equal(t, []account.ID{x.ID}, accountIDs(listAll(f, accountsOf(a.ID))))
		assert.Contains(t, accountIDs(listAll(f, accountsOf(b.ID))), y.ID)
	}
}

func accountIDs(as []account.Account) []account.ID {
	out := make([]account.ID, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

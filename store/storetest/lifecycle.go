package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
)

// testDeleteAccount checks that DeleteAccount removes an account and its
// invitation from every read, list and count, and frees its unique keys and
// its tokens; other accounts are untouched.
func testDeleteAccount(t *testing.T, newStore func(*testing.T) multiline.Store) {
	f := newFixture(t, newStore)
	o := f.createOrg("")
	f.createNumbers(o.ID, 3)
	gone, kept := f.createAccount(o.ID), f.createAccount(o.ID)
	invGone, invKept := f.newInvitation(gone), f.newInvitation(kept)
	f.must(func(ctx context.Context, tx multiline.Tx) error {
		if err := tx.CreateInvitation(ctx, invGone); err != nil {
			return err
		}
		return tx.CreateInvitation(ctx, invKept)
	})
	require.Equal(t, numberpool.Capacity{Available: 3, Pending: 2, Total: 3}, f.capacity(o.ID))

	f.must(func(ctx context.Context, tx multiline.Tx) error {
		if err := tx.DeleteAccount(ctx, gone.ID); err != nil {
			return err
		}
		// The transaction sees its own delete.
		_, err := tx.Account(ctx, gone.ID)
		if !errors.Is(err, mlerr.ErrNotFound) {
			return fmt.Errorf("%w: Account after DeleteAccount in the same transaction: %v", errSeen, err)
		}
		return nil
	})

	_, err := try(f, func(ctx context.Context, tx multiline.Tx) (account.Account, error) { return tx.Account(ctx, gone.ID) })
	assert.ErrorIs(t, err, mlerr.ErrNotFound, "Account")
	_, err = try(f, func(ctx context.Context, tx multiline.Tx) (invite.Invitation, error) {
		return tx.Invitation(ctx, gone.ID)
	})
	assert.ErrorIs(t, err, mlerr.ErrNotFound, "Invitation")
	for _, h := range append([][]byte{invGone.TokenHash}, invGone.Retired...) {
		_, err = try(f, func(ctx context.Context, tx multiline.Tx) (invite.Invitation, error) {
			return tx.InvitationByToken(ctx, h)
		})
		assert.ErrorIs(t, err, mlerr.ErrNotFound, "InvitationByToken")
	}
	assert.Equal(t, []account.Account{kept}, listAll(f, accountsOf(o.ID)))
	assert.Equal(t, numberpool.Capacity{Available: 3, Pending: 1, Total: 3}, f.capacity(o.ID))
	assert.Equal(t, invKept, get(f, func(ctx context.Context, tx multiline.Tx) (invite.Invitation, error) {
		return tx.InvitationByToken(ctx, invKept.TokenHash)
	}))

	// Its username and Account ID are free again; deleting it again finds
	// nothing.
	f.fits(func(ctx context.Context, tx multiline.Tx) error {
		z := f.newAccount(o.ID)
		z.Username, z.AccountID = gone.Username, gone.AccountID
		return tx.CreateAccount(ctx, z)
	})
	err = f.do(func(ctx context.Context, tx multiline.Tx) error { return tx.DeleteAccount(ctx, gone.ID) })
	assert.ErrorIs(t, err, mlerr.ErrNotFound)

	// An account without an invitation is deleted too.
	lone := f.createAccount(o.ID)
	f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.DeleteAccount(ctx, lone.ID) })
	assert.Equal(t, []account.Account{kept}, listAll(f, accountsOf(o.ID)))
}

// testInvitationByToken checks that an invitation is found by the hash of
// its current token and of each retired one, that a rotation is seen at
// once, and that a hash the invitation no longer holds finds nothing.
func testInvitationByToken(t *testing.T, newStore func(*testing.T) multiline.Store) {
	f := newFixture(t, newStore)
	o := f.createOrg("")
	a, b := f.createAccount(o.ID), f.createAccount(o.ID)
	inv, other := f.newInvitation(a), f.newInvitation(b)
	f.must(func(ctx context.Context, tx multiline.Tx) error {
		if err := tx.CreateInvitation(ctx, inv); err != nil {
			return err
		}
		return tx.CreateInvitation(ctx, other)
	})
	byToken := func(h []byte) (invite.Invitation, error) {
		return try(f, func(ctx context.Context, tx multiline.Tx) (invite.Invitation, error) {
			return tx.InvitationByToken(ctx, h)
		})
	}
	requireFound := func(want invite.Invitation, h []byte) {
		t.Helper()
		got, err := byToken(h)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	for _, h := range append([][]byte{inv.TokenHash}, inv.Retired...) {
		requireFound(inv, h)
	}
	requireFound(other, other.TokenHash)

	// A resend rotates the token: the new hash is found in the same
	// transaction and after; the old one is retired and still found.
	rotated := inv
	rotated.Retired = append(append([][]byte(nil), inv.Retired...), inv.TokenHash)
	rotated.TokenHash, rotated.TokenVersion = invite.HashToken("rotated-token"), inv.TokenVersion+1
	f.must(func(ctx context.Context, tx multiline.Tx) error {
		if err := tx.UpdateInvitation(ctx, rotated); err != nil {
			return err
		}
		got, err := tx.InvitationByToken(ctx, rotated.TokenHash)
		if err != nil || got.TokenVersion != rotated.TokenVersion {
			return fmt.Errorf("%w: InvitationByToken after a rotation in the same transaction: %v", errSeen, err)
		}
		return nil
	})
	for _, h := range append([][]byte{rotated.TokenHash}, rotated.Retired...) {
		requireFound(rotated, h)
	}

	// A hash dropped from the retired list (an invitation remembers only its
	// last few) finds nothing any more.
	trimmed := rotated
	trimmed.Retired = trimmed.Retired[1:]
	f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.UpdateInvitation(ctx, trimmed) })
	_, err := byToken(rotated.Retired[0])
	assert.ErrorIs(t, err, mlerr.ErrNotFound)
	requireFound(trimmed, trimmed.TokenHash)
	requireFound(other, other.TokenHash)

	// A rotation in a failed transaction leaves the token as it was.
	lost := trimmed
	lost.Retired = append(append([][]byte(nil), trimmed.Retired...), trimmed.TokenHash)
	lost.TokenHash = invite.HashToken("lost-token")
	err = f.do(func(ctx context.Context, tx multiline.Tx) error {
		if err := tx.UpdateInvitation(ctx, lost); err != nil {
			return err
		}
		return errRollback
	})
	require.ErrorIs(t, err, errRollback)
	_, err = byToken(lost.TokenHash)
	assert.ErrorIs(t, err, mlerr.ErrNotFound)
	requireFound(trimmed, trimmed.TokenHash)
}

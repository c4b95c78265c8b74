package multiline_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
)

// A move onto an Account ID the destination uses already is the move's
// refusal, naming the account, with a code: not the store's bare
// *UniqueError (issue 11, defect 9).
func TestMoveOntoTakenAccountID(t *testing.T) {
	f := newFixture(t)
	moving, err := f.svc.Save(ctx, f.root, f.sales.ID, input("dup"))
	require.NoError(t, err)
	other := input("dup")
	other.Email = "other@acme.example"
	_, err = f.svc.Save(ctx, f.root, f.support.ID, other)
	require.NoError(t, err)

	before := f.snapshot(t)
	for _, op := range []struct {
		name string
		move func() (multiline.MovePlan, error)
	}{
		{"CanMove", func() (multiline.MovePlan, error) {
			return f.svc.CanMove(ctx, f.root, []account.ID{moving.ID}, f.support.ID, multiline.MoveOptions{})
		}},
		{"Move", func() (multiline.MovePlan, error) {
			return f.svc.Move(ctx, f.root, []account.ID{moving.ID}, f.support.ID, multiline.MoveOptions{})
		}},
	} {
		t.Run(op.name, func(t *testing.T) {
			_, err := op.move()
			var me *multiline.MoveError
			require.ErrorAs(t, err, &me)
			assert.Equal(t, moving.ID, me.Account)
			assert.Equal(t, multiline.CodeMoveAccountIDTaken, mlerr.CodeOf(err))
			assert.Contains(t, me.Message, `Account ID "dup"`)
			assert.Contains(t, me.Message, "Support")
			assert.ErrorIs(t, err, mlerr.ErrAlreadyExists)
			var u *multiline.UniqueError
			assert.False(t, errorsAs(err, &u), "the store's error stays inside")
		})
	}
	assert.Equal(t, before, f.snapshot(t), "a refused move changes nothing")
}

// TestMoveErrorCodes: every refusal of a move carries a code.
func TestMoveErrorCodes(t *testing.T) {
	f := newFixture(t)
	a, err := f.svc.Save(ctx, f.root, f.sales.ID, input("a"))
	require.NoError(t, err)
	for _, tt := range []struct {
		ids  []account.ID
		code string
	}{
		{nil, account.CodeSelectionRequired},
		{[]account.ID{a.ID, a.ID}, account.CodeSelectionDuplicate},
		{[]account.ID{a.ID}, org.CodeMoveSameOrg}, // already in Sales
	} {
		_, err := f.svc.Move(ctx, f.root, tt.ids, f.sales.ID, multiline.MoveOptions{})
		assert.Equal(t, tt.code, mlerr.CodeOf(err), "%v", err)
	}
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }

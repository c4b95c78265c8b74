package postgres_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
)

// TestMoveOntoTakenAccountID: on PostgreSQL too, a move onto an Account ID
// the destination uses already is the move's refusal naming the account,
// with a code, and changes nothing (issue 11, defect 9).
func TestMoveOntoTakenAccountID(t *testing.T) {
	in := newInstance(t, newSchema(t), 2)
	tr := newTree(t, in, 0, 0, 0, 0)
	ctx, root := t.Context(), tr.acme.Admin.ID
	newInput := func(email string) account.Input {
		return account.Input{FirstName: "Dup", LastName: "Licate", AccountID: "dup",
			Applications: []org.Application{org.AppMobile}, Email: email}
	}
	moving, err := in.svc.Save(ctx, root, tr.sales.ID, newInput("dup@acme.example"))
	require.NoError(t, err)
	_, err = in.svc.Save(ctx, root, tr.support.ID, newInput("other@acme.example"))
	require.NoError(t, err)

	for _, move := range []func() (multiline.MovePlan, error){
		func() (multiline.MovePlan, error) {
			return in.svc.CanMove(ctx, root, []account.ID{moving.ID}, tr.support.ID, multiline.MoveOptions{})
		},
		func() (multiline.MovePlan, error) {
			return in.svc.Move(ctx, root, []account.ID{moving.ID}, tr.support.ID, multiline.MoveOptions{})
		},
	} {
		_, err := move()
		var me *multiline.MoveError
		require.ErrorAs(t, err, &me)
		assert.Equal(t, moving.ID, me.Account)
		assert.Equal(t, multiline.MoveCodeAccountIDTaken, mlerr.CodeOf(err))
		assert.ErrorIs(t, err, mlerr.ErrAlreadyExists)
	}
	got, err := in.svc.Account(ctx, root, moving.ID)
	require.NoError(t, err)
	assert.Equal(t, tr.sales.ID, got.OrgID, "the refused move left the account where it was")
}

package invite_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
)

func TestWithdraw(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	a := emailAccount()
	inv, tok, err := invite.New(a, invite.Params{ID: "i1", Now: now})
	require.NoError(t, err)
	w := inv.Withdraw(now.Add(time.Minute))
	assert.Equal(t, invite.Withdrawn, w.State)
	assert.Equal(t, now.Add(time.Minute), w.Updated)
	assert.Equal(t, invite.Pending, inv.State, "Withdraw returns a copy")

	cases := []struct {
		name string
		inv  invite.Invitation
		tok  invite.Token
		want error
	}{
		{"the withdrawn token", w, tok, invite.ErrTokenWithdrawn},
		{"another token says nothing of the invitation", w, "x", invite.ErrTokenUnknown},
		{"a pending one still works", inv, tok, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.inv.Check(c.tok, now.Add(time.Hour))
			if c.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, c.want)
		})
	}
	assert.Equal(t, "invitation.withdrawn", mlerr.CodeOf(invite.ErrTokenWithdrawn))

	// A resend of the Not Invited account gives it a fresh token; the
	// withdrawn one is then a replaced link.
	a.Status = account.NotInvited
	r, tok2, err := w.Rotate(a, invite.Params{ID: "i1", Now: now.Add(2 * time.Hour)})
	require.NoError(t, err)
	assert.Equal(t, invite.Pending, r.State)
	require.NoError(t, r.Check(tok2, now.Add(3*time.Hour)))
	require.ErrorIs(t, r.Check(tok, now.Add(3*time.Hour)), invite.ErrTokenRotated)
}

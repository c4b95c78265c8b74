package invite_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
)

func TestBackoff(t *testing.T) {
	for n, want := range map[int]time.Duration{
		1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute, 8: time.Hour, 1000: time.Hour,
	} {
		assert.Equal(t, want, invite.Backoff(30*time.Second, time.Hour, n), n)
	}
	assert.Equal(t, 5*time.Second, invite.Backoff(10*time.Second, 5*time.Second, 1))
}

func TestAwaits(t *testing.T) {
	inv := invite.Invitation{Message: "m1", State: invite.Pending}
	assert.True(t, inv.Awaits(invite.Message{ID: "m1"}))
	assert.False(t, inv.Awaits(invite.Message{ID: "m0"}))
	inv.State = invite.Redeemed
	assert.False(t, inv.Awaits(invite.Message{ID: "m1"}))
}

func TestAccountStatusAfter(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    invite.Message
		st   account.Status
		to   account.Status
		ok   bool
	}{
		{"sent after failures", invite.Message{State: invite.Sent, Attempts: 6}, account.InvitationFailed, account.Invited, true},
		{"sent", invite.Message{State: invite.Sent, Attempts: 1}, account.Invited, account.Invited, false},
		{"failed, attempts left", invite.Message{State: invite.Failed, Attempts: 4}, account.Invited, account.Invited, false},
		{"failed the last time", invite.Message{State: invite.Failed, Attempts: 5}, account.Invited, account.InvitationFailed, true},
		{"abandoned", invite.Message{State: invite.Abandoned, Attempts: 7}, account.Invited, account.InvitationFailed, true},
		{"failed again", invite.Message{State: invite.Failed, Attempts: 6}, account.InvitationFailed, account.InvitationFailed, false},
		{"suspended meanwhile", invite.Message{State: invite.Failed, Attempts: 5}, account.Suspended, account.Suspended, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			to, ok := invite.AccountStatusAfter(tc.m, tc.st, 5)
			assert.Equal(t, tc.to, to)
			assert.Equal(t, tc.ok, ok)
		})
	}
}

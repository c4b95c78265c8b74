package invite_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/invite"
)

func TestMessageStateMachine(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	secret := "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	base := invite.Message{ID: "m1", Kind: invite.KindInvitation, Text: "link " + secret, HTML: "<a>" + secret + "</a>",
		Secret: secret, State: invite.Queued, NextAttempt: t0}
	retry := invite.Retry{Wait: time.Minute, MaxAttempts: 2, Expires: t0.Add(time.Hour)}
	in := func(s invite.MessageState, attempts int) invite.Message {
		m := base
		m.State, m.Attempts = s, attempts
		return m
	}

	type step func(invite.Message) (invite.Message, error)
	cancel := invite.Message.Cancel
	lease := func(m invite.Message) (invite.Message, error) { return m.Lease(t0.Add(time.Minute)) }
	delivered := func(m invite.Message) (invite.Message, error) { return m.Delivered(t0) }
	failed := func(m invite.Message) (invite.Message, error) { return m.Undelivered(t0, "421 busy: "+secret, retry) }

	t.Run("final states never change", func(t *testing.T) {
		for _, s := range []invite.MessageState{invite.Sent, invite.Cancelled, invite.Abandoned} {
			assert.True(t, s.Final(), s)
			for name, f := range map[string]step{"cancel": cancel, "lease": lease, "delivered": delivered, "failed": failed} {
				m := in(s, 3)
				got, err := f(m)
				require.ErrorIs(t, err, invite.ErrFinal, "%s on %s", name, s)
				assert.Equal(t, m, got, "%s on %s changed the message", name, s)
			}
			assert.False(t, in(s, 1).Due(t0), "a %s message is never due", s)
		}
		for _, s := range []invite.MessageState{invite.Queued, invite.Failed} {
			assert.False(t, s.Final(), s)
		}
	})

	t.Run("cancel", func(t *testing.T) {
		for _, s := range []invite.MessageState{invite.Queued, invite.Failed} {
			got, err := in(s, 1).Cancel()
			require.NoError(t, err)
			assert.Equal(t, invite.Cancelled, got.State)
			assert.Equal(t, 1, got.Attempts)
		}
	})

	t.Run("lease", func(t *testing.T) {
		got, err := lease(in(invite.Queued, 0))
		require.NoError(t, err)
		assert.Equal(t, t0.Add(time.Minute), got.NextAttempt)
		assert.False(t, got.Due(t0), "a leased message is not due")
		assert.True(t, got.Due(t0.Add(time.Minute)), "due again once the lease runs out")
	})

	t.Run("delivered drops the body", func(t *testing.T) {
		got, err := delivered(in(invite.Failed, 2))
		require.NoError(t, err)
		assert.Equal(t, invite.Sent, got.State)
		assert.Equal(t, 3, got.Attempts)
		assert.Equal(t, t0, got.SentAt)
		assert.Empty(t, got.Text+got.HTML+got.Secret+got.LastError)
		assert.True(t, got.NextAttempt.IsZero())
	})

	t.Run("failed", func(t *testing.T) {
		tests := []struct {
			name     string
			m        invite.Message
			r        invite.Retry
			want     invite.MessageState
			attempts int
		}{
			{name: "invitation retried", m: in(invite.Queued, 0), r: retry, want: invite.Failed, attempts: 1},
			{name: "invitation retried past MaxAttempts while its link lives", m: in(invite.Failed, 4), r: retry, want: invite.Failed, attempts: 5},
			{name: "invitation whose next attempt comes at expiry", m: in(invite.Failed, 1), r: invite.Retry{Wait: time.Hour, MaxAttempts: 5, Expires: t0.Add(time.Hour)}, want: invite.Abandoned, attempts: 2},
			{name: "admin notification retried", m: invite.Message{Kind: invite.KindAdmin, Secret: secret, State: invite.Queued}, r: retry, want: invite.Failed, attempts: 1},
			{name: "admin notification abandoned after MaxAttempts", m: invite.Message{Kind: invite.KindAdmin, Secret: secret, State: invite.Failed, Attempts: 1}, r: retry, want: invite.Abandoned, attempts: 2},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := tt.m.Undelivered(t0, "421 busy: "+secret, tt.r)
				require.NoError(t, err)
				assert.Equal(t, tt.want, got.State)
				assert.Equal(t, tt.attempts, got.Attempts)
				if tt.want == invite.Failed {
					assert.Equal(t, t0.Add(tt.r.Wait), got.NextAttempt)
					assert.True(t, got.Due(got.NextAttempt))
					assert.False(t, got.Due(got.NextAttempt.Add(-time.Microsecond)))
				} else {
					assert.False(t, got.Due(t0.Add(24*time.Hour)))
				}
				assert.NotContains(t, got.LastError, secret, "the last error keeps no link")
				assert.Contains(t, got.LastError, "421 busy")
			})
		}
	})

	t.Run("last error bounded on a character boundary", func(t *testing.T) {
		got, err := in(invite.Queued, 0).Undelivered(t0, strings.Repeat("é", invite.MaxErrorLen), retry)
		require.NoError(t, err)
		assert.LessOrEqual(t, len(got.LastError), invite.MaxErrorLen)
		assert.True(t, strings.HasPrefix(strings.Repeat("é", invite.MaxErrorLen), got.LastError))
		assert.NotEmpty(t, got.LastError)
	})
}

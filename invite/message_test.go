package invite_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
)

func TestRedact(t *testing.T) {
	const secret = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	tests := []struct {
		name   string
		secret string
		in     string
		want   string
	}{
		{name: "every occurrence", secret: secret, in: "link https://x.example/a/" + secret + " and again " + secret, want: "link https://x.example/a/abcd… and again abcd…"},
		{name: "no occurrence", secret: secret, in: "nothing to hide", want: "nothing to hide"},
		{name: "part of the secret is not the secret", secret: secret, in: secret[:20], want: secret[:20]},
		{name: "no secret", secret: "", in: "text", want: "text"},
		{name: "secret too short to shorten", secret: "abc1234", in: "x abc1234 y", want: "x abc1234 y"},
		{name: "eight characters", secret: "abcd1234", in: "x abcd1234 y", want: "x abcd… y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := invite.Message{Secret: tt.secret}
			got := m.Redact(tt.in)
			assert.Equal(t, tt.want, got)
			if len(tt.secret) >= 8 {
				assert.NotContains(t, got, tt.secret)
			}
		})
	}
}

// TestInvitationMessage checks the message an invitation queues, rendered
// with the built-in English texts: the envelope (kind, addresses, token,
// idempotency key, state, times) and where its values appear.
func TestInvitationMessage(t *testing.T) {
	tok, _, err := invite.NewToken(bytes.NewReader(seq(32)))
	require.NoError(t, err)
	link := "https://activate.example/i/" + string(tok)
	expires := time.Date(2026, 3, 8, 9, 30, 0, 0, time.UTC)

	withNumber := emailAccount()
	withNumber.Number = "+14155550199"

	tests := []struct {
		name        string
		a           account.Account
		channel     invite.Channel
		dest        string
		wantSubject string
		wantIn      []string
		wantNotIn   []string
	}{
		{
			name: "email with a number", a: withNumber, channel: invite.Email, dest: "Ann@Example.com",
			wantSubject: "Acme Corp invites you to MultiLine",
			wantIn:      []string{"Hello Ann,", "Acme Corp", "+14155550199", link, "8 March 2026, 09:30 UTC"},
		},
		{
			name: "email without a number", a: emailAccount(), channel: invite.Email, dest: "Ann@Example.com",
			wantSubject: "Acme Corp invites you to MultiLine",
			wantIn:      []string{"Hello Ann,", link, "You will choose your MultiLine number"},
			wantNotIn:   []string{"Your MultiLine number:"},
		},
		{
			name: "email without names",
			a: func() account.Account {
				a := emailAccount()
				a.FirstName, a.LastName = "", ""
				return a
			}(),
			channel: invite.Email, dest: "Ann@Example.com",
			wantSubject: "Acme Corp invites you to MultiLine",
			wantIn:      []string{link},
			wantNotIn:   []string{"Hello Ann,"},
		},
		{
			name: "email with first name only",
			a: func() account.Account {
				a := emailAccount()
				a.LastName = ""
				return a
			}(),
			channel: invite.Email, dest: "Ann@Example.com",
			wantSubject: "Acme Corp invites you to MultiLine",
			wantIn:      []string{"Hello Ann,", link},
		},
		{
			name: "SMS",
			a: func() account.Account {
				a := smsAccount()
				a.Number = "+14155550199"
				return a
			}(),
			channel: invite.SMS, dest: "+14155550102",
			wantIn: []string{"Acme Corp", "+14155550199", link},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := invite.Invitation{
				ID: "inv-1", Account: tt.a.ID, OrgID: "sales", Channel: tt.channel, Destination: tt.dest,
				TokenVersion: 3, ExpiresAt: expires, State: invite.Pending, Created: now, Updated: now.Add(time.Minute),
			}
			m := invite.DefaultTemplates().InvitationMessage(inv, tt.a, "en", invite.ValuesFor(tt.a, inv, "Acme Corp", link), tok)
			assert.Equal(t, invite.KindInvitation, m.Kind)
			assert.Equal(t, tt.channel, m.Channel)
			assert.Equal(t, tt.dest, m.To)
			assert.Equal(t, inv.OrgID, m.OrgID)
			assert.Equal(t, inv.ID, m.InvitationID)
			assert.Equal(t, 3, m.TokenVersion)
			assert.Equal(t, invite.IdempotencyKey("inv-1", 3), m.IdempotencyKey)
			assert.Equal(t, string(tok), m.Secret)
			assert.Equal(t, invite.Queued, m.State)
			assert.Zero(t, m.Attempts)
			assert.Equal(t, inv.Updated, m.Created)
			assert.Equal(t, inv.Updated, m.NextAttempt, "due at once")
			assert.Equal(t, tt.wantSubject, m.Subject)
			for _, s := range tt.wantIn {
				assert.Contains(t, m.Text, s)
			}
			for _, s := range tt.wantNotIn {
				assert.NotContains(t, m.Text, s)
			}
			// The link carries the token; a log of the text must not.
			assert.Contains(t, m.Text, string(tok))
			assert.NotContains(t, m.Redact(m.Text), string(tok))
		})
	}
}

// An expiry in another time zone is shown in UTC.
func TestInvitationMessageExpiryInUTC(t *testing.T) {
	rome := time.FixedZone("CET", 3600)
	inv := invite.Invitation{ID: "inv-1", Channel: invite.SMS, Destination: "+14155550102", TokenVersion: 1,
		ExpiresAt: time.Date(2026, 3, 8, 10, 30, 0, 0, rome)}
	v := invite.ValuesFor(smsAccount(), inv, "Acme", "https://a.example/x")
	assert.Equal(t, time.Date(2026, 3, 8, 9, 30, 0, 0, time.UTC), v.Expires)
	assert.Equal(t, time.UTC, v.Expires.Location())
}

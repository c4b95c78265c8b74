package invite_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/org"
)

var now = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

// seq returns n bytes 0, 1, 2, ...: a deterministic token source.
func seq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

func emailAccount() account.Account {
	return account.Account{
		ID: "acc-1", OrgID: "sales", FirstName: "Ann", LastName: "Smith",
		Email: "Ann@Example.com", Device: "+14155550101", Username: "ann@example.com",
		Status: account.NotInvited,
	}
}

func smsAccount() account.Account {
	return account.Account{
		ID: "acc-2", OrgID: "sales", FirstName: "Bob", LastName: "Jones",
		Device: "+14155550102", Username: "+14155550102", Status: account.NotInvited,
	}
}

func TestChannelFor(t *testing.T) {
	assert.Equal(t, invite.Email, invite.ChannelFor(emailAccount()), "email when there is one, even with a device")
	assert.Equal(t, invite.SMS, invite.ChannelFor(smsAccount()))
}

func TestNewEmail(t *testing.T) {
	a := emailAccount()
	inv, tok, err := invite.New(a, invite.Params{
		ID: "inv-1", Now: now, TTL: 48 * time.Hour, Rand: bytes.NewReader(seq(32)),
		// Consent is for SMS; an email invitation does not record it.
		Consent: &invite.Consent{AdminID: "admin-1"},
	})
	require.NoError(t, err)
	assert.Equal(t, invite.Invitation{
		ID: "inv-1", Account: "acc-1", OrgID: "sales", Channel: invite.Email,
		Destination: "Ann@Example.com", TokenHash: invite.HashToken(tok), TokenVersion: 1,
		ExpiresAt: now.Add(48 * time.Hour), State: invite.Pending, Created: now, Updated: now,
	}, inv)
	assert.Equal(t, invite.Token(base64.RawURLEncoding.EncodeToString(seq(32))), tok, "the token is the reader's 32 bytes in base64url")
	assert.True(t, inv.Verify(tok))
}

func TestNewSMS(t *testing.T) {
	consentAt := now.Add(-time.Minute)
	tests := []struct {
		name    string
		consent *invite.Consent
		want    *invite.Consent
	}{
		{
			name:    "default disclaimer and time",
			consent: &invite.Consent{AdminID: "admin-1"},
			want:    &invite.Consent{AdminID: "admin-1", At: now, Disclaimer: invite.DefaultDisclaimer},
		},
		{
			name:    "host's disclaimer and time",
			consent: &invite.Consent{AdminID: "admin-1", At: consentAt, Disclaimer: "Consent collected on paper form 7."},
			want:    &invite.Consent{AdminID: "admin-1", At: consentAt, Disclaimer: "Consent collected on paper form 7."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, tok, err := invite.New(smsAccount(), invite.Params{ID: "inv-2", Now: now, TTL: time.Hour, Consent: tt.consent})
			require.NoError(t, err)
			assert.Equal(t, invite.SMS, inv.Channel)
			assert.Equal(t, "+14155550102", inv.Destination)
			assert.Equal(t, account.ID("acc-2"), inv.Account)
			assert.Equal(t, now.Add(time.Hour), inv.ExpiresAt)
			require.NotNil(t, inv.Consent)
			assert.Equal(t, tt.want, inv.Consent)
			assert.NotSame(t, tt.consent, inv.Consent, "the invitation keeps its own copy")
			assert.True(t, inv.Verify(tok))

			// Changing the caller's consent afterwards changes nothing stored.
			tt.consent.AdminID = "someone-else"
			assert.Equal(t, "admin-1", inv.Consent.AdminID)
		})
	}
}

func TestNewSMSWithoutConsent(t *testing.T) {
	for name, c := range map[string]*invite.Consent{
		"no consent":          nil,
		"consent of no admin": {Disclaimer: "yes", At: now},
	} {
		t.Run(name, func(t *testing.T) {
			r := bytes.NewReader(seq(64))
			inv, tok, err := invite.New(smsAccount(), invite.Params{ID: "inv-2", Now: now, TTL: time.Hour, Consent: c, Rand: r})
			require.Error(t, err)
			assert.ErrorIs(t, err, invite.ErrConsentRequired)
			assert.Zero(t, inv, "nothing created")
			assert.Empty(t, tok)
			assert.Equal(t, 64, r.Len(), "no token drawn for a refused invitation")
		})
	}
}

func TestNewStatuses(t *testing.T) {
	tests := []struct {
		status account.Status
		ok     bool
	}{
		{account.NotInvited, true},
		{account.Invited, true}, // resend
		{account.InvitationFailed, true},
		{account.Activated, false},
		{account.Suspended, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			for _, a := range []account.Account{emailAccount(), smsAccount()} {
				a.Status = tt.status
				inv, tok, err := invite.New(a, invite.Params{ID: "inv-3", Now: now, TTL: time.Hour, Consent: &invite.Consent{AdminID: "admin-1"}})
				if tt.ok {
					require.NoError(t, err)
					assert.True(t, inv.Verify(tok))
					continue
				}
				require.Error(t, err)
				assert.ErrorIs(t, err, invite.ErrNotInvitable)
				assert.Contains(t, err.Error(), string(tt.status))
				assert.Zero(t, inv)
				assert.Empty(t, tok)
			}
		})
	}
}

func TestNewTTL(t *testing.T) {
	tests := []struct {
		name string
		ttl  time.Duration
		want time.Time
	}{
		{name: "given", ttl: 90 * time.Minute, want: now.Add(90 * time.Minute)},
		{name: "zero: the default 7 days", ttl: 0, want: now.Add(7 * 24 * time.Hour)},
		{name: "negative: the default 7 days", ttl: -time.Hour, want: now.Add(org.DefaultInvitationTTL)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, _, err := invite.New(emailAccount(), invite.Params{ID: "inv-4", Now: now, TTL: tt.ttl})
			require.NoError(t, err)
			assert.Equal(t, tt.want, inv.ExpiresAt)
			assert.True(t, inv.ExpiresAt.After(inv.Created), "an invitation is never born expired")
		})
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestNewTokenFailure(t *testing.T) {
	boom := errors.New("entropy exhausted")
	tests := []struct {
		name string
		r    io.Reader
		is   error
	}{
		{name: "reader fails", r: errReader{boom}, is: boom},
		{name: "reader too short", r: bytes.NewReader(seq(31)), is: io.ErrUnexpectedEOF},
		{name: "reader empty", r: bytes.NewReader(nil), is: io.EOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, hash, err := invite.NewToken(tt.r)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.is)
			assert.Empty(t, tok)
			assert.Nil(t, hash)

			inv, tok, err := invite.New(emailAccount(), invite.Params{ID: "inv-5", Now: now, TTL: time.Hour, Rand: tt.r})
			require.Error(t, err)
			assert.Zero(t, inv)
			assert.Empty(t, tok)
		})
	}
}

func TestNewTokenDeterministic(t *testing.T) {
	r := bytes.NewReader(seq(40))
	tok, hash, err := invite.NewToken(r)
	require.NoError(t, err)
	assert.Equal(t, 8, r.Len(), "draws exactly 32 bytes (256 bits)")
	assert.Equal(t, invite.Token(base64.RawURLEncoding.EncodeToString(seq(32))), tok)
	sum := sha256.Sum256([]byte(tok))
	assert.Equal(t, sum[:], hash, "the stored hash is the SHA-256 of the token")
	assert.Equal(t, invite.HashToken(tok), hash)

	// The same bytes give the same token; other bytes another.
	again, _, err := invite.NewToken(bytes.NewReader(seq(32)))
	require.NoError(t, err)
	assert.Equal(t, tok, again)
	other := seq(32)
	other[31] ^= 1
	diff, _, err := invite.NewToken(bytes.NewReader(other))
	require.NoError(t, err)
	assert.NotEqual(t, tok, diff)
}

func TestNewTokenCryptoRand(t *testing.T) {
	seen := map[invite.Token]bool{}
	for range 16 {
		tok, hash, err := invite.NewToken(nil)
		require.NoError(t, err)
		assert.Len(t, tok, 43)
		assert.False(t, seen[tok], "two tokens from crypto/rand are equal")
		seen[tok] = true
		raw, err := base64.RawURLEncoding.DecodeString(string(tok))
		require.NoError(t, err)
		assert.Len(t, raw, 32)
		assert.Equal(t, invite.HashToken(tok), hash)
		parsed, err := invite.ParseToken(string(tok))
		require.NoError(t, err, "a token issued parses")
		assert.Equal(t, tok, parsed)
	}
}

func TestParseToken(t *testing.T) {
	good := base64.RawURLEncoding.EncodeToString(seq(32))
	allOnes := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0xff}, 32)) // uses - and _
	require.Len(t, good, 43)
	tests := []struct {
		name string
		in   string
		want string // empty: malformed
	}{
		{name: "issued", in: good, want: good},
		{name: "with - and _", in: allOnes, want: allOnes},
		{name: "surrounding spaces of a paste", in: "  " + good + "\n", want: good},
		{name: "empty", in: ""},
		{name: "blank", in: "   "},
		{name: "truncated", in: good[:42]},
		{name: "much shorter", in: good[:22]},
		{name: "over-long", in: good + "A"},
		{name: "two tokens", in: good + good},
		{name: "padded", in: good + "="},
		{name: "padding inside", in: good[:42] + "="},
		{name: "standard alphabet +", in: good[:42] + "+"},
		{name: "standard alphabet /", in: "/" + good[1:]},
		{name: "dot", in: good[:42] + "."},
		{name: "space inside", in: good[:20] + " " + good[21:]},
		{name: "line break inside", in: good[:20] + "\n" + good[21:]},
		{name: "carriage return inside", in: good[:20] + "\r" + good[21:]},
		// 41 characters and a line break decode to 31 bytes when the base64
		// decoder skips the line break.
		{name: "line break before the last character", in: strings.Repeat("A", 41) + "\nA"},
		{name: "non-UTF-8", in: good[:42] + "\xff"},
		{name: "multi-byte rune of the right length", in: good[:41] + "é"},
		{name: "non-zero trailing bits", in: good[:42] + "B"}, // 'A'..'D' differ only in the 2 unused bits
		{name: "URL, not a token", in: "https://x.example/a?t=" + good[:21]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := invite.ParseToken(tt.in)
			if tt.want == "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, invite.ErrTokenMalformed)
				assert.Empty(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, invite.Token(tt.want), got)
		})
	}
}

func TestVerify(t *testing.T) {
	tok, hash, err := invite.NewToken(bytes.NewReader(seq(32)))
	require.NoError(t, err)
	other, _, err := invite.NewToken(bytes.NewReader(bytes.Repeat([]byte{7}, 32)))
	require.NoError(t, err)
	oneOff := []byte(tok)
	oneOff[42] = 'A'
	if string(oneOff) == string(tok) {
		oneOff[42] = 'E'
	}

	tests := []struct {
		name string
		hash []byte
		tok  invite.Token
		want bool
	}{
		{name: "right token", hash: hash, tok: tok, want: true},
		{name: "other token", hash: hash, tok: other},
		{name: "one character off", hash: hash, tok: invite.Token(oneOff)},
		{name: "empty token", hash: hash, tok: ""},
		{name: "token with spaces", hash: hash, tok: " " + tok},
		{name: "no hash stored", hash: nil, tok: tok},
		{name: "empty hash, empty token", hash: []byte{}, tok: ""},
		{name: "truncated hash", hash: hash[:16], tok: tok},
		{name: "the hash is not the token", hash: hash, tok: invite.Token(hash)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := invite.Invitation{TokenHash: tt.hash}
			assert.Equal(t, tt.want, inv.Verify(tt.tok))
		})
	}
}

func TestIdempotencyKey(t *testing.T) {
	assert.Equal(t, "inv-inv-1-v1", invite.IdempotencyKey("inv-1", 1))
	assert.Equal(t, invite.IdempotencyKey("inv-1", 1), invite.IdempotencyKey("inv-1", 1), "stable across calls (retries)")
	keys := map[string]bool{}
	for _, id := range []invite.ID{"a", "b", "a-v1"} {
		for v := 1; v <= 3; v++ {
			k := invite.IdempotencyKey(id, v)
			assert.False(t, keys[k], "key %q for two messages", k)
			keys[k] = true
		}
	}
}

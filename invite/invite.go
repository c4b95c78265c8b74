// Package invite holds invitations: the channel they go by, the SMS consent
// attestation, the activation token, and the outbound Message that the
// service's outbox stores and a notifier delivers.
//
// An invitation goes by email when the account has an email, else by SMS to
// its device. An SMS invitation needs the acting administrator's attestation
// that the recipient consented to receive SMS; without one New refuses with
// ErrConsentRequired and nothing is created.
//
// Tokens are 32 bytes from crypto/rand (256 bits), handed out once in
// base64url and stored only as their SHA-256 hash; Verify compares hashes in
// constant time. Each invitation carries a token version that a resend
// increments, so the old token and its queued message can be told apart.
//
// Invitation texts are templates in the portal's {placeholder} syntax (see
// Template). A custom HTML body is made safe by construction when it is
// saved, not repaired when it is sent: ParseTemplate refuses a placeholder
// anywhere escaping cannot make any value inert (a URL, an event handler, a
// style, a script, a comment), and refuses markup that runs code or sends
// data whatever the values (<script>, <iframe>, <object>, <embed>, <form>,
// on… attributes, javascript:, data: and vbscript: URLs however spelt); the
// renderer escapes every value and checks every link. This is a check of
// its own rather than html/template's contextual escaping: html/template
// repairs at render time instead of refusing at save with a field error and
// a position, accepts scripts and handlers in the template's own text, and
// lets a value be a link to any host in an href. template_html.go says more.
package invite

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
)

var (
	// ErrConsentRequired refuses an SMS invitation without the
	// administrator's attestation that the recipient consented to SMS.
	ErrConsentRequired = mlerr.New(CodeSMSConsentRequired, "invite: SMS invitations need the administrator's attestation that the recipient consented to receive SMS")
	// ErrNotInvitable refuses an invitation to an account whose status does
	// not allow one (Activated, Suspended).
	ErrNotInvitable = mlerr.New(CodeNotInvitable, "invite: the account cannot be invited in its status")
	// ErrTokenMalformed reports a token that is not one this package issues.
	ErrTokenMalformed = mlerr.New(CodeTokenMalformed, "invite: malformed invitation token")
)

// Channel is how an invitation travels.
type Channel string

// The channels.
const (
	Email Channel = "email"
	SMS   Channel = "sms"
)

// ChannelFor returns the channel an account is invited by: email when it has
// one, else SMS.
func ChannelFor(a account.Account) Channel {
	if a.Email != "" {
		return Email
	}
	return SMS
}

// DefaultDisclaimer is the attestation text stored with SMS consent when the
// host supplies none.
const DefaultDisclaimer = "I confirm that the recipient has consented to receive SMS messages from this organization."

// Consent is an administrator's attestation that an SMS recipient consented.
type Consent struct {
	AdminID    string
	At         time.Time
	Disclaimer string
}

// State is where an invitation stands.
type State string

// The invitation states.
const (
	Pending  State = "pending"  // sent or queued, not yet redeemed
	Redeemed State = "redeemed" // the account activated with it
)

// ID identifies an invitation.
type ID string

// Invitation is the invitation of one account.
type Invitation struct {
	ID ID
	// Account is the invited account (not its portal "Account ID",
	// account.Account.AccountID).
	Account     account.ID
	OrgID       org.ID
	Channel     Channel
	Destination string // the email or the E.164 device
	// TokenHash is the SHA-256 of the current token; the token itself is
	// never stored.
	TokenHash    []byte
	TokenVersion int
	// Retired holds the hashes of the tokens earlier resends replaced, the
	// newest last, so that an old link is told apart from a wrong one.
	Retired   [][]byte
	ExpiresAt time.Time
	State     State
	Consent   *Consent // set for SMS invitations
	// Message is the outbox message that carries the current token.
	Message MessageID
	Created time.Time
	Updated time.Time
}

// Token is a raw invitation token, as the invitee receives it.
type Token string

// tokenBytes is the token's entropy: 256 bits, above the 128 the spec asks.
const tokenBytes = 32

// tokenLen is the length of a token in unpadded base64url.
var tokenLen = base64.RawURLEncoding.EncodedLen(tokenBytes)

// NewToken draws a token from r (crypto/rand.Reader when nil) and returns it
// with its hash.
func NewToken(r io.Reader) (Token, []byte, error) {
	if r == nil {
		r = rand.Reader
	}
	var b [tokenBytes]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", nil, fmt.Errorf("invite: drawing a token: %w", err)
	}
	t := Token(base64.RawURLEncoding.EncodeToString(b[:]))
	return t, HashToken(t), nil
}

// HashToken returns the stored form of a token.
func HashToken(t Token) []byte {
	h := sha256.Sum256([]byte(t))
	return h[:]
}

// ParseToken checks that s has the shape of a token this package issues and
// returns it. It trims surrounding spaces (a pasted link) and nothing else.
func ParseToken(s string) (Token, error) {
	s = strings.TrimSpace(s)
	if len(s) != tokenLen {
		return "", ErrTokenMalformed
	}
	// The decoder skips \r and \n, so a string of the right length with line
	// breaks in it decodes to fewer bytes: check that it decodes to a whole
	// token.
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != tokenBytes {
		return "", ErrTokenMalformed
	}
	return Token(s), nil
}

// Verify reports, in constant time, whether t is the invitation's token.
func (inv Invitation) Verify(t Token) bool { return hashEqual(inv.TokenHash, HashToken(t)) }

func hashEqual(stored, h []byte) bool {
	return len(stored) == sha256.Size && subtle.ConstantTimeCompare(h, stored) == 1
}

// Params is what New needs besides the account.
type Params struct {
	ID      ID
	Now     time.Time
	TTL     time.Duration // zero or less: org.DefaultInvitationTTL
	Consent *Consent
	Rand    io.Reader // nil: crypto/rand
}

// New creates the invitation of account a and its first token. It refuses an
// account that cannot be invited, and an SMS invitation without consent.
func New(a account.Account, p Params) (Invitation, Token, error) {
	if !account.CanInvite(a.Status) {
		return Invitation{}, "", fmt.Errorf("%w: %s", ErrNotInvitable, a.Status)
	}
	ttl := p.TTL
	if ttl <= 0 {
		// A zero TTL would make an invitation that is expired when it is sent.
		ttl = org.DefaultInvitationTTL
	}
	ch := ChannelFor(a)
	inv := Invitation{
		ID: p.ID, Account: a.ID, OrgID: a.OrgID, Channel: ch,
		State: Pending, Created: p.Now, Updated: p.Now,
		ExpiresAt: p.Now.Add(ttl), TokenVersion: 1,
	}
	switch ch {
	case Email:
		inv.Destination = a.Email
	case SMS:
		inv.Destination = a.Device
		if p.Consent == nil || p.Consent.AdminID == "" {
			return Invitation{}, "", ErrConsentRequired
		}
		c := *p.Consent
		if c.Disclaimer == "" {
			c.Disclaimer = DefaultDisclaimer
		}
		if c.At.IsZero() {
			c.At = p.Now
		}
		inv.Consent = &c
	}
	t, h, err := NewToken(p.Rand)
	if err != nil {
		return Invitation{}, "", err
	}
	inv.TokenHash = h
	return inv, t, nil
}

// IdempotencyKey is the stable key of the message that carries token version
// v of invitation id: notifiers pass it on so that a duplicate sent after a
// crash can be recognized downstream.
func IdempotencyKey(id ID, v int) string { return "inv-" + string(id) + "-v" + strconv.Itoa(v) }

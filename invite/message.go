package invite

import (
	"strings"
	"time"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/org"
)

// MessageState is where an outbound message stands in the outbox (the
// portal shows it as the message's delivery).
type MessageState string

// The delivery states (SPEC §7).
const (
	Queued    MessageState = "Queued"
	Sent      MessageState = "Sent"
	Failed    MessageState = "Failed"    // will be retried at NextAttempt
	Abandoned MessageState = "Abandoned" // failed MaxAttempts times; a resend starts over
	Cancelled MessageState = "Cancelled" // superseded (token rotated) or revoked
)

// Kind says what a message is for.
type Kind string

// The kinds of message.
const (
	KindInvitation Kind = "invitation"
	KindAdmin      Kind = "admin_notification"
)

// MessageID identifies an outbound message.
type MessageID string

// Message is one outbound email or SMS, as the outbox stores it and a
// notifier delivers it.
type Message struct {
	ID      MessageID
	Kind    Kind
	OrgID   org.ID
	Channel Channel
	To      string
	Subject string // email only
	Text    string
	HTML    string // email only; may be empty
	// IdempotencyKey is stable across retries of the same message.
	IdempotencyKey string
	// InvitationID and TokenVersion tie an invitation message to the token it
	// carries; empty for admin notifications.
	InvitationID ID
	Account      account.ID // the invitee's account, for an invitation
	TokenVersion int
	// Secret is a part of the text that loggers must not print in full (the
	// activation token). It is cleared, with the body, once the message is
	// sent.
	Secret string

	State       MessageState
	Attempts    int
	LastError   string
	NextAttempt time.Time
	SentAt      time.Time
	Created     time.Time
}

// Redact returns s with every occurrence of the message's secret shortened to
// its first four characters, for logs.
func (m Message) Redact(s string) string {
	if len(m.Secret) < 8 {
		return s
	}
	return strings.ReplaceAll(s, m.Secret, m.Secret[:4]+"…")
}

// envelope is the message of invitation inv carrying token t, without its
// texts: destination, idempotency key, secret and state.
func envelope(inv Invitation, t Token) Message {
	return Message{
		Kind: KindInvitation, OrgID: inv.OrgID, Channel: inv.Channel, To: inv.Destination,
		InvitationID: inv.ID, Account: inv.Account, TokenVersion: inv.TokenVersion,
		IdempotencyKey: IdempotencyKey(inv.ID, inv.TokenVersion), Secret: string(t),
		State: Queued, Created: inv.Updated, NextAttempt: inv.Updated,
	}
}

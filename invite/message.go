package invite

import (
	"fmt"
	"strings"
	"time"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/org"
)

// Delivery is where an outbound message stands in the outbox.
type Delivery string

// The delivery states (SPEC §7).
const (
	Queued    Delivery = "Queued"
	Sent      Delivery = "Sent"
	Failed    Delivery = "Failed"    // will be retried at NextAttempt
	Abandoned Delivery = "Abandoned" // failed MaxAttempts times; a resend starts over
	Cancelled Delivery = "Cancelled" // superseded (token rotated) or revoked
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
	AccountID    account.ID
	TokenVersion int
	// Secret is a part of the text that loggers must not print in full (the
	// activation token). It is cleared, with the body, once the message is
	// sent.
	Secret string

	State       Delivery
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

// InvitationMessage renders the basic English invitation of account a with
// the activation link. (Localized and customized templates replace it in the
// template layer; this is the text used where none is set.)
func InvitationMessage(inv Invitation, a account.Account, orgName, link string, t Token) Message {
	name := strings.TrimSpace(a.FirstName + " " + a.LastName)
	if name == "" {
		name = a.Username
	}
	m := envelope(inv, t)
	number := ""
	if a.Number != "" {
		number = fmt.Sprintf(" Your MultiLine number is %s.", a.Number)
	}
	expires := inv.ExpiresAt.UTC().Format("2 Jan 2006 15:04 MST")
	switch inv.Channel {
	case Email:
		m.Subject = fmt.Sprintf("%s invites you to MultiLine", orgName)
		m.Text = fmt.Sprintf("Hello %s,\n\n%s has set up a MultiLine business line for you.%s\n\nActivate it here: %s\n\nThis link expires on %s.\n", name, orgName, number, link, expires)
	case SMS:
		m.Text = fmt.Sprintf("%s invites you to MultiLine.%s Activate: %s (expires %s)", orgName, number, link, expires)
	}
	return m
}

// envelope is the message of invitation inv carrying token t, without its
// texts: destination, idempotency key, secret and state.
func envelope(inv Invitation, t Token) Message {
	return Message{
		Kind: KindInvitation, OrgID: inv.OrgID, Channel: inv.Channel, To: inv.Destination,
		InvitationID: inv.ID, AccountID: inv.AccountID, TokenVersion: inv.TokenVersion,
		IdempotencyKey: IdempotencyKey(inv.ID, inv.TokenVersion), Secret: string(t),
		State: Queued, Created: inv.Updated, NextAttempt: inv.Updated,
	}
}

package invite

import (
	"time"

	"github.com/multilinehq/multiline/account"
)

// Backoff is the wait after the n-th failed attempt (n ≥ 1): base after the
// first, doubling with each further failure, never more than max.
func Backoff(base, max time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	return min(d, max)
}

// Awaits reports whether inv still waits for m: m carries inv's current
// token and inv is still pending. An attempt at a message its invitation
// no longer awaits has nothing to record against; the message is cancelled.
func (inv Invitation) Awaits(m Message) bool {
	return inv.Message == m.ID && inv.State == Pending
}

// AccountStatusAfter is the status the invitee's account takes after an
// attempt at its invitation's current message m, as recorded, when the
// account showed st: Invited again once a message is Sent after the account
// showed Invitation Failed; Invitation Failed once the message has failed
// maxAttempts times while the account showed Invited. ok is false when the
// status stays as it is.
func AccountStatusAfter(m Message, st account.Status, maxAttempts int) (to account.Status, ok bool) {
	switch {
	case m.State == Sent && st == account.InvitationFailed:
		return account.Invited, true
	case (m.State == Failed || m.State == Abandoned) && m.Attempts >= maxAttempts && st == account.Invited:
		return account.InvitationFailed, true
	}
	return st, false
}

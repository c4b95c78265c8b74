package invite

import (
	"time"

	"github.com/multilinehq/multiline/mlerr"
)

// Withdrawn is the state of an invitation whose destination was edited
// before it was redeemed: its token no longer works, and a resend gives it a
// new one (Rotate), for the new destination.
const Withdrawn State = "withdrawn"

// ErrTokenWithdrawn refuses the token of a withdrawn invitation.
var ErrTokenWithdrawn = mlerr.New("invitation.withdrawn", "invite: this activation link was withdrawn; ask your administrator to send a new invitation")

// Withdraw returns the invitation withdrawn at now.
func (inv Invitation) Withdraw(now time.Time) Invitation {
	inv.State, inv.Updated = Withdrawn, now
	return inv
}

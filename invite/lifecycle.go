package invite

import (
	"fmt"
	"slices"
	"time"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
)

// Redeeming a token fails with one of these; each is distinct, so an end
// user can be told what to do (ask for a new invitation, sign in instead).
// None says anything about any other invitation.
var (
	ErrTokenUnknown = mlerr.New(CodeTokenUnknown, "invite: this activation link is not valid")
	ErrTokenExpired = mlerr.New(CodeTokenExpired, "invite: this activation link has expired; ask your administrator to resend the invitation")
	ErrTokenUsed    = mlerr.New(CodeTokenUsed, "invite: this activation link has been used already")
	ErrTokenRotated = mlerr.New(CodeTokenRotated, "invite: this activation link was replaced by a newer invitation; use the latest one")
)

// maxRetired bounds the rotated token hashes an invitation remembers, so
// that an old link keeps getting "replaced" rather than "not valid" for the
// last few resends without growing without bound.
const maxRetired = 8

// Rotate gives a pending invitation a new token, as a resend does: the old
// token stops working at once (it is retired, and Check reports it as
// ErrTokenRotated), the version goes up, the validity starts over, and the
// consent is replaced by the one given (required again for SMS).
func (inv Invitation) Rotate(a account.Account, p Params) (Invitation, Token, error) {
	if !account.CanInvite(a.Status) {
		return inv, "", fmt.Errorf("%w: %s", ErrNotInvitable, a.Status)
	}
	fresh, t, err := New(a, p)
	if err != nil {
		return inv, "", err
	}
	fresh.ID, fresh.Created = inv.ID, inv.Created
	fresh.TokenVersion = inv.TokenVersion + 1
	fresh.Retired = append(slices.Clone(inv.Retired), inv.TokenHash)
	if len(fresh.Retired) > maxRetired {
		fresh.Retired = fresh.Retired[len(fresh.Retired)-maxRetired:]
	}
	return fresh, t, nil
}

// Check decides whether t redeems inv at now: nil, or the distinct reason it
// does not. The caller has found inv by the token's hash (current or
// retired).
func (inv Invitation) Check(t Token, now time.Time) error {
	switch {
	case !inv.Verify(t):
		if slices.ContainsFunc(inv.Retired, func(h []byte) bool { return hashEqual(h, HashToken(t)) }) {
			return ErrTokenRotated
		}
		return ErrTokenUnknown
	case inv.State == Redeemed:
		return ErrTokenUsed
	case inv.State == Withdrawn:
		return ErrTokenWithdrawn
	case !now.Before(inv.ExpiresAt):
		return ErrTokenExpired
	}
	return nil
}

// Redeem marks the invitation used.
func (inv Invitation) Redeem(now time.Time) Invitation {
	inv.State, inv.Updated = Redeemed, now
	return inv
}

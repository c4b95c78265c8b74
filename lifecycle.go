package multiline

import (
	"context"
	"errors"
	"fmt"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// ShortListSize is how many Available numbers the short list offers at
// activation.
const ShortListSize = 5

// PreviewInvitation renders an organization's invitation for a channel in a
// language with sample data, as the portal's template editor shows it. It
// needs Setup on the organization.
func (s *Service) PreviewInvitation(ctx context.Context, actor permissions.AdminID, o org.ID, lang string, ch invite.Channel) (invite.Rendered, error) {
	var r invite.Rendered
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		sc, err := authorize(ctx, tx, actor, permissions.Setup, o)
		if err != nil {
			return err
		}
		r = sc.templates().Preview(lang, ch)
		return nil
	})
	return r, err
}

// Resend sends a new invitation to each account, as the portal's Resend
// Invite does for one or many: a Not Invited account gets its first one; an
// Invited or Invitation Failed account gets a new token (the old link stops
// working at once, and its message, if still queued, is cancelled). Activated
// and Suspended accounts are refused, and SMS invitations need the consent
// attestation again. All the accounts are re-invited, or none. It needs
// Accounts on the accounts' organizations.
func (s *Service) Resend(ctx context.Context, actor permissions.AdminID, ids []account.ID, opts InviteOptions) ([]Invited, error) {
	// Keyed by account, so that a transaction the store runs again
	// overwrites rather than repeats.
	done := make(map[account.ID]Invited, len(ids))
	queued := make(map[account.ID]invite.Message, len(ids))
	err := s.eachAccount(ctx, actor, ids, func(ctx context.Context, tx Tx, sc scope, a account.Account) error {
		if !account.CanInvite(a.Status) {
			return fmt.Errorf("%w: %s is %s", invite.ErrNotInvitable, a.Username, a.Status)
		}
		if invite.ChannelFor(a) == invite.SMS && !opts.SMSConsent {
			return fmt.Errorf("%w (%s)", invite.ErrConsentRequired, a.Username)
		}
		inv, m, err := s.reinvite(ctx, tx, sc, a, opts)
		if err != nil {
			return err
		}
		queued[a.ID] = m
		if a, err = tx.Account(ctx, a.ID); err != nil {
			return err
		}
		done[a.ID] = Invited{Account: a, Invitation: inv.WithoutHashes()}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Invited, len(ids))
	msgs := make([]invite.Message, len(ids))
	for i, id := range ids {
		out[i], msgs[i] = done[id], queued[id]
	}
	for i, m := range s.deliverAll(ctx, msgs) {
		out[i].Delivery = deliveryOf(m)
	}
	return out, nil
}

// reinvite gives a its first invitation, or rotates the one it has.
func (s *Service) reinvite(ctx context.Context, tx Tx, sc scope, a account.Account, opts InviteOptions) (invite.Invitation, invite.Message, error) {
	old, err := tx.Invitation(ctx, a.ID)
	if errors.Is(err, mlerr.ErrNotFound) {
		// First invitation of a saved account: it becomes a pending
		// invitation, which needs capacity when it has no number.
		if err := admitPending(ctx, tx, a); err != nil {
			return invite.Invitation{}, invite.Message{}, err
		}
		if err := s.setStatusBy(ctx, tx, sc.admin.ID, a, account.Invited); err != nil {
			return invite.Invitation{}, invite.Message{}, err
		}
		inv, err := s.invite(ctx, tx, sc, a, opts)
		if err != nil {
			return invite.Invitation{}, invite.Message{}, err
		}
		return inv.inv, inv.msg, nil
	}
	if err != nil {
		return invite.Invitation{}, invite.Message{}, err
	}
	if a.Status == account.NotInvited {
		// An invitation withdrawn by an edit of the destination, sent
		// again: a pending invitation once more.
		if err := admitPending(ctx, tx, a); err != nil {
			return invite.Invitation{}, invite.Message{}, err
		}
	}
	now := s.now()
	p := invite.Params{ID: old.ID, Now: now, TTL: sc.settings.InvitationTTL, Rand: s.rand}
	if opts.SMSConsent {
		p.Consent = &invite.Consent{AdminID: string(sc.admin.ID), At: now, Disclaimer: opts.Disclaimer}
	}
	inv, token, err := old.Rotate(a, p)
	if err != nil {
		return invite.Invitation{}, invite.Message{}, err
	}
	// The old token's message must never go out after this commit.
	if prev, err := tx.Message(ctx, old.Message); err == nil {
		if prev, err = prev.Cancel(); err == nil {
			if err := tx.UpdateMessage(ctx, prev); err != nil {
				return invite.Invitation{}, invite.Message{}, err
			}
		}
	} else if !errors.Is(err, mlerr.ErrNotFound) {
		return invite.Invitation{}, invite.Message{}, err
	}
	m := s.invitationMessage(sc, a, &inv, token)
	if err := tx.Enqueue(ctx, stored(m)); err != nil {
		return invite.Invitation{}, invite.Message{}, err
	}
	if err := tx.UpdateInvitation(ctx, inv); err != nil {
		return invite.Invitation{}, invite.Message{}, err
	}
	if a.Status != account.Invited {
		if err := s.setStatusBy(ctx, tx, sc.admin.ID, a, account.Invited); err != nil {
			return invite.Invitation{}, invite.Message{}, err
		}
	}
	return inv, m, s.audit(ctx, tx, sc.admin.ID, a.OrgID, ActionInvitationResent, string(a.ID), old.AuditView(), inv.AuditView())
}

// Activation is what redeeming an invitation did.
type Activation struct {
	Account account.Account
	Number  string
}

// PickError refuses an activation whose number choice is missing or was
// taken meanwhile; ShortList is a fresh list to choose from.
type PickError struct {
	Reason    string
	ShortList []string
	Err       error
	// Code is the stable code of the refusal (see ErrorCode).
	Code string
}

func (e *PickError) Error() string { return "multiline: activation: " + e.Reason }

// Unwrap returns numberpool.ErrNotAvailable or mlerr.ErrInvalid.
func (e *PickError) Unwrap() error { return e.Err }

// ErrorCode returns the code of the refused choice: numberpool.CodeTaken for
// a number that is no longer available, numberpool.CodePickRequired for no
// choice, numberpool.CodeNumberFormat for one that is not a phone number.
func (e *PickError) ErrorCode() string {
	if e.Code != "" {
		return e.Code
	}
	return mlerr.CodeOf(e.Err)
}

// ShortList returns the numbers the invitee of token may pick from at
// activation: a few Available numbers of the invitation's organization
// (never one Reserved or held by anyone), or none when the account has a
// number of its own. It is the end user's call: the token authorizes it.
func (s *Service) ShortList(ctx context.Context, token string) ([]string, error) {
	var list []string
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		inv, a, err := s.redeemable(ctx, tx, token)
		if err != nil {
			return err
		}
		if a.Number != "" {
			return nil
		}
		list, err = shortList(ctx, tx, inv.OrgID)
		return err
	})
	return list, err
}

func shortList(ctx context.Context, tx Tx, o org.ID) ([]string, error) {
	ns, err := tx.FreeNumbers(ctx, NumberQuery{Org: o, State: numberpool.Available}, ShortListSize)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.E164
	}
	return out, nil
}

// redeemable finds the invitation of token and checks it can be redeemed.
func (s *Service) redeemable(ctx context.Context, tx Tx, token string) (invite.Invitation, account.Account, error) {
	t, err := invite.ParseToken(token)
	if err != nil {
		return invite.Invitation{}, account.Account{}, invite.ErrTokenUnknown
	}
	inv, err := tx.InvitationByToken(ctx, invite.HashToken(t))
	if errors.Is(err, mlerr.ErrNotFound) {
		return invite.Invitation{}, account.Account{}, invite.ErrTokenUnknown
	}
	if err != nil {
		return invite.Invitation{}, account.Account{}, err
	}
	if err := inv.Check(t, s.now()); err != nil {
		return invite.Invitation{}, account.Account{}, err
	}
	a, err := tx.Account(ctx, inv.Account)
	if err != nil {
		return invite.Invitation{}, account.Account{}, err
	}
	if a.Status == account.Suspended {
		return invite.Invitation{}, account.Account{}, &account.StatusError{From: a.Status, To: account.Activated}
	}
	return inv, a, nil
}

// Activate redeems an invitation: the account takes its Assigned number, or
// the number the end user picked from the short list (choice, in any format
// ParseE164 reads); the number becomes Registered and the account Activated.
// The token works once. A choice that is not on offer (taken meanwhile,
// Reserved, of another organization) is refused with a *PickError carrying
// a fresh short list. It is the end user's call: the token authorizes it.
func (s *Service) Activate(ctx context.Context, token, choice string) (Activation, error) {
	var res Activation
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		inv, a, err := s.redeemable(ctx, tx, token)
		if err != nil {
			return err
		}
		var n numberpool.Number
		picked := a.Number == ""
		var capBefore numberpool.Capacity
		if !picked {
			if n, err = tx.Number(ctx, a.Number); err != nil {
				return err
			}
		} else {
			if err := tx.LockOrg(ctx, inv.OrgID); err != nil {
				return err
			}
			if capBefore, err = tx.Capacity(ctx, inv.OrgID); err != nil {
				return err
			}
			if n, err = s.pickForActivation(ctx, tx, inv.OrgID, choice); err != nil {
				return err
			}
			if n, err = n.Assign(string(a.ID)); err != nil {
				return err
			}
		}
		before := n
		if n, err = n.Register(); err != nil {
			return err
		}
		if err := tx.UpdateNumber(ctx, n); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, "", a.OrgID, ActionNumberRegistered, n.E164, before, n); err != nil {
			return err
		}
		prev := a
		a.Number, a.Status, a.Updated = n.E164, account.Activated, s.now()
		if err := account.CheckStatus(prev.Status, a.Status); err != nil {
			return err
		}
		if err := tx.UpdateAccount(ctx, a); err != nil {
			return err
		}
		if err := tx.UpdateInvitation(ctx, inv.Redeem(s.now())); err != nil {
			return err
		}
		if picked {
			lin, err := lineage(ctx, tx, inv.OrgID)
			if err != nil {
				return err
			}
			if err := s.utilizationAlert(ctx, tx, "", lin[0], org.Resolve(lin), capBefore); err != nil {
				return err
			}
		}
		res = Activation{Account: a, Number: n.E164}
		return s.audit(ctx, tx, "", a.OrgID, ActionAccountActivated, string(a.ID), prev, a)
	})
	if err != nil {
		return Activation{}, err
	}
	return res, nil
}

// pickForActivation checks the end user's choice against the short list's
// rule: an Available number of the organization.
func (s *Service) pickForActivation(ctx context.Context, tx Tx, o org.ID, choice string) (numberpool.Number, error) {
	refuse := func(reason, code string, sentinel error) error {
		list, err := shortList(ctx, tx, o)
		if err != nil {
			return err
		}
		return &PickError{Reason: reason, ShortList: list, Err: sentinel, Code: code}
	}
	if choice == "" {
		return numberpool.Number{}, refuse("choose a number from the short list", numberpool.CodePickRequired, mlerr.ErrInvalid)
	}
	e164, err := numberpool.ParseE164(choice)
	if err != nil {
		return numberpool.Number{}, refuse("the chosen number is not a phone number", numberpool.CodeNumberFormat, mlerr.ErrInvalid)
	}
	n, err := tx.Number(ctx, e164)
	if err != nil && !errors.Is(err, mlerr.ErrNotFound) {
		return numberpool.Number{}, err
	}
	if err != nil || n.OrgID != o || n.State != numberpool.Available {
		return numberpool.Number{}, refuse("the chosen number is no longer available; choose another", numberpool.CodeTaken, numberpool.ErrNotAvailable)
	}
	return n, nil
}

// Suspend suspends accounts; a suspended account cannot activate, and a
// suspended pending invitation no longer holds a number of the capacity. An
// invitation message not yet delivered is cancelled (SPEC §7): it is never
// sent or retried, and the outcome of an attempt in flight is dropped; a
// link already delivered is refused until the account is reactivated. All
// or none. It needs Accounts on the accounts' organizations.
func (s *Service) Suspend(ctx context.Context, actor permissions.AdminID, ids []account.ID) error {
	return s.eachAccount(ctx, actor, ids, func(ctx context.Context, tx Tx, sc scope, a account.Account) error {
		if a.Status == account.Suspended {
			return &account.StatusError{From: a.Status, To: account.Suspended}
		}
		b := a
		b.SuspendedFrom = a.Status
		if err := s.setStatusBy(ctx, tx, sc.admin.ID, b, account.Suspended); err != nil {
			return err
		}
		return s.cancelInvitationMessage(ctx, tx, a.ID)
	})
}

// Reactivate returns suspended accounts to the status they had. One that was
// a pending invitation without a number needs capacity again; its message,
// if the suspension cancelled it before it went out, is not sent again (a
// resend sends a new one). All or none.
// It needs Accounts on the accounts' organizations.
func (s *Service) Reactivate(ctx context.Context, actor permissions.AdminID, ids []account.ID) error {
	return s.eachAccount(ctx, actor, ids, func(ctx context.Context, tx Tx, sc scope, a account.Account) error {
		if a.Status != account.Suspended {
			return &account.StatusError{From: a.Status, To: a.Status}
		}
		to := a.SuspendedFrom
		if to == "" {
			to = account.NotInvited
		}
		if (to == account.Invited || to == account.InvitationFailed) && a.Number == "" {
			if err := tx.LockOrg(ctx, a.OrgID); err != nil {
				return err
			}
			c, err := tx.Capacity(ctx, a.OrgID)
			if err != nil {
				return err
			}
			if err := numberpool.CheckCapacity(c, 0, 1); err != nil {
				return err
			}
		}
		a.SuspendedFrom = ""
		return s.setStatusBy(ctx, tx, sc.admin.ID, a, to)
	})
}

// Delete deletes accounts, all or none: each one's number is released (back
// to Available, or Reserved under its tag, through the quarantine if one is
// set), its invitation withdrawn (the link stops working) and its queued
// message cancelled; its username and Account ID become free. It needs
// Accounts on the accounts' organizations.
func (s *Service) Delete(ctx context.Context, actor permissions.AdminID, ids []account.ID) error {
	return s.eachAccount(ctx, actor, ids, func(ctx context.Context, tx Tx, sc scope, a account.Account) error {
		return s.deleteAccount(ctx, tx, sc.admin.ID, a)
	})
}

// eachAccount runs fn on each selected account in one transaction.
func (s *Service) eachAccount(ctx context.Context, actor permissions.AdminID, ids []account.ID, fn func(context.Context, Tx, scope, account.Account) error) error {
	if err := account.CheckSelection(ids); err != nil {
		return err
	}
	return s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		// fn may be run again when the store retries the transaction.
		for _, id := range ids {
			a, sc, err := accountInScope(ctx, tx, actor, id)
			if err != nil {
				return err
			}
			if err := fn(ctx, tx, sc, a); err != nil {
				return err
			}
		}
		return nil
	})
}

// deleteAccount deletes an account: its number is released, its invitation
// withdrawn and its queued message cancelled. Audited.
func (s *Service) deleteAccount(ctx context.Context, tx Tx, actor permissions.AdminID, a account.Account) error {
	if a.Number != "" {
		n, err := tx.Number(ctx, a.Number)
		if err != nil {
			return err
		}
		freed, err := n.Release(s.now(), s.quarantine)
		if err != nil {
			return err
		}
		if err := tx.UpdateNumber(ctx, freed); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, actor, a.OrgID, ActionNumberReleased, n.E164, n, freed); err != nil {
			return err
		}
	}
	inv, err := tx.Invitation(ctx, a.ID)
	switch {
	case err == nil:
		m, err := tx.Message(ctx, inv.Message)
		if err != nil && !errors.Is(err, mlerr.ErrNotFound) {
			return err
		}
		if c, final := m.Cancel(); err == nil && final == nil {
			if err := tx.UpdateMessage(ctx, c); err != nil {
				return err
			}
		}
	case !errors.Is(err, mlerr.ErrNotFound):
		return err
	}
	if err := tx.DeleteAccount(ctx, a.ID); err != nil {
		return err
	}
	return s.audit(ctx, tx, actor, a.OrgID, ActionAccountDeleted, string(a.ID), a, nil)
}

// admitPending checks that account a, about to become a pending invitation,
// fits its organization's capacity, which it weighs on when it has no
// number; the organization stays locked until the transaction ends.
func admitPending(ctx context.Context, tx Tx, a account.Account) error {
	if err := tx.LockOrg(ctx, a.OrgID); err != nil {
		return err
	}
	if a.Number != "" {
		return nil
	}
	c, err := tx.Capacity(ctx, a.OrgID)
	if err != nil {
		return err
	}
	return numberpool.CheckCapacity(c, 0, 1)
}

package multiline

import (
	"bytes"
	"context"
	"errors"
	"strings"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/permissions"
)

// AccountEdit is an edit of an account: nil pointer = unchanged.
type AccountEdit = account.Edit

// EditAccount edits an account as the portal's edit form does (SPEC §5), in
// one transaction: all of it, or none of it and every field error at once.
//
// The edited account is validated whole under the rules it was created
// under — the single-account form's, or a CSV row's for an imported account
// — against its organization's settings as they are now, so an edit cannot
// make an account Save would refuse; Account ID and username stay unique.
// The email and device of an account that has not activated can change: when
// that changes where its pending invitation goes, the invitation is
// withdrawn (its link stops working, its queued message is cancelled) and
// the account is Not Invited until Resend sends a new one. A number can be
// assigned (a number or a tag), changed or released ("") on an account that
// has not activated, under the capacity invariant. An activated account's
// email, device and number are refused, each with a field error. The edit is
// one account.edited audit event with the account before and after, beside
// the number and invitation events of what it changed. An edit that changes
// nothing writes nothing. It needs Accounts on the account's organization.
func (s *Service) EditAccount(ctx context.Context, actor permissions.AdminID, id account.ID, e AccountEdit) (account.Account, error) {
	var out account.Account
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		a, sc, err := accountInScope(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		out, err = s.edit(ctx, tx, sc, a, e)
		return err
	})
	if err != nil {
		return account.Account{}, err
	}
	return out, nil
}

// edit validates and applies e to a, in tx.
func (s *Service) edit(ctx context.Context, tx Tx, sc scope, a account.Account, e AccountEdit) (account.Account, error) {
	in := e.Input(a)
	form := account.FormOf(a)
	errs := account.CheckActivatedEdit(a, e.Email, e.Device, e.Number)
	profiles, err := tx.Profiles(ctx, sc.ids)
	if err != nil {
		return account.Account{}, err
	}
	d, err := account.Validate(in, account.Policy{Form: form, Settings: sc.settings, Lineage: sc.ids, Profiles: profiles})
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = append(errs, j.Unwrap()...)
	} else if err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return account.Account{}, err
	}

	// What the edit does to the account's number and invitation.
	ne, err := account.PlanNumber(a, d, e.Number != nil, func(sel numberpool.Selector) (bool, error) {
		return keepsTag(ctx, tx, a, sel)
	})
	if err != nil {
		return account.Account{}, err
	}
	pick, release := ne.Pick, ne.Release
	b, withdraw := account.WithdrawInvitation(a, account.Edited(a, d))
	if release {
		b.Number = ""
	}
	if pick.IsZero() && !release && !withdraw && bytes.Equal(accountJSON(a), accountJSON(b)) {
		return a, nil // nothing to change
	}
	b.Updated = s.now()

	weighs := release || !pick.IsZero() || withdraw
	var capBefore numberpool.Capacity
	if weighs {
		if err := tx.LockOrg(ctx, a.OrgID); err != nil {
			return account.Account{}, err
		}
		if capBefore, err = tx.Capacity(ctx, a.OrgID); err != nil {
			return account.Account{}, err
		}
	}
	var num numberpool.Number
	if !pick.IsZero() {
		if num, err = pickNumber(ctx, tx, a.OrgID, pick); err != nil {
			return account.Account{}, err
		}
		b.Number = num.E164
	}
	if err := tx.UpdateAccount(ctx, b); err != nil {
		return account.Account{}, accountUnique(err, b)
	}
	if release {
		if err := s.releaseNumber(ctx, tx, sc.admin.ID, a); err != nil {
			return account.Account{}, err
		}
	}
	if !pick.IsZero() {
		if _, err := s.assign(ctx, tx, sc, b, num, &capBefore, nil); err != nil {
			return account.Account{}, err
		}
	}
	if withdraw {
		if err := s.withdraw(ctx, tx, sc.admin.ID, a); err != nil {
			return account.Account{}, err
		}
	}
	if weighs {
		after, err := tx.Capacity(ctx, a.OrgID)
		if err != nil {
			return account.Account{}, err
		}
		// Refused only when the edit takes slack away: an organization
		// short of numbers already (numbers withdrawn meanwhile) can still
		// have accounts edited in ways that do not make it worse.
		if after.Slack() < capBefore.Slack() {
			if err := numberpool.CheckCapacity(after, 0, 0); err != nil {
				return account.Account{}, err
			}
		}
	}
	return b, s.audit(ctx, tx, sc.admin.ID, a.OrgID, ActionAccountEdited, string(a.ID), accountJSON(a), accountJSON(b))
}

// keepsTag reports whether sel is a tag that a's number carries already: the
// account holds what it asks for.
func keepsTag(ctx context.Context, tx Tx, a account.Account, sel numberpool.Selector) (bool, error) {
	if sel.Tag == "" || a.Number == "" {
		return false, nil
	}
	n, err := tx.Number(ctx, a.Number)
	if err != nil {
		return false, err
	}
	return strings.EqualFold(n.Tag, sel.Tag), nil
}

// releaseNumber releases the number a holds, audited.
func (s *Service) releaseNumber(ctx context.Context, tx Tx, actor permissions.AdminID, a account.Account) error {
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
	return s.audit(ctx, tx, actor, a.OrgID, "number.released", n.E164, n, freed)
}

// withdraw withdraws a's pending invitation: its token stops working and
// its message, if not sent yet, is cancelled, as a resend's rotation does.
func (s *Service) withdraw(ctx context.Context, tx Tx, actor permissions.AdminID, a account.Account) error {
	inv, err := tx.Invitation(ctx, a.ID)
	if errors.Is(err, mlerr.ErrNotFound) {
		return nil // nothing was sent: nothing to withdraw
	}
	if err != nil {
		return err
	}
	if inv.State != invite.Pending {
		return nil
	}
	w := inv.Withdraw(s.now())
	if err := tx.UpdateInvitation(ctx, w); err != nil {
		return err
	}
	if err := s.cancelMessageID(ctx, tx, inv.Message); err != nil {
		return err
	}
	return s.audit(ctx, tx, actor, a.OrgID, ActionInvitationWithdrawn, string(a.ID), inv.AuditView(), w.AuditView())
}

// cancelMessageID cancels message id unless it went out already (or was
// never stored): a message that is Queued or Failed must never be sent after
// the transaction commits.
func (s *Service) cancelMessageID(ctx context.Context, tx Tx, id invite.MessageID) error {
	m, err := tx.Message(ctx, id)
	if errors.Is(err, mlerr.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.cancelMessage(ctx, tx, m)
}

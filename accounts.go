package multiline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// InviteOptions are the administrator's choices when inviting.
type InviteOptions struct {
	// SMSConsent is the acting administrator's attestation that the
	// recipient consented to receive SMS. An SMS invitation (an account with
	// a device and no email) without it is refused and nothing is saved.
	SMSConsent bool
	// Disclaimer is the attestation text the administrator agreed to; empty
	// stores invite.DefaultDisclaimer.
	Disclaimer string
}

// Invited is what SaveAndInvite made: the account, its invitation (without
// the token, which only the invitee receives, nor its hash) and the delivery
// of the invitation message after the first attempt.
type Invited struct {
	Account    account.Account
	Invitation invite.Invitation
	Delivery   Delivery
}

// Save adds one account as the portal's single-account form's Save does: the
// account is created Not Invited, with the number it asks for (if any), and
// no invitation is sent. It needs Accounts on the organization.
func (s *Service) Save(ctx context.Context, actor permissions.AdminID, o org.ID, in account.Input) (account.Account, error) {
	var a account.Account
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		sc, err := authorize(ctx, tx, actor, permissions.Accounts, o)
		if err != nil {
			return err
		}
		a, _, err = s.addAccount(ctx, tx, sc, in, addOptions{form: account.SingleForm})
		return err
	})
	if err != nil {
		return account.Account{}, err
	}
	return a, nil
}

// SaveAndInvite adds one account as the form's Save & Invite does: the
// account is created Invited and its invitation message is queued in the same
// transaction, then delivered once after the commit. A delivery that fails
// does not fail the call: it is retried by DeliverPending and shows in
// Invited.Delivery. It needs Accounts on the organization.
func (s *Service) SaveAndInvite(ctx context.Context, actor permissions.AdminID, o org.ID, in account.Input, opts InviteOptions) (Invited, error) {
	var res Invited
	var msg invite.Message
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		sc, err := authorize(ctx, tx, actor, permissions.Accounts, o)
		if err != nil {
			return err
		}
		var inv *invitation
		res.Account, inv, err = s.addAccount(ctx, tx, sc, in, addOptions{form: account.SingleForm, invite: true, consent: opts})
		if err != nil {
			return err
		}
		res.Invitation, msg = inv.inv.WithoutHashes(), inv.msg
		return nil
	})
	if err != nil {
		return Invited{}, err
	}
	res.Delivery = s.deliverNow(ctx, msg)
	return res, nil
}

// addOptions says how addAccount adds.
type addOptions struct {
	form    account.Form
	invite  bool
	consent InviteOptions
	profile permissions.ProfileID // the batch's profile, when the input names none
	batchID string
}

// invitation is what inviting queued.
type invitation struct {
	inv invite.Invitation
	msg invite.Message
}

// addAccount validates in, takes the number it asks for, creates the account
// and, when asked, its invitation and message — all in tx, all audited.
func (s *Service) addAccount(ctx context.Context, tx Tx, sc scope, in account.Input, opt addOptions) (account.Account, *invitation, error) {
	profiles, err := tx.Profiles(ctx, sc.ids)
	if err != nil {
		return account.Account{}, nil, err
	}
	if in.Profile == "" {
		in.Profile = opt.profile
	}
	d, err := account.Validate(in, account.Policy{Form: opt.form, Settings: sc.settings, Lineage: sc.ids, Profiles: profiles})
	if err != nil {
		return account.Account{}, nil, err
	}
	return s.create(ctx, tx, sc, d, opt)
}

// create takes the number a validated draft asks for, creates the account
// and, when asked, its invitation and message. Every refusal comes before the
// first write, so a caller may go on in the same transaction after one.
func (s *Service) create(ctx context.Context, tx Tx, sc scope, d account.Draft, opt addOptions) (account.Account, *invitation, error) {
	a, err := s.newAccount(d, sc.org().ID, s.now(), opt)
	if err != nil {
		return account.Account{}, nil, err
	}
	if err := tx.LockOrg(ctx, a.OrgID); err != nil {
		return account.Account{}, nil, err
	}
	capBefore, err := tx.Capacity(ctx, a.OrgID)
	if err != nil {
		return account.Account{}, nil, err
	}
	var num numberpool.Number
	if !d.Number.IsZero() {
		if num, err = pickNumber(ctx, tx, a.OrgID, d.Number); err != nil {
			return account.Account{}, nil, err
		}
		a.Number = num.E164
	}
	if _, err := numberpool.Weigh(capBefore, num, opt.invite); err != nil {
		return account.Account{}, nil, err
	}
	if err := tx.CreateAccount(ctx, a); err != nil {
		return account.Account{}, nil, accountUnique(err, a)
	}
	if err := s.audit(ctx, tx, sc.admin.ID, a.OrgID, ActionAccountCreated, string(a.ID), nil, accountJSON(a)); err != nil {
		return account.Account{}, nil, err
	}
	if a.Number != "" {
		if _, err := s.assign(ctx, tx, sc, a, num, &capBefore, nil); err != nil {
			return account.Account{}, nil, err
		}
	}
	if !opt.invite {
		return a, nil, nil
	}
	inv, err := s.invite(ctx, tx, sc, a, opt.consent)
	if err != nil {
		return account.Account{}, nil, err
	}
	return a, inv, nil
}

// newAccount makes the account a validated draft describes, in organization
// o: Not Invited, or Invited when opt invites, which an SMS invitation
// without the consent attestation may not be.
func (s *Service) newAccount(d account.Draft, o org.ID, now time.Time, opt addOptions) (account.Account, error) {
	a := d.Account
	a.ID, a.OrgID, a.Status, a.Created, a.Updated, a.BatchID = account.ID(newID()), o, account.NotInvited, now, now, opt.batchID
	if opt.invite {
		if invite.ChannelFor(a) == invite.SMS && !opt.consent.SMSConsent {
			return account.Account{}, invite.ErrConsentRequired
		}
		a.Status = account.Invited
	}
	return a, nil
}

// assign gives num to a, audited, and queues the utilization alert when the
// change crossed the organization's threshold; capBefore is the
// organization's capacity before it, nil for a caller that weighs the alert
// itself (a late group, see createGroup). It returns the number as assigned.
// The audit's snapshots are written into *buf, kept for the caller's next
// use (Tx keeps nothing of its arguments); nil: into buffers of their own.
func (s *Service) assign(ctx context.Context, tx Tx, sc scope, a account.Account, num numberpool.Number, capBefore *numberpool.Capacity, buf *[]byte) (numberpool.Number, error) {
	assigned, err := num.Assign(string(a.ID))
	if err != nil {
		return numberpool.Number{}, err
	}
	if err := tx.UpdateNumber(ctx, assigned); err != nil {
		return numberpool.Number{}, err
	}
	var before, after json.RawMessage
	if buf == nil {
		before, after = numberJSON(num), numberJSON(assigned)
	} else {
		*buf = appendNumberJSON((*buf)[:0], num)
		n := len(*buf)
		*buf = appendNumberJSON(*buf, assigned)
		before, after = (*buf)[:n:n], (*buf)[n:]
	}
	if err := s.auditJSON(ctx, tx, sc.admin.ID, a.OrgID, ActionNumberAssigned, num.E164, before, after); err != nil {
		return numberpool.Number{}, err
	}
	if capBefore == nil {
		return assigned, nil
	}
	return assigned, s.utilizationAlert(ctx, tx, sc.admin.ID, sc.org(), sc.settings, *capBefore)
}

// invite creates the invitation of a, queues its message and audits both.
func (s *Service) invite(ctx context.Context, tx Tx, sc scope, a account.Account, opts InviteOptions) (*invitation, error) {
	inv, m, err := s.newInvitation(sc, a, opts)
	if err != nil {
		return nil, err
	}
	if err := tx.Enqueue(ctx, stored(m)); err != nil {
		return nil, err
	}
	if err := tx.CreateInvitation(ctx, inv); err != nil {
		return nil, err
	}
	if err := s.audit(ctx, tx, sc.admin.ID, a.OrgID, ActionInvitationCreated, string(a.ID), nil, inv.AuditView()); err != nil {
		return nil, err
	}
	return &invitation{inv: inv, msg: m}, nil
}

// newInvitation makes the invitation of a and renders its message, writing
// nothing.
func (s *Service) newInvitation(sc scope, a account.Account, opts InviteOptions) (invite.Invitation, invite.Message, error) {
	return s.newInvitationAt(sc, a, opts, s.now())
}

// newInvitationAt is newInvitation at the time now: an import's group
// invites its rows at the time it creates them, so that they share an
// expiry and its text is formatted once.
func (s *Service) newInvitationAt(sc scope, a account.Account, opts InviteOptions, now time.Time) (invite.Invitation, invite.Message, error) {
	p := invite.Params{ID: invite.ID(newID()), Now: now, TTL: sc.settings.InvitationTTL, Rand: s.rand}
	if opts.SMSConsent {
		p.Consent = &invite.Consent{AdminID: string(sc.admin.ID), At: now, Disclaimer: opts.Disclaimer}
	}
	inv, token, err := invite.New(a, p)
	if err != nil {
		return invite.Invitation{}, invite.Message{}, err
	}
	m := s.invitationMessage(sc, a, &inv, token)
	return inv, m, nil
}

// invitationMessage renders the invitation message of inv to a with the
// organization's templates, in the account's language, else the
// organization's, else English, and points inv at it. The message is
// leased to the call that queues it (see leased).
func (s *Service) invitationMessage(sc scope, a account.Account, inv *invite.Invitation, t invite.Token) invite.Message {
	m := s.renderInvitation(sc.templates(), sc.org().Name, sc.settings.Language, a, *inv, t)
	m.NextAttempt = s.leased(m.Created)
	m.ID = invite.MessageID(newID())
	inv.Message = m.ID
	return m
}

// pickNumber finds the number sel asks for in organization o: the number
// itself, which must be free in o, or one under the tag (Reserved first,
// then Available).
func pickNumber(ctx context.Context, tx Tx, o org.ID, sel numberpool.Selector) (numberpool.Number, error) {
	if sel.E164 != "" {
		n, err := tx.Number(ctx, sel.E164)
		if err != nil && !errors.Is(err, mlerr.ErrNotFound) {
			return numberpool.Number{}, err
		}
		if err != nil || numberpool.CheckPick(n, o) != nil {
			return numberpool.Number{}, notAvailable(sel.E164)
		}
		return n, nil
	}
	for _, st := range []numberpool.State{numberpool.Reserved, numberpool.Available} {
		n, err := tx.PickNumber(ctx, NumberQuery{Org: o, State: st, Tag: sel.Tag})
		if err == nil {
			return n, nil
		}
		if !errors.Is(err, mlerr.ErrNotFound) {
			return numberpool.Number{}, err
		}
	}
	return numberpool.Number{}, account.TagExhausted(sel.Tag)
}

// notAvailable refuses a number a row names that is not free in its
// organization.
func notAvailable(e164 string) error { return account.NumberNotAvailable(e164) }

// accountUnique turns a store's *UniqueError on an account into the field
// error an administrator reads.
func accountUnique(err error, a account.Account) error {
	var u *UniqueError
	if !errors.As(err, &u) {
		return err
	}
	switch u.Key {
	case KeyUsername:
		return account.UsernameTaken(a, u.Value)
	case KeyAccountID:
		return account.AccountIDTaken(u.Value)
	}
	return err
}

// Account returns one account. An account of an organization the actor does
// not cover is not found, exactly like one that does not exist.
func (s *Service) Account(ctx context.Context, actor permissions.AdminID, id account.ID) (account.Account, error) {
	var a account.Account
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		a, _, err = accountInScope(ctx, tx, actor, id)
		return err
	})
	return a, err
}

// accountInScope loads an account the actor may act on with Accounts.
func accountInScope(ctx context.Context, tx Tx, actor permissions.AdminID, id account.ID) (account.Account, scope, error) {
	// One answer for "does not exist" and "exists where you cannot look",
	// whatever the store's own wording.
	notFound := fmt.Errorf("multiline: account %s: %w", id, mlerr.ErrNotFound)
	a, err := tx.Account(ctx, id)
	if errors.Is(err, mlerr.ErrNotFound) {
		return account.Account{}, scope{}, notFound
	}
	if err != nil {
		return account.Account{}, scope{}, err
	}
	sc, err := authorize(ctx, tx, actor, permissions.Accounts, a.OrgID)
	if errors.Is(err, permissions.ErrForbidden) {
		return account.Account{}, scope{}, notFound
	}
	return a, sc, err
}

// Invitation returns an account's invitation and the delivery state of its
// current message. It needs Accounts on the account's organization.
func (s *Service) Invitation(ctx context.Context, actor permissions.AdminID, id account.ID) (invite.Invitation, Delivery, error) {
	var inv invite.Invitation
	var d Delivery
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		a, _, err := accountInScope(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if inv, err = tx.Invitation(ctx, a.ID); err != nil {
			return err
		}
		m, err := tx.Message(ctx, inv.Message)
		if err != nil {
			return err
		}
		d = deliveryOf(m)
		return nil
	})
	return inv.WithoutHashes(), d, err
}

// ListAccounts returns a page of an organization's accounts, oldest first.
// It needs Accounts on the organization.
func (s *Service) ListAccounts(ctx context.Context, actor permissions.AdminID, o org.ID, p Page) (List[account.Account], error) {
	var l List[account.Account]
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		if _, err := authorize(ctx, tx, actor, permissions.Accounts, o); err != nil {
			return err
		}
		var err error
		l.Items, l.Next, err = tx.ListAccounts(ctx, o, p.Normalize())
		return err
	})
	return l, err
}

// ListNumbers returns a page of an organization's numbers, by number. It
// needs Accounts on the organization (administrators pick numbers when they
// add accounts).
func (s *Service) ListNumbers(ctx context.Context, actor permissions.AdminID, o org.ID, p Page) (List[numberpool.Number], error) {
	var l List[numberpool.Number]
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		if _, err := authorize(ctx, tx, actor, permissions.Accounts, o); err != nil {
			return err
		}
		var err error
		l.Items, l.Next, err = tx.ListNumbers(ctx, o, p.Normalize())
		return err
	})
	return l, err
}

package multiline

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// MaxMoveSelection is the most accounts one move takes, the same as one CSV
// upload: a selection on the Accounts screen never holds more.
const MaxMoveSelection = account.MaxSelection

// MoveCapacityMessage is the portal's exact text for a move refused because
// the destination lacks Available numbers for the pending invitations
// without a number.
const MoveCapacityMessage = "Unable to move account(s). You do not have enough numbers available in the selected organization"

// MoveError refuses a move as a whole. Message is the text for the
// administrator; Err is the rule broken: numberpool.ErrNotEnoughNumbers for
// MoveCapacityMessage, the *mlerr.FieldError of the account rule the
// destination's settings refuse (its email, its profile), or the move
// guard's *org.MoveRefusal. An invalid selection is refused as every action
// on a selection is, with account.CheckSelection's *mlerr.FieldError.
type MoveError struct {
	Message string
	// Account names the account the refusal is about, if it is about one.
	Account account.ID
	// Code, when set, is the refusal's stable code; otherwise ErrorCode
	// derives it from Err.
	Code string
	Err  error
}

func (e *MoveError) Error() string { return "multiline: move refused: " + e.Message }

// Unwrap returns the sentinel.
func (e *MoveError) Unwrap() error { return e.Err }

// MoveOptions are the administrator's choices for a move.
type MoveOptions struct {
	// Profile, when set, is the user-permissions profile the moved accounts
	// take in the destination; it must be one the destination can use.
	// Unset, an account keeps its profile when the destination can use it
	// and takes the destination's default otherwise.
	Profile permissions.ProfileID
}

// Change is one setting a move changes on an account, because the
// destination decides it differently.
type Change struct {
	Field string // user_permissions, features, applications, social_messaging, restrict_incoming_social_messaging
	From  string
	To    string
}

// MovePlan says what a move does (or would do) to each account, in the order
// of the selection.
type MovePlan struct {
	To       org.ID
	Accounts []MovedAccount
}

// MovedAccount is one account of a move and the changes the destination's
// settings make to it.
type MovedAccount struct {
	Account account.ID
	From    org.ID
	Number  string // the number it takes along, if any
	Changes []Change
}

// CanMove answers, without changing anything, whether the accounts can move
// to the destination: nil and the plan of every change the move would make,
// or the reason it would be refused (a *MoveError, or the error the move
// itself would return). A host can show the reason before the administrator
// clicks. It needs Accounts on the accounts' organizations and on the
// destination.
func (s *Service) CanMove(ctx context.Context, actor permissions.AdminID, ids []account.ID, to org.ID, opts MoveOptions) (MovePlan, error) {
	var plan MovePlan
	errDryRun := errors.New("dry run")
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		if plan, err = s.move(ctx, tx, actor, ids, to, opts); err != nil {
			return err
		}
		// Roll back: the plan was computed by doing the move.
		return errDryRun
	})
	if errors.Is(err, errDryRun) {
		return plan, nil
	}
	return MovePlan{}, err
}

// Move moves the accounts to another organization of the same tree, all of
// them or none. Accounts with a number take it along; pending invitations
// without a number move only if the destination has an Available number for
// each of them (otherwise a *MoveError with MoveCapacityMessage, wrapping
// numberpool.ErrNotEnoughNumbers). The destination's settings apply after the
// move and every change they make is listed in the plan. It needs Accounts
// on the accounts' organizations and on the destination.
func (s *Service) Move(ctx context.Context, actor permissions.AdminID, ids []account.ID, to org.ID, opts MoveOptions) (MovePlan, error) {
	var plan MovePlan
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		plan, err = s.move(ctx, tx, actor, ids, to, opts)
		return err
	})
	if err != nil {
		return MovePlan{}, err
	}
	return plan, nil
}

func (s *Service) move(ctx context.Context, tx Tx, actor permissions.AdminID, ids []account.ID, to org.ID, opts MoveOptions) (MovePlan, error) {
	if err := account.CheckSelection(ids); err != nil {
		return MovePlan{}, err
	}
	dst, err := authorize(ctx, tx, actor, permissions.Accounts, to)
	if err != nil {
		return MovePlan{}, err
	}
	// Load and authorize the selection first, so that an account the actor
	// cannot see is not found before anything else is said about it.
	accts := make([]account.Account, len(ids))
	srcs := map[org.ID]scope{}
	for i, id := range ids {
		a, sc, err := accountInScope(ctx, tx, actor, id)
		if err != nil {
			return MovePlan{}, err
		}
		accts[i], srcs[a.OrgID] = a, sc
	}
	for _, a := range accts {
		if err := org.CheckMove(srcs[a.OrgID].lineage, dst.lineage); err != nil {
			var r *org.MoveRefusal
			if !errors.As(err, &r) {
				return MovePlan{}, err
			}
			return MovePlan{}, &MoveError{Message: r.Reason, Account: a.ID, Err: r}
		}
	}
	// Lock every organization whose capacity the move weighs, in one order,
	// so that concurrent moves cannot deadlock.
	locks := []org.ID{to}
	for o := range srcs {
		locks = append(locks, o)
	}
	slices.Sort(locks)
	for _, o := range locks {
		if err := tx.LockOrg(ctx, o); err != nil {
			return MovePlan{}, err
		}
	}
	capBefore, err := tx.Capacity(ctx, to)
	if err != nil {
		return MovePlan{}, err
	}
	profiles, err := tx.Profiles(ctx, dst.ids)
	if err != nil {
		return MovePlan{}, err
	}
	if opts.Profile != "" && !slices.ContainsFunc(profiles, func(p permissions.Profile) bool { return p.ID == opts.Profile }) {
		return MovePlan{}, &MoveError{Message: "the chosen user permissions profile is not one the destination can use",
			Err: mlerr.Invalid("user_permissions", account.CodeProfileNotVisible, string(opts.Profile), "User Permissions: the profile is not one this organization can use")}
	}
	def, hasDefault := permissions.DefaultFor(profiles, dst.ids)

	plan := MovePlan{To: to, Accounts: make([]MovedAccount, len(accts))}
	for i, a := range accts {
		// The destination's email rules are the ones every new account of
		// it meets (account.Validate's).
		if fe := account.CheckOrgEmail(a.Email, dst.settings); fe != nil {
			msg := fmt.Sprintf("%s is outside the email domains %s allows", a.Email, dst.org().Name)
			if a.Email == "" {
				msg = fmt.Sprintf("%s has no email, and %s requires one (SMTP data offload)", a.Username, dst.org().Name)
			}
			return MovePlan{}, &MoveError{Message: msg, Account: a.ID, Err: fe}
		}
		moved, changes := applyDestination(a, dst, profiles, opts.Profile, def, hasDefault)
		if moved.ProfileID == "" {
			return MovePlan{}, &MoveError{Message: fmt.Sprintf("%s has no user permissions profile it can use there: choose one", dst.org().Name), Account: a.ID,
				Err: mlerr.Invalid("user_permissions", account.CodeProfileNoDefault, "", "User Permissions: the organization has no default profile; choose one")}
		}
		moved.OrgID, moved.Updated = to, s.now()
		plan.Accounts[i] = MovedAccount{Account: a.ID, From: a.OrgID, Number: a.Number, Changes: changes}
		if err := s.relocate(ctx, tx, actor, a, moved); err != nil {
			var u *UniqueError
			if errors.As(err, &u) && u.Key == KeyAccountID {
				// Account IDs are unique within an organization: the
				// destination has an account with this one already.
				return MovePlan{}, &MoveError{Message: fmt.Sprintf("%s: Account ID %q is already used in %s", a.Username, a.AccountID, dst.org().Name),
					Account: a.ID, Code: CodeMoveAccountIDTaken, Err: mlerr.ErrAlreadyExists}
			}
			return MovePlan{}, err
		}
	}
	c, err := tx.Capacity(ctx, to)
	if err != nil {
		return MovePlan{}, err
	}
	// The moved pending invitations are counted in c already: the invariant
	// must hold with them.
	if err := numberpool.CheckCapacity(c, 0, 0); err != nil {
		return MovePlan{}, &MoveError{Message: MoveCapacityMessage, Err: numberpool.ErrNotEnoughNumbers}
	}
	return plan, s.utilizationAlert(ctx, tx, actor, dst.org(), dst.settings, capBefore)
}

// applyDestination returns a as the destination's settings make it, and the
// changes that makes.
func applyDestination(a account.Account, dst scope, profiles []permissions.Profile, chosen permissions.ProfileID, def permissions.Profile, hasDefault bool) (account.Account, []Change) {
	var ch []Change
	visible := slices.ContainsFunc(profiles, func(p permissions.Profile) bool { return p.ID == a.ProfileID })
	want := a.ProfileID
	switch {
	case chosen != "":
		want = chosen
	case !visible && hasDefault:
		want = def.ID
	case !visible:
		want = ""
	}
	if want != a.ProfileID {
		ch = append(ch, Change{Field: "user_permissions", From: string(a.ProfileID), To: string(want)})
		a.ProfileID = want
	}
	var kept []org.Feature
	for _, f := range a.Features {
		if dst.settings.HasFeature(f) {
			kept = append(kept, f)
		} else {
			ch = append(ch, Change{Field: "features", From: string(f), To: "off"})
		}
	}
	a.Features = kept
	var apps []org.Application
	for _, app := range a.Applications {
		if dst.settings.HasApplication(app) {
			apps = append(apps, app)
		} else {
			ch = append(ch, Change{Field: "applications", From: string(app), To: "off"})
		}
	}
	if len(apps) == 0 && len(dst.settings.Applications) > 0 {
		// An account onboards at least one application: the destination's
		// first, which every destination enables.
		apps = []org.Application{dst.settings.Applications[0]}
		ch = append(ch, Change{Field: "applications", From: "", To: string(apps[0])})
	}
	a.Applications = apps
	if a.SocialMessaging && !dst.settings.SocialMessaging {
		ch = append(ch, Change{Field: "social_messaging", From: "Yes", To: "No"})
		a.SocialMessaging = false
		if a.RestrictIncomingSocial {
			ch = append(ch, Change{Field: "restrict_incoming_social_messaging", From: "true", To: "false"})
			a.RestrictIncomingSocial = false
		}
	}
	return a, ch
}

// relocate writes a moved account, its number and its invitation, audited in
// both organizations.
func (s *Service) relocate(ctx context.Context, tx Tx, actor permissions.AdminID, before, after account.Account) error {
	if err := tx.UpdateAccount(ctx, after); err != nil {
		return err
	}
	for _, o := range []org.ID{before.OrgID, after.OrgID} {
		if err := s.audit(ctx, tx, actor, o, ActionAccountMoved, string(after.ID), before, after); err != nil {
			return err
		}
	}
	if after.Number != "" {
		n, err := tx.Number(ctx, after.Number)
		if err != nil {
			return err
		}
		moved, err := n.Follow(after.OrgID)
		if err != nil {
			return err
		}
		if err := tx.UpdateNumber(ctx, moved); err != nil {
			return err
		}
		for _, o := range []org.ID{before.OrgID, after.OrgID} {
			if err := s.audit(ctx, tx, actor, o, ActionNumberMoved, n.E164, n, moved); err != nil {
				return err
			}
		}
	}
	inv, err := tx.Invitation(ctx, after.ID)
	if errors.Is(err, mlerr.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	inv.OrgID = after.OrgID
	return tx.UpdateInvitation(ctx, inv)
}

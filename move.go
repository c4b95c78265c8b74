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

// ErrorCode returns Code when set, CodeMoveNotEnoughNumbers for a move refused for
// capacity, and otherwise the code of the rule broken (Err's): an account
// rule's (email.required_smtp_offload, email.domain_not_allowed,
// user_permissions.not_visible, ...) or the move guard's (move.same_org,
// move.other_tree, ...).
func (e *MoveError) ErrorCode() string {
	if e.Code != "" {
		return e.Code
	}
	if errors.Is(e.Err, numberpool.ErrNotEnoughNumbers) {
		return CodeMoveNotEnoughNumbers
	}
	return mlerr.CodeOf(e.Err)
}

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
type Change = account.Change

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
	dest := account.NewDestination(dst.org(), dst.settings, profiles, dst.ids)
	if err := dest.CheckProfile(opts.Profile); err != nil {
		return MovePlan{}, destinationRefusal(err, "")
	}

	plan := MovePlan{To: to, Accounts: make([]MovedAccount, len(accts))}
	for i, a := range accts {
		moved, changes, err := dest.Admit(a, opts.Profile)
		if err != nil {
			return MovePlan{}, destinationRefusal(err, a.ID)
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

// destinationRefusal is the *MoveError of an account.DestinationError about
// account id (none when empty).
func destinationRefusal(err error, id account.ID) error {
	var d *account.DestinationError
	if !errors.As(err, &d) {
		return err
	}
	return &MoveError{Message: d.Reason, Account: id, Err: d.Err}
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

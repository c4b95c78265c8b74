package multiline

import (
	"context"
	"fmt"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
)

// createGroup does for each draft of ds what create does for one, in tx,
// with the store's group calls: the named numbers are read in one call and
// the keys checked in one, every row is decided (consent, number, capacity,
// keys) before it writes, and the accounts, invitations and messages of the
// rows accepted are written in one call each. Rows are decided in order and
// each sees the ones before it, so the outcome is create's, row by row. A
// row refused gets its error in errs and writes nothing; an error that is
// not a row's fails the group, and so does a key that a concurrent
// transaction took after the check (a *UniqueError), which the caller may
// answer by running the rows through create instead.
func (s *Service) createGroup(ctx context.Context, tx Tx, sc scope, ds []account.Draft, opt addOptions) ([]account.Account, []*invitation, []error, error) {
	n := len(ds)
	accts := make([]account.Account, n)
	invs := make([]*invitation, n)
	errs := make([]error, n)
	o := sc.org().ID
	if err := tx.LockOrg(ctx, o); err != nil {
		return nil, nil, nil, err
	}

	now := s.now()
	var named []string
	for i, d := range ds {
		a, err := s.newAccount(d, o, now, opt)
		if err != nil {
			errs[i] = err
			continue
		}
		accts[i] = a
		if d.Number.E164 != "" {
			named = append(named, d.Number.E164)
		}
	}
	numbers := map[string]numberpool.Number{}
	if len(named) > 0 {
		found, err := tx.Numbers(ctx, named)
		if err != nil {
			return nil, nil, nil, err
		}
		for _, num := range found {
			numbers[num.E164] = num
		}
	}
	candidates := make([]account.Account, 0, n)
	for i := range accts {
		if errs[i] == nil {
			candidates = append(candidates, accts[i])
		}
	}
	conflicts, err := tx.AccountConflicts(ctx, candidates)
	if err != nil {
		return nil, nil, nil, err
	}
	if len(conflicts) != len(candidates) {
		return nil, nil, nil, fmt.Errorf("multiline: the store answered AccountConflicts for %d accounts of %d", len(conflicts), len(candidates))
	}

	// What the rows accepted so far took: the store sees their numbers (they
	// are updated as they are taken) but not yet their accounts.
	usernames := map[string]bool{}
	accountIDs := map[string]bool{}
	pending := 0
	created := candidates[:0] // candidates are not read again: reuse their array
	var newInvs []invite.Invitation
	var msgs []invite.Message
	if opt.invite {
		newInvs, msgs = make([]invite.Invitation, 0, len(candidates)), make([]invite.Message, 0, len(candidates))
	}
	k := 0
	for i, d := range ds {
		if errs[i] != nil {
			continue
		}
		a, conflict := accts[i], conflicts[k]
		k++
		accts[i] = account.Account{}
		capBefore, err := tx.Capacity(ctx, o)
		if err != nil {
			return nil, nil, nil, err
		}
		capBefore.Pending += pending
		var num numberpool.Number
		if !d.Number.IsZero() {
			if d.Number.E164 != "" {
				num, err = namedNumber(numbers, o, d.Number.E164)
			} else {
				num, err = pickNumber(ctx, tx, o, d.Number)
			}
			if err != nil {
				if !batch.RowLevel(err) {
					return nil, nil, nil, err
				}
				errs[i] = err
				continue
			}
			a.Number = num.E164
		}
		add, err := numberpool.Weigh(capBefore, num, opt.invite)
		if err != nil {
			errs[i] = err
			continue
		}
		if conflict == nil {
			switch {
			case usernames[a.Username]:
				conflict = &UniqueError{Key: KeyUsername, Value: a.Username}
			case a.AccountID != "" && accountIDs[a.AccountID]:
				conflict = &UniqueError{Key: KeyAccountID, Value: a.AccountID}
			}
		}
		if conflict != nil {
			errs[i] = accountUnique(conflict, a)
			continue
		}

		// Accepted: from here on, every failure is the group's.
		usernames[a.Username] = true
		if a.AccountID != "" {
			accountIDs[a.AccountID] = true
		}
		pending += add
		created = append(created, a)
		accts[i] = a
		if err := s.audit(ctx, tx, sc.admin.ID, o, ActionAccountCreated, string(a.ID), nil, accountJSON(a)); err != nil {
			return nil, nil, nil, err
		}
		if a.Number != "" {
			assigned, err := s.assign(ctx, tx, sc, a, num, capBefore)
			if err != nil {
				return nil, nil, nil, err
			}
			numbers[assigned.E164] = assigned
		}
		if !opt.invite {
			continue
		}
		inv, m, err := s.newInvitationAt(sc, a, opt.consent, now)
		if err != nil {
			return nil, nil, nil, err
		}
		// The rendered message is kept for the first attempt; the outbox
		// stores it without its body (see stored).
		newInvs, msgs = append(newInvs, inv), append(msgs, stored(m))
		invs[i] = &invitation{inv: inv, msg: m}
		if err := s.audit(ctx, tx, sc.admin.ID, o, ActionInvitationCreated, string(a.ID), nil, inv.AuditView()); err != nil {
			return nil, nil, nil, err
		}
	}
	if err := tx.CreateAccounts(ctx, created); err != nil {
		return nil, nil, nil, err
	}
	if err := tx.EnqueueAll(ctx, msgs); err != nil {
		return nil, nil, nil, err
	}
	if err := tx.CreateInvitations(ctx, newInvs); err != nil {
		return nil, nil, nil, err
	}
	return accts, invs, errs, nil
}

// namedNumber is pickNumber's answer for a number the row names, from the
// numbers read for the group.
func namedNumber(numbers map[string]numberpool.Number, o org.ID, e164 string) (numberpool.Number, error) {
	n, ok := numbers[e164]
	if !ok || numberpool.CheckPick(n, o) != nil {
		return numberpool.Number{}, notAvailable(e164)
	}
	return n, nil
}

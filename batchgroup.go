package multiline

import (
	"context"
	"errors"
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
//
// It returns, for each row, the account created (zero for a row refused),
// and the messages of the invitations, in row order.
//
// With late set, the group locks its organization last rather than first
// (see errLateLock): it decides every row against the capacity counts as
// last committed, writes, and only then locks the organization and checks
// the invariant on the counts its writes left. The organization is then
// held from the group's last round trip to its commit, not for all of the
// group's work, so that uploads into one organization overlap. The outcome
// is the locked group's whenever late returns no error: capacity only
// shrinks within a group (Available numbers taken, pending invitations
// added), so counts that hold at the end held after every row, and a row
// that the locked group would refuse for capacity makes the invariant fail
// at the end. When late cannot vouch for that (a row refused for capacity
// against unlocked counts, the invariant broken at the end, or the
// utilization alert's threshold crossed, whose alert the locked group
// places at its row) it returns errLateLock and the caller runs the group
// again locked. A late group's tally is for lateCheck, which the caller
// runs as the last step of the transaction; late is tally != nil.
//
// Its arrays of accounts, invitations and messages are scr's, reused from
// one group to the next (nil: new ones); the messages returned are valid
// until the next call with scr.
func (s *Service) createGroup(ctx context.Context, tx Tx, sc scope, ds []account.Draft, opt addOptions, tally *lateTally, scr *groupScratch) ([]createdRow, []invite.Message, []error, error) {
	late := tally != nil
	n := len(ds)
	errs := make([]error, n)
	o := sc.org().ID
	// counts are the unlocked counts a late group weighs its rows against,
	// kept up to date with the group's own rows.
	var counts numberpool.Capacity
	if late {
		*tally = lateTally{}
		var err error
		if counts, err = tx.Capacity(ctx, o); err != nil {
			return nil, nil, nil, err
		}
	} else if err := tx.LockOrg(ctx, o); err != nil {
		return nil, nil, nil, err
	}

	now := s.now()
	// The rows' accounts, and the row of each: the accounts go to the store
	// as they are, with no copy per step.
	if scr == nil {
		scr = new(groupScratch)
	}
	candidates := reuse(&scr.accounts, n)
	rowOf := make([]int, 0, n)
	var named []string
	withNumber := 0 // the candidates that ask for a number
	for i, d := range ds {
		a, err := s.newAccount(d, o, now, opt)
		if err != nil {
			errs[i] = err
			continue
		}
		candidates, rowOf = append(candidates, a), append(rowOf, i)
		if !d.Number.IsZero() {
			withNumber++
		}
		if d.Number.E164 != "" {
			named = append(named, d.Number.E164)
		}
	}
	// numbers are the named numbers as the group's rows leave them, for
	// the rows after: nil when no row names one, since then no row reads
	// it.
	var numbers map[string]numberpool.Number
	if len(named) > 0 {
		found, err := tx.Numbers(ctx, named)
		if err != nil {
			return nil, nil, nil, err
		}
		numbers = make(map[string]numberpool.Number, len(found)+withNumber)
		for _, num := range found {
			numbers[num.E164] = num
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
	usernames := make(map[string]bool, len(candidates))
	accountIDs := map[string]bool{}
	pending := 0
	rows := make([]createdRow, n)
	// candidates[k] is read before created's k-th entry is written: reuse
	// their array.
	created := candidates[:0]
	var newInvs []invite.Invitation
	var msgs []invite.Message
	if opt.invite {
		newInvs = reuse(&scr.invitations, len(candidates))
		msgs = reuse(&scr.messages, len(candidates))
	}
	for k := range candidates {
		i := rowOf[k]
		d, a, conflict := &ds[i], candidates[k], conflicts[k]
		capBefore := counts
		var err error
		if !late {
			if capBefore, err = tx.Capacity(ctx, o); err != nil {
				return nil, nil, nil, err
			}
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
			if late {
				return nil, nil, nil, errLateLock
			}
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
		rows[i] = createdRow{ID: a.ID, Number: a.Number}
		scr.snapshot = appendAccountJSON(scr.snapshot[:0], a)
		if err := s.auditJSON(ctx, tx, sc.admin.ID, o, ActionAccountCreated, string(a.ID), nil, scr.snapshot); err != nil {
			return nil, nil, nil, err
		}
		if a.Number != "" {
			alert := &capBefore
			if late {
				// The alert is weighed once, at the end.
				alert = nil
				if num.State == numberpool.Available {
					counts.Available--
					tally.took++
				}
				counts.Held++
				tally.held++
			}
			assigned, err := s.assign(ctx, tx, sc, a, num, alert, &scr.snapshot)
			if err != nil {
				return nil, nil, nil, err
			}
			if numbers != nil {
				numbers[assigned.E164] = assigned
			}
		}
		if !opt.invite {
			continue
		}
		inv, m, err := s.newInvitationAt(sc, a, opt.consent, now)
		if err != nil {
			return nil, nil, nil, err
		}
		// The rendered message goes to the first attempt; the outbox
		// stores it without its body (see enqueueStored).
		newInvs, msgs = append(newInvs, inv), append(msgs, m)
		scr.snapshot = appendInvitationJSON(scr.snapshot[:0], inv.AuditView())
		if err := s.auditJSON(ctx, tx, sc.admin.ID, o, ActionInvitationCreated, string(a.ID), nil, scr.snapshot); err != nil {
			return nil, nil, nil, err
		}
	}
	if err := tx.CreateAccounts(ctx, created); err != nil {
		return nil, nil, nil, err
	}
	if err := enqueueStored(ctx, tx, msgs); err != nil {
		return nil, nil, nil, err
	}
	if err := tx.CreateInvitations(ctx, newInvs); err != nil {
		return nil, nil, nil, err
	}
	if late {
		tally.pending = pending
	}
	return rows, msgs, errs, nil
}

// enqueueStored queues the stored form of each of ms (see stored) and
// leaves ms as they were. The bodies are set aside while the messages are
// queued, rather than the messages copied whole (a Message is some 340
// bytes, its two bodies 32). A store keeps nothing of the slice it is given
// (store/storetest holds every store to that), so the bodies can go back.
func enqueueStored(ctx context.Context, tx Tx, ms []invite.Message) error {
	type body struct{ text, html string }
	bodies := make([]body, len(ms))
	for i := range ms {
		bodies[i] = body{ms[i].Text, ms[i].HTML}
		ms[i] = stored(ms[i])
	}
	err := tx.EnqueueAll(ctx, ms)
	for i, b := range bodies {
		ms[i].Text, ms[i].HTML = b.text, b.html
	}
	return err
}

// groupScratch are the arrays an import's groups write their accounts,
// invitations and messages into before the store copies them: one import's
// groups run one after the other, and each group's arrays are dead once it
// has committed and sent its invitations. Reused, a 1000-row import
// allocates them for 700 rows (its groups of 100, 200 and 400 rows, the
// last 300 rows in the 400's) rather than for every row.
type groupScratch struct {
	accounts    []account.Account
	invitations []invite.Invitation
	messages    []invite.Message
	// snapshot holds the audit snapshots of one row's events at a time: the
	// store copies an event's bytes when it is appended (Tx keeps nothing of
	// its arguments), so each row's write over the last's.
	snapshot []byte
	// delivered holds a group's invitations as their delivery recorded
	// them (see deliverIn), each group's over the last's.
	delivered []invite.Message
}

// reuse returns *buf emptied, with room for n elements: the same array
// when it has the room (cleared, so that it holds nothing alive), else a
// new one, kept in *buf.
func reuse[T any](buf *[]T, n int) []T {
	if cap(*buf) < n {
		*buf = make([]T, 0, n)
	}
	b := (*buf)[:cap(*buf)]
	clear(b)
	return b[:0]
}

// createdRow is what createGroup's caller needs of an account it created.
type createdRow struct {
	ID     account.ID
	Number string
}

// errLateLock answers a group that locked its organization late (see
// createGroup) and cannot vouch that its outcome is the locked group's;
// the caller rolls it back and runs it again, locked first.
var errLateLock = errors.New("multiline: the group's capacity must be weighed under the organization's lock")

// lateTally is what a late group changed of its organization's counts: the
// Available numbers it took, the numbers it assigned and the pending
// invitations (without a number) it added.
type lateTally struct{ took, held, pending int }

// lateCheck ends a late group (see createGroup): it locks the organization
// and checks, on the counts the group's writes left, the capacity invariant
// and that the group did not cross the utilization alert's threshold. It
// answers errLateLock when either fails. The caller runs it after the
// group's last read, so that the lock is held from this round trip to the
// commit.
func lateCheck(ctx context.Context, tx Tx, sc scope, t lateTally) error {
	o := sc.org().ID
	if err := tx.LockOrg(ctx, o); err != nil {
		return err
	}
	after, err := tx.Capacity(ctx, o)
	if err != nil {
		return err
	}
	if numberpool.CheckCapacity(after, 0, 0) != nil {
		return errLateLock
	}
	before := after
	before.Available, before.Held, before.Pending = after.Available+t.took, after.Held-t.held, after.Pending-t.pending
	if e := sc.settings; e.UtilizationAlert > 0 && len(e.AlertRecipients) > 0 && numberpool.Crossed(before, after, e.UtilizationAlert) {
		return errLateLock
	}
	return nil
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

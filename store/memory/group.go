package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
)

// The group calls. Transactions are serialized, so these are loops over the
// single-record calls; what they add is all-or-none, by undoing what the
// call did when a record of it fails.

// group runs f on each of items and, when one fails, undoes what the
// earlier ones wrote and marks the transaction as one that cannot commit.
func group[T any](t *tx, items []T, f func(T) error) error {
	mark := len(t.undo)
	for _, it := range items {
		if err := f(it); err != nil {
			for _, u := range slices.Backward(t.undo[mark:]) {
				u.run()
			}
			clear(t.undo[mark:]) // entries past the end are kept zero
			t.undo = t.undo[:mark]
			if t.failed == nil {
				t.failed = err
			}
			return err
		}
	}
	return nil
}

func (t *tx) Numbers(ctx context.Context, e164s []string) ([]numberpool.Number, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	var out []numberpool.Number
	for _, e := range e164s {
		if n, ok := t.s.numbers[e]; ok {
			out = append(out, n)
		}
	}
	slices.SortFunc(out, func(a, b numberpool.Number) int { return cmp.Compare(a.E164, b.E164) })
	return slices.CompactFunc(out, func(a, b numberpool.Number) bool { return a.E164 == b.E164 }), nil
}

func (t *tx) AccountConflicts(ctx context.Context, as []account.Account) ([]error, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	out := make([]error, len(as))
	for i, a := range as {
		switch {
		case t.s.accounts[a.ID] != nil:
			out[i] = &multiline.UniqueError{Key: multiline.KeyAccount, Value: string(a.ID)}
		case t.s.usernames[a.Username] != "":
			out[i] = &multiline.UniqueError{Key: multiline.KeyUsername, Value: a.Username}
		case a.AccountID != "" && t.s.accountIDs[[2]string{string(a.OrgID), a.AccountID}] != "":
			out[i] = &multiline.UniqueError{Key: multiline.KeyAccountID, Value: a.AccountID}
		}
	}
	return out, nil
}

func (t *tx) CreateAccounts(ctx context.Context, as []account.Account) error {
	return group(t, as, func(a account.Account) error { return t.CreateAccount(ctx, a) })
}

func (t *tx) CreateInvitations(ctx context.Context, invs []invite.Invitation) error {
	return group(t, invs, func(inv invite.Invitation) error { return t.CreateInvitation(ctx, inv) })
}

func (t *tx) EnqueueAll(ctx context.Context, ms []invite.Message) error {
	return group(t, ms, func(m invite.Message) error { return t.Enqueue(ctx, m) })
}

func (t *tx) MessagesByID(ctx context.Context, ids []invite.MessageID) ([]invite.Message, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	out := make([]invite.Message, 0, len(ids))
	for _, id := range ids {
		if m, ok := t.s.messages[id]; ok {
			out = append(out, *m)
		}
	}
	slices.SortFunc(out, func(a, b invite.Message) int { return cmp.Compare(a.ID, b.ID) })
	return slices.CompactFunc(out, func(a, b invite.Message) bool { return a.ID == b.ID }), nil
}

func (t *tx) Invitations(ctx context.Context, accounts []account.ID) ([]invite.Invitation, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	ids := slices.Clone(accounts)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := make([]invite.Invitation, 0, len(ids))
	for _, id := range ids {
		if inv, ok := t.s.invitations[id]; ok {
			out = append(out, cloneInvitation(*inv))
		}
	}
	return out, nil
}

func (t *tx) SwapDeliveries(ctx context.Context, was, ms []invite.Message) ([]bool, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	if err := checkSwap(was, ms); err != nil {
		return nil, err
	}
	swapped := make([]bool, len(ms))
	for i, m := range ms {
		p, ok := t.s.messages[m.ID]
		if !ok {
			continue
		}
		cur := *p
		if cur.State != was[i].State || cur.Attempts != was[i].Attempts || !cur.NextAttempt.Equal(was[i].NextAttempt) {
			continue
		}
		cur.State, cur.Attempts, cur.LastError, cur.NextAttempt, cur.SentAt = m.State, m.Attempts, m.LastError, m.NextAttempt, m.SentAt
		cur.Text, cur.HTML, cur.Secret = m.Text, m.HTML, m.Secret
		putR(t, t.s.oldMessages, m.ID, &cur)
		swapped[i] = true
	}
	return swapped, nil
}

// checkSwap refuses the arguments of a SwapDeliveries that the contract
// refuses: was and ms of different lengths, was[i] and ms[i] of different
// messages, or a message named twice.
func checkSwap(was, ms []invite.Message) error {
	if len(was) != len(ms) {
		return fmt.Errorf("memory: SwapDeliveries of %d messages with %d deliveries to replace: %w", len(ms), len(was), mlerr.ErrInvalid)
	}
	seen := make(map[invite.MessageID]bool, len(ms))
	for i, m := range ms {
		switch {
		case was[i].ID != m.ID:
			return fmt.Errorf("memory: SwapDeliveries pairs message %s with %s: %w", m.ID, was[i].ID, mlerr.ErrInvalid)
		case seen[m.ID]:
			return fmt.Errorf("memory: SwapDeliveries names message %s twice: %w", m.ID, mlerr.ErrInvalid)
		}
		seen[m.ID] = true
	}
	return nil
}

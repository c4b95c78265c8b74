package postgres

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
)

// The group calls. The reads are one statement each (keyed: one probe of
// the key's index per key, the rows locked in key order, as concurrent
// group reads lock them, so two of them do not deadlock each other), and
// they remember the rows as the single-row reads do, so that
// updates of them are queued. The creates send nothing themselves: each
// queues one set-based INSERT … SELECT … FROM unnest(…) that goes with the
// transaction's next round trip, or, from copyMin rows, a COPY that goes
// just before it (copy.go). Neither has ON CONFLICT: a key taken
// nonetheless fails the transaction with a *multiline.UniqueError, returned
// by the call that sent it and by Tx.

// Numbers returns the stored numbers among e164s, by E.164, and locks them.
func (t *tx) Numbers(ctx context.Context, e164s []string) ([]numberpool.Number, error) {
	if err := t.lock(ctx); err != nil {
		return nil, err
	}
	defer t.unlock()
	if len(e164s) == 0 {
		return nil, nil
	}
	out, err := readAll(ctx, t, scanNumber, t.s.q.numbersByE164, sortedKeys(slices.Clone(e164s)))
	if err != nil {
		return nil, err
	}
	for _, n := range out {
		t.knowNumber(n)
	}
	return out, nil
}

// AccountConflicts returns, for each account, the *multiline.UniqueError
// CreateAccount would return for it now, or nil, asking for all of them in
// one statement.
func (t *tx) AccountConflicts(ctx context.Context, as []account.Account) ([]error, error) {
	if err := t.lock(ctx); err != nil {
		return nil, err
	}
	defer t.unlock()
	out := make([]error, len(as))
	if len(as) == 0 {
		return out, nil
	}
	ids, usernames, orgs, accountIDs := make([]string, len(as)), make([]string, len(as)), make([]string, len(as)), make([]string, len(as))
	for i, a := range as {
		ids[i], usernames[i], orgs[i], accountIDs[i] = string(a.ID), a.Username, string(a.OrgID), a.AccountID
	}
	err := t.query(ctx, scanAll(func(r pgx.Row) error {
		var n int64
		var key string
		if err := r.Scan(&n, &key); err != nil {
			return err
		}
		if n < 1 || n > int64(len(as)) {
			return fmt.Errorf("postgres: account conflicts: row %d of %d", n, len(as))
		}
		a := as[n-1]
		ue := &multiline.UniqueError{Key: key}
		switch key {
		case multiline.KeyAccount:
			ue.Value = string(a.ID)
		case multiline.KeyUsername:
			ue.Value = a.Username
		case multiline.KeyAccountID:
			ue.Value = a.AccountID
		}
		out[n-1] = ue
		return nil
	}), t.s.q.accountConflicts, ids, usernames, orgs, accountIDs)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CreateAccounts queues the insert of the accounts, all in one statement
// (or, for a long run, a COPY).
func (t *tx) CreateAccounts(ctx context.Context, as []account.Account) error {
	if err := t.lock(ctx); err != nil {
		return err
	}
	defer t.unlock()
	if len(as) == 0 {
		return nil
	}
	rows := make([][]any, len(as))
	for i, a := range as {
		rows[i] = accountArgs(a)
	}
	t.laterRows(t.s.q.copyAccounts, t.s.q.createAccounts, rows)
	for _, a := range as {
		t.knowAccount(a)
		t.delta(a.OrgID, accountCounts(a))
	}
	return nil
}

// CreateInvitations queues the insert of the invitations and their token
// hashes, all in one statement (or, for a long run, two COPYs).
func (t *tx) CreateInvitations(ctx context.Context, invs []invite.Invitation) error {
	if err := t.lock(ctx); err != nil {
		return err
	}
	defer t.unlock()
	if len(invs) == 0 {
		return nil
	}
	rows := make([][]any, len(invs))
	var tokens [][]any
	for i, inv := range invs {
		args, err := invitationArgs(inv)
		if err != nil {
			return err
		}
		rows[i] = args
		for _, h := range tokenHashes(inv) {
			tokens = append(tokens, []any{h, string(inv.Account)})
		}
	}
	if len(rows) >= t.s.copyMin {
		// The invitations first, as the statement's WITH inserts them first.
		t.laterCopy(t.s.q.copyInvitations, rows)
		if len(tokens) > 0 {
			t.laterCopy(t.s.q.copyTokens, tokens)
		}
	} else {
		hashes, owners := make([][]byte, len(tokens)), make([]string, len(tokens))
		for i, tok := range tokens {
			// A copy, as newCopyIn makes for a COPY: the caller may reuse
			// its slices before the statement goes.
			hashes[i], owners[i] = bytes.Clone(tok[0].([]byte)), tok[1].(string)
		}
		t.later(t.s.q.createInvitations, append(arrays(invitationColumns, rows), hashes, owners)...)
	}
	for _, inv := range invs {
		t.knowInvitation(inv.Account)
	}
	return nil
}

// EnqueueAll queues the insert of the messages, all in one statement (or,
// for a long run, a COPY).
func (t *tx) EnqueueAll(ctx context.Context, ms []invite.Message) error {
	if err := t.lock(ctx); err != nil {
		return err
	}
	defer t.unlock()
	if len(ms) == 0 {
		return nil
	}
	rows := make([][]any, len(ms))
	for i, m := range ms {
		rows[i] = messageArgs(m)
	}
	t.laterRows(t.s.q.copyMessages, t.s.q.enqueueAll, rows)
	for _, m := range ms {
		t.knowMessage(m)
		// Inserted without ON CONFLICT: if the statement goes through, the
		// row is m.
		t.dueIs(string(m.ID), due(m))
	}
	return nil
}

// MessagesByID returns the stored messages among ids, oldest first (by
// ID), and locks them.
func (t *tx) MessagesByID(ctx context.Context, ids []invite.MessageID) ([]invite.Message, error) {
	if err := t.lock(ctx); err != nil {
		return nil, err
	}
	defer t.unlock()
	if len(ids) == 0 {
		return nil, nil
	}
	out, err := readAll(ctx, t, scanMessage, t.s.q.messagesByID, sortedKeys(toStrings(ids)))
	if err != nil {
		return nil, err
	}
	for _, m := range out {
		t.knowMessage(m)
	}
	return out, nil
}

// Invitations returns the invitations of the given accounts, by account
// ID, with their token hashes, and locks them.
func (t *tx) Invitations(ctx context.Context, accounts []account.ID) ([]invite.Invitation, error) {
	if err := t.lock(ctx); err != nil {
		return nil, err
	}
	defer t.unlock()
	if len(accounts) == 0 {
		return nil, nil
	}
	out, err := readAll(ctx, t, scanInvitation, t.s.q.invitationsOf, sortedKeys(toStrings(accounts)))
	if err != nil {
		return nil, err
	}
	for _, inv := range out {
		t.knowInvitation(inv.Account)
	}
	return out, nil
}

// SwapDeliveries sets the delivery, body and secret of each message of ms
// whose delivery is still was[i]'s, in one statement (swapDeliveries),
// with the messages in ID order, so that it locks them in the order the
// group reads do.
func (t *tx) SwapDeliveries(ctx context.Context, was, ms []invite.Message) ([]bool, error) {
	if err := t.lock(ctx); err != nil {
		return nil, err
	}
	defer t.unlock()
	if len(was) != len(ms) {
		return nil, fmt.Errorf("postgres: SwapDeliveries of %d messages with %d deliveries to replace: %w", len(ms), len(was), mlerr.ErrInvalid)
	}
	order := make([]int, len(ms))
	for i := range order {
		if was[i].ID != ms[i].ID {
			return nil, fmt.Errorf("postgres: SwapDeliveries pairs message %s with %s: %w", ms[i].ID, was[i].ID, mlerr.ErrInvalid)
		}
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(string(ms[a].ID), string(ms[b].ID)) })
	rows := make([][]any, len(order))
	for k, i := range order {
		if k > 0 && ms[i].ID == ms[order[k-1]].ID {
			return nil, fmt.Errorf("postgres: SwapDeliveries names message %s twice: %w", ms[i].ID, mlerr.ErrInvalid)
		}
		w, m := was[i], ms[i]
		rows[k] = []any{string(m.ID), string(w.State), w.Attempts, ts(w.NextAttempt),
			string(m.State), m.Attempts, m.LastError, ts(m.NextAttempt), ts(m.SentAt), m.Text, m.HTML, m.Secret}
	}
	swapped := make([]bool, len(ms))
	if len(ms) == 0 {
		return swapped, nil
	}
	err := t.query(ctx, scanAll(func(r pgx.Row) error {
		var id string
		if err := r.Scan(&id); err != nil {
			return err
		}
		k, found := slices.BinarySearchFunc(order, id, func(i int, id string) int { return strings.Compare(string(ms[i].ID), id) })
		if !found {
			return fmt.Errorf("postgres: SwapDeliveries swapped message %s, which it was not given", id)
		}
		swapped[order[k]] = true
		return nil
	}), t.s.q.swapDeliveries, arrays(swapColumns, rows)...)
	if err != nil {
		return nil, err
	}
	for i, ok := range swapped {
		if !ok {
			continue
		}
		if due(was[i]) != due(ms[i]) {
			t.dueIs(string(ms[i].ID), due(ms[i]))
		}
		// What the transaction knew of the message, with its new delivery.
		if k, known := t.messages[ms[i].ID]; known && k.full {
			m := ms[i]
			k.m.State, k.m.Attempts, k.m.LastError, k.m.NextAttempt, k.m.SentAt = m.State, m.Attempts, m.LastError, m.NextAttempt, m.SentAt
			k.m.Text, k.m.HTML, k.m.Secret = m.Text, m.HTML, m.Secret
			t.messages[ms[i].ID] = k
		}
	}
	return swapped, nil
}

// sortedKeys sorts keys in place, in byte order (the "C" collation of the
// key columns), drops repeated ones and returns them: the keys of a keyed
// read (see keyed).
func sortedKeys(keys []string) []string {
	slices.Sort(keys)
	return slices.Compact(keys)
}

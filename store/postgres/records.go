package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

func notFound(what string, id any) error {
	return fmt.Errorf("postgres: %s %v: %w", what, id, mlerr.ErrNotFound)
}

// readOne runs a query for at most one row and scans it, or returns
// notFound(what, id) when there is none.
func readOne[T any](ctx context.Context, t *tx, what string, id any, scan func(pgx.Row, *T) error,
	sql string, args ...any) (T, error) {
	var v, zero T
	var found bool
	if err := t.query(ctx, scanOne(&found, func(r pgx.Row) error { return scan(r, &v) }), sql, args...); err != nil {
		return zero, err
	}
	if !found {
		return zero, notFound(what, id)
	}
	return v, nil
}

// readAll runs a query and scans every row. On error it returns the rows
// scanned so far.
func readAll[T any](ctx context.Context, t *tx, scan func(pgx.Row, *T) error, sql string, args ...any) ([]T, error) {
	var out []T
	err := t.query(ctx, scanAll(func(r pgx.Row) error {
		var v T
		if err := scan(r, &v); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	}), sql, args...)
	return out, err
}

// readAndWrite sends read, a query for the row of id, and write in one round
// trip, so that a write that needs the row as it stood costs no round trip
// of its own; scan scans the row. It returns notFound(what, id) when there
// is no row.
func (t *tx) readAndWrite(ctx context.Context, what, id, read string, scan func(pgx.Row) error, write stmt) error {
	var found bool
	if _, err := t.run(ctx, stmt{sql: read, args: []any{id}, rows: scanOne(&found, scan)}, write); err != nil {
		return err
	}
	if !found {
		return notFound(what, id)
	}
	return nil
}

// put sets m[k] to v, making the map first: a transaction makes only the
// maps of the rows it touches.
func put[K comparable, V any](m *map[K]V, k K, v V) {
	if *m == nil {
		*m = map[K]V{}
	}
	(*m)[k] = v
}

// keyCheck asks whether one unique key of a record is taken.
type keyCheck struct {
	key, value string
	sql        string
	args       []any
}

// affected returns a command-tag check that reports whether a row changed.
func affected(ok *bool) func(pgconn.CommandTag) error {
	return func(tag pgconn.CommandTag) error {
		*ok = tag.RowsAffected() > 0
		return nil
	}
}

// insert runs stmts, whose first is an INSERT … ON CONFLICT DO NOTHING
// (insert sets its exec to learn whether it inserted the row). When it did
// not, insert asks which key was taken, checks in order, and returns a
// *multiline.UniqueError for the first. A conflict with a row that is gone by
// the time it asks (deleted meanwhile) is tried again.
func (t *tx) insert(ctx context.Context, checks []keyCheck, stmts ...stmt) error {
	var ok bool
	stmts[0].exec = affected(&ok)
	for range 3 {
		ok = false
		if _, err := t.run(ctx, stmts...); err != nil {
			return err
		}
		if ok {
			return nil
		}
		taken := make([]bool, len(checks))
		qs := make([]stmt, len(checks))
		for i, c := range checks {
			var found bool
			qs[i] = stmt{sql: c.sql, args: c.args, rows: scanOne(&found, func(r pgx.Row) error { return r.Scan(&taken[i]) })}
		}
		if _, err := t.run(ctx, qs...); err != nil {
			return err
		}
		for i, c := range checks {
			if taken[i] {
				return &multiline.UniqueError{Key: c.key, Value: c.value}
			}
		}
	}
	return errors.New("postgres: an insert kept conflicting with keys that were free again")
}

// Organizations.

// CreateOrg stores a new organization and its capacity row.
func (t *tx) CreateOrg(ctx context.Context, o org.Org) error {
	if err := t.lock(ctx); err != nil {
		return err
	}
	defer t.unlock()
	args, err := orgArgs(o)
	if err != nil {
		return err
	}
	return t.insert(ctx,
		[]keyCheck{{key: "org", value: string(o.ID), sql: t.s.q.orgExists, args: []any{string(o.ID)}}},
		stmt{sql: t.s.q.createOrg, args: args},
		stmt{sql: t.s.q.createOrgCapacity, args: []any{string(o.ID)}})
}

// Org returns an organization, share-locked: concurrent transactions may
// read it, and one that updates it waits for them.
func (t *tx) Org(ctx context.Context, id org.ID) (org.Org, error) {
	if err := t.lock(ctx); err != nil {
		return org.Org{}, err
	}
	defer t.unlock()
	return readOne(ctx, t, "organization", id, scanOrg, t.s.q.org, string(id))
}

// UpdateOrg replaces an organization's name and settings; its place in the
// tree and its creation time stay as stored.
func (t *tx) UpdateOrg(ctx context.Context, o org.Org) error {
	if err := t.lock(ctx); err != nil {
		return err
	}
	defer t.unlock()
	settings, err := jsonArg(o.Settings)
	if err != nil {
		return err
	}
	var ok bool
	if _, err := t.run(ctx, stmt{sql: t.s.q.updateOrg, args: []any{string(o.ID), o.Name, settings}, exec: affected(&ok)}); err != nil {
		return err
	}
	if !ok {
		return notFound("organization", o.ID)
	}
	return nil
}

// Children returns the direct sub-organizations of id, by ID.
func (t *tx) Children(ctx context.Context, id org.ID) ([]org.Org, error) {
	if err := t.lock(ctx); err != nil {
		return nil, err
	}
	defer t.unlock()
	return readAll(ctx, t, scanOrg, t.s.q.children, string(id))
}

// LockOrg locks the organization's capacity row until the transaction ends.
func (t *tx) LockOrg(ctx context.Context, id org.ID) error {
	if err := t.lock(ctx); err != nil {
		return err
	}
	defer t.unlock()
	if _, ok := t.caps[id]; ok {
		return nil
	}
	c, err := readOne(ctx, t, "organization", id, scanCounts, t.s.q.lockOrg, string(id))
	if err != nil {
		return err
	}
	put(&t.caps, id, &c)
	return nil
}

// Capacity returns an organization's counts: from the locked row when the
// transaction holds it, else read from the database.
func (t *tx) Capacity(ctx context.Context, o org.ID) (numberpool.Capacity, error) {
	if err := t.lock(ctx); err != nil {
		return numberpool.Capacity{}, err
	}
	defer t.unlock()
	c, ok := t.caps[o]
	if !ok {
		c = &counts{}
		if err := t.query(ctx, scanOne(new(bool), func(r pgx.Row) error { return scanCounts(r, c) }),
			t.s.q.capacity, string(o)); err != nil {
			return numberpool.Capacity{}, err
		}
	}
	return numberpool.Capacity{Available: c.available, Pending: c.pending, Held: c.held, Total: c.total}, nil
}

// Administrators and profiles.

// CreateAdmin stores a new administrator.
func (t *tx) CreateAdmin(ctx context.Context, a permissions.Admin) error {
	if err := t.lock(ctx); err != nil {
		return err
	}
	defer t.unlock()
	roles, err := jsonArg(a.Roles)
	if err != nil {
		return err
	}
	return t.insert(ctx, []keyCheck{
		{key: "admin", value: string(a.ID), sql: t.s.q.adminExists, args: []any{string(a.ID)}},
		{key: "admin_email", value: a.Email, sql: t.s.q.adminEmailTaken, args: []any{a.Email}},
	}, stmt{sql: t.s.q.createAdmin, args: []any{string(a.ID), a.Name, a.Email, roles, ts(a.Created)}})
}

// Admin returns an administrator. There is no update of administrators, so
// it locks nothing.
func (t *tx) Admin(ctx context.Context, id permissions.AdminID) (permissions.Admin, error) {
	if err := t.lock(ctx); err != nil {
		return permissions.Admin{}, err
	}
	defer t.unlock()
	return readOne(ctx, t, "administrator", id, scanAdmin, t.s.q.admin, string(id))
}

// CreateProfile stores a profile.
func (t *tx) CreateProfile(ctx context.Context, p permissions.Profile) error {
	if err := t.lock(ctx); err != nil {
		return err
	}
	defer t.unlock()
	return t.insert(ctx, []keyCheck{
		{key: "profile", value: string(p.ID), sql: t.s.q.profileExists, args: []any{string(p.ID)}},
		{key: "default_profile", value: string(p.OrgID), sql: t.s.q.defaultTaken, args: []any{string(p.OrgID)}},
	}, stmt{sql: t.s.q.createProfile, args: []any{string(p.ID), string(p.OrgID), p.Name, p.Default, ts(p.Created)}})
}

// Profiles returns the profiles of the given organizations, by ID.
func (t *tx) Profiles(ctx context.Context, orgs []org.ID) ([]permissions.Profile, error) {
	if err := t.lock(ctx); err != nil {
		return nil, err
	}
	defer t.unlock()
	if len(orgs) == 0 {
		return nil, nil
	}
	return readAll(ctx, t, scanProfile, t.s.q.profiles, toStrings(orgs))
}

// Numbers.

// CreateNumber stores a number.
func (t *tx) CreateNumber(ctx context.Context, n numberpool.Number) error {
	if err := t.lock(ctx); err != nil {
		return err
	}
	defer t.unlock()
	if err := t.insert(ctx, []keyCheck{{key: "number", value: n.E164, sql: t.s.q.numberExists, args: []any{n.E164}}},
		stmt{sql: t.s.q.createNumber, args: numberArgs(n)}); err != nil {
		return err
	}
	t.knowNumber(n)
	t.delta(n.OrgID, numberCounts(n))
	return nil
}

func (t *tx) knowNumber(n numberpool.Number) { put(&t.numbers, n.E164, n) }

// Number returns a number and locks it.
func (t *tx) Number(ctx context.Context, e164 string) (numberpool.Number, error) {
	if err := t.lock(ctx); err != nil {
		return numberpool.Number{}, err
	}
	defer t.unlock()
	n, err := readOne(ctx, t, "number", e164, scanNumber, t.s.q.number, e164)
	if err != nil {
		return numberpool.Number{}, err
	}
	t.knowNumber(n)
	return n, nil
}

// UpdateNumber replaces a number's record. A number this transaction has
// locked is written with its next round trip; another is locked and written
// in one.
func (t *tx) UpdateNumber(ctx context.Context, n numberpool.Number) error {
	if err := t.lock(ctx); err != nil {
		return err
	}
	defer t.unlock()
	old, known := t.numbers[n.E164]
	if known {
		t.later(t.s.q.updateNumber, numberArgs(n)...)
	} else if err := t.readAndWrite(ctx, "number", n.E164, t.s.q.number, func(r pgx.Row) error { return scanNumber(r, &old) },
		stmt{sql: t.s.q.updateNumber, args: numberArgs(n)}); err != nil {
		return err
	}
	t.delta(old.OrgID, numberCounts(old).neg())
	t.delta(n.OrgID, numberCounts(n))
	t.knowNumber(n)
	return nil
}

// PickNumber returns a matching number no other transaction holds, and
// locks it (FOR UPDATE SKIP LOCKED).
func (t *tx) PickNumber(ctx context.Context, q multiline.NumberQuery) (numberpool.Number, error) {
	if err := t.lock(ctx); err != nil {
		return numberpool.Number{}, err
	}
	defer t.unlock()
	sql, args := t.s.q.pickNumber, []any{string(q.Org), string(q.State)}
	if q.Tag != "" {
		sql, args = t.s.q.pickNumberTag, append(args, q.Tag)
	}
	n, err := readOne(ctx, t, "free number in organization", q.Org, scanNumber, sql, args...)
	if err != nil {
		return numberpool.Number{}, err
	}
	t.knowNumber(n)
	return n, nil
}

// FreeNumbers returns up to limit matching numbers, lowest first, unlocked.
func (t *tx) FreeNumbers(ctx context.Context, q multiline.NumberQuery, limit int) ([]numberpool.Number, error) {
	if err := t.lock(ctx); err != nil {
		return nil, err
	}
	defer t.unlock()
	if limit <= 0 {
		return nil, nil
	}
	if q.Tag == "" {
		return readAll(ctx, t, scanNumber, t.s.q.freeNumbers, string(q.Org), string(q.State), limit)
	}
	return readAll(ctx, t, scanNumber, t.s.q.freeNumbersTag, string(q.Org), string(q.State), q.Tag, limit)
}

// AgedNumbers returns up to limit Aging numbers of any organization whose
// quarantine ends at or before until, by E.164, skipping and not waiting for
// those other transactions hold, and locks them. The limit is brought
// within 1..MaxPageSize.
func (t *tx) AgedNumbers(ctx context.Context, until time.Time, limit int) ([]numberpool.Number, error) {
	if err := t.lock(ctx); err != nil {
		return nil, err
	}
	defer t.unlock()
	out, err := readAll(ctx, t, scanNumber, t.s.q.agedNumbers, until, multiline.Page{Limit: limit}.Normalize().Limit)
	if err != nil {
		return nil, err
	}
	for _, n := range out {
		t.knowNumber(n)
	}
	return out, nil
}

// ListNumbers returns a page of an organization's numbers, by E.164.
func (t *tx) ListNumbers(ctx context.Context, o org.ID, p multiline.Page) ([]numberpool.Number, string, error) {
	if err := t.lock(ctx); err != nil {
		return nil, "", err
	}
	defer t.unlock()
	return list(ctx, t, p, t.s.q.listNumbers, t.s.q.listNumbersAfter, string(o), scanNumber,
		func(n numberpool.Number) string { return n.E164 })
}

// Accounts.

func (t *tx) knowAccount(a account.Account) { put(&t.accounts, a.ID, a) }

// CreateAccount stores an account.
func (t *tx) CreateAccount(ctx context.Context, a account.Account) error {
	if err := t.lock(ctx); err != nil {
		return err
	}
	defer t.unlock()
	checks := []keyCheck{
		{key: "account", value: string(a.ID), sql: t.s.q.accountExists, args: []any{string(a.ID)}},
		{key: "username", value: a.Username, sql: t.s.q.usernameTaken, args: []any{a.Username}},
	}
	if a.AccountID != "" {
		checks = append(checks, keyCheck{key: "account_id", value: a.AccountID, sql: t.s.q.accountIDTaken, args: []any{string(a.OrgID), a.AccountID}})
	}
	if err := t.insert(ctx, checks, stmt{sql: t.s.q.createAccount, args: accountArgs(a)}); err != nil {
		return err
	}
	t.knowAccount(a)
	t.delta(a.OrgID, accountCounts(a))
	return nil
}

// Account returns an account and locks it.
func (t *tx) Account(ctx context.Context, id account.ID) (account.Account, error) {
	if err := t.lock(ctx); err != nil {
		return account.Account{}, err
	}
	defer t.unlock()
	a, err := readOne(ctx, t, "account", id, scanAccount, t.s.q.account, string(id))
	if err != nil {
		return account.Account{}, err
	}
	t.knowAccount(a)
	return a, nil
}

// UpdateAccount replaces an account's record. An update of an account this
// transaction has locked that keeps its unique keys is written with the
// next round trip; any other runs now, inside a savepoint, so that a taken
// key leaves the transaction usable.
func (t *tx) UpdateAccount(ctx context.Context, a account.Account) error {
	if err := t.lock(ctx); err != nil {
		return err
	}
	defer t.unlock()
	old, known := t.accounts[a.ID]
	if known && old.Username == a.Username && old.OrgID == a.OrgID && old.AccountID == a.AccountID {
		t.later(t.s.q.updateAccount, accountArgs(a)...)
	} else {
		var stmts []stmt
		found := known
		if !known {
			stmts = append(stmts, stmt{sql: t.s.q.account, args: []any{string(a.ID)},
				rows: scanOne(&found, func(r pgx.Row) error { return scanAccount(r, &old) })})
		}
		stmts = append(stmts, stmt{sql: t.s.q.updateAccount, args: accountArgs(a)})
		err := t.guard(ctx, len(stmts)-1, stmts...)
		if found && !known {
			t.knowAccount(old) // locked by the read, whatever the update did
		}
		if ue := (*multiline.UniqueError)(nil); errors.As(err, &ue) {
			switch ue.Key {
			case multiline.KeyUsername:
				ue.Value = a.Username
			case multiline.KeyAccountID:
				ue.Value = a.AccountID
			}
		}
		if err != nil {
			return err
		}
		if !found {
			return notFound("account", a.ID)
		}
	}
	t.delta(old.OrgID, accountCounts(old).neg())
	t.delta(a.OrgID, accountCounts(a))
	t.knowAccount(a)
	return nil
}

// DeleteAccount removes an account, its invitation and its token hashes.
func (t *tx) DeleteAccount(ctx context.Context, id account.ID) error {
	if err := t.lock(ctx); err != nil {
		return err
	}
	defer t.unlock()
	old, known := t.accounts[id]
	if known {
		t.later(t.s.q.deleteTokens, string(id))
		t.later(t.s.q.deleteInvitation, string(id))
		t.later(t.s.q.deleteAccountLocked, string(id))
	} else {
		var err error
		if old, err = readOne(ctx, t, "account", id, scanAccount, t.s.q.deleteAccount, string(id)); err != nil {
			return err
		}
	}
	delete(t.accounts, id)
	delete(t.invitations, id)
	t.delta(old.OrgID, accountCounts(old).neg())
	return nil
}

// ListAccounts returns a page of an organization's accounts, oldest first
// (by ID: the service's IDs are UUIDv7, time-ordered).
func (t *tx) ListAccounts(ctx context.Context, o org.ID, p multiline.Page) ([]account.Account, string, error) {
	if err := t.lock(ctx); err != nil {
		return nil, "", err
	}
	defer t.unlock()
	return list(ctx, t, p, t.s.q.listAccounts, t.s.q.listAccountsAfter, string(o), scanAccount,
		func(a account.Account) string { return string(a.ID) })
}

// Invitations.

func (t *tx) knowInvitation(id account.ID) { put(&t.invitations, id, true) }

// CreateInvitation stores an invitation and its token hashes.
func (t *tx) CreateInvitation(ctx context.Context, inv invite.Invitation) error {
	if err := t.lock(ctx); err != nil {
		return err
	}
	defer t.unlock()
	args, err := invitationArgs(inv)
	if err != nil {
		return err
	}
	var n int64
	if err := t.query(ctx, scanOne(new(bool), func(r pgx.Row) error { return r.Scan(&n) }),
		t.s.q.createInvitation, append(args, tokenHashes(inv))...); err != nil {
		return err
	}
	if n == 0 {
		return &multiline.UniqueError{Key: multiline.KeyInvitation, Value: string(inv.Account)}
	}
	t.knowInvitation(inv.Account)
	return nil
}

func (t *tx) readInvitation(ctx context.Context, sql string, arg any, what string) (invite.Invitation, error) {
	inv, err := readOne(ctx, t, what, arg, scanInvitation, sql, arg)
	if err != nil {
		return invite.Invitation{}, err
	}
	t.knowInvitation(inv.Account)
	return inv, nil
}

// Invitation returns an account's invitation and locks it.
func (t *tx) Invitation(ctx context.Context, a account.ID) (invite.Invitation, error) {
	if err := t.lock(ctx); err != nil {
		return invite.Invitation{}, err
	}
	defer t.unlock()
	return t.readInvitation(ctx, t.s.q.invitation, string(a), "invitation of account")
}

// InvitationByToken returns the invitation that answers to a token hash,
// current or retired, and locks it.
func (t *tx) InvitationByToken(ctx context.Context, hash []byte) (invite.Invitation, error) {
	if err := t.lock(ctx); err != nil {
		return invite.Invitation{}, err
	}
	defer t.unlock()
	inv, err := t.readInvitation(ctx, t.s.q.invitationByToken, hash, "invitation with token")
	if errors.Is(err, mlerr.ErrNotFound) {
		return invite.Invitation{}, fmt.Errorf("postgres: invitation token: %w", mlerr.ErrNotFound)
	}
	return inv, err
}

// UpdateInvitation replaces an invitation's record and its token hashes.
func (t *tx) UpdateInvitation(ctx context.Context, inv invite.Invitation) error {
	if err := t.lock(ctx); err != nil {
		return err
	}
	defer t.unlock()
	args, err := invitationArgs(inv)
	if err != nil {
		return err
	}
	acc, hashes := string(inv.Account), tokenHashes(inv)
	if t.invitations[inv.Account] {
		t.later(t.s.q.updateInvitation, args...)
		t.later(t.s.q.deleteTokens, acc)
		t.later(t.s.q.insertTokens, acc, hashes)
		return nil
	}
	var ok bool
	if _, err := t.run(ctx,
		stmt{sql: t.s.q.updateInvitation, args: args, exec: affected(&ok)},
		stmt{sql: t.s.q.deleteTokensIfInvitation, args: []any{acc}},
		stmt{sql: t.s.q.insertTokensIfInvitation, args: []any{acc, hashes}}); err != nil {
		return err
	}
	if !ok {
		return notFound("invitation of account", inv.Account)
	}
	t.knowInvitation(inv.Account)
	return nil
}

// Outbox.

// knownMessage is a message as the transaction last read or wrote it: all
// of it (full), or only its idempotency key.
type knownMessage struct {
	m    invite.Message
	full bool
}

func (t *tx) knowMessage(m invite.Message) { put(&t.messages, m.ID, knownMessage{m: m, full: true}) }

// knowMessageKey remembers only a message's idempotency key.
func (t *tx) knowMessageKey(id invite.MessageID, key string) {
	put(&t.messages, id, knownMessage{m: invite.Message{ID: id, IdempotencyKey: key}})
}

// errKeyChange refuses to change a message's idempotency key.
var errKeyChange = fmt.Errorf("postgres: a message's idempotency key cannot change: %w", mlerr.ErrInvalid)

// Enqueue stores an outbound message.
func (t *tx) Enqueue(ctx context.Context, m invite.Message) error {
	if err := t.lock(ctx); err != nil {
		return err
	}
	defer t.unlock()
	if err := t.insert(ctx, []keyCheck{
		{key: "message", value: string(m.ID), sql: t.s.q.messageExists, args: []any{string(m.ID)}},
		{key: "idempotency_key", value: m.IdempotencyKey, sql: t.s.q.messageKeyTaken, args: []any{m.IdempotencyKey}},
	}, stmt{sql: t.s.q.enqueue, args: messageArgs(m)}); err != nil {
		return err
	}
	t.knowMessage(m)
	t.due = append(t.due, string(m.ID))
	return nil
}

// Message returns a message and locks it.
func (t *tx) Message(ctx context.Context, id invite.MessageID) (invite.Message, error) {
	if err := t.lock(ctx); err != nil {
		return invite.Message{}, err
	}
	defer t.unlock()
	m, err := readOne(ctx, t, "message", id, scanMessage, t.s.q.message, string(id))
	if err != nil {
		return invite.Message{}, err
	}
	t.knowMessage(m)
	return m, nil
}

// UpdateMessage replaces a message's record; its idempotency key cannot
// change. An update of a message the transaction knows goes with the next
// round trip, as narrow as updateOfMessage can make it.
func (t *tx) UpdateMessage(ctx context.Context, m invite.Message) error {
	if err := t.lock(ctx); err != nil {
		return err
	}
	defer t.unlock()
	if k, ok := t.messages[m.ID]; ok {
		if k.m.IdempotencyKey != m.IdempotencyKey {
			return errKeyChange
		}
		if k.full {
			// The transaction holds the row and its key is m's: the update
			// applies, and the row is m.
			sql, args := t.updateOfMessage(k.m, m)
			t.later(sql, args...)
			if due(k.m) != due(m) {
				t.dueIs(string(m.ID), due(m))
			}
		} else {
			t.later(t.s.q.updateMessage, messageArgs(m)...)
			t.due = append(t.due, string(m.ID))
		}
		t.knowMessage(m)
		return nil
	}
	var key string
	if err := t.readAndWrite(ctx, "message", string(m.ID), t.s.q.messageKey, func(r pgx.Row) error { return r.Scan(&key) },
		stmt{sql: t.s.q.updateMessage, args: messageArgs(m)}); err != nil {
		return err
	}
	if key != m.IdempotencyKey {
		t.knowMessageKey(m.ID, key)
		return errKeyChange
	}
	t.knowMessage(m)
	t.due = append(t.due, string(m.ID))
	return nil
}

// due reports whether m is among the due messages, those message_due
// holds: Queued or Failed.
func due(m invite.Message) bool { return m.State == invite.Queued || m.State == invite.Failed }

// updateOfMessage returns the statement, and its arguments, that turns
// prev, a message as the transaction knows it (as it stands in the
// transaction: the transaction wrote it or read it FOR UPDATE), into m.
// When only the delivery changed (state, attempts, last error, next
// attempt, sent at), it is a narrow update of those columns; when the body
// and secret were also cleared, as they are once a message is sent, one
// that blanks them too. Neither sends the columns that did not change: the
// body above all, which an update of every column would send and store
// again at each lease and outcome of a delivery. Any other change is the
// update of every column.
//
// The columns left out hold prev's values, and equal values of m store the
// same; times count as equal when they are the same instant, which is all
// the database stores of them.
func (t *tx) updateOfMessage(prev, m invite.Message) (string, []any) {
	a, b := prev, m
	if !a.Created.Equal(b.Created) {
		return t.s.q.updateMessage, messageArgs(m)
	}
	sql := t.s.q.updateDelivery
	if b.Text == "" && b.HTML == "" && b.Secret == "" && (a.Text != "" || a.HTML != "" || a.Secret != "") {
		sql = t.s.q.sentMessage
		a.Text, a.HTML, a.Secret = "", "", ""
	}
	// Compared as whole records, the delivery aside, so that a field added
	// to invite.Message is never left out of the comparison.
	for _, x := range []*invite.Message{&a, &b} {
		x.State, x.Attempts, x.LastError, x.NextAttempt, x.SentAt, x.Created = "", 0, "", time.Time{}, time.Time{}, time.Time{}
	}
	if a != b {
		return t.s.q.updateMessage, messageArgs(m)
	}
	return sql, deliveryArgs(m)
}

// DueMessages returns up to limit due messages, oldest first, skipping and
// not waiting for those other transactions hold, and locks them. The limit
// is brought within 1..MaxPageSize.
func (t *tx) DueMessages(ctx context.Context, now time.Time, limit int) ([]invite.Message, error) {
	if err := t.lock(ctx); err != nil {
		return nil, err
	}
	defer t.unlock()
	out, err := readAll(ctx, t, scanMessage, t.s.q.dueMessages, now, multiline.Page{Limit: limit}.Normalize().Limit)
	if err != nil {
		return nil, err
	}
	for _, m := range out {
		t.knowMessage(m)
	}
	return out, nil
}

// Messages returns a page of an organization's messages, oldest first.
func (t *tx) Messages(ctx context.Context, o org.ID, p multiline.Page) ([]invite.Message, string, error) {
	if err := t.lock(ctx); err != nil {
		return nil, "", err
	}
	defer t.unlock()
	return list(ctx, t, p, t.s.q.messages, t.s.q.messagesAfter, string(o), scanMessage,
		func(m invite.Message) string { return string(m.ID) })
}

// Batches.

// batchHead is what a transaction knows of a batch it has locked or
// written: the columns UpdateBatch may not change.
type batchHead struct{ org, key string }

func (t *tx) knowBatch(b batch.Record) {
	put(&t.batches, b.ID, batchHead{org: string(b.OrgID), key: b.Key})
}

// errBatchChange refuses to change a batch's organization or key.
var errBatchChange = fmt.Errorf("postgres: a batch's organization and key cannot change: %w", mlerr.ErrInvalid)

// CreateBatch stores a batch's header, and queues the insert of its
// lines (b.Rows), whose lines it checks first: the batch is new, so only
// two of them can take one line.
func (t *tx) CreateBatch(ctx context.Context, b batch.Record) error {
	if err := t.lock(ctx); err != nil {
		return err
	}
	defer t.unlock()
	args, err := batchArgs(b)
	if err != nil {
		return err
	}
	if err := checkLines(b.Rows, b.Accounts); err != nil {
		return err
	}
	checks := []keyCheck{{key: "batch", value: b.ID, sql: t.s.q.batchExists, args: []any{b.ID}}}
	if b.Key != "" {
		checks = append(checks, keyCheck{key: "batch_key", value: b.Key, sql: t.s.q.batchKeyTaken, args: []any{string(b.OrgID), b.Key}})
	}
	if err := t.insert(ctx, checks, stmt{sql: t.s.q.createBatch, args: args}); err != nil {
		return err
	}
	t.knowBatch(b)
	if len(b.Rows) > 0 {
		t.laterBatchRows(b.ID, b.Rows, b.Accounts)
	}
	return nil
}

// laterBatchRows queues the insert of a batch's report lines, the batch
// being one this transaction has written or locked (so it exists): as one
// statement, or, from copyMin lines, as a COPY.
func (t *tx) laterBatchRows(id string, rows []batch.ReportRow, accounts []account.ID) {
	if len(rows) < t.s.copyMin {
		t.later(t.s.q.appendBatchRows, batchRowArgs(id, rows, accounts)...)
		return
	}
	t.laterCopy(t.s.q.copyBatchRows, batchRowCopyArgs(id, rows, accounts))
}

// Batch returns a batch record and locks it.
func (t *tx) Batch(ctx context.Context, id string) (batch.Record, error) {
	if err := t.lock(ctx); err != nil {
		return batch.Record{}, err
	}
	defer t.unlock()
	b, err := readOne(ctx, t, "batch", id, scanBatch, t.s.q.batch, id)
	if err == nil {
		t.knowBatch(b)
	}
	return b, err
}

// BatchByKey returns the batch of an organization with an idempotency key,
// and locks it.
func (t *tx) BatchByKey(ctx context.Context, o org.ID, key string) (batch.Record, error) {
	if err := t.lock(ctx); err != nil {
		return batch.Record{}, err
	}
	defer t.unlock()
	b, err := readOne(ctx, t, "batch with key", key, scanBatch, t.s.q.batchByKey, string(o), key)
	if err == nil {
		t.knowBatch(b)
	}
	return b, err
}

// UpdateBatch replaces a batch record; its organization never changes, and
// its key may be cleared but not changed. The update of a batch the
// transaction has locked (read with Batch or BatchByKey) or created is
// queued: a running batch's record is read and then rewritten in each of
// its groups' transactions, and that costs one round trip rather than two.
func (t *tx) UpdateBatch(ctx context.Context, b batch.Record) error {
	if err := t.lock(ctx); err != nil {
		return err
	}
	defer t.unlock()
	args, err := batchArgs(b)
	if err != nil {
		return err
	}
	if h, ok := t.batches[b.ID]; ok {
		if h.org != string(b.OrgID) || (b.Key != "" && b.Key != h.key) {
			return errBatchChange
		}
		t.later(t.s.q.updateBatch, args...)
		t.knowBatch(b)
		return nil
	}
	var o, key string
	if err := t.readAndWrite(ctx, "batch", b.ID, t.s.q.batchHead, func(r pgx.Row) error { return r.Scan(&o, &key) },
		stmt{sql: t.s.q.updateBatch, args: args}); err != nil {
		return err
	}
	if o != string(b.OrgID) || (b.Key != "" && b.Key != key) {
		return errBatchChange
	}
	t.knowBatch(b)
	return nil
}

// ListBatches returns a page of an organization's batches, newest first.
func (t *tx) ListBatches(ctx context.Context, o org.ID, p multiline.Page) ([]batch.Record, string, error) {
	if err := t.lock(ctx); err != nil {
		return nil, "", err
	}
	defer t.unlock()
	return list(ctx, t, p, t.s.q.listBatches, t.s.q.listBatchesAfter, string(o), scanBatch,
		func(b batch.Record) string { return b.ID })
}

// AppendBatchRows inserts report lines into batch_rows, in one statement
// whatever their number. To a batch the transaction has locked or created
// (as a running batch's group has, having read it to check its lease) the
// insert is queued, sent with the next round trip: a line taken is then a
// unique violation that fails the transaction, as the contract allows.
// Otherwise it is sent at once, and inserts nothing when the batch does
// not exist, which is how a missing batch is told.
func (t *tx) AppendBatchRows(ctx context.Context, id string, rows []batch.ReportRow, accounts []account.ID) error {
	if err := t.lock(ctx); err != nil {
		return err
	}
	defer t.unlock()
	if accounts != nil && len(accounts) != len(rows) {
		return fmt.Errorf("postgres: %d accounts for %d report lines: %w", len(accounts), len(rows), mlerr.ErrInvalid)
	}
	if _, ok := t.batches[id]; ok {
		if len(rows) > 0 {
			t.laterBatchRows(id, rows, accounts)
		}
		return nil
	}
	if len(rows) == 0 {
		var exists bool
		if err := t.query(ctx, scanOne(new(bool), func(r pgx.Row) error { return r.Scan(&exists) }), t.s.q.batchExists, id); err != nil {
			return err
		}
		if !exists {
			return notFound("batch", id)
		}
		return nil
	}
	var ok bool
	if _, err := t.run(ctx, stmt{sql: t.s.q.appendBatchRows, args: batchRowArgs(id, rows, accounts), exec: affected(&ok)}); err != nil {
		return err
	}
	if !ok {
		return notFound("batch", id)
	}
	return nil
}

// BatchRows returns a batch's lines, ordered by line (the table's primary
// key), asking in the same round trip whether the batch exists.
func (t *tx) BatchRows(ctx context.Context, id string) ([]batch.ReportRow, []account.ID, error) {
	if err := t.lock(ctx); err != nil {
		return nil, nil, err
	}
	defer t.unlock()
	var exists bool
	var rows []batch.ReportRow
	var accts []account.ID
	_, err := t.run(ctx,
		stmt{sql: t.s.q.batchExists, args: []any{id}, rows: scanOne(new(bool), func(r pgx.Row) error { return r.Scan(&exists) })},
		stmt{sql: t.s.q.batchRows, args: []any{id}, rows: scanAll(func(r pgx.Row) error {
			var line batch.ReportRow
			var a account.ID
			if err := scanBatchRow(r, &line, &a); err != nil {
				return err
			}
			rows, accts = append(rows, line), append(accts, a)
			return nil
		})})
	if err != nil {
		return nil, nil, err
	}
	if !exists {
		return nil, nil, notFound("batch", id)
	}
	return rows, accts, nil
}

// checkLines refuses accounts of another length than rows, and two rows
// on one line.
func checkLines(rows []batch.ReportRow, accounts []account.ID) error {
	if accounts != nil && len(accounts) != len(rows) {
		return fmt.Errorf("postgres: %d accounts for %d report lines: %w", len(accounts), len(rows), mlerr.ErrInvalid)
	}
	seen := make(map[int]bool, len(rows))
	for _, r := range rows {
		if seen[r.Row] {
			return &multiline.UniqueError{Key: multiline.KeyBatchRow, Value: strconv.Itoa(r.Row)}
		}
		seen[r.Row] = true
	}
	return nil
}

// Audit.

// AppendAudit stores an audit event with the transaction's next round trip.
// Its ID is time-ordered and fresh: one already stored fails the
// transaction with a *multiline.UniqueError on "audit_event".
func (t *tx) AppendAudit(ctx context.Context, e multiline.AuditEvent) error {
	if err := t.lock(ctx); err != nil {
		return err
	}
	defer t.unlock()
	t.later(t.s.q.appendAudit, eventArgs(e)...)
	return nil
}

// ListAudit returns a page of the audit events of the given organizations,
// newest first.
func (t *tx) ListAudit(ctx context.Context, orgs []org.ID, p multiline.Page) ([]multiline.AuditEvent, string, error) {
	if err := t.lock(ctx); err != nil {
		return nil, "", err
	}
	defer t.unlock()
	if len(orgs) == 0 {
		if _, err := cursorOf(p); err != nil {
			return nil, "", err
		}
		return nil, "", nil
	}
	return list(ctx, t, p, t.s.q.listAudit, t.s.q.listAuditAfter, toStrings(orgs), scanEvent,
		func(e multiline.AuditEvent) string { return e.ID })
}

// cursorOf decodes a page's cursor; empty for the first page.
func cursorOf(p multiline.Page) (string, error) {
	if p.After == "" {
		return "", nil
	}
	return decodeCursor(p.After)
}

// list reads one page with first (no cursor) or after: $1 is owner, $2 the
// number of rows to read (one more than the page, to learn whether there
// are more), $3 the cursor's key.
func list[T any](ctx context.Context, t *tx, p multiline.Page, first, after string, owner any,
	scan func(pgx.Row, *T) error, key func(T) string) ([]T, string, error) {
	p = p.Normalize()
	cursor, err := cursorOf(p)
	if err != nil {
		return nil, "", err
	}
	var out []T
	if cursor == "" {
		out, err = readAll(ctx, t, scan, first, owner, p.Limit+1)
	} else {
		out, err = readAll(ctx, t, scan, after, owner, p.Limit+1, cursor)
	}
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > p.Limit {
		out = out[:p.Limit]
		next = encodeCursor(key(out[len(out)-1]))
	}
	return out, next, nil
}

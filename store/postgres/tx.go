package postgres

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
)

func migrationsFS() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the directory is embedded: this cannot fail
	}
	return sub
}

// stmt is one statement of a round trip.
type stmt struct {
	sql  string
	args []any
	// rows reads the rows of a query; exec checks the command tag of a
	// statement without rows. Neither: the statement's result is ignored.
	rows func(pgx.Rows) error
	exec func(pgconn.CommandTag) error
	// guarded marks a statement inside a savepoint: a unique violation in it
	// does not fail the transaction, since the caller rolls back to the
	// savepoint.
	guarded bool
	// copy, when set, makes this a COPY of rows rather than a statement
	// (see copy.go); sql and args are then unused.
	copy *copyIn
}

// counts is a change of the counts of one organization's capacity row.
type counts struct{ available, pending, held, total int }

func (c *counts) add(d counts) {
	c.available += d.available
	c.pending += d.pending
	c.held += d.held
	c.total += d.total
}

func (c counts) zero() bool { return c == counts{} }

func (c counts) neg() counts { return counts{-c.available, -c.pending, -c.held, -c.total} }

// numberCounts is what a number adds to its organization's counts.
func numberCounts(n numberpool.Number) counts {
	c := counts{total: 1}
	switch n.State {
	case numberpool.Available:
		c.available = 1
	case numberpool.Assigned, numberpool.Registered:
		c.held = 1
	}
	return c
}

// accountCounts is what an account adds to its organization's counts: one
// pending invitation without a number, or nothing.
func accountCounts(a account.Account) counts {
	if (a.Status == account.Invited || a.Status == account.InvitationFailed) && a.Number == "" {
		return counts{pending: 1}
	}
	return counts{}
}

// tx is one transaction of a Store, on one connection.
//
// It knows the rows it has locked, as they stand in the transaction: nobody
// else can change them until it ends, so updates of them need not read them
// again, and changes of capacity counts can be computed here and sent later.
type tx struct {
	s    *Store
	conn *pgx.Conn

	mu    sync.Mutex
	done  bool
	begun bool
	// err is the failure that aborted the transaction on the server; every
	// later call returns it.
	err error
	// retry is set when a statement failed with a serialization failure or
	// a deadlock, whatever fn then made of the error.
	retry bool
	// pending are writes not sent yet; deltas, changes of capacity counts
	// not sent yet, by organization.
	pending []stmt
	deltas  map[org.ID]*counts
	// dueKnown are the messages written since the last round trip whose
	// rows the transaction knows as they will stand (it inserted them, or
	// updated a row it holds with a statement that applies), by whether
	// they are due then: message_due gets or loses their rows without
	// reading the messages (see dueStmts).
	dueKnown map[string]bool
	// due are the messages written since the last round trip whose state
	// may have entered or left the due states: message_due is brought in
	// step with them after the pending writes (see dueStmts).
	due []string
	// caps are the capacity rows this transaction has locked (LockOrg),
	// with its own changes applied.
	caps map[org.ID]*counts
	// The rows this transaction has locked or written, as they stand in it.
	numbers     map[string]numberpool.Number
	accounts    map[account.ID]account.Account
	invitations map[account.ID]bool
	messages    map[invite.MessageID]knownMessage
	batches     map[string]batchHead
}

func newTx(s *Store, conn *pgx.Conn) *tx {
	return &tx{s: s, conn: conn}
}

// end marks the transaction as ended, so that it refuses every later
// call, and returns the failure that aborted it, if any.
func (t *tx) end() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.done = true
	return t.err
}

// lock takes the transaction's mutex and checks that it may be used.
func (t *tx) lock(ctx context.Context) error {
	t.mu.Lock()
	if t.done {
		t.mu.Unlock()
		return errDone
	}
	if t.err != nil {
		err := t.err
		t.mu.Unlock()
		return err
	}
	if err := ctx.Err(); err != nil {
		t.mu.Unlock()
		return err
	}
	return nil
}

func (t *tx) unlock() { t.mu.Unlock() }

// later queues a write to go with the next round trip.
func (t *tx) later(sql string, args ...any) {
	t.pending = append(t.pending, stmt{sql: sql, args: args})
}

// delta records a change of o's capacity counts.
func (t *tx) delta(o org.ID, d counts) {
	if d.zero() {
		return
	}
	if t.deltas == nil {
		t.deltas = map[org.ID]*counts{}
	}
	c, ok := t.deltas[o]
	if !ok {
		c = &counts{}
		t.deltas[o] = c
	}
	c.add(d)
	if locked, ok := t.caps[o]; ok {
		locked.add(d)
	}
}

// run sends the pending writes and then stmts in one round trip, BEGIN first
// if the transaction has not begun, and reads the results. It returns the
// index in stmts of the statement that failed (-1: a pending write, or the
// connection) and the error, mapped. Any error but a unique violation in a
// guarded statement fails the transaction.
func (t *tx) run(ctx context.Context, stmts ...stmt) (int, error) {
	sent := make([]stmt, 0, len(t.pending)+len(t.deltas)+len(stmts)+1)
	if !t.begun {
		sent = append(sent, stmt{sql: t.s.begin()})
	}
	sent = append(sent, t.coalesce(t.auditLast(t.pending))...)
	// The count changes wait for the round trip that reads the counts or
	// commits (see readsCounts): their upsert locks the organization's
	// capacity row until the transaction ends, and every import into an
	// organization takes that row.
	flush := t.readsCounts(stmts)
	if flush {
		sent = append(sent, t.deltaStmts()...)
	}
	sent = append(sent, t.dueStmts()...)
	first := len(sent)
	sent = append(sent, stmts...)
	t.pending, t.due, t.dueKnown = nil, nil, nil
	if flush {
		t.deltas = nil
	}
	failed, err := t.send(ctx, sent)
	t.begun = true
	if err == nil {
		return -1, nil
	}
	idx := -1
	if failed >= first {
		idx = failed - first
	}
	if retryable(err) {
		t.retry = true
	}
	var pe *pgconn.PgError
	if idx >= 0 && stmts[idx].guarded && errors.As(err, &pe) && pe.Code == "23505" {
		return idx, mapErr(err)
	}
	err = mapErr(err)
	t.err = err
	return idx, err
}

// send sends sent, in order, in as few round trips as it can: every run of
// statements as one batch, every COPY alone (a COPY cannot go in a
// pipeline). It stops at the first failure and returns its index in sent
// (-1 for none, or for a failure of the connection rather than of a
// statement) and the error, unmapped.
func (t *tx) send(ctx context.Context, sent []stmt) (int, error) {
	for i := 0; i < len(sent); {
		if c := sent[i].copy; c != nil {
			if err := t.sendCopy(ctx, c); err != nil {
				return i, err
			}
			i++
			continue
		}
		j := i + 1
		for j < len(sent) && sent[j].copy == nil {
			j++
		}
		if k, err := t.sendBatch(ctx, sent[i:j]); err != nil {
			if k < 0 {
				return -1, err // the connection, not a statement
			}
			return i + k, err
		}
		i = j
	}
	return -1, nil
}

// sendBatch sends stmts in one round trip and reads their results. It
// returns the index of the statement that failed (-1: none, or the
// connection) and the error, unmapped.
func (t *tx) sendBatch(ctx context.Context, stmts []stmt) (int, error) {
	var b pgx.Batch
	for _, st := range stmts {
		b.Queue(st.sql, st.args...)
	}
	br := t.conn.SendBatch(ctx, &b)
	failed, err := -1, error(nil)
	for i, st := range stmts {
		if err = readResult(br, st); err != nil {
			failed = i
			break
		}
	}
	if cerr := br.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return failed, err
}

// coalesce returns the pending writes with every run of consecutive writes
// of the same SQL that has a set-based form (audit events; updates of
// numbers, accounts and messages) made one statement. The order of the
// writes is otherwise kept, so what they do is unchanged; the server
// parses, plans and executes one statement per run rather than one per
// row.
//
// A run of one goes in the set-based form too, although its single-row
// statement costs the server less (some 20 to 30µs less: the set-based one
// is planned again at each execution), so that each kind of queued write
// is one statement to prepare on a connection, whatever the length of its
// runs: a connection that has sent a kind of write alone sends a long run
// of it without a round trip to prepare its set-based form first.
func (t *tx) coalesce(pending []stmt) []stmt {
	out := make([]stmt, 0, len(pending))
	for i := 0; i < len(pending); {
		j := i + 1
		for j < len(pending) && pending[j].sql == pending[i].sql {
			j++
		}
		if m, ok := t.s.q.merge[pending[i].sql]; ok {
			out = append(out, m.merge(pending[i:j], t.s.copyMin))
		} else if pending[i].copy != nil {
			out = append(out, pending[i]) // a COPY is never merged with the next one
			j = i + 1
		} else {
			out = append(out, pending[i:j]...)
		}
		i = j
	}
	return out
}

// auditLast returns the pending writes with the audit events moved to the
// end, in the order they were queued, so that coalesce makes them one
// statement even when they alternate with other writes (as an event
// follows each write it records).
//
// Moving them does not change what the writes do. An audit event is an
// insert into the audit table, which has no trigger and no foreign key, and
// whose only unique key is its primary key: what it does depends on no
// other table, and no other write reads or writes the audit table. The
// only statements that read it are ListAudit's, which go after every
// pending write, as does any SAVEPOINT, so the events stay on the same side
// of it. The writes commit together or not at all, as before; what may
// differ is which failure the transaction reports when two of the writes
// would fail, since the first to fail aborts it. An event's insert waits
// on no lock but that of another transaction inserting the same ID, which
// a fresh ID does not meet.
func (t *tx) auditLast(pending []stmt) []stmt {
	isEvent := func(st stmt) bool { return st.sql == t.s.q.appendAudit }
	i := slices.IndexFunc(pending, isEvent)
	if i < 0 || !slices.ContainsFunc(pending[i:], func(st stmt) bool { return !isEvent(st) }) {
		return pending // no event is followed by another write
	}
	out := make([]stmt, 0, len(pending))
	for _, st := range pending {
		if !isEvent(st) {
			out = append(out, st)
		}
	}
	for _, st := range pending[i:] {
		if isEvent(st) {
			out = append(out, st)
		}
	}
	return out
}

// readResult reads the result of one statement of a batch.
func readResult(br pgx.BatchResults, st stmt) error {
	if st.rows != nil {
		rows, err := br.Query()
		if err != nil {
			return err
		}
		err = st.rows(rows)
		rows.Close()
		if err != nil {
			return err
		}
		return rows.Err()
	}
	tag, err := br.Exec()
	if err != nil {
		return err
	}
	if st.exec != nil {
		return st.exec(tag)
	}
	return nil
}

// readsCounts reports whether stmts read an organization's capacity counts
// (LockOrg, Capacity) or commit: the pending count changes must go before
// them. Until 2026-12-01's seventh session they went with every round
// trip, so a group of an import locked its organization's row with its
// first writes and held it over the reads and the COPY of its report that
// followed: of eight concurrent imports into one organization, one and a
// half backends on average were waiting for that lock (pg_stat_activity,
// sampled every 3 ms).
func (t *tx) readsCounts(stmts []stmt) bool {
	for _, st := range stmts {
		switch st.sql {
		case t.s.q.lockOrg, t.s.q.capacity, "COMMIT":
			return true
		}
	}
	return false
}

// deltaStmts returns the statements that apply the pending count changes,
// by organization in ID order, so that transactions lock capacity rows in
// one order.
func (t *tx) deltaStmts() []stmt {
	if len(t.deltas) == 0 {
		return nil
	}
	orgs := make([]org.ID, 0, len(t.deltas))
	for o, d := range t.deltas {
		if !d.zero() {
			orgs = append(orgs, o)
		}
	}
	slices.Sort(orgs)
	out := make([]stmt, len(orgs))
	for i, o := range orgs {
		d := t.deltas[o]
		out[i] = stmt{sql: t.s.q.addCounts, args: []any{string(o), d.available, d.pending, d.held, d.total}}
	}
	return out
}

// dueStmts returns the statements that bring message_due in step with the
// messages written since the last round trip, after the writes: for those
// whose due state the transaction knows, an insert of the due ones and a
// delete of the others; for the rest, one statement that reads their
// states and makes message_due hold the due ones (syncDue). A message in
// both is left to syncDue. The statements name different messages, so
// their order does not matter.
func (t *tx) dueStmts() []stmt {
	var out []stmt
	slices.Sort(t.due)
	t.due = slices.Compact(t.due)
	var in, gone []string
	for id, d := range t.dueKnown {
		if _, found := slices.BinarySearch(t.due, id); found {
			continue
		}
		if d {
			in = append(in, id)
		} else {
			gone = append(gone, id)
		}
	}
	if len(gone) > 0 {
		slices.Sort(gone)
		out = append(out, stmt{sql: t.s.q.deleteDue, args: []any{gone}})
	}
	if len(in) > 0 {
		slices.Sort(in)
		out = append(out, stmt{sql: t.s.q.insertDue, args: []any{in}})
	}
	if len(t.due) > 0 {
		out = append(out, stmt{sql: t.s.q.syncDue, args: []any{t.due}})
	}
	return out
}

// dueIs records that message id will be due, or not, once the pending
// writes are done.
func (t *tx) dueIs(id string, due bool) {
	if t.dueKnown == nil {
		t.dueKnown = map[string]bool{}
	}
	t.dueKnown[id] = due
}

// query runs one statement that returns rows, after the pending writes.
func (t *tx) query(ctx context.Context, scan func(pgx.Rows) error, sql string, args ...any) error {
	_, err := t.run(ctx, stmt{sql: sql, args: args, rows: scan})
	return err
}

// commit sends the pending writes and COMMIT.
func (t *tx) commit(ctx context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.begun && len(t.pending) == 0 && len(t.deltas) == 0 {
		return nil // nothing was read or written
	}
	_, err := t.run(ctx, stmt{sql: "COMMIT", exec: func(tag pgconn.CommandTag) error {
		if tag.String() != "COMMIT" {
			return fmt.Errorf("the transaction was rolled back (%s)", tag)
		}
		return nil
	}})
	if err == nil {
		t.begun = false
	}
	return err
}

// rollback ends the transaction on the server, if it began. A connection
// that cannot roll back is closed, so that the pool does not reuse it.
func (t *tx) rollback(ctx context.Context) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.begun || t.conn.IsClosed() {
		return
	}
	t.begun = false
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := t.conn.Exec(ctx, "ROLLBACK"); err != nil {
		t.conn.Close(ctx)
	}
}

// guard runs stmts, of which the one at index i may take another record's
// unique key, inside a savepoint: a unique violation there rolls back to the
// savepoint and is returned as a *multiline.UniqueError, and the
// transaction goes on.
func (t *tx) guard(ctx context.Context, i int, stmts ...stmt) error {
	const sp = "ml_guard"
	all := make([]stmt, 0, len(stmts)+2)
	all = append(all, stmts[:i]...)
	all = append(all, stmt{sql: "SAVEPOINT " + sp})
	g := stmts[i]
	g.guarded = true
	all = append(all, g, stmt{sql: "RELEASE SAVEPOINT " + sp})
	all = append(all, stmts[i+1:]...)
	idx, err := t.run(ctx, all...)
	if err == nil || idx != i+1 || t.err != nil {
		return err
	}
	// The transaction is aborted until it rolls back to the savepoint: no
	// statement can be prepared in it, so this goes as one simple query.
	if _, rerr := t.conn.PgConn().Exec(ctx, "ROLLBACK TO SAVEPOINT "+sp+"; RELEASE SAVEPOINT "+sp).ReadAll(); rerr != nil {
		t.err = mapErr(rerr)
		return t.err
	}
	return err
}

// scanOne returns a rows reader that scans at most one row with scan and
// reports whether there was one in found.
func scanOne(found *bool, scan func(pgx.Row) error) func(pgx.Rows) error {
	return func(rows pgx.Rows) error {
		*found = false
		if !rows.Next() {
			return nil
		}
		*found = true
		return scan(rows)
	}
}

// scanAll returns a rows reader that scans every row with scan.
func scanAll(scan func(pgx.Row) error) func(pgx.Rows) error {
	return func(rows pgx.Rows) error {
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return nil
	}
}

package postgres_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/batch/batchtest"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/store/postgres"
)

// batches is a pgx tracer that records the SQL of every batch sent.
type batches struct {
	mu   sync.Mutex
	sent [][]string
}

func (b *batches) TraceBatchStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchStartData) context.Context {
	var sqls []string
	for _, q := range data.Batch.QueuedQueries {
		sqls = append(sqls, q.SQL)
	}
	b.mu.Lock()
	b.sent = append(b.sent, sqls)
	b.mu.Unlock()
	return ctx
}

func (b *batches) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (b *batches) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}
func (b *batches) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}
func (b *batches) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// last returns the statements of the last batch sent, each named by its
// first words and table ("INSERT audit", "UPDATE numbers", …), with "×n"
// added to those that write the rows of arrays.
func (b *batches) last() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, sql := range b.sent[len(b.sent)-1] {
		f := strings.Fields(sql)
		name := f[0]
		switch f[0] {
		case "INSERT":
			name += " " + table(f[2])
		case "UPDATE":
			name += " " + table(f[1])
		}
		if strings.Contains(sql, "unnest(") {
			name += " ×n"
		}
		out = append(out, name)
	}
	return out
}

// lastSQL returns the SQL of the statements of the last batch sent.
func (b *batches) lastSQL() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.sent[len(b.sent)-1]...)
}

func table(qualified string) string {
	_, t, _ := strings.Cut(qualified, ".")
	return strings.TrimSuffix(t, "(")
}

func (b *batches) reset() {
	b.mu.Lock()
	b.sent = nil
	b.mu.Unlock()
}

// groupStore is a store on a fresh schema whose batches and round trips are
// recorded.
func groupStore(t *testing.T, opts ...postgres.Option) (*postgres.Store, *batches, *roundTrips) {
	schema := newSchema(t)
	b, rt := &batches{}, &roundTrips{}
	pool := newPool(t, schema, 4, counted(rt), func(c *pgxpool.Config) { c.ConnConfig.Tracer = b })
	return postgres.New(pool, append([]postgres.Option{postgres.WithSchema(schema)}, opts...)...), b, rt
}

// writeModes are the two ways a run of inserts goes: set-based statements
// (as runs shorter than postgres.DefaultCopyRows do) and COPY (as longer
// ones do). Tests of what the inserts store run in both.
var writeModes = []struct {
	name string
	opt  postgres.Option
}{
	{"statements", postgres.WithCopyRows(0)},
	{"copy", postgres.WithCopyRows(1)},
}

var t0 = time.Date(2026, 5, 6, 7, 8, 9, 123456000, time.UTC)

// odd are texts that an array literal must quote or escape.
var odd = []string{`a"b`, `c\d`, `e,f`, `{g}`, `NULL`, ``, ` h `, "i\nj", `k'l`, `ü€`}

// TestCoalescedWrites queues runs of audit events and of number, message
// and account updates, interleaved, and checks that each run of one kind
// goes as one set-based statement, a run of one too, in the order they
// were queued (but the audit events, which go last, all in one), and that
// what is read back (in the transaction, and after commit) is exactly what
// the writes one by one would leave: the last of two updates of one row,
// NULLs, empty and odd JSON, times, text arrays with odd elements.
func TestCoalescedWrites(t *testing.T) {
	s, b, _ := groupStore(t)
	ctx := t.Context()
	o := org.ID("o")
	nums := []numberpool.Number{
		{E164: "+14155550001", OrgID: o, State: numberpool.Available},
		{E164: "+14155550002", OrgID: o, State: numberpool.Available},
		{E164: "+14155550003", OrgID: o, State: numberpool.Aging, AgingUntil: t0},
	}
	msgs := []invite.Message{
		{ID: "m1", Kind: invite.KindInvitation, OrgID: o, Channel: invite.Email, To: "a@example.com", IdempotencyKey: "k1",
			State: invite.Queued, Created: t0},
		{ID: "m2", Kind: invite.KindInvitation, OrgID: o, Channel: invite.SMS, To: "+14155551111", IdempotencyKey: "k2",
			State: invite.Queued, NextAttempt: t0, Created: t0},
	}
	accs := []account.Account{
		{ID: "a1", OrgID: o, Username: "a1@example.com", Status: account.Invited, Created: t0, Updated: t0},
		{ID: "a2", OrgID: o, Username: "a2@example.com", AccountID: "A-2", Status: account.Invited,
			Applications: []org.Application{"x"}, Created: t0},
	}
	require.NoError(t, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		if err := tx.CreateOrg(ctx, org.Org{ID: o, Name: "O"}); err != nil {
			return err
		}
		for _, n := range nums {
			if err := tx.CreateNumber(ctx, n); err != nil {
				return err
			}
		}
		for _, m := range msgs {
			if err := tx.Enqueue(ctx, m); err != nil {
				return err
			}
		}
		return tx.CreateAccounts(ctx, accs)
	}))

	events := []multiline.AuditEvent{
		{ID: "e1", At: t0, OrgID: o, Action: "x.one", Subject: "s1"},
		{ID: "e2", At: t0.Add(time.Second), Actor: "admin", OrgID: o, Action: "x.two", Subject: "s2",
			Before: json.RawMessage(`{}`), After: json.RawMessage(`{"a": [1, "b\"c", null], "u": "ü"}`)},
		{ID: "e3", OrgID: o, Action: "x.three", Before: json.RawMessage(``), After: json.RawMessage(`null`)},
		{ID: "e4", At: t0, OrgID: o, Action: "x.four", Before: json.RawMessage(`"text"`), After: json.RawMessage(`[]`)},
	}
	n1a, n2, n1b := nums[0], nums[1], nums[0]
	n1a.State, n1a.Tag = numberpool.Reserved, "first"
	n2.State, n2.Account, n2.Tag = numberpool.Assigned, "a1", `t"ag\`
	n1b.State, n1b.Tag, n1b.AgingUntil = numberpool.Aging, "last", t0.Add(time.Hour)
	n3 := nums[2]
	n3.State, n3.AgingUntil, n3.Origin = numberpool.Available, time.Time{}, numberpool.Aging
	m1, m2 := msgs[0], msgs[1]
	m1.State, m1.Attempts, m1.LastError, m1.SentAt, m1.Secret = invite.Sent, 1, "", t0.Add(time.Minute), ""
	m2.State, m2.Attempts, m2.LastError, m2.NextAttempt = invite.Failed, 3, `smtp: 4.2.0 "busy"`, time.Time{}
	a1, a2 := accs[0], accs[1]
	a1.Applications, a1.Features, a1.FirstName = fromStrings[org.Application](odd), []org.Feature{}, "Ann"
	a2.Applications, a2.Features, a2.Updated, a2.Status = nil, []org.Feature{"f1", "f2"}, t0.Add(time.Hour), account.Activated

	var inTx []numberpool.Number
	require.NoError(t, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		if _, err := tx.Numbers(ctx, []string{nums[0].E164, nums[1].E164, nums[2].E164}); err != nil {
			return err
		}
		if _, err := tx.MessagesByID(ctx, []invite.MessageID{"m1", "m2"}); err != nil {
			return err
		}
		for _, id := range []account.ID{"a1", "a2"} {
			if _, err := tx.Account(ctx, id); err != nil {
				return err
			}
		}
		b.reset()
		steps := []error{
			tx.AppendAudit(ctx, events[0]),
			tx.AppendAudit(ctx, events[1]),
			tx.AppendAudit(ctx, events[2]),
			tx.UpdateNumber(ctx, n1a),
			tx.UpdateNumber(ctx, n2),
			tx.UpdateNumber(ctx, n1b), // the same number again: the last update wins
			tx.AppendAudit(ctx, events[3]),
			tx.UpdateAccount(ctx, a1), // alone in its run
			tx.UpdateNumber(ctx, n3),  // alone in its run too
		}
		if err := errors.Join(steps...); err != nil {
			return err
		}
		var err error
		inTx, err = tx.Numbers(ctx, []string{nums[2].E164, nums[0].E164, nums[1].E164})
		if err != nil {
			return err
		}
		// The count changes of the number updates wait for COMMIT (or a
		// read of the counts): see readsCounts.
		assert.Equal(t, []string{"UPDATE numbers ×n", "UPDATE accounts ×n", "UPDATE numbers ×n", "INSERT audit ×n",
			"SELECT ×n"}, b.last(), "the statements of the round trip after the queued writes")
		steps = []error{
			tx.UpdateMessage(ctx, m2),
			tx.UpdateMessage(ctx, m1),
			tx.UpdateAccount(ctx, a1),
			tx.UpdateAccount(ctx, a2),
		}
		return errors.Join(steps...)
	}))
	assert.Equal(t, []string{"UPDATE messages ×n", "UPDATE accounts ×n", "INSERT org_capacity", "DELETE", "COMMIT"}, b.last(),
		"the statements sent with COMMIT, the transaction's count changes in one")
	assert.Equal(t, []numberpool.Number{n1b, n2, n3}, inTx, "the numbers as the transaction reads them")

	require.NoError(t, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		gotNums, err := tx.Numbers(ctx, []string{nums[0].E164, nums[1].E164, nums[2].E164})
		if err != nil {
			return err
		}
		assert.Equal(t, []numberpool.Number{n1b, n2, n3}, gotNums)
		gotMsgs, err := tx.MessagesByID(ctx, []invite.MessageID{"m2", "m1"})
		if err != nil {
			return err
		}
		assert.Equal(t, []invite.Message{m1, m2}, gotMsgs)
		for _, want := range []account.Account{a1, a2} {
			got, err := tx.Account(ctx, want.ID)
			if err != nil {
				return err
			}
			assert.Equal(t, want, got)
		}
		got, _, err := tx.ListAudit(ctx, []org.ID{o}, multiline.Page{})
		if err != nil {
			return err
		}
		require.Len(t, got, len(events))
		for i, e := range events {
			g := got[len(got)-1-i] // newest first
			assertJSON(t, e.Before, g.Before, "the Before of %s", e.ID)
			assertJSON(t, e.After, g.After, "the After of %s", e.ID)
			e.Before, e.After, g.Before, g.After = nil, nil, nil, nil
			assert.Equal(t, e, g)
		}
		c, err := tx.Capacity(ctx, o)
		if err != nil {
			return err
		}
		assert.Equal(t, numberpool.Capacity{Available: 1, Pending: 1, Held: 1, Total: 3}, c)
		return nil
	}))
}

// TestAuditLast checks that audit events queued between other writes go
// after them, as one statement: number updates alternating with events go
// as one set-based update and one set-based insert, and so do the outcomes
// of deliveries alternating with their events, as the outbox records them.
// What is read back, in the transaction and after commit, is what the
// writes one by one would leave; an event that fails fails the transaction
// and keeps none of its writes.
func TestAuditLast(t *testing.T) {
	s, b, _ := groupStore(t)
	ctx := t.Context()
	o := org.ID("o")
	var nums []numberpool.Number
	var e164s []string
	var msgs []invite.Message
	var ids []invite.MessageID
	for i := range 5 {
		n := numberpool.Number{E164: fmt.Sprintf("+1415555%04d", i), OrgID: o, State: numberpool.Available}
		nums, e164s = append(nums, n), append(e164s, n.E164)
		m := invite.Message{ID: invite.MessageID(fmt.Sprintf("m%d", i)), Kind: invite.KindInvitation, OrgID: o,
			Channel: invite.SMS, To: n.E164, Text: "Join " + odd[i], IdempotencyKey: fmt.Sprintf("k%d", i),
			Secret: "s", State: invite.Queued, Created: t0}
		msgs, ids = append(msgs, m), append(ids, m.ID)
	}
	require.NoError(t, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		for _, n := range nums {
			if err := tx.CreateNumber(ctx, n); err != nil {
				return err
			}
		}
		return tx.EnqueueAll(ctx, msgs)
	}))
	var events []multiline.AuditEvent
	event := func(action, subject string) multiline.AuditEvent {
		e := multiline.AuditEvent{ID: fmt.Sprintf("e%02d", len(events)), At: t0.Add(time.Duration(len(events)) * time.Second),
			OrgID: o, Action: action, Subject: subject, After: json.RawMessage(fmt.Sprintf(`{"n": %d, "s": %q}`, len(events), odd[len(events)%len(odd)]))}
		events = append(events, e)
		return e
	}
	listAudit := func(ctx context.Context, tx multiline.Tx) []multiline.AuditEvent {
		got, _, err := tx.ListAudit(ctx, []org.ID{o}, multiline.Page{})
		require.NoError(t, err)
		return got
	}
	checkEvents := func(got []multiline.AuditEvent) {
		t.Helper()
		require.Len(t, got, len(events))
		for i, e := range events {
			g := got[len(got)-1-i] // newest first
			assertJSON(t, e.After, g.After, "the After of %s", e.ID)
			e.After, g.After = nil, nil
			assert.Equal(t, e, g)
		}
	}

	tagged := slices.Clone(nums)
	for i := range tagged {
		tagged[i].Tag = fmt.Sprintf("tag %d %s", i, odd[i])
	}
	require.NoError(t, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		if _, err := tx.Numbers(ctx, e164s); err != nil {
			return err
		}
		b.reset()
		for _, n := range tagged {
			if err := errors.Join(tx.UpdateNumber(ctx, n), tx.AppendAudit(ctx, event("number.tagged", n.E164))); err != nil {
				return err
			}
		}
		checkEvents(listAudit(ctx, tx))
		assert.Equal(t, []string{"UPDATE numbers ×n", "INSERT audit ×n", "SELECT"}, b.last(),
			"the statements sent with the first read")
		got, err := tx.Numbers(ctx, e164s)
		assert.Equal(t, tagged, got, "the numbers as the transaction reads them")
		return err
	}))
	got := get(t, s, func(ctx context.Context, tx multiline.Tx) ([]numberpool.Number, error) { return tx.Numbers(ctx, e164s) })
	assert.Equal(t, tagged, got)

	// The outcomes of deliveries, each followed by its event.
	sent := slices.Clone(msgs)
	for i := range sent {
		sent[i].State, sent[i].Attempts, sent[i].SentAt = invite.Sent, 1, t0.Add(time.Minute)
		sent[i].Text, sent[i].Secret = "", ""
	}
	require.NoError(t, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		if _, err := tx.MessagesByID(ctx, ids); err != nil {
			return err
		}
		b.reset()
		for _, m := range sent {
			if err := errors.Join(tx.UpdateMessage(ctx, m), tx.AppendAudit(ctx, event("message.sent", string(m.ID)))); err != nil {
				return err
			}
		}
		return nil
	}))
	assert.Equal(t, []string{"UPDATE messages ×n", "INSERT audit ×n", "DELETE", "COMMIT"}, b.last(),
		"the statements sent with COMMIT: message_due loses the rows of the messages the transaction holds and sent, without reading them")
	gotMsgs := get(t, s, func(ctx context.Context, tx multiline.Tx) ([]invite.Message, error) { return tx.MessagesByID(ctx, ids) })
	assert.Equal(t, sent, gotMsgs)
	checkEvents(get(t, s, func(ctx context.Context, tx multiline.Tx) ([]multiline.AuditEvent, error) {
		return listAudit(ctx, tx), nil
	}))

	// An event whose ID is taken, between number updates: the transaction
	// fails with its key, and none of its writes is kept.
	b.reset()
	err := s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		if _, err := tx.Numbers(ctx, e164s); err != nil {
			return err
		}
		for i, n := range nums {
			e := multiline.AuditEvent{ID: fmt.Sprintf("new-%d", i), OrgID: o, Action: "number.untagged", Subject: n.E164}
			if i == 2 {
				e.ID = events[0].ID
			}
			if err := errors.Join(tx.UpdateNumber(ctx, n), tx.AppendAudit(ctx, e)); err != nil {
				return err
			}
		}
		return nil
	})
	assert.Equal(t, []string{"UPDATE numbers ×n", "INSERT audit ×n", "COMMIT"}, b.last())
	var ue *multiline.UniqueError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, multiline.UniqueError{Key: "audit_event", Value: events[0].ID}, *ue)
	got = get(t, s, func(ctx context.Context, tx multiline.Tx) ([]numberpool.Number, error) { return tx.Numbers(ctx, e164s) })
	assert.Equal(t, tagged, got, "the failed transaction's number updates were kept")
	checkEvents(get(t, s, func(ctx context.Context, tx multiline.Tx) ([]multiline.AuditEvent, error) {
		return listAudit(ctx, tx), nil
	}))
}

// TestNarrowMessageUpdates checks the updates of messages the transaction
// knows in which only the delivery changed: a run of leases, a run of
// "sent" outcomes (which also clear the body and the secret) and a run of
// failures each go as one set-based statement that sets only the delivery
// columns (and blanks the body), and the messages read back exactly as
// written, in the transaction and after commit. A message with any other
// change, or known only by its key, gets the update of every column.
func TestNarrowMessageUpdates(t *testing.T) {
	s, b, _ := groupStore(t)
	ctx := t.Context()
	o := org.ID("o")
	html := "<p>" + strings.Repeat("Welcome aboard. ", 400) + "</p>" // stored out of line (TOAST)
	var ms []invite.Message
	var ids []invite.MessageID
	for i := range 4 {
		m := invite.Message{ID: invite.MessageID(fmt.Sprintf("m%d", i)), Kind: invite.KindInvitation, OrgID: o,
			Channel: invite.Email, To: fmt.Sprintf("u%d@example.com", i), Subject: "Join", Text: "Hello " + odd[i],
			HTML: html, IdempotencyKey: fmt.Sprintf("k%d", i), InvitationID: "inv", Account: "acc", TokenVersion: 2,
			Secret: "tok-" + odd[i+3], State: invite.Queued, Created: t0}
		ms, ids = append(ms, m), append(ids, m.ID)
	}
	require.NoError(t, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error { return tx.EnqueueAll(ctx, ms) }))
	read := func(tx multiline.Tx, ctx context.Context) []invite.Message {
		got, err := tx.MessagesByID(ctx, ids)
		require.NoError(t, err)
		return got
	}
	readBack := func() []invite.Message {
		return get(t, s, func(ctx context.Context, tx multiline.Tx) ([]invite.Message, error) { return tx.MessagesByID(ctx, ids) })
	}
	// the statements of the last batch but BEGIN, COMMIT and capacity
	// changes, by their SQL.
	writes := func() []string {
		var out []string
		for _, sql := range b.lastSQL() {
			// The capacity counts and message_due's upkeep are not the
			// messages' updates.
			if sql != "COMMIT" && !strings.HasPrefix(sql, "BEGIN") && !strings.Contains(sql, "org_capacity") &&
				!strings.Contains(sql, "message_due") {
				out = append(out, sql)
			}
		}
		return out
	}
	narrow := func(t *testing.T, sql string, blanks bool) {
		t.Helper()
		assert.Contains(t, sql, "unnest(", "a set-based statement")
		assert.Contains(t, sql, "SET ")
		for _, c := range []string{"kind", "org_id", "channel", "to_addr", "subject", "invitation_id", "account_id",
			"token_version", "created", "body_text = v.", "body_html = v.", "secret = v."} {
			assert.NotContains(t, sql, " "+c+" = ", "%s is not set", c)
		}
		for _, c := range []string{"state", "attempts", "last_error", "next_attempt", "sent_at"} {
			assert.Contains(t, sql, c+" = v."+c)
		}
		if blanks {
			assert.Contains(t, sql, "body_text = '', body_html = '', secret = ''")
		} else {
			assert.NotContains(t, sql, "body_text")
		}
	}

	// Leases: the next attempt moves.
	leased := slices.Clone(ms)
	for i := range leased {
		leased[i].NextAttempt = t0.Add(time.Minute)
	}
	require.NoError(t, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		assert.Equal(t, ms, read(tx, ctx))
		b.reset()
		for _, m := range leased {
			if err := tx.UpdateMessage(ctx, m); err != nil {
				return err
			}
		}
		assert.Equal(t, leased, read(tx, ctx), "the leased messages as the transaction reads them")
		w := writes()
		require.Len(t, w, 2, "the leases and the read")
		narrow(t, w[0], false)
		return nil
	}))
	assert.Equal(t, leased, readBack())

	// Outcomes: three sent (the body and secret cleared), one failed.
	done := slices.Clone(leased)
	for i := range done[:3] {
		done[i].State, done[i].Attempts, done[i].SentAt, done[i].NextAttempt = invite.Sent, 1, t0.Add(2*time.Minute), time.Time{}
		done[i].Text, done[i].HTML, done[i].Secret = "", "", ""
	}
	done[3].State, done[3].Attempts, done[3].LastError = invite.Failed, 1, `smtp: 4.2.0 "busy" ü`
	done[3].NextAttempt = t0.Add(time.Hour)
	require.NoError(t, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		read(tx, ctx)
		b.reset()
		for _, m := range done {
			if err := tx.UpdateMessage(ctx, m); err != nil {
				return err
			}
		}
		return nil
	}))
	w := writes()
	require.Len(t, w, 2, "the sent messages' updates, then the failed one's")
	narrow(t, w[0], true)
	narrow(t, w[1], false) // the failure, alone in its run
	assert.Equal(t, done, readBack())

	// A change of anything but the delivery: every column. The same instant
	// in another zone is no change.
	other := slices.Clone(done)
	other[0].To, other[0].Attempts = "new@example.com", 2
	other[1].Created = t0.In(time.FixedZone("X", 3600))
	other[1].Attempts = 2
	other[2].Text = "body back" // not a clearing
	require.NoError(t, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		read(tx, ctx)
		b.reset()
		return errors.Join(tx.UpdateMessage(ctx, other[0]), tx.UpdateMessage(ctx, other[1]), tx.UpdateMessage(ctx, other[2]))
	}))
	assert.Equal(t, []string{"UPDATE messages ×n", "UPDATE messages ×n", "UPDATE messages ×n", "COMMIT"}, b.last())
	w = writes()
	assert.Contains(t, w[0], "to_addr = v.to_addr")
	narrow(t, w[1], false) // the same instant
	assert.Contains(t, w[2], "body_text = v.body_text")
	want := slices.Clone(other)
	want[1].Created = t0
	assert.Equal(t, want, readBack())

	// Known only by its key (updated without being read first): every
	// column, after which the transaction knows the message, so that a
	// change of the delivery alone is narrow.
	first := want[3]
	first.Subject, first.State = "changed", invite.Cancelled
	second := first
	second.Attempts = 5
	require.NoError(t, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		b.reset()
		if err := tx.UpdateMessage(ctx, first); err != nil {
			return err
		}
		assert.Contains(t, b.lastSQL()[2], "subject = $6", "the update sent with the read of the key")
		return tx.UpdateMessage(ctx, second)
	}))
	w = writes()
	require.Len(t, w, 1)
	narrow(t, w[0], false)
	assert.Equal(t, second, readBack()[3])
}

// assertJSON checks that got is the JSON document want (by meaning, as
// jsonb reformats it), or NULL when want is empty.
func assertJSON(t *testing.T, want, got json.RawMessage, msg string, args ...any) {
	t.Helper()
	if len(want) == 0 {
		assert.Nil(t, got, fmt.Sprintf(msg, args...))
		return
	}
	assert.JSONEq(t, string(want), string(got), fmt.Sprintf(msg, args...))
}

func fromStrings[S ~string](in []string) []S {
	out := make([]S, len(in))
	for i, s := range in {
		out[i] = S(s)
	}
	return out
}

// TestGroupWritesMatchSingle stores records with edge values (NULL and
// empty arrays, odd texts, zero times, no token, retired tokens, consent)
// once with the single-row calls and once with the group calls, and checks
// that both read back the same, and as written.
func TestGroupWritesMatchSingle(t *testing.T) {
	s, _, _ := groupStore(t)
	ctx := t.Context()
	o := org.ID("o")
	accs := []account.Account{
		{OrgID: o, Status: account.Invited, Applications: fromStrings[org.Application](odd), Features: []org.Feature{},
			FirstName: `O"Brien`, Created: t0, Updated: t0, SocialMessaging: true, RecordSMS: true},
		{OrgID: o, Status: account.Activated, Number: "+14155550001", Applications: []org.Application{}},
		{OrgID: o, Status: account.NotInvited, Features: []org.Feature{"NULL", ""}, RestrictIncomingSocial: true, RecordCalls: true},
	}
	consent := &invite.Consent{AdminID: "adm", At: t0, Disclaimer: `yes, "really"`}
	invs := []invite.Invitation{
		{OrgID: o, Channel: invite.Email, Destination: "a@example.com", TokenHash: []byte{1, 2, 3}, TokenVersion: 2,
			Retired: [][]byte{{4, 5}, {0, 255, 92, 34}}, ExpiresAt: t0, State: invite.Pending, Created: t0, Updated: t0},
		{OrgID: o, Channel: invite.SMS, Destination: "+14155550009", TokenHash: []byte{6}, Retired: [][]byte{},
			State: invite.Pending, Consent: consent},
		{OrgID: o, Channel: invite.Email, State: invite.Pending}, // no token, no retired ones
	}
	msgs := []invite.Message{
		{Kind: invite.KindInvitation, OrgID: o, Channel: invite.Email, To: "a@example.com", Subject: "Hi {there}",
			Text: "line\nline", HTML: `<a href="x">`, TokenVersion: 2, Secret: `s\e`, State: invite.Queued, Created: t0},
		{Kind: invite.KindInvitation, OrgID: o, Channel: invite.SMS, State: invite.Failed, Attempts: 4,
			LastError: "NULL", NextAttempt: t0, SentAt: t0.Add(time.Second)},
	}
	// twin returns the records again with fresh keys, for the other path.
	keyed := func(prefix string) ([]account.Account, []invite.Invitation, []invite.Message) {
		as, is, ms := append([]account.Account(nil), accs...), append([]invite.Invitation(nil), invs...), append([]invite.Message(nil), msgs...)
		for i := range as {
			as[i].ID = account.ID(fmt.Sprintf("%s-acc-%d", prefix, i))
			as[i].Username = fmt.Sprintf("%s-%d@example.com", prefix, i)
			as[i].AccountID = fmt.Sprintf("%s-%d", prefix, i)
		}
		for i := range is {
			is[i].Account, is[i].ID = as[i].ID, invite.ID(fmt.Sprintf("%s-inv-%d", prefix, i))
			if is[i].TokenHash != nil {
				is[i].TokenHash = append([]byte(prefix), is[i].TokenHash...)
			}
			if len(is[i].Retired) > 0 {
				is[i].Retired = [][]byte{append([]byte(prefix), 4, 5), append([]byte(prefix), 0, 255, 92, 34)}
			}
		}
		for i := range ms {
			ms[i].ID = invite.MessageID(fmt.Sprintf("%s-msg-%d", prefix, i))
			ms[i].IdempotencyKey = fmt.Sprintf("%s-key-%d", prefix, i)
			ms[i].Account = as[i].ID
		}
		return as, is, ms
	}
	sa, si, sm := keyed("single")
	ga, gi, gm := keyed("group")
	require.NoError(t, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		for i := range sa {
			if err := tx.CreateAccount(ctx, sa[i]); err != nil {
				return err
			}
			if err := tx.CreateInvitation(ctx, si[i]); err != nil {
				return err
			}
		}
		for _, m := range sm {
			if err := tx.Enqueue(ctx, m); err != nil {
				return err
			}
		}
		if err := tx.CreateAccounts(ctx, ga); err != nil {
			return err
		}
		if err := tx.CreateInvitations(ctx, gi); err != nil {
			return err
		}
		return tx.EnqueueAll(ctx, gm)
	}))
	read := func(as []account.Account, is []invite.Invitation, ms []invite.Message) ([]account.Account, []invite.Invitation, []invite.Message) {
		var gotA []account.Account
		var gotI []invite.Invitation
		var gotM []invite.Message
		require.NoError(t, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
			gotA = nil
			for _, a := range as {
				got, err := tx.Account(ctx, a.ID)
				if err != nil {
					return err
				}
				gotA = append(gotA, got)
			}
			ids := []account.ID{as[2].ID, as[0].ID, as[1].ID}
			var err error
			if gotI, err = tx.Invitations(ctx, ids); err != nil {
				return err
			}
			// Every token hash finds its invitation.
			for _, inv := range is {
				for _, h := range append([][]byte{inv.TokenHash}, inv.Retired...) {
					if h == nil {
						continue
					}
					got, err := tx.InvitationByToken(ctx, h)
					if err != nil {
						return fmt.Errorf("token %x: %w", h, err)
					}
					assert.Equal(t, inv.Account, got.Account)
				}
			}
			gotM, err = tx.MessagesByID(ctx, []invite.MessageID{ms[1].ID, ms[0].ID})
			return err
		}))
		return gotA, gotI, gotM
	}
	for _, tt := range []struct {
		name string
		as   []account.Account
		is   []invite.Invitation
		ms   []invite.Message
	}{{"single", sa, si, sm}, {"group", ga, gi, gm}} {
		gotA, gotI, gotM := read(tt.as, tt.is, tt.ms)
		assert.Equal(t, tt.as, gotA, "%s: accounts", tt.name)
		assert.Equal(t, tt.is, gotI, "%s: invitations", tt.name)
		assert.Equal(t, tt.ms, gotM, "%s: messages", tt.name)
	}
}

// TestGroupCreateConflict checks the conflicts of the group creates that
// surface after the call: at commit, at the transaction's next round trip
// (whatever fn then does with the error), and from a concurrent
// transaction that took the key after AccountConflicts found it free. Each
// is a *multiline.UniqueError naming the key and its value, and nothing of
// the transaction is kept.
func TestGroupCreateConflict(t *testing.T) {
	s, _, _ := groupStore(t)
	ctx := t.Context()
	o := org.ID("o")
	stored := account.Account{ID: "stored", OrgID: o, Username: "taken@example.com", AccountID: "A-1", Status: account.Invited}
	require.NoError(t, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error { return tx.CreateAccount(ctx, stored) }))
	fresh := func(i int) account.Account {
		return account.Account{ID: account.ID(fmt.Sprintf("new-%d", i)), OrgID: o, Username: fmt.Sprintf("new-%d@example.com", i),
			Status: account.Invited}
	}
	for _, tt := range []struct {
		name       string
		clash      func(account.Account) account.Account
		key, value string
	}{
		{"username", func(a account.Account) account.Account { a.Username = stored.Username; return a }, "username", stored.Username},
		{"account_id", func(a account.Account) account.Account { a.AccountID = stored.AccountID; return a }, "account_id", stored.AccountID},
		{"account", func(a account.Account) account.Account { a.ID = stored.ID; return a }, "account", string(stored.ID)},
	} {
		as := []account.Account{fresh(1), tt.clash(fresh(2)), fresh(3)}
		check := func(t *testing.T, err error) {
			t.Helper()
			require.ErrorIs(t, err, mlerr.ErrAlreadyExists)
			var ue *multiline.UniqueError
			require.ErrorAs(t, err, &ue)
			assert.Equal(t, tt.key, ue.Key)
			assert.Equal(t, tt.value, ue.Value)
		}
		t.Run(tt.name+"/commit", func(t *testing.T) {
			err := s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
				if err := tx.AppendAudit(ctx, multiline.AuditEvent{ID: "ev-" + tt.name, OrgID: o, Action: "x"}); err != nil {
					return err
				}
				return tx.CreateAccounts(ctx, as)
			})
			check(t, err)
			requireNoAccounts(t, s, as[0], as[2])
		})
		t.Run(tt.name+"/next call", func(t *testing.T) {
			var fromCall, fromLater error
			err := s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
				if err := tx.CreateAccounts(ctx, as); err != nil {
					return err
				}
				_, fromCall = tx.Numbers(ctx, []string{"+14155550001"})
				fromLater = tx.AppendAudit(ctx, multiline.AuditEvent{ID: "ev", OrgID: o, Action: "x"})
				return nil // fn drops the error: Tx must not commit
			})
			check(t, fromCall)
			check(t, fromLater)
			check(t, err)
			requireNoAccounts(t, s, as[0], as[2])
		})
	}

	t.Run("concurrent", func(t *testing.T) {
		mine, theirs := fresh(10), fresh(11)
		theirs.Username = mine.Username
		inserted, checked := make(chan struct{}), make(chan struct{})
		var wg sync.WaitGroup
		var errA error
		wg.Go(func() {
			errA = s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
				if err := tx.CreateAccounts(ctx, []account.Account{mine}); err != nil {
					return err
				}
				if _, err := tx.Numbers(ctx, []string{"+1"}); err != nil { // sends the insert
					return err
				}
				close(inserted)
				<-checked
				time.Sleep(50 * time.Millisecond) // B's insert waits for this transaction
				return nil
			})
		})
		<-inserted
		attempts := 0
		errB := s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
			attempts++
			conflicts, err := tx.AccountConflicts(ctx, []account.Account{theirs})
			if err != nil {
				return err
			}
			if attempts == 1 {
				assert.Equal(t, []error{nil}, conflicts, "the other transaction's insert is not committed yet")
				close(checked)
			}
			return tx.CreateAccounts(ctx, []account.Account{theirs})
		})
		wg.Wait()
		require.NoError(t, errA)
		var ue *multiline.UniqueError
		require.ErrorAs(t, errB, &ue)
		assert.Equal(t, "username", ue.Key)
		assert.Equal(t, mine.Username, ue.Value)
		assert.Equal(t, 1, attempts, "a unique violation is not retried")
		requireNoAccounts(t, s, theirs)
	})
}

// requireNoAccounts fails unless none of the accounts is stored.
func requireNoAccounts(t *testing.T, s *postgres.Store, as ...account.Account) {
	t.Helper()
	for _, a := range as {
		err := s.Tx(t.Context(), func(ctx context.Context, tx multiline.Tx) error { _, err := tx.Account(ctx, a.ID); return err })
		require.ErrorIs(t, err, mlerr.ErrNotFound, "account %s was kept", a.ID)
	}
}

// TestGroupRoundTrips counts the round trips of each group call: one for
// each read and for SwapDeliveries, none for each create (their inserts go with the next round
// trip), on a connection that has prepared the statements already (the
// first use of a statement on a connection costs one more, to prepare it).
func TestGroupRoundTrips(t *testing.T) {
	schema := newSchema(t)
	var rt roundTrips
	s := postgres.New(newPool(t, schema, 1, counted(&rt)), postgres.WithSchema(schema))
	ctx := t.Context()
	o := org.ID("o")
	require.NoError(t, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error { return tx.CreateOrg(ctx, org.Org{ID: o, Name: "O"}) }))
	const n = 50
	group := func(prefix string) map[string]int64 {
		var as []account.Account
		var invs []invite.Invitation
		var ms []invite.Message
		var e164s []string
		var ids []invite.MessageID
		var accts []account.ID
		for i := range n {
			a := account.Account{ID: account.ID(fmt.Sprintf("%s-acc-%03d", prefix, i)), OrgID: o,
				Username: fmt.Sprintf("%s-%d@example.com", prefix, i), AccountID: fmt.Sprintf("%s-%d", prefix, i),
				Status: account.Invited, Applications: []org.Application{"mobile"}}
			as, accts = append(as, a), append(accts, a.ID)
			invs = append(invs, invite.Invitation{ID: invite.ID(fmt.Sprintf("%s-inv-%03d", prefix, i)), Account: a.ID, OrgID: o,
				Channel: invite.Email, TokenHash: []byte(fmt.Sprintf("%s-hash-%d", prefix, i)), State: invite.Pending})
			m := invite.Message{ID: invite.MessageID(fmt.Sprintf("%s-msg-%03d", prefix, i)), OrgID: o, Kind: invite.KindInvitation,
				IdempotencyKey: fmt.Sprintf("%s-key-%d", prefix, i), Account: a.ID, State: invite.Queued}
			ms, ids = append(ms, m), append(ids, m.ID)
			e164s = append(e164s, fmt.Sprintf("+1415%s%04d", map[string]string{"warm": "555", "measured": "556"}[prefix], i))
		}
		require.NoError(t, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
			for _, e := range e164s {
				if err := tx.CreateNumber(ctx, numberpool.Number{E164: e, OrgID: o, State: numberpool.Available}); err != nil {
					return err
				}
			}
			return nil
		}))
		trips := map[string]int64{}
		measure := func(name string, f func() error) error {
			before := rt.n.Load()
			err := f()
			trips[name] = rt.n.Load() - before
			return err
		}
		var beforeCommit int64
		require.NoError(t, measure("Tx", func() error {
			return s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
				if err := measure("BEGIN, LockOrg", func() error { return tx.LockOrg(ctx, o) }); err != nil {
					return err
				}
				err := errors.Join(
					measure("Numbers", func() error { _, err := tx.Numbers(ctx, e164s); return err }),
					measure("AccountConflicts", func() error { _, err := tx.AccountConflicts(ctx, as); return err }),
					measure("CreateAccounts", func() error { return tx.CreateAccounts(ctx, as) }),
					measure("EnqueueAll", func() error { return tx.EnqueueAll(ctx, ms) }),
					measure("CreateInvitations", func() error { return tx.CreateInvitations(ctx, invs) }),
					measure("MessagesByID", func() error { _, err := tx.MessagesByID(ctx, ids); return err }),
					measure("Invitations", func() error { _, err := tx.Invitations(ctx, accts); return err }),
					measure("SwapDeliveries", func() error {
						sent := make([]invite.Message, len(ms))
						for i, m := range ms {
							sent[i], _ = m.Delivered(time.Now())
						}
						swapped, err := tx.SwapDeliveries(ctx, ms, sent)
						if err == nil && slices.Contains(swapped, false) {
							err = fmt.Errorf("SwapDeliveries swapped %v", swapped)
						}
						return err
					}),
				)
				beforeCommit = rt.n.Load()
				return err
			})
		}))
		trips["COMMIT"] = rt.n.Load() - beforeCommit
		delete(trips, "Tx")
		return trips
	}
	t.Logf("round trips of %d-record group calls, first use: %v", n, group("warm"))
	trips := group("measured")
	t.Logf("round trips of %d-record group calls: %v", n, trips)
	assert.Equal(t, map[string]int64{"BEGIN, LockOrg": 1, "Numbers": 1, "AccountConflicts": 1, "CreateAccounts": 0,
		"EnqueueAll": 0, "CreateInvitations": 0, "MessagesByID": 1, "Invitations": 1, "SwapDeliveries": 1, "COMMIT": 1}, trips)
}

// TestArrayLiteralsRandom stores accounts whose text arrays, and
// invitations whose retired token hashes, are random (any UTF-8 text but
// NUL, any bytes), with CreateAccounts, CreateInvitations and a run of
// account updates, and reads them back unchanged, the inserts going as
// statements and as COPY.
func TestArrayLiteralsRandom(t *testing.T) {
	for _, mode := range writeModes {
		t.Run(mode.name, func(t *testing.T) { arrayLiteralsRandom(t, mode.opt) })
	}
}

func arrayLiteralsRandom(t *testing.T, opt postgres.Option) {
	s, _, _ := groupStore(t, opt)
	ctx := t.Context()
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("ab\\\"{},' \t\n\r;:NULLnull()[]üé€😀\u00a0\u200b\x01\x7f")
	text := func() string {
		n := r.IntN(8)
		var b strings.Builder
		for range n {
			if r.IntN(4) == 0 {
				b.WriteRune(rune(1 + r.IntN(0x2FFF)))
			} else {
				b.WriteRune(alphabet[r.IntN(len(alphabet))])
			}
		}
		return b.String()
	}
	texts := func() []string {
		if r.IntN(5) == 0 {
			return nil
		}
		out := make([]string, r.IntN(5))
		for i := range out {
			out[i] = text()
		}
		return out
	}
	const n = 60
	var as, updated []account.Account
	var invs []invite.Invitation
	for i := range n {
		a := account.Account{ID: account.ID(fmt.Sprintf("acc-%03d", i)), OrgID: "o", Username: fmt.Sprintf("u%d", i),
			Status: account.NotInvited, FirstName: text(), Applications: fromStrings[org.Application](texts()),
			Features: fromStrings[org.Feature](texts())}
		as = append(as, a)
		a.Applications, a.Features, a.LastName = fromStrings[org.Application](texts()), fromStrings[org.Feature](texts()), text()
		updated = append(updated, a)
		inv := invite.Invitation{ID: invite.ID(fmt.Sprintf("inv-%03d", i)), Account: a.ID, OrgID: "o", State: invite.Pending}
		for j := range r.IntN(4) {
			h := make([]byte, r.IntN(40))
			for k := range h {
				h[k] = byte(r.IntN(256))
			}
			inv.Retired = append(inv.Retired, append(h, byte(i), byte(j))) // unique
		}
		invs = append(invs, inv)
	}
	require.NoError(t, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		if err := tx.CreateAccounts(ctx, as); err != nil {
			return err
		}
		return tx.CreateInvitations(ctx, invs)
	}))
	read := func() []account.Account {
		var got []account.Account
		require.NoError(t, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
			got = nil
			for _, a := range as {
				g, err := tx.Account(ctx, a.ID)
				if err != nil {
					return err
				}
				got = append(got, g)
			}
			return nil
		}))
		return got
	}
	assert.Equal(t, as, read())
	var gotInvs []invite.Invitation
	require.NoError(t, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		ids := make([]account.ID, n)
		for i, a := range as {
			ids[i] = a.ID
		}
		var err error
		gotInvs, err = tx.Invitations(ctx, ids)
		if err != nil {
			return err
		}
		for _, a := range as { // a run of updates of accounts the transaction holds
			if _, err := tx.Account(ctx, a.ID); err != nil {
				return err
			}
		}
		for _, a := range updated {
			if err := tx.UpdateAccount(ctx, a); err != nil {
				return err
			}
		}
		return nil
	}))
	assert.Equal(t, invs, gotInvs)
	assert.Equal(t, updated, read())
}

// TestCoalescedWriteFailure checks that a run of queued audit events made
// one statement fails as the events one by one would: the transaction,
// with a *multiline.UniqueError naming the event's key, keeping nothing.
func TestCoalescedWriteFailure(t *testing.T) {
	s, b, _ := groupStore(t)
	ctx := t.Context()
	ev := func(id string) multiline.AuditEvent {
		return multiline.AuditEvent{ID: id, OrgID: "o", Action: "a", At: t0}
	}
	require.NoError(t, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error { return tx.AppendAudit(ctx, ev("ev-1")) }))
	for _, tt := range []struct {
		name string
		ids  []string
		dup  string
	}{
		{"stored", []string{"ev-2", "ev-1", "ev-3"}, "ev-1"},
		{"twice in the run", []string{"ev-4", "ev-5", "ev-4"}, "ev-4"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b.reset()
			err := s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
				for _, id := range tt.ids {
					if err := tx.AppendAudit(ctx, ev(id)); err != nil {
						return err
					}
				}
				return nil
			})
			assert.Equal(t, []string{"BEGIN", "INSERT audit ×n", "COMMIT"}, b.last())
			var ue *multiline.UniqueError
			require.ErrorAs(t, err, &ue)
			assert.Equal(t, multiline.UniqueError{Key: "audit_event", Value: tt.dup}, *ue)
			kept := get(t, s, func(ctx context.Context, tx multiline.Tx) ([]multiline.AuditEvent, error) {
				evs, _, err := tx.ListAudit(ctx, []org.ID{"o"}, multiline.Page{})
				return evs, err
			})
			assert.Equal(t, []multiline.AuditEvent{ev("ev-1")}, kept, "the failed transaction's events were kept")
		})
	}
}

// get runs fn in a transaction that must commit and returns its value.
func get[T any](t *testing.T, s *postgres.Store, fn func(context.Context, multiline.Tx) (T, error)) T {
	t.Helper()
	var v T
	require.NoError(t, s.Tx(t.Context(), func(ctx context.Context, tx multiline.Tx) error {
		var err error
		v, err = fn(ctx, tx)
		return err
	}))
	return v
}

// BenchmarkGroupInsert is what DefaultCopyRows weighs: one transaction
// that creates n accounts (with CreateAccounts) and commits, the insert
// going as a set-based statement or as COPY, on a connection that has
// prepared the statement already. Each iteration's accounts are new; the
// table grows across iterations alike in both modes.
func BenchmarkGroupInsert(b *testing.B) {
	for _, n := range []int{8, 32, 64, 128, 512} {
		for _, mode := range writeModes {
			b.Run(fmt.Sprintf("%s/%d", mode.name, n), func(b *testing.B) {
				schema := newSchema(b)
				s := postgres.New(newPool(b, schema, 1), postgres.WithSchema(schema), mode.opt)
				ctx := context.Background()
				require.NoError(b, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
					return tx.CreateOrg(ctx, org.Org{ID: "o", Name: "O"})
				}))
				k := 0
				batchOf := func() []account.Account {
					as := make([]account.Account, n)
					for i := range as {
						k++
						as[i] = account.Account{ID: account.ID(fmt.Sprintf("acc-%08d", k)), OrgID: "o", FirstName: "Ann", LastName: "Smith",
							Email: fmt.Sprintf("u%d@example.com", k), Username: fmt.Sprintf("u%d@example.com", k), Status: account.Invited,
							Applications: []org.Application{"mobile"}, Language: "en", Created: t0, Updated: t0}
					}
					return as
				}
				create := func(as []account.Account) {
					if err := s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error { return tx.CreateAccounts(ctx, as) }); err != nil {
						b.Fatal(err)
					}
				}
				create(batchOf()) // prepares the statement
				for b.Loop() {
					b.StopTimer()
					as := batchOf()
					b.StartTimer()
					create(as)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/row")
			})
		}
	}
}

// TestGroupStatementsProbeIndexes checks that the group statements of an
// Import & Invite (its reads, its account conflicts check, the updates of
// its numbers and of its messages as they are sent, which since 2026-12-02
// are SwapDeliveries and no read of the messages) probe their keys'
// indexes rather than read their tables whole, at a size where the planner
// read them whole for a few hundred keys when the reads were written as
// key = ANY($1), the conflicts as EXISTS and the updates joined only to
// their unnested rows (see keyed in queries.go, updateMany in sets.go):
// 1 000 rows imported into a database whose tables hold 8 000 rows each.
// Each statement that reads one of those tables by the keys of an array is
// explained again, with the arguments it was sent with.
func TestGroupStatementsProbeIndexes(t *testing.T) {
	ctx := context.Background()
	rec := &statements{}
	var rt roundTrips
	in, tr := importFixture(t, 1000, &rt, func(c *pgxpool.Config) { c.ConnConfig.Tracer = rec })
	warm(t, in, tr)
	fillTables(t, in.pool, tr.support.ID, 8000)
	rec.set(true)
	got, err := in.svc.ImportBatch(ctx, tr.acme.Admin.ID, tr.sales.ID, bytes.NewReader(batchtest.GenerateCSV(1000)),
		multiline.BatchOptions{Mode: batch.ImportInvite, SMSConsent: true, MaxRows: 1000})
	require.NoError(t, err)
	require.Equal(t, 1000, got.Summary.Invited, got.Rows)
	rec.set(false)
	sent := rec.take()

	tables := []string{"numbers", "accounts", "messages", "invitations"}
	checked := map[string]int{}
	for _, st := range sent {
		f := strings.Fields(st.sql)
		if len(f) == 0 || !slices.Contains([]string{"SELECT", "UPDATE", "DELETE", "WITH"}, f[0]) ||
			!strings.Contains(st.sql, "unnest(") && !strings.Contains(st.sql, "ANY(") {
			continue
		}
		var reads []string
		for _, tb := range tables {
			if strings.Contains(st.sql, "."+tb+" ") {
				reads = append(reads, tb)
			}
		}
		if len(reads) == 0 {
			continue
		}
		rows, err := in.pool.Query(ctx, "EXPLAIN "+st.sql, st.args...)
		require.NoError(t, err, st.sql)
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		require.NoError(t, err, st.sql)
		plan := strings.Join(lines, "\n")
		name := f[0] + " " + strings.Join(reads, ",")
		checked[name]++
		for _, tb := range reads {
			assert.NotContains(t, plan, "Seq Scan on "+tb, "%s: the table read whole", name)
		}
		assert.NotContains(t, plan, "hashed SubPlan", "%s: a table read whole into a hash", name)
		if t.Failed() {
			t.Fatalf("%s\nthe plan:\n%s", st.sql, plan)
		}
	}
	t.Logf("checked: %v", checked)
	// Every kind of group statement of the import was seen.
	for _, name := range []string{"SELECT numbers", "SELECT accounts", "UPDATE numbers", "UPDATE messages"} {
		assert.Positive(t, checked[name], "%s: not sent; sent: %v", name, checked)
	}
}

// TestCountsLockedLate checks that a transaction's count changes lock its
// organization's capacity row only when it reads the counts or commits
// (see readsCounts in tx.go): an import's group locks the row late, so
// that concurrent imports into one organization wait for each other as
// little as they can; and that the transaction's reads of the counts
// still count its own changes.
func TestCountsLockedLate(t *testing.T) {
	schema := newSchema(t)
	s := postgres.New(newPool(t, schema, 2), postgres.WithSchema(schema))
	other := newPool(t, schema, 1)
	ctx := t.Context()
	o := org.ID("o")
	require.NoError(t, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error { return tx.CreateOrg(ctx, org.Org{ID: o, Name: "O"}) }))
	// locked reports whether another connection would wait for the row.
	locked := func() bool {
		_, err := other.Exec(ctx, `SELECT 1 FROM org_capacity WHERE org_id = $1 FOR UPDATE NOWAIT`, string(o))
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "55P03" { // lock_not_available
			return true
		}
		require.NoError(t, err)
		return false
	}
	require.NoError(t, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		for _, e := range []string{"+14155550001", "+14155550002"} {
			require.NoError(t, tx.CreateNumber(ctx, numberpool.Number{E164: e, OrgID: o, State: numberpool.Available}))
		}
		_, err := tx.Numbers(ctx, []string{"+14155550001"}) // a round trip that does not read the counts
		require.NoError(t, err)
		assert.False(t, locked(), "the numbers are written, their count changes not yet")
		c, err := tx.Capacity(ctx, o)
		require.NoError(t, err)
		assert.Equal(t, numberpool.Capacity{Available: 2, Total: 2}, c, "the transaction's own changes counted")
		assert.True(t, locked(), "the count changes went before the read of the counts")
		return nil
	}))
	require.NoError(t, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		require.NoError(t, tx.CreateNumber(ctx, numberpool.Number{E164: "+14155550003", OrgID: o, State: numberpool.Available}))
		return nil // the count change goes with COMMIT
	}))
	var available, total int
	require.NoError(t, other.QueryRow(ctx, `SELECT available, total FROM org_capacity WHERE org_id = $1`, string(o)).Scan(&available, &total))
	assert.Equal(t, [2]int{3, 3}, [2]int{available, total}, "every change committed")
}

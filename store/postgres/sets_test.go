package postgres

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/numberpool"
)

// TestMergeKeepsLastUpdate checks that a run of updates that names a row
// twice sends the row once, at its first place, with its last values: an
// UPDATE … FROM would apply either.
func TestMergeKeepsLastUpdate(t *testing.T) {
	q := newQueries("s")
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	a1 := numberpool.Number{E164: "+1", OrgID: "o", State: numberpool.Reserved, Tag: "first"}
	b := numberpool.Number{E164: "+2", OrgID: "o", State: numberpool.Available}
	a2 := numberpool.Number{E164: "+1", OrgID: "o", State: numberpool.Aging, Tag: "last", AgingUntil: at}
	run := []stmt{
		{sql: q.updateNumber, args: numberArgs(a1)},
		{sql: q.updateNumber, args: numberArgs(b)},
		{sql: q.updateNumber, args: numberArgs(a2)},
	}
	st := (&tx{s: &Store{q: q, copyMin: DefaultCopyRows}}).coalesce(run)
	require.Len(t, st, 1)
	assert.Equal(t, q.merge[q.updateNumber].sql, st[0].sql)
	assert.Equal(t, []string{"+1", "+2"}, st[0].args[0])
	assert.Equal(t, []string{"last", ""}, st[0].args[3])
	assert.Equal(t, []pgtype.Timestamptz{{Time: at, Valid: true}, {}}, st[0].args[6])

	// A message is named by its ID and idempotency key together.
	m := invite.Message{ID: "m", IdempotencyKey: "k", Attempts: 1}
	other := m
	other.IdempotencyKey, other.Attempts = "other", 2
	again := m
	again.Attempts = 3
	st = (&tx{s: &Store{q: q, copyMin: DefaultCopyRows}}).coalesce([]stmt{
		{sql: q.updateMessage, args: messageArgs(m)},
		{sql: q.updateMessage, args: messageArgs(other)},
		{sql: q.updateMessage, args: messageArgs(again)},
		{sql: q.appendAudit, args: []any{"e", nil, "", "o", "a", "s", nil, "{}"}},
	})
	require.Len(t, st, 2)
	assert.Equal(t, []string{"k", "other"}, st[0].args[8])
	assert.Equal(t, []int{3, 2}, st[0].args[14])
	assert.Equal(t, q.merge[q.appendAudit].sql, st[1].sql, "a run of one goes set-based too")
	assert.Equal(t, []string{"e"}, st[1].args[0])
}

func TestArrayLiterals(t *testing.T) {
	assert.Equal(t, pgtype.Text{}, textsLiteral(nil))
	assert.Equal(t, pgtype.Text{String: `{}`, Valid: true}, textsLiteral([]string{}))
	assert.Equal(t, pgtype.Text{String: `{"a","","NULL","b\"c","d\\e","{f,g}"}`, Valid: true},
		textsLiteral([]string{"a", "", "NULL", `b"c`, `d\e`, "{f,g}"}))
	assert.Equal(t, pgtype.Text{}, byteasLiteral(nil))
	assert.Equal(t, pgtype.Text{String: `{}`, Valid: true}, byteasLiteral([][]byte{}))
	assert.Equal(t, pgtype.Text{String: `{"\\x0aff",NULL,"\\x"}`, Valid: true}, byteasLiteral([][]byte{{10, 255}, nil, {}}))
}

func TestSetStatements(t *testing.T) {
	q := newQueries("s")
	assert.Equal(t, `UPDATE "s".numbers AS t SET org_id = v.org_id, state = v.state, tag = v.tag, account_id = v.account_id, `+
		`origin = v.origin, aging_until = v.aging_until FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], `+
		`$6::text[], $7::timestamptz[]) AS v(e164, org_id, state, tag, account_id, origin, aging_until) WHERE t.e164 = v.e164 `+
		`AND t.e164 = ANY (ARRAY(SELECT unnest($1::text[])))`,
		q.merge[q.updateNumber].sql)
	assert.Equal(t, `INSERT INTO "s".audit (id, at, actor, org_id, action, subject, before, after) `+
		`SELECT v.id, v.at, v.actor, v.org_id, v.action, v.subject, v.before::json, v.after::json `+
		`FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) `+
		`AS v(id, at, actor, org_id, action, subject, before, after)`, q.merge[q.appendAudit].sql)
	assert.Contains(t, q.merge[q.updateMessage].sql, "WHERE t.id = v.id AND t.idempotency_key = v.idempotency_key")
	assert.NotContains(t, q.merge[q.updateMessage].sql, "idempotency_key = v.idempotency_key,")
	assert.Equal(t, `UPDATE "s".messages AS t SET body_text = '', body_html = '', secret = '', state = v.state, `+
		`attempts = v.attempts, last_error = v.last_error, next_attempt = v.next_attempt, sent_at = v.sent_at `+
		`FROM unnest($1::text[], $2::text[], $3::text[], $4::int4[], $5::text[], $6::timestamptz[], $7::timestamptz[]) `+
		`AS v(id, idempotency_key, state, attempts, last_error, next_attempt, sent_at) `+
		`WHERE t.id = v.id AND t.idempotency_key = v.idempotency_key AND t.id = ANY (ARRAY(SELECT unnest($1::text[])))`,
		q.merge[q.sentMessage].sql)
}

// TestUpdateOfMessage checks which update a change of a known message gets:
// narrow when only the delivery changed, narrow and blanking when the body
// and secret were cleared besides, every column otherwise.
func TestUpdateOfMessage(t *testing.T) {
	q := newQueries("s")
	tx := &tx{s: &Store{q: q}}
	at := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	prev := invite.Message{ID: "m", Kind: invite.KindInvitation, OrgID: "o", Channel: invite.Email, To: "a@example.com",
		Subject: "s", Text: "t", HTML: "<p>h</p>", IdempotencyKey: "k", InvitationID: "i", Account: "a", TokenVersion: 1,
		Secret: "x", State: invite.Queued, Created: at}
	change := func(f func(*invite.Message)) invite.Message {
		m := prev
		f(&m)
		return m
	}
	for _, tt := range []struct {
		name string
		m    invite.Message
		sql  string
	}{
		{"unchanged", prev, q.updateDelivery},
		{"lease", change(func(m *invite.Message) { m.NextAttempt = at }), q.updateDelivery},
		{"failed", change(func(m *invite.Message) {
			m.State, m.Attempts, m.LastError, m.NextAttempt = invite.Failed, 1, "e", at
		}), q.updateDelivery},
		{"sent", change(func(m *invite.Message) {
			m.State, m.Attempts, m.SentAt, m.Text, m.HTML, m.Secret = invite.Sent, 1, at, "", "", ""
		}), q.sentMessage},
		{"created, same instant", change(func(m *invite.Message) { m.Created = at.In(time.FixedZone("X", -7200)) }), q.updateDelivery},
		{"created", change(func(m *invite.Message) { m.Created = at.Add(time.Microsecond) }), q.updateMessage},
		{"text cleared alone", change(func(m *invite.Message) { m.Text = "" }), q.updateMessage},
		{"secret kept", change(func(m *invite.Message) { m.Text, m.HTML = "", "" }), q.updateMessage},
		{"to", change(func(m *invite.Message) { m.To = "b@example.com" }), q.updateMessage},
		{"token version", change(func(m *invite.Message) { m.TokenVersion = 2 }), q.updateMessage},
		{"sent, and kind", change(func(m *invite.Message) {
			m.State, m.Text, m.HTML, m.Secret, m.Kind = invite.Sent, "", "", "", invite.Kind("other")
		}), q.updateMessage},
	} {
		sql, args := tx.updateOfMessage(prev, tt.m)
		assert.Equal(t, tt.sql, sql, tt.name)
		if sql == q.updateMessage {
			assert.Equal(t, messageArgs(tt.m), args, tt.name)
		} else {
			assert.Equal(t, deliveryArgs(tt.m), args, tt.name)
		}
	}
	// Already blank: nothing to clear.
	blank := change(func(m *invite.Message) { m.Text, m.HTML, m.Secret = "", "", "" })
	sql, _ := tx.updateOfMessage(blank, change(func(m *invite.Message) { *m = blank; m.State = invite.Sent }))
	assert.Equal(t, q.updateDelivery, sql)
}

package postgres_test

import (
	"context"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/batch/batchtest"
	"github.com/multilinehq/multiline/invite"
)

// writes are the rows one Import & Invite wrote, read back out of the
// tables of the schema it ran in: the baseline copies them.
type writes struct {
	// before are the pre-import rows the import updates (the organization's
	// numbers and capacity), copied untimed into each fresh schema.
	before []tableRows
	// first are the rows the import inserts but the audit events of the
	// deliveries' outcomes, second those events: none when every message
	// went out, since a delivery is not audited (see the root's doc), only a
	// failed or cancelled one.
	first, second []tableRows
	numbers       [][]any  // e164, state, origin, account_id of each number the import assigned
	done          []string // the messages the deliveries took out of message_due
	sent          [][]any  // id, state, attempts, last_error, next_attempt, sent_at of each message
	capacity      []any    // org_id, available, pending, held, total after the import
	batch         []any    // id, state, done, summary, finished of the batch record after it
}

// tableRows are rows of one table, their columns named.
type tableRows struct {
	table string
	cols  []string
	rows  [][]any
}

// readRows reads the rows of a query as a table's rows.
func readRows(t testing.TB, pool *pgxpool.Pool, table, sql string, args ...any) tableRows {
	t.Helper()
	r, err := pool.Query(context.Background(), sql, args...)
	require.NoError(t, err)
	defer r.Close()
	tr := tableRows{table: table}
	for _, f := range r.FieldDescriptions() {
		tr.cols = append(tr.cols, f.Name)
	}
	for r.Next() {
		v, err := r.Values()
		require.NoError(t, err)
		tr.rows = append(tr.rows, v)
	}
	require.NoError(t, r.Err())
	return tr
}

// captureWrites runs one 1000-row Import & Invite of GenerateCSV(1000), as
// BenchmarkPostgresImportInvite1000 does, and reads back every row it
// wrote. The messages are read as they were inserted, before their
// delivery cleared their secrets (and an admin notification's body): the
// recording notifier kept each as it was sent.
func captureWrites(t testing.TB, rows int) writes {
	var rt roundTrips
	in, tr := importFixture(t, rows, &rt)
	warm(t, in, tr)
	ctx := context.Background()
	sales := string(tr.sales.ID)
	var w writes
	w.before = []tableRows{
		readRows(t, in.pool, "numbers", `SELECT * FROM numbers WHERE org_id = $1`, sales),
		readRows(t, in.pool, "org_capacity", `SELECT * FROM org_capacity WHERE org_id = $1`, sales),
	}
	in.out.Reset()
	t0 := time.Now()
	var ph phases
	rec, err := importInvite(ctx, in, tr, batchtest.GenerateCSV(rows), rows, &rt, &ph)
	require.NoError(t, err)
	require.Equal(t, rows, rec.Summary.Invited)
	msgs := readRows(t, in.pool, "messages", `SELECT * FROM messages WHERE created >= $1 ORDER BY id`, t0)
	sent := map[invite.MessageID]invite.Message{}
	for _, m := range in.out.Messages() {
		sent[m.ID] = m
	}
	col := func(tr tableRows, name string) int {
		i := slices.Index(tr.cols, name)
		require.GreaterOrEqual(t, i, 0, name)
		return i
	}
	for _, r := range msgs.rows {
		m, ok := sent[invite.MessageID(r[col(msgs, "id")].(string))]
		require.True(t, ok, "message %v was not sent", r[0])
		w.sent = append(w.sent, []any{m.ID, r[col(msgs, "state")], r[col(msgs, "attempts")], r[col(msgs, "last_error")],
			r[col(msgs, "next_attempt")], r[col(msgs, "sent_at")]})
		// Stored as the outbox stores it: an invitation without its body
		// (the root's stored), its secret until the send.
		r[col(msgs, "secret")] = m.Secret
		if m.Kind != invite.KindInvitation {
			r[col(msgs, "body_text")], r[col(msgs, "body_html")] = m.Text, m.HTML
		}
		r[col(msgs, "state")], r[col(msgs, "attempts")], r[col(msgs, "last_error")] = string(m.State), m.Attempts, m.LastError
		r[col(msgs, "sent_at")] = nil
	}
	require.Equal(t, rows, len(w.sent), "one invitation a row")
	// Each message was due as inserted, so message_due got a row for it,
	// which its delivery deleted.
	due := tableRows{table: "message_due", cols: []string{"id"}}
	for _, r := range msgs.rows {
		id, st := r[col(msgs, "id")].(string), r[col(msgs, "state")].(string)
		if st == string(invite.Queued) || st == string(invite.Failed) {
			due.rows = append(due.rows, []any{id})
		}
	}
	for _, d := range w.sent {
		if st := d[1].(string); st != string(invite.Queued) && st != string(invite.Failed) {
			w.done = append(w.done, string(d[0].(invite.MessageID)))
		}
	}
	w.first = []tableRows{
		readRows(t, in.pool, "accounts", `SELECT * FROM accounts WHERE batch_id = $1`, rec.ID),
		readRows(t, in.pool, "invitations", `SELECT i.* FROM invitations i JOIN accounts a ON a.id = i.account_id WHERE a.batch_id = $1`, rec.ID),
		readRows(t, in.pool, "invitation_tokens", `SELECT i.* FROM invitation_tokens i JOIN accounts a ON a.id = i.account_id WHERE a.batch_id = $1`, rec.ID),
		msgs,
		due,
		readRows(t, in.pool, "audit", `SELECT * FROM audit WHERE at >= $1 AND action NOT LIKE 'message.%'`, t0),
		readRows(t, in.pool, "batches", `SELECT * FROM batches WHERE id = $1`, rec.ID),
		readRows(t, in.pool, "batch_rows", `SELECT * FROM batch_rows WHERE batch_id = $1`, rec.ID),
	}
	w.second = []tableRows{readRows(t, in.pool, "audit", `SELECT * FROM audit WHERE at >= $1 AND action LIKE 'message.%'`, t0)}
	for _, tr := range w.first {
		require.NotEmpty(t, tr.rows, tr.table)
	}
	w.numbers = readRows(t, in.pool, "numbers", `SELECT e164, state, origin, account_id FROM numbers WHERE org_id = $1 AND account_id <> ''`, sales).rows
	require.NotEmpty(t, w.numbers, "the numbers assigned")
	w.capacity = readRows(t, in.pool, "org_capacity", `SELECT org_id, available, pending, held, total FROM org_capacity WHERE org_id = $1`, sales).rows[0]
	w.batch = readRows(t, in.pool, "batches", `SELECT id, state, done, summary::text, finished FROM batches WHERE id = $1`, rec.ID).rows[0]
	return w
}

// columnOf returns column i of rows.
func columnOf[T any](rows [][]any, i int) []T {
	out := make([]T, len(rows))
	for r, row := range rows {
		if v, ok := row[i].(T); ok {
			out[r] = v
		}
	}
	return out
}

// copyWrites writes w into a freshly migrated schema through pool, as the
// baseline does: CopyFrom of every inserted row and the set-based updates,
// in two transactions.
func copyWrites(ctx context.Context, pool *pgxpool.Pool, w writes) error {
	copyAll := func(tx pgx.Tx, trs []tableRows) error {
		for _, tr := range trs {
			if len(tr.rows) == 0 {
				continue // nothing written: no COPY
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{tr.table}, tr.cols, pgx.CopyFromRows(tr.rows)); err != nil {
				return err
			}
		}
		return nil
	}
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if err := copyAll(tx, w.first); err != nil {
			return err
		}
		b := &pgx.Batch{}
		b.Queue(`UPDATE numbers AS n SET state = v.state, origin = v.origin, account_id = v.account_id
			FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS v(e164, state, origin, account_id) WHERE n.e164 = v.e164`,
			columnOf[string](w.numbers, 0), columnOf[string](w.numbers, 1), columnOf[string](w.numbers, 2), columnOf[string](w.numbers, 3))
		b.Queue(`UPDATE org_capacity SET available = $2, pending = $3, held = $4, total = $5 WHERE org_id = $1`, w.capacity...)
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if err := copyAll(tx, w.second); err != nil {
			return err
		}
		b := &pgx.Batch{}
		b.Queue(`UPDATE messages AS m SET body_text = '', body_html = '', secret = '', state = v.state, attempts = v.attempts,
			last_error = v.last_error, next_attempt = v.next_attempt, sent_at = v.sent_at
			FROM unnest($1::text[], $2::text[], $3::int4[], $4::text[], $5::timestamptz[], $6::timestamptz[])
			AS v(id, state, attempts, last_error, next_attempt, sent_at) WHERE m.id = v.id`,
			columnOf[invite.MessageID](w.sent, 0), columnOf[string](w.sent, 1), columnOf[int32](w.sent, 2), columnOf[string](w.sent, 3),
			columnOf[time.Time](w.sent, 4), columnOf[time.Time](w.sent, 5))
		b.Queue(`DELETE FROM message_due WHERE id = ANY($1)`, w.done)
		b.Queue(`UPDATE batches SET state = $2, done = $3, summary = $4::jsonb, finished = $5 WHERE id = $1`, w.batch...)
		return tx.SendBatch(ctx, b).Close()
	})
}

// BenchmarkCopyOfWrites1000 is the PostgreSQL baseline of SPEC §13: exactly
// the rows one Import & Invite of GenerateCSV(1000) writes (every table,
// their real sizes: read back out of the tables of a real import, the
// messages as they were inserted), copied with CopyFrom
// into freshly migrated tables with their indexes, plus the same set-based
// updates (the numbers assigned, the capacity, the messages marked sent
// with their secrets cleared and taken out of message_due, the batch
// record with its report lines), in two transactions: the
// rows and the numbers, then the deliveries. Each iteration gets a fresh
// schema holding the organization's numbers as they were before the
// import, set up untimed.
func BenchmarkCopyOfWrites1000(b *testing.B) {
	const rows = 1000
	w := captureWrites(b, rows)
	ctx := context.Background()
	var walBytes, walSchema int64
	var cpu cpuSum
	for b.Loop() {
		b.StopTimer()
		schema := newSchema(b)
		pool := newPool(b, schema, 2)
		useWalinspect(b, pool)
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			for _, tr := range w.before {
				if _, err := tx.CopyFrom(ctx, pgx.Identifier{tr.table}, tr.cols, pgx.CopyFromRows(tr.rows)); err != nil {
					return err
				}
			}
			return nil
		})
		require.NoError(b, err)
		// Every statement prepared, as the import's are by its warm-up.
		require.NoError(b, pool.Ping(ctx))
		runtime.GC()
		start, err := walLSN(ctx, pool)
		require.NoError(b, err)
		m := startCPU(ctx, pool)
		b.StartTimer()
		if err := copyWrites(ctx, pool, w); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu.add(m.stop(ctx))
		u, err := walSince(ctx, pool, schema, start)
		require.NoError(b, err)
		walBytes += u.total
		walSchema += u.schema
		pool.Close()
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(float64(walBytes)/n/rows, "WAL-B/row")
	b.ReportMetric(float64(walSchema)/n/rows, "schema-WAL-B/row")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n/rows, "ns/row")
	cpu.report(b)
}

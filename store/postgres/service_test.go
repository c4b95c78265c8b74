package postgres_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/batch/batchtest"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/notify"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/store/postgres"
)

// instance is one service instance, as a separate process would run it: a
// pool, a store and a service of its own, sharing only the database.
type instance struct {
	pool  *pgxpool.Pool
	store *postgres.Store
	svc   *multiline.Service
	out   *notify.Recorder
}

func newInstance(t testing.TB, schema string, maxConns int32, tune ...func(*pgxpool.Config)) *instance {
	t.Helper()
	in := &instance{pool: newPool(t, schema, maxConns, tune...), out: notify.NewRecorder()}
	in.store = postgres.New(in.pool, postgres.WithSchema(schema))
	svc, err := multiline.New(in.store, multiline.WithNotifier(in.out), multiline.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	in.svc = svc
	return in
}

// tree is an organization tree: the root Acme with Sales and Support.
type tree struct {
	acme           multiline.Tenant
	sales, support org.Org
}

// newTree creates the tree and gives Sales and Support their numbers: the
// explicit numbers of GenerateCSV(rows) and salesPool pool numbers to Sales,
// supportPool further pool numbers to Support; rootPool stay at the root.
func newTree(t testing.TB, in *instance, rows, salesPool, supportPool, rootPool int) tree {
	t.Helper()
	ctx := context.Background()
	var tr tree
	var err error
	tr.acme, err = in.svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Acme", AdminName: "Root", AdminEmail: "root@acme.example"})
	require.NoError(t, err)
	root := tr.acme.Admin.ID
	tr.sales, err = in.svc.CreateOrg(ctx, root, tr.acme.Org.ID, multiline.OrgInput{Name: "Sales"})
	require.NoError(t, err)
	tr.support, err = in.svc.CreateOrg(ctx, root, tr.acme.Org.ID, multiline.OrgInput{Name: "Support"})
	require.NoError(t, err)
	explicit := batchtest.ExplicitNumbers(rows)
	pool := batchtest.PoolNumbers(salesPool + supportPool + rootPool)
	var all []multiline.NumberInput
	for _, e := range append(append([]string(nil), explicit...), pool...) {
		all = append(all, multiline.NumberInput{Number: e})
	}
	for chunk := range slicesChunk(all, 2000) {
		_, err = in.svc.AddNumbers(ctx, root, tr.acme.Org.ID, chunk)
		require.NoError(t, err)
	}
	if len(explicit)+salesPool > 0 {
		require.NoError(t, in.svc.AllocateNumbers(ctx, root, tr.acme.Org.ID, tr.sales.ID, append(explicit, pool[:salesPool]...)))
	}
	if supportPool > 0 {
		require.NoError(t, in.svc.AllocateNumbers(ctx, root, tr.acme.Org.ID, tr.support.ID, pool[salesPool:salesPool+supportPool]))
	}
	return tr
}

func slicesChunk[T any](s []T, n int) func(func([]T) bool) {
	return func(yield func([]T) bool) {
		for len(s) > 0 {
			k := min(n, len(s))
			if !yield(s[:k]) {
				return
			}
			s = s[k:]
		}
	}
}

// variant returns GenerateCSV(rows) with its usernames (emails and devices)
// made distinct for variant k, and, when ownNumbers, its explicit numbers
// too (exchange 3kk instead of 200).
func variant(rows, k int, ownNumbers bool) []byte {
	data := string(batchtest.GenerateCSV(rows))
	data = strings.ReplaceAll(data, "@example.com", fmt.Sprintf("@v%d.example.com", k))
	data = strings.ReplaceAll(data, "+1 415 200 ", fmt.Sprintf("+1 415 %03d ", 300+k))
	if ownNumbers {
		data = strings.ReplaceAll(data, "+1628200", fmt.Sprintf("+1628%03d", 300+k))
	}
	return []byte(data)
}

// expected reports the errors a service call may return in a race: the
// answers of the SDK's rules, never a store failure.
func expected(err error) bool {
	var pick *multiline.PickError
	var move *multiline.MoveError
	return err == nil || errors.As(err, &pick) || errors.As(err, &move) ||
		errors.Is(err, numberpool.ErrNotEnoughNumbers) || errors.Is(err, numberpool.ErrNotAvailable) ||
		errors.Is(err, mlerr.ErrAlreadyExists) || errors.Is(err, mlerr.ErrNotFound) ||
		errors.Is(err, account.ErrStatus) || errors.Is(err, invite.ErrTokenUsed) ||
		errors.Is(err, invite.ErrTokenRotated) || errors.Is(err, invite.ErrTokenUnknown)
}

// TestMultiInstance runs batch imports in invite mode, single invites,
// moves and activations from several independent service instances against
// the same organizations at once, then checks every invariant from the
// tables.
func TestMultiInstance(t *testing.T) {
	schema := newSchema(t)
	const instances, rows = 3, 200
	ins := make([]*instance, instances)
	for i := range ins {
		ins[i] = newInstance(t, schema, 4)
	}
	// Sales has the explicit numbers of the files and 150 more: less than
	// the files' rows ask for together, so capacity is contended.
	tr := newTree(t, ins[0], rows, 150, 120, 30)
	root := tr.acme.Admin.ID
	ctx := t.Context()

	var mu sync.Mutex
	var failures []error
	unexpected := func(what string, err error) {
		if !expected(err) {
			mu.Lock()
			failures = append(failures, fmt.Errorf("%s: %w", what, err))
			mu.Unlock()
		}
	}
	records := make([]batch.Record, instances+1)
	stop := make(chan struct{})
	var moved atomic.Int64
	var wg, imports sync.WaitGroup
	for i, in := range ins {
		// Batch imports: two files into Sales that share their explicit
		// numbers, and one into Support.
		dest := tr.sales.ID
		if i == 2 {
			dest = tr.support.ID
		}
		imports.Go(func() {
			rec, err := in.svc.ImportBatch(ctx, root, dest, bytes.NewReader(variant(rows, i, i == 2)),
				multiline.BatchOptions{Mode: batch.ImportInvite, SMSConsent: true, IdempotencyKey: fmt.Sprintf("upload-%d", i)})
			if err != nil {
				unexpected("import", err)
			}
			records[i] = rec
		})
		// Single invites into both organizations.
		wg.Go(func() {
			for j := range 30 {
				dest := []org.ID{tr.sales.ID, tr.support.ID}[j%2]
				_, err := in.svc.SaveAndInvite(ctx, root, dest, account.Input{
					FirstName: "Single", LastName: fmt.Sprint(j), AccountID: fmt.Sprintf("S-%d-%d", i, j),
					Applications: []org.Application{org.AppMobile}, Email: fmt.Sprintf("single%d-%d@acme.example", i, j),
				}, multiline.InviteOptions{})
				unexpected("SaveAndInvite", err)
			}
		})
		// Activations: the invitees of this instance's messages pick a
		// number from their short list when they have none.
		wg.Go(func() {
			seen := 0
			for {
				select {
				case <-stop:
					return
				default:
				}
				ms := in.out.Messages()
				for ; seen < len(ms); seen++ {
					if ms[seen].Kind == invite.KindInvitation && seen%3 != 2 {
						activate(ctx, in.svc, ms[seen].Secret, unexpected)
					}
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
		// Moves of Sales's oldest accounts to Support and back: every other
		// round only accounts with a number of their own (which always fit),
		// so that moves go through however the race runs; the other rounds
		// any accounts, whose pending invitations without a number are
		// refused as a whole when the destination lacks capacity.
		wg.Go(func() {
			for j := 0; ; j++ {
				select {
				case <-stop:
					return
				default:
				}
				from, to := tr.sales.ID, tr.support.ID
				if j%2 == 1 {
					from, to = to, from
				}
				l, err := in.svc.ListAccounts(ctx, root, from, multiline.Page{Limit: 50})
				unexpected("ListAccounts", err)
				var ids []account.ID
				for _, a := range l.Items {
					if (a.Number != "" || j%4 >= 2) && len(ids) < 5 {
						ids = append(ids, a.ID)
					}
				}
				if len(ids) > 0 {
					_, err = in.svc.Move(ctx, root, ids[:1+j%len(ids)], to, multiline.MoveOptions{})
					unexpected("Move", err)
					if err == nil {
						moved.Add(1)
					}
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
	imports.Wait()
	// The imports hold each organization's capacity lock for a group of
	// rows at a time, so the other operations may have had few turns: let
	// them run on until a move has gone through (bounded), then stop.
	for deadline := time.Now().Add(20 * time.Second); moved.Load() == 0 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	for _, err := range failures {
		t.Error(err)
	}

	pool := ins[0].pool
	checkInvariants(t, pool)
	for i, rec := range records[:instances] {
		t.Logf("import %d: %+v", i, rec.Summary)
	}
	t.Logf("accounts: %d, activated: %d, moves: %d", count(t, pool, `SELECT count(*) FROM accounts`),
		count(t, pool, `SELECT count(*) FROM accounts WHERE status = 'Activated'`),
		count(t, pool, `SELECT count(*) FROM audit WHERE action = 'account.moved'`))

	// Every row a report says was invited is an account of that batch, and
	// every account of a batch is a row it reports.
	for i, rec := range records[:instances] {
		require.Equal(t, batch.Finished, rec.State, "import %d", i)
		assert.Equal(t, rows, rec.Summary.Total)
		assert.Equal(t, rec.Summary.Invited, count(t, pool, `SELECT count(*) FROM accounts WHERE batch_id = $1`, rec.ID),
			"import %d: invited rows and accounts", i)
	}
	// The two Sales imports race for the same numbers: which one gets them
	// depends on the race, but together they invite rows; Support's import
	// has its organization to itself, but for the single invites.
	assert.Positive(t, records[0].Summary.Invited+records[1].Summary.Invited)
	assert.Positive(t, records[2].Summary.Invited)
	// The two Sales files share their explicit numbers and Sales lacks
	// capacity for both: some rows failed for that, and each explicit
	// number went to one account.
	assert.Greater(t, records[0].Summary.Failed+records[1].Summary.Failed, 0)
	assert.Positive(t, count(t, pool, `SELECT count(*) FROM accounts WHERE status = 'Activated'`), "no activation went through")
	assert.Positive(t, count(t, pool, `SELECT count(*) FROM audit WHERE action = 'account.moved'`), "no move went through")
}

// activate redeems a token, picking the first number of the short list
// when the account has none, and once more if that number was taken.
func activate(ctx context.Context, svc *multiline.Service, token string, unexpected func(string, error)) {
	list, err := svc.ShortList(ctx, token)
	unexpected("ShortList", err)
	for range 3 {
		choice := ""
		if len(list) > 0 {
			choice = list[0]
		}
		_, err := svc.Activate(ctx, token, choice)
		var pick *multiline.PickError
		if errors.As(err, &pick) {
			list = pick.ShortList
			continue
		}
		unexpected("Activate", err)
		return
	}
}

// killer is a pgx tracer that terminates its own connection's backend,
// from another connection, just before the nth write of invitations is
// sent (a group writes its invitations at once: an INSERT of arrays, or,
// for a long run, a COPY): in the middle of that group's transaction, after
// its accounts were queued and before it commits.
type killer struct {
	admin *pgxpool.Pool
	n     int

	mu     sync.Mutex
	seen   int
	killed bool
}

// write counts one write of invitations, and kills conn's backend if it
// is the nth.
func (k *killer) write(conn *pgx.Conn) {
	k.mu.Lock()
	k.seen++
	kill := k.seen == k.n
	k.mu.Unlock()
	if kill {
		var ok bool
		err := k.admin.QueryRow(context.Background(), "SELECT pg_terminate_backend($1)", conn.PgConn().PID()).Scan(&ok)
		k.mu.Lock()
		k.killed = err == nil && ok
		k.mu.Unlock()
	}
}

func (k *killer) TraceBatchStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceBatchStartData) context.Context {
	for _, q := range data.Batch.QueuedQueries {
		if strings.Contains(q.SQL, "INSERT INTO") && strings.Contains(q.SQL, ".invitations") {
			k.write(conn)
		}
	}
	return ctx
}

func (k *killer) TraceCopyFromStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceCopyFromStartData) context.Context {
	if len(data.TableName) > 0 && data.TableName[len(data.TableName)-1] == "invitations" {
		k.write(conn)
	}
	return ctx
}
func (k *killer) TraceCopyFromEnd(context.Context, *pgx.Conn, pgx.TraceCopyFromEndData) {}
func (k *killer) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData)   {}
func (k *killer) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)       {}
func (k *killer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}
func (k *killer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TestKilledConnectionMidBatch kills the connection of an Import & Invite
// in the middle of its second group of rows (the first has
// batch.DefaultGroupSize rows, the second the 120 others), as it writes the
// group's invitations: the first group stays whole,
// nothing of the second is kept, the record says Interrupted with the rows
// done, and the same upload under the same key resumes it: one record, every
// row once, no duplicates.
func TestKilledConnectionMidBatch(t *testing.T) {
	schema := newSchema(t)
	const rows = 220
	k := &killer{admin: newPool(t, schema, 2), n: 2}
	in := newInstance(t, schema, 2, func(c *pgxpool.Config) { c.ConnConfig.Tracer = k })
	tr := newTree(t, in, rows, rows, 0, 0)
	root := tr.acme.Admin.ID
	ctx := t.Context()
	data := variant(rows, 0, false)
	opts := multiline.BatchOptions{Mode: batch.ImportInvite, SMSConsent: true, IdempotencyKey: "first"}

	rec, err := in.svc.ImportBatch(ctx, root, tr.sales.ID, bytes.NewReader(data), opts)
	require.Error(t, err, "the import went through a killed connection")
	require.True(t, k.killed, "the connection was not killed")
	assert.Equal(t, batch.Interrupted, rec.State)
	done := len(rec.Rows)
	require.Equal(t, batch.DefaultGroupSize, rec.Summary.Invited, "the group before the killed one is invited")
	require.Equal(t, done, rec.Summary.Invited)
	pool := k.admin
	checkInvariants(t, pool)
	assert.Equal(t, done, count(t, pool, `SELECT count(*) FROM accounts`), "a partial row was kept")
	assert.Equal(t, done, count(t, pool, `SELECT count(*) FROM invitations`))
	assert.Equal(t, done, count(t, pool, `SELECT count(*) FROM messages WHERE kind = 'invitation'`))
	stored, err := in.svc.Batch(ctx, root, rec.ID)
	require.NoError(t, err)
	assert.Equal(t, batch.Interrupted, stored.State, "the stopped batch's record")
	assert.Equal(t, done, stored.Done)

	// The same key resumes the interrupted batch.
	rest, err := in.svc.ImportBatch(ctx, root, tr.sales.ID, bytes.NewReader(data), opts)
	require.NoError(t, err)
	assert.Equal(t, rec.ID, rest.ID)
	assert.Equal(t, batch.Finished, rest.State)
	assert.Equal(t, rows, rest.Summary.Invited)
	assert.Zero(t, rest.Summary.Failed)
	require.Len(t, rest.Rows, rows)
	checkInvariants(t, pool)
	assert.Equal(t, rows, count(t, pool, `SELECT count(*) FROM accounts`))
	assert.Equal(t, rows, count(t, pool, `SELECT count(DISTINCT username) FROM accounts`))
	assert.Equal(t, rows, count(t, pool, `SELECT count(*) FROM messages WHERE kind = 'invitation'`))
	assert.Equal(t, rows, count(t, pool, `SELECT count(*) FROM audit WHERE action = 'account.created'`),
		"an audit event of the killed row's transaction was kept")
}

// countingHandler counts the log records whose message contains a word.
type countingHandler struct {
	slog.Handler
	word string
	n    *atomic.Int64
}

func (countingHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h countingHandler) Handle(ctx context.Context, r slog.Record) error {
	if strings.Contains(r.Message, h.word) {
		h.n.Add(1)
	}
	return nil
}

// TestOverlappingImports uploads one file into two organizations at once,
// from two instances: usernames are unique system-wide, and the two
// organizations' groups do not wait for each other (each locks its own
// organization), so both check a username free and then race to write it.
// Whichever commits first keeps it; the other group's write fails, and it
// is imported again row by row. Every row ends invited in exactly one of
// the two batches, and the tables hold every invariant.
//
// At SERIALIZABLE the group that loses the race may instead fail with a
// serialization failure (PostgreSQL reports one rather than a unique
// violation when the transaction had read the key absent), which the store
// retries: the group runs again, finds the usernames taken and reports
// those rows as such, and no fallback is needed. There the test asks that
// a race was lost either way.
func TestOverlappingImports(t *testing.T) {
	schema := newSchema(t)
	// Rounds go on until at least one group has lost the race (it takes
	// one or two; maxRounds bounds the wait).
	const rows, minRounds, maxRounds = 200, 3, 8
	var fallbacks atomic.Int64
	var serial failures
	lost := func() int64 {
		if postgres.EnvIsolation() == postgres.Serializable {
			return fallbacks.Load() + serial.n.Load()
		}
		return fallbacks.Load()
	}
	ins := make([]*instance, 2)
	for i := range ins {
		ins[i] = newInstance(t, schema, 2, counting(&serial))
		svc, err := multiline.New(ins[i].store, multiline.WithNotifier(ins[i].out),
			multiline.WithLogger(slog.New(countingHandler{Handler: slog.DiscardHandler, word: "row by row", n: &fallbacks})))
		require.NoError(t, err)
		ins[i].svc = svc
	}
	tr := newTree(t, ins[0], rows, maxRounds*rows, maxRounds*rows, 0)
	root := tr.acme.Admin.ID
	dests := []org.ID{tr.sales.ID, tr.support.ID}
	rounds := 0
	for ; rounds < minRounds || rounds < maxRounds && lost() == 0; rounds++ {
		round := rounds
		// Without the numbers the file names, which only Sales has: every
		// row can go to either organization.
		data := regexp.MustCompile(`,\+1628200\d{4},`).ReplaceAll(variant(rows, 20+round, false), []byte(",,"))
		require.NotContains(t, string(data), "+1628200")
		recs := make([]batch.Record, 2)
		// Both uploads start their rows together.
		var ready sync.WaitGroup
		ready.Add(len(ins))
		barrier := func(done, _ int) {
			if done == 0 {
				ready.Done()
				ready.Wait()
			}
		}
		var wg sync.WaitGroup
		for i, in := range ins {
			wg.Go(func() {
				var err error
				recs[i], err = in.svc.ImportBatch(t.Context(), root, dests[i], bytes.NewReader(data),
					multiline.BatchOptions{Mode: batch.ImportInvite, SMSConsent: true, Progress: barrier})
				assert.NoError(t, err)
			})
		}
		wg.Wait()
		require.Len(t, recs[0].Rows, rows)
		require.Len(t, recs[1].Rows, rows)
		for j := range rows {
			a, b := recs[0].Rows[j], recs[1].Rows[j]
			invited := 0
			for _, r := range []batch.ReportRow{a, b} {
				if r.Status == batch.StatusInvited {
					invited++
					continue
				}
				assert.Contains(t, []string{account.CodeUsernameExists, "assign_number.not_available"}, r.ErrorCode, "row %d: %s", r.Row, r.Error)
			}
			assert.Equal(t, 1, invited, "row %d is invited in exactly one upload: %s / %s", a.Row, a.Error, b.Error)
		}
	}
	checkInvariants(t, ins[0].pool)
	assert.Equal(t, rounds*rows, count(t, ins[0].pool, `SELECT count(*) FROM accounts`))
	t.Logf("groups imported again row by row after losing a race: %d in %d rounds (serialization failures retried: %d)", fallbacks.Load(), rounds, serial.n.Load())
	assert.Positive(t, lost(), "no group lost the race in %d rounds: the test did not test the fallback", rounds)
}

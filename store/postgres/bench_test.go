package postgres_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/batch/batchtest"
	"github.com/multilinehq/multiline/store/postgres"
)

// roundTrips counts the round trips of every connection dialed through it:
// each time a connection writes after it has read (or writes first), the
// client has sent a request and will wait for the answer. A COPY is one
// round trip: its data (CopyData, 'd', then CopyDone, 'c') may go on after
// the server has answered its query, without waiting.
type roundTrips struct{ n atomic.Int64 }

func (rt *roundTrips) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, rt: rt}, nil
}

type countingConn struct {
	net.Conn
	rt      *roundTrips
	writing atomic.Bool
}

func (c *countingConn) Write(p []byte) (int, error) {
	if len(p) > 0 && (p[0] == 'd' || p[0] == 'c') {
		return c.Conn.Write(p) // a COPY's data, no request of its own
	}
	if !c.writing.Swap(true) {
		c.rt.n.Add(1)
	}
	return c.Conn.Write(p)
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.writing.Store(false)
	}
	return n, err
}

// counted returns a pool option that counts the pool's round trips.
func counted(rt *roundTrips) func(*pgxpool.Config) {
	return func(c *pgxpool.Config) { c.ConnConfig.DialFunc = rt.dial }
}

// importFixture is a fresh schema with an organization ready for an n-row
// Import & Invite of GenerateCSV(n), on an instance whose round trips are
// counted.
func importFixture(t testing.TB, n int, rt *roundTrips, tune ...func(*pgxpool.Config)) (*instance, tree) {
	schema := newSchema(t)
	in := newInstance(t, schema, 4, append(tune, counted(rt))...)
	tr := newTree(t, in, n, n-len(batchtest.ExplicitNumbers(n)), 2, 0)
	return in, tr
}

// warm runs a 2-row import into Support, which has capacity for it but not
// the number its first row names: every statement of an import is prepared
// on the pool's connections, without touching Sales.
func warm(t testing.TB, in *instance, tr tree) {
	t.Helper()
	rec, err := in.svc.ImportBatch(context.Background(), tr.acme.Admin.ID, tr.support.ID, bytes.NewReader(variant(2, 9, false)),
		multiline.BatchOptions{Mode: batch.ImportInvite, SMSConsent: true})
	require.NoError(t, err)
	require.Equal(t, 1, rec.Summary.Invited)
}

// phases are the round trips of an import, split where the rows start and
// end (Progress reports 0 and then total done rows).
type phases struct {
	start, rows, end int64
	rowsTime         time.Duration // from the first row to the last
}

func importInvite(ctx context.Context, in *instance, tr tree, data []byte, rows int, rt *roundTrips, ph *phases) (batch.Record, error) {
	var atStart, atEnd int64
	var began time.Time
	rec, err := in.svc.ImportBatch(ctx, tr.acme.Admin.ID, tr.sales.ID, bytes.NewReader(data),
		multiline.BatchOptions{Mode: batch.ImportInvite, SMSConsent: true, MaxRows: rows, Progress: func(done, total int) {
			switch done {
			case 0:
				atStart, began = rt.n.Load(), time.Now()
			case total:
				atEnd = rt.n.Load()
				ph.rowsTime += time.Since(began)
			}
		}})
	all := rt.n.Load()
	ph.start += atStart
	ph.rows += atEnd - atStart
	ph.end += all - atEnd
	return rec, err
}

// groupsOf returns the sizes of the groups batch.Run makes of n valid rows:
// the first of batch.DefaultGroupSize rows, each next one twice the one
// before, up to batch.MaxGroupSize.
func groupsOf(n int) []int {
	var sizes []int
	for size := batch.DefaultGroupSize; n > 0; size = min(2*size, batch.MaxGroupSize) {
		sizes = append(sizes, min(size, n))
		n -= size
	}
	return sizes
}

// TestRoundTripsPerRow pins the round trips of an Import & Invite: they grow
// with the groups (see groupsOf), not with the rows. A
// group is one transaction: BEGIN with the organization's counts (read
// unlocked: the group locks the organization last), AccountConflicts,
// Numbers when a row of the group names its number (the engine takes those
// rows first, so they fill the first groups), the batch record (read
// locked, to check that the run still holds the batch), LockOrg, which
// carries the group's accounts, invitations, messages, number updates and
// audit events as set-based statements and reads the counts they left, and
// COMMIT with the record's update with the progress. Then the group's invitations, queued leased to
// the import, are sent and their outcomes recorded in one more transaction
// (SwapDeliveries, COMMIT; until 2026-12-02, MessagesByID read them first);
// until 2026-12-01's seventh session, one per 100. After the rows, the batch record costs two (its
// read, then COMMIT with its update). None prepares a statement: the fixture and the
// warm-up import have prepared them all, the set-based forms of queued
// writes too, since a queued write goes set-based even alone.
//
// A group of postgres.DefaultCopyRows rows or more costs six more: its accounts,
// messages, invitations, token hashes and audit events go before LockOrg,
// and its report lines before COMMIT, each as a COPY of its own. If it
// names numbers, one more: the updates of the numbers it named, queued
// before the first COPY, go in a round trip of their own, since a COPY
// cannot join a pipeline.
func TestRoundTripsPerRow(t *testing.T) {
	for _, rows := range []int{100, 250} {
		t.Run(fmt.Sprint(rows), func(t *testing.T) {
			var rt roundTrips
			in, tr := importFixture(t, rows, &rt)
			warm(t, in, tr)
			rt.n.Store(0)
			var ph phases
			rec, err := importInvite(t.Context(), in, tr, batchtest.GenerateCSV(rows), rows, &rt, &ph)
			require.NoError(t, err)
			require.Equal(t, rows, rec.Summary.Invited)
			explicit := len(batchtest.ExplicitNumbers(rows))
			t.Logf("round trips: %d before the rows, %d for %d rows (%d naming their number), %d after", ph.start, ph.rows, rows, explicit, ph.end)
			groups, namedGroups := len(groupsOf(rows)), len(groupsOf(explicit))
			deliveries, copies := groups, 0 // a group's invitations are recorded together
			for i, size := range groupsOf(rows) {
				if size >= postgres.DefaultCopyRows {
					copies += 6
					if i < namedGroups {
						copies++
					}
				}
			}
			assert.Equal(t, int64(5*groups+namedGroups+2*deliveries+copies), ph.rows, "the rows' round trips, their deliveries included")
			assert.LessOrEqual(t, ph.start, int64(10), "the round trips before the rows")
			assert.Equal(t, int64(2), ph.end, "the round trips of the report")
		})
	}
}

// BenchmarkPostgresImportInvite1000 is a 1000-row Import & Invite on
// PostgreSQL, end to end through the public API (rows, report, and the
// delivery of the 1000 invitations to the recording notifier), with round
// trips counted. Each iteration gets a fresh schema and pool, set up
// untimed.
func BenchmarkPostgresImportInvite1000(b *testing.B) {
	b.Run("synchronous_commit=on", func(b *testing.B) { benchImportInvite(b, 1000, "on", 0) })
	// The same with commits that do not wait for the WAL flush: a
	// durability trade-off a host may make (a crash loses the last commits),
	// measured to show how much of the time is the disk's.
	b.Run("synchronous_commit=off", func(b *testing.B) { benchImportInvite(b, 1000, "off", 0) })
}

// BenchmarkPostgresImportInviteScale is BenchmarkPostgresImportInvite1000
// at 1 000 and 10 000 rows: the time and the WAL per row should not grow
// with the rows (a batch's report was rewritten whole at each group).
func BenchmarkPostgresImportInviteScale(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) { benchImportInvite(b, n, "on", 0) })
	}
}

// BenchmarkPostgresImportInviteFilled is BenchmarkPostgresImportInvite1000
// (synchronous_commit on) into a database whose numbers, accounts,
// messages and invitations tables already hold 0 or 50 000 rows of another
// organization (fillTables): the time per row should not grow with the
// tables. Until 2026-12-01's sixth session the group reads read whole
// tables of that size (see keyed in queries.go).
func BenchmarkPostgresImportInviteFilled(b *testing.B) {
	for _, n := range []int{0, 50000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) { benchImportInvite(b, 1000, "on", n) })
	}
}

// benchImportInvite times an rows-row Import & Invite; with filled > 0,
// into a database whose tables hold that many rows of another
// organization.
func benchImportInvite(b *testing.B, rows int, syncCommit string, filled int) {
	data := batchtest.GenerateCSV(rows)
	var rt roundTrips
	var ph phases
	var walBytes, walSchema int64
	var cpu cpuSum
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		in, tr := importFixture(b, rows, &rt, func(c *pgxpool.Config) { c.ConnConfig.RuntimeParams["synchronous_commit"] = syncCommit })
		useWalinspect(b, in.pool)
		warm(b, in, tr)
		if filled > 0 {
			fillTables(b, in.pool, tr.support.ID, filled)
		}
		runtime.GC()
		start, err := walLSN(ctx, in.pool)
		require.NoError(b, err)
		rt.n.Store(0)
		m := startCPU(ctx, in.pool)
		b.StartTimer()
		rec, err := importInvite(ctx, in, tr, data, rows, &rt, &ph)
		if err != nil || rec.Summary.Invited != rows {
			b.Fatal(rec.Summary, err)
		}
		b.StopTimer()
		cpu.add(m.stop(ctx))
		u, err := walSince(ctx, in.pool, schemaOf(b, in.pool), start)
		require.NoError(b, err)
		walBytes += u.total
		walSchema += u.schema
		b.StartTimer()
	}
	n, per := float64(b.N), float64(rows)
	// The WAL between the LSNs around the import (every session's, so
	// other work on the server inflates it), and that of the records that
	// touch the import's schema (pg_walinspect; commits left out).
	b.ReportMetric(float64(walBytes)/n/per, "WAL-B/row")
	b.ReportMetric(float64(walSchema)/n/per, "schema-WAL-B/row")
	b.ReportMetric(float64(ph.start+ph.rows+ph.end)/n, "round-trips/op")
	// The rows' phase includes the delivery of each group's invitations,
	// which goes out as soon as the group commits.
	b.ReportMetric(float64(ph.rows)/n/per, "row-round-trips/row")
	b.ReportMetric(float64(ph.end)/n, "after-rows-round-trips/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n/per, "ns/row")
	b.ReportMetric(float64(ph.rowsTime.Nanoseconds())/n/per, "rows-phase-ns/row")
	cpu.report(b)
}

// cpuSum adds up the CPU of a benchmark's iterations (see cpuMeter).
type cpuSum struct {
	client, server time.Duration
	serverKnown    bool
	n              int
}

func (c *cpuSum) add(client, server time.Duration, ok bool) {
	if c.n == 0 {
		c.serverKnown = true
	}
	c.n++
	c.client += client
	c.server += server
	c.serverKnown = c.serverKnown && ok
}

// report reports the client's CPU per op, and, when the server's was read
// at every iteration, the server backends' and the sum: cpu-ns/op, the
// figure to compare across a machine's load (/proc counts the backends'
// CPU in 10 ms ticks, so it needs iterations of several ticks).
func (c *cpuSum) report(b *testing.B) {
	if c.n == 0 {
		return
	}
	n := time.Duration(c.n)
	b.ReportMetric(float64(c.client/n), "client-cpu-ns/op")
	if c.serverKnown {
		b.ReportMetric(float64(c.server/n), "server-cpu-ns/op")
		b.ReportMetric(float64((c.client+c.server)/n), "cpu-ns/op")
	}
}

// BenchmarkCopyFrom1000 is the baseline: pgx CopyFrom of the same 1000
// account rows (the columns of the accounts table, the values an import of
// GenerateCSV(1000) stores) into a bare table without indexes.
func BenchmarkCopyFrom1000(b *testing.B) {
	const rows = 1000
	schema := newSchema(b)
	var rt roundTrips
	pool := newPool(b, schema, 2, counted(&rt))
	ctx := context.Background()
	_, err := pool.Exec(ctx, `CREATE TABLE bare (LIKE accounts)`)
	require.NoError(b, err)
	cols := []string{"id", "org_id", "account_id", "first_name", "last_name", "email", "device", "username",
		"applications", "number", "profile_id", "forwarding", "features", "language", "social_messaging",
		"restrict_incoming_social", "record_calls", "record_sms", "status", "suspended_from", "batch_id", "created", "updated"}
	org, profile, batchID, now := uuid.NewString(), uuid.NewString(), uuid.NewString(), time.Now()
	src := make([][]any, rows)
	for i := range src {
		email, device, username := batchtest.Email(i), "", batchtest.Email(i)
		if batchtest.IsDeviceRow(i) {
			email, device = "", fmt.Sprintf("+1415%03d%04d", 200+i/10000, i%10000)
			username = device
		}
		number := ""
		if batchtest.HasExplicitNumber(i) {
			number = batchtest.ExplicitNumber(i)
		}
		src[i] = []any{uuid.Must(uuid.NewV7()).String(), org, "", "Ann", "Smith", email, device, username,
			[]string{"mobile"}, number, profile, "", []string(nil), "en", false, false, true, false, "Invited", "", batchID, now, now}
	}
	var trips int64
	for b.Loop() {
		b.StopTimer()
		_, err := pool.Exec(ctx, `TRUNCATE bare`)
		require.NoError(b, err)
		rt.n.Store(0)
		b.StartTimer()
		n, err := pool.CopyFrom(ctx, pgx.Identifier{"bare"}, cols, pgx.CopyFromRows(src))
		if err != nil || n != rows {
			b.Fatal(n, err)
		}
		trips += rt.n.Load()
	}
	b.ReportMetric(float64(trips)/float64(b.N), "round-trips/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/rows, "ns/row")
}

// BenchmarkContentionRatio is the §13-style ratio of the contention
// target: in every iteration, one 1000-row Import & Invite alone and then 8
// concurrent ones into one organization (each on a fresh schema, the same
// scenario as BenchmarkContention8x1000 with k = 1 and k = 8), so that both
// see the same machine. It reports both throughputs and their ratio; its
// ns/op means nothing alone. Two cores cap the ratio at about 2×.
func BenchmarkContentionRatio(b *testing.B) {
	var one, eight float64
	for b.Loop() {
		r1, _, _, _, _ := contention(b, 1, 1000)
		r8, _, _, _, _ := contention(b, 8, 1000)
		one, eight = one+r1, eight+r8
	}
	b.ReportMetric(one/float64(b.N), "one-rows/s")
	b.ReportMetric(eight/float64(b.N), "eight-rows/s")
	b.ReportMetric(eight/one, "ratio")
}

// contention runs k concurrent n-row imports, from k instances, into one
// organization whose pool holds k·n numbers, and reports the throughput,
// the latency of a whole import and of one row (the time between two
// progress reports of an import), and the invariants. Each instance's pool
// has run an import before the clock starts (see warmInstances): until
// 2026-12-01's fifth session it had not, and the k pools' preparations
// were timed, which weighed k times on the concurrent run and once on the
// single one.
func contention(t testing.TB, k, n int) (rowsPerSec float64, batchP50, batchP99, rowP50, rowP99 time.Duration) {
	schema := newSchema(t)
	ins := make([]*instance, k)
	for i := range ins {
		ins[i] = newInstance(t, schema, 2)
	}
	// Each file names numbers of its own; the pool holds them and the
	// numbers for every other row.
	var explicit []string
	for i := range k {
		for _, e := range batchtest.ExplicitNumbers(n) {
			explicit = append(explicit, fmt.Sprintf("+1628%03d%s", 300+i, e[8:]))
		}
	}
	tr := newTreeWith(t, ins[0], explicit, k*n-len(explicit))
	warmInstances(t, ins, tr, k*n)
	files := make([][]byte, k)
	for i := range files {
		files[i] = variant(n, i, true)
	}
	var mu sync.Mutex
	var rowLat, batchLat []time.Duration
	recs := make([]batch.Record, k)
	errs := make([]error, k)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, in := range ins {
		wg.Go(func() {
			<-start
			var lats []time.Duration
			last := time.Now()
			began := last
			recs[i], errs[i] = in.svc.ImportBatch(context.Background(), tr.acme.Admin.ID, tr.sales.ID, bytes.NewReader(files[i]),
				multiline.BatchOptions{Mode: batch.ImportInvite, SMSConsent: true, MaxRows: n, Progress: func(done, total int) {
					now := time.Now()
					if done > 0 {
						lats = append(lats, now.Sub(last))
					}
					last = now
				}})
			mu.Lock()
			rowLat = append(rowLat, lats...)
			batchLat = append(batchLat, time.Since(began))
			mu.Unlock()
		})
	}
	began := time.Now()
	close(start)
	wg.Wait()
	elapsed := time.Since(began)
	total := 0
	for i := range recs {
		require.NoError(t, errs[i])
		require.Equal(t, n, recs[i].Summary.Invited, "import %d: %+v", i, recs[i].Summary)
		total += recs[i].Summary.Invited
	}
	checkInvariants(t, ins[0].pool)
	require.Equal(t, k*n, count(t, ins[0].pool, `SELECT count(*) FROM accounts WHERE org_id = $1`, string(tr.sales.ID)))
	require.Equal(t, k*n-len(explicit), count(t, ins[0].pool,
		`SELECT pending FROM org_capacity WHERE org_id = $1`, string(tr.sales.ID)), "pending invitations")
	slices.Sort(rowLat)
	slices.Sort(batchLat)
	pct := func(d []time.Duration, p float64) time.Duration { return d[min(len(d)-1, int(float64(len(d))*p))] }
	return float64(total) / elapsed.Seconds(), pct(batchLat, .5), pct(batchLat, .99), pct(rowLat, .5), pct(rowLat, .99)
}

// warmRows is the size of the import each instance of contention runs
// before the clock starts: one group (batch.DefaultGroupSize), which writes
// by COPY (postgres.DefaultCopyRows).
const warmRows = batch.DefaultGroupSize

// warmInstances gives each instance's pool the connections a long-lived
// service's has: each instance imports warmRows rows (of variant 50+i)
// into Support, whose numbers, taken from PoolNumbers after the first used
// ones, no timed row asks for. Until 2026-12-01's seventh session this was
// a 2-row import, which prepared the statements but never reached the COPY
// path or the large group statements; the sixth session saw the eight, on
// connections that had each done a 1000-row import, run at 7 060-7 851
// rows/s against about 6 200 after the 2-row warm-up
// (store/postgres/BENCHMARKS.md). The single import gets the same warm-up.
func warmInstances(t testing.TB, ins []*instance, tr tree, used int) {
	t.Helper()
	ctx := context.Background()
	k := len(ins)
	var nums []string
	for i := range k {
		for _, e := range batchtest.ExplicitNumbers(warmRows) {
			nums = append(nums, fmt.Sprintf("+1628%03d%s", 350+i, e[8:]))
		}
	}
	nums = append(nums, batchtest.PoolNumbers(used + k*warmRows)[used:]...)
	in0 := make([]multiline.NumberInput, len(nums))
	for i, e := range nums {
		in0[i] = multiline.NumberInput{Number: e}
	}
	_, err := ins[0].svc.AddNumbers(ctx, tr.acme.Admin.ID, tr.acme.Org.ID, in0)
	require.NoError(t, err)
	require.NoError(t, ins[0].svc.AllocateNumbers(ctx, tr.acme.Admin.ID, tr.acme.Org.ID, tr.support.ID, nums))
	for i, in := range ins {
		rec, err := in.svc.ImportBatch(ctx, tr.acme.Admin.ID, tr.support.ID, bytes.NewReader(variant(warmRows, 50+i, true)),
			multiline.BatchOptions{Mode: batch.ImportInvite, SMSConsent: true})
		require.NoError(t, err)
		require.Equal(t, warmRows, rec.Summary.Invited, rec.Summary)
	}
}

// newTreeWith is newTree with the given explicit numbers and pool numbers,
// all in Sales.
func newTreeWith(t testing.TB, in *instance, explicit []string, pool int) tree {
	t.Helper()
	ctx := context.Background()
	tr := newTree(t, in, 0, 0, 0, 0)
	nums := append(append([]string(nil), explicit...), batchtest.PoolNumbers(pool)...)
	var all []multiline.NumberInput
	for _, e := range nums {
		all = append(all, multiline.NumberInput{Number: e})
	}
	for chunk := range slicesChunk(all, 2000) {
		_, err := in.svc.AddNumbers(ctx, tr.acme.Admin.ID, tr.acme.Org.ID, chunk)
		require.NoError(t, err)
	}
	for chunk := range slicesChunk(nums, 2000) {
		require.NoError(t, in.svc.AllocateNumbers(ctx, tr.acme.Admin.ID, tr.acme.Org.ID, tr.sales.ID, chunk))
	}
	return tr
}

// TestContention is the contention benchmark at a size for every test run:
// 4 concurrent 100-row imports into one organization, with every invariant
// checked.
func TestContention(t *testing.T) {
	rps, b50, b99, r50, r99 := contention(t, 4, 100)
	t.Logf("%.0f rows/s; import p50 %v p99 %v; row p50 %v p99 %v", rps, b50, b99, r50, r99)
}

// BenchmarkContention8x1000 runs 8 concurrent 1000-row Import & Invite
// batches, from 8 instances, into one organization with a pool of 10 000
// numbers, and checks every invariant afterwards.
func BenchmarkContention8x1000(b *testing.B) {
	for b.Loop() {
		rps, b50, b99, r50, r99 := contention(b, 8, 1000)
		b.ReportMetric(rps, "rows/s")
		b.ReportMetric(float64(b50.Milliseconds()), "batch-p50-ms")
		b.ReportMetric(float64(b99.Milliseconds()), "batch-p99-ms")
		b.ReportMetric(float64(r50.Microseconds()), "row-p50-µs")
		b.ReportMetric(float64(r99.Microseconds()), "row-p99-µs")
	}
}

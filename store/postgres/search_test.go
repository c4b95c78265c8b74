package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/store/postgres"
)

// searchScale is how many accounts the search measurements put in one
// organization.
const searchScale = 100_000

// firstNames and lastNames make the accounts' names: 40 × 50, so that a
// prefix of a common name ("ada" matches Ada and Adam: 5 000 accounts, and
// their usernames, ada.… and adam.…) has thousands of matches in several
// fields at once.
var (
	firstNames = []string{"Ada", "Adam", "Alan", "Alice", "Amelia", "Ann", "Barbara", "Ben", "Carl", "Chloe",
		"Dan", "Diana", "Edsger", "Elena", "Emma", "Frances", "Grace", "Hedy", "Ivan", "Joan",
		"John", "Karen", "Katherine", "Leslie", "Linus", "Margaret", "Mary", "Niklaus", "Olga", "Paul",
		"Radia", "Rosa", "Sophie", "Tim", "Ursula", "Vint", "Whitfield", "Xavier", "Yukihiro", "Zoe"}
	lastNames = []string{"Lovelace", "Smith", "Turing", "Hopper", "Liskov", "Dijkstra", "Knuth", "Ritchie",
		"Thompson", "Torvalds", "Wirth", "Perlman", "Cerf", "Kahn", "Lamport", "Hamilton", "Allen", "Goldberg",
		"Sammet", "Johnson", "Jones", "Brown", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez",
		"Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee",
		"Perez", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "King", "Wright"}
)

// searchFixture is a fresh schema with searchScale accounts in one
// organization (and one more organization, empty), written straight with
// SQL, and a store whose search statements are recorded.
type searchFixture struct {
	pool  *pgxpool.Pool
	store *postgres.Store
	stmts *statements
	org   org.ID
}

func newSearchFixture(t testing.TB) *searchFixture {
	t.Helper()
	schema := newSchema(t)
	f := &searchFixture{stmts: &statements{match: func(sql string) bool { return strings.Contains(sql, "accounts\" a WHERE") }}, org: org.ID("00000000-0000-7000-8000-00000000000a")}
	f.pool = newPool(t, schema, 4, func(c *pgxpool.Config) { c.ConnConfig.Tracer = f.stmts })
	f.store = postgres.New(f.pool, postgres.WithSchema(schema))
	ctx := context.Background()
	require.NoError(t, f.store.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		return tx.CreateOrg(ctx, org.Org{ID: f.org, Name: "Big", Created: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	}))
	start := time.Now()
	// The indexes are dropped for the load and built again after it from
	// their own definitions, which is some ten times faster than keeping
	// them up to date row by row.
	var defs []string
	rows, err := f.pool.Query(ctx, `SELECT indexname, indexdef FROM pg_indexes
		WHERE schemaname = $1 AND tablename = 'accounts' AND indexname <> 'accounts_pkey'`, schema)
	require.NoError(t, err)
	var names []string
	for rows.Next() {
		var name, def string
		require.NoError(t, rows.Scan(&name, &def))
		names, defs = append(names, name), append(defs, def)
	}
	require.NoError(t, rows.Err())
	require.NotEmpty(t, defs)
	for _, n := range names {
		_, err := f.pool.Exec(ctx, "DROP INDEX "+pgx.Identifier{schema, n}.Sanitize())
		require.NoError(t, err)
	}
	_, err = f.pool.Exec(ctx, `
		INSERT INTO accounts (id, org_id, account_id, first_name, last_name, email, device, username, applications,
			number, profile_id, forwarding, features, language, social_messaging, restrict_incoming_social,
			record_calls, record_sms, status, suspended_from, batch_id, created, updated)
		SELECT '00000000-0000-7000-8000-' || lpad(i::text, 12, '0'), $1, 'E' || lpad(i::text, 6, '0'),
			f, l, lower(f || '.' || l || '.' || i || '@example.com'), '', lower(f || '.' || l || '.' || i || '@example.com'),
			'{mobile}', CASE WHEN i % 2 = 0 THEN '+1415' || lpad(i::text, 7, '0') ELSE '' END, 'p', '', '{}', '',
			false, false, false, false, (ARRAY['Not Invited', 'Activated', 'Suspended'])[1 + i % 3], '', '',
			now(), now()
		FROM generate_series(1, $2::int) AS i,
			LATERAL (SELECT ($3::text[])[1 + i % 40] AS f, ($4::text[])[1 + (i / 40) % 50] AS l) AS names`,
		string(f.org), searchScale, firstNames, lastNames)
	require.NoError(t, err)
	for _, d := range defs {
		_, err := f.pool.Exec(ctx, d)
		require.NoError(t, err)
	}
	_, err = f.pool.Exec(ctx, "ANALYZE accounts")
	require.NoError(t, err)
	t.Logf("%d accounts written in %v", searchScale, time.Since(start).Round(time.Millisecond))
	return f
}

// page reads one page of q, and returns its cursor.
func (f *searchFixture) page(t testing.TB, q multiline.AccountQuery, p multiline.Page) ([]account.Account, string) {
	t.Helper()
	var as []account.Account
	var next string
	require.NoError(t, f.store.Tx(context.Background(), func(ctx context.Context, tx multiline.Tx) error {
		var err error
		as, next, err = tx.SearchAccounts(ctx, q, p)
		return err
	}))
	return as, next
}

// plan is the part of an EXPLAIN (FORMAT JSON) plan node the test reads.
type plan struct {
	NodeType         string  `json:"Node Type"`
	IndexName        string  `json:"Index Name"`
	ActualRows       float64 `json:"Actual Rows"`
	ActualLoops      float64 `json:"Actual Loops"`
	RemovedByFilter  float64 `json:"Rows Removed by Filter"`
	RemovedByRecheck float64 `json:"Rows Removed by Index Recheck"`
	SharedHit        float64 `json:"Shared Hit Blocks"`
	SharedRead       float64 `json:"Shared Read Blocks"`
	Plans            []plan  `json:"Plans"`
}

// rowsRead sums the rows every scan of the plan read: those it returned and
// those its filter removed. It also returns the scans' kinds and indexes.
func (p plan) rowsRead() (float64, []string) {
	var n float64
	var scans []string
	if strings.Contains(p.NodeType, "Scan") {
		loops := max(p.ActualLoops, 1)
		n += (p.ActualRows + p.RemovedByFilter + p.RemovedByRecheck) * loops
		scans = append(scans, p.NodeType+" "+p.IndexName)
	}
	for _, c := range p.Plans {
		m, s := c.rowsRead()
		n += m
		scans = append(scans, s...)
	}
	return n, scans
}

// explain runs each statement again under EXPLAIN (ANALYZE, BUFFERS) and
// returns the rows its scans read and the buffers it touched, in total, and
// the text plans.
func (f *searchFixture) explain(t testing.TB, stmts []captured) (rows, buffers float64, scans []string, text string) {
	t.Helper()
	ctx := context.Background()
	var sb strings.Builder
	for _, st := range stmts {
		var raw []byte
		require.NoError(t, f.pool.QueryRow(ctx, "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) "+st.sql, st.args...).Scan(&raw))
		var out []struct{ Plan plan }
		require.NoError(t, json.Unmarshal(raw, &out))
		r, s := out[0].Plan.rowsRead()
		rows += r
		buffers += out[0].Plan.SharedHit + out[0].Plan.SharedRead
		scans = append(scans, s...)
		lines, err := f.pool.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) "+st.sql, st.args...)
		require.NoError(t, err)
		for lines.Next() {
			var l string
			require.NoError(t, lines.Scan(&l))
			sb.WriteString(l + "\n")
		}
		require.NoError(t, lines.Err())
	}
	return rows, buffers, scans, sb.String()
}

// TestSearchReadsAPage: with searchScale accounts in one organization, a
// page of a search or a filter reads a page's worth of rows per field,
// whatever the number of matches (thousands here), on the first page and
// deep in the list; EXPLAIN (ANALYZE, BUFFERS) of the very statements the
// store sends says so. Run with -v to see the plans.
func TestSearchReadsAPage(t *testing.T) {
	f := newSearchFixture(t)
	const limit = 50
	one := []org.ID{f.org}
	cases := []struct {
		name  string
		q     multiline.AccountQuery
		skip  int     // pages read before the one measured
		bound float64 // rows the measured page may read
		wantN int
	}{
		{"no filter", multiline.AccountQuery{Orgs: one}, 0, limit + 1, limit},
		{"no filter, page 40", multiline.AccountQuery{Orgs: one}, 39, limit + 1, limit},
		// The planner may read the organization's index and filter the
		// status (a third of the accounts) rather than read the status
		// index: a page's worth divided by the status's share.
		{"one status", multiline.AccountQuery{Orgs: one, Statuses: []account.Status{account.Activated}}, 0, 3 * (limit + 1), limit},
		{"text matching 5 000 in two fields", multiline.AccountQuery{Orgs: one, Text: "Ada"}, 0, 5 * (limit + 1), limit},
		{"the same, page 40", multiline.AccountQuery{Orgs: one, Text: "Ada"}, 39, 5 * (limit + 1), limit},
		{"text and a status kept by a third", multiline.AccountQuery{Orgs: one, Text: "ada", Statuses: []account.Status{account.Activated}}, 0, 3 * 5 * (limit + 1), limit},
		{"account id prefix", multiline.AccountQuery{Orgs: one, Text: "e0012"}, 0, 5 * (limit + 1), limit},
		{"number prefix", multiline.AccountQuery{Orgs: one, Text: "1415000"}, 0, 5 * (limit + 1), limit},
		{"no match", multiline.AccountQuery{Orgs: one, Text: "qqq"}, 0, 0, 0},
	}
	var report strings.Builder
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := multiline.Page{Limit: limit}
			for range c.skip {
				_, next := f.page(t, c.q, p)
				require.NotEmpty(t, next)
				p.After = next
			}
			f.stmts.take()
			f.stmts.set(true)
			as, _ := f.page(t, c.q, p)
			f.stmts.set(false)
			require.Len(t, as, c.wantN)
			stmts := f.stmts.take()
			require.NotEmpty(t, stmts)
			rows, buffers, scans, text := f.explain(t, stmts)
			for _, s := range scans {
				require.NotContains(t, s, "Seq Scan", "every read is an index range")
			}
			require.LessOrEqual(t, rows, c.bound, "rows read for a page of %d among %d accounts", limit, searchScale)
			fmt.Fprintf(&report, "%-40s %d statement(s), %4.0f rows read, %4.0f buffers\n", c.name, len(stmts), rows, buffers)
			t.Logf("%d statement(s), %.0f rows read (bound %.0f), %.0f buffers:\n%s", len(stmts), rows, c.bound, buffers, text)
		})
	}
	t.Logf("summary (page of %d, %d accounts):\n%s", limit, searchScale, report.String())
}

// BenchmarkSearchPage compares, in one run and on one organization of
// searchScale accounts, a page of a text search (5 000 matches in two
// fields) and of a status filter with a page of the unfiltered list.
func BenchmarkSearchPage(b *testing.B) {
	f := newSearchFixture(b)
	one := []org.ID{f.org}
	cases := []struct {
		name string
		q    multiline.AccountQuery
	}{
		{"unfiltered", multiline.AccountQuery{Orgs: one}},
		{"status", multiline.AccountQuery{Orgs: one, Statuses: []account.Status{account.Activated}}},
		{"text", multiline.AccountQuery{Orgs: one, Text: "ada"}},
		{"text_status", multiline.AccountQuery{Orgs: one, Text: "ada", Statuses: []account.Status{account.Activated}}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			p := multiline.Page{Limit: multiline.DefaultPageSize}
			f.page(b, c.q, p) // prepares the statements on a connection
			for b.Loop() {
				f.page(b, c.q, p)
			}
		})
	}
}

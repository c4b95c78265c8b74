package postgres_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/batch/batchtest"
)

// The WAL a piece of work writes, measured two ways: the distance
// pg_current_wal_lsn() moved (every session's WAL, so other work on the
// server inflates it), and, with the pg_walinspect extension, the sum of
// the WAL records between the two positions that touch a relation of the
// test's schema (its tables, their indexes and TOAST tables). The second
// is what the schema's own writes cost, whatever else runs; commit records,
// which name no relation, are left out of it.

// walLSN returns the server's current WAL write position.
func walLSN(ctx context.Context, pool *pgxpool.Pool) (string, error) {
	var lsn string
	err := pool.QueryRow(ctx, `SELECT pg_current_wal_lsn()::text`).Scan(&lsn)
	return lsn, err
}

// walUse is the WAL written between two positions: all of it, and that of
// the relations of one schema, by relation.
type walUse struct {
	total   int64            // pg_wal_lsn_diff(end, start)
	schema  int64            // the records that touch a relation of the schema
	byRel   map[string]int64 // the schema's records by the relation (table) they touch first
	records int64            // the schema's records
	// fpi is the part of schema that is full-page images: a page's first
	// change after a checkpoint carries an image of the page, so how much
	// of it there is depends on when the server's checkpoints fall, not on
	// what the writes are.
	fpi int64
}

// walSince measures the WAL written since start by everything, and by the
// relations of schema (walinspect), through pool.
func walSince(ctx context.Context, pool *pgxpool.Pool, schema, start string) (walUse, error) {
	var u walUse
	end, err := walLSN(ctx, pool)
	if err != nil {
		return u, err
	}
	if err := pool.QueryRow(ctx, `SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::bigint`, end, start).Scan(&u.total); err != nil {
		return u, err
	}
	// The relfilenode of every relation of the schema, named after the
	// table it belongs to (an index or TOAST table after its table).
	rows, err := pool.Query(ctx, `
		SELECT c.relfilenode::text, coalesce(t.relname, i.tbl, c.relname)
		FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		LEFT JOIN pg_class t ON t.reltoastrelid = c.oid
		LEFT JOIN (SELECT x.indexrelid, coalesce(tt.relname, ct.relname) AS tbl
		           FROM pg_index x JOIN pg_class ct ON ct.oid = x.indrelid
		           LEFT JOIN pg_class tt ON tt.reltoastrelid = ct.oid) i ON i.indexrelid = c.oid
		WHERE n.nspname IN ($1, 'pg_toast') AND c.relfilenode <> 0
		  AND (n.nspname = $1 OR t.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1)
		       OR i.tbl IN (SELECT relname FROM pg_class WHERE relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1)))`, schema)
	if err != nil {
		return u, err
	}
	names := map[string]string{}
	for rows.Next() {
		var node, name string
		if err := rows.Scan(&node, &name); err != nil {
			return u, err
		}
		names[node] = name
	}
	if err := rows.Err(); err != nil {
		return u, err
	}
	rows, err = pool.Query(ctx, `SELECT record_length, fpi_length, coalesce(block_ref, '') FROM public.pg_get_wal_records_info($1::pg_lsn, $2::pg_lsn)`, start, end)
	if err != nil {
		return u, err
	}
	defer rows.Close()
	u.byRel = map[string]int64{}
	for rows.Next() {
		var n, fpi int64
		var ref string
		if err := rows.Scan(&n, &fpi, &ref); err != nil {
			return u, err
		}
		// "blkref #0: rel 1663/16386/2690 fork main blk 10, blkref #1: …"
		i := strings.Index(ref, "rel ")
		if i < 0 {
			continue
		}
		f := strings.Fields(ref[i+4:])
		parts := strings.Split(f[0], "/")
		name, ok := names[parts[len(parts)-1]]
		if !ok {
			continue
		}
		u.schema += n
		u.fpi += fpi
		u.records++
		u.byRel[name] += n
	}
	return u, rows.Err()
}

// useWalinspect creates the pg_walinspect extension (PostgreSQL 15's
// contrib) in the database if it is missing; concurrent creations race, so
// a failure is tried again once.
func useWalinspect(t testing.TB, pool *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS pg_walinspect SCHEMA public`); err != nil {
		_, err = pool.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS pg_walinspect SCHEMA public`)
		require.NoError(t, err, "pg_walinspect (PostgreSQL contrib) is needed to measure WAL by relation")
	}
}

// String lists the schema's WAL by table, largest first.
func (u walUse) String() string {
	keys := slices.SortedFunc(maps.Keys(u.byRel), func(a, b string) int { return int(u.byRel[b] - u.byRel[a]) })
	var b strings.Builder
	fmt.Fprintf(&b, "total %d B (server-wide), schema %d B (%d of them full-page images) in %d records:", u.total, u.schema, u.fpi, u.records)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s %d;", k, u.byRel[k])
	}
	return b.String()
}

// walPerRowBound is the most WAL, in bytes per imported row, that the
// records of the schema may take in TestWALPerRow, their full-page images
// left out: the figure measured
// (5 779 on PostgreSQL 15) with some room for the lengths of the
// generated values and the b-tree splits. It was 9 441: a delivery no
// longer audited took 650 off it, a message stored without its body 1 800
// more, the messages table's fillfactor 300 more and its HOT sent update
// (message_due; both migration 00007) 260 more; the report's lines in
// batch_rows (00006) added some 50; the audit table's one index (00008)
// took 230 off; the inserts of long runs as COPY (copy.go), which the
// server writes a page of rows at a time, 320 more. The partial search
// indexes of migration 00005 had taken 318 off 9 762 before. Recording
// the deliveries with SwapDeliveries, which does not lock each message
// with a read before its update (a WAL record each: 1 000 fewer records,
// 25 699 to 24 699), took 55 off (5 910 to 5 855, measured on 165fee3 and
// after it) on 2026-12-02, and the audit documents as json rather than
// jsonb (00009) 76 more (the audit table's WAL 1 954 788 to 1 878 549
// bytes). Any of these undone fails it.
const walPerRowBound = 5830

// TestWALPerRow measures the WAL one 1000-row Import & Invite writes per
// imported row, logs it by table and holds it under walPerRowBound. The
// records are those of the test's own schema, so other work on the server
// does not move the figure.
func TestWALPerRow(t *testing.T) {
	const rows = 1000
	var rt roundTrips
	in, tr := importFixture(t, rows, &rt)
	useWalinspect(t, in.pool)
	warm(t, in, tr)
	ctx := t.Context()
	start, err := walLSN(ctx, in.pool)
	require.NoError(t, err)
	var ph phases
	rec, err := importInvite(ctx, in, tr, batchtest.GenerateCSV(rows), rows, &rt, &ph)
	require.NoError(t, err)
	require.Equal(t, rows, rec.Summary.Invited)
	u, err := walSince(ctx, in.pool, schemaOf(t, in.pool), start)
	require.NoError(t, err)
	t.Logf("%d WAL bytes per row of the schema; %s", u.schema/rows, u)
	// Full-page images are left out of the bound: a checkpoint during the
	// import (as a busy server, or the rest of the suite, brings on) adds
	// one to the first change of every page after it, some 450 bytes a row
	// in a run of the whole suite on 2026-12-01.
	require.LessOrEqual(t, (u.schema-u.fpi)/rows, int64(walPerRowBound), "WAL bytes per imported row, full-page images left out")
}

// schemaOf is the schema of pool's search_path.
func schemaOf(t testing.TB, pool *pgxpool.Pool) string {
	var s string
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT current_schema()`).Scan(&s))
	return s
}

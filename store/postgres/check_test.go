package postgres_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/batch"
)

// invariants are SQL queries over the store's tables that return one row
// per violation of a rule of SPEC §4, §7 and §8, described by the row's
// text. The tests run them on the tables themselves, not through the store.
var invariants = []struct {
	rule, sql string
}{
	{"a number is held by at most one account", `
		SELECT number || ' held by ' || count(*) || ' accounts' FROM accounts
		WHERE number <> '' GROUP BY number HAVING count(*) > 1`},
	{"an account's number is its own, in its organization", `
		SELECT a.id || ' holds ' || a.number || coalesce(' (' || n.state || ' for ' || n.account_id || ' in ' || n.org_id || ')', ' (missing)')
		FROM accounts a LEFT JOIN numbers n ON n.e164 = a.number
		WHERE a.number <> '' AND (n.e164 IS NULL OR n.account_id <> a.id OR n.org_id <> a.org_id
			OR n.state NOT IN ('Assigned', 'Registered'))`},
	{"no orphan reservation: a held number's account holds it", `
		SELECT n.e164 || ' is ' || n.state || ' for ' || n.account_id FROM numbers n
		LEFT JOIN accounts a ON a.id = n.account_id AND a.number = n.e164
		WHERE n.state IN ('Assigned', 'Registered') AND a.id IS NULL`},
	{"a free number has no holder", `
		SELECT e164 || ' is ' || state || ' yet held by ' || account_id FROM numbers
		WHERE state IN ('Available', 'Reserved') AND account_id <> ''`},
	{"activated accounts hold a Registered number, others none", `
		SELECT a.id || ' is ' || a.status || ' with number ' || n.e164 || ' ' || n.state
		FROM accounts a JOIN numbers n ON n.e164 = a.number
		WHERE (a.status = 'Activated') <> (n.state = 'Registered') AND a.status <> 'Suspended'`},
	{"capacity: pending invitations without a number never exceed Available numbers", `
		WITH p AS (SELECT org_id, count(*) AS pending FROM accounts
				WHERE status IN ('Invited', 'Invitation Failed') AND number = '' GROUP BY org_id),
			a AS (SELECT org_id, count(*) AS available FROM numbers WHERE state = 'Available' GROUP BY org_id)
		SELECT p.org_id || ': ' || p.pending || ' pending > ' || coalesce(a.available, 0) || ' available'
		FROM p LEFT JOIN a USING (org_id) WHERE p.pending > coalesce(a.available, 0)`},
	{"the capacity counts match the tables", `
		WITH n AS (SELECT org_id, count(*) FILTER (WHERE state = 'Available') AS available,
				count(*) FILTER (WHERE state IN ('Assigned', 'Registered')) AS held, count(*) AS total
				FROM numbers GROUP BY org_id),
			p AS (SELECT org_id, count(*) AS pending FROM accounts
				WHERE status IN ('Invited', 'Invitation Failed') AND number = '' GROUP BY org_id),
			o AS (SELECT org_id FROM n UNION SELECT org_id FROM p UNION SELECT org_id FROM org_capacity)
		SELECT o.org_id || format(': counted %s/%s/%s/%s, kept %s/%s/%s/%s',
				coalesce(n.available, 0), coalesce(p.pending, 0), coalesce(n.held, 0), coalesce(n.total, 0),
				c.available, c.pending, c.held, c.total)
		FROM o LEFT JOIN n USING (org_id) LEFT JOIN p USING (org_id) LEFT JOIN org_capacity c USING (org_id)
		WHERE c.org_id IS NULL OR (coalesce(n.available, 0), coalesce(p.pending, 0), coalesce(n.held, 0), coalesce(n.total, 0))
			<> (c.available, c.pending, c.held, c.total)`},
	{"every account has its account.created audit event, in its organization's tree", `
		SELECT a.id FROM accounts a
		WHERE NOT EXISTS (SELECT 1 FROM audit e WHERE e.action = 'account.created' AND e.subject = a.id)`},
	{"every invited account has its invitation, its audit event and its outbox message", `
		SELECT a.id || ' (' || a.status || ')' FROM accounts a LEFT JOIN invitations i ON i.account_id = a.id
		WHERE a.status IN ('Invited', 'Invitation Failed', 'Activated')
		  AND (i.account_id IS NULL
			OR NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = i.message_id AND m.account_id = a.id)
			OR NOT EXISTS (SELECT 1 FROM audit e WHERE e.action = 'invitation.created' AND e.subject = a.id))`},
	{"an invitation answers to its current token", `
		SELECT i.account_id FROM invitations i
		WHERE i.token_hash IS NOT NULL AND NOT EXISTS (
			SELECT 1 FROM invitation_tokens t WHERE t.hash = i.token_hash AND t.account_id = i.account_id)`},
	{"no token or invitation without its account", `
		SELECT 'token of ' || t.account_id FROM invitation_tokens t
		WHERE NOT EXISTS (SELECT 1 FROM invitations i WHERE i.account_id = t.account_id)
		UNION ALL
		SELECT 'invitation of ' || i.account_id FROM invitations i
		WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = i.account_id)`},
	{"an activated account's invitation is redeemed", `
		SELECT a.id FROM accounts a JOIN invitations i ON i.account_id = a.id
		WHERE a.status = 'Activated' AND i.state <> 'redeemed'`},
	{"message_due holds the due messages (Queued or Failed), and no other", `
		SELECT 'due, not in message_due: ' || m.id FROM messages m
		WHERE m.state IN ('Queued', 'Failed') AND NOT EXISTS (SELECT 1 FROM message_due d WHERE d.id = m.id)
		UNION ALL
		SELECT 'in message_due, not due: ' || d.id FROM message_due d
		WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = d.id AND m.state IN ('Queued', 'Failed'))`},
	{"one invitation message per token version", `
		SELECT account_id || ' v' || token_version FROM messages WHERE kind = 'invitation'
		GROUP BY account_id, token_version HAVING count(*) > 1`},
}

// violations runs the invariants on the tables of the pool's search_path
// and returns, by rule, the violations found.
func violations(t testing.TB, pool *pgxpool.Pool) map[string][]string {
	t.Helper()
	ctx := context.Background()
	out := map[string][]string{}
	for _, inv := range invariants {
		rows, err := pool.Query(ctx, inv.sql)
		if err != nil {
			t.Fatalf("checking %q: %v", inv.rule, err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatalf("checking %q: %v", inv.rule, err)
			}
			out[inv.rule] = append(out[inv.rule], s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			t.Fatalf("checking %q: %v", inv.rule, err)
		}
	}
	return out
}

// checkInvariants fails the test for every violation of the invariants.
func checkInvariants(t testing.TB, pool *pgxpool.Pool) {
	t.Helper()
	found := violations(t, pool)
	for _, inv := range invariants {
		if bad := found[inv.rule]; len(bad) > 0 {
			t.Errorf("violated: %s: %d rows, first %s", inv.rule, len(bad), fmt.Sprint(bad[:min(len(bad), 5)]))
		}
	}
}

// count runs a counting query.
func count(t testing.TB, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// TestCheckerFindsViolations corrupts the tables of a run that satisfies
// every invariant, one rule at a time, and checks that the checker reports
// the rule broken: a checker that finds nothing proves nothing.
func TestCheckerFindsViolations(t *testing.T) {
	schema := newSchema(t)
	in := newInstance(t, schema, 4)
	tr := newTree(t, in, 8, 6, 0, 0)
	rec, err := in.svc.ImportBatch(t.Context(), tr.acme.Admin.ID, tr.sales.ID, bytes.NewReader(variant(8, 0, false)),
		multiline.BatchOptions{Mode: batch.ImportInvite, SMSConsent: true})
	require.NoError(t, err)
	require.Equal(t, 8, rec.Summary.Invited)
	require.Empty(t, violations(t, in.pool), "the run before corruption")

	ctx := t.Context()
	for _, c := range []struct {
		rule       string
		corruption string
	}{
		{"a number is held by at most one account", `UPDATE accounts SET number = (SELECT min(number) FROM accounts WHERE number <> '')
			WHERE id = (SELECT max(id) FROM accounts WHERE number <> '')`},
		{"no orphan reservation: a held number's account holds it", `UPDATE accounts SET number = '' WHERE id = (SELECT min(id) FROM accounts WHERE number <> '')`},
		{"capacity: pending invitations without a number never exceed Available numbers", `UPDATE numbers SET state = 'Reserved', tag = 'X' WHERE state = 'Available'`},
		{"the capacity counts match the tables", `UPDATE org_capacity SET pending = pending + 1 WHERE org_id = (SELECT min(org_id) FROM accounts)`},
		{"every account has its account.created audit event, in its organization's tree", `DELETE FROM audit WHERE id = (SELECT min(id) FROM audit WHERE action = 'account.created')`},
		{"every invited account has its invitation, its audit event and its outbox message", `DELETE FROM messages WHERE id = (SELECT min(id) FROM messages WHERE kind = 'invitation')`},
		{"an invitation answers to its current token", `DELETE FROM invitation_tokens WHERE hash = (SELECT token_hash FROM invitations LIMIT 1)`},
		{"message_due holds the due messages (Queued or Failed), and no other", `UPDATE messages SET state = 'Failed' WHERE id = (SELECT min(id) FROM messages)`},
	} {
		t.Run(c.rule, func(t *testing.T) {
			tx, err := in.pool.Begin(ctx)
			require.NoError(t, err)
			defer tx.Rollback(ctx)
			_, err = tx.Exec(ctx, c.corruption)
			require.NoError(t, err)
			var found []string
			for _, inv := range invariants {
				rows, err := tx.Query(ctx, inv.sql)
				require.NoError(t, err)
				n := 0
				for rows.Next() {
					n++
				}
				rows.Close()
				if n > 0 {
					found = append(found, inv.rule)
				}
			}
			assert.Contains(t, found, c.rule)
		})
	}
}

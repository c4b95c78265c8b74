package postgres

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
)

// searchExprs are the searched fields' keys, in the order of
// multiline.SearchFields, exactly as the indexes of migration 00004 write
// them (a query uses an expression index only when it repeats the
// expression).
var searchExprs = [5]string{
	`(lower(a.first_name) COLLATE "C")`,
	`(lower(a.last_name) COLLATE "C")`,
	`(lower(a.username) COLLATE "C")`,
	`(lower(a.account_id) COLLATE "C")`,
	`(lower(a.number) COLLATE "C")`,
}

// params numbers a statement's parameters as they are added.
type params []any

func (p *params) add(v any) string {
	*p = append(*p, v)
	return "$" + strconv.Itoa(len(*p))
}

// SearchAccounts reads a page of the accounts q selects.
//
// Without text it is ListAccounts with a status filter: one organization's
// accounts by ID, from accounts_org_idx, or from accounts_status_idx for a
// single status. With text, each of the five fields is one branch of a UNION
// ALL that reads the prefix's range of the field's index after the cursor,
// at most a page of rows, and keeps an account only in the branch of its
// search key (its lowest matching field, the first such field on a tie), so
// no account comes twice; the branches' rows (at most five pages) are then
// sorted and cut to the page. The work is a page's worth of index rows per
// field, not the number of matches. Several organizations (sub-orgs) are
// read with org_id = ANY, which is correct but sorts every match of the
// branch: the index is ordered within one organization only.
func (t *tx) SearchAccounts(ctx context.Context, q multiline.AccountQuery, p multiline.Page) ([]account.Account, string, error) {
	if err := t.lock(ctx); err != nil {
		return nil, "", err
	}
	defer t.unlock()
	p = p.Normalize()
	text := strings.ToLower(q.Text)
	var afterID, afterKey string
	if p.After != "" {
		raw, err := base64.RawURLEncoding.DecodeString(p.After)
		id, key, cut := strings.Cut(string(raw), "\n")
		if err != nil || id == "" || cut != (text != "") || !utf8.ValidString(key) || strings.ContainsRune(string(raw), 0) {
			return nil, "", fmt.Errorf("postgres: malformed page cursor: %w", mlerr.ErrInvalid)
		}
		afterID, afterKey = id, key
	}
	if len(q.Orgs) == 0 || !utf8.ValidString(text) || strings.ContainsRune(text, 0) {
		// Nothing to search, or text no stored value can start with (a
		// PostgreSQL text holds neither).
		return nil, "", nil
	}
	var args params
	orgCond := "a.org_id = " + args.add(string(q.Orgs[0]))
	if len(q.Orgs) > 1 {
		args = args[:0]
		orgCond = "a.org_id = ANY(" + args.add(toStrings(q.Orgs)) + ")"
	}
	statusCond := ""
	switch len(q.Statuses) {
	case 0:
	case 1:
		statusCond = " AND a.status = " + args.add(string(q.Statuses[0]))
	default:
		statusCond = " AND a.status = ANY(" + args.add(toStrings(q.Statuses)) + ")"
	}
	limit := args.add(p.Limit + 1)
	var sql string
	if text == "" {
		after := ""
		if afterID != "" {
			after = " AND a.id > " + args.add(afterID)
		}
		sql = `SELECT ` + prefixed("a.", accountCols) + `, '' FROM ` + t.s.accountsTable() + ` a WHERE ` +
			orgCond + statusCond + after + ` ORDER BY a.id LIMIT ` + limit
	} else {
		sql = t.searchSQL(text, orgCond+statusCond, limit, afterKey, afterID, &args)
	}
	type keyed struct {
		a   account.Account
		key string
	}
	var out []keyed
	err := t.query(ctx, scanAll(func(r pgx.Row) error {
		var k keyed
		if err := scanAccount(keyRow{r, &k.key}, &k.a); err != nil {
			return err
		}
		out = append(out, k)
		return nil
	}), sql, args...)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > p.Limit {
		out = out[:p.Limit]
		last := out[len(out)-1]
		c := string(last.a.ID)
		if text != "" {
			c += "\n" + last.key
		}
		next = base64.RawURLEncoding.EncodeToString([]byte(c))
	}
	as := make([]account.Account, len(out))
	for i, k := range out {
		as[i] = k.a
	}
	return as, next, nil
}

// searchSQL builds the UNION ALL of a text search: one branch per field.
func (t *tx) searchSQL(text, cond, limit, afterKey, afterID string, args *params) string {
	type bounds struct{ lo, hi string }
	var b [5]bounds
	lo, hi := args.add(text), ""
	if end, ok := multiline.PrefixEnd(text); ok {
		hi = args.add(end)
	}
	nlo, nhi := lo, hi
	if np := multiline.NumberPrefix(text); np != text {
		nlo, nhi = args.add(np), ""
		if end, ok := multiline.PrefixEnd(np); ok {
			nhi = args.add(end)
		}
	}
	for i := range b {
		b[i] = bounds{lo, hi}
		if i == multiline.SearchFieldNumber {
			b[i] = bounds{nlo, nhi}
		}
	}
	match := func(i int) string {
		s := searchExprs[i] + " >= " + b[i].lo
		if b[i].hi != "" {
			s += " AND " + searchExprs[i] + " < " + b[i].hi
		}
		return s
	}
	after := ""
	if afterID != "" {
		after = "(" + args.add(afterKey) + ", " + args.add(afterID) + ")"
	}
	branches := make([]string, len(searchExprs))
	for i, e := range searchExprs {
		var sb strings.Builder
		sb.WriteString(`(SELECT ` + prefixed("a.", accountCols) + `, ` + e + ` AS search_key FROM ` +
			t.s.accountsTable() + ` a WHERE ` + cond + ` AND ` + match(i))
		if after != "" {
			sb.WriteString(` AND (` + e + `, a.id) > ` + after)
		}
		// Kept only in the branch of its search key.
		for j, f := range searchExprs {
			switch {
			case j < i:
				sb.WriteString(` AND NOT (` + match(j) + ` AND ` + f + ` <= ` + e + `)`)
			case j > i:
				sb.WriteString(` AND NOT (` + match(j) + ` AND ` + f + ` < ` + e + `)`)
			}
		}
		sb.WriteString(` ORDER BY ` + e + `, a.id LIMIT ` + limit + `)`)
		branches[i] = sb.String()
	}
	return `SELECT * FROM (` + strings.Join(branches, " UNION ALL ") + `) s ORDER BY search_key, id LIMIT ` + limit
}

// keyRow scans an account's columns and then the search key after them.
type keyRow struct {
	pgx.Row
	key *string
}

func (r keyRow) Scan(dest ...any) error { return r.Row.Scan(append(dest, r.key)...) }

// accountsTable is the accounts table, qualified with the store's schema.
func (s *Store) accountsTable() string { return pgx.Identifier{s.schema, "accounts"}.Sanitize() }

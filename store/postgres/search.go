package postgres

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
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

// searchPartial is, for the fields whose index leaves out the empty value
// (migration 00005: most imported accounts have no Account ID, and many no
// number, and an index entry of each would be written for nothing), the
// condition that lets a branch use the partial index. A range that starts
// after "" implies it, so adding it changes no result.
var searchPartial = [5]string{3: `a.account_id <> ''`, 4: `a.number <> ''`}

// params numbers a statement's parameters as they are added.
type params []any

func (p *params) add(v any) string {
	*p = append(*p, v)
	return "$" + strconv.Itoa(len(*p))
}

// SearchAccounts reads a page of the accounts q selects.
//
// Without text it is ListAccounts with a status filter: the accounts by ID,
// from accounts_org_idx, or accounts_status_idx for a single status.
//
// With text, each of the five fields is a branch that reads the prefix's
// range of the field's index (org_id, lower(field), id) after the cursor, in
// the order of the page, and the branches are merged here, in Go: an account
// is taken from the branch of its search key (its lowest matching field; the
// first such field on a tie) and passed over in the others. Merging in Go
// rather than in SQL keeps that choice out of the index scans: a filter
// there would make a branch read past every account another field claims
// (the first names of "ada" claim most usernames that start with "ada.")
// before it returns a row. A branch is read a page at a time, one round trip
// for all the branches that need more, so a page costs a page's worth of
// rows per field — more only when the merge passes over many accounts
// claimed by another field. Several organizations (sub-orgs) are read with
// org_id = ANY, which is correct but sorts every match of a branch: the
// index is ordered within one organization only.
func (t *tx) SearchAccounts(ctx context.Context, q multiline.AccountQuery, p multiline.Page) ([]account.Account, string, error) {
	if err := t.lock(ctx); err != nil {
		return nil, "", err
	}
	defer t.unlock()
	p = p.Normalize()
	text := strings.ToLower(q.Text)
	var after *searchCursor
	if p.After != "" {
		raw, err := base64.RawURLEncoding.DecodeString(p.After)
		id, key, cut := strings.Cut(string(raw), "\n")
		if err != nil || id == "" || cut != (text != "") || !utf8.Valid(raw) || strings.ContainsRune(string(raw), 0) {
			return nil, "", fmt.Errorf("postgres: malformed page cursor: %w", mlerr.ErrInvalid)
		}
		after = &searchCursor{key: key, id: id}
	}
	if len(q.Orgs) == 0 || !utf8.ValidString(text) || strings.ContainsRune(text, 0) {
		// Nothing to search, or text no stored value can start with (a
		// PostgreSQL text holds neither).
		return nil, "", nil
	}
	var hits []searchHit
	var err error
	if text == "" {
		hits, err = t.filterAccounts(ctx, q, after, p.Limit+1)
	} else {
		hits, err = t.searchText(ctx, q, text, after, p.Limit+1)
	}
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(hits) > p.Limit {
		hits = hits[:p.Limit]
		last := hits[len(hits)-1]
		c := string(last.a.ID)
		if text != "" {
			c += "\n" + last.key()
		}
		next = base64.RawURLEncoding.EncodeToString([]byte(c))
	}
	as := make([]account.Account, len(hits))
	for i, h := range hits {
		as[i] = h.a
	}
	return as, next, nil
}

// searchCursor is where a page starts: after this search key and ID.
type searchCursor struct{ key, id string }

// searchHit is an account a branch read: its lower-cased fields, as
// PostgreSQL lower-cased them, and the branch (field) that read it.
type searchHit struct {
	a      account.Account
	keys   [5]string
	branch int
}

func (h searchHit) key() string { return h.keys[h.branch] }

// less orders hits as a page does: by the branch's key, then by ID.
func (h searchHit) less(o searchHit) bool {
	if h.key() != o.key() {
		return h.key() < o.key()
	}
	return h.a.ID < o.a.ID
}

// scanHit scans an account's columns, then its five keys and the branch.
func scanHit(r pgx.Row, h *searchHit) error {
	return scanAccount(extraRow{r, []any{&h.keys[0], &h.keys[1], &h.keys[2], &h.keys[3], &h.keys[4], &h.branch}}, &h.a)
}

// extraRow scans the columns after an account's into extra.
type extraRow struct {
	pgx.Row
	extra []any
}

func (r extraRow) Scan(dest ...any) error { return r.Row.Scan(append(dest, r.extra...)...) }

// conds returns the conditions on organization and status every query of q
// has, with their parameters added to args.
func conds(q multiline.AccountQuery, args *params) string {
	var c string
	if len(q.Orgs) == 1 {
		c = "a.org_id = " + args.add(string(q.Orgs[0]))
	} else {
		c = "a.org_id = ANY(" + args.add(toStrings(q.Orgs)) + ")"
	}
	switch len(q.Statuses) {
	case 0:
	case 1:
		c += " AND a.status = " + args.add(string(q.Statuses[0]))
	default:
		c += " AND a.status = ANY(" + args.add(toStrings(q.Statuses)) + ")"
	}
	return c
}

// hitCols are the columns a search reads: the account's, then its keys.
var hitCols = prefixed("a.", accountCols) + ", " + strings.Join(searchExprs[:], ", ")

// filterAccounts reads up to limit accounts of q (which has no text) after
// the cursor, by ID.
func (t *tx) filterAccounts(ctx context.Context, q multiline.AccountQuery, after *searchCursor, limit int) ([]searchHit, error) {
	var args params
	where := conds(q, &args)
	if after != nil {
		where += " AND a.id > " + args.add(after.id)
	}
	sql := `SELECT ` + hitCols + `, 0 FROM ` + t.s.accountsTable() + ` a WHERE ` + where +
		` ORDER BY a.id LIMIT ` + args.add(limit)
	return readAll(ctx, t, scanHit, sql, args...)
}

// branch is one field's read of a text search.
type branch struct {
	lo, hi string // the range of the field's key; hi empty: no upper bound
	after  *searchCursor
	buf    []searchHit
	done   bool // the range holds nothing more after buf
}

// searchText merges the five fields' branches into up to limit accounts.
func (t *tx) searchText(ctx context.Context, q multiline.AccountQuery, text string, after *searchCursor, limit int) ([]searchHit, error) {
	var bs [5]*branch
	for i := range bs {
		lo := text
		if i == multiline.SearchFieldNumber {
			lo = multiline.NumberPrefix(text)
		}
		hi, _ := multiline.PrefixEnd(lo)
		bs[i] = &branch{lo: lo, hi: hi, after: after}
	}
	// first reports whether h is read by the branch of its search key.
	first := func(h searchHit) bool {
		best := -1
		for j, k := range h.keys {
			if k >= bs[j].lo && (bs[j].hi == "" || k < bs[j].hi) && (best < 0 || k < h.keys[best]) {
				best = j
			}
		}
		return best == h.branch
	}
	var out []searchHit
	batch := limit
	for len(out) < limit {
		var need []int
		for i, b := range bs {
			if len(b.buf) == 0 && !b.done {
				need = append(need, i)
			}
		}
		if len(need) > 0 {
			if err := t.readBranches(ctx, q, bs, need, batch); err != nil {
				return nil, err
			}
			// A merge that passes over many accounts reads further ahead.
			batch = min(batch*2, 8*limit)
			continue
		}
		next := -1
		for i, b := range bs {
			if len(b.buf) > 0 && (next < 0 || b.buf[0].less(bs[next].buf[0])) {
				next = i
			}
		}
		if next < 0 {
			break // every branch is read to its end
		}
		h := bs[next].buf[0]
		bs[next].buf = bs[next].buf[1:]
		if first(h) {
			out = append(out, h)
		}
	}
	return out, nil
}

// readBranches reads up to n more rows of each branch in need, in one
// statement, after the last row each has read.
func (t *tx) readBranches(ctx context.Context, q multiline.AccountQuery, bs [5]*branch, need []int, n int) error {
	var args params
	c := conds(q, &args)
	limit := args.add(n)
	parts := make([]string, len(need))
	for k, i := range need {
		b, e := bs[i], searchExprs[i]
		where := c + " AND " + e + " >= " + args.add(b.lo)
		if searchPartial[i] != "" && b.lo != "" {
			where += " AND " + searchPartial[i]
		}
		if b.hi != "" {
			where += " AND " + e + " < " + args.add(b.hi)
		}
		if b.after != nil {
			where += " AND (" + e + ", a.id) > (" + args.add(b.after.key) + ", " + args.add(b.after.id) + ")"
		}
		parts[k] = `(SELECT ` + hitCols + `, ` + strconv.Itoa(i) + ` FROM ` + t.s.accountsTable() + ` a WHERE ` + where +
			` ORDER BY ` + e + `, a.id LIMIT ` + limit + `)`
	}
	hits, err := readAll(ctx, t, scanHit, strings.Join(parts, " UNION ALL "), args...)
	if err != nil {
		return err
	}
	got := map[int]int{}
	for _, h := range hits {
		bs[h.branch].buf = append(bs[h.branch].buf, h)
		got[h.branch]++
	}
	for _, i := range need {
		b := bs[i]
		// Each branch's rows come in its order; sorting them again costs
		// little and relies on nothing the SQL standard leaves open.
		slices.SortStableFunc(b.buf, func(x, y searchHit) int {
			if x.less(y) {
				return -1
			}
			if y.less(x) {
				return 1
			}
			return 0
		})
		b.done = got[i] < n
		if len(b.buf) > 0 {
			last := b.buf[len(b.buf)-1]
			b.after = &searchCursor{key: last.key(), id: string(last.a.ID)}
		}
	}
	return nil
}

// accountsTable is the accounts table, qualified with the store's schema.
func (s *Store) accountsTable() string { return pgx.Identifier{s.schema, "accounts"}.Sanitize() }

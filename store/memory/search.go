package memory

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
)

// hit is an account a search matched and the key it is ordered by.
type hit struct {
	key string
	id  account.ID
}

func (h hit) compare(o hit) int {
	if c := strings.Compare(h.key, o.key); c != 0 {
		return c
	}
	return strings.Compare(string(h.id), string(o.id))
}

// SearchAccounts scans the accounts of q.Orgs: the memory store holds no
// index, and a scan of a map is what its other lists do too.
func (t *tx) SearchAccounts(ctx context.Context, q multiline.AccountQuery, p multiline.Page) ([]account.Account, string, error) {
	if err := t.check(ctx); err != nil {
		return nil, "", err
	}
	p = p.Normalize()
	text := strings.ToLower(q.Text)
	var after *hit
	if p.After != "" {
		raw, err := base64.RawURLEncoding.DecodeString(p.After)
		id, key, cut := strings.Cut(string(raw), "\n")
		if err != nil || id == "" || cut != (text != "") {
			return nil, "", fmt.Errorf("memory: malformed page cursor: %w", mlerr.ErrInvalid)
		}
		after = &hit{key: key, id: account.ID(id)}
	}
	var hits []hit
	for _, o := range q.Orgs {
		for id := range t.s.orgAccounts[o] {
			a := *t.s.accounts[id]
			if len(q.Statuses) > 0 && !slices.Contains(q.Statuses, a.Status) {
				continue
			}
			h := hit{id: id}
			if text != "" {
				var ok bool
				if h.key, ok = multiline.SearchKey(a, text); !ok {
					continue
				}
			}
			if after != nil && h.compare(*after) <= 0 {
				continue
			}
			hits = append(hits, h)
		}
	}
	slices.SortFunc(hits, hit.compare)
	next := ""
	if len(hits) > p.Limit {
		hits = hits[:p.Limit]
		last := hits[len(hits)-1]
		c := string(last.id)
		if text != "" {
			c += "\n" + last.key
		}
		next = base64.RawURLEncoding.EncodeToString([]byte(c))
	}
	out := make([]account.Account, len(hits))
	for i, h := range hits {
		out[i] = cloneAccount(*t.s.accounts[h.id])
	}
	return out, next, nil
}

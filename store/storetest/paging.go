package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
)

// paged is one paginated list, reduced to the keys of its items so that one
// test covers them all.
type paged struct {
	name string
	// fill stores k items in o, and a few in another organization that the
	// list of o must not show, and returns the keys of o's items in the
	// order the list must give them.
	fill func(f *fixture, o org.ID, k int) []string
	list func(o org.ID) lister[string]
}

// keysOf adapts a list to the keys of its items.
func keysOf[T any](list func(org.ID) lister[T], key func(T) string) func(org.ID) lister[string] {
	return func(o org.ID) lister[string] {
		return func(ctx context.Context, tx multiline.Tx, p multiline.Page) ([]string, string, error) {
			items, next, err := list(o)(ctx, tx, p)
			return keys(items, key), next, err
		}
	}
}

func keys[T any](items []T, key func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = key(it)
	}
	return out
}

// fill makes k items of o with newItem, and three of another organization
// made before, amid and after them, so that a list that does not filter by
// organization shows them. It stores them all in one transaction, in the
// order made or, when backward, in the reverse order, and returns o's items
// in the order made.
func fill[T any](f *fixture, o org.ID, k int, backward bool, newItem func(org.ID) T, store func(multiline.Tx, context.Context, T) error) []T {
	f.t.Helper()
	other := f.createOrg("").ID
	var mine, all []T
	all = append(all, newItem(other))
	for i := range k {
		if i == k/2 {
			all = append(all, newItem(other))
		}
		it := newItem(o)
		mine, all = append(mine, it), append(all, it)
	}
	all = append(all, newItem(other))
	if backward {
		slices.Reverse(all)
	}
	f.must(func(ctx context.Context, tx multiline.Tx) error {
		for _, it := range all {
			if err := store(tx, ctx, it); err != nil {
				return err
			}
		}
		return nil
	})
	return mine
}

func accountKey(a account.Account) string              { return string(a.ID) }
func numberKey(n numberpool.Number) string             { return n.E164 }
func messageKey(m invite.Message) string               { return string(m.ID) }
func batchKey(b batch.Record) string                   { return b.ID }
func eventKey(e multiline.AuditEvent) string           { return e.ID }
func auditOfOne(o org.ID) lister[multiline.AuditEvent] { return auditOf(o) }

// pagedLists are the paginated lists of Tx. Records are stored in the order
// made, so that their IDs, creation times and storage order agree on what
// "oldest" and "newest" mean; numbers are stored against their E.164 order,
// so that a list in storage order fails.
func pagedLists() []paged {
	return []paged{
		{
			name: "ListAccounts",
			fill: func(f *fixture, o org.ID, k int) []string {
				return keys(fill(f, o, k, false, f.newAccount, multiline.Tx.CreateAccount), accountKey)
			},
			list: keysOf(accountsOf, accountKey),
		},
		{
			name: "ListNumbers",
			fill: func(f *fixture, o org.ID, k int) []string {
				return keys(fill(f, o, k, true, f.newNumber, multiline.Tx.CreateNumber), numberKey)
			},
			list: keysOf(numbersOf, numberKey),
		},
		{
			name: "Messages",
			fill: func(f *fixture, o org.ID, k int) []string {
				return keys(fill(f, o, k, false, f.newMessage, multiline.Tx.Enqueue), messageKey)
			},
			list: keysOf(messagesOf, messageKey),
		},
		{
			name: "ListMessages",
			fill: func(f *fixture, o org.ID, k int) []string {
				ids := keys(fill(f, o, k, false, f.newMessage, multiline.Tx.Enqueue), messageKey)
				slices.Reverse(ids) // newest first
				return ids
			},
			list: keysOf(recentMessagesOf, messageKey),
		},
		{
			name: "ListBatches",
			fill: func(f *fixture, o org.ID, k int) []string {
				ids := keys(fill(f, o, k, false, f.newBatch, multiline.Tx.CreateBatch), batchKey)
				slices.Reverse(ids) // newest first
				return ids
			},
			list: keysOf(batchesOf, batchKey),
		},
		{
			name: "ListAudit",
			fill: func(f *fixture, o org.ID, k int) []string {
				newEvent := func(o org.ID) multiline.AuditEvent { return f.newEvent(o, "account.created", "acc") }
				ids := keys(fill(f, o, k, false, newEvent, multiline.Tx.AppendAudit), eventKey)
				slices.Reverse(ids) // newest first
				return ids
			},
			list: keysOf(auditOfOne, eventKey),
		},
	}
}

// testPagination walks every paginated list with cursors: every item exactly
// once, in the list's order, whatever the page size; Limit brought within
// 1..MaxPageSize; a malformed cursor refused.
func testPagination(t *testing.T, newStore func(*testing.T) multiline.Store) {
	for _, pl := range pagedLists() {
		t.Run(pl.name, func(t *testing.T) {
			t.Run("Walk", func(t *testing.T) {
				f := newFixture(t, newStore)
				o := f.createOrg("")
				list := pl.list(o.ID)
				assert.Empty(t, walk(f, 3, list), "an empty list")
				want := pl.fill(f, o.ID, 7)
				for _, limit := range []int{1, 2, 3, 6, 7, 8, 100} {
					assert.Equal(t, want, walk(f, limit, list), "limit %d", limit)
				}
			})

			t.Run("Limits", func(t *testing.T) {
				f := newFixture(t, newStore)
				o := f.createOrg("")
				list := pl.list(o.ID)
				want := pl.fill(f, o.ID, multiline.MaxPageSize+1)
				page := func(p multiline.Page) ([]string, string) {
					t.Helper()
					type res struct {
						items []string
						next  string
					}
					r := get(f, func(ctx context.Context, tx multiline.Tx) (res, error) {
						items, next, err := list(ctx, tx, p)
						return res{items, next}, err
					})
					return r.items, r.next
				}
				for _, limit := range []int{0, -1} {
					items, next := page(multiline.Page{Limit: limit})
					assert.Equal(t, want[:multiline.DefaultPageSize], items, "limit %d gets DefaultPageSize", limit)
					assert.NotEmpty(t, next)
				}
				for _, limit := range []int{multiline.MaxPageSize + 1, 1 << 30} {
					items, next := page(multiline.Page{Limit: limit})
					assert.Equal(t, want[:multiline.MaxPageSize], items, "limit %d gets MaxPageSize", limit)
					require.NotEmpty(t, next)
					rest, last := page(multiline.Page{After: next, Limit: limit})
					assert.Equal(t, want[multiline.MaxPageSize:], rest)
					assert.Empty(t, last)
				}
			})

			t.Run("MalformedCursor", func(t *testing.T) {
				f := newFixture(t, newStore)
				o := f.createOrg("")
				list := pl.list(o.ID)
				pl.fill(f, o.ID, 3)
				for _, cursor := range []string{"not a cursor!", "%%%", "\x00\xff"} {
					err := f.do(func(ctx context.Context, tx multiline.Tx) error {
						_, _, err := list(ctx, tx, multiline.Page{After: cursor, Limit: 2})
						return err
					})
					assert.ErrorIs(t, err, mlerr.ErrInvalid, "cursor %q", cursor)
				}
			})
		})
	}
}

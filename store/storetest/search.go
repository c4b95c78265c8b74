package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
)

// searchOf adapts SearchAccounts to a lister.
func searchOf(q multiline.AccountQuery) lister[account.Account] {
	return func(ctx context.Context, tx multiline.Tx, p multiline.Page) ([]account.Account, string, error) {
		return tx.SearchAccounts(ctx, q, p)
	}
}

func ids(as []account.Account) []account.ID {
	out := make([]account.ID, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

// testSearch checks SearchAccounts: each field's prefix, case-insensitivity,
// the number with or without its "+", the status filter, several
// organizations, the order (search key, then ID), cursors across pages, and
// that % and _ in the text stand for themselves.
func testSearch(t *testing.T, newStore func(*testing.T) multiline.Store) {
	f := newFixture(t, newStore)
	root := f.createOrg("").ID
	sub := f.createOrg(root).ID
	other := f.createOrg("").ID
	mk := func(o org.ID, first, last, username, accountID, number string, st account.Status) account.Account {
		return f.createAccount(o, func(a *account.Account) {
			a.FirstName, a.LastName, a.Username, a.Email, a.AccountID, a.Number, a.Status = first, last, username, username, accountID, number, st
		})
	}
	a1 := mk(root, "Ada", "Lovelace", "ada@example.com", "E1", "", account.Invited)
	a2 := mk(root, "adam", "Smith", "adam.smith@example.com", "AD-7", "+14155550111", account.NotInvited)
	a3 := mk(root, "Élodie", "Durand", "+33612345678", "x_1", "+33100000001", account.Activated)
	a4 := mk(root, "50%", "Off", "pct@example.com", "A%B", "", account.InvitationFailed)
	a5 := mk(root, "Zed", "Ada", "zed@example.com", "ada-9", "", account.Invited)
	a6 := mk(sub, "Adalbert", "Stifter", "adalbert@example.com", "E6", "", account.Invited)
	mk(other, "Ada", "Other", "ada.other@example.com", "E7", "", account.Invited)

	both := []org.ID{root, sub}
	cases := []struct {
		name string
		q    multiline.AccountQuery
		want []account.Account
	}{
		{name: "no filter: oldest first", q: multiline.AccountQuery{Orgs: []org.ID{root}}, want: []account.Account{a1, a2, a3, a4, a5}},
		{name: "sub-orgs", q: multiline.AccountQuery{Orgs: both}, want: []account.Account{a1, a2, a3, a4, a5, a6}},
		// Keys "ada" (first name), "ada" (last name), "adam".
		{name: "first name, by key then ID", q: multiline.AccountQuery{Orgs: []org.ID{root}, Text: "ada"}, want: []account.Account{a1, a5, a2}},
		{name: "upper case", q: multiline.AccountQuery{Orgs: []org.ID{root}, Text: "ADA"}, want: []account.Account{a1, a5, a2}},
		{name: "sub-orgs merge by key", q: multiline.AccountQuery{Orgs: both, Text: "Ada"}, want: []account.Account{a1, a5, a6, a2}},
		{name: "last name", q: multiline.AccountQuery{Orgs: []org.ID{root}, Text: "lovel"}, want: []account.Account{a1}},
		{name: "last name only", q: multiline.AccountQuery{Orgs: []org.ID{root}, Text: "SMI"}, want: []account.Account{a2}},
		{name: "username", q: multiline.AccountQuery{Orgs: []org.ID{root}, Text: "adam.s"}, want: []account.Account{a2}},
		{name: "account id", q: multiline.AccountQuery{Orgs: []org.ID{root}, Text: "ad-"}, want: []account.Account{a2}},
		{name: "number without +", q: multiline.AccountQuery{Orgs: []org.ID{root}, Text: "1415555011"}, want: []account.Account{a2}},
		{name: "number with +", q: multiline.AccountQuery{Orgs: []org.ID{root}, Text: "+1415555011"}, want: []account.Account{a2}},
		{name: "device username and number", q: multiline.AccountQuery{Orgs: []org.ID{root}, Text: "+33"}, want: []account.Account{a3}},
		{name: "username is not matched without its +", q: multiline.AccountQuery{Orgs: []org.ID{root}, Text: "3361"}},
		{name: "non-ASCII case", q: multiline.AccountQuery{Orgs: []org.ID{root}, Text: "ÉLO"}, want: []account.Account{a3}},
		{name: "percent is literal", q: multiline.AccountQuery{Orgs: []org.ID{root}, Text: "50%"}, want: []account.Account{a4}},
		{name: "percent alone matches nothing", q: multiline.AccountQuery{Orgs: []org.ID{root}, Text: "%"}},
		{name: "percent after a letter", q: multiline.AccountQuery{Orgs: []org.ID{root}, Text: "a%"}, want: []account.Account{a4}},
		{name: "underscore is literal", q: multiline.AccountQuery{Orgs: []org.ID{root}, Text: "x_"}, want: []account.Account{a3}},
		{name: "underscore is no wildcard", q: multiline.AccountQuery{Orgs: []org.ID{root}, Text: "a_"}},
		{name: "backslash is literal", q: multiline.AccountQuery{Orgs: []org.ID{root}, Text: `a\`}},
		{name: "no match", q: multiline.AccountQuery{Orgs: []org.ID{root}, Text: "zzz"}},
		{name: "one status", q: multiline.AccountQuery{Orgs: []org.ID{root}, Statuses: []account.Status{account.Invited}}, want: []account.Account{a1, a5}},
		{name: "two statuses", q: multiline.AccountQuery{Orgs: []org.ID{root}, Statuses: []account.Status{account.Activated, account.NotInvited}}, want: []account.Account{a2, a3}},
		{name: "status and text", q: multiline.AccountQuery{Orgs: []org.ID{root}, Statuses: []account.Status{account.Invited}, Text: "ada"}, want: []account.Account{a1, a5}},
		{name: "statuses and text across orgs", q: multiline.AccountQuery{Orgs: both, Statuses: []account.Status{account.Invited, account.NotInvited}, Text: "ada"}, want: []account.Account{a1, a5, a6, a2}},
		{name: "status nobody has", q: multiline.AccountQuery{Orgs: both, Statuses: []account.Status{account.Suspended}}},
		{name: "no organization", q: multiline.AccountQuery{Text: "ada"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := f.with(t)
			require.Equal(t, c.want, listAll(f, searchOf(c.q)), "one page")
			for _, limit := range []int{1, 2, 3} {
				require.Equal(t, ids(c.want), ids(walk(f, limit, searchOf(c.q))), "pages of %d", limit)
			}
		})
	}

	// Every account matches three fields, two of them with the same key:
	// each comes once, from its first field, in ID order, whatever the page
	// size (a store that reads fields separately passes over the others).
	t.Run("ties across pages", func(t *testing.T) {
		f := f.with(t)
		o := f.createOrg("").ID
		var want []account.ID
		for i := range 7 {
			a := f.createAccount(o, func(a *account.Account) {
				a.FirstName, a.LastName = "Tie", "TIE"
				a.Username = fmt.Sprintf("tie.%d.%s", i, a.Username)
			})
			want = append(want, a.ID)
		}
		q := multiline.AccountQuery{Orgs: []org.ID{o}, Text: "tie"}
		for _, limit := range []int{1, 2, 3, 7, 8} {
			require.Equal(t, want, ids(walk(f, limit, searchOf(q))), "pages of %d", limit)
		}
	})

	t.Run("malformed cursor", func(t *testing.T) {
		f := f.with(t)
		for _, q := range []multiline.AccountQuery{{Orgs: []org.ID{root}}, {Orgs: []org.ID{root}, Text: "ada"}} {
			_, err := try(f, func(ctx context.Context, tx multiline.Tx) ([]account.Account, error) {
				as, _, err := tx.SearchAccounts(ctx, q, multiline.Page{After: "!!not a cursor!!"})
				return as, err
			})
			require.ErrorIs(t, err, mlerr.ErrInvalid)
		}
	})
}

package multiline_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
	"github.com/multilinehq/multiline/store/memory"
)

func usernames(as []account.Account) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Username
	}
	return out
}

func TestSearchAccounts(t *testing.T) {
	f := newFixture(t)
	f.numbers(t, f.sales.ID, nums("+14155550101")...)
	save := func(o org.ID, id, first string) {
		in := input(id)
		in.FirstName = first
		_, err := f.svc.Save(ctx, f.root, o, in)
		require.NoError(t, err)
	}
	save(f.acme.Org.ID, "root1", "Ada")
	save(f.sales.ID, "sales1", "Adam")
	save(f.support.ID, "support1", "Bea")
	_, err := f.svc.SaveAndInvite(ctx, f.root, f.sales.ID, input("sales2"), multiline.InviteOptions{})
	require.NoError(t, err)

	cases := []struct {
		name   string
		o      org.ID
		filter multiline.AccountFilter
		want   []string
	}{
		{"the org alone", f.acme.Org.ID, multiline.AccountFilter{}, []string{"root1@acme.example"}},
		{"with its sub-orgs", f.acme.Org.ID, multiline.AccountFilter{SubOrgs: true},
			[]string{"root1@acme.example", "sales1@acme.example", "support1@acme.example", "sales2@acme.example"}},
		{"query, spaces trimmed", f.acme.Org.ID, multiline.AccountFilter{SubOrgs: true, Query: "  ada "},
			[]string{"root1@acme.example", "sales1@acme.example"}},
		{"status", f.acme.Org.ID, multiline.AccountFilter{SubOrgs: true, Status: []account.Status{account.Invited}},
			[]string{"sales2@acme.example"}},
		{"a sub-org", f.sales.ID, multiline.AccountFilter{Query: "SALES"}, []string{"sales1@acme.example", "sales2@acme.example"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, err := f.svc.SearchAccounts(ctx, f.root, c.o, c.filter, multiline.Page{})
			require.NoError(t, err)
			assert.Equal(t, c.want, usernames(l.Items))
			assert.Empty(t, l.Next)
		})
	}

	t.Run("cursors", func(t *testing.T) {
		var got []string
		p := multiline.Page{Limit: 1}
		for {
			l, err := f.svc.SearchAccounts(ctx, f.root, f.acme.Org.ID, multiline.AccountFilter{SubOrgs: true, Query: "s"}, p)
			require.NoError(t, err)
			got = append(got, usernames(l.Items)...)
			if l.Next == "" {
				break
			}
			p.After = l.Next
		}
		assert.Equal(t, []string{"sales1@acme.example", "sales2@acme.example", "support1@acme.example"}, got, "by the text that matched")
	})

	t.Run("refused filters", func(t *testing.T) {
		_, err := f.svc.SearchAccounts(ctx, f.root, f.acme.Org.ID, multiline.AccountFilter{
			Status: []account.Status{"Pending", account.Invited, "invited"}, Query: "a\tb",
		}, multiline.Page{})
		var codes []string
		for _, fe := range mlerr.Fields(err) {
			codes = append(codes, fe.Code)
		}
		assert.Equal(t, []string{multiline.CodeFilterStatusUnknown, multiline.CodeFilterStatusUnknown, multiline.CodeFilterQueryFormat}, codes)
		_, err = f.svc.SearchAccounts(ctx, f.root, f.acme.Org.ID, multiline.AccountFilter{Query: strings.Repeat("é", 257)}, multiline.Page{})
		assert.Equal(t, multiline.CodeFilterQueryTooLong, mlerr.CodeOf(err))
		_, err = f.svc.SearchAccounts(ctx, f.root, f.acme.Org.ID, multiline.AccountFilter{Query: "\xff"}, multiline.Page{})
		assert.Equal(t, multiline.CodeFilterQueryFormat, mlerr.CodeOf(err))
		// A sub-org's administrator cannot search the parent.
		_, err = f.svc.SearchAccounts(ctx, f.salesAdmin, f.acme.Org.ID, multiline.AccountFilter{SubOrgs: true}, multiline.Page{})
		assert.Error(t, err)
	})
}

// countingStore counts the transactions run on a store.
type countingStore struct {
	multiline.Store
	n atomic.Int32
}

func (s *countingStore) Tx(ctx context.Context, fn func(context.Context, multiline.Tx) error) error {
	s.n.Add(1)
	return s.Store.Tx(ctx, fn)
}

func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(b))
	lines, err := r.ReadAll()
	require.NoError(t, err)
	return lines
}

func TestExportAccounts(t *testing.T) {
	f := newFixture(t)
	f.numbers(t, f.sales.ID, nums("+14155550101", "+14155550102")...)
	hostile := []struct{ first, last string }{
		{"=cmd|' /C calc'!A0", "+SUM(A1)"},
		{"@risk", "-2+3"},
	}
	var ids []account.ID
	for i, h := range hostile {
		in := input(fmt.Sprintf("h%d", i))
		in.FirstName, in.LastName = h.first, h.last
		a, err := f.svc.Save(ctx, f.salesAdmin, f.sales.ID, in)
		require.NoError(t, err)
		ids = append(ids, a.ID)
	}
	// Tabs and carriage returns cannot come in through the service's
	// validation; a record written by another program can still hold them.
	require.NoError(t, f.store.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		a, err := tx.Account(ctx, ids[1])
		if err != nil {
			return err
		}
		a.FirstName, a.LastName = "\tTab", "\rCR"
		return tx.UpdateAccount(ctx, a)
	}))
	in := input("inv")
	in.Language = "de"
	_, err := f.svc.SaveAndInvite(ctx, f.salesAdmin, f.sales.ID, in, multiline.InviteOptions{})
	require.NoError(t, err)
	invitedAt := f.clock.Now()
	f.clock.Advance(90 * 60e9)
	_, err = f.svc.Activate(ctx, f.lastToken(t, "inv@acme.example"), "+14155550102")
	require.NoError(t, err)

	var out bytes.Buffer
	require.NoError(t, f.svc.ExportAccounts(ctx, f.salesAdmin, f.sales.ID, multiline.AccountFilter{}, &out))
	lines := readCSV(t, out.Bytes())
	assert.Equal(t, [][]string{
		multiline.ExportHeader,
		{"'=cmd|' /C calc'!A0", "'+SUM(A1)", "h0@acme.example", "h0", "Sales", "Not Invited", "", "Standard", "en", "", ""},
		{"'\tTab", "'\rCR", "h1@acme.example", "h1", "Sales", "Not Invited", "", "Standard", "en", "", ""},
		{"User", "inv", "inv@acme.example", "inv", "Sales", "Activated", "+14155550102", "Standard", "de",
			invitedAt.UTC().Format("2006-01-02T15:04:05Z"), invitedAt.Add(90 * 60e9).UTC().Format("2006-01-02T15:04:05Z")},
	}, lines)
	assert.NotContains(t, out.String(), "\n=", "no cell starts a formula")

	var filtered bytes.Buffer
	require.NoError(t, f.svc.ExportAccounts(ctx, f.salesAdmin, f.sales.ID, multiline.AccountFilter{Status: []account.Status{account.Activated}}, &filtered))
	assert.Len(t, readCSV(t, filtered.Bytes()), 2)

	_, err = f.svc.SearchAccounts(ctx, f.supportAdmin, f.sales.ID, multiline.AccountFilter{}, multiline.Page{})
	require.Error(t, err)
	var refused bytes.Buffer
	err = f.svc.ExportAccounts(ctx, f.supportAdmin, f.sales.ID, multiline.AccountFilter{}, &refused)
	require.ErrorIs(t, err, permissions.ErrForbidden)
	assert.Empty(t, refused.String(), "nothing is written before the first page is authorized")
}

// failingWriter fails every write after the first n bytes.
type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n < len(p) {
		return 0, errors.New("disk full")
	}
	w.n -= len(p)
	return len(p), nil
}

// TestExportStreamsPages: a list longer than a page is read a page per
// transaction, and a writer that fails ends the export with its error.
func TestExportStreamsPages(t *testing.T) {
	cs := &countingStore{Store: memory.New()}
	f := newFixtureOn(t, cs)
	const total = 2*multiline.MaxPageSize + 7
	require.NoError(t, f.store.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		for i := range total {
			a := account.Account{
				ID: account.ID(fmt.Sprintf("0000-%06d", i)), OrgID: f.sales.ID, AccountID: fmt.Sprintf("b%d", i),
				FirstName: "Bulk", LastName: fmt.Sprint(i), Username: fmt.Sprintf("b%d@acme.example", i),
				Email: fmt.Sprintf("b%d@acme.example", i), Status: account.NotInvited, ProfileID: f.acme.Profile.ID,
			}
			if err := tx.CreateAccount(ctx, a); err != nil {
				return err
			}
		}
		return nil
	}))
	before := cs.n.Load()
	var out bytes.Buffer
	require.NoError(t, f.svc.ExportAccounts(ctx, f.salesAdmin, f.sales.ID, multiline.AccountFilter{}, &out))
	assert.Equal(t, int32(3), cs.n.Load()-before, "one transaction per page")
	lines := readCSV(t, out.Bytes())
	require.Len(t, lines, total+1)
	assert.Equal(t, "0", lines[1][1])
	assert.Equal(t, fmt.Sprint(total-1), lines[total][1])

	err := f.svc.ExportAccounts(ctx, f.salesAdmin, f.sales.ID, multiline.AccountFilter{}, &failingWriter{n: 100})
	require.ErrorContains(t, err, "disk full")
	assert.Empty(t, mlerr.CodeOf(err), "a write failure is no refusal")
}

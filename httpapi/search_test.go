package httpapi_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
)

// TestAccountFilters: status (repeated or a comma list), q and sub_orgs
// select as the service's search does; a wrong status or sub_orgs is 400,
// a search text the service refuses is 422 with its field error.
func TestAccountFilters(t *testing.T) {
	f := newFixture(t, nil)
	f.numbers(t, f.sales.ID, "+14155550101")
	f.numbers(t, f.support.ID, "+14155550102")
	f.saved(t, f.sales.ID, "ada")
	f.saved(t, f.sales.ID, "bob")
	f.saved(t, f.support.ID, "adam")
	_, err := f.svc.SaveAndInvite(context.Background(), f.root, f.sales.ID, accountInputOf(form("carl")), multiline.InviteOptions{})
	require.NoError(t, err)

	acme, sales := "/orgs/"+string(f.acme.Org.ID)+"/accounts", "/orgs/"+string(f.sales.ID)+"/accounts"
	for _, tc := range []struct {
		name, path string
		want       []string
	}{
		{"no filter", sales, []string{"ada", "bob", "carl"}},
		{"status", sales + "?status=invited", []string{"carl"}},
		{"status repeated", sales + "?status=invited&status=not_invited", []string{"ada", "bob", "carl"}},
		{"status comma list", sales + "?status=invited,not_invited", []string{"ada", "bob", "carl"}},
		{"q", sales + "?q=ad", []string{"ada"}},
		{"q, sub-organizations", acme + "?q=ad&sub_orgs=true", []string{"ada", "adam"}},
		{"the org alone", acme + "?sub_orgs=false", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(t, req{method: "GET", path: tc.path, as: f.salesAdmin})
			if strings.HasPrefix(tc.path, acme) {
				r = f.do(t, req{method: "GET", path: tc.path, as: f.root})
			}
			require.Equal(t, http.StatusOK, r.status, "%s", r.body)
			var l listOut[struct {
				LastName string `json:"last_name"`
			}]
			r.decode(t, &l)
			var got []string
			for _, a := range l.Items {
				got = append(got, a.LastName)
			}
			assert.ElementsMatch(t, tc.want, got)
		})
	}

	for _, tc := range []struct {
		query, code string
		status      int
		invalid     bool
	}{
		{"?status=pending", "request.status", 400, true},
		{"?status=Invited", "request.status", 400, true},
		{"?sub_orgs=maybe", "request.sub_orgs", 400, true},
		{"?q=" + strings.Repeat("x", 300), multiline.CodeFilterQueryTooLong, 422, false},
		{"?q=a%09b", multiline.CodeFilterQueryFormat, 422, false},
	} {
		r := f.do(t, req{method: "GET", path: sales + tc.query, as: f.salesAdmin, invalid: tc.invalid})
		p := r.problem(t)
		assert.Equal(t, tc.status, p.Status, "%s: %s", tc.query, r.body)
		assert.Equal(t, tc.code, p.Code, tc.query)
		if tc.status == 422 {
			require.NotEmpty(t, p.Errors)
			assert.Equal(t, "query", p.Errors[0].Field)
		}
	}
}

// TestExportAccounts: the CSV of the filtered list, as an attachment; a
// refusal is a problem with no attachment header; a hostile cell is
// neutralized.
func TestExportAccounts(t *testing.T) {
	f := newFixture(t, nil)
	f.numbers(t, f.sales.ID, "+14155550101")
	f.saved(t, f.sales.ID, "ada")
	in := form("evil")
	in["first_name"] = "=cmd|' /C calc'!A0"
	r := f.do(t, req{method: "POST", path: "/orgs/" + string(f.sales.ID) + "/accounts", as: f.root, json: in})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	_, err := f.svc.SaveAndInvite(context.Background(), f.root, f.sales.ID, accountInputOf(form("carl")), multiline.InviteOptions{})
	require.NoError(t, err)

	path := "/orgs/" + string(f.sales.ID) + "/accounts/export"
	r = f.do(t, req{method: "GET", path: path + "?status=not_invited", as: f.salesAdmin})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.Equal(t, "text/csv; charset=utf-8", r.header.Get("Content-Type"))
	assert.Equal(t, "attachment; filename=accounts-"+string(f.sales.ID)+".csv", r.header.Get("Content-Disposition"))
	recs, err := csv.NewReader(strings.NewReader(string(r.body))).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, multiline.ExportHeader, recs[0])
	var last []string
	for _, rec := range recs[1:] {
		last = append(last, rec[1])
		if rec[1] == "evil" {
			assert.Equal(t, "'=cmd|' /C calc'!A0", rec[0], "a formula is neutralized")
		}
	}
	assert.Equal(t, []string{"ada", "evil"}, last, "carl is invited: filtered out")

	r = f.do(t, req{method: "GET", path: path, as: f.salesReports})
	p := r.problem(t)
	assert.Equal(t, http.StatusForbidden, p.Status)
	assert.Empty(t, r.header.Get("Content-Disposition"))

	r = f.do(t, req{method: "GET", path: path + "?q=a%09b", as: f.salesAdmin})
	assert.Equal(t, http.StatusUnprocessableEntity, r.problem(t).Status)
	assert.Empty(t, r.header.Get("Content-Disposition"))
}

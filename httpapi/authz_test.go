package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/permissions"
)

// target names the records a route acts on.
type target struct {
	org, account, batch string
	to                  string // a move's destination
}

// route is one row of the authorization matrix.
type route struct {
	name string
	// priv and unpriv are who has and who lacks the route's privilege
	// on Sales. A nil unpriv marks a route that needs no privilege (GET
	// /orgs): every known administrator gets its own view, and only an
	// unknown one is refused (403).
	priv, unpriv func(*fixture) permissions.AdminID
	build        func(target) req
	ok           int
	// byID: the route names a record (404 when hidden) rather than an
	// organization (403).
	byID bool
	// destination: the route also names an organization, authorized first
	// (a move's), so an administrator without the privilege there is 403.
	destination bool
}

func accounts(f *fixture) permissions.AdminID { return f.salesAdmin }
func reports(f *fixture) permissions.AdminID  { return f.salesReports }
func setup(f *fixture) permissions.AdminID    { return f.salesSetup }
func root(f *fixture) permissions.AdminID     { return f.root }

func ids(tg target) map[string]any { return map[string]any{"ids": []string{tg.account}} }

var matrix = []route{
	{"org tree", root, nil, func(tg target) req { return req{method: "GET", path: "/orgs"} }, 200, false, false},
	{"profiles", accounts, reports, func(tg target) req { return req{method: "GET", path: "/orgs/" + tg.org + "/profiles"} }, 200, false, false},
	{"batch template", accounts, reports, func(tg target) req { return req{method: "GET", path: "/orgs/" + tg.org + "/batch-template"} }, 200, false, false},
	{"list accounts", accounts, reports, func(tg target) req { return req{method: "GET", path: "/orgs/" + tg.org + "/accounts"} }, 200, false, false},
	{"save", accounts, reports, func(tg target) req {
		return req{method: "POST", path: "/orgs/" + tg.org + "/accounts", json: form("new")}
	}, 201, false, false},
	{"export", accounts, reports, func(tg target) req { return req{method: "GET", path: "/orgs/" + tg.org + "/accounts/export"} }, 200, false, false},
	{"edit", accounts, reports, func(tg target) req {
		return req{method: "PATCH", path: "/accounts/" + tg.account, json: map[string]any{"first_name": "Edited"}}
	}, 200, true, false},
	{"get account", accounts, reports, func(tg target) req { return req{method: "GET", path: "/accounts/" + tg.account} }, 200, true, false},
	{"resend", accounts, reports, func(tg target) req { return req{method: "POST", path: "/accounts/resend", json: ids(tg)} }, 200, true, false},
	{"suspend", accounts, reports, func(tg target) req { return req{method: "POST", path: "/accounts/suspend", json: ids(tg)} }, 204, true, false},
	{"reactivate", accounts, reports, func(tg target) req { return req{method: "POST", path: "/accounts/reactivate", json: ids(tg)} }, 409, true, false},
	{"delete", accounts, reports, func(tg target) req { return req{method: "POST", path: "/accounts/delete", json: ids(tg)} }, 204, true, false},
	{"move check", root, reports, func(tg target) req {
		return req{method: "POST", path: "/accounts/move/check", json: map[string]any{"ids": []string{tg.account}, "to": tg.to}}
	}, 200, true, true},
	{"move", root, reports, func(tg target) req {
		return req{method: "POST", path: "/accounts/move", json: map[string]any{"ids": []string{tg.account}, "to": tg.to}}
	}, 200, true, true},
	{"upload", accounts, reports, func(tg target) req {
		return req{method: "POST", path: "/orgs/" + tg.org + "/batches", body: csvRows("up", 1), ctype: "text/csv"}
	}, 202, false, false},
	{"list batches", reports, accounts, func(tg target) req { return req{method: "GET", path: "/orgs/" + tg.org + "/batches"} }, 200, false, false},
	{"get batch", reports, accounts, func(tg target) req { return req{method: "GET", path: "/batches/" + tg.batch} }, 200, true, false},
	{"report", reports, accounts, func(tg target) req { return req{method: "GET", path: "/batches/" + tg.batch + "/report"} }, 200, true, false},
	{"undo", accounts, reports, func(tg target) req { return req{method: "POST", path: "/batches/" + tg.batch + "/undo"} }, 200, true, false},
	{"numbers", accounts, reports, func(tg target) req { return req{method: "GET", path: "/orgs/" + tg.org + "/numbers"} }, 200, false, false},
	{"audit", reports, accounts, func(tg target) req { return req{method: "GET", path: "/orgs/" + tg.org + "/audit"} }, 200, false, false},
	{"messages", reports, accounts, func(tg target) req { return req{method: "GET", path: "/orgs/" + tg.org + "/messages"} }, 200, false, false},
	{"preview", setup, accounts, func(tg target) req {
		return req{method: "GET", path: "/orgs/" + tg.org + "/invitation-preview?lang=it&channel=sms"}
	}, 200, false, false},
}

// TestAuthorizationMatrix: each route × an administrator with the
// privilege, one without it, and one of another tree; the other tree's
// administrator gets for an Acme record exactly what it gets for a record
// that does not exist.
func TestAuthorizationMatrix(t *testing.T) {
	f := newFixture(t, nil)
	f.numbers(t, f.sales.ID, "+14155550101", "+14155550102")
	for _, rt := range matrix {
		t.Run(rt.name, func(t *testing.T) {
			a := f.saved(t, f.sales.ID, "m"+strings.ReplaceAll(rt.name, " ", "-"))
			b, err := f.svc.ImportBatch(context.Background(), f.root, f.sales.ID, strings.NewReader(csvRows(strings.ReplaceAll(rt.name, " ", "")+"-", 1)),
				multiline.BatchOptions{Mode: batch.Import})
			require.NoError(t, err)
			own := target{org: string(f.sales.ID), account: string(a.ID), batch: b.ID, to: string(f.support.ID)}
			missing := target{org: "00000000-0000-0000-0000-000000000000", account: "00000000-0000-0000-0000-000000000001",
				batch: "00000000-0000-0000-0000-000000000002", to: string(f.globex.Org.ID)}
			foreign := own
			foreign.to = string(f.globex.Org.ID)

			hidden := http.StatusForbidden
			if rt.byID {
				hidden = http.StatusNotFound
			}
			as := func(tg target, who permissions.AdminID) resp {
				rq := rt.build(tg)
				rq.as = who
				return f.do(t, rq)
			}

			if rt.unpriv == nil {
				for _, who := range []permissions.AdminID{rt.priv(f), f.salesReports, f.globexAdmin} {
					r := as(own, who)
					assert.Equal(t, rt.ok, r.status, "%s: %s", who, r.body)
				}
				assert.Equal(t, http.StatusForbidden, as(own, "nobody").problem(t).Status, "an unknown administrator")
				r := as(own, "")
				assert.Equal(t, http.StatusUnauthorized, r.problem(t).Status, "without authentication")
				return
			}
			unpriv := hidden
			if rt.destination {
				unpriv = http.StatusForbidden
			}
			r := as(own, rt.unpriv(f))
			assert.Equal(t, unpriv, r.problem(t).Status, "without the privilege: %s", r.body)

			other := as(foreign, f.globexAdmin)
			none := as(missing, f.globexAdmin)
			assert.Equal(t, hidden, other.problem(t).Status, "another tree: %s", other.body)
			assert.Equal(t, none.status, other.status)
			assert.Equal(t, string(none.body), string(other.body), "a foreign ID is answered like a missing one")

			r = as(own, rt.priv(f))
			assert.Equal(t, rt.ok, r.status, "with the privilege: %s", r.body)

			r = as(own, "")
			assert.Equal(t, http.StatusUnauthorized, r.problem(t).Status, "without authentication")
			assert.Equal(t, "unauthenticated", r.problem(t).Code)
		})
	}
}

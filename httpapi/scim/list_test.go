package scim_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestListPages: startIndex is 1-based, count bounds the page,
// totalResults counts every user of the organization (and only those).
func TestListPages(t *testing.T) {
	f := newFixture(t)
	var ids []any
	for i := range 5 {
		res := f.do(t, "okta", http.MethodPost, "/Users", oktaUser(fmt.Sprintf("p%d@acme.example", i), "P", fmt.Sprint(i))).must(t, http.StatusCreated)
		ids = append(ids, res.body["id"])
	}
	f.do(t, "globex", http.MethodPost, "/Users", oktaUser("g@globex-users.example", "G", "G")).must(t, http.StatusCreated)
	tests := []struct {
		query      string
		start, per int
		want       []any
	}{
		{"", 1, 5, ids},
		{"?startIndex=2&count=2", 2, 2, ids[1:3]},
		{"?startIndex=5&count=10", 5, 1, ids[4:]},
		{"?startIndex=9", 9, 0, nil},
		{"?startIndex=0&count=1", 1, 1, ids[:1]}, // below 1 is 1 (RFC 7644 §3.4.2.4)
		{"?startIndex=-3&count=-1", 1, 0, nil},   // a negative count is 0
		{"?count=0", 1, 0, nil},                  // totalResults only
		{"?count=100000", 1, 5, ids},             // capped at the maximum page
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			res := f.do(t, "okta", http.MethodGet, "/Users"+tt.query, nil).must(t, http.StatusOK)
			assert.EqualValues(t, 5, res.body["totalResults"])
			assert.EqualValues(t, tt.start, res.body["startIndex"])
			assert.EqualValues(t, tt.per, res.body["itemsPerPage"])
			var got []any
			for _, r := range res.body["Resources"].([]any) {
				got = append(got, r.(map[string]any)["id"])
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestFilters: the lookups identity providers send, each with the users it
// must find.
func TestFilters(t *testing.T) {
	f := newFixture(t)
	a := f.do(t, "entra", http.MethodPost, "/Users", entraUser("ann@acme.example", "ext-a", "A1")).must(t, http.StatusCreated).body["id"]
	b := f.do(t, "entra", http.MethodPost, "/Users", entraUser("ann.b@acme.example", "ext-b", "B1")).must(t, http.StatusCreated).body["id"]
	tests := []struct {
		filter string
		want   []any
	}{
		{`userName eq "ann@acme.example"`, []any{a}},
		{`userName eq "ANN@ACME.EXAMPLE"`, []any{a}},
		{`UserName Eq "ann@acme.example"`, []any{a}},
		{`userName eq "ann"`, nil}, // a prefix is not equal
		{`userName eq "ann.b@acme.example"`, []any{b}},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "ann@acme.example"`, []any{a}},
		{`externalId eq "ext-b"`, []any{b}},
		{`externalId eq "EXT-B"`, nil}, // externalId is caseExact
		{`emails.value eq "ann@acme.example"`, []any{a}},
		{`emails eq "ann.b@acme.example"`, []any{b}},
		{`emails[value eq "ann@acme.example"]`, []any{a}},
		{`userName eq "ann@acme.example" and externalId eq "ext-a"`, []any{a}},
		{`userName eq "ann@acme.example" and externalId eq "ext-b"`, nil},
		{`userName eq "ann@acme.example" and userName eq "ann.b@acme.example"`, nil},
		{`userName eq "nobody@acme.example"`, nil},
		{`userName eq "a\u0001b"`, nil}, // a value no account can have
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			res := f.do(t, "entra", http.MethodGet, filterPath(tt.filter), nil).must(t, http.StatusOK)
			var got []any
			for _, r := range res.body["Resources"].([]any) {
				got = append(got, r.(map[string]any)["id"])
			}
			assert.Equal(t, tt.want, got)
			assert.EqualValues(t, len(tt.want), res.body["totalResults"])
		})
	}
}

// TestDiscovery: the three discovery endpoints say what this server does.
func TestDiscovery(t *testing.T) {
	f := newFixture(t)
	res := f.do(t, "okta", http.MethodGet, "/ServiceProviderConfig", nil).must(t, http.StatusOK)
	assert.Equal(t, []any{"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"}, res.body["schemas"])
	assert.Equal(t, true, get(res.body, "patch", "supported"))
	assert.Equal(t, true, get(res.body, "filter", "supported"))
	assert.Equal(t, false, get(res.body, "bulk", "supported"))
	assert.Equal(t, "oauthbearertoken", res.body["authenticationSchemes"].([]any)[0].(map[string]any)["type"])

	res = f.do(t, "okta", http.MethodGet, "/ResourceTypes", nil).must(t, http.StatusOK)
	require.EqualValues(t, 1, res.body["totalResults"])
	user := res.body["Resources"].([]any)[0].(map[string]any)
	assert.Equal(t, "/Users", user["endpoint"])
	assert.Equal(t, schemaUser, user["schema"])
	f.do(t, "okta", http.MethodGet, "/ResourceTypes/User", nil).must(t, http.StatusOK)

	res = f.do(t, "okta", http.MethodGet, "/Schemas", nil).must(t, http.StatusOK)
	require.EqualValues(t, 2, res.body["totalResults"])
	var names []any
	for _, a := range res.body["Resources"].([]any)[0].(map[string]any)["attributes"].([]any) {
		names = append(names, a.(map[string]any)["name"])
	}
	assert.Equal(t, []any{"userName", "name", "displayName", "active", "externalId", "emails", "phoneNumbers"}, names)
	res = f.do(t, "okta", http.MethodGet, "/Schemas/"+schemaEnterprise, nil).must(t, http.StatusOK)
	assert.Equal(t, "employeeNumber", res.body["attributes"].([]any)[0].(map[string]any)["name"])
	f.do(t, "okta", http.MethodGet, "/Schemas/urn:example:nothing", nil).scimError(t, http.StatusNotFound, "", "not_found")
	assert.Equal(t, "no-store", res.header.Get("Cache-Control"))
}

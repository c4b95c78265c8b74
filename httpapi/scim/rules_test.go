package scim_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/httpapi/scim"
)

// TestRulesHoldThroughSCIM checks that every refusal of the SDK reaches the
// identity provider as a SCIM error body with its scimType and §5 code,
// and that nothing was changed by a refused request.
func TestRulesHoldThroughSCIM(t *testing.T) {
	f := newFixture(t)
	res := f.do(t, "okta", http.MethodPost, "/Users", oktaUser("taken@acme.example", "Tom", "Taken")).must(t, http.StatusCreated)
	taken := res.body["id"].(string)
	// Support has no numbers: an invitation without one breaks the
	// capacity invariant.
	tests := []struct {
		name, client, method, path string
		body                       any
		status                     int
		scimType, code             string
	}{
		{"username unique across tenants", "globex", "POST", "/Users", oktaUser("TAKEN@acme.example", "T", "G"), 409, "uniqueness", account.CodeUsernameExists},
		{"capacity invariant on invite", "support", "POST", "/Users", oktaUser("new@acme.example", "N", "U"), 409, "", "number.not_enough"},
		{"field rule: a line break in a name", "okta", "POST", "/Users", oktaUser("nl@acme.example", "Ann\nMarie", "X"), 400, "invalidValue", "first_name.control_character"},
		{"field rule: names required", "okta", "POST", "/Users", map[string]any{"userName": "nn@acme.example"}, 400, "invalidValue", "first_name.required"},
		{"userName that is not the email", "okta", "POST", "/Users", map[string]any{"userName": "jdoe", "name": map[string]any{"givenName": "J", "familyName": "D"},
			"emails": []any{map[string]any{"value": "jdoe@acme.example", "primary": true}}}, 400, "invalidValue", scim.CodeValue},
		{"userName missing", "okta", "POST", "/Users", map[string]any{"name": map[string]any{"givenName": "J"}}, 400, "invalidValue", scim.CodeValue},
		{"not JSON", "okta", "POST", "/Users", "{", 400, "invalidSyntax", scim.CodeSyntax},
		{"two JSON values", "okta", "POST", "/Users", `{"userName":"a@b.example"} {}`, 400, "invalidSyntax", scim.CodeSyntax},
		{"a string for active", "okta", "POST", "/Users", map[string]any{"userName": "a@acme.example", "active": "maybe"}, 400, "invalidValue", scim.CodeValue},
		{"no credential", "", "GET", "/Users", nil, 401, "", scim.CodeUnauthorized},
		{"unknown credential", "stolen", "GET", "/ServiceProviderConfig", nil, 401, "", scim.CodeUnauthorized},
		{"no Accounts privilege on the client's org", "no-privileges", "GET", "/Users", nil, 403, "", "forbidden"},
		{"another tenant's account is not found", "globex", "GET", "/Users/" + taken, nil, 404, "", "not_found"},
		{"another tenant cannot delete it", "globex", "DELETE", "/Users/" + taken, nil, 404, "", "not_found"},
		{"an id that is not one", "okta", "GET", "/Users/not-an-id", nil, 404, "", "not_found"},
		{"an id with a control character", "okta", "DELETE", "/Users/a%0D%0Ab", nil, 404, "", "not_found"},
		{"another org of the same admin: not found", "support", "GET", "/Users/" + taken, nil, 404, "", "not_found"},
		{"an unreadable filter", "okta", "GET", filterPath(`userName eq`), nil, 400, "invalidFilter", scim.CodeFilter},
		{"an unsupported filter", "okta", "GET", filterPath(`title eq "Boss"`), nil, 400, "invalidFilter", scim.CodeFilter},
		{"or is not supported", "okta", "GET", filterPath(`userName eq "a" or userName eq "b"`), nil, 400, "invalidFilter", scim.CodeFilter},
		{"a bad count", "okta", "GET", "/Users?count=ten", nil, 400, "invalidValue", scim.CodeValue},
		{"PATCH the work number", "okta", "PATCH", "/Users/" + taken, patchOps(map[string]any{"op": "replace", "path": `phoneNumbers[type eq "work"].value`, "value": "+12025550101"}), 400, "mutability", scim.CodeReadOnly},
		{"PATCH id", "okta", "PATCH", "/Users/" + taken, patchOps(map[string]any{"op": "replace", "path": "id", "value": "x"}), 400, "mutability", scim.CodeReadOnly},
		{"PATCH an unknown attribute", "okta", "PATCH", "/Users/" + taken, patchOps(map[string]any{"op": "replace", "path": "shoeSize", "value": "9"}), 400, "invalidPath", scim.CodePath},
		{"PATCH an unknown schema", "okta", "PATCH", "/Users/" + taken, patchOps(map[string]any{"op": "replace", "path": "urn:example:x:y", "value": "9"}), 400, "invalidPath", scim.CodePath},
		{"PATCH an unknown op", "okta", "PATCH", "/Users/" + taken, patchOps(map[string]any{"op": "move", "path": "userName", "value": "x"}), 400, "invalidSyntax", scim.CodeSyntax},
		{"PATCH without Operations", "okta", "PATCH", "/Users/" + taken, map[string]any{"schemas": []string{schemaPatch}}, 400, "invalidSyntax", scim.CodeSyntax},
		{"PATCH remove without path", "okta", "PATCH", "/Users/" + taken, patchOps(map[string]any{"op": "remove"}), 400, "noTarget", scim.CodePath},
		{"PATCH a name too long", "okta", "PATCH", "/Users/" + taken, patchOps(map[string]any{"op": "replace", "path": "name.familyName", "value": strings.Repeat("x", 101)}), 400, "invalidValue", "last_name.too_long"},
		{"another tenant creates its own users", "globex", "POST", "/Users", oktaUser("other@globex.example", "O", "G"), 201, "", ""},
		{"unknown endpoint", "okta", "GET", "/Groups", nil, 404, "", "not_found"},
		{"a method the endpoint does not have", "okta", "PATCH", "/Users", patchOps(), 404, "", "not_found"},
		{"a panic is a 500 with a SCIM body", "panic", "GET", "/Users", nil, 500, "", "internal error"},
		{"unknown resource type", "okta", "GET", "/ResourceTypes/Group", nil, 404, "", "not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.do(t, tt.client, tt.method, tt.path, tt.body)
			if tt.code == "" {
				res.must(t, tt.status)
				return
			}
			res.scimError(t, tt.status, tt.scimType, tt.code)
			if tt.status == http.StatusUnauthorized {
				assert.Equal(t, `Bearer realm="scim"`, res.header.Get("WWW-Authenticate"))
			}
		})
	}
	// A refused request changed nothing: Tom is as created, Support
	// holds no account.
	a := f.account(t, taken)
	assert.Equal(t, "Taken", a.LastName)
	assert.Empty(t, a.Device)
	l, err := f.svc.ListAccounts(context.Background(), f.root, f.support.ID, pageAll)
	require.NoError(t, err)
	assert.Empty(t, l.Items)

	// The limit names the rule that broke, before any read.
	t.Run("a body over 1 MiB", func(t *testing.T) {
		big := `{"userName":"` + strings.Repeat("a", 1<<20) + `"}`
		f.do(t, "okta", "POST", "/Users", big).scimError(t, http.StatusRequestEntityTooLarge, "", scim.CodeTooLarge)
	})
}

// TestUsernameUniqueOnEdit: a PATCH to an email that is another account's
// username is 409 uniqueness, and the account keeps its own.
func TestUsernameUniqueOnEdit(t *testing.T) {
	f := newFixture(t)
	f.do(t, "okta", "POST", "/Users", oktaUser("first@acme.example", "F", "One")).must(t, http.StatusCreated)
	id := f.do(t, "okta", "POST", "/Users", oktaUser("second@acme.example", "S", "Two")).must(t, http.StatusCreated).body["id"].(string)
	f.do(t, "okta", "PATCH", "/Users/"+id, patchOps(map[string]any{"op": "replace", "path": "userName", "value": "First@acme.example"})).
		scimError(t, http.StatusConflict, "uniqueness", account.CodeUsernameExists)
	assert.Equal(t, "second@acme.example", f.account(t, id).Username)
}

// TestCapacityOnInvite: the entra client invites; Sales has three
// numbers, so the fourth invitation without a number is refused and the
// first three stand.
func TestCapacityOnInvite(t *testing.T) {
	f := newFixture(t)
	for i := range 3 {
		f.do(t, "entra", "POST", "/Users", oktaUser(fmt.Sprintf("u%d@acme.example", i), "U", fmt.Sprint(i))).must(t, http.StatusCreated)
	}
	f.do(t, "entra", "POST", "/Users", oktaUser("u3@acme.example", "U", "3")).scimError(t, http.StatusConflict, "", "number.not_enough")
	res := f.do(t, "entra", "GET", "/Users", nil).must(t, http.StatusOK)
	assert.EqualValues(t, 3, res.body["totalResults"])
	assert.Len(t, f.outbox.Messages(), 3)
}

// TestExternalIDWithoutStore: without WithExternalIDs, an externalId is
// refused rather than dropped, and a user without one is created.
func TestExternalIDWithoutStore(t *testing.T) {
	f := newFixture(t, scim.WithExternalIDs(nil))
	f.do(t, "entra", "POST", "/Users", entraUser("x@acme.example", "ext-1", "E1")).scimError(t, http.StatusBadRequest, "invalidValue", scim.CodeExternalID)
	res := f.do(t, "okta", "GET", "/Users", nil).must(t, http.StatusOK)
	assert.EqualValues(t, 0, res.body["totalResults"])
	id := f.do(t, "okta", "POST", "/Users", oktaUser("y@acme.example", "Y", "Y")).must(t, http.StatusCreated).body["id"].(string)
	f.do(t, "okta", "PATCH", "/Users/"+id, patchOps(map[string]any{"op": "add", "path": "externalId", "value": "ext-2"})).
		scimError(t, http.StatusBadRequest, "invalidValue", scim.CodeExternalID)
	res = f.do(t, "okta", "GET", filterPath(`externalId eq "ext-2"`), nil).must(t, http.StatusOK)
	assert.EqualValues(t, 0, res.body["totalResults"])
}

// TestCreateInactive: a user created with active false is saved (not
// invited, even by a client that invites), then suspended.
func TestCreateInactive(t *testing.T) {
	f := newFixture(t)
	u := oktaUser("off@acme.example", "O", "Ff")
	u["active"] = false
	res := f.do(t, "entra", "POST", "/Users", u).must(t, http.StatusCreated)
	assert.Equal(t, false, res.body["active"])
	a := f.account(t, res.body["id"])
	assert.Equal(t, account.Suspended, a.Status)
	assert.Equal(t, account.NotInvited, a.SuspendedFrom, "saved, not invited, though the client invites")
	assert.Empty(t, f.outbox.Messages())
}

// TestMobileOnlyUser: a user without email is known by its mobile number;
// inviting one by SMS needs the client's consent attestation.
func TestMobileOnlyUser(t *testing.T) {
	f := newFixture(t)
	u := map[string]any{"userName": "+1 202 555 0177", "name": map[string]any{"givenName": "M", "familyName": "Obile"},
		"phoneNumbers": []any{map[string]any{"type": "mobile", "value": "+12025550177"}}}
	f.do(t, "entra", "POST", "/Users", u).scimError(t, http.StatusBadRequest, "invalidValue", "sms_consent.required")
	res := f.do(t, "entra-sms", "POST", "/Users", u).must(t, http.StatusCreated)
	assert.Equal(t, "+12025550177", res.body["userName"])
	assert.Equal(t, []any{map[string]any{"type": "mobile", "value": "+12025550177"}}, res.body["phoneNumbers"])
	a := f.account(t, res.body["id"])
	assert.Equal(t, account.Invited, a.Status)
	assert.Equal(t, "+12025550177", a.Device)
	res = f.do(t, "entra", "GET", filterPath(`userName eq "+12025550177"`), nil).must(t, http.StatusOK)
	assert.EqualValues(t, 1, res.body["totalResults"])
}

package scim_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
)

const (
	schemaUser       = "urn:ietf:params:scim:schemas:core:2.0:User"
	schemaEnterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	schemaPatch      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	schemaList       = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
)

func filterPath(f string) string { return "/Users?filter=" + url.QueryEscape(f) }

// oktaUser is the body Okta's "SCIM 2.0 Spec Test" creates a user with.
func oktaUser(email, given, family string) map[string]any {
	return map[string]any{
		"schemas":     []string{schemaUser},
		"userName":    email,
		"name":        map[string]any{"givenName": given, "familyName": family},
		"emails":      []any{map[string]any{"primary": true, "value": email, "type": "work"}},
		"active":      true,
		"password":    "1mz050nq",
		"groups":      []any{},
		"locale":      "en-US",
		"displayName": given + " " + family,
	}
}

// TestOktaSequence replays the requests Okta documents that it sends (its
// SCIM 2.0 spec and CRUD tests, and the provisioning guide): list a page,
// look a user up by userName, create, read, reject a duplicate, a 404 for
// an unknown id, replace the profile with PUT, deactivate and reactivate
// with a PATCH without path. The account is checked after each step, and
// every change is audited as the client's administrator.
func TestOktaSequence(t *testing.T) {
	f := newFixture(t)
	const email = "Runscope300Hfasftjowwvmesf@atko.com"

	// Users endpoint: a page of one; the org has none yet.
	res := f.do(t, "okta", http.MethodGet, "/Users?count=1&startIndex=1", nil).must(t, http.StatusOK)
	assert.Equal(t, []any{schemaList}, res.body["schemas"])
	assert.EqualValues(t, 0, res.body["totalResults"])
	assert.EqualValues(t, 1, res.body["startIndex"])
	assert.EqualValues(t, 0, res.body["itemsPerPage"])
	assert.Equal(t, []any{}, res.body["Resources"])

	// Look up by userName before creating: nothing.
	res = f.do(t, "okta", http.MethodGet, filterPath(`userName eq "`+email+`"`), nil).must(t, http.StatusOK)
	assert.EqualValues(t, 0, res.body["totalResults"])

	// Create.
	res = f.do(t, "okta", http.MethodPost, "/Users", oktaUser(email, "Ann", "Runscope")).must(t, http.StatusCreated)
	id := res.body["id"]
	require.NotEmpty(t, id)
	assert.Equal(t, "runscope300hfasftjowwvmesf@atko.com", res.body["userName"], "the username is the lower-cased email")
	assert.Equal(t, true, res.body["active"])
	assert.Equal(t, f.srv.URL+"/scim/v2/Users/"+id.(string), res.header.Get("Location"))
	assert.Equal(t, res.header.Get("Location"), get(res.body, "meta", "location"))
	a := f.account(t, id)
	assert.Equal(t, account.NotInvited, a.Status, "the okta client saves without inviting")
	assert.Equal(t, "Ann", a.FirstName)
	assert.Equal(t, "Runscope", a.LastName)
	assert.Equal(t, email, a.Email)
	assert.Equal(t, email, a.AccountID, "no employeeNumber: the Account ID is the userName")
	assert.Equal(t, f.sales.ID, a.OrgID)
	assert.Empty(t, f.outbox.Messages(), "Save sends nothing")

	// Read it back, and find it by userName in another case.
	res = f.do(t, "okta", http.MethodGet, "/Users/"+id.(string), nil).must(t, http.StatusOK)
	assert.Equal(t, "Ann", get(res.body, "name", "givenName"))
	res = f.do(t, "okta", http.MethodGet, filterPath(`userName eq "`+email+`"`), nil).must(t, http.StatusOK)
	assert.EqualValues(t, 1, res.body["totalResults"])
	assert.Equal(t, id, res.body["Resources"].([]any)[0].(map[string]any)["id"])

	// The page of one now has it.
	res = f.do(t, "okta", http.MethodGet, "/Users?count=1&startIndex=1", nil).must(t, http.StatusOK)
	assert.Len(t, res.body["Resources"], 1)

	// The same user again: 409 uniqueness, with the §5 code.
	f.do(t, "okta", http.MethodPost, "/Users", oktaUser(email, "Ann", "Runscope")).scimError(t, http.StatusConflict, "uniqueness", "username.exists")

	// An id that does not exist.
	f.do(t, "okta", http.MethodGet, "/Users/010f6f6c-1234-4a1b-9c4d-000000000000", nil).scimError(t, http.StatusNotFound, "", "not_found")

	// Update the profile: Okta sends the whole user with PUT.
	put := oktaUser(email, "Anna", "Runscope")
	put["id"] = id
	res = f.do(t, "okta", http.MethodPut, "/Users/"+id.(string), put).must(t, http.StatusOK)
	assert.Equal(t, "Anna", get(res.body, "name", "givenName"))
	a = f.account(t, id)
	assert.Equal(t, "Anna", a.FirstName)
	assert.Equal(t, email, a.AccountID, "PUT without employeeNumber keeps the Account ID")

	// Deactivate: a PATCH without path.
	deactivate := map[string]any{"schemas": []string{schemaPatch},
		"Operations": []any{map[string]any{"op": "replace", "value": map[string]any{"active": false}}}}
	res = f.do(t, "okta", http.MethodPatch, "/Users/"+id.(string), deactivate).must(t, http.StatusOK)
	assert.Equal(t, false, res.body["active"])
	assert.Equal(t, account.Suspended, f.account(t, id).Status)

	// A deactivated user is still found (Okta checks before reactivating).
	res = f.do(t, "okta", http.MethodGet, filterPath(`userName eq "`+email+`"`), nil).must(t, http.StatusOK)
	assert.Equal(t, false, res.body["Resources"].([]any)[0].(map[string]any)["active"])

	// Reactivate.
	activate := map[string]any{"schemas": []string{schemaPatch},
		"Operations": []any{map[string]any{"op": "replace", "value": map[string]any{"active": true}}}}
	f.do(t, "okta", http.MethodPatch, "/Users/"+id.(string), activate).must(t, http.StatusOK)
	assert.Equal(t, account.NotInvited, f.account(t, id).Status, "back to the status it had")

	// Every change is the SCIM client's administrator's.
	var actions []string
	for _, e := range f.audit(t, f.sales.ID, id.(string)) {
		assert.Equal(t, f.admin, e.Actor, e.Action)
		actions = append(actions, e.Action)
	}
	assert.Equal(t, []string{multiline.ActionAccountCreated, "account.edited", multiline.ActionAccountStatus, multiline.ActionAccountStatus}, actions)
}

// entraUser is the body Entra ID's provisioning service creates a user
// with (its "known request formats"): externalId, name with formatted, a
// work email marked primary, the enterprise extension.
func entraUser(email, externalID, employee string) map[string]any {
	return map[string]any{
		"schemas":        []string{schemaUser, schemaEnterprise},
		"externalId":     externalID,
		"userName":       email,
		"active":         true,
		"displayName":    "Barbara Jensen",
		"emails":         []any{map[string]any{"primary": true, "type": "work", "value": email}},
		"meta":           map[string]any{"resourceType": "User"},
		"name":           map[string]any{"formatted": "Barbara Jensen", "familyName": "Jensen", "givenName": "Barbara"},
		"title":          "Sales Rep",
		schemaEnterprise: map[string]any{"employeeNumber": employee, "department": "Sales"},
	}
}

func patchOps(ops ...map[string]any) map[string]any {
	list := make([]any, len(ops))
	for i, o := range ops {
		list[i] = o
	}
	return map[string]any{"schemas": []string{schemaPatch}, "Operations": list}
}

// TestEntraSequence replays the requests Entra ID documents that it sends:
// the lookup by userName, a create with externalId and the enterprise
// extension (Save & Invite for this client), the lookup by externalId,
// PATCH with paths and capitalized ops, the value-map PATCH without path
// (attribute paths as keys), "False"/"True" strings for active, a PUT, and
// the hard DELETE after the soft one.
func TestEntraSequence(t *testing.T) {
	f := newFixture(t)
	const email = "Test_User_4c5d@testuser.com"
	lower := "test_user_4c5d@testuser.com"

	res := f.do(t, "entra", http.MethodGet, filterPath(`userName eq "`+email+`"`), nil).must(t, http.StatusOK)
	assert.EqualValues(t, 0, res.body["totalResults"])

	res = f.do(t, "entra", http.MethodPost, "/Users", entraUser(email, "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef", "E-701")).must(t, http.StatusCreated)
	id := res.body["id"].(string)
	assert.Equal(t, "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef", res.body["externalId"])
	assert.Equal(t, "E-701", get(res.body, schemaEnterprise, "employeeNumber"))
	a := f.account(t, account.ID(id))
	assert.Equal(t, account.Invited, a.Status, "the entra client saves and invites")
	assert.Equal(t, "E-701", a.AccountID)
	assert.Equal(t, "Barbara", a.FirstName)
	require.Len(t, f.outbox.Messages(), 1)
	assert.Equal(t, email, f.outbox.Messages()[0].To, "the invitation went to the email")

	res = f.do(t, "entra", http.MethodGet, filterPath(`externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`), nil).must(t, http.StatusOK)
	require.EqualValues(t, 1, res.body["totalResults"])
	assert.Equal(t, id, res.body["Resources"].([]any)[0].(map[string]any)["id"])

	// PATCH with paths, capitalized ops, the mobile number added.
	res = f.do(t, "entra", http.MethodPatch, "/Users/"+id, patchOps(
		map[string]any{"op": "Replace", "path": "name.givenName", "value": "Babs"},
		map[string]any{"op": "Add", "path": `phoneNumbers[type eq "mobile"].value`, "value": "+1 202 555 0199"},
		map[string]any{"op": "Replace", "path": "displayName", "value": "Babs Jensen"},
	)).must(t, http.StatusOK)
	a = f.account(t, account.ID(id))
	assert.Equal(t, "Babs", a.FirstName)
	assert.Equal(t, "+12025550199", a.Device)
	assert.Equal(t, account.Invited, a.Status, "adding a device does not change where the invitation went")

	// The value-map PATCH without path: attribute paths as keys, the
	// enterprise attribute by its URN.
	f.do(t, "entra", http.MethodPatch, "/Users/"+id, patchOps(map[string]any{"op": "Replace", "value": map[string]any{
		"name.familyName":                    "Jensen-Smith",
		schemaEnterprise + ":employeeNumber": "E-702",
	}})).must(t, http.StatusOK)
	a = f.account(t, account.ID(id))
	assert.Equal(t, "Jensen-Smith", a.LastName)
	assert.Equal(t, "E-702", a.AccountID)

	// The email changes with userName: the pending invitation is
	// withdrawn, as an edit of the email does (SPEC §5).
	const moved = "barbara.jensen@testuser.com"
	res = f.do(t, "entra", http.MethodPatch, "/Users/"+id, patchOps(
		map[string]any{"op": "Replace", "path": "userName", "value": moved},
		map[string]any{"op": "Replace", "path": `emails[type eq "work"].value`, "value": moved},
	)).must(t, http.StatusOK)
	assert.Equal(t, moved, res.body["userName"])
	a = f.account(t, account.ID(id))
	assert.Equal(t, moved, a.Email)
	assert.Equal(t, account.NotInvited, a.Status)
	assert.NotEqual(t, lower, a.Username)

	// Soft delete: active "False", as a string, with a path.
	res = f.do(t, "entra", http.MethodPatch, "/Users/"+id, patchOps(map[string]any{"op": "Replace", "path": "active", "value": "False"})).must(t, http.StatusOK)
	assert.Equal(t, false, res.body["active"])
	assert.Equal(t, account.Suspended, f.account(t, account.ID(id)).Status)
	// Restored: the value map with "True".
	f.do(t, "entra", http.MethodPatch, "/Users/"+id, patchOps(map[string]any{"op": "Replace", "value": map[string]any{"active": "True"}})).must(t, http.StatusOK)
	assert.Equal(t, account.NotInvited, f.account(t, account.ID(id)).Status)

	// PUT: the mobile number left out is removed; the work number (the
	// MultiLine number) is read-only and ignored.
	put := entraUser(moved, "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef", "E-702")
	put["phoneNumbers"] = []any{map[string]any{"type": "work", "value": "+12025550999"}}
	f.do(t, "entra", http.MethodPut, "/Users/"+id, put).must(t, http.StatusOK)
	a = f.account(t, account.ID(id))
	assert.Empty(t, a.Device)
	assert.Empty(t, a.Number)
	assert.Equal(t, "Barbara", a.FirstName)

	// Soft delete, then the hard delete 30 days later.
	f.do(t, "entra", http.MethodPatch, "/Users/"+id, patchOps(map[string]any{"op": "Replace", "path": "active", "value": false})).must(t, http.StatusOK)
	res = f.do(t, "entra", http.MethodDelete, "/Users/"+id, nil).must(t, http.StatusNoContent)
	assert.Empty(t, res.raw)
	f.do(t, "entra", http.MethodGet, "/Users/"+id, nil).scimError(t, http.StatusNotFound, "", "not_found")
	f.do(t, "entra", http.MethodDelete, "/Users/"+id, nil).scimError(t, http.StatusNotFound, "", "not_found")
	res = f.do(t, "entra", http.MethodGet, filterPath(`externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`), nil).must(t, http.StatusOK)
	assert.EqualValues(t, 0, res.body["totalResults"])

	for _, e := range f.audit(t, f.sales.ID, id) {
		assert.Equal(t, f.admin, e.Actor, e.Action)
	}
	assert.NotEmpty(t, f.audit(t, f.sales.ID, id))
}

package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEditAccount: PATCH changes the members sent and keeps the others; a
// rule broken is 422 with every field error and changes nothing; null is
// refused; a hidden account is 404.
func TestEditAccount(t *testing.T) {
	f := newFixture(t, nil)
	a := f.saved(t, f.sales.ID, "ed")
	path := "/accounts/" + string(a.ID)
	var got struct {
		FirstName string   `json:"first_name"`
		LastName  string   `json:"last_name"`
		AccountID string   `json:"account_id"`
		Email     string   `json:"email"`
		Features  []string `json:"features"`
	}
	r := f.do(t, req{method: "PATCH", path: path, as: f.salesAdmin, json: map[string]any{"first_name": "Edith", "account_id": "ed-2"}})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.decode(t, &got)
	assert.Equal(t, "Edith", got.FirstName)
	assert.Equal(t, "ed", got.LastName, "absent: unchanged")
	assert.Equal(t, "ed-2", got.AccountID)
	assert.Equal(t, "ed@acme.example", got.Email)

	r = f.do(t, req{method: "PATCH", path: path, as: f.salesAdmin, json: map[string]any{"first_name": "", "email": "not an email"}})
	p := r.problem(t)
	assert.Equal(t, http.StatusUnprocessableEntity, p.Status, "%s", r.body)
	fields := map[string]bool{}
	for _, e := range p.Errors {
		fields[e.Field] = true
	}
	assert.True(t, fields["email"], "%v", p.Errors)
	r = f.do(t, req{method: "GET", path: path, as: f.salesAdmin})
	r.decode(t, &got)
	assert.Equal(t, "Edith", got.FirstName, "a refused edit changes nothing")

	for _, tc := range []struct {
		name, body, ctype, code string
		status                  int
		invalid, unchecked      bool
	}{
		{"null", `{"first_name": null}`, "application/json", "request.null", 400, true, false},
		{"unknown field", `{"status": "activated"}`, "application/json", "request.unknown_field", 400, true, false},
		{"wrong type", `{"applications": "mobile"}`, "application/json", "request.type", 400, true, false},
		{"malformed", `{"first_name": `, "application/json", "request.malformed", 400, true, false},
		{"empty", ``, "application/json", "request.empty", 400, true, false},
		{"content type", `{}`, "text/plain", "request.content_type", 415, true, false},
		{"two values", `{} {}`, "application/json", "request.malformed", 400, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(t, req{method: "PATCH", path: path, as: f.salesAdmin, body: tc.body, ctype: tc.ctype, invalid: tc.invalid, unchecked: tc.unchecked})
			p := r.problem(t)
			assert.Equal(t, tc.status, p.Status, "%s", r.body)
			assert.Equal(t, tc.code, p.Code)
		})
	}

	r = f.do(t, req{method: "PATCH", path: path, as: f.globexAdmin, json: map[string]any{"first_name": "X"}})
	assert.Equal(t, http.StatusNotFound, r.problem(t).Status)
}

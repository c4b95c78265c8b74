package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
)

// TestRefusalCodesAreTheSDKs: over HTTP, a refusal answers the SDK's own
// code: a replaced activation link is token.rotated, a resend to an
// activated account account.not_invitable.
func TestRefusalCodesAreTheSDKs(t *testing.T) {
	f := newFixture(t, nil)
	f.numbers(t, f.sales.ID, "+14155550101", "+14155550102")
	in := form("rot")
	in["invite"] = true
	r := f.do(t, req{method: "POST", path: "/orgs/" + string(f.sales.ID) + "/accounts", as: f.root, json: in})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var a accountOut
	r.decode(t, &a)
	old := f.lastToken(t, "rot@acme.example")
	ids := map[string]any{"ids": []string{a.ID}}
	r = f.do(t, req{method: "POST", path: "/accounts/resend", as: f.root, json: ids})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)

	p := f.do(t, req{method: "GET", path: "/activation/" + old}).problem(t)
	assert.Equal(t, http.StatusConflict, p.Status)
	assert.Equal(t, invite.CodeTokenRotated, p.Code)

	tok := f.lastToken(t, "rot@acme.example")
	var offer struct {
		ShortList []string `json:"short_list"`
	}
	f.do(t, req{method: "GET", path: "/activation/" + tok}).decode(t, &offer)
	require.NotEmpty(t, offer.ShortList)
	r = f.do(t, req{method: "POST", path: "/activation/" + tok, json: map[string]string{"choice": offer.ShortList[0]}})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	p = f.do(t, req{method: "POST", path: "/accounts/resend", as: f.root, json: ids}).problem(t)
	assert.Equal(t, http.StatusConflict, p.Status)
	assert.Equal(t, invite.CodeNotInvitable, p.Code)

	p = f.do(t, req{method: "POST", path: "/accounts/reactivate", as: f.root, json: ids}).problem(t)
	assert.Equal(t, http.StatusConflict, p.Status)
	assert.Equal(t, account.CodeStatus, p.Code)
}

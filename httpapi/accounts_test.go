package httpapi_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
)

// accountOut is the JSON of an account, as a client reads it.
type accountOut struct {
	ID         string `json:"id"`
	Org        string `json:"org"`
	Username   string `json:"username"`
	Status     string `json:"status"`
	Number     string `json:"number"`
	Invitation *struct {
		Channel  string `json:"channel"`
		Delivery struct {
			State string `json:"state"`
		} `json:"delivery"`
	} `json:"invitation"`
}

type listOut[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next_cursor"`
}

func form(id string) map[string]any {
	return map[string]any{"first_name": "User", "last_name": id, "account_id": id,
		"applications": []string{"mobile"}, "email": id + "@acme.example"}
}

func TestSaveGetList(t *testing.T) {
	f := newFixture(t, nil)
	f.numbers(t, f.sales.ID, "+14155550101", "+14155550102")
	base := "/orgs/" + string(f.sales.ID) + "/accounts"

	r := f.do(t, req{method: "POST", path: base, as: f.salesAdmin, json: form("u1")})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var saved accountOut
	r.decode(t, &saved)
	assert.Equal(t, "not_invited", saved.Status)
	assert.Equal(t, "u1@acme.example", saved.Username)
	assert.Nil(t, saved.Invitation)
	assert.Equal(t, "../../accounts/"+saved.ID, r.header.Get("Location"))

	in := form("u2")
	in["invite"], in["assign_number"] = true, "+14155550102"
	r = f.do(t, req{method: "POST", path: base, as: f.salesAdmin, json: in})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var invited accountOut
	r.decode(t, &invited)
	assert.Equal(t, "invited", invited.Status)
	assert.Equal(t, "+14155550102", invited.Number)
	require.NotNil(t, invited.Invitation)
	assert.Equal(t, "sent", invited.Invitation.Delivery.State)
	assert.NotContains(t, string(r.body), f.lastToken(t, "u2@acme.example"), "the token goes to the invitee only")

	// An SMS invitation without the attestation: refused, with its code.
	sms := map[string]any{"first_name": "S", "last_name": "M", "account_id": "sms", "applications": []string{"mobile"},
		"device": "+14155550177", "invite": true}
	r = f.do(t, req{method: "POST", path: base, as: f.salesAdmin, json: sms})
	p := r.problem(t)
	assert.Equal(t, http.StatusUnprocessableEntity, p.Status)
	assert.Equal(t, "sms_consent.required", p.Code)

	// Every field error at once.
	r = f.do(t, req{method: "POST", path: base, as: f.salesAdmin, json: map[string]any{"first_name": "a\nb", "forwarding_number": "12"}})
	p = r.problem(t)
	assert.Equal(t, http.StatusUnprocessableEntity, p.Status)
	assert.GreaterOrEqual(t, len(p.Errors), 3, "%s", r.body)
	fields := map[string]string{}
	for _, e := range p.Errors {
		fields[e.Field] = e.Code
	}
	assert.Contains(t, fields, "first_name")
	assert.Contains(t, fields, "forwarding_number")
	assert.Equal(t, p.Errors[0].Code, p.Code)

	// The same Account ID again.
	r = f.do(t, req{method: "POST", path: base, as: f.salesAdmin, json: form("u1")})
	p = r.problem(t)
	assert.Equal(t, http.StatusConflict, p.Status, "%s", r.body)

	r = f.do(t, req{method: "GET", path: "/accounts/" + invited.ID, as: f.salesAdmin})
	require.Equal(t, http.StatusOK, r.status)
	var got accountOut
	r.decode(t, &got)
	require.NotNil(t, got.Invitation)
	assert.Equal(t, "email", got.Invitation.Channel)
	r = f.do(t, req{method: "GET", path: "/accounts/" + saved.ID, as: f.salesAdmin})
	require.Equal(t, http.StatusOK, r.status)
	var plain accountOut
	r.decode(t, &plain)
	assert.Nil(t, plain.Invitation, "a saved account has no invitation")

	// Pages: one at a time, then the end.
	var l listOut[accountOut]
	r = f.do(t, req{method: "GET", path: base + "?limit=1", as: f.salesAdmin})
	require.Equal(t, http.StatusOK, r.status)
	r.decode(t, &l)
	require.Len(t, l.Items, 1)
	require.NotEmpty(t, l.Next)
	r = f.do(t, req{method: "GET", path: base + "?limit=1&cursor=" + l.Next, as: f.salesAdmin})
	r.decode(t, &l)
	require.Len(t, l.Items, 1)
	assert.Equal(t, invited.ID, l.Items[0].ID)
	r = f.do(t, req{method: "GET", path: base + "?limit=0", as: f.salesAdmin, invalid: true})
	assert.Equal(t, "request.limit", r.problem(t).Code)
}

func TestSelectionActions(t *testing.T) {
	f := newFixture(t, nil)
	f.numbers(t, f.sales.ID, "+14155550101", "+14155550102")
	a := f.saved(t, f.sales.ID, "a")
	b := f.saved(t, f.sales.ID, "b")
	ids := map[string]any{"ids": []string{string(a.ID), string(b.ID)}}

	r := f.do(t, req{method: "POST", path: "/accounts/resend", as: f.salesAdmin, json: ids})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var l listOut[accountOut]
	r.decode(t, &l)
	require.Len(t, l.Items, 2)
	assert.Equal(t, "invited", l.Items[0].Status)

	r = f.do(t, req{method: "POST", path: "/accounts/suspend", as: f.salesAdmin, json: ids})
	require.Equal(t, http.StatusNoContent, r.status, "%s", r.body)
	r = f.do(t, req{method: "POST", path: "/accounts/suspend", as: f.salesAdmin, json: ids})
	p := r.problem(t)
	assert.Equal(t, http.StatusConflict, p.Status, "suspending a suspended account: %s", r.body)
	assert.Equal(t, "account.status", p.Code)
	r = f.do(t, req{method: "POST", path: "/accounts/reactivate", as: f.salesAdmin, json: ids})
	require.Equal(t, http.StatusNoContent, r.status, "%s", r.body)

	// Support has no numbers: the two pending invitations cannot go there.
	move := map[string]any{"ids": ids["ids"], "to": string(f.support.ID)}
	r = f.do(t, req{method: "POST", path: "/accounts/move/check", as: f.root, json: move})
	p = r.problem(t)
	assert.Equal(t, http.StatusConflict, p.Status)
	assert.Equal(t, multiline.MoveCapacityMessage, p.Detail)
	assert.Equal(t, "number.not_enough", p.Code)
	r = f.do(t, req{method: "POST", path: "/accounts/move", as: f.root, json: move})
	assert.Equal(t, p, r.problem(t), "the move refuses exactly as its check")

	f.numbers(t, f.support.ID, "+14155550103", "+14155550104")
	r = f.do(t, req{method: "POST", path: "/accounts/move/check", as: f.root, json: move})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var plan struct {
		To       string `json:"to"`
		Accounts []struct {
			ID, From string
		} `json:"accounts"`
	}
	r.decode(t, &plan)
	assert.Equal(t, string(f.support.ID), plan.To)
	require.Len(t, plan.Accounts, 2)
	r = f.do(t, req{method: "POST", path: "/accounts/move", as: f.root, json: move})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = f.do(t, req{method: "GET", path: "/accounts/" + string(a.ID), as: f.root})
	var got accountOut
	r.decode(t, &got)
	assert.Equal(t, string(f.support.ID), got.Org)

	r = f.do(t, req{method: "POST", path: "/accounts/delete", as: f.root, json: ids})
	require.Equal(t, http.StatusNoContent, r.status, "%s", r.body)
	r = f.do(t, req{method: "GET", path: "/accounts/" + string(a.ID), as: f.root})
	assert.Equal(t, http.StatusNotFound, r.problem(t).Status)

	r = f.do(t, req{method: "POST", path: "/accounts/delete", as: f.root, json: map[string]any{"ids": []string{}}, invalid: true})
	p = r.problem(t)
	assert.Equal(t, http.StatusUnprocessableEntity, p.Status)
	assert.Equal(t, "ids.count", p.Code)
}

func TestActivation(t *testing.T) {
	f := newFixture(t, nil)
	f.numbers(t, f.sales.ID, "+14155550101", "+14155550102")
	in := form("u1")
	in["invite"] = true
	r := f.do(t, req{method: "POST", path: "/orgs/" + string(f.sales.ID) + "/accounts", as: f.salesAdmin, json: in})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	tok := f.lastToken(t, "u1@acme.example")

	r = f.do(t, req{method: "GET", path: "/activation/" + tok})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var offer struct {
		ShortList []string `json:"short_list"`
	}
	r.decode(t, &offer)
	require.NotEmpty(t, offer.ShortList)

	r = f.do(t, req{method: "POST", path: "/activation/" + tok, json: map[string]string{"choice": offer.ShortList[0]}})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var done struct{ Username, Number, Status string }
	r.decode(t, &done)
	assert.Equal(t, "activated", done.Status)
	assert.Equal(t, offer.ShortList[0], done.Number)

	// Used once: the second time is refused, and nothing repeats the token.
	r = f.do(t, req{method: "POST", path: "/activation/" + tok, json: map[string]string{"choice": offer.ShortList[0]}})
	p := r.problem(t)
	assert.Equal(t, http.StatusConflict, p.Status)
	assert.Equal(t, "token.used", p.Code)
	assert.NotContains(t, string(r.body), tok)
	const wrong = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	r = f.do(t, req{method: "GET", path: "/activation/" + wrong})
	p = r.problem(t)
	assert.Equal(t, http.StatusNotFound, p.Status)
	assert.Equal(t, "token.unknown", p.Code)
	r = f.do(t, req{method: "GET", path: "/activation/short"})
	assert.Equal(t, p, r.problem(t), "a malformed token is answered like an unknown one")
	assert.NotContains(t, f.logs.String(), tok)
	assert.NotContains(t, f.logs.String(), wrong)
}

func TestOpenAPIServed(t *testing.T) {
	f := newFixture(t, nil)
	r := f.do(t, req{method: "GET", path: "/openapi.json"})
	require.Equal(t, http.StatusOK, r.status)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(r.body, &doc))
	assert.Equal(t, "3.1.0", doc["openapi"])
}

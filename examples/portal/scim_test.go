package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scimCall sends one SCIM request to the running portal with token.
func (p *portal) scimCall(t *testing.T, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	rq, err := http.NewRequest(method, p.url+"scim/v2"+path, strings.NewReader(body))
	require.NoError(t, err)
	rq.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		rq.Header.Set("Content-Type", "application/scim+json")
	}
	res, err := http.DefaultClient.Do(rq)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	var v map[string]any
	require.NoError(t, json.Unmarshal(b, &v), "%s", b)
	return res.StatusCode, v
}

// TestProgramSCIM: the portal serves SCIM at /scim/v2/ with its bearer token;
// a user an identity provider creates is an invited account of Sales.
func TestProgramSCIM(t *testing.T) {
	p := start(t, "-admin-token", "t0ken")
	defer p.stop(t)

	status, _ := p.scimCall(t, "GET", "/ServiceProviderConfig", "t0ken", "")
	assert.Equal(t, http.StatusOK, status)
	status, body := p.scimCall(t, "GET", "/Users", "wrong", "")
	assert.Equal(t, http.StatusUnauthorized, status, "%v", body)

	status, body = p.scimCall(t, "POST", "/Users", "t0ken", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName": "ada@demo.example", "active": true,
		"name": {"givenName": "Ada", "familyName": "Lovelace"},
		"emails": [{"primary": true, "value": "ada@demo.example", "type": "work"}]}`)
	require.Equal(t, http.StatusCreated, status, "%v", body)
	id, _ := body["id"].(string)
	require.NotEmpty(t, id)

	code, got := p.call(t, "GET", "/accounts/"+id, "", "")
	require.Equal(t, http.StatusOK, code, "%s", got)
	var acct struct {
		Username, Status, Org string
	}
	require.NoError(t, json.Unmarshal(got, &acct))
	assert.Equal(t, "ada@demo.example", acct.Username)
	assert.Equal(t, "invited", acct.Status)
	assert.Equal(t, p.orgs["Sales"], acct.Org)
}

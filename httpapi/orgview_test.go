package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/org"
)

type orgNodeOut struct {
	ID              string       `json:"id"`
	Name            string       `json:"name"`
	Parent          string       `json:"parent"`
	Applications    []string     `json:"applications"`
	SocialMessaging bool         `json:"social_messaging"`
	Privileges      []string     `json:"privileges"`
	Children        []orgNodeOut `json:"children"`
}

// TestOrgTreeRoute: GET /orgs answers each administrator the trees it
// covers, with the settings in force; an administrator of Sales gets Sales
// as a root and never Acme's ID.
func TestOrgTreeRoute(t *testing.T) {
	f := newFixture(t, nil)
	_, err := f.svc.UpdateOrgSettings(context.Background(), f.root, f.acme.Org.ID, org.Settings{SocialMessaging: org.Set(true)})
	require.NoError(t, err)
	var tree struct{ Items []orgNodeOut }
	r := f.do(t, req{method: "GET", path: "/orgs", as: f.root})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.decode(t, &tree)
	require.Len(t, tree.Items, 1)
	acme := tree.Items[0]
	assert.Equal(t, string(f.acme.Org.ID), acme.ID)
	assert.Equal(t, "", acme.Parent)
	assert.Equal(t, []string{"Accounts", "Reports", "Setup"}, acme.Privileges)
	require.Len(t, acme.Children, 2)
	assert.Equal(t, "Sales", acme.Children[0].Name)
	assert.Equal(t, string(f.acme.Org.ID), acme.Children[0].Parent)
	assert.True(t, acme.Children[0].SocialMessaging, "inherited")
	assert.Equal(t, []string{"mobile"}, acme.Children[0].Applications)
	assert.NotNil(t, acme.Children[0].Children)

	r = f.do(t, req{method: "GET", path: "/orgs", as: f.salesAdmin})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.decode(t, &tree)
	require.Len(t, tree.Items, 1)
	assert.Equal(t, "Sales", tree.Items[0].Name)
	assert.Equal(t, []string{"Accounts"}, tree.Items[0].Privileges)
	assert.NotContains(t, string(r.body), string(f.acme.Org.ID), "the parent it does not cover is not told")
}

// TestProfilesRoute: the org's profiles and its ancestors', the default in
// force marked.
func TestProfilesRoute(t *testing.T) {
	f := newFixture(t, nil)
	cos, err := f.svc.CreateProfile(context.Background(), f.root, f.sales.ID, multiline.ProfileInput{Name: "Sales CoS", Default: true})
	require.NoError(t, err)
	var l struct {
		Items []struct {
			ID, Org, Name string
			Default       bool
		}
	}
	r := f.do(t, req{method: "GET", path: "/orgs/" + string(f.sales.ID) + "/profiles", as: f.salesAdmin})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.decode(t, &l)
	require.Len(t, l.Items, 2)
	assert.Equal(t, string(cos.ID), l.Items[0].ID)
	assert.Equal(t, string(f.sales.ID), l.Items[0].Org)
	assert.True(t, l.Items[0].Default, "Sales' own default is in force")
	assert.Equal(t, string(f.acme.Profile.ID), l.Items[1].ID)
	assert.False(t, l.Items[1].Default, "Acme's default is not Sales'")

	r = f.do(t, req{method: "GET", path: "/orgs/" + string(f.support.ID) + "/profiles", as: f.root})
	r.decode(t, &l)
	require.Len(t, l.Items, 1)
	assert.True(t, l.Items[0].Default, "Support inherits Acme's default")
}

// TestBatchTemplateRoute: a CSV download whose restrict column comes only
// with social messaging; a refusal is a problem, not a file.
func TestBatchTemplateRoute(t *testing.T) {
	f := newFixture(t, nil)
	path := "/orgs/" + string(f.sales.ID) + "/batch-template"
	header := func() string {
		r := f.do(t, req{method: "GET", path: path, as: f.salesAdmin})
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		assert.Equal(t, "text/csv; charset=utf-8", r.header.Get("Content-Type"))
		assert.Equal(t, "attachment; filename=accounts-template.csv", r.header.Get("Content-Disposition"))
		first, _, _ := strings.Cut(string(r.body), "\n")
		return first
	}
	assert.NotContains(t, header(), "restrict_incoming_social_messaging")
	_, err := f.svc.UpdateOrgSettings(context.Background(), f.root, f.sales.ID, org.Settings{SocialMessaging: org.Set(true)})
	require.NoError(t, err)
	assert.Contains(t, header(), "restrict_incoming_social_messaging")

	r := f.do(t, req{method: "GET", path: path, as: f.salesReports})
	assert.Equal(t, http.StatusForbidden, r.problem(t).Status)
	assert.Empty(t, r.header.Get("Content-Disposition"))
}

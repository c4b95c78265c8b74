package multiline_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// shape is an OrgTree answer as names: "Acme(Sales,Support)".
func shape(ns []multiline.OrgNode) string {
	s := ""
	for i, n := range ns {
		if i > 0 {
			s += ","
		}
		s += n.Name
		if len(n.Children) > 0 {
			s += "(" + shape(n.Children) + ")"
		}
	}
	return s
}

// TestOrgTreeByRole: OrgTree, the one call that needs no privilege on an
// organization, answers each role of the authorization matrix exactly the
// organizations it covers, never a parent's ID it does not cover; an
// unknown administrator is refused like everywhere.
func TestOrgTreeByRole(t *testing.T) {
	op := matrixOp{privs: accounts}
	want := map[string]string{
		"needed privilege in the org": "Sales",
		"only other privileges":       "Sales",
		"admin of another tree":       "Globex",
		"admin of the parent org":     "Acme(Sales,Support)",
		"admin of a sibling sub-org":  "Support",
		"admin of both orgs":          "Sales,Globex",
	}
	f, _ := matrixFixture(t)
	for _, role := range roles {
		t.Run(role.name, func(t *testing.T) {
			actor := roleAdmin(t, f, role.name, op)
			tree, err := f.svc.OrgTree(ctx, actor)
			if role.name == "unknown admin" {
				require.ErrorIs(t, err, permissions.ErrForbidden)
				assert.Nil(t, tree)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, want[role.name], shape(tree))
			for _, root := range tree {
				assert.Empty(t, root.ParentID, "a root's parent is not told")
			}
		})
	}
}

func TestOrgTree(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.UpdateOrgSettings(ctx, f.root, f.acme.Org.ID, org.Settings{SocialMessaging: org.Set(true),
		Features: org.Set([]org.Feature{org.FeatureCallRecording}), Applications: org.Set([]org.Application{org.AppMobile, org.AppDesktop})})
	require.NoError(t, err)
	_, err = f.svc.UpdateOrgSettings(ctx, f.root, f.support.ID, org.Settings{SocialMessaging: org.Set(false)})
	require.NoError(t, err)
	team, err := f.svc.CreateOrg(ctx, f.root, f.sales.ID, multiline.OrgInput{Name: "Alpha team"})
	require.NoError(t, err)

	tree, err := f.svc.OrgTree(ctx, f.root)
	require.NoError(t, err)
	assert.Equal(t, "Acme(Sales(Alpha team),Support)", shape(tree), "sub-organizations by name")
	acme := tree[0]
	assert.Equal(t, f.acme.Org.ID, acme.ID)
	assert.Empty(t, acme.ParentID)
	assert.Equal(t, permissions.Privileges, acme.Privileges)
	sales, support := acme.Children[0], acme.Children[1]
	assert.Equal(t, f.acme.Org.ID, sales.ParentID)
	assert.True(t, sales.SocialMessaging, "inherited")
	assert.Equal(t, []org.Feature{org.FeatureCallRecording}, sales.Features)
	assert.Equal(t, []org.Application{org.AppMobile, org.AppDesktop}, sales.Applications)
	assert.False(t, support.SocialMessaging, "its own setting wins")
	assert.Equal(t, team.ID, sales.Children[0].ID)
	assert.Equal(t, f.sales.ID, sales.Children[0].ParentID)
	assert.Empty(t, sales.Children[0].Children)

	// Two roles: Accounts on Sales, Reports on Acme. One tree, Acme's, with
	// each organization's own privileges.
	both, err := f.svc.CreateAdmin(ctx, f.root, multiline.AdminInput{Name: "Both", Email: "both@acme.example", Roles: []permissions.Role{
		{Privileges: []permissions.Privilege{permissions.Accounts}, Orgs: []org.ID{f.sales.ID}},
		{Privileges: []permissions.Privilege{permissions.Reports}, Orgs: []org.ID{f.acme.Org.ID}},
	}})
	require.NoError(t, err)
	tree, err = f.svc.OrgTree(ctx, both.ID)
	require.NoError(t, err)
	require.Equal(t, "Acme(Sales(Alpha team),Support)", shape(tree), "Sales lies in Acme's tree: once")
	assert.Equal(t, []permissions.Privilege{permissions.Reports}, tree[0].Privileges)
	assert.Equal(t, []permissions.Privilege{permissions.Accounts, permissions.Reports}, tree[0].Children[0].Privileges)

	// A role without privileges (which CreateAdmin refuses; a store may
	// hold one) covers nothing.
	none := permissions.Admin{ID: permissions.AdminID(uuid.NewString()), Name: "None", Roles: []permissions.Role{{Orgs: []org.ID{f.sales.ID}}}}
	require.NoError(t, f.store.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error { return tx.CreateAdmin(ctx, none) }))
	tree, err = f.svc.OrgTree(ctx, none.ID)
	require.NoError(t, err)
	assert.Empty(t, tree)
}

func TestProfilesOfAnOrg(t *testing.T) {
	f := newFixture(t)
	gold, err := f.svc.CreateProfile(ctx, f.root, f.acme.Org.ID, multiline.ProfileInput{Name: "Gold"})
	require.NoError(t, err)
	basic, err := f.svc.CreateProfile(ctx, f.root, f.sales.ID, multiline.ProfileInput{Name: "Basic"})
	require.NoError(t, err)

	// Sales defines no default: Acme's is in force.
	p, err := f.svc.Profiles(ctx, f.salesAdmin, f.sales.ID)
	require.NoError(t, err)
	require.Len(t, p.Items, 3)
	assert.Equal(t, []string{"Basic", "Gold", "Standard"}, names(p), "the organization's own first, then the ancestors', by name")
	assert.Equal(t, basic.ID, p.Items[0].ID)
	assert.Equal(t, gold.ID, p.Items[1].ID)
	assert.Equal(t, f.acme.Profile.ID, p.Default)

	// Sales' own default wins.
	vip, err := f.svc.CreateProfile(ctx, f.root, f.sales.ID, multiline.ProfileInput{Name: "VIP", Default: true})
	require.NoError(t, err)
	p, err = f.svc.Profiles(ctx, f.salesAdmin, f.sales.ID)
	require.NoError(t, err)
	assert.Equal(t, vip.ID, p.Default)

	// Support sees none of Sales' profiles.
	p, err = f.svc.Profiles(ctx, f.supportAdmin, f.support.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"Gold", "Standard"}, names(p))
	assert.Equal(t, f.acme.Profile.ID, p.Default)
}

func names(p multiline.OrgProfiles) []string {
	var out []string
	for _, x := range p.Items {
		out = append(out, x.Name)
	}
	return out
}

func TestWriteBatchTemplate(t *testing.T) {
	f := newFixture(t)
	header := func(o org.ID) []string {
		var buf bytes.Buffer
		require.NoError(t, f.svc.WriteBatchTemplate(ctx, f.root, o, &buf))
		recs, err := csv.NewReader(&buf).ReadAll()
		require.NoError(t, err)
		return recs[0]
	}
	const restrict = "restrict_incoming_social_messaging"
	assert.NotContains(t, header(f.sales.ID), restrict, "no social messaging, no restrict column")
	_, err := f.svc.UpdateOrgSettings(ctx, f.root, f.acme.Org.ID, org.Settings{SocialMessaging: org.Set(true)})
	require.NoError(t, err)
	assert.Contains(t, header(f.sales.ID), restrict, "inherited from Acme")

	var buf bytes.Buffer
	err = f.svc.WriteBatchTemplate(ctx, f.salesReports, f.sales.ID, &buf)
	require.ErrorIs(t, err, permissions.ErrForbidden)
	assert.Zero(t, buf.Len(), "nothing written when refused")
}

// The read-only views join TestStoreFailuresPassThrough (kept here, beside
// their tests, rather than in fault_test.go's table).
func init() {
	faultOps["OrgTree"] = func(w *faultWorld) error {
		tree, err := w.svc.OrgTree(ctx, w.root)
		if err == nil && len(tree) == 0 {
			return errors.New("org tree: none")
		}
		return err
	}
	faultOps["Profiles"] = func(w *faultWorld) error {
		p, err := w.svc.Profiles(ctx, w.root, w.sales.ID)
		if err == nil && p.Default == "" {
			return errors.New("profiles: no default")
		}
		return err
	}
	faultOps["WriteBatchTemplate"] = func(w *faultWorld) error {
		return w.svc.WriteBatchTemplate(ctx, w.root, w.sales.ID, io.Discard)
	}
}

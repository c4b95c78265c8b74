package permissions_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// The tree used below:
//
//	carrier
//	├── acme
//	│   ├── sales
//	│   │   └── emea
//	│   └── support
//	└── globex
//	other (another tree)
var (
	carrier = []org.ID{"carrier"}
	acme    = []org.ID{"acme", "carrier"}
	sales   = []org.ID{"sales", "acme", "carrier"}
	emea    = []org.ID{"emea", "sales", "acme", "carrier"}
	support = []org.ID{"support", "acme", "carrier"}
	globex  = []org.ID{"globex", "carrier"}
	other   = []org.ID{"other"}
)

func TestCanAndAuthorize(t *testing.T) {
	acmeAccounts := permissions.Admin{ID: "a1", Roles: []permissions.Role{
		{Privileges: []permissions.Privilege{permissions.Accounts}, Orgs: []org.ID{"acme"}},
	}}
	salesReports := permissions.Admin{ID: "a2", Roles: []permissions.Role{
		{Privileges: []permissions.Privilege{permissions.Reports}, Orgs: []org.ID{"sales"}},
	}}
	multi := permissions.Admin{ID: "a3", Roles: []permissions.Role{
		{Privileges: []permissions.Privilege{permissions.Reports}, Orgs: []org.ID{"carrier"}},
		{Privileges: []permissions.Privilege{permissions.Accounts, permissions.Setup}, Orgs: []org.ID{"support", "globex"}},
	}}
	carrierAll := permissions.Admin{ID: "root", Roles: []permissions.Role{
		{Privileges: permissions.Privileges, Orgs: []org.ID{"carrier"}},
	}}
	unknown := permissions.Admin{}
	noOrgs := permissions.Admin{ID: "a4", Roles: []permissions.Role{{Privileges: permissions.Privileges}}}
	noPrivs := permissions.Admin{ID: "a5", Roles: []permissions.Role{{Orgs: []org.ID{"carrier"}}}}

	tests := []struct {
		name    string
		admin   permissions.Admin
		priv    permissions.Privilege
		lineage []org.ID
		want    bool
	}{
		{name: "role on the org itself", admin: acmeAccounts, priv: permissions.Accounts, lineage: acme, want: true},
		{name: "role on parent covers sub-org", admin: acmeAccounts, priv: permissions.Accounts, lineage: sales, want: true},
		{name: "role on grandparent covers grand-sub-org", admin: acmeAccounts, priv: permissions.Accounts, lineage: emea, want: true},
		{name: "role does not cover the parent", admin: acmeAccounts, priv: permissions.Accounts, lineage: carrier, want: false},
		{name: "role does not cover a sibling", admin: acmeAccounts, priv: permissions.Accounts, lineage: globex, want: false},
		{name: "role does not cover another tree", admin: acmeAccounts, priv: permissions.Accounts, lineage: other, want: false},
		{name: "other privilege on a covered org", admin: acmeAccounts, priv: permissions.Reports, lineage: acme, want: false},
		{name: "setup is not implied by accounts", admin: acmeAccounts, priv: permissions.Setup, lineage: sales, want: false},
		{name: "sub-org role does not cover sibling sub-org", admin: salesReports, priv: permissions.Reports, lineage: support, want: false},
		{name: "sub-org role does not cover its parent", admin: salesReports, priv: permissions.Reports, lineage: acme, want: false},
		{name: "sub-org role covers its child", admin: salesReports, priv: permissions.Reports, lineage: emea, want: true},
		{name: "second role grants", admin: multi, priv: permissions.Accounts, lineage: globex, want: true},
		{name: "second role, second privilege", admin: multi, priv: permissions.Setup, lineage: support, want: true},
		{name: "first role's privilege does not spread to second role's orgs", admin: multi, priv: permissions.Accounts, lineage: sales, want: false},
		{name: "first role covers the whole tree for its privilege", admin: multi, priv: permissions.Reports, lineage: emea, want: true},
		{name: "all privileges on root", admin: carrierAll, priv: permissions.Setup, lineage: emea, want: true},
		{name: "all privileges on root, other tree", admin: carrierAll, priv: permissions.Accounts, lineage: other, want: false},
		{name: "unknown privilege", admin: carrierAll, priv: "Billing", lineage: acme, want: false},
		{name: "empty lineage", admin: carrierAll, priv: permissions.Accounts, lineage: nil, want: false},
		{name: "unknown admin with no roles", admin: unknown, priv: permissions.Accounts, lineage: acme, want: false},
		{name: "role without orgs", admin: noOrgs, priv: permissions.Accounts, lineage: acme, want: false},
		{name: "role without privileges", admin: noPrivs, priv: permissions.Accounts, lineage: acme, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.admin.Can(tt.priv, tt.lineage))
			err := permissions.Authorize(tt.admin, tt.priv, tt.lineage)
			if tt.want {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, permissions.ErrForbidden)
			assert.ErrorIs(t, fmt.Errorf("move: %w", err), permissions.ErrForbidden)
		})
	}
}

// An administrator learns nothing of an org it does not cover: the refusal
// for an org of another tree, for a sibling and for an org that exists
// nowhere (empty lineage) is one and the same error.
func TestAuthorizeSaysNothingAboutTheOrg(t *testing.T) {
	admin := permissions.Admin{ID: "a1", Roles: []permissions.Role{
		{Privileges: []permissions.Privilege{permissions.Accounts}, Orgs: []org.ID{"sales"}},
	}}
	errs := []error{
		permissions.Authorize(admin, permissions.Accounts, other),
		permissions.Authorize(admin, permissions.Accounts, support),
		permissions.Authorize(admin, permissions.Accounts, nil),
		permissions.Authorize(admin, permissions.Reports, sales),
	}
	for i, err := range errs {
		require.Error(t, err, "case %d", i)
		assert.Equal(t, errs[0].Error(), err.Error(), "case %d", i)
		for _, id := range []string{"other", "support", "sales", "acme", "carrier"} {
			assert.NotContains(t, err.Error(), id, "case %d", i)
		}
	}
}

func TestValidPrivilege(t *testing.T) {
	for _, p := range []permissions.Privilege{permissions.Accounts, permissions.Reports, permissions.Setup} {
		assert.True(t, permissions.ValidPrivilege(p), p)
	}
	for _, p := range []permissions.Privilege{"", "accounts", "Admin"} {
		assert.False(t, permissions.ValidPrivilege(p), p)
	}
}

func TestVisible(t *testing.T) {
	tests := []struct {
		name    string
		profile permissions.Profile
		lineage []org.ID
		want    bool
	}{
		{name: "own org", profile: permissions.Profile{ID: "p", OrgID: "sales"}, lineage: sales, want: true},
		{name: "parent's", profile: permissions.Profile{ID: "p", OrgID: "acme"}, lineage: sales, want: true},
		{name: "root's", profile: permissions.Profile{ID: "p", OrgID: "carrier"}, lineage: emea, want: true},
		{name: "child's is not visible to the parent", profile: permissions.Profile{ID: "p", OrgID: "sales"}, lineage: acme, want: false},
		{name: "sibling's", profile: permissions.Profile{ID: "p", OrgID: "support"}, lineage: sales, want: false},
		{name: "other tree's", profile: permissions.Profile{ID: "p", OrgID: "other"}, lineage: sales, want: false},
		{name: "empty lineage", profile: permissions.Profile{ID: "p", OrgID: "sales"}, lineage: nil, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, permissions.Visible(tt.profile, tt.lineage))
		})
	}
}

func TestDefaultFor(t *testing.T) {
	carrierDefault := permissions.Profile{ID: "carrier-std", OrgID: "carrier", Default: true}
	carrierOther := permissions.Profile{ID: "carrier-gold", OrgID: "carrier"}
	acmeDefault := permissions.Profile{ID: "acme-std", OrgID: "acme", Default: true}
	acmeOther := permissions.Profile{ID: "acme-basic", OrgID: "acme"}
	salesOnly := permissions.Profile{ID: "sales-basic", OrgID: "sales"} // not a default
	supportDefault := permissions.Profile{ID: "support-std", OrgID: "support", Default: true}
	otherDefault := permissions.Profile{ID: "other-std", OrgID: "other", Default: true}

	all := []permissions.Profile{otherDefault, carrierOther, carrierDefault, salesOnly, acmeOther, supportDefault, acmeDefault}

	tests := []struct {
		name     string
		profiles []permissions.Profile
		lineage  []org.ID
		want     permissions.ProfileID // empty: none
	}{
		{name: "own default", profiles: all, lineage: acme, want: "acme-std"},
		{name: "root's own default", profiles: all, lineage: carrier, want: "carrier-std"},
		{name: "nearest ancestor's, not the root's", profiles: all, lineage: sales, want: "acme-std"},
		{name: "nearest ancestor's for a grandchild", profiles: all, lineage: emea, want: "acme-std"},
		{name: "own default beats ancestors", profiles: all, lineage: support, want: "support-std"},
		{name: "root's when no nearer one", profiles: all, lineage: globex, want: "carrier-std"},
		{name: "ancestor without default is skipped", profiles: []permissions.Profile{acmeOther, carrierDefault}, lineage: sales, want: "carrier-std"},
		{name: "sibling's default is not used", profiles: []permissions.Profile{supportDefault}, lineage: sales},
		{name: "another tree's default is not used", profiles: []permissions.Profile{otherDefault}, lineage: sales},
		{name: "non-default profiles only", profiles: []permissions.Profile{salesOnly, acmeOther, carrierOther}, lineage: sales},
		{name: "no profiles", profiles: nil, lineage: sales},
		{name: "empty lineage", profiles: all, lineage: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := permissions.DefaultFor(tt.profiles, tt.lineage)
			if tt.want == "" {
				assert.False(t, ok)
				assert.Zero(t, got)
				return
			}
			require.True(t, ok)
			assert.Equal(t, tt.want, got.ID)
			assert.True(t, got.Default)
			assert.True(t, permissions.Visible(got, tt.lineage), "the default must be visible to the org")
		})
	}
}

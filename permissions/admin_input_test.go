package permissions_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

func TestCheckAdminEmail(t *testing.T) {
	for _, tc := range []struct {
		in, want, code string
	}{
		{" Ada@Example.COM ", "ada@example.com", ""},
		{"ada", "", permissions.CodeAdminEmailFormat},
		{"", "", permissions.CodeAdminEmailFormat},
		{"a@b.example\r\nBcc: x@y.example", "", permissions.CodeAdminEmailFormat},
	} {
		got, err := permissions.CheckAdminEmail(tc.in)
		assert.Equal(t, tc.want, got, tc.in)
		assert.Equal(t, tc.code, mlerr.CodeOf(err), tc.in)
		if tc.code != "" {
			require.Len(t, mlerr.Fields(err), 1)
			assert.Equal(t, "admin_email", mlerr.Fields(err)[0].Field)
		}
	}
}

func TestCheckRoles(t *testing.T) {
	o := []org.ID{"o1"}
	for _, tc := range []struct {
		name  string
		roles []permissions.Role
		codes []string
	}{
		{"valid", []permissions.Role{{Privileges: []permissions.Privilege{permissions.Setup}, Orgs: o}}, nil},
		{"none", nil, []string{permissions.CodeRolesRequired}},
		{"no privilege", []permissions.Role{{Orgs: o}}, []string{permissions.CodeRolesEmpty}},
		{"no org", []permissions.Role{{Privileges: []permissions.Privilege{permissions.Setup}}}, []string{permissions.CodeRolesEmpty}},
		{"unknown and empty", []permissions.Role{
			{Privileges: []permissions.Privilege{"Root", permissions.Accounts}, Orgs: o},
			{},
		}, []string{permissions.CodeRolesUnknownPrivilege, permissions.CodeRolesEmpty}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := permissions.CheckRoles(tc.roles)
			var codes []string
			for _, fe := range mlerr.Fields(err) {
				assert.Equal(t, "roles", fe.Field)
				codes = append(codes, fe.Code)
			}
			assert.Equal(t, tc.codes, codes)
		})
	}
}

func TestTakenRefusals(t *testing.T) {
	err := permissions.AdminEmailTaken("ada@example.com")
	require.ErrorIs(t, err, mlerr.ErrAlreadyExists)
	assert.Equal(t, permissions.CodeAdminEmailExists, mlerr.CodeOf(err))
	err = permissions.DefaultProfileTaken("o1")
	require.ErrorIs(t, err, mlerr.ErrAlreadyExists)
	assert.Equal(t, permissions.CodeProfileDefaultExists, mlerr.CodeOf(err))
}

package permissions_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/permissions"
)

func TestCheckNames(t *testing.T) {
	tests := []struct {
		check      func(string) (string, error)
		field      string
		in, want   string
		code, rule string
	}{
		{permissions.CheckProfileName, "profile_name", " Gold ", "Gold", "", ""},
		{permissions.CheckProfileName, "profile_name", "", "", "profile_name.required", ""},
		{permissions.CheckProfileName, "profile_name", strings.Repeat("x", 101), "", "profile_name.format", ""},
		{permissions.CheckProfileName, "profile_name", "Gold\u0085", "", "profile_name.control_character", ""},
		{permissions.CheckProfileName, "profile_name", "Go\u2028ld", "", "profile_name.control_character", ""},
		{permissions.CheckProfileName, "profile_name", "Go\r\nld", "", "profile_name.control_character", ""},
		{permissions.CheckAdminName, "admin_name", "Ada Lovelace", "Ada Lovelace", "", ""},
		{permissions.CheckAdminName, "admin_name", "Ada\u2029", "", "admin_name.control_character", ""},
		{permissions.CheckAdminName, "admin_name", " ", "", "admin_name.required", ""},
	}
	for _, tt := range tests {
		got, err := tt.check(tt.in)
		if tt.code == "" {
			require.NoError(t, err, tt.in)
			assert.Equal(t, tt.want, got)
			continue
		}
		assert.ErrorIs(t, err, mlerr.ErrInvalid, tt.in)
		assert.Equal(t, tt.code, mlerr.CodeOf(err), tt.in)
		fs := mlerr.Fields(err)
		require.Len(t, fs, 1)
		assert.Equal(t, tt.field, fs[0].Field)
	}
}

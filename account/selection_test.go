package account_test

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
)

func TestCheckSelection(t *testing.T) {
	for _, tc := range []struct {
		name string
		ids  []account.ID
		code string
	}{
		{"one", []account.ID{"a"}, ""},
		{"none", nil, account.CodeSelectionRequired},
		{"twice", []account.ID{"a", "b", "a"}, account.CodeSelectionDuplicate},
		{"too many", make([]account.ID, account.MaxSelection+1), account.CodeSelectionTooMany},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := account.CheckSelection(tc.ids)
			assert.Equal(t, tc.code, mlerr.CodeOf(err))
			if tc.code != "" {
				assert.ErrorIs(t, err, mlerr.ErrInvalid)
				fs := mlerr.Fields(err)
				if assert.Len(t, fs, 1) {
					assert.Equal(t, "accounts", fs[0].Field)
				}
			}
		})
	}
	full := make([]account.ID, account.MaxSelection)
	for i := range full {
		full[i] = account.ID(strconv.Itoa(i))
	}
	assert.NoError(t, account.CheckSelection(full), "1000 distinct accounts are a selection")
}

func TestCheckOrgEmail(t *testing.T) {
	offload := org.Effective{SMTPDataOffload: true}
	domains := org.Effective{EmailDomains: []string{"@acme.example"}}
	for _, tc := range []struct {
		name  string
		email string
		s     org.Effective
		code  string
	}{
		{"no rules, no email", "", org.Effective{}, ""},
		{"offload without email", "", offload, account.CodeEmailRequiredOffload},
		{"offload with email", "a@b.example", offload, ""},
		{"allowed domain", "a@ACME.example", domains, ""},
		{"other domain", "a@evil.example", domains, account.CodeEmailDomainNotAllowed},
		{"no email, domains listed", "", domains, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fe := account.CheckOrgEmail(tc.email, tc.s)
			if tc.code == "" {
				assert.Nil(t, fe)
				return
			}
			if assert.NotNil(t, fe) {
				assert.Equal(t, tc.code, fe.Code)
				assert.Equal(t, "email", fe.Field)
			}
		})
	}
}

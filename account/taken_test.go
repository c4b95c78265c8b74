package account_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
)

func TestTakenRefusals(t *testing.T) {
	for _, tc := range []struct {
		name     string
		err      error
		field    string
		code     string
		sentinel error
	}{
		{"number", account.NumberNotAvailable("+14155550100"), "assign_number", account.CodeAssignNotAvailable, numberpool.ErrNotAvailable},
		{"tag", account.TagExhausted("PORTED"), "assign_number", account.CodeAssignTagExhausted, numberpool.ErrNotEnoughNumbers},
		{"email username", account.UsernameTaken(account.Account{Email: "a@example.com"}, "a@example.com"), "email", account.CodeUsernameExists, mlerr.ErrAlreadyExists},
		{"device username", account.UsernameTaken(account.Account{Device: "+14155550102"}, "+14155550102"), "device", account.CodeUsernameExists, mlerr.ErrAlreadyExists},
		{"account id", account.AccountIDTaken("ann"), "account_id", account.CodeAccountIDExists, mlerr.ErrAlreadyExists},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, tc.err, tc.sentinel)
			fs := mlerr.Fields(tc.err)
			require.Len(t, fs, 1)
			assert.Equal(t, tc.field, fs[0].Field)
			assert.Equal(t, tc.code, mlerr.CodeOf(tc.err))
		})
	}
}

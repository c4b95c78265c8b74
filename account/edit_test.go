package account_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
)

func TestCheckActivatedEdit(t *testing.T) {
	s := func(v string) *string { return &v }
	activated := account.Account{Email: "Ann@Example.com", Device: "+14155550101", Number: "+14155550199", Status: account.Activated}
	suspended := activated
	suspended.Status, suspended.SuspendedFrom = account.Suspended, account.Activated
	pending := activated
	pending.Status = account.Invited
	cases := []struct {
		name                  string
		a                     account.Account
		email, device, number *string
		want                  []string
	}{
		{"nothing edited", activated, nil, nil, nil, nil},
		{"the same values, as typed", activated, s(" Ann@Example.com "), s("+1 (415) 555-0101"), s("14155550199"), nil},
		{"every one changed", activated, s("ann@example.com"), s("+14155550102"), s("+14155550198"), []string{account.CodeEmailActivated, account.CodeDeviceActivated, account.CodeNumberActivated}},
		{"number released", activated, nil, nil, s(""), []string{account.CodeNumberActivated}},
		{"device removed", activated, nil, s(""), nil, []string{account.CodeDeviceActivated}},
		{"a tag is a change", activated, nil, nil, s("PORTED"), []string{account.CodeNumberActivated}},
		{"suspended after activating", suspended, s("b@example.com"), nil, nil, []string{account.CodeEmailActivated}},
		{"not activated: anything goes", pending, s("b@example.com"), s(""), s(""), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var codes []string
			for _, err := range account.CheckActivatedEdit(c.a, c.email, c.device, c.number) {
				codes = append(codes, mlerr.CodeOf(err))
			}
			assert.Equal(t, c.want, codes)
		})
	}
}

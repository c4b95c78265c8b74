package account_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
)

// TestPatternCodes: the codes built from a field's name are the constants.
func TestPatternCodes(t *testing.T) {
	p := account.Policy{Form: account.SingleForm, Settings: org.Defaults()}
	names := []struct {
		value string
		first string
		last  string
	}{
		{"", account.CodeFirstNameRequired, account.CodeLastNameRequired},
		{strings.Repeat("x", 101), account.CodeFirstNameTooLong, account.CodeLastNameTooLong},
		{"a\tb", account.CodeFirstNameControl, account.CodeLastNameControl},
		{"a\u200bb", account.CodeFirstNameNotPrintable, account.CodeLastNameNotPrintable},
		{"a\xffb", account.CodeFirstNameEncoding, account.CodeLastNameEncoding},
	}
	for _, n := range names {
		_, err := account.Validate(account.Input{FirstName: n.value, LastName: n.value, Email: "a@b.example"}, p)
		assert.Contains(t, codes(err), n.first, "first name %q", n.value)
		assert.Contains(t, codes(err), n.last, "last name %q", n.value)
	}
	for device, code := range map[string]string{
		"1.41556E+10":   account.CodeDeviceScientific,
		"555-0101":      account.CodeDeviceCountryCode,
		"+1 415 555 01": account.CodeDeviceFormat,
	} {
		_, err := account.Validate(account.Input{Device: device}, p)
		assert.Contains(t, codes(err), code, "device %q", device)
	}
}

func codes(err error) []string {
	var out []string
	for _, fe := range mlerr.Fields(err) {
		out = append(out, fe.Code)
	}
	return out
}

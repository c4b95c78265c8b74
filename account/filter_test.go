package account_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
)

func TestCheckFilter(t *testing.T) {
	for _, tc := range []struct {
		name  string
		sts   []account.Status
		query string
		text  string
		codes []string
	}{
		{"empty", nil, "", "", nil},
		{"trimmed", []account.Status{account.Invited}, "  ann ", "ann", nil},
		{"longest", nil, strings.Repeat("é", account.MaxQueryLen), strings.Repeat("é", account.MaxQueryLen), nil},
		{"too long", nil, strings.Repeat("a", account.MaxQueryLen+1), "", []string{account.CodeFilterQueryTooLong}},
		{"line break", nil, "ann\r\nlee", "", []string{account.CodeFilterQueryFormat}},
		{"not UTF-8", nil, "ann\xff", "", []string{account.CodeFilterQueryFormat}},
		{"NEL inside", nil, "an\u0085n", "", []string{account.CodeFilterQueryFormat}},
		{"unknown status and bad text", []account.Status{"Deleted"}, "a\tb", "", []string{account.CodeFilterStatusUnknown, account.CodeFilterQueryFormat}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text, err := account.CheckFilter(tc.sts, tc.query)
			assert.Equal(t, tc.text, text)
			var codes []string
			for _, fe := range mlerr.Fields(err) {
				codes = append(codes, fe.Code)
			}
			assert.Equal(t, tc.codes, codes)
		})
	}
}

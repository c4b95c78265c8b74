package batch

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/mlerr"
)

// hapiDisagreements are the hapi isValid() cases (no options) where the CSV
// email rule gives the other verdict, each with the reason. A change to the
// email rule, the cell routing or the trimming shows up here.
var hapiDisagreements = map[string]string{
	// A cell's surrounding white space, line breaks included, is trimmed
	// before the rule applies, as account.Validate trims the form's field: a
	// stray space or line break at the edge of a spreadsheet cell is
	// invisible and harmless. hapi judges the raw string and refuses them.
	"\r\n test@iana.org":      trimmed,
	"\r\n \r\n test@iana.org": trimmed,
	"test@iana.org\n":         trimmed,
	"test@iana.org\r":         trimmed,
	"\rtest@iana.org":         trimmed,
	"\ntest@iana.org":         trimmed,
	"\r\ntest@iana.org":       trimmed,
	"\r\n \r\ntest@iana.org":  trimmed,
	" \r\ntest@iana.org":      trimmed,
	" \r\n test@iana.org":     trimmed,
	" \r\n \r\ntest@iana.org": trimmed,
	" \r\n\r\ntest@iana.org":  trimmed,
	" \r\n\r\n test@iana.org": trimmed,
	"test@iana.org\r\n ":      trimmed,
	"test@iana.org\r\n \r\n ": trimmed,
	"test@iana.org\r\n":       trimmed,
	"test@iana.org \r":        trimmed,
	"test@iana.org\r\n \r\n":  trimmed,
	"test@iana.org \r\n":      trimmed,
	"test@iana.org \r\n ":     trimmed,
	"test@iana.org \r\n \r\n": trimmed,
	"test@iana.org \r\n\r\n":  trimmed,
	"test@iana.org \r\n\r\n ": trimmed,
	" test@iana.org":          trimmed,
	"test@iana.org ":          trimmed,
	// The domain rule takes letters, digits and marks for internationalized
	// names; emoji are symbols, disallowed by IDNA2008, so no registry under
	// it issues such a name. hapi allows non-ASCII characters in labels.
	"test@😆😆😆😆😆😆😆😆😆😆😆😆😆😆😆😆😆.org": "emoji domain label: not a letter or digit (IDNA2008)",
}

const trimmed = "surrounding white space (line breaks included) is trimmed from a cell before the rule applies"

// hapiAgreements is how many no-option hapi cases the CSV rule agrees with.
const hapiAgreements = 186

// csvEmailVerdict runs one address through the path of an upload: written
// as the email-or-device cell of a one-row file, parsed, routed (Email when
// it has '@', else Device), trimmed, and validated with ValidateRow. It is
// valid when no error concerns that column; a file rejected as a whole
// (NUL bytes) is invalid.
func csvEmailVerdict(t *testing.T, address string) (bool, string) {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	rec := []string{"", "", address, "No", "", "auto", "on", "", "", ""}
	require.NoError(t, w.Write(templateHeader()))
	require.NoError(t, w.Write(rec))
	w.Flush()
	rows, err := Parse(&buf, Options{})
	if errors.Is(err, ErrFileRejected) {
		return false, "file rejected: " + err.Error()
	}
	require.NoError(t, err)
	require.Len(t, rows, 1)
	_, err = ValidateRow(rows[0], testPolicy(false))
	for _, fe := range mlerr.Fields(err) {
		if fe.Field == EmailOrDevice.String() {
			return false, fe.Code
		}
	}
	require.NoError(t, err, "only the email-or-device column may fail")
	return true, ""
}

// templateHeader returns the template header as a record.
func templateHeader() []string {
	out := make([]string, len(Columns))
	for i, c := range Columns {
		out[i] = c.String()
	}
	return out
}

func TestHapiEmailCorpus(t *testing.T) {
	js, err := os.ReadFile("testdata/hapi-address/isvalid.json")
	require.NoError(t, err)
	var cases []struct {
		Address string  `json:"address"`
		Valid   bool    `json:"valid"`
		Options *string `json:"options"`
	}
	require.NoError(t, json.Unmarshal(js, &cases))
	require.Len(t, cases, 229)
	agree := 0
	got := map[string]string{}
	n := 0
	for _, c := range cases {
		if c.Options != nil {
			continue
		}
		n++
		valid, why := csvEmailVerdict(t, c.Address)
		if valid == c.Valid {
			agree++
			continue
		}
		got[c.Address] = why
		t.Logf("disagree: %q hapi=%v csv=%v (%s)", c.Address, c.Valid, valid, why)
	}
	require.Equal(t, 212, n, "no-option cases")
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		_, listed := hapiDisagreements[k]
		assert.True(t, listed, "unlisted disagreement %q (%s)", k, got[k])
	}
	for k := range hapiDisagreements {
		_, still := got[k]
		assert.True(t, still, "listed disagreement %q now agrees: update the table", k)
	}
	assert.Equal(t, hapiAgreements, agree)
}

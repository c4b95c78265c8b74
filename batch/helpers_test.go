package batch

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// hdr is the template's header line.
const hdr = "firstname,lastname,email address or device,social_messaging,multiline_number,monitor_calls,monitor_sms,forwarding_number,restrict_incoming_social_messaging,Language"

// good is a valid data row for hdr.
const good = "Ann,Smith,ann@example.com,No,,auto,on,,,English"

// file joins lines with LF and ends with one.
func file(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

// rowWith returns a data row for hdr: good with the given cells replaced.
func rowWith(cells map[Column]string) string {
	rec := strings.Split(good, ",")
	for c, v := range cells {
		rec[c] = v
	}
	return strings.Join(rec, ",")
}

// testPolicy is the policy of an organization with a default profile;
// social tells whether it has social messaging.
func testPolicy(social bool) account.Policy {
	s := org.Defaults()
	s.SocialMessaging = social
	return account.Policy{
		Form:     account.CSVRow,
		Settings: s,
		Lineage:  []org.ID{"org-1"},
		Profiles: []permissions.Profile{{ID: "std", OrgID: "org-1", Name: "Standard", Default: true}},
	}
}

// codes returns the codes of the field errors in err, in order.
func codes(err error) []string {
	var out []string
	for _, fe := range mlerr.Fields(err) {
		out = append(out, fe.Code)
	}
	return out
}

// fileErr requires err to be a file-level rejection and returns it.
func fileErr(t *testing.T, err error) *FileError {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, ErrFileRejected)
	var fe *FileError
	require.True(t, errors.As(err, &fe), "want *FileError, got %T: %v", err, err)
	return fe
}

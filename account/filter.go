package account

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/multilinehq/multiline/mlerr"
)

// The codes of a refused account filter (the Accounts screen's filter and
// search box).
const (
	CodeFilterStatusUnknown = "status.unknown"
	CodeFilterQueryTooLong  = "query.too_long"
	CodeFilterQueryFormat   = "query.format"
)

// MaxQueryLen is the longest search text, in characters: an email address
// (254), the longest field searched, with room to spare.
const MaxQueryLen = 256

// statuses are the account statuses a filter may name.
var statuses = []Status{NotInvited, Invited, InvitationFailed, Activated, Suspended}

// CheckFilter checks what the Accounts screen's filter selects: statuses
// that exist, and a search text. Surrounding spaces of the text are dropped
// (a pasted value) and the text returned; a control character or text that
// is not UTF-8 can match nothing stored and is refused, naming the rule.
// Every error at once.
func CheckFilter(sts []Status, query string) (string, error) {
	var errs []error
	for _, st := range sts {
		if !slices.Contains(statuses, st) {
			errs = append(errs, mlerr.Invalid("status", CodeFilterStatusUnknown, string(st),
				fmt.Sprintf("Status %q is not an account status (Not Invited, Invited, Invitation Failed, Activated, Suspended)", st)))
		}
	}
	text := strings.TrimSpace(query)
	switch {
	case !utf8.ValidString(text) || strings.IndexFunc(text, unicode.IsControl) >= 0:
		errs = append(errs, mlerr.Invalid("query", CodeFilterQueryFormat, query, "Search must be printable text without line breaks or tabs"))
	case utf8.RuneCountInString(text) > MaxQueryLen:
		errs = append(errs, mlerr.Invalid("query", CodeFilterQueryTooLong, query, fmt.Sprintf("Search must be at most %d characters", MaxQueryLen)))
	}
	if err := errors.Join(errs...); err != nil {
		return "", err
	}
	return text, nil
}

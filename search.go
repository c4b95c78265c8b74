package multiline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// AccountFilter is what the Accounts screen's filter and search box select.
type AccountFilter struct {
	Status  []account.Status // empty: any status
	Query   string           // case-insensitive prefix of first name, last name, username, Account ID or number
	SubOrgs bool             // include the org's sub-organizations
}

// The codes of a refused filter.
const (
	CodeFilterStatusUnknown = "status.unknown"
	CodeFilterQueryTooLong  = "query.too_long"
	CodeFilterQueryFormat   = "query.format"
)

// maxQueryLen is the longest search text, in characters: an email address
// (254), the longest field searched, with room to spare.
const maxQueryLen = 256

// statuses are the account statuses a filter may name.
var statuses = []account.Status{account.NotInvited, account.Invited, account.InvitationFailed, account.Activated, account.Suspended}

// query checks f and returns the store's query for it on orgs. Surrounding
// spaces of the text are dropped (a pasted value); a control character or
// text that is not UTF-8 can match nothing stored and is refused, naming
// the rule. Every error at once.
func (f AccountFilter) query(orgs []org.ID) (AccountQuery, error) {
	var errs []error
	for _, st := range f.Status {
		if !slices.Contains(statuses, st) {
			errs = append(errs, mlerr.Invalid("status", CodeFilterStatusUnknown, string(st),
				fmt.Sprintf("Status %q is not an account status (Not Invited, Invited, Invitation Failed, Activated, Suspended)", st)))
		}
	}
	text := strings.TrimSpace(f.Query)
	switch {
	case !utf8.ValidString(text) || strings.IndexFunc(text, unicode.IsControl) >= 0:
		errs = append(errs, mlerr.Invalid("query", CodeFilterQueryFormat, f.Query, "Search must be printable text without line breaks or tabs"))
	case utf8.RuneCountInString(text) > maxQueryLen:
		errs = append(errs, mlerr.Invalid("query", CodeFilterQueryTooLong, f.Query, fmt.Sprintf("Search must be at most %d characters", maxQueryLen)))
	}
	if err := errors.Join(errs...); err != nil {
		return AccountQuery{}, err
	}
	return AccountQuery{Orgs: orgs, Statuses: slices.Clone(f.Status), Text: text}, nil
}

// SearchAccounts returns a page of the accounts of an organization (and of
// its sub-organizations when f.SubOrgs) that the filter selects: in one of
// f.Status, and with a first name, last name, username, Account ID or number
// that starts with f.Query, in any case. Without a query they come oldest
// first; with one, by the matching text, then oldest first (AccountQuery
// says why). Pages use the same opaque cursors as ListAccounts; a cursor
// goes with the filter that returned it. It needs Accounts on the
// organization.
func (s *Service) SearchAccounts(ctx context.Context, actor permissions.AdminID, o org.ID, f AccountFilter, p Page) (List[account.Account], error) {
	var l List[account.Account]
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		q, err := s.accountQuery(ctx, tx, actor, o, f)
		if err != nil {
			return err
		}
		l.Items, l.Next, err = tx.SearchAccounts(ctx, q, p.Normalize())
		return err
	})
	return l, err
}

// accountQuery authorizes the actor on o and returns the store's query for
// f there.
func (s *Service) accountQuery(ctx context.Context, tx Tx, actor permissions.AdminID, o org.ID, f AccountFilter) (AccountQuery, error) {
	if _, err := authorize(ctx, tx, actor, permissions.Accounts, o); err != nil {
		return AccountQuery{}, err
	}
	orgs := []org.ID{o}
	if f.SubOrgs {
		var err error
		// A role on an organization covers its sub-organizations.
		if orgs, err = subtree(ctx, tx, o); err != nil {
			return AccountQuery{}, err
		}
	}
	return f.query(orgs)
}

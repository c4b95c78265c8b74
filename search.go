package multiline

import (
	"context"
	"slices"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// AccountFilter is what the Accounts screen's filter and search box select.
type AccountFilter struct {
	Status  []account.Status // empty: any status
	Query   string           // case-insensitive prefix of first name, last name, username, Account ID or number
	SubOrgs bool             // include the org's sub-organizations
}

// The codes of a refused filter (account.CheckFilter's).
const (
	CodeFilterStatusUnknown = account.CodeFilterStatusUnknown
	CodeFilterQueryTooLong  = account.CodeFilterQueryTooLong
	CodeFilterQueryFormat   = account.CodeFilterQueryFormat
)

// query checks f (account.CheckFilter) and returns the store's query for it
// on orgs.
func (f AccountFilter) query(orgs []org.ID) (AccountQuery, error) {
	text, err := account.CheckFilter(f.Status, f.Query)
	if err != nil {
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

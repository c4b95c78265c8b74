package multiline

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"time"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// ExportHeader is the header line of ExportAccounts' CSV.
var ExportHeader = []string{
	"First Name", "Last Name", "Username", "Account ID", "Organization", "Status",
	"MultiLine Number", "User Permissions", "Language", "Invited At", "Activated At",
}

// ExportAccounts writes every account the filter selects (as SearchAccounts
// does, in its order) to w as CSV: ExportHeader, then one line per account.
// It reads a page at a time, each page in a transaction of its own that ends
// before the page is written, so neither memory nor a database transaction
// grows with the list or waits on a slow writer; an account changed while
// the export runs appears as one of the pages read it. Every cell is
// neutralized against spreadsheet formulas as the Batch Operations Report's
// are (batch.Neutralize). The language is the account's own, else the one
// it inherits from its organization; Invited At is when its invitation was
// first sent (empty while it is Not Invited) and Activated At when it
// redeemed it, in RFC 3339, UTC (read with the store's group call
// Invitations, which locks a page's invitations for its short
// transaction). It needs Accounts on the organization; an error after the
// first page leaves the lines written so far in w.
func (s *Service) ExportAccounts(ctx context.Context, actor permissions.AdminID, o org.ID, f AccountFilter, w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(ExportHeader)
	names := exportNames{orgs: map[org.ID]orgNames{}}
	p := Page{Limit: MaxPageSize}
	for {
		var lines [][]string
		next := ""
		err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
			// Authorized again for every page: a role withdrawn meanwhile
			// ends the export.
			q, err := s.accountQuery(ctx, tx, actor, o, f)
			if err != nil {
				return err
			}
			as, n, err := tx.SearchAccounts(ctx, q, p)
			if err != nil {
				return err
			}
			next = n
			lines, err = names.lines(ctx, tx, as)
			return err
		})
		if err != nil {
			return err
		}
		for _, l := range lines {
			for i, c := range l {
				l[i] = batch.Neutralize(c)
			}
			cw.Write(l)
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return fmt.Errorf("multiline: export: writing: %w", err)
		}
		if next == "" {
			return nil
		}
		p.After = next
	}
}

// orgNames is what an export shows of an organization: its name, its
// language, and the names of the profiles it can use.
type orgNames struct {
	name     string
	language string
	profiles map[permissions.ProfileID]string
}

// exportNames caches orgNames across pages: an export reads one org tree,
// so the cache holds at most its organizations.
type exportNames struct {
	orgs map[org.ID]orgNames
}

// lines turns a page of accounts into CSV lines, not yet neutralized.
func (n *exportNames) lines(ctx context.Context, tx Tx, as []account.Account) ([][]string, error) {
	ids := make([]account.ID, len(as))
	for i, a := range as {
		ids[i] = a.ID
	}
	invs := map[account.ID]invite.Invitation{}
	if len(ids) > 0 {
		found, err := tx.Invitations(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, inv := range found {
			invs[inv.AccountID] = inv
		}
	}
	out := make([][]string, 0, len(as))
	for _, a := range as {
		on, err := n.of(ctx, tx, a.OrgID)
		if err != nil {
			return nil, err
		}
		lang := a.Language
		if lang == "" {
			lang = on.language
		}
		invited, activated := "", ""
		if inv, ok := invs[a.ID]; ok {
			if a.Status != account.NotInvited {
				invited = rfc3339(inv.Created)
			}
			if inv.State == invite.Redeemed {
				activated = rfc3339(inv.Updated)
			}
		}
		out = append(out, []string{
			a.FirstName, a.LastName, a.Username, a.AccountID, on.name, string(a.Status),
			a.Number, on.profiles[a.ProfileID], lang, invited, activated,
		})
	}
	return out, nil
}

// of returns what the export shows of organization o.
func (n *exportNames) of(ctx context.Context, tx Tx, o org.ID) (orgNames, error) {
	if on, ok := n.orgs[o]; ok {
		return on, nil
	}
	lin, err := lineage(ctx, tx, o)
	if err != nil {
		return orgNames{}, err
	}
	if len(lin) == 0 {
		return orgNames{}, fmt.Errorf("multiline: export: organization %s of an account is missing", o)
	}
	ps, err := tx.Profiles(ctx, org.IDs(lin))
	if err != nil {
		return orgNames{}, err
	}
	on := orgNames{name: lin[0].Name, language: org.Resolve(lin).Language, profiles: map[permissions.ProfileID]string{}}
	for _, p := range ps {
		on.profiles[p.ID] = p.Name
	}
	n.orgs[o] = on
	return on, nil
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

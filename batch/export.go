package batch

import (
	"time"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
)

// ExportHeader is the header line of an accounts export.
var ExportHeader = []string{
	"First Name", "Last Name", "Username", "Account ID", "Organization", "Status",
	"MultiLine Number", "User Permissions", "Language", "Invited At", "Activated At",
}

// ExportLine is the line of account a in an accounts export, in
// ExportHeader's columns, before Neutralize: orgName and orgLanguage are
// its organization's name and language in force (the account's own
// language wins), profile its profile's name, inv its invitation (nil for
// none). Invited At is when the invitation was made (empty for a Not
// Invited account), Activated At when it was redeemed, in RFC 3339, UTC.
func ExportLine(a account.Account, inv *invite.Invitation, orgName, orgLanguage, profile string) []string {
	lang := a.Language
	if lang == "" {
		lang = orgLanguage
	}
	invited, activated := "", ""
	if inv != nil {
		if a.Status != account.NotInvited {
			invited = rfc3339(inv.Created)
		}
		if inv.State == invite.Redeemed {
			activated = rfc3339(inv.Updated)
		}
	}
	return []string{
		a.FirstName, a.LastName, a.Username, a.AccountID, orgName, string(a.Status),
		a.Number, profile, lang, invited, activated,
	}
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

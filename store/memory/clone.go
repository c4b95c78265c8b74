package memory

import (
	"slices"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// The clone functions copy every slice and pointer of a record, so that what
// the store keeps and what callers hold never share memory. A batch's
// header has none (its report lines are kept apart, and copied line by
// line as they come in and go out), so it needs no clone.

func cloneOrg(o org.Org) org.Org {
	s := &o.Settings
	s.Features.Value = slices.Clone(s.Features.Value)
	s.Applications.Value = slices.Clone(s.Applications.Value)
	s.EmailDomains.Value = slices.Clone(s.EmailDomains.Value)
	s.AlertRecipients.Value = slices.Clone(s.AlertRecipients.Value)
	s.InvitationTemplates.Value = slices.Clone(s.InvitationTemplates.Value)
	return o
}

func cloneAdmin(a permissions.Admin) permissions.Admin {
	a.Roles = slices.Clone(a.Roles)
	for i, r := range a.Roles {
		a.Roles[i].Privileges = slices.Clone(r.Privileges)
		a.Roles[i].Orgs = slices.Clone(r.Orgs)
	}
	return a
}

func cloneAccount(a account.Account) account.Account {
	a.Applications = slices.Clone(a.Applications)
	a.Features = slices.Clone(a.Features)
	return a
}

func cloneInvitation(inv invite.Invitation) invite.Invitation {
	inv.TokenHash = slices.Clone(inv.TokenHash)
	inv.Retired = slices.Clone(inv.Retired)
	for i, h := range inv.Retired {
		inv.Retired[i] = slices.Clone(h)
	}
	if inv.Consent != nil {
		c := *inv.Consent
		inv.Consent = &c
	}
	return inv
}

// cloneEvent copies both snapshots into one allocation: the log keeps
// several events a row of an import.
func cloneEvent(e multiline.AuditEvent) multiline.AuditEvent {
	if e.Before == nil || e.After == nil {
		e.Before, e.After = slices.Clone(e.Before), slices.Clone(e.After)
		return e
	}
	nb := len(e.Before)
	buf := make([]byte, nb+len(e.After))
	copy(buf, e.Before)
	copy(buf[nb:], e.After)
	e.Before, e.After = buf[:nb:nb], buf[nb:]
	return e
}

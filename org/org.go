// Package org holds organizations, the tree they form, their settings and how
// a sub-organization inherits them, and the guard that decides whether
// accounts may move from one organization to another.
//
// Organizations form a tree: a carrier, its enterprise customers, their
// departments. A setting left unset on an organization (an Override whose Set
// is false) is inherited from the nearest ancestor that sets it; Resolve
// computes the settings in force. Built-in defaults apply where no ancestor
// sets a value: social messaging off, SMTP data offload off, no features, the
// MultiLine Mobile application only, any email domain, English, invitations
// valid for 7 days, no utilization alert.
//
// The package does no I/O: a caller hands it the lineage of an organization
// (the organization first, then its parent, up to the root).
package org

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/multilinehq/multiline/mlerr"
)

// ID identifies an organization.
type ID string

// Feature is a per-account feature that an organization may enable.
type Feature string

// Features an organization can enable.
const (
	FeatureTeamsCalling  Feature = "ms_teams_calling"
	FeatureCallRecording Feature = "call_recording"
	FeatureSMSRecording  Feature = "sms_recording"
)

// Application is a MultiLine client an account may onboard.
type Application string

// The MultiLine applications. Only email invitees may onboard Desktop, MS
// Teams or Intune (SPEC §5): EmailOnly reports which.
const (
	AppMobile  Application = "mobile"
	AppDesktop Application = "desktop"
	AppTeams   Application = "ms_teams"
	AppIntune  Application = "intune"
)

// Applications lists every known application, in the portal's order.
var Applications = []Application{AppMobile, AppDesktop, AppTeams, AppIntune}

// EmailOnly reports whether an application can only be onboarded by an
// invitee with an email address.
func (a Application) EmailOnly() bool { return a == AppDesktop || a == AppTeams || a == AppIntune }

// Valid reports whether a is a known application.
func (a Application) Valid() bool { return slices.Contains(Applications, a) }

// Override is one setting of an organization: Set false means "inherit it
// from the parent".
type Override[T any] struct {
	Set   bool
	Value T
}

// Set returns an Override that sets v.
func Set[T any](v T) Override[T] { return Override[T]{Set: true, Value: v} }

// Settings are what an organization sets for itself. Unset fields inherit.
type Settings struct {
	// SocialMessaging enables WhatsApp, WeChat and LINE for its accounts.
	SocialMessaging Override[bool]
	// SMTPDataOffload makes an email mandatory for every account.
	SMTPDataOffload Override[bool]
	// Features lists the features its accounts may have turned on.
	Features Override[[]Feature]
	// Applications lists the applications its accounts may onboard.
	Applications Override[[]Application]
	// EmailDomains restricts invitation emails to these domains ("example.com"
	// or "@example.com"); empty allows any domain.
	EmailDomains Override[[]string]
	// Language is the organization's language (a BCP 47 tag or a language
	// name), used for invitations when the account has none.
	Language Override[string]
	// InvitationTTL is how long an invitation token stays valid.
	InvitationTTL Override[time.Duration]
	// UtilizationAlert is the percentage (1–100) of its numbers Assigned or
	// Registered above which its alert recipients are notified; 0 disables.
	UtilizationAlert Override[int]
	// AlertRecipients are the emails of its designated administrators that
	// receive utilization alerts and batch report summaries.
	AlertRecipients Override[[]string]
	// InvitationTemplates are its custom invitation texts (the whole set
	// replaces the inherited one). The invite package validates them; they
	// are kept here as text so that organizations inherit them like any
	// other setting.
	InvitationTemplates Override[[]TemplateText]
}

// TemplateText is one custom invitation text: a part (subject, text, html,
// sms) in a language (en, it, de, fr, es).
type TemplateText struct {
	Language string
	Part     string
	Source   string
}

// Org is an organization.
type Org struct {
	ID       ID
	ParentID ID // empty for the root of a tree
	Name     string
	Settings Settings
	Created  time.Time
}

// Effective are the settings in force for an organization, after inheritance.
type Effective struct {
	SocialMessaging  bool
	SMTPDataOffload  bool
	Features         []Feature
	Applications     []Application
	EmailDomains     []string
	Language         string
	InvitationTTL    time.Duration
	UtilizationAlert int
	AlertRecipients  []string
	Templates        []TemplateText
}

// DefaultInvitationTTL is how long an invitation is valid when no
// organization of the lineage says otherwise.
const DefaultInvitationTTL = 7 * 24 * time.Hour

// Defaults are the settings in force where no organization sets a value.
func Defaults() Effective {
	return Effective{
		Applications:  []Application{AppMobile},
		Language:      "en",
		InvitationTTL: DefaultInvitationTTL,
	}
}

// HasFeature reports whether f is enabled.
func (e Effective) HasFeature(f Feature) bool { return slices.Contains(e.Features, f) }

// HasApplication reports whether a is enabled.
func (e Effective) HasApplication(a Application) bool { return slices.Contains(e.Applications, a) }

// EmailDomainAllowed reports whether an email's domain may receive
// invitations: the list is empty, or holds the domain (case-insensitively).
func (e Effective) EmailDomainAllowed(email string) bool {
	if len(e.EmailDomains) == 0 {
		return true
	}
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return false
	}
	domain := strings.ToLower(email[at+1:])
	for _, d := range e.EmailDomains {
		if strings.ToLower(strings.TrimPrefix(d, "@")) == domain {
			return true
		}
	}
	return false
}

// Resolve computes the effective settings of lineage[0] from its lineage: the
// organization first, then its ancestors up to the root.
func Resolve(lineage []Org) Effective {
	e := Defaults()
	// Walk from the root down, so the nearest setting wins.
	for _, o := range slices.Backward(lineage) {
		s := o.Settings
		apply(&e.SocialMessaging, s.SocialMessaging)
		apply(&e.SMTPDataOffload, s.SMTPDataOffload)
		apply(&e.Features, s.Features)
		apply(&e.Applications, s.Applications)
		apply(&e.EmailDomains, s.EmailDomains)
		apply(&e.Language, s.Language)
		apply(&e.InvitationTTL, s.InvitationTTL)
		apply(&e.UtilizationAlert, s.UtilizationAlert)
		apply(&e.AlertRecipients, s.AlertRecipients)
		apply(&e.Templates, s.InvitationTemplates)
	}
	return e
}

func apply[T any](dst *T, o Override[T]) {
	if o.Set {
		*dst = o.Value
	}
}

// IDs returns the IDs of a lineage, in its order.
func IDs(lineage []Org) []ID {
	ids := make([]ID, len(lineage))
	for i, o := range lineage {
		ids[i] = o.ID
	}
	return ids
}

// ErrMove is wrapped by every refusal of the move guard, a *MoveRefusal.
var ErrMove = mlerr.New(CodeMoveRefused, "org: move refused")

// CheckMove is the move guard: accounts may move from one organization to
// another only within one tree, and never to the organization they are in.
// from and to are the two lineages. A refusal is a *MoveRefusal.
func CheckMove(from, to []Org) error {
	if len(from) == 0 || len(to) == 0 {
		return refuseMove(CodeMoveUnknownOrg, "unknown organization")
	}
	if from[0].ID == to[0].ID {
		return refuseMove(CodeMoveSameOrg, "the accounts are already in %q", to[0].Name)
	}
	if from[len(from)-1].ID != to[len(to)-1].ID {
		return refuseMove(CodeMoveOtherTree, "%q and %q are not in the same organization tree", from[0].Name, to[0].Name)
	}
	return nil
}

// ValidateSettings checks the values an organization sets and returns every
// problem at once, each a *mlerr.FieldError.
func ValidateSettings(s Settings) error {
	var errs []error
	if s.Features.Set {
		for _, f := range s.Features.Value {
			switch f {
			case FeatureTeamsCalling, FeatureCallRecording, FeatureSMSRecording:
			default:
				errs = append(errs, mlerr.Invalid("features", CodeFeaturesUnknown, string(f), fmt.Sprintf("Features: %q is not a known feature", f)))
			}
		}
	}
	if s.Applications.Set {
		if len(s.Applications.Value) == 0 {
			errs = append(errs, mlerr.Invalid("applications", CodeApplicationsRequired, "", "Applications: at least one application must be enabled"))
		}
		for _, a := range s.Applications.Value {
			if !a.Valid() {
				errs = append(errs, mlerr.Invalid("applications", CodeApplicationsUnknown, string(a), fmt.Sprintf("Applications: %q is not a known application", a)))
			}
		}
	}
	if s.EmailDomains.Set {
		for _, d := range s.EmailDomains.Value {
			bare := strings.TrimPrefix(d, "@")
			if bare == "" || !strings.Contains(bare, ".") || strings.ContainsAny(bare, " @") {
				errs = append(errs, mlerr.Invalid("email_domains", CodeEmailDomainsFormat, d, fmt.Sprintf("Email Domains: %q is not a domain like @example.com", d)))
			}
		}
	}
	if s.InvitationTTL.Set && (s.InvitationTTL.Value < time.Hour || s.InvitationTTL.Value > 90*24*time.Hour) {
		errs = append(errs, mlerr.Invalid("invitation_ttl", CodeInvitationTTLRange, s.InvitationTTL.Value.String(), "Invitation Validity must be between 1 hour and 90 days"))
	}
	if s.AlertRecipients.Set {
		errs = append(errs, checkRecipients(s.AlertRecipients.Value)...)
	}
	if s.UtilizationAlert.Set && (s.UtilizationAlert.Value < 0 || s.UtilizationAlert.Value > 100) {
		errs = append(errs, mlerr.Invalid("utilization_alert", CodeUtilizationAlertRange, fmt.Sprint(s.UtilizationAlert.Value), "Utilization Alert must be a percentage from 1 to 100 (0 turns it off)"))
	}
	return errors.Join(errs...)
}

// Package account holds accounts (the users an administrator provisions),
// their status machine, and the validation of every field an administrator
// types into the portal's single-account form or a CSV row.
//
// Validate takes an Input and the Policy of the organization it goes to, and
// returns the normalized Account or every field error at once (errors.Join of
// *mlerr.FieldError, each wrapping mlerr.ErrInvalid). Each rule has a stable
// code, "<field>.<rule>"; the codes are listed in codes.go and never change
// meaning.
//
// Statuses, as the portal shows them: Not Invited, Invited, Invitation
// Failed, Activated, Suspended. CheckStatus holds the transitions.
//
// Normalization: names are trimmed; the email is kept as typed (trimmed) and
// its lower-cased form is the username; a device number is stored in E.164
// and is the username when there is no email; a forwarding number is stored
// as "+" and its digits; the language is one of en, it, de, fr, es.
package account

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// Status is where an account stands, as the portal shows it.
type Status string

// The account statuses.
const (
	NotInvited       Status = "Not Invited"
	Invited          Status = "Invited"
	InvitationFailed Status = "Invitation Failed"
	Activated        Status = "Activated"
	Suspended        Status = "Suspended"
)

// ErrStatus is wrapped by every refused status change.
var ErrStatus = mlerr.New(CodeStatus, "account: status change not allowed")

// StatusError reports a refused status change.
type StatusError struct {
	From, To Status
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("account: an account that is %s cannot become %s", e.From, e.To)
}

// Unwrap returns ErrStatus.
func (e *StatusError) Unwrap() error { return ErrStatus }

// ErrorCode returns CodeStatus, the code of every refused status change.
func (e *StatusError) ErrorCode() string { return CodeStatus }

// transitions lists, for each status, the statuses it may become.
var transitions = map[Status][]Status{
	NotInvited:       {Invited, Suspended},
	Invited:          {Invited, InvitationFailed, Activated, Suspended},
	InvitationFailed: {Invited, InvitationFailed, Activated, Suspended},
	Activated:        {Suspended},
	// A suspended account is reactivated to where it stood: Not Invited,
	// Invited or Activated (see Account.SuspendedFrom).
	Suspended: {NotInvited, Invited, InvitationFailed, Activated},
}

// CheckStatus returns nil when an account may go from one status to the
// other, and a *StatusError otherwise. Invited → Invited is a resend; a
// suspended account cannot activate: it is reactivated first.
func CheckStatus(from, to Status) error {
	if slices.Contains(transitions[from], to) {
		return nil
	}
	return &StatusError{From: from, To: to}
}

// CanInvite reports whether an invitation may be sent (or re-sent) to an
// account in status s.
func CanInvite(s Status) bool { return s == NotInvited || s == Invited || s == InvitationFailed }

// ID identifies an account across the system.
type ID string

// Account is a user account of an organization.
type Account struct {
	ID    ID
	OrgID org.ID
	// AccountID is the portal's "Account ID", unique within the organization.
	AccountID    string
	FirstName    string
	LastName     string
	Email        string // trimmed, as typed; empty if the account has none
	Device       string // E.164; empty if the account has none
	Username     string // lower-cased email, else the device; unique system-wide
	Applications []org.Application
	Number       string // the MultiLine number (E.164), once one is held
	ProfileID    permissions.ProfileID
	Forwarding   string // "+" and 4 to 18 digits, or empty
	Features     []org.Feature
	Language     string // en, it, de, fr or es; empty inherits the org's
	// SocialMessaging enables WhatsApp, WeChat and LINE for the account, and
	// RestrictIncomingSocial blocks unsolicited incoming social messages.
	SocialMessaging        bool
	RestrictIncomingSocial bool
	RecordCalls            bool // monitor_calls = auto
	RecordSMS              bool // monitor_sms = on
	Status                 Status
	// SuspendedFrom is the status a Suspended account returns to.
	SuspendedFrom Status
	// BatchID is the batch that imported the account, if any.
	BatchID string
	Created time.Time
	Updated time.Time
}

// Input is what an administrator enters for one account.
type Input struct {
	FirstName    string
	LastName     string
	AccountID    string
	Applications []org.Application
	// Email or Device (or both) say where the invitation goes.
	Email  string
	Device string
	// AssignNumber is a number of the organization, or a tag (e.g. PORTED).
	AssignNumber string
	Profile      permissions.ProfileID
	Forwarding   string
	Features     []org.Feature
	Language     string
	// The CSV columns social_messaging, restrict_incoming_social_messaging,
	// monitor_calls and monitor_sms.
	SocialMessaging        bool
	RestrictIncomingSocial bool
	RecordCalls            bool
	RecordSMS              bool
}

// Form says which of the portal's two entry points an input comes from: the
// single-account form requires names, Account ID and applications; a CSV row
// has no Account ID or applications column and may leave names empty.
type Form int

// The entry points.
const (
	SingleForm Form = iota
	CSVRow
)

// Policy is what the organization receiving the account decides.
type Policy struct {
	Form     Form
	Settings org.Effective
	// Lineage is the organization's lineage (itself first).
	Lineage []org.ID
	// Profiles holds the profiles visible to the organization; an explicit
	// profile must be among them, and the default is taken from them.
	Profiles []permissions.Profile
	// ParseNumber reads the phone numbers of the input (Device #, Assign
	// Number); nil means numberpool.ParseE164. A caller that has read the
	// same cells with ParseE164 already (the CSV parser does, to find
	// duplicates) passes a function that returns what it found, so that the
	// most expensive check of a row is not made twice.
	ParseNumber func(string) (string, error)
}

// Draft is a validated input: the account to create and the number it asks
// for.
type Draft struct {
	Account Account
	Number  numberpool.Selector
}

// maxNameLen is the longest first or last name, in characters.
const maxNameLen = 100

// Validate checks every field of in against p and returns the normalized
// draft, or every field error at once.
func Validate(in Input, p Policy) (Draft, error) {
	if p.ParseNumber == nil {
		p.ParseNumber = numberpool.ParseE164
	}
	var errs []error
	add := func(e *mlerr.FieldError) {
		if e != nil {
			errs = append(errs, e)
		}
	}
	var a Account
	var d Draft
	a.FirstName = in.FirstName
	if fe := checkName(&a.FirstName, "first_name", "First Name", p.Form == SingleForm); fe != nil {
		add(fe)
	}
	a.LastName = in.LastName
	if fe := checkName(&a.LastName, "last_name", "Last Name", p.Form == SingleForm); fe != nil {
		add(fe)
	}
	a.AccountID = strings.TrimSpace(in.AccountID)
	add(checkAccountID(a.AccountID, p.Form))

	email := strings.TrimSpace(in.Email)
	device := strings.TrimSpace(in.Device)
	if email == "" && device == "" {
		add(mlerr.Invalid("email", CodeDestinationRequired, "", "Email or Device # is required: it is where the invitation goes"))
	}
	if email != "" {
		if r := checkEmail(email); r != nil {
			add(mlerr.Invalid("email", r.code, email, r.msg))
		} else if fe := CheckOrgEmail(email, p.Settings); fe != nil {
			add(fe)
		} else {
			a.Email = email
			a.Username = strings.ToLower(email)
		}
	} else {
		add(CheckOrgEmail("", p.Settings))
	}
	if device != "" {
		e164, fe := checkPhone(p.ParseNumber, device, "device", "Device #")
		add(fe)
		a.Device = e164
		if a.Username == "" && email == "" {
			a.Username = e164
		}
	}

	a.Applications = in.Applications
	if p.Form == SingleForm && len(a.Applications) == 0 {
		add(mlerr.Invalid("applications", CodeApplicationsRequired, "", "Application(s): choose at least one application"))
	}
	if p.Form == CSVRow && len(a.Applications) == 0 {
		a.Applications = defaultApplications(p.Settings, email != "")
	}
	seenApp := map[org.Application]bool{}
	for _, app := range a.Applications {
		switch {
		case !app.Valid():
			add(mlerr.Invalid("applications", CodeApplicationUnknown, string(app), fmt.Sprintf("Application(s): %q is not a MultiLine application", app)))
		case seenApp[app]:
			add(mlerr.Invalid("applications", CodeApplicationDuplicate, string(app), fmt.Sprintf("Application(s): %q is listed twice", app)))
		case !p.Settings.HasApplication(app):
			add(mlerr.Invalid("applications", CodeApplicationNotEnabled, string(app), fmt.Sprintf("Application(s): %q is not enabled for the organization", app)))
		case app.EmailOnly() && email == "":
			add(mlerr.Invalid("applications", CodeApplicationEmailOnly, string(app), fmt.Sprintf("Application(s): %q can only be onboarded by an invitee with an email", app)))
		}
		seenApp[app] = true
	}

	if s := strings.TrimSpace(in.AssignNumber); s != "" {
		sel, fe := parseSelector(p.ParseNumber, s)
		add(fe)
		d.Number = sel
	}

	a.ProfileID = in.Profile
	if in.Profile != "" {
		i := slices.IndexFunc(p.Profiles, func(pr permissions.Profile) bool { return pr.ID == in.Profile })
		if i < 0 || !permissions.Visible(p.Profiles[i], p.Lineage) {
			add(mlerr.Invalid("user_permissions", CodeProfileNotVisible, string(in.Profile), "User Permissions: the profile is not one this organization can use"))
		}
	} else if def, ok := permissions.DefaultFor(p.Profiles, p.Lineage); ok {
		a.ProfileID = def.ID
	} else {
		add(mlerr.Invalid("user_permissions", CodeProfileNoDefault, "", "User Permissions: the organization has no default profile; choose one"))
	}

	if f := strings.TrimSpace(in.Forwarding); f != "" {
		norm, fe := checkForwarding(f)
		add(fe)
		a.Forwarding = norm
	}

	seenFeat := map[org.Feature]bool{}
	for _, f := range in.Features {
		if seenFeat[f] {
			continue
		}
		seenFeat[f] = true
		if !p.Settings.HasFeature(f) {
			add(mlerr.Invalid("features", CodeFeatureNotEnabled, string(f), fmt.Sprintf("Features: %q is not enabled for the organization", f)))
			continue
		}
		a.Features = append(a.Features, f)
	}

	if l := strings.TrimSpace(in.Language); l != "" {
		code, ok := ParseLanguage(l)
		if !ok {
			add(mlerr.Invalid("language", CodeLanguageUnknown, l, "Language must be English, Italian, German, French or Spanish (or en, it, de, fr, es)"))
		}
		a.Language = code
	}

	a.SocialMessaging = in.SocialMessaging
	a.RestrictIncomingSocial = in.RestrictIncomingSocial
	if in.SocialMessaging && !p.Settings.SocialMessaging {
		add(mlerr.Invalid("social_messaging", CodeSocialNotEnabled, "Yes", "Social Messaging: the organization does not have social messaging enabled"))
	}
	if in.RestrictIncomingSocial && !in.SocialMessaging {
		add(mlerr.Invalid("restrict_incoming_social_messaging", CodeRestrictNeedsSocial, "true", "Restrict Incoming Social Messaging can be true only when Social Messaging is Yes"))
	}
	a.RecordCalls, a.RecordSMS = in.RecordCalls, in.RecordSMS

	if len(errs) > 0 {
		return Draft{}, errors.Join(errs...)
	}
	d.Account = a
	return d, nil
}

// defaultApplications is what a CSV row (which has no applications column)
// onboards: MultiLine Mobile where the organization enables it, else the
// first application it enables that the invitee can onboard. Nothing fits:
// Mobile, which the application rules then refuse, naming the reason.
func defaultApplications(e org.Effective, hasEmail bool) []org.Application {
	if e.HasApplication(org.AppMobile) {
		return []org.Application{org.AppMobile}
	}
	for _, app := range e.Applications {
		if hasEmail || !app.EmailOnly() {
			return []org.Application{app}
		}
	}
	return []org.Application{org.AppMobile}
}

func checkName(v *string, field, label string, required bool) *mlerr.FieldError {
	raw := *v
	s := strings.TrimFunc(raw, func(r rune) bool { return r == ' ' || r == '\u00a0' })
	*v = s
	switch {
	case !utf8.ValidString(s):
		return mlerr.Invalid(field, field+".encoding", raw, label+" must be valid text (the file's encoding could not be read)")
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return mlerr.Invalid(field, field+".control_character", raw, label+" must not contain a line break, tab or other control character")
	case s == "" && required:
		return mlerr.Invalid(field, field+".required", raw, label+" is required")
	case utf8.RuneCountInString(s) > maxNameLen:
		return mlerr.Invalid(field, field+".too_long", raw, fmt.Sprintf("%s must be at most %d characters", label, maxNameLen))
	case strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) && r != '\u00a0' }) >= 0:
		return mlerr.Invalid(field, field+".not_printable", raw, label+" must contain printable characters only")
	}
	return nil
}

// maxAccountIDLen is the longest Account ID.
const maxAccountIDLen = 64

func checkAccountID(s string, form Form) *mlerr.FieldError {
	if s == "" {
		if form == SingleForm {
			return mlerr.Invalid("account_id", CodeAccountIDRequired, "", "Account ID is required")
		}
		return nil
	}
	if len(s) > maxAccountIDLen {
		return mlerr.Invalid("account_id", CodeAccountIDTooLong, s, fmt.Sprintf("Account ID must be at most %d characters", maxAccountIDLen))
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-@+", r)) {
			return mlerr.Invalid("account_id", CodeAccountIDFormat, s, "Account ID may contain only letters, digits and . _ - @ +")
		}
	}
	return nil
}

// checkPhone parses a device number; field and label name it in the error.
func checkPhone(parse func(string) (string, error), s, field, label string) (string, *mlerr.FieldError) {
	e164, err := parse(s)
	switch {
	case err == nil:
		return e164, nil
	case errors.Is(err, numberpool.ErrScientific):
		return "", mlerr.Invalid(field, field+".scientific_notation", s, label+" is in scientific notation and has lost digits: format the column as text and type the full number")
	case errors.Is(err, numberpool.ErrNoCountryCode):
		return "", mlerr.Invalid(field, field+".country_code", s, label+" must be a phone number with its country code, like +14155550101")
	default:
		return "", mlerr.Invalid(field, field+".format", s, label+" must be a valid phone number with its country code, like +14155550101")
	}
}

func checkForwarding(s string) (string, *mlerr.FieldError) {
	digits := make([]byte, 0, 18)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if len(digits) <= 18 {
				digits = append(digits, c)
			}
		case c == '+' && i == 0, c == ' ', c == '.', c == '-', c == '(', c == ')':
		default:
			return "", mlerr.Invalid("forwarding_number", CodeForwardingFormat, s, "Forwarding Number may contain only digits and + ( ) . - or spaces as formatting")
		}
	}
	if len(digits) < 4 || len(digits) > 18 {
		return "", mlerr.Invalid("forwarding_number", CodeForwardingLength, s, "Forwarding Number must have 4 to 18 digits, including the country code")
	}
	return "+" + string(digits), nil
}

// parseSelector reads the Assign Number field: a phone number, or a tag.
func parseSelector(parse func(string) (string, error), s string) (numberpool.Selector, *mlerr.FieldError) {
	if e164, err := parse(s); err == nil {
		return numberpool.Selector{E164: e164}, nil
	} else if errors.Is(err, numberpool.ErrScientific) {
		return numberpool.Selector{}, mlerr.Invalid("assign_number", CodeAssignScientific, s, "Assign Number is in scientific notation and has lost digits: format the column as text and type the full number")
	}
	if strings.ContainsAny(s, "0123456789") && strings.IndexFunc(s, unicode.IsLetter) < 0 {
		return numberpool.Selector{}, mlerr.Invalid("assign_number", CodeAssignFormat, s, "Assign Number must be a valid number of the organization with its country code, or a tag like PORTED")
	}
	tag, err := numberpool.NormalizeTag(s)
	if err != nil {
		return numberpool.Selector{}, mlerr.Invalid("assign_number", CodeAssignFormat, s, "Assign Number must be a valid number of the organization with its country code, or a tag like PORTED")
	}
	return numberpool.Selector{Tag: tag}, nil
}

// Languages are the built-in invitation languages, as base codes.
var Languages = []string{"en", "it", "de", "fr", "es"}

var languageNames = map[string]string{
	"english": "en", "italian": "it", "german": "de", "french": "fr", "spanish": "es",
	"italiano": "it", "deutsch": "de", "français": "fr", "francais": "fr", "español": "es", "espanol": "es",
}

// ParseLanguage reads a language as the portal's CSV allows it: a name in any
// case (English, Italian, German, French, Spanish, or the language's own name)
// or an ISO / BCP 47 code (it, de-CH). It returns the base code.
func ParseLanguage(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if code, ok := languageNames[s]; ok {
		return code, true
	}
	// A base code reads as itself (language.Parse agrees, Exact): the form
	// the service stores and reads again for every invitation, so it skips
	// the parser.
	if slices.Contains(Languages, s) {
		return s, true
	}
	if len(s) > 35 {
		return "", false
	}
	tag, err := language.Parse(s)
	if err != nil {
		return "", false
	}
	// Only a language the tag names: Base guesses one for "und" (English) or
	// "und-IT" (Italian), with less than Exact confidence.
	base, conf := tag.Base()
	if conf != language.Exact || !slices.Contains(Languages, base.String()) {
		return "", false
	}
	return base.String(), true
}

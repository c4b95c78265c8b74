package account_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// The organization accounts go to is "sales", under "acme", under "carrier".
// "support" is a sibling of sales.
var (
	lineage       = []org.ID{"sales", "acme", "carrier"}
	carrierStd    = permissions.Profile{ID: "carrier-std", OrgID: "carrier", Name: "Standard", Default: true}
	carrierGold   = permissions.Profile{ID: "carrier-gold", OrgID: "carrier", Name: "Gold"}
	salesBasic    = permissions.Profile{ID: "sales-basic", OrgID: "sales", Name: "Basic"}
	supportSecret = permissions.Profile{ID: "support-secret", OrgID: "support", Name: "Support", Default: true}
)

// policy is a single-form policy of an org that enables every application,
// MS Teams Calling and social messaging.
func policy() account.Policy {
	s := org.Defaults()
	s.Applications = []org.Application{org.AppMobile, org.AppDesktop, org.AppTeams, org.AppIntune}
	s.Features = []org.Feature{org.FeatureTeamsCalling}
	s.SocialMessaging = true
	return account.Policy{
		Form:     account.SingleForm,
		Settings: s,
		Lineage:  lineage,
		Profiles: []permissions.Profile{supportSecret, carrierGold, carrierStd, salesBasic},
	}
}

func csvPolicy() account.Policy {
	p := policy()
	p.Form = account.CSVRow
	return p
}

// input is a valid single-form input.
func input() account.Input {
	return account.Input{
		FirstName:    "Ann",
		LastName:     "Smith",
		AccountID:    "A-1",
		Applications: []org.Application{org.AppMobile},
		Email:        "Ann.Smith@Example.com",
	}
}

// labels are the words each field's messages must use to name the field.
var labels = map[string]string{
	"first_name":                         "First Name",
	"last_name":                          "Last Name",
	"account_id":                         "Account ID",
	"email":                              "Email",
	"device":                             "Device #",
	"applications":                       "Application(s)",
	"assign_number":                      "Assign Number",
	"user_permissions":                   "User Permissions",
	"forwarding_number":                  "Forwarding Number",
	"features":                           "Features",
	"language":                           "Language",
	"social_messaging":                   "Social Messaging",
	"restrict_incoming_social_messaging": "Restrict Incoming Social Messaging",
}

// requireFieldErrors checks that err reports exactly the codes given, in
// order, each as a *mlerr.FieldError that wraps ErrInvalid, belongs to the
// field its code names and says the field's name in its message.
func requireFieldErrors(t *testing.T, err error, codes ...string) []*mlerr.FieldError {
	t.Helper()
	require.Error(t, err)
	assert.ErrorIs(t, err, mlerr.ErrInvalid)
	fields := mlerr.Fields(err)
	got := make([]string, len(fields))
	for i, fe := range fields {
		got[i] = fe.Code
	}
	require.Equal(t, codes, got)
	// Every error joined is a field error: nothing else hides beside them.
	joined, ok := err.(interface{ Unwrap() []error })
	require.True(t, ok, "Validate must join its errors: %T", err)
	assert.Len(t, joined.Unwrap(), len(fields))
	for _, fe := range fields {
		assert.ErrorIs(t, fe, mlerr.ErrInvalid, fe.Code)
		assert.True(t, strings.HasPrefix(fe.Code, fe.Field+"."), "code %q is not of field %q", fe.Code, fe.Field)
		label, ok := labels[fe.Field]
		if assert.True(t, ok, "unknown field %q", fe.Field) {
			assert.Contains(t, fe.Message, label, "the message of %s does not name the field", fe.Code)
		}
		assert.Contains(t, err.Error(), fe.Message)
	}
	return fields
}

func TestCodesAreStable(t *testing.T) {
	// Hosts translate and count these codes: they must never change.
	codes := map[string]string{
		account.CodeDestinationRequired:   "email.destination_required",
		account.CodeEmailDomainNotAllowed: "email.domain_not_allowed",
		account.CodeEmailRequiredOffload:  "email.required_smtp_offload",
		account.CodeEmailFormat:           "email.format",
		account.CodeEmailDisplayName:      "email.display_name",
		account.CodeEmailSpace:            "email.space",
		account.CodeEmailDomain:           "email.domain",
		account.CodeEmailTooLong:          "email.too_long",
		account.CodeAccountIDRequired:     "account_id.required",
		account.CodeAccountIDTooLong:      "account_id.too_long",
		account.CodeAccountIDFormat:       "account_id.format",
		account.CodeAccountIDExists:       "account_id.exists",
		account.CodeUsernameExists:        "username.exists",
		account.CodeApplicationsRequired:  "applications.required",
		account.CodeApplicationUnknown:    "applications.unknown",
		account.CodeApplicationDuplicate:  "applications.duplicate",
		account.CodeApplicationNotEnabled: "applications.not_enabled",
		account.CodeApplicationEmailOnly:  "applications.email_only",
		account.CodeAssignFormat:          "assign_number.format",
		account.CodeAssignScientific:      "assign_number.scientific_notation",
		account.CodeProfileNotVisible:     "user_permissions.not_visible",
		account.CodeProfileNoDefault:      "user_permissions.no_default",
		account.CodeForwardingFormat:      "forwarding_number.format",
		account.CodeForwardingLength:      "forwarding_number.length",
		account.CodeFeatureNotEnabled:     "features.not_enabled",
		account.CodeLanguageUnknown:       "language.unknown",
		account.CodeSocialNotEnabled:      "social_messaging.not_enabled",
		account.CodeRestrictNeedsSocial:   "restrict_incoming_social_messaging.needs_social_messaging",
	}
	assert.Len(t, codes, 28, "two constants share a code")
	for got, want := range codes {
		assert.Equal(t, want, got)
	}
}

func TestValidateValid(t *testing.T) {
	tests := []struct {
		name   string
		policy func() account.Policy
		edit   func(*account.Input)
		check  func(t *testing.T, d account.Draft)
	}{
		{
			name: "the base input",
			check: func(t *testing.T, d account.Draft) {
				a := d.Account
				assert.Equal(t, "Ann", a.FirstName)
				assert.Equal(t, "Smith", a.LastName)
				assert.Equal(t, "A-1", a.AccountID)
				assert.Equal(t, "Ann.Smith@Example.com", a.Email, "the email is kept as typed")
				assert.Equal(t, "ann.smith@example.com", a.Username, "the username is the lower-cased email")
				assert.Empty(t, a.Device)
				assert.Equal(t, []org.Application{org.AppMobile}, a.Applications)
				assert.Equal(t, carrierStd.ID, a.ProfileID, "no profile: the default in force")
				assert.Empty(t, a.Forwarding)
				assert.Empty(t, a.Features)
				assert.Empty(t, a.Language, "empty inherits the org's")
				assert.True(t, d.Number.IsZero())
			},
		},
		{
			name: "names and IDs trimmed",
			edit: func(in *account.Input) {
				in.FirstName, in.LastName, in.AccountID = "  Ann ", "\u00a0Smith\u00a0 ", " A-1\t"
				in.Email = "\t ann@example.com  "
			},
			check: func(t *testing.T, d account.Draft) {
				assert.Equal(t, "Ann", d.Account.FirstName)
				assert.Equal(t, "Smith", d.Account.LastName)
				assert.Equal(t, "A-1", d.Account.AccountID)
				assert.Equal(t, "ann@example.com", d.Account.Email)
				assert.Equal(t, "ann@example.com", d.Account.Username)
			},
		},
		{
			name: "names of exactly 100 characters, multi-byte",
			edit: func(in *account.Input) {
				in.FirstName = strings.Repeat("é", 100)
				in.LastName = strings.Repeat("x", 100)
			},
			check: func(t *testing.T, d account.Draft) {
				assert.Equal(t, strings.Repeat("é", 100), d.Account.FirstName)
			},
		},
		{
			name: "printable Unicode names",
			edit: func(in *account.Input) { in.FirstName, in.LastName = "Zoë-Åsa", "O'Brien d’Artagnan 李" },
			check: func(t *testing.T, d account.Draft) {
				assert.Equal(t, "Zoë-Åsa", d.Account.FirstName)
				assert.Equal(t, "O'Brien d’Artagnan 李", d.Account.LastName)
			},
		},
		{
			name: "non-breaking space inside a name",
			edit: func(in *account.Input) { in.LastName = "van\u00a0Dijk" },
			check: func(t *testing.T, d account.Draft) {
				assert.Equal(t, "van\u00a0Dijk", d.Account.LastName)
			},
		},
		{
			name: "Account ID of 64 characters and every allowed symbol",
			edit: func(in *account.Input) { in.AccountID = "ann.smith_1-2@x+y" + strings.Repeat("z", 64-17) },
			check: func(t *testing.T, d account.Draft) {
				assert.Len(t, d.Account.AccountID, 64)
			},
		},
		{
			name: "device only: E.164 username",
			edit: func(in *account.Input) { in.Email, in.Device = "", "+1 (415) 555-0101" },
			check: func(t *testing.T, d account.Draft) {
				assert.Empty(t, d.Account.Email)
				assert.Equal(t, "+14155550101", d.Account.Device)
				assert.Equal(t, "+14155550101", d.Account.Username, "without email the username is the E.164 device")
			},
		},
		{
			name: "device digits only, as a spreadsheet leaves it",
			edit: func(in *account.Input) { in.Email, in.Device = "", "14155550101" },
			check: func(t *testing.T, d account.Draft) {
				assert.Equal(t, "+14155550101", d.Account.Device)
				assert.Equal(t, "+14155550101", d.Account.Username)
			},
		},
		{
			name: "email and device: the email is the username",
			edit: func(in *account.Input) { in.Device = "+44 20 7946 0958" },
			check: func(t *testing.T, d account.Draft) {
				assert.Equal(t, "+442079460958", d.Account.Device)
				assert.Equal(t, "ann.smith@example.com", d.Account.Username)
			},
		},
		{
			name: "internationalized email",
			edit: func(in *account.Input) { in.Email = "Zoë@Bücher.de" },
			check: func(t *testing.T, d account.Draft) {
				assert.Equal(t, "Zoë@Bücher.de", d.Account.Email)
				assert.Equal(t, "zoë@bücher.de", d.Account.Username)
			},
		},
		{
			name: "email in an allowed domain, other case",
			policy: func() account.Policy {
				p := policy()
				p.Settings.EmailDomains = []string{"@other.example", "@example.com"}
				return p
			},
			edit: func(in *account.Input) { in.Email = "ann@EXAMPLE.com" },
			check: func(t *testing.T, d account.Draft) {
				assert.Equal(t, "ann@example.com", d.Account.Username)
			},
		},
		{
			name: "SMTP data offload with an email",
			policy: func() account.Policy {
				p := policy()
				p.Settings.SMTPDataOffload = true
				return p
			},
			check: func(t *testing.T, d account.Draft) {
				assert.Equal(t, "Ann.Smith@Example.com", d.Account.Email)
			},
		},
		{
			name: "email-only applications for an email invitee",
			edit: func(in *account.Input) {
				in.Applications = []org.Application{org.AppMobile, org.AppDesktop, org.AppTeams, org.AppIntune}
			},
			check: func(t *testing.T, d account.Draft) {
				assert.Equal(t, []org.Application{org.AppMobile, org.AppDesktop, org.AppTeams, org.AppIntune}, d.Account.Applications)
			},
		},
		{
			name: "assign a number",
			edit: func(in *account.Input) { in.AssignNumber = " +1 (415) 555-0102 " },
			check: func(t *testing.T, d account.Draft) {
				assert.Equal(t, numberpool.Selector{E164: "+14155550102"}, d.Number)
			},
		},
		{
			name: "assign a number typed as digits only",
			edit: func(in *account.Input) { in.AssignNumber = "14155550102" },
			check: func(t *testing.T, d account.Draft) {
				assert.Equal(t, numberpool.Selector{E164: "+14155550102"}, d.Number)
			},
		},
		{
			name: "assign by tag",
			edit: func(in *account.Input) { in.AssignNumber = "ported" },
			check: func(t *testing.T, d account.Draft) {
				assert.Equal(t, numberpool.Selector{Tag: "PORTED"}, d.Number)
			},
		},
		{
			name: "assign by a tag with digits",
			edit: func(in *account.Input) { in.AssignNumber = "Ported-2026" },
			check: func(t *testing.T, d account.Draft) {
				assert.Equal(t, numberpool.Selector{Tag: "PORTED-2026"}, d.Number)
			},
		},
		{
			name: "explicit profile of an ancestor",
			edit: func(in *account.Input) { in.Profile = carrierGold.ID },
			check: func(t *testing.T, d account.Draft) {
				assert.Equal(t, carrierGold.ID, d.Account.ProfileID)
			},
		},
		{
			name: "explicit profile of the org itself",
			edit: func(in *account.Input) { in.Profile = salesBasic.ID },
			check: func(t *testing.T, d account.Draft) {
				assert.Equal(t, salesBasic.ID, d.Account.ProfileID)
			},
		},
		{
			name: "default profile of the nearest ancestor",
			policy: func() account.Policy {
				p := policy()
				p.Profiles = append(p.Profiles, permissions.Profile{ID: "acme-std", OrgID: "acme", Default: true})
				return p
			},
			check: func(t *testing.T, d account.Draft) {
				assert.Equal(t, permissions.ProfileID("acme-std"), d.Account.ProfileID)
			},
		},
		{
			name: "forwarding number with formatting",
			edit: func(in *account.Input) { in.Forwarding = "+1 (415) 555-0199" },
			check: func(t *testing.T, d account.Draft) {
				assert.Equal(t, "+14155550199", d.Account.Forwarding)
			},
		},
		{
			name: "forwarding number of 4 digits without +",
			edit: func(in *account.Input) { in.Forwarding = "1234" },
			check: func(t *testing.T, d account.Draft) {
				assert.Equal(t, "+1234", d.Account.Forwarding)
			},
		},
		{
			name: "forwarding number of 18 digits with dots",
			edit: func(in *account.Input) { in.Forwarding = "123.456.789.012.345.678" },
			check: func(t *testing.T, d account.Draft) {
				assert.Equal(t, "+123456789012345678", d.Account.Forwarding)
			},
		},
		{
			name: "enabled feature, listed twice",
			edit: func(in *account.Input) {
				in.Features = []org.Feature{org.FeatureTeamsCalling, org.FeatureTeamsCalling}
			},
			check: func(t *testing.T, d account.Draft) {
				assert.Equal(t, []org.Feature{org.FeatureTeamsCalling}, d.Account.Features)
			},
		},
		{
			name: "language by name",
			edit: func(in *account.Input) { in.Language = " Italian " },
			check: func(t *testing.T, d account.Draft) {
				assert.Equal(t, "it", d.Account.Language)
			},
		},
		{
			name: "language by BCP 47 code",
			edit: func(in *account.Input) { in.Language = "de-CH" },
			check: func(t *testing.T, d account.Draft) {
				assert.Equal(t, "de", d.Account.Language)
			},
		},
		{
			name: "social messaging with restriction, and recording",
			edit: func(in *account.Input) {
				in.SocialMessaging, in.RestrictIncomingSocial = true, true
				in.RecordCalls, in.RecordSMS = true, true
			},
			check: func(t *testing.T, d account.Draft) {
				a := d.Account
				assert.True(t, a.SocialMessaging)
				assert.True(t, a.RestrictIncomingSocial)
				assert.True(t, a.RecordCalls)
				assert.True(t, a.RecordSMS)
			},
		},
		{
			name:   "CSV row: names, Account ID and applications optional",
			policy: csvPolicy,
			edit: func(in *account.Input) {
				in.FirstName, in.LastName, in.AccountID, in.Applications = "", " ", "", nil
			},
			check: func(t *testing.T, d account.Draft) {
				a := d.Account
				assert.Empty(t, a.FirstName)
				assert.Empty(t, a.LastName)
				assert.Empty(t, a.AccountID)
				assert.Equal(t, []org.Application{org.AppMobile}, a.Applications, "a CSV row onboards MultiLine Mobile")
				assert.Equal(t, "ann.smith@example.com", a.Username)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := policy()
			if tt.policy != nil {
				p = tt.policy()
			}
			in := input()
			if tt.edit != nil {
				tt.edit(&in)
			}
			d, err := account.Validate(in, p)
			require.NoError(t, err)
			assert.NotEmpty(t, d.Account.Username)
			tt.check(t, d)
		})
	}
}

func TestValidateFieldErrors(t *testing.T) {
	tests := []struct {
		name   string
		policy func() account.Policy
		edit   func(*account.Input)
		codes  []string
	}{
		// Names.
		{name: "first name missing", edit: func(in *account.Input) { in.FirstName = "" }, codes: []string{"first_name.required"}},
		{name: "first name only spaces", edit: func(in *account.Input) { in.FirstName = " \u00a0 " }, codes: []string{"first_name.required"}},
		{name: "last name missing", edit: func(in *account.Input) { in.LastName = "" }, codes: []string{"last_name.required"}},
		{name: "both names missing", edit: func(in *account.Input) { in.FirstName, in.LastName = "", "" }, codes: []string{"first_name.required", "last_name.required"}},
		{name: "line break in first name", edit: func(in *account.Input) { in.FirstName = "Ann\nMarie" }, codes: []string{"first_name.control_character"}},
		{name: "CRLF in last name", edit: func(in *account.Input) { in.LastName = "Smith\r\nJones" }, codes: []string{"last_name.control_character"}},
		{name: "tab in first name", edit: func(in *account.Input) { in.FirstName = "Ann\tMarie" }, codes: []string{"first_name.control_character"}},
		{name: "trailing line break is inside the cell", edit: func(in *account.Input) { in.FirstName = "Ann\n" }, codes: []string{"first_name.control_character"}},
		{name: "NUL in last name", edit: func(in *account.Input) { in.LastName = "Sm\x00ith" }, codes: []string{"last_name.control_character"}},
		{name: "C1 control in last name", edit: func(in *account.Input) { in.LastName = "Smith\u0085" }, codes: []string{"last_name.control_character"}},
		{name: "first name 101 characters", edit: func(in *account.Input) { in.FirstName = strings.Repeat("a", 101) }, codes: []string{"first_name.too_long"}},
		{name: "last name 101 multi-byte characters", edit: func(in *account.Input) { in.LastName = strings.Repeat("é", 101) }, codes: []string{"last_name.too_long"}},
		{name: "first name not UTF-8", edit: func(in *account.Input) { in.FirstName = "Ann\xe9" }, codes: []string{"first_name.encoding"}},
		{name: "zero-width space in last name", edit: func(in *account.Input) { in.LastName = "Smi\u200bth" }, codes: []string{"last_name.not_printable"}},
		{name: "line separator in first name", edit: func(in *account.Input) { in.FirstName = "Ann\u2028Marie" }, codes: []string{"first_name.not_printable"}},
		{name: "CSV row: empty names fine, control character not", policy: csvPolicy, edit: func(in *account.Input) { in.FirstName, in.LastName = "", "\t" }, codes: []string{"last_name.control_character"}},
		{name: "CSV row: long name", policy: csvPolicy, edit: func(in *account.Input) { in.FirstName = strings.Repeat("a", 101) }, codes: []string{"first_name.too_long"}},

		// Account ID.
		{name: "Account ID missing", edit: func(in *account.Input) { in.AccountID = " " }, codes: []string{"account_id.required"}},
		{name: "Account ID 65 characters", edit: func(in *account.Input) { in.AccountID = strings.Repeat("a", 65) }, codes: []string{"account_id.too_long"}},
		{name: "Account ID with a space", edit: func(in *account.Input) { in.AccountID = "A 1" }, codes: []string{"account_id.format"}},
		{name: "Account ID with a slash", edit: func(in *account.Input) { in.AccountID = "A/1" }, codes: []string{"account_id.format"}},
		{name: "Account ID with a non-ASCII letter", edit: func(in *account.Input) { in.AccountID = "Zoë" }, codes: []string{"account_id.format"}},
		{name: "CSV row: bad Account ID", policy: csvPolicy, edit: func(in *account.Input) { in.AccountID = "A,1" }, codes: []string{"account_id.format"}},

		// Email and device.
		{name: "neither email nor device", edit: func(in *account.Input) { in.Email, in.Device = " ", "" }, codes: []string{"email.destination_required"}},
		{name: "display name", edit: func(in *account.Input) { in.Email = "Ann Smith <ann@example.com>" }, codes: []string{"email.display_name"}},
		{name: "angle brackets", edit: func(in *account.Input) { in.Email = "<ann@example.com>" }, codes: []string{"email.display_name"}},
		{name: "space in email", edit: func(in *account.Input) { in.Email = "ann smith@example.com" }, codes: []string{"email.space"}},
		{name: "tab in email", edit: func(in *account.Input) { in.Email = "ann\t@example.com" }, codes: []string{"email.space"}},
		{name: "no domain dot", edit: func(in *account.Input) { in.Email = "ann@localhost" }, codes: []string{"email.domain"}},
		{name: "IP literal", edit: func(in *account.Input) { in.Email = "ann@[192.0.2.1]" }, codes: []string{"email.domain"}},
		{name: "local part 65 characters", edit: func(in *account.Input) { in.Email = strings.Repeat("a", 65) + "@example.com" }, codes: []string{"email.too_long"}},
		{name: "email 255 characters", edit: func(in *account.Input) {
			in.Email = "ann@" + strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 55) + ".com"
		}, codes: []string{"email.too_long"}},
		{name: "two @", edit: func(in *account.Input) { in.Email = "ann@smith@example.com" }, codes: []string{"email.format"}},
		{name: "no @", edit: func(in *account.Input) { in.Email = "ann.example.com" }, codes: []string{"email.format"}},
		{name: "double dot", edit: func(in *account.Input) { in.Email = "ann..smith@example.com" }, codes: []string{"email.format"}},
		{
			name: "domain not allowed",
			policy: func() account.Policy {
				p := policy()
				p.Settings.EmailDomains = []string{"@acme.example"}
				return p
			},
			codes: []string{"email.domain_not_allowed"},
		},
		{
			name: "SMTP data offload needs an email",
			policy: func() account.Policy {
				p := policy()
				p.Settings.SMTPDataOffload = true
				return p
			},
			edit:  func(in *account.Input) { in.Email, in.Device = "", "+14155550101" },
			codes: []string{"email.required_smtp_offload"},
		},
		{name: "device in scientific notation", edit: func(in *account.Input) { in.Device = "1.41556E+10" }, codes: []string{"device.scientific_notation"}},
		{name: "device without country code", edit: func(in *account.Input) { in.Device = "(415) 555-0101" }, codes: []string{"device.country_code"}},
		{name: "device not a number", edit: func(in *account.Input) { in.Device = "+1 000 555 0101" }, codes: []string{"device.format"}},
		{name: "device digits lacking the country code", edit: func(in *account.Input) { in.Device = "4155550101" }, codes: []string{"device.format"}},

		// Applications.
		{name: "no application", edit: func(in *account.Input) { in.Applications = nil }, codes: []string{"applications.required"}},
		{name: "unknown application", edit: func(in *account.Input) { in.Applications = []org.Application{"fax"} }, codes: []string{"applications.unknown"}},
		{name: "application twice", edit: func(in *account.Input) {
			in.Applications = []org.Application{org.AppMobile, org.AppDesktop, org.AppMobile}
		}, codes: []string{"applications.duplicate"}},
		{
			name: "application not enabled",
			policy: func() account.Policy {
				p := policy()
				p.Settings.Applications = []org.Application{org.AppMobile}
				return p
			},
			edit:  func(in *account.Input) { in.Applications = []org.Application{org.AppMobile, org.AppDesktop} },
			codes: []string{"applications.not_enabled"},
		},
		{
			name: "email-only applications for an SMS invitee",
			edit: func(in *account.Input) {
				in.Email, in.Device, in.Applications = "", "+14155550101", []org.Application{org.AppDesktop, org.AppMobile, org.AppTeams, org.AppIntune}
			},
			codes: []string{"applications.email_only", "applications.email_only", "applications.email_only"},
		},

		// Assign Number.
		{name: "assign in scientific notation", edit: func(in *account.Input) { in.AssignNumber = "1.41556E+10" }, codes: []string{"assign_number.scientific_notation"}},
		{name: "assign a national number", edit: func(in *account.Input) { in.AssignNumber = "415-555-0101" }, codes: []string{"assign_number.format"}},
		{name: "assign an invalid number", edit: func(in *account.Input) { in.AssignNumber = "+1 000 555 0101" }, codes: []string{"assign_number.format"}},
		{name: "assign a tag with a space", edit: func(in *account.Input) { in.AssignNumber = "PORTED 2" }, codes: []string{"assign_number.format"}},
		{name: "assign a tag too long", edit: func(in *account.Input) { in.AssignNumber = strings.Repeat("T", 33) }, codes: []string{"assign_number.format"}},

		// User Permissions.
		{name: "profile of a sibling org", edit: func(in *account.Input) { in.Profile = supportSecret.ID }, codes: []string{"user_permissions.not_visible"}},
		{name: "profile that does not exist", edit: func(in *account.Input) { in.Profile = "nope" }, codes: []string{"user_permissions.not_visible"}},
		{
			name: "no default in force",
			policy: func() account.Policy {
				p := policy()
				p.Profiles = []permissions.Profile{carrierGold, salesBasic, supportSecret}
				return p
			},
			codes: []string{"user_permissions.no_default"},
		},

		// Forwarding Number.
		{name: "forwarding 3 digits", edit: func(in *account.Input) { in.Forwarding = "+123" }, codes: []string{"forwarding_number.length"}},
		{name: "forwarding 19 digits", edit: func(in *account.Input) { in.Forwarding = "1234567890123456789" }, codes: []string{"forwarding_number.length"}},
		{name: "forwarding formatting only", edit: func(in *account.Input) { in.Forwarding = "(-)" }, codes: []string{"forwarding_number.length"}},
		{name: "forwarding with letters", edit: func(in *account.Input) { in.Forwarding = "+1 415 555 0101 ext 2" }, codes: []string{"forwarding_number.format"}},
		{name: "forwarding with inner +", edit: func(in *account.Input) { in.Forwarding = "1+4155550101" }, codes: []string{"forwarding_number.format"}},
		{name: "forwarding with a slash", edit: func(in *account.Input) { in.Forwarding = "+1/415/5550101" }, codes: []string{"forwarding_number.format"}},

		// Features.
		{name: "feature not enabled", edit: func(in *account.Input) { in.Features = []org.Feature{org.FeatureCallRecording} }, codes: []string{"features.not_enabled"}},
		{name: "unknown feature", edit: func(in *account.Input) { in.Features = []org.Feature{org.FeatureTeamsCalling, "teleport"} }, codes: []string{"features.not_enabled"}},
		{
			name: "no feature enabled",
			policy: func() account.Policy {
				p := policy()
				p.Settings.Features = nil
				return p
			},
			edit:  func(in *account.Input) { in.Features = []org.Feature{org.FeatureTeamsCalling} },
			codes: []string{"features.not_enabled"},
		},

		// Language.
		{name: "unknown language name", edit: func(in *account.Input) { in.Language = "Klingon" }, codes: []string{"language.unknown"}},
		{name: "language not built in", edit: func(in *account.Input) { in.Language = "zh" }, codes: []string{"language.unknown"}},
		{name: "undetermined language", edit: func(in *account.Input) { in.Language = "und" }, codes: []string{"language.unknown"}},

		// Social messaging.
		{
			name: "social messaging not enabled",
			policy: func() account.Policy {
				p := policy()
				p.Settings.SocialMessaging = false
				return p
			},
			edit:  func(in *account.Input) { in.SocialMessaging = true },
			codes: []string{"social_messaging.not_enabled"},
		},
		{name: "restriction without social messaging", edit: func(in *account.Input) { in.RestrictIncomingSocial = true }, codes: []string{"restrict_incoming_social_messaging.needs_social_messaging"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := policy()
			if tt.policy != nil {
				p = tt.policy()
			}
			in := input()
			if tt.edit != nil {
				tt.edit(&in)
			}
			d, err := account.Validate(in, p)
			requireFieldErrors(t, err, tt.codes...)
			assert.Zero(t, d, "no draft with errors")
		})
	}
}

// One input that breaks every rule it can gets every error at once, in the
// order of the form.
func TestValidateReportsAllErrorsTogether(t *testing.T) {
	p := policy()
	p.Settings.SocialMessaging = false
	p.Settings.Applications = []org.Application{org.AppMobile, org.AppTeams}
	in := account.Input{
		FirstName:              "Ann\nMarie",
		LastName:               strings.Repeat("S", 101),
		AccountID:              "A 1",
		Applications:           []org.Application{"fax", org.AppMobile, org.AppMobile, org.AppDesktop, org.AppTeams},
		Device:                 "1.41556E+10",
		AssignNumber:           "415-555-0101",
		Profile:                supportSecret.ID,
		Forwarding:             "12",
		Features:               []org.Feature{org.FeatureCallRecording},
		Language:               "Klingon",
		SocialMessaging:        true,
		RestrictIncomingSocial: true,
	}
	_, err := account.Validate(in, p)
	fields := requireFieldErrors(t, err,
		"first_name.control_character",
		"last_name.too_long",
		"account_id.format",
		"device.scientific_notation",
		"applications.unknown",
		"applications.duplicate",
		"applications.not_enabled",
		"applications.email_only",
		"assign_number.format",
		"user_permissions.not_visible",
		"forwarding_number.length",
		"features.not_enabled",
		"language.unknown",
		"social_messaging.not_enabled",
	)
	byCode := map[string]*mlerr.FieldError{}
	for _, fe := range fields {
		byCode[fe.Code] = fe
	}
	assert.Equal(t, "Ann\nMarie", byCode["first_name.control_character"].Value, "the value as typed")
	assert.Equal(t, mlerr.Truncate(strings.Repeat("S", 101)), byCode["last_name.too_long"].Value, "a long value is cut")
	assert.Equal(t, "1.41556E+10", byCode["device.scientific_notation"].Value)
	assert.Contains(t, byCode["device.scientific_notation"].Message, "text", "say to format the column as text")
	assert.Equal(t, "12", byCode["forwarding_number.length"].Value)
}

// The domain restriction names the rule: the allowed domains.
func TestValidateDomainRestrictionNamesTheRule(t *testing.T) {
	p := policy()
	p.Settings.EmailDomains = []string{"@acme.example", "@acme.test"}
	_, err := account.Validate(input(), p)
	fields := requireFieldErrors(t, err, account.CodeEmailDomainNotAllowed)
	assert.Contains(t, fields[0].Message, "@acme.example")
	assert.Contains(t, fields[0].Message, "@acme.test")
	assert.Equal(t, "Ann.Smith@Example.com", fields[0].Value)
}

// The email is only checked against the domain list once it is an address.
func TestValidateBadEmailIsNotAlsoOutsideTheDomains(t *testing.T) {
	p := policy()
	p.Settings.EmailDomains = []string{"@acme.example"}
	p.Settings.SMTPDataOffload = true
	in := input()
	in.Email = "not an email"
	_, err := account.Validate(in, p)
	requireFieldErrors(t, err, account.CodeEmailSpace)
}

func TestValidateDoesNotAliasInput(t *testing.T) {
	in := input()
	in.Features = []org.Feature{org.FeatureTeamsCalling}
	d, err := account.Validate(in, policy())
	require.NoError(t, err)
	in.Features[0] = "changed"
	assert.Equal(t, []org.Feature{org.FeatureTeamsCalling}, d.Account.Features)
}

func TestCheckStatus(t *testing.T) {
	const (
		ni = account.NotInvited
		iv = account.Invited
		fl = account.InvitationFailed
		ac = account.Activated
		su = account.Suspended
	)
	tests := []struct {
		from, to account.Status
		ok       bool
	}{
		{ni, ni, false},
		{ni, iv, true}, // Save, then invite
		{ni, fl, false},
		{ni, ac, false}, // no token to activate with
		{ni, su, true},

		{iv, ni, false},
		{iv, iv, true}, // resend
		{iv, fl, true}, // delivery keeps failing
		{iv, ac, true}, // token redeemed
		{iv, su, true},

		{fl, ni, false},
		{fl, iv, true}, // retry or resend succeeds
		{fl, fl, true},
		{fl, ac, true},
		{fl, su, true},

		{ac, ni, false},
		{ac, iv, false}, // cannot be invited again
		{ac, fl, false},
		{ac, ac, false},
		{ac, su, true},

		{su, ni, true}, // reactivated to where it stood
		{su, iv, true},
		{su, fl, true},
		{su, ac, true},
		{su, su, false},
	}
	require.Len(t, tests, 25)
	for _, tt := range tests {
		t.Run(string(tt.from)+" to "+string(tt.to), func(t *testing.T) {
			err := account.CheckStatus(tt.from, tt.to)
			if tt.ok {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, account.ErrStatus)
			var se *account.StatusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tt.from, se.From)
			assert.Equal(t, tt.to, se.To)
			assert.Contains(t, err.Error(), string(tt.from))
			assert.Contains(t, err.Error(), string(tt.to))
		})
	}
}

func TestCheckStatusUnknown(t *testing.T) {
	for _, pair := range [][2]account.Status{{"", account.Invited}, {account.Invited, ""}, {"Deleted", account.Invited}, {account.NotInvited, "Deleted"}} {
		err := account.CheckStatus(pair[0], pair[1])
		require.Error(t, err, "%q to %q", pair[0], pair[1])
		assert.ErrorIs(t, err, account.ErrStatus)
	}
}

func TestCanInvite(t *testing.T) {
	tests := []struct {
		s    account.Status
		want bool
	}{
		{account.NotInvited, true},
		{account.Invited, true},
		{account.InvitationFailed, true},
		{account.Activated, false},
		{account.Suspended, false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.s), func(t *testing.T) {
			assert.Equal(t, tt.want, account.CanInvite(tt.s))
			if tt.want {
				// Whatever may be invited may become Invited.
				assert.NoError(t, account.CheckStatus(tt.s, account.Invited))
			}
		})
	}
}

func TestParseLanguage(t *testing.T) {
	tests := []struct {
		in   string
		want string // empty: refused
	}{
		{"en", "en"}, {"it", "it"}, {"de", "de"}, {"fr", "fr"}, {"es", "es"},
		{"EN", "en"}, {" it ", "it"},
		{"English", "en"}, {"ITALIAN", "it"}, {"german", "de"}, {"French", "fr"}, {"spanish", "es"},
		{"Italiano", "it"}, {"Deutsch", "de"}, {"Français", "fr"}, {"FRANÇAIS", "fr"}, {"francais", "fr"}, {"Español", "es"}, {"espanol", "es"},
		{"en-US", "en"}, {"en-GB", "en"}, {"de-CH", "de"}, {"fr-CA", "fr"}, {"es-419", "es"}, {"it-IT", "it"}, {"pt-BR", ""},
		{"en_US", "en"}, {"eng", "en"}, {"ita", "it"}, {"deu", "de"}, {"fra", "fr"}, {"spa", "es"},
		{"", ""}, {"  ", ""}, {"Klingon", ""}, {"zh", ""}, {"pt", ""}, {"xx", ""}, {"e", ""},
		{"und", ""}, {"root", ""}, {"und-IT", ""}, {"und-DE", ""}, {"x-private", ""}, {"mul", ""},
		{"English (US)", ""}, {"en-" + strings.Repeat("x", 40), ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := account.ParseLanguage(tt.in)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.want != "", ok)
		})
	}
}

func TestCSVRowDefaultApplication(t *testing.T) {
	cases := []struct {
		name  string
		apps  []org.Application
		email string
		want  []org.Application
		code  string
	}{
		{"mobile enabled", []org.Application{org.AppDesktop, org.AppMobile}, "a@b.example", []org.Application{org.AppMobile}, ""},
		{"desktop only, email invitee", []org.Application{org.AppDesktop}, "a@b.example", []org.Application{org.AppDesktop}, ""},
		{"desktop only, sms invitee", []org.Application{org.AppDesktop}, "", nil, account.CodeApplicationNotEnabled},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := account.Input{Email: c.email}
			if c.email == "" {
				in.Device = "+14155550123"
			}
			p := account.Policy{Form: account.CSVRow, Settings: org.Effective{Applications: c.apps}, Lineage: []org.ID{"o"},
				Profiles: []permissions.Profile{{ID: "p", OrgID: "o", Default: true}}}
			d, err := account.Validate(in, p)
			if c.code != "" {
				require.Error(t, err)
				assert.Equal(t, c.code, mlerr.Fields(err)[0].Code)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, d.Account.Applications)
		})
	}
}

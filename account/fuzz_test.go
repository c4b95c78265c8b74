package account_test

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

var (
	forwardingRE = regexp.MustCompile(`^\+[0-9]{4,18}$`)
	accountIDRE  = regexp.MustCompile(`^[A-Za-z0-9._@+-]{0,64}$`)
)

// FuzzValidate feeds arbitrary strings to every field of an input. Validate
// must not panic, and must return either a draft whose fields keep the rules,
// or field errors only.
func FuzzValidate(f *testing.F) {
	type seed struct {
		first, last, id, apps, email, device, assign, profile, forwarding, features, lang string
		social, restrict, csv                                                             bool
	}
	seeds := []seed{
		{"Ann", "Smith", "A-1", "mobile", "Ann.Smith@Example.com", "", "", "", "", "", "", false, false, false},
		{"  Ann ", "\u00a0Smith", " A-1\t", "mobile,desktop", "zoë@bücher.de", "+1 (415) 555-0101", "ported", "carrier-gold", "+1 (415) 555-0199", "ms_teams_calling", "Italian", true, true, false},
		{"", "", "", "", "", "14155550101", "14155550102", "", "1234", "", "de-CH", false, false, true},
		{"Ann\nMarie", strings.Repeat("S", 101), "A 1", "fax,mobile,mobile,desktop", "Ann Smith <ann@example.com>", "1.41556E+10", "415-555-0101", "support-secret", "12", "call_recording", "Klingon", true, true, false},
		{"Ann\xe9", "Smi\u200bth", strings.Repeat("a", 65), "ms_teams", "ann@localhost", "(415) 555-0101", "1.41556E+10", "nope", "1+234", "teleport", "und", false, true, false},
		{"\t", "é", "A,1", "", `"ann"@example.com`, "+1 000 555 0101", "PORTED 2", "", "123.456.789.012.345.678", "", "zh", false, false, true},
		{"Zoë", "O'Brien", "x", "intune", "", "+39 06 1234 5678", "+1 415 555 0101 ext. 2", "sales-basic", "(-)", "", "es-419", true, false, true},
	}
	for _, s := range seeds {
		f.Add(s.first, s.last, s.id, s.apps, s.email, s.device, s.assign, s.profile, s.forwarding, s.features, s.lang, s.social, s.restrict, s.csv)
	}
	f.Fuzz(func(t *testing.T, first, last, id, apps, email, device, assign, profile, forwarding, features, lang string, social, restrict, csv bool) {
		p := policy()
		if csv {
			p.Form = account.CSVRow
		}
		in := account.Input{
			FirstName: first, LastName: last, AccountID: id, Email: email, Device: device,
			AssignNumber: assign, Profile: permissions.ProfileID(profile), Forwarding: forwarding,
			Language: lang, SocialMessaging: social, RestrictIncomingSocial: restrict,
		}
		if apps != "" {
			for _, a := range strings.Split(apps, ",") {
				in.Applications = append(in.Applications, org.Application(a))
			}
		}
		if features != "" {
			for _, f := range strings.Split(features, ",") {
				in.Features = append(in.Features, org.Feature(f))
			}
		}

		d, err := account.Validate(in, p)
		if err != nil {
			joined, ok := err.(interface{ Unwrap() []error })
			if !ok {
				t.Fatalf("error %T is not a join of field errors: %v", err, err)
			}
			for _, e := range joined.Unwrap() {
				var fe *mlerr.FieldError
				if !errors.As(e, &fe) || fe != e {
					t.Fatalf("not a field error: %T %v", e, e)
				}
				if !errors.Is(fe, mlerr.ErrInvalid) || !strings.HasPrefix(fe.Code, fe.Field+".") || fe.Message == "" {
					t.Fatalf("malformed field error %#v", fe)
				}
				if _, ok := labels[fe.Field]; !ok {
					t.Fatalf("field error of unknown field %q", fe.Field)
				}
				if len(fe.Value) > 64+len("…") {
					t.Fatalf("field error value not cut: %d bytes", len(fe.Value))
				}
			}
			if d.Account.Username != "" || !d.Number.IsZero() {
				t.Fatalf("a draft with errors: %+v", d)
			}
			return
		}

		a := d.Account
		for _, n := range []struct{ field, v string }{{"first", a.FirstName}, {"last", a.LastName}} {
			if !utf8.ValidString(n.v) || utf8.RuneCountInString(n.v) > 100 || strings.IndexFunc(n.v, unicode.IsControl) >= 0 {
				t.Fatalf("%s name %q breaks the rules", n.field, n.v)
			}
			if strings.TrimSpace(n.v) != n.v {
				t.Fatalf("%s name %q not trimmed", n.field, n.v)
			}
			if n.v == "" && !csv {
				t.Fatalf("%s name empty on the single form", n.field)
			}
		}
		if !accountIDRE.MatchString(a.AccountID) || a.AccountID == "" && !csv {
			t.Fatalf("Account ID %q breaks the rules", a.AccountID)
		}
		if a.Username == "" {
			t.Fatal("no username")
		}
		if a.Email != "" {
			if a.Email != strings.TrimSpace(email) || a.Username != strings.ToLower(a.Email) {
				t.Fatalf("email %q, username %q from %q", a.Email, a.Username, email)
			}
		} else if a.Username != a.Device {
			t.Fatalf("username %q without email is not the device %q", a.Username, a.Device)
		}
		if a.Device != "" {
			if again, err := numberpool.ParseE164(a.Device); err != nil || again != a.Device || a.Device[0] != '+' {
				t.Fatalf("device %q does not re-parse to itself: %q, %v", a.Device, again, err)
			}
		} else if strings.TrimSpace(device) != "" {
			t.Fatalf("device %q dropped", device)
		}
		if a.Forwarding != "" && !forwardingRE.MatchString(a.Forwarding) {
			t.Fatalf("forwarding %q breaks the rules", a.Forwarding)
		}
		if a.Language != "" && !slices.Contains(account.Languages, a.Language) {
			t.Fatalf("language %q is not built in", a.Language)
		}
		if len(a.Applications) == 0 {
			t.Fatal("no application")
		}
		for _, app := range a.Applications {
			if !p.Settings.HasApplication(app) || app.EmailOnly() && a.Email == "" {
				t.Fatalf("application %q not allowed", app)
			}
		}
		for _, f := range a.Features {
			if !p.Settings.HasFeature(f) {
				t.Fatalf("feature %q not enabled", f)
			}
		}
		i := slices.IndexFunc(p.Profiles, func(pr permissions.Profile) bool { return pr.ID == a.ProfileID })
		if i < 0 || !permissions.Visible(p.Profiles[i], p.Lineage) {
			t.Fatalf("profile %q not visible", a.ProfileID)
		}
		if a.RestrictIncomingSocial && !a.SocialMessaging {
			t.Fatal("restriction without social messaging")
		}
		switch sel := d.Number; {
		case sel.E164 != "":
			if again, err := numberpool.ParseE164(sel.E164); err != nil || again != sel.E164 || sel.Tag != "" {
				t.Fatalf("assign %q: selector %+v", assign, sel)
			}
		case sel.Tag != "":
			if again, err := numberpool.NormalizeTag(sel.Tag); err != nil || again != sel.Tag {
				t.Fatalf("assign %q: selector %+v", assign, sel)
			}
		default:
			if strings.TrimSpace(assign) != "" {
				t.Fatalf("assign %q dropped", assign)
			}
		}
	})
}

func FuzzParseLanguage(f *testing.F) {
	for _, s := range []string{"en", "EN", " it ", "Italian", "Français", "francais", "de-CH", "es-419", "en_US", "eng", "und", "und-IT", "root", "x-private", "Klingon", "zh", "", "en-" + strings.Repeat("x", 40), "de-u-co-phonebk", "i-klingon", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, ok := account.ParseLanguage(s)
		if !ok {
			if code != "" {
				t.Fatalf("ParseLanguage(%q) = %q, false", s, code)
			}
			return
		}
		if !slices.Contains(account.Languages, code) {
			t.Fatalf("ParseLanguage(%q) = %q: not built in", s, code)
		}
		if again, ok := account.ParseLanguage(code); !ok || again != code {
			t.Fatalf("ParseLanguage(%q) = %q, which parses to %q, %v", s, code, again, ok)
		}
	})
}

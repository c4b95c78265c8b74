package invite

import (
	"errors"
	"time"

	"golang.org/x/text/language"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
)

// Templates is an organization's set of invitation texts: for each built-in
// language and each part, its own text where an administrator saved one,
// else the built-in text. The zero value is the built-in set.
//
// Templates is a small value: copying it copies the set, and since a
// Template is immutable the copies are independent. Reading a Templates
// while another goroutine calls Set or Reset on the same variable is a data
// race; give each goroutine its copy.
type Templates struct {
	custom [numLangs][numParts]*Template
}

// DefaultTemplates returns the built-in set: English, Italian, German, French
// and Spanish texts for every part. It equals the zero Templates.
func DefaultTemplates() Templates { return Templates{} }

// Override is one custom text: a part in a language, as a host stores it.
type Override struct {
	Language string // a base code: en, it, de, fr or es
	Part     Part
	Source   string
}

// NewTemplates returns the set with each override applied. Any override
// that is invalid (its language, part or text) is left out, its errors are
// joined into err, and the built-in text stays in its place: a host loading
// stored templates can send with the result anyway.
func NewTemplates(overrides ...Override) (Templates, error) {
	var ts Templates
	var errs []error
	for _, o := range overrides {
		if err := ts.Set(o.Language, o.Part, o.Source); err != nil {
			errs = append(errs, err)
		}
	}
	return ts, errors.Join(errs...)
}

// Set validates src with ParseTemplate and makes it the set's text of part
// in language lang, which is a code, a tag or a name of one of the built-in
// languages ("de", "de-CH", "German"). On error the set is unchanged; an
// unknown language is refused with the field "language" and the code
// account.CodeLanguageUnknown. To go back to the built-in text, use Reset.
func (ts *Templates) Set(lang string, part Part, src string) error {
	li, ok := overrideLang(lang)
	if !ok {
		return mlerr.Invalid("language", account.CodeLanguageUnknown, lang,
			"Language of a template must be English, Italian, German, French or Spanish (or en, it, de, fr, es)")
	}
	t, err := ParseTemplate(part, src)
	if err != nil {
		return err
	}
	ts.custom[li][part.index()] = t
	return nil
}

// Reset puts the built-in text back for part in language lang. An unknown
// language or part changes nothing.
func (ts *Templates) Reset(lang string, part Part) {
	li, ok := overrideLang(lang)
	pi := part.index()
	if ok && pi >= 0 {
		ts.custom[li][pi] = nil
	}
}

// overrideLang reads the language of an override strictly: a language that
// Choose can never pick is an administrator's mistake, not a fallback.
func overrideLang(lang string) (int, bool) {
	code, ok := account.ParseLanguage(lang)
	if !ok {
		return 0, false
	}
	return langByCode(code)
}

// Overrides returns the set's custom texts, for storage, in the order of
// the languages (en, it, de, fr, es) and then of the parts.
func (ts Templates) Overrides() []Override {
	var out []Override
	for li := range ts.custom {
		for pi, t := range ts.custom[li] {
			if t != nil {
				out = append(out, Override{Language: locales[li].code, Part: parts[pi], Source: t.src})
			}
		}
	}
	return out
}

// Template returns the text of part in language lang: the custom one if the
// set has it, else the built-in one. A language other than the built-in
// ones gives English, an unknown part nil.
func (ts Templates) Template(lang language.Tag, part Part) *Template {
	li, pi := langIndex(lang), part.index()
	if pi < 0 {
		return nil
	}
	if t := ts.custom[li][pi]; t != nil {
		return t
	}
	return builtin[li][pi]
}

// Rendered is an invitation's text, ready to send.
type Rendered struct {
	Subject string // email only
	Text    string // the plain-text email body, or the SMS body
	HTML    string // email only
}

// Render renders the invitation for channel ch in language lang (see
// Choose) with the values v: the subject and both bodies for Email, the SMS
// body for SMS. An unknown channel renders nothing.
func (ts Templates) Render(lang language.Tag, ch Channel, v Values) Rendered {
	switch ch {
	case Email:
		return Rendered{
			Subject: ts.Template(lang, PartSubject).Render(lang, v),
			Text:    ts.Template(lang, PartText).Render(lang, v),
			HTML:    ts.Template(lang, PartHTML).Render(lang, v),
		}
	case SMS:
		return Rendered{Text: ts.Template(lang, PartSMS).Render(lang, v)}
	}
	return Rendered{}
}

// Preview renders the set for channel ch in language lang (anything Choose
// reads) with SampleValues, as the portal shows it to an administrator.
func (ts Templates) Preview(lang string, ch Channel) Rendered {
	return ts.Render(Choose(lang, ""), ch, SampleValues())
}

// Preview validates src as part, as saving it would, and renders it in
// language lang with SampleValues: the portal's preview of a text being
// edited. The error is ParseTemplate's.
func Preview(lang string, part Part, src string) (string, error) {
	t, err := ParseTemplate(part, src)
	if err != nil {
		return "", err
	}
	return t.Render(Choose(lang, ""), SampleValues()), nil
}

// sampleToken has the length of a real token, so that a preview's SMS
// segment count is the one the invitee's phone will see.
const sampleToken = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"

// SampleValues returns the data previews render with: a plausible user, an
// activation link as long as a real one, and a fixed expiry (16 March 2026,
// 17:00 UTC) so that previews are reproducible.
func SampleValues() Values {
	return Values{
		FirstName:       "Maria",
		LastName:        "Rossi",
		Username:        "maria.rossi@example.com",
		OrgName:         "Acme Corp",
		Number:          "+390212345678",
		Link:            "https://ml.example.com/i/" + sampleToken,
		AppDownloadLink: "https://ml.example.com/app",
		Expires:         time.Date(2026, time.March, 16, 17, 0, 0, 0, time.UTC),
	}
}

// ValuesFor returns the values of invitation inv to account a: its names,
// username and number, and the invitation's expiry in UTC. The host adds
// AppDownloadLink if its templates use it, and may convert Expires to the
// organization's time zone.
func ValuesFor(a account.Account, inv Invitation, orgName, link string) Values {
	return Values{
		FirstName: a.FirstName,
		LastName:  a.LastName,
		Username:  a.Username,
		OrgName:   orgName,
		Number:    a.Number,
		Link:      link,
		Expires:   inv.ExpiresAt.UTC(),
	}
}

// InvitationMessage is the package's InvitationMessage with the set's texts:
// the outbox message of invitation inv to account a, written in
// Choose(a.Language, orgLang) and rendered with v (see ValuesFor). The
// envelope (destination, idempotency key, secret, state) is unchanged.
func (ts Templates) InvitationMessage(inv Invitation, a account.Account, orgLang string, v Values, t Token) Message {
	m := envelope(inv, t)
	r := ts.Render(Choose(a.Language, orgLang), inv.Channel, v)
	m.Subject, m.Text, m.HTML = r.Subject, r.Text, r.HTML
	return m
}

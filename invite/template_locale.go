package invite

import (
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/text/language"

	"github.com/multilinehq/multiline/account"
)

// numLangs is the number of built-in languages.
const numLangs = 5

// supportedTags are the built-in languages, in account.Languages' order; the
// first is the fallback.
var supportedTags = [numLangs]language.Tag{
	language.English, language.Italian, language.German, language.French, language.Spanish,
}

// matcher picks the built-in language a user understands best. Besides
// regional variants (de-CH, fr-CA, es-419) it knows close languages (gsw and
// rm read German, gl and eu Spanish, br and co French) and refuses the rest
// (pt, nl, ca) with confidence No, which falls through to the next choice.
var matcher = language.NewMatcher(supportedTags[:])

// maxLanguageLen bounds a language string before parsing: a BCP 47 tag a
// person would write is far shorter, and an Accept-Language header with a
// handful of entries fits.
const maxLanguageLen = 256

// Choose returns the language an invitation is written in: the account's
// language if it is (or is close to) a built-in one, else the
// organization's, else English. Each may be a BCP 47 tag ("de-CH"), an
// Accept-Language list ("fr-CA,fr;q=0.9"), or a language name as the
// portal's CSV allows ("Italian", "Deutsch"). Unknown, unsupported and
// malformed strings fall through to the next choice; Choose never fails,
// so that a bad setting cannot stop an invitation.
//
// The result is always one of language.English, Italian, German, French
// and Spanish, and decides the texts and the date format of {expires}:
//
//	      email (long)                      SMS (short)
//	en    16 March 2026, 17:00 UTC          16 Mar 2026
//	it    16 marzo 2026, ore 17:00 UTC      16/03/2026
//	de    16. März 2026, 17:00 UTC          16.03.2026
//	fr    16 mars 2026 à 17:00 UTC          16/03/2026
//	es    16 de marzo de 2026, 17:00 UTC    16/03/2026
//
// (French writes the first of the month "1er".) Fixed formats rather than
// CLDR data keep the module small; the SMS form leaves out the time and
// spells the English month, so that no reader takes 03/04 for 4 March.
func Choose(accountLang, orgLang string) language.Tag {
	for _, s := range [...]string{accountLang, orgLang} {
		if i, ok := matchLanguage(s); ok {
			return supportedTags[i]
		}
	}
	return supportedTags[0]
}

// matchLanguage returns the index of the built-in language s asks for.
func matchLanguage(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxLanguageLen {
		return 0, false
	}
	// Names ("italiano") and plain codes first: x/text reads tags only.
	if code, ok := account.ParseLanguage(s); ok {
		if i, ok := langByCode(code); ok {
			return i, true
		}
	}
	var tags []language.Tag
	if strings.ContainsAny(s, ",;") {
		var err error
		if tags, _, err = language.ParseAcceptLanguage(s); err != nil {
			return 0, false
		}
	} else {
		tag, err := language.Parse(s)
		if err != nil {
			return 0, false
		}
		tags = []language.Tag{tag}
	}
	if len(tags) == 0 {
		return 0, false
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No || i < 0 || i >= numLangs {
		return 0, false
	}
	return i, true
}

// langByCode returns the index of a built-in language by its base code.
func langByCode(code string) (int, bool) {
	for i := range locales {
		if locales[i].code == code {
			return i, true
		}
	}
	return 0, false
}

// langIndex returns the built-in language of tag by its base language,
// English for any other.
func langIndex(tag language.Tag) int {
	base, _ := tag.Base()
	for i, t := range supportedTags {
		if b, _ := t.Base(); b == base {
			return i
		}
	}
	return 0
}

// locale is what rendering needs of a language besides its texts.
type locale struct {
	code     string
	months   [12]string
	button   string // the label of {sign_in_btn} in HTML
	noNumber string // {multiline_number} when the account has none yet
	// last holds the most recent expiry formatted in this language, for
	// each form (long, short): the invitations of one import or resend
	// share their expiry, and formatting it is most of a render's work.
	last [2]atomic.Pointer[formatted]
}

// formatted is one expiry time and its text.
type formatted struct {
	t    time.Time
	text string
}

var locales = [numLangs]locale{
	{
		code:     "en",
		months:   [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		button:   "Activate MultiLine",
		noNumber: "chosen at activation",
	},
	{
		code:     "it",
		months:   [12]string{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"},
		button:   "Attiva MultiLine",
		noNumber: "da scegliere all'attivazione",
	},
	{
		code:     "de",
		months:   [12]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
		button:   "MultiLine aktivieren",
		noNumber: "Auswahl bei der Aktivierung",
	},
	{
		code:     "fr",
		months:   [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
		button:   "Activer MultiLine",
		noNumber: "à choisir lors de l'activation",
	},
	{
		code:     "es",
		months:   [12]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
		button:   "Activar MultiLine",
		noNumber: "a elegir al activar",
	},
}

func localeOf(tag language.Tag) *locale { return &locales[langIndex(tag)] }

// expiry formats t for {expires}: the long form in email, the short one in
// SMS, where every character counts. See Choose for the formats.
func (l *locale) expiry(t time.Time, short bool) string {
	if t.IsZero() {
		return ""
	}
	form := 0
	if short {
		form = 1
	}
	// The same instant in the same location is the same text; == on the
	// Time compares both (and the monotonic reading, which only makes a
	// miss more likely).
	if f := l.last[form].Load(); f != nil && f.t == t {
		return f.text
	}
	text := l.format(t, short)
	l.last[form].Store(&formatted{t: t, text: text})
	return text
}

// format formats t for {expires}; see expiry.
func (l *locale) format(t time.Time, short bool) string {
	d, m, y := t.Day(), l.months[t.Month()-1], t.Year()
	if short {
		switch l.code {
		case "en":
			return fmt.Sprintf("%d %.3s %d", d, m, y)
		case "de":
			return t.Format("02.01.2006")
		default:
			return t.Format("02/01/2006")
		}
	}
	hm := t.Format("15:04 MST")
	switch l.code {
	case "it":
		return fmt.Sprintf("%d %s %d, ore %s", d, m, y, hm)
	case "de":
		return fmt.Sprintf("%d. %s %d, %s", d, m, y, hm)
	case "fr":
		day := fmt.Sprint(d)
		if d == 1 {
			day = "1er"
		}
		return fmt.Sprintf("%s %s %d à %s", day, m, y, hm)
	case "es":
		return fmt.Sprintf("%d de %s de %d, %s", d, m, y, hm)
	default:
		return fmt.Sprintf("%d %s %d, %s", d, m, y, hm)
	}
}

package invite

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
)

func TestBuiltinTemplatesParse(t *testing.T) {
	ts := DefaultTemplates()
	for li, tag := range supportedTags {
		for _, part := range parts {
			tpl := ts.Template(tag, part)
			require.NotNil(t, tpl, "%s %s", tag, part)
			assert.Equal(t, part, tpl.Part())
			// The source an administrator starts editing from must itself
			// pass the check a save runs.
			again, err := ParseTemplate(part, tpl.String())
			require.NoError(t, err, "%s %s", tag, part)
			assert.Equal(t, tpl.segs, again.segs)
			assert.Same(t, builtin[li][part.index()], tpl)
			if part != PartSubject {
				require.NotNil(t, tpl.alt, "%s %s has no wording without a number", tag, part)
				assert.NotContains(t, tpl.alt.String(), "{multiline_number}")
			}
		}
	}
}

// TestRenderBuiltinLanguages renders the five built-in languages with the
// sample values and checks what an invitee must find in each.
func TestRenderBuiltinLanguages(t *testing.T) {
	tests := []struct {
		lang      string
		subject   string
		expires   string // long form, in the email bodies
		smsExpiry string
		button    string
		smsLen    int // characters of the SMS with a number
		smsNoNum  int // and without
		noNumber  string
	}{
		{"en", "Acme Corp invites you to MultiLine", "16 March 2026, 17:00 UTC", "16 Mar 2026", "Activate MultiLine", 155, 139,
			"You will choose your MultiLine number when you activate your account."},
		{"it", "Acme Corp ti invita su MultiLine", "16 marzo 2026, ore 17:00 UTC", "16/03/2026", "Attiva MultiLine", 158, 142,
			"Sceglierai il tuo numero MultiLine quando attiverai l'account."},
		{"de", "Acme Corp lädt Sie zu MultiLine ein", "16. März 2026, 17:00 UTC", "16.03.2026", "MultiLine aktivieren", 157, 141,
			"Ihre MultiLine-Nummer wählen Sie bei der Aktivierung Ihres Kontos."},
		{"fr", "Acme Corp vous invite à rejoindre MultiLine", "16 mars 2026 à 17:00 UTC", "16/03/2026", "Activer MultiLine", 160, 144,
			"Vous choisirez votre numéro MultiLine lors de l'activation de votre compte."},
		{"es", "Acme Corp te invita a MultiLine", "16 de marzo de 2026, 17:00 UTC", "16/03/2026", "Activar MultiLine", 159, 143,
			"Elegirás tu número de MultiLine al activar tu cuenta."},
	}
	ts := DefaultTemplates()
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			v := SampleValues()
			tag := Choose(tt.lang, "")
			base, _ := tag.Base()
			require.Equal(t, tt.lang, base.String())

			email := ts.Render(tag, Email, v)
			assert.Equal(t, tt.subject, email.Subject)
			for name, body := range map[string]string{"text": email.Text, "html": email.HTML} {
				assert.Contains(t, body, "Maria", name)
				assert.Contains(t, body, v.Number, name)
				assert.Contains(t, body, v.Username, name)
				assert.Contains(t, body, v.Link, name)
				assert.Contains(t, body, tt.expires, name)
				assert.NotContains(t, body, "{", name)
			}
			assert.Contains(t, email.HTML, `<html lang="`+tt.lang+`">`)
			assert.Contains(t, email.HTML, `<a href="`+v.Link+`" style=`)
			assert.Contains(t, email.HTML, ">"+tt.button+"</a>")
			assert.Contains(t, email.HTML, "<title>"+tt.subject+"</title>")

			sms := ts.Render(tag, SMS, v)
			assert.Empty(t, sms.Subject)
			assert.Empty(t, sms.HTML)
			for _, want := range []string{"Maria", "Acme Corp", v.Number, v.Link, tt.smsExpiry} {
				assert.Contains(t, sms.Text, want)
			}
			assert.Equal(t, tt.smsLen, len([]rune(sms.Text)), sms.Text)
			n, gsm := SMSSegments(sms.Text)
			assert.Equal(t, 1, n, sms.Text)
			assert.True(t, gsm, sms.Text)

			// Without a number yet: the wording says it is chosen at
			// activation, and no "()" or dangling label is left.
			v.Number = ""
			email = ts.Render(tag, Email, v)
			assert.Contains(t, email.Text, tt.noNumber)
			assert.Contains(t, email.HTML, tt.noNumber)
			assert.NotContains(t, email.Text, ": \n")
			sms = ts.Render(tag, SMS, v)
			assert.NotContains(t, sms.Text, "()")
			assert.Equal(t, tt.smsNoNum, len([]rune(sms.Text)), sms.Text)
			n, gsm = SMSSegments(sms.Text)
			assert.Equal(t, 1, n)
			assert.True(t, gsm)

			// A name outside GSM-7 switches the SMS to UCS-2: 70 characters
			// alone, 67 per part, so the same text takes three.
			v = SampleValues()
			v.FirstName = "Łucja"
			n, gsm = SMSSegments(ts.Render(tag, SMS, v).Text)
			assert.Equal(t, 3, n)
			assert.False(t, gsm)
		})
	}
}

func TestParseTemplateValid(t *testing.T) {
	v := SampleValues()
	link := v.Link
	exact := strings.Repeat("a", MaxTemplateSize-len("{web_app_link}")) + "{web_app_link}"
	tests := []struct {
		name string
		part Part
		src  string
		want string
	}{
		{"escaped braces", PartText, "{{f_name}} is written {{f_name}}: {web_app_link}", "{f_name} is written {f_name}: " + link},
		{"escaped closing braces", PartSMS, "}}{{ {{{f_name}}} {sign_in_btn}", "}{ {Maria} " + link},
		{"subject needs no link", PartSubject, "Welcome, {f_name} {l_name}", "Welcome, Maria Rossi"},
		{"subject may hold the link", PartSubject, "{sign_in_btn}", link},
		{"every placeholder", PartText, "{f_name}|{l_name}|{u_name}|{org_name}|{multiline_number}|{sign_in_btn}|{web_app_link}|{app_download_link}|{expires}",
			"Maria|Rossi|maria.rossi@example.com|Acme Corp|+390212345678|" + link + "|" + link + "|https://ml.example.com/app|16 March 2026, 17:00 UTC"},
		{"sms short expiry", PartSMS, "{web_app_link} {expires}", link + " 16 Mar 2026"},
		{"html css with doubled braces", PartHTML, "<style>p {{ color: red }}</style><p>{sign_in_btn}</p>",
			`<style>p { color: red }</style><p><a href="` + link + `" style="display:inline-block;padding:12px 24px;background:#0b5cff;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:bold">Activate MultiLine</a></p>`},
		{"html quoted attributes", PartHTML, `<a href="{web_app_link}" title='{f_name}'>{org_name}</a>`, `<a href="` + link + `" title='Maria'>Acme Corp</a>`},
		{"html comment", PartHTML, "<!-- <a {{f_name}} --> {web_app_link}", "<!-- <a {f_name} --> " + link},
		{"html less-than in text", PartHTML, "1 < 2 {f_name} {web_app_link}", "1 < 2 Maria " + link},
		{"unicode and tabs", PartText, "Grüße\t{f_name} 👋\r\n{web_app_link}", "Grüße\tMaria 👋\r\n" + link},
		{"exactly the size limit", PartText, exact, exact[:len(exact)-len("{web_app_link}")] + link},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, err := ParseTemplate(tt.part, tt.src)
			require.NoError(t, err)
			assert.Equal(t, tt.src, tpl.String())
			assert.Equal(t, tt.want, tpl.Render(language.English, v))
		})
	}
}

func TestParseTemplateInvalid(t *testing.T) {
	tests := []struct {
		name  string
		part  Part
		src   string
		codes []string
		msg   string // in the first error's message
	}{
		{"unknown placeholder", PartText, "Hi {first_name}, {web_app_link}", []string{CodeTemplateUnknownPlaceholder},
			"Email body (plain text): {first_name} at line 1, column 4 is not a placeholder; the placeholders are {f_name}, {l_name}"},
		{"two unknown placeholders", PartHTML, "<p>{foo}</p>\n<p>{bar} {sign_in_btn}</p>", []string{CodeTemplateUnknownPlaceholder, CodeTemplateUnknownPlaceholder},
			"Email body (HTML): {foo} at line 1, column 4"},
		{"second error on its line", PartSMS, "{web_app_link}\nok\n  é{nope}", []string{CodeTemplateUnknownPlaceholder}, "{nope} at line 3, column 4"},
		{"upper case", PartSMS, "{F_NAME} {web_app_link}", []string{CodeTemplateUnknownPlaceholder}, "placeholders are lower-case: {f_name}"},
		{"spaces inside", PartSMS, "{ f_name } {web_app_link}", []string{CodeTemplateSyntax}, "must be written without spaces: {f_name}"},
		{"empty placeholder", PartSMS, "{} {web_app_link}", []string{CodeTemplateSyntax}, "empty placeholder"},
		{"not a name", PartSMS, "{f-name} {web_app_link}", []string{CodeTemplateSyntax}, "{f-name} at line 1, column 1 is not a placeholder; write {{ and }}"},
		{"unclosed before next", PartText, "Hello {f_name {web_app_link}", []string{CodeTemplateUnbalanced}, "the { at line 1, column 7 is never closed"},
		{"unclosed at end", PartText, "{web_app_link} {f_name", []string{CodeTemplateUnbalanced}, "never closed; write {{ for a literal brace"},
		{"unopened", PartText, "Hi } {web_app_link}", []string{CodeTemplateUnbalanced}, "the } at line 1, column 4 has no matching {"},
		{"line break inside", PartText, "{f_\nname} {web_app_link}", []string{CodeTemplateUnbalanced, CodeTemplateUnbalanced}, "line 1, column 1"},
		{"percent in the name", PartSMS, "{50%} {web_app_link}", []string{CodeTemplateSyntax}, "{50%} at line 1"},
		{"empty", PartSubject, "", []string{CodeTemplateEmpty}, "Email subject must not be empty"},
		{"blank", PartSMS, " \n\t ", []string{CodeTemplateEmpty}, "SMS body must not be empty"},
		{"huge", PartHTML, strings.Repeat("x", MaxTemplateSize) + "{sign_in_btn}", []string{CodeTemplateTooLarge},
			"Email body (HTML) must be at most 16 KiB; it has 16397 bytes"},
		{"missing link in text", PartText, "Hello {f_name}", []string{CodeTemplateLinkRequired},
			"Email body (plain text) must contain the activation link, {sign_in_btn} or {web_app_link}"},
		{"missing link in sms", PartSMS, "Hi", []string{CodeTemplateLinkRequired}, "SMS body must contain"},
		{"download link is not the activation link", PartHTML, "<p>{app_download_link}</p>", []string{CodeTemplateLinkRequired}, "activation link"},
		{"escaped link is no link", PartSMS, "{{web_app_link}}", []string{CodeTemplateLinkRequired}, "activation link"},
		{"unquoted attribute", PartHTML, "<a href={web_app_link}>go</a>", []string{CodeTemplateHTMLContext},
			`{web_app_link} at line 1, column 9 is inside an HTML tag; put it in the text or in a quoted attribute value, as title="{web_app_link}"`},
		{"attribute position", PartHTML, "<p {f_name}>{sign_in_btn}</p>", []string{CodeTemplateHTMLContext}, "{f_name} at line 1, column 4"},
		{"tag name", PartHTML, "<{f_name}>{sign_in_btn}", []string{CodeTemplateHTMLContext}, "inside an HTML tag"},
		{"after a closed quote", PartHTML, `<a title="x" {f_name}>{sign_in_btn}</a>`, []string{CodeTemplateHTMLContext}, "inside an HTML tag"},
		{"subject line break", PartSubject, "Hi\n{f_name}", []string{CodeTemplateControl}, "Email subject must be a single line (line break at line 1, column 3)"},
		{"control character", PartSMS, "Hi\x00 {web_app_link}", []string{CodeTemplateControl}, "must not contain control characters (U+0000 at line 1, column 3)"},
		{"not utf-8", PartText, "\xff {web_app_link}", []string{CodeTemplateEncoding}, "Email body (plain text) must be UTF-8 text"},
		{"errors are capped", PartText, strings.Repeat("{x}", 100), []string{
			CodeTemplateUnknownPlaceholder, CodeTemplateUnknownPlaceholder, CodeTemplateUnknownPlaceholder, CodeTemplateUnknownPlaceholder, CodeTemplateUnknownPlaceholder,
			CodeTemplateUnknownPlaceholder, CodeTemplateUnknownPlaceholder, CodeTemplateUnknownPlaceholder, CodeTemplateUnknownPlaceholder, CodeTemplateUnknownPlaceholder,
		}, "{x} at line 1, column 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, err := ParseTemplate(tt.part, tt.src)
			require.Error(t, err)
			assert.Nil(t, tpl)
			assert.ErrorIs(t, err, mlerr.ErrInvalid)
			fields := mlerr.Fields(err)
			require.NotEmpty(t, fields)
			codes := make([]string, len(fields))
			for i, f := range fields {
				codes[i] = f.Code
				assert.Equal(t, "template."+string(tt.part), f.Field)
				assert.True(t, strings.HasPrefix(f.Message, tt.part.label()), f.Message)
				assert.LessOrEqual(t, len(f.Value), 70, "the offending value is cut short")
			}
			assert.Equal(t, tt.codes, codes)
			assert.Contains(t, fields[0].Message, tt.msg)
		})
	}
}

func TestParseTemplateUnknownPart(t *testing.T) {
	_, err := ParseTemplate(Part("fax"), "{web_app_link}")
	var fe *mlerr.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "template", fe.Field)
	assert.Equal(t, CodeTemplateUnknownPart, fe.Code)
	assert.Equal(t, "fax", fe.Value)
}

// TestRenderNotRecursive checks that values are inserted as they are: a
// value that looks like a placeholder or an escaped brace stays as it is.
func TestRenderNotRecursive(t *testing.T) {
	v := Values{
		FirstName: "{l_name}",
		LastName:  "{f_name}{f_name}",
		Username:  "{{u_name}}",
		OrgName:   "}{",
		Number:    "{multiline_number}",
		Link:      "https://ml.example.com/{sign_in_btn}",
	}
	src := "{f_name}|{l_name}|{u_name}|{org_name}|{multiline_number}|{web_app_link}"
	want := "{l_name}|{f_name}{f_name}|{{u_name}}|}{|{multiline_number}|https://ml.example.com/{sign_in_btn}"
	for _, part := range []Part{PartSubject, PartText, PartHTML, PartSMS} {
		tpl, err := ParseTemplate(part, src)
		require.NoError(t, err)
		assert.Equal(t, want, tpl.Render(language.English, v), part)
	}
}

func TestRenderHTMLEscapes(t *testing.T) {
	v := SampleValues()
	v.FirstName = "<script>alert(1)</script>"
	v.LastName = `" onmouseover="steal()`
	v.OrgName = "Tom & Jerry's"
	v.Link = `https://ml.example.com/i/x?a=1&b="><script>`
	tpl, err := ParseTemplate(PartHTML, `<p title="{l_name}">{f_name} {org_name}</p>{sign_in_btn}<a href='{web_app_link}'>`)
	require.NoError(t, err)
	got := tpl.Render(language.English, v)
	assert.NotContains(t, got, "<script>")
	assert.NotContains(t, got, `" onmouseover`)
	assert.Equal(t, `<p title="&#34; onmouseover=&#34;steal()">&lt;script&gt;alert(1)&lt;/script&gt; Tom &amp; Jerry&#39;s</p>`+
		`<a href="https://ml.example.com/i/x?a=1&amp;b=&#34;&gt;&lt;script&gt;" style="display:inline-block;padding:12px 24px;background:#0b5cff;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:bold">Activate MultiLine</a>`+
		`<a href='https://ml.example.com/i/x?a=1&amp;b=&#34;&gt;&lt;script&gt;'>`, got)

	// The built-in HTML escapes too; the plain text does not need to.
	email := DefaultTemplates().Render(language.English, Email, v)
	assert.NotContains(t, email.HTML, "<script>")
	assert.Contains(t, email.HTML, "&lt;script&gt;alert(1)&lt;/script&gt;")
	assert.Contains(t, email.Text, "<script>alert(1)</script>")
}

func TestRenderHTMLLinks(t *testing.T) {
	tpl, err := ParseTemplate(PartHTML, `<a href="{web_app_link}">x</a>|{sign_in_btn}|{app_download_link}`)
	require.NoError(t, err)
	tests := []struct {
		link, want string
	}{
		{"https://ml.example.com/i/t", `<a href="https://ml.example.com/i/t">x</a>|<a href="https://ml.example.com/i/t" style=`},
		{"HTTP://ml.example.com/", `<a href="HTTP://ml.example.com/">x</a>`},
		{"/i/relative", `<a href="/i/relative">x</a>`},
		{"javascript:alert(1)", `<a href="#invalid-link">x</a>|<a href="#invalid-link" style=`},
		{" JavaScript:alert(1)", `<a href="#invalid-link">x</a>`},
		{"data:text/html,<b>", `<a href="#invalid-link">x</a>`},
		{"https://[::1", `<a href="#invalid-link">x</a>`},
		{"", `<a href="">x</a>||`}, // no button to nowhere
	}
	for _, tt := range tests {
		t.Run(tt.link, func(t *testing.T) {
			v := Values{Link: tt.link, AppDownloadLink: tt.link}
			assert.Contains(t, tpl.Render(language.English, v), tt.want)
		})
	}
}

func TestRenderSubjectOneLine(t *testing.T) {
	v := SampleValues()
	v.OrgName = "Acme\r\nBcc: victim@example.com\x00"
	got := DefaultTemplates().Render(language.English, Email, v).Subject
	assert.Equal(t, "Acme  Bcc: victim@example.com  invites you to MultiLine", got)
}

func TestRenderNoNumberPhrase(t *testing.T) {
	tpl, err := ParseTemplate(PartSMS, "Numero: {multiline_number}. {web_app_link}")
	require.NoError(t, err)
	v := SampleValues()
	v.Number = ""
	tests := map[language.Tag]string{
		language.English: "chosen at activation",
		language.Italian: "da scegliere all'attivazione",
		language.German:  "Auswahl bei der Aktivierung",
		language.French:  "à choisir lors de l'activation",
		language.Spanish: "a elegir al activar",
	}
	for tag, phrase := range tests {
		assert.Equal(t, "Numero: "+phrase+". "+v.Link, tpl.Render(tag, v), tag)
	}
}

func TestRenderNilAndUnknown(t *testing.T) {
	var tpl *Template
	assert.Empty(t, tpl.Render(language.English, SampleValues()))
	ts := DefaultTemplates()
	assert.Nil(t, ts.Template(language.English, Part("fax")))
	assert.Equal(t, Rendered{}, ts.Render(language.English, Channel("pigeon"), SampleValues()))
	// A language without built-in texts renders English.
	assert.Equal(t, "Acme Corp invites you to MultiLine", ts.Render(language.Portuguese, Email, SampleValues()).Subject)
	assert.Equal(t, "Acme Corp invites you to MultiLine", ts.Render(language.Tag{}, Email, SampleValues()).Subject)
}

func TestPlaceholders(t *testing.T) {
	names := Placeholders()
	assert.Equal(t, []string{"f_name", "l_name", "u_name", "org_name", "multiline_number", "sign_in_btn", "web_app_link", "app_download_link", "expires"}, names)
	names[0] = "changed"
	assert.Equal(t, "f_name", Placeholders()[0])
}

func TestChoose(t *testing.T) {
	tests := []struct {
		account, org string
		want         language.Tag
	}{
		{"it", "de", language.Italian},
		{"", "de", language.German},
		{"", "", language.English},
		{"xx", "", language.English},
		{"xx", "fr", language.French},
		{"@@", "", language.English},
		{"@@", "es", language.Spanish},
		{"de-CH", "", language.German},
		{"fr-CA", "it", language.French},
		{"es-419", "", language.Spanish},
		{"en-US", "it", language.English},
		{"pt", "", language.English},
		{"pt", "it", language.Italian},
		{"pt-BR", "@@", language.English},
		{"gsw", "", language.German}, // Swiss German reads German
		{"Italiano", "", language.Italian},
		{"german", "", language.German},
		{"  DE  ", "", language.German},
		{"fr-CA,fr;q=0.9,en;q=0.5", "", language.French},
		{"pt-PT,nl;q=0.8", "es", language.Spanish},
		{"und", "fr", language.French},
		{"\xff\xfe", "it", language.Italian},
		{strings.Repeat("de-", 1000), "", language.English},
		{"", "Français", language.French},
	}
	for _, tt := range tests {
		t.Run(tt.account+"|"+tt.org, func(t *testing.T) {
			t.Parallel() // the matcher is shared by every goroutine
			assert.Equal(t, tt.want, Choose(tt.account, tt.org))
		})
	}
}

func TestExpiryFormats(t *testing.T) {
	mar := time.Date(2026, time.March, 16, 17, 0, 0, 0, time.UTC)
	aug := time.Date(2026, time.August, 1, 9, 5, 0, 0, time.FixedZone("CEST", 2*3600))
	tests := []struct {
		tag                     language.Tag
		long, short, augL, augS string
	}{
		{language.English, "16 March 2026, 17:00 UTC", "16 Mar 2026", "1 August 2026, 09:05 CEST", "1 Aug 2026"},
		{language.Italian, "16 marzo 2026, ore 17:00 UTC", "16/03/2026", "1 agosto 2026, ore 09:05 CEST", "01/08/2026"},
		{language.German, "16. März 2026, 17:00 UTC", "16.03.2026", "1. August 2026, 09:05 CEST", "01.08.2026"},
		{language.French, "16 mars 2026 à 17:00 UTC", "16/03/2026", "1er août 2026 à 09:05 CEST", "01/08/2026"},
		{language.Spanish, "16 de marzo de 2026, 17:00 UTC", "16/03/2026", "1 de agosto de 2026, 09:05 CEST", "01/08/2026"},
	}
	for _, tt := range tests {
		t.Run(tt.tag.String(), func(t *testing.T) {
			l := localeOf(tt.tag)
			assert.Equal(t, tt.long, l.expiry(mar, false))
			assert.Equal(t, tt.short, l.expiry(mar, true))
			assert.Equal(t, tt.augL, l.expiry(aug, false))
			assert.Equal(t, tt.augS, l.expiry(aug, true))
			assert.Empty(t, l.expiry(time.Time{}, false))
		})
	}
}

func TestTemplatesSetResetOverrides(t *testing.T) {
	var ts Templates
	require.NoError(t, ts.Set("de-CH", PartSMS, "Hallo {f_name}: {web_app_link}"))
	require.NoError(t, ts.Set("English", PartSubject, "Welcome to {org_name}"))

	v := SampleValues()
	assert.Equal(t, "Hallo Maria: "+v.Link, ts.Render(language.German, SMS, v).Text)
	assert.Equal(t, "Welcome to Acme Corp", ts.Render(language.English, Email, v).Subject)
	// Other texts stay built-in.
	assert.Equal(t, "Acme Corp ti invita su MultiLine", ts.Render(language.Italian, Email, v).Subject)
	assert.Equal(t, []Override{
		{Language: "en", Part: PartSubject, Source: "Welcome to {org_name}"},
		{Language: "de", Part: PartSMS, Source: "Hallo {f_name}: {web_app_link}"},
	}, ts.Overrides())

	// An invalid text leaves the set as it was.
	err := ts.Set("de", PartSMS, "Hallo {vorname}: {web_app_link}")
	require.Error(t, err)
	assert.Equal(t, CodeTemplateUnknownPlaceholder, mlerr.Fields(err)[0].Code)
	assert.Equal(t, "Hallo Maria: "+v.Link, ts.Render(language.German, SMS, v).Text)

	// A language without built-in texts cannot be customized.
	err = ts.Set("pt", PartSMS, "Olá {f_name}: {web_app_link}")
	var fe *mlerr.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "language", fe.Field)
	assert.Equal(t, account.CodeLanguageUnknown, fe.Code)
	require.Error(t, ts.Set("de", Part("fax"), "{web_app_link}"))

	// Copies are independent.
	saved := ts
	ts.Reset("de", PartSMS)
	ts.Reset("pt", PartSMS)     // no-op
	ts.Reset("de", Part("fax")) // no-op
	assert.Equal(t, builtin[2][3], ts.Template(language.German, PartSMS))
	assert.Len(t, ts.Overrides(), 1)
	assert.Len(t, saved.Overrides(), 2)
	assert.Equal(t, "Hallo Maria: "+v.Link, saved.Render(language.German, SMS, v).Text)

	assert.Empty(t, DefaultTemplates().Overrides())
}

func TestNewTemplates(t *testing.T) {
	ts, err := NewTemplates(
		Override{Language: "it", Part: PartSMS, Source: "Ciao {f_name}: {web_app_link}"},
		Override{Language: "it", Part: PartText, Source: "Ciao {nome}"},
		Override{Language: "xx", Part: PartText, Source: "{web_app_link}"},
	)
	require.Error(t, err)
	codes := []string{}
	for _, f := range mlerr.Fields(err) {
		codes = append(codes, f.Code)
	}
	assert.Equal(t, []string{CodeTemplateUnknownPlaceholder, account.CodeLanguageUnknown}, codes)
	// The valid override is in, the invalid ones left the built-in texts.
	v := SampleValues()
	assert.Equal(t, "Ciao Maria: "+v.Link, ts.Render(language.Italian, SMS, v).Text)
	assert.Contains(t, ts.Render(language.Italian, Email, v).Text, "Ciao Maria,\n\nAcme Corp ha preparato MultiLine")

	ts, err = NewTemplates()
	require.NoError(t, err)
	assert.Equal(t, DefaultTemplates(), ts)
}

func TestPreview(t *testing.T) {
	got, err := Preview("it-IT", PartSMS, "Ciao {f_name}: {web_app_link} ({expires})")
	require.NoError(t, err)
	assert.Equal(t, "Ciao Maria: https://ml.example.com/i/"+sampleToken+" (16/03/2026)", got)

	_, err = Preview("it", PartSMS, "Ciao {nome}")
	assert.ErrorIs(t, err, mlerr.ErrInvalid)

	r := DefaultTemplates().Preview("de", SMS)
	assert.True(t, strings.HasPrefix(r.Text, "Hallo Maria, Acme Corp lädt Sie"), r.Text)
	r = DefaultTemplates().Preview("@@", Email)
	assert.Equal(t, "Acme Corp invites you to MultiLine", r.Subject)
}

func TestTemplatesInvitationMessage(t *testing.T) {
	now := time.Date(2026, time.March, 9, 17, 0, 0, 0, time.FixedZone("CET", 3600))
	a := account.Account{FirstName: "Jürgen", LastName: "<b>Weiß</b>", Username: "j@example.com", Email: "j@example.com", Number: "+41445551234"}
	inv := Invitation{ID: "inv-7", Channel: Email, Destination: "j@example.com", TokenVersion: 3, ExpiresAt: now.Add(7 * 24 * time.Hour), Updated: now}
	const token = Token("tok_" + sampleToken)
	link := "https://ml.example.com/i/" + string(token)
	v := ValuesFor(a, inv, "Acme AG", link)
	assert.Equal(t, Values{FirstName: "Jürgen", LastName: "<b>Weiß</b>", Username: "j@example.com", OrgName: "Acme AG",
		Number: "+41445551234", Link: link, Expires: time.Date(2026, time.March, 16, 16, 0, 0, 0, time.UTC)}, v)

	ts := DefaultTemplates()
	m := ts.InvitationMessage(inv, a, "de-CH", v, token)
	assert.Equal(t, "Acme AG lädt Sie zu MultiLine ein", m.Subject)
	assert.Contains(t, m.Text, "Hallo Jürgen,")
	assert.Contains(t, m.Text, "gültig bis zum 16. März 2026, 16:00 UTC")
	assert.Contains(t, m.HTML, ">MultiLine aktivieren</a>")
	assert.Equal(t, IdempotencyKey("inv-7", 3), m.IdempotencyKey)
	assert.Equal(t, string(token), m.Secret)
	assert.Equal(t, "j@example.com", m.To)

	// The account's own language wins over the org's.
	a.Language = "fr"
	assert.Equal(t, "Acme AG vous invite à rejoindre MultiLine", ts.InvitationMessage(inv, a, "de", v, token).Subject)

	inv.Channel, inv.Destination = SMS, "+41795551234"
	m = ts.InvitationMessage(inv, a, "de", v, token)
	assert.Empty(t, m.Subject)
	assert.Empty(t, m.HTML)
	assert.Equal(t, "Bonjour Jürgen, Acme AG vous invite sur MultiLine (+41445551234) : "+link+" (expire le 16/03/2026)", m.Text)
}

func BenchmarkRenderInvitation(b *testing.B) {
	ts := DefaultTemplates()
	v := SampleValues()
	tag := Choose("it", "en")
	b.ReportAllocs()
	for b.Loop() {
		r := ts.Render(tag, Email, v)
		if r.Subject == "" || r.Text == "" || r.HTML == "" {
			b.Fatal("empty rendering")
		}
	}
}

// TestTemplateErrorsAreJoined checks that the problems of one part come as
// one errors.Join, which hosts take apart with mlerr.Fields.
func TestTemplateErrorsAreJoined(t *testing.T) {
	_, err := ParseTemplate(PartSMS, "{a} {b}")
	var joined interface{ Unwrap() []error }
	require.True(t, errors.As(err, &joined))
	assert.Len(t, joined.Unwrap(), 2)
}

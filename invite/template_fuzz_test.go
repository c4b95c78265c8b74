package invite

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/multilinehq/multiline/mlerr"
)

// FuzzParseTemplate feeds arbitrary text to the validator as each part. It
// must never panic; a refusal must be field errors of the template; an
// accepted template must keep its source, parse again, render the same
// twice, and never expand a value: a first name that spells a placeholder
// adds nothing the plain name would not.
func FuzzParseTemplate(f *testing.F) {
	f.Add(uint8(0), "{org_name} invites you", "Maria")
	f.Add(uint8(1), "Hello {f_name},\n{sign_in_btn}\n{{not}} }}", "{l_name}")
	f.Add(uint8(2), `<a href="{web_app_link}" title='{f_name}'>{org_name}</a><!-- {u_name} -->`, "<script>")
	f.Add(uint8(3), "Hi {f_name} ({multiline_number}) {web_app_link} {expires}", "{{f_name}}")
	f.Add(uint8(2), "<p {f_name}>{sign_in_btn}", `" onload="x`)
	f.Add(uint8(1), "{f_name {web_app_link} } {} {F_NAME} { l_name }", "}{")
	f.Add(uint8(7), "\xff{web_app_link}\x00", "")
	for _, p := range builtinPhrases {
		f.Add(uint8(3), p.sms, "Zoë")
	}
	f.Fuzz(func(t *testing.T, partIndex uint8, src, name string) {
		part := Part("unknown")
		if int(partIndex) < numParts {
			part = parts[partIndex]
		}
		tpl, err := ParseTemplate(part, src)
		if err != nil {
			if tpl != nil {
				t.Fatal("a refused template was returned")
			}
			fields := mlerr.Fields(err)
			if len(fields) == 0 || len(fields) > maxTemplateErrors {
				t.Fatalf("%d field errors in %v", len(fields), err)
			}
			for _, fe := range fields {
				if !strings.HasPrefix(fe.Code, "template.") || !strings.HasPrefix(fe.Field, "template") ||
					fe.Message == "" || !utf8.ValidString(fe.Value) || len(fe.Value) > 70 {
					t.Fatalf("unexpected field error %#v", fe)
				}
			}
			return
		}
		if tpl.String() != src || tpl.Part() != part {
			t.Fatal("the template lost its source or part")
		}
		if _, err := ParseTemplate(part, tpl.String()); err != nil {
			t.Fatalf("an accepted template fails a second parse: %v", err)
		}

		v := SampleValues()
		v.FirstName = name
		got := tpl.Render(language.French, v)
		if again := tpl.Render(language.French, v); again != got {
			t.Fatal("rendering is not deterministic")
		}

		// Non-recursion: with every other value a sentinel, a first name
		// spelling placeholders (or braces) yields as many sentinels as a
		// plain one, and the name appears as itself.
		const sentinel = "§SENTINEL§"
		s := Values{LastName: sentinel, Username: sentinel, OrgName: sentinel, Number: sentinel,
			Link: "https://x.example/" + sentinel, AppDownloadLink: sentinel}
		s.FirstName = "{l_name}{{u_name}}{org_name}}{web_app_link"
		tricky := tpl.Render(language.English, s)
		s.FirstName = "plain"
		plain := tpl.Render(language.English, s)
		if strings.Count(tricky, sentinel) != strings.Count(plain, sentinel) {
			t.Fatalf("a value was expanded:\n%q\n%q", tricky, plain)
		}
		if part == PartHTML {
			// User data never opens a tag of its own.
			s.FirstName = "<script>"
			withTag := tpl.Render(language.English, s)
			if strings.Count(withTag, "<script>") != strings.Count(plain, "<script>") {
				t.Fatalf("an HTML value was not escaped: %q", withTag)
			}
		}
		if part == PartSubject && strings.ContainsAny(got, "\r\n") {
			t.Fatalf("a subject spans lines: %q", got)
		}
	})
}

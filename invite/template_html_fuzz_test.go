package invite

import (
	"strings"
	"testing"

	"golang.org/x/text/language"

	"github.com/multilinehq/multiline/mlerr"
)

// FuzzHTMLBody feeds arbitrary HTML bodies and first names to the HTML
// body's check. It must never panic and refuse only with field errors of
// the part; and a body it accepts, rendered with any first name, must add
// no markup of the name's (as many '<', '>' and quotes as with a plain
// name) and must pass the check itself, as literal text: rendering never
// produces an element, handler, URL or style the check refuses.
func FuzzHTMLBody(f *testing.F) {
	for _, seed := range []string{
		`<p>Hello {f_name}</p>{sign_in_btn}`,
		`<a href="{web_app_link}" title='{f_name}'>{org_name}</a>`,
		`<a href="{f_name}">x</a>{sign_in_btn}`,
		`<a href="javascript:alert(1)">x</a>{sign_in_btn}`,
		`<a href="&#106;avascript:x">x</a>{sign_in_btn}`,
		`<img src=x onerror=alert(1)>{sign_in_btn}`,
		`<p style="color:{f_name}">x</p>{sign_in_btn}`,
		`<style>p {{ color: red }}</style>{sign_in_btn}`,
		`<script>{f_name}</script>{sign_in_btn}`,
		`<!--[if mso]><a href="javascript:x">x</a><![endif]-->{sign_in_btn}`,
		`<title>{f_name}</title><textarea>{f_name}</textarea>{web_app_link}`,
		`<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>{web_app_link}`,
		`<p/onclick="x">{web_app_link}`,
		`<!DOCTYPE html><html><body>{web_app_link}</body></html>`,
		`<a href=" {app_download_link}">a</a>{web_app_link}`,
	} {
		f.Add(seed, `"'><script>alert(1)</script>`)
	}
	f.Fuzz(func(t *testing.T, src, name string) {
		tpl, err := ParseTemplate(PartHTML, src)
		if err != nil {
			fields := mlerr.Fields(err)
			if len(fields) == 0 || len(fields) > maxTemplateErrors {
				t.Fatalf("%d field errors in %v", len(fields), err)
			}
			for _, fe := range fields {
				if fe.Field != "template.email_html" || !strings.HasPrefix(fe.Code, "template.") || fe.Message == "" {
					t.Fatalf("unexpected field error %#v", fe)
				}
			}
			return
		}
		v := SampleValues()
		v.FirstName = "Maria"
		plain := tpl.Render(language.English, v)
		v.FirstName = name
		hostile := tpl.Render(language.English, v)
		for _, c := range []string{"<", ">", `"`, "'"} {
			if strings.Count(hostile, c) != strings.Count(plain, c) {
				t.Fatalf("the name added %q:\n%q\n%q", c, plain, hostile)
			}
		}
		// The rendered body, braces doubled so that it is all literal text,
		// after a link so that it is a complete body.
		again := "{web_app_link} " + strings.NewReplacer("{", "{{", "}", "}}").Replace(hostile)
		if len(again) <= MaxTemplateSize && strings.IndexFunc(hostile, func(r rune) bool { return r < ' ' && r != '\n' && r != '\r' && r != '\t' || r == 0x7f }) < 0 {
			if _, err := ParseTemplate(PartHTML, again); err != nil {
				if fs := mlerr.Fields(err); len(fs) > 0 && fs[0].Code != CodeTemplateControl && fs[0].Code != CodeTemplateEncoding {
					t.Fatalf("the rendering of an accepted body fails the check: %v\nbody: %q\nrendered: %q", err, src, hostile)
				}
			}
		}
	})
}

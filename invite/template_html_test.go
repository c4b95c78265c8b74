package invite

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/multilinehq/multiline/mlerr"
)

// TestHTMLBodyRefused: what the HTML body's check refuses at save, each with
// its code (issue 11, defect 4).
func TestHTMLBodyRefused(t *testing.T) {
	const link = "{sign_in_btn}"
	tests := []struct {
		name string
		src  string
		code string
		msg  string // in the first error's message
	}{
		// Placeholders where escaping cannot make a value safe.
		{"user data in href", `<a href="{f_name}">x</a>` + link, CodeTemplatePlaceholderInURL, "{f_name} at line 1, column 10 is inside the URL of href"},
		{"position after doubled braces", "{{}}\n<a href=\"{f_name}\">x</a>" + link, CodeTemplatePlaceholderInURL, "{f_name} at line 2, column 10"},
		{"user data after a literal href", `<a href="https://acme.example/{u_name}">x</a>` + link, CodeTemplatePlaceholderInURL, "{u_name}"},
		{"user data in a single-quoted src", `<img src='{org_name}'>` + link, CodeTemplatePlaceholderInURL, "inside the URL of src"},
		{"user data in action", `<p><button formaction="{l_name}">x</button></p>` + link, CodeTemplatePlaceholderInURL, "formaction"},
		{"user data in background", `<td background="{f_name}"></td>` + link, CodeTemplatePlaceholderInURL, "background"},
		{"link after a literal prefix", `<a href="https://evil.example/?u={web_app_link}">x</a>`, CodeTemplatePlaceholderInURL, "at the start of an href"},
		{"link in src", `<img src="{app_download_link}">` + link, CodeTemplatePlaceholderInURL, "src"},
		{"user data in onclick", `<a onclick="{f_name}">x</a>` + link, CodeTemplateForbiddenAttribute, "event handler"},
		{"user data in style", `<p style="color:{f_name}">x</p>` + link, CodeTemplatePlaceholderInCode, "inside a style attribute"},
		{"user data in a style element", `<style>p {{ color: {f_name} }}</style>` + link, CodeTemplatePlaceholderInCode, "inside a <style> element"},
		{"user data in script", `<script>var n = "{f_name}";</script>` + link, CodeTemplateForbiddenElement, "<script> elements are not allowed"},
		{"user data in a comment", `<!-- {f_name} -->` + link, CodeTemplateHTMLContext, "inside an HTML comment"},
		{"user data in a doctype", `<!DOCTYPE {f_name}>` + link, CodeTemplateHTMLContext, "inside HTML markup"},
		{"user data in another attribute", `<a target="{f_name}">x</a>` + link, CodeTemplatePlaceholderInAttribute, "inside the target attribute"},
		{"user data in meta content", `<meta name="x" content="{f_name}">` + link, CodeTemplatePlaceholderInAttribute, "content attribute"},
		{"user data as an attribute name", `<p {f_name}="x">y</p>` + link, CodeTemplateHTMLContext, "inside an HTML tag"},
		{"user data after a slash", `<p/{f_name}>y</p>` + link, CodeTemplateHTMLContext, "inside an HTML tag"},
		{"unquoted after equals and space", `<a title= {f_name}>x</a>` + link, CodeTemplateHTMLContext, "inside an HTML tag"},

		// Elements, attributes and URLs refused whatever the values.
		{"script", "<script>alert(1)</script>" + link, CodeTemplateForbiddenElement, "<script>"},
		{"script upper case", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>" + link, CodeTemplateForbiddenElement, "<script>"},
		{"iframe", `<iframe src="https://acme.example"></iframe>` + link, CodeTemplateForbiddenElement, "<iframe>"},
		{"object", `<object data="x.swf"></object>` + link, CodeTemplateForbiddenElement, "<object>"},
		{"embed", `<embed src="x.swf">` + link, CodeTemplateForbiddenElement, "<embed>"},
		{"form", `<form action="https://acme.example/"><input name="p"></form>` + link, CodeTemplateForbiddenElement, "<form>"},
		{"svg", `<svg><a href="https://acme.example">x</a></svg>` + link, CodeTemplateForbiddenElement, "<svg>"},
		{"base", `<base href="https://evil.example/">` + link, CodeTemplateForbiddenElement, "<base>"},
		{"noscript", `<noscript><p title="</noscript><img src=x onerror=alert(1)>"></p></noscript>` + link, CodeTemplateForbiddenElement, "<noscript>"},
		{"onclick", `<a href="https://acme.example" onclick="steal()">x</a>` + link, CodeTemplateForbiddenAttribute, "(onclick)"},
		{"onerror unquoted", `<img src=x onerror=alert(1)>` + link, CodeTemplateForbiddenAttribute, "(onerror)"},
		{"onload upper case", `<body ONLOAD="x()">` + link, CodeTemplateForbiddenAttribute, "(onload)"},
		{"handler after a slash", `<img/src="x"/onerror="x()">` + link, CodeTemplateForbiddenAttribute, "(onerror)"},
		{"meta refresh", `<meta http-equiv="Refresh" content="0;url=https://evil.example">` + link, CodeTemplateForbiddenAttribute, "refresh"},
		{"conditional comment", `<!--[if mso]><a href="javascript:x()">x</a><![endif]-->` + link, CodeTemplateForbiddenElement, "conditional comments"},
		{"javascript link", `<a href="javascript:alert(document.domain)">x</a>` + link, CodeTemplateUnsafeURL, "href must be an http, https"},
		{"javascript upper case", `<a href="JavaScript:alert(1)">x</a>` + link, CodeTemplateUnsafeURL, "href"},
		{"javascript with spaces", `<a href="  javascript:alert(1)">x</a>` + link, CodeTemplateUnsafeURL, "href"},
		{"javascript with a tab", "<a href=\"java\tscript:alert(1)\">x</a>" + link, CodeTemplateUnsafeURL, "href"},
		{"javascript with a line break", "<a href=\"java\nscript:alert(1)\">x</a>" + link, CodeTemplateUnsafeURL, "href"},
		{"javascript decimal references", `<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>` + link, CodeTemplateUnsafeURL, "href"},
		{"javascript references without semicolons", `<a href="&#106&#97vascript&#58alert(1)">x</a>` + link, CodeTemplateUnsafeURL, "href"},
		{"javascript hex reference", `<a href="&#x6A;avascript:alert(1)">x</a>` + link, CodeTemplateUnsafeURL, "href"},
		{"javascript named colon", `<a href="javascript&colon;alert(1)">x</a>` + link, CodeTemplateUnsafeURL, "href"},
		{"javascript tab reference", `<a href="java&Tab;script:alert(1)">x</a>` + link, CodeTemplateUnsafeURL, "href"},
		{"javascript unquoted", `<a href=javascript:alert(1)>x</a>` + link, CodeTemplateUnsafeURL, "href"},
		{"data link", `<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>` + link, CodeTemplateUnsafeURL, "href"},
		{"data image", `<img src="DATA:image/svg+xml,<svg onload=alert(1)>">` + link, CodeTemplateUnsafeURL, "src"},
		{"vbscript", `<a href="vbscript:msgbox(1)">x</a>` + link, CodeTemplateUnsafeURL, "href"},
		{"srcset", `<img srcset="a.png 1x, javascript:alert(1) 2x">` + link, CodeTemplateUnsafeURL, "srcset"},
		{"formaction", `<button formaction="javascript:x()">x</button>` + link, CodeTemplateUnsafeURL, "formaction"},
		{"style expression", `<p style="width: expression(alert(1))">x</p>` + link, CodeTemplateUnsafeCSS, "style attributes"},
		{"style javascript url", `<p style="background:url(javascript:alert(1))">x</p>` + link, CodeTemplateUnsafeCSS, "style attributes"},
		{"style escape", `<p style="background:url(\6a avascript:x)">x</p>` + link, CodeTemplateUnsafeCSS, "style attributes"},
		{"style comment split", `<p style="background:url(java/**/script:x)">x</p>` + link, CodeTemplateUnsafeCSS, "style attributes"},
		{"style entity", `<p style="background:url(&#106;avascript:x)">x</p>` + link, CodeTemplateUnsafeCSS, "style attributes"},
		{"style import", `<style>@import url(https://evil.example/x.css);</style>` + link, CodeTemplateUnsafeCSS, "<style>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, err := ParseTemplate(PartHTML, tt.src)
			require.Error(t, err)
			assert.Nil(t, tpl)
			assert.ErrorIs(t, err, mlerr.ErrInvalid)
			fs := mlerr.Fields(err)
			require.NotEmpty(t, fs)
			var codes []string
			for _, fe := range fs {
				assert.Equal(t, "template.email_html", fe.Field)
				codes = append(codes, fe.Code)
			}
			assert.Contains(t, codes, tt.code)
			assert.Equal(t, tt.code, mlerr.CodeOf(err), "the first refusal is the one the case is about")
			assert.Contains(t, fs[0].Message, tt.msg)
			assert.Contains(t, fs[0].Message, "line ")
		})
	}
}

// TestHTMLBodyAccepted: ordinary email markup passes, and each placeholder
// renders as its context needs.
func TestHTMLBodyAccepted(t *testing.T) {
	v := SampleValues()
	link := v.Link
	tests := []struct {
		name, src, want string
	}{
		{"link placeholders keep their place in href",
			`<a href="{sign_in_btn}">Go</a> <a href='{web_app_link}'>Web</a> <a href=" {app_download_link}">App</a>`,
			`<a href="` + link + `">Go</a> <a href='` + link + `'>Web</a> <a href=" https://ml.example.com/app">App</a>`},
		{"text attributes", `<img alt="{f_name} {l_name}" title='{org_name}' data-user="{u_name}" aria-label="{f_name}" src="cid:logo">{web_app_link}`,
			`<img alt="Maria Rossi" title='Acme Corp' data-user="maria.rossi@example.com" aria-label="Maria" src="cid:logo">` + link},
		{"title is text", `<html><head><title>{org_name}: {sign_in_btn}</title></head><body>{f_name}</body></html>`,
			`<html><head><title>Acme Corp: ` + link + `</title></head><body>Maria</body></html>`},
		{"safe literal links", `<a href="https://acme.example/help">h</a><a href="mailto:help@acme.example">m</a><a href="tel:+3902">t</a><a href="/faq#q:1">f</a><a href="?x=a:b">q</a>{sign_in_btn}`,
			`<a href="https://acme.example/help">h</a><a href="mailto:help@acme.example">m</a><a href="tel:+3902">t</a><a href="/faq#q:1">f</a><a href="?x=a:b">q</a><a href="` + link + `" style=`},
		{"styles", `<style>p {{ color: #333; font: 14px Arial }}</style><p style="margin:0;color:#1f2933">{f_name}</p>{web_app_link}`,
			`<style>p { color: #333; font: 14px Arial }</style><p style="margin:0;color:#1f2933">Maria</p>` + link},
		{"a comment without placeholders", `<!-- layout v2 -->{web_app_link}`, `<!-- layout v2 -->` + link},
		{"markup in text stays text", `a < b and c > d: {f_name} {web_app_link}`, `a < b and c > d: Maria ` + link},
		{"the word javascript in text", `Turn on javascript: {web_app_link}`, `Turn on javascript: ` + link},
		{"meta charset", `<meta charset="utf-8"><meta name="viewport" content="width=device-width">{web_app_link}`,
			`<meta charset="utf-8"><meta name="viewport" content="width=device-width">` + link},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, err := ParseTemplate(PartHTML, tt.src)
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(tpl.Render(language.English, v), tt.want), tpl.Render(language.English, v))
		})
	}
}

// TestHTMLBodyHostileValues: whatever a first name holds, it adds no markup
// and no link: the attack of issue 11, defect 4, against each place a
// placeholder may stand.
func TestHTMLBodyHostileValues(t *testing.T) {
	tpl, err := ParseTemplate(PartHTML, `<p title="{f_name}">{f_name}</p><title>{f_name}</title><a href="{web_app_link}">go</a>`)
	require.NoError(t, err)
	v := SampleValues()
	v.FirstName = `javascript:alert(document.domain)"><script>alert(1)</script><a href='x' onclick=y>`
	got := tpl.Render(language.English, v)
	assert.NotContains(t, got, "<script>")
	assert.NotContains(t, got, "<a href='x'")
	assert.Equal(t, 3, strings.Count(got, "&#34;&gt;&lt;script&gt;"))
	assert.Equal(t, 1, strings.Count(got, "<a "), "the only link is the activation link")
	v.Link = "javascript:alert(1)"
	assert.Contains(t, tpl.Render(language.English, v), `href="#invalid-link"`)
}

package multiline_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/org"
)

// Custom HTML templates that would put user data in a link, an event
// handler or a style, or that hold a script or a javascript: link, are
// refused when saved (issue 11, defect 4); a first name that spells a
// javascript: URL never becomes a link.
func TestCustomTemplateSafeByConstruction(t *testing.T) {
	f := newFixture(t)
	html := func(src string) org.Settings {
		return org.Settings{InvitationTemplates: org.Set([]org.TemplateText{{Language: "en", Part: string(invite.PartHTML), Source: src}})}
	}
	for _, tt := range []struct{ src, code string }{
		{`<a href="{f_name}">Hi</a>{sign_in_btn}`, "template.placeholder_in_url"},
		{`<a onclick="{f_name}">Hi</a>{sign_in_btn}`, "template.forbidden_attribute"},
		{`<p style="{f_name}">Hi</p>{sign_in_btn}`, "template.placeholder_in_code"},
		{`<script>alert(document.domain)</script>{sign_in_btn}`, "template.forbidden_element"},
		{`<a href="javascript:alert(document.domain)">Hi</a>{sign_in_btn}`, "template.unsafe_url"},
	} {
		_, err := f.svc.UpdateOrgSettings(ctx, f.root, f.sales.ID, html(tt.src))
		assertField(t, err, "template.email_html", tt.code)
		_, err = f.svc.CreateOrg(ctx, f.root, f.acme.Org.ID, multiline.OrgInput{Name: "New", Settings: html(tt.src)})
		assertField(t, err, "template.email_html", tt.code)
	}

	_, err := f.svc.UpdateOrgSettings(ctx, f.root, f.sales.ID, html(`<p title="{f_name}">Hello {f_name}</p><a href="{web_app_link}">Activate</a>`))
	require.NoError(t, err)
	f.numbers(t, f.sales.ID, nums("+14155550101")...)
	in := input("js")
	in.FirstName = "javascript:alert(document.domain)"
	_, err = f.svc.SaveAndInvite(ctx, f.root, f.sales.ID, in, multiline.InviteOptions{})
	require.NoError(t, err)
	ms := f.outbox.Messages()
	require.NotEmpty(t, ms)
	got := ms[len(ms)-1].HTML
	assert.Contains(t, got, `<a href="https://multiline.example/activate/`)
	assert.Equal(t, 1, strings.Count(got, "href="))
	assert.NotContains(t, strings.ToLower(got), `href="javascript:`)
}

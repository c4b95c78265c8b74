package invite_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/org"
)

func TestOrgTemplates(t *testing.T) {
	assert.NoError(t, invite.CheckOrgTemplates(org.Settings{}), "no texts set, nothing to check")
	bad := org.Settings{InvitationTemplates: org.Override[[]org.TemplateText]{Set: true, Value: []org.TemplateText{{Language: "en", Part: "sms", Source: "{{.Nope"}}}}
	require.Error(t, invite.CheckOrgTemplates(bad))

	// A stored text that does not parse falls back to the built-in one.
	def := invite.OrgTemplates(org.Effective{})
	fallback := invite.OrgTemplates(org.Effective{Templates: bad.InvitationTemplates.Value})
	assert.Equal(t, def.Preview("en", invite.SMS), fallback.Preview("en", invite.SMS))
}

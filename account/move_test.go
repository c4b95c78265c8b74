package account_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

func TestDestinationAdmit(t *testing.T) {
	std := permissions.Profile{ID: "std", OrgID: "dst", Name: "Standard", Default: true}
	other := permissions.Profile{ID: "other", OrgID: "dst", Name: "Other"}
	settings := org.Effective{
		Features:     []org.Feature{"voicemail"},
		Applications: []org.Application{"mobile"},
		EmailDomains: []string{"example.com"},
	}
	dest := account.NewDestination(org.Org{ID: "dst", Name: "Sales"}, settings, []permissions.Profile{std, other}, []org.ID{"dst", "root"})
	require.True(t, dest.HasDefault)

	a := account.Account{ID: "a1", Username: "ada@example.com", Email: "ada@example.com", ProfileID: "gone",
		Features: []org.Feature{"voicemail", "fax"}, Applications: []org.Application{"desktop"},
		SocialMessaging: true, RestrictIncomingSocial: true}
	moved, changes, err := dest.Admit(a, "")
	require.NoError(t, err)
	assert.Equal(t, permissions.ProfileID("std"), moved.ProfileID)
	assert.Equal(t, []org.Feature{"voicemail"}, moved.Features)
	assert.Equal(t, []org.Application{"mobile"}, moved.Applications)
	assert.False(t, moved.SocialMessaging)
	assert.False(t, moved.RestrictIncomingSocial)
	assert.Equal(t, []account.Change{
		{Field: "user_permissions", From: "gone", To: "std"},
		{Field: "features", From: "fax", To: "off"},
		{Field: "applications", From: "desktop", To: "off"},
		{Field: "applications", From: "", To: "mobile"},
		{Field: "social_messaging", From: "Yes", To: "No"},
		{Field: "restrict_incoming_social_messaging", From: "true", To: "false"},
	}, changes)

	// A chosen profile wins; a visible one is kept.
	moved, _, err = dest.Admit(a, "other")
	require.NoError(t, err)
	assert.Equal(t, permissions.ProfileID("other"), moved.ProfileID)
	a.ProfileID = "other"
	moved, changes, err = dest.Admit(a, "")
	require.NoError(t, err)
	assert.Equal(t, permissions.ProfileID("other"), moved.ProfileID)
	assert.NotContains(t, changes, account.Change{Field: "user_permissions", From: "other", To: "std"})
}

func TestDestinationRefusals(t *testing.T) {
	settings := org.Effective{Applications: []org.Application{"mobile"}, EmailDomains: []string{"example.com"}}
	noDefault := account.NewDestination(org.Org{ID: "dst", Name: "Sales"}, settings, nil, []org.ID{"dst"})
	for _, tc := range []struct {
		name string
		dest account.Destination
		a    account.Account
		code string
	}{
		{"email outside the domains", noDefault, account.Account{Email: "ada@evil.example", ProfileID: "p"}, account.CodeEmailDomainNotAllowed},
		{"no profile", noDefault, account.Account{Email: "ada@example.com", ProfileID: "p"}, account.CodeProfileNoDefault},
		{"offload needs an email", account.Destination{Name: "Ops", Settings: org.Effective{SMTPDataOffload: true}},
			account.Account{Username: "+14155550100"}, account.CodeEmailRequiredOffload},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := tc.dest.Admit(tc.a, "")
			var d *account.DestinationError
			require.ErrorAs(t, err, &d)
			assert.NotEmpty(t, d.Reason)
			assert.Equal(t, tc.code, mlerr.CodeOf(err))
		})
	}
	err := noDefault.CheckProfile("elsewhere")
	assert.Equal(t, account.CodeProfileNotVisible, mlerr.CodeOf(err))
	assert.NoError(t, noDefault.CheckProfile(""))
}

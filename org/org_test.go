package org_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
)

func TestApplication(t *testing.T) {
	tests := []struct {
		app       org.Application
		valid     bool
		emailOnly bool
	}{
		{org.AppMobile, true, false},
		{org.AppDesktop, true, true},
		{org.AppTeams, true, true},
		{org.AppIntune, true, true},
		{"", false, false},
		{"Mobile", false, false},
		{"web", false, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.app), func(t *testing.T) {
			assert.Equal(t, tt.valid, tt.app.Valid())
			assert.Equal(t, tt.emailOnly, tt.app.EmailOnly())
		})
	}
}

func TestDefaults(t *testing.T) {
	d := org.Defaults()
	assert.False(t, d.SocialMessaging)
	assert.False(t, d.SMTPDataOffload)
	assert.Empty(t, d.Features)
	assert.Equal(t, []org.Application{org.AppMobile}, d.Applications)
	assert.Empty(t, d.EmailDomains)
	assert.Equal(t, "en", d.Language)
	assert.Equal(t, 7*24*time.Hour, d.InvitationTTL)
	assert.Equal(t, org.DefaultInvitationTTL, d.InvitationTTL)
	assert.Zero(t, d.UtilizationAlert)
	assert.Empty(t, d.AlertRecipients)

	// Each call returns its own slices: changing one result does not change
	// the defaults of the next.
	d.Applications[0] = org.AppDesktop
	assert.Equal(t, []org.Application{org.AppMobile}, org.Defaults().Applications)
}

func TestResolve(t *testing.T) {
	carrier := org.Org{ID: "carrier", Name: "Carrier", Settings: org.Settings{
		SocialMessaging: org.Set(true),
		Features:        org.Set([]org.Feature{org.FeatureTeamsCalling, org.FeatureCallRecording}),
		Applications:    org.Set([]org.Application{org.AppMobile, org.AppDesktop}),
		Language:        org.Set("it"),
		InvitationTTL:   org.Set(72 * time.Hour),
		AlertRecipients: org.Set([]string{"noc@carrier.example"}),
	}}
	enterprise := org.Org{ID: "acme", ParentID: "carrier", Name: "Acme", Settings: org.Settings{
		SocialMessaging:  org.Set(false), // overrides true with the zero value
		EmailDomains:     org.Set([]string{"@acme.example"}),
		Language:         org.Set("de"),
		UtilizationAlert: org.Set(80),
		// An override with Set false is "inherit", whatever its Value.
		SMTPDataOffload: org.Override[bool]{Set: false, Value: true},
	}}
	department := org.Org{ID: "sales", ParentID: "acme", Name: "Sales", Settings: org.Settings{
		SMTPDataOffload: org.Set(true),
		Features:        org.Set([]org.Feature{}), // overrides with an empty list
	}}

	tests := []struct {
		name    string
		lineage []org.Org
		want    org.Effective
	}{
		{
			name:    "no lineage: defaults",
			lineage: nil,
			want:    org.Defaults(),
		},
		{
			name:    "root that sets nothing: defaults",
			lineage: []org.Org{{ID: "root"}},
			want:    org.Defaults(),
		},
		{
			name:    "root",
			lineage: []org.Org{carrier},
			want: org.Effective{
				SocialMessaging: true,
				Features:        []org.Feature{org.FeatureTeamsCalling, org.FeatureCallRecording},
				Applications:    []org.Application{org.AppMobile, org.AppDesktop},
				Language:        "it",
				InvitationTTL:   72 * time.Hour,
				AlertRecipients: []string{"noc@carrier.example"},
			},
		},
		{
			name:    "child overrides and inherits the rest",
			lineage: []org.Org{enterprise, carrier},
			want: org.Effective{
				SocialMessaging:  false,
				Features:         []org.Feature{org.FeatureTeamsCalling, org.FeatureCallRecording},
				Applications:     []org.Application{org.AppMobile, org.AppDesktop},
				EmailDomains:     []string{"@acme.example"},
				Language:         "de",
				InvitationTTL:    72 * time.Hour,
				UtilizationAlert: 80,
				AlertRecipients:  []string{"noc@carrier.example"},
			},
		},
		{
			name:    "grandchild inherits from the nearest ancestor that sets a value",
			lineage: []org.Org{department, enterprise, carrier},
			want: org.Effective{
				SocialMessaging:  false,           // from acme, not carrier
				SMTPDataOffload:  true,            // its own
				Features:         []org.Feature{}, // its own empty list, not carrier's
				Applications:     []org.Application{org.AppMobile, org.AppDesktop},
				EmailDomains:     []string{"@acme.example"},
				Language:         "de", // acme is nearer than carrier
				InvitationTTL:    72 * time.Hour,
				UtilizationAlert: 80,
				AlertRecipients:  []string{"noc@carrier.example"},
			},
		},
		{
			name:    "sub-org under a root that sets nothing keeps defaults where unset",
			lineage: []org.Org{department, {ID: "root"}},
			want: org.Effective{
				SMTPDataOffload: true,
				Features:        []org.Feature{},
				Applications:    []org.Application{org.AppMobile},
				Language:        "en",
				InvitationTTL:   org.DefaultInvitationTTL,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, org.Resolve(tt.lineage))
		})
	}
}

func TestEffectiveHas(t *testing.T) {
	e := org.Effective{
		Features:     []org.Feature{org.FeatureTeamsCalling},
		Applications: []org.Application{org.AppMobile, org.AppTeams},
	}
	assert.True(t, e.HasFeature(org.FeatureTeamsCalling))
	assert.False(t, e.HasFeature(org.FeatureCallRecording))
	assert.True(t, e.HasApplication(org.AppTeams))
	assert.False(t, e.HasApplication(org.AppDesktop))
	assert.False(t, org.Effective{}.HasFeature(org.FeatureTeamsCalling))
	assert.False(t, org.Effective{}.HasApplication(org.AppMobile))
}

func TestEmailDomainAllowed(t *testing.T) {
	tests := []struct {
		name    string
		domains []string
		email   string
		want    bool
	}{
		{name: "empty list allows any", domains: nil, email: "ann@anything.example", want: true},
		{name: "empty list allows even garbage", domains: []string{}, email: "no-at-sign", want: true},
		{name: "listed with @", domains: []string{"@example.com"}, email: "ann@example.com", want: true},
		{name: "listed without @", domains: []string{"example.com"}, email: "ann@example.com", want: true},
		{name: "case-insensitive email", domains: []string{"@example.com"}, email: "Ann@EXAMPLE.Com", want: true},
		{name: "case-insensitive entry", domains: []string{"@Example.COM"}, email: "ann@example.com", want: true},
		{name: "second entry", domains: []string{"@a.example", "@b.example"}, email: "ann@b.example", want: true},
		{name: "other domain", domains: []string{"@example.com"}, email: "ann@example.org", want: false},
		{name: "subdomain is another domain", domains: []string{"@example.com"}, email: "ann@sales.example.com", want: false},
		{name: "suffix is not a match", domains: []string{"@example.com"}, email: "ann@badexample.com", want: false},
		{name: "parent of listed subdomain", domains: []string{"@sales.example.com"}, email: "ann@example.com", want: false},
		{name: "domain in local part only", domains: []string{"@example.com"}, email: "example.com@evil.example", want: false},
		{name: "no @ with a list", domains: []string{"@example.com"}, email: "example.com", want: false},
		{name: "IDN domain", domains: []string{"@bücher.de"}, email: "ann@BÜCHER.de", want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := org.Effective{EmailDomains: tt.domains}
			assert.Equal(t, tt.want, e.EmailDomainAllowed(tt.email))
		})
	}
}

func TestIDs(t *testing.T) {
	assert.Equal(t, []org.ID{"c", "b", "a"}, org.IDs([]org.Org{{ID: "c"}, {ID: "b"}, {ID: "a"}}))
	assert.Empty(t, org.IDs(nil))
}

func TestCheckMove(t *testing.T) {
	carrier := org.Org{ID: "carrier", Name: "Carrier"}
	acme := org.Org{ID: "acme", ParentID: "carrier", Name: "Acme"}
	sales := org.Org{ID: "sales", ParentID: "acme", Name: "Sales"}
	support := org.Org{ID: "support", ParentID: "acme", Name: "Support"}
	other := org.Org{ID: "other", Name: "Other Carrier"}
	otherChild := org.Org{ID: "globex", ParentID: "other", Name: "Globex"}

	tests := []struct {
		name     string
		from, to []org.Org
		wantErr  string // empty: allowed
	}{
		{name: "sibling to sibling", from: []org.Org{sales, acme, carrier}, to: []org.Org{support, acme, carrier}},
		{name: "down to a child", from: []org.Org{acme, carrier}, to: []org.Org{sales, acme, carrier}},
		{name: "up to the root", from: []org.Org{sales, acme, carrier}, to: []org.Org{carrier}},
		{name: "same org", from: []org.Org{sales, acme, carrier}, to: []org.Org{sales, acme, carrier}, wantErr: `already in "Sales"`},
		{name: "same root", from: []org.Org{carrier}, to: []org.Org{carrier}, wantErr: "already in"},
		{name: "other tree", from: []org.Org{sales, acme, carrier}, to: []org.Org{otherChild, other}, wantErr: `"Sales" and "Globex" are not in the same organization tree`},
		{name: "other root", from: []org.Org{carrier}, to: []org.Org{other}, wantErr: "not in the same organization tree"},
		{name: "unknown source", from: nil, to: []org.Org{acme, carrier}, wantErr: "unknown organization"},
		{name: "unknown destination", from: []org.Org{acme, carrier}, to: nil, wantErr: "unknown organization"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := org.CheckMove(tt.from, tt.to)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, org.ErrMove)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestValidateSettings(t *testing.T) {
	tests := []struct {
		name      string
		settings  org.Settings
		wantCodes []string
	}{
		{name: "nothing set", settings: org.Settings{}},
		{
			name: "everything valid",
			settings: org.Settings{
				SocialMessaging:  org.Set(true),
				SMTPDataOffload:  org.Set(true),
				Features:         org.Set([]org.Feature{org.FeatureTeamsCalling, org.FeatureCallRecording, org.FeatureSMSRecording}),
				Applications:     org.Set(org.Applications),
				EmailDomains:     org.Set([]string{"@example.com", "example.org", "@sales.example.co.uk"}),
				Language:         org.Set("it"),
				InvitationTTL:    org.Set(time.Hour),
				UtilizationAlert: org.Set(100),
				AlertRecipients:  org.Set([]string{"noc@example.com"}),
			},
		},
		{name: "TTL 90 days", settings: org.Settings{InvitationTTL: org.Set(90 * 24 * time.Hour)}},
		{name: "alert 0 turns it off", settings: org.Settings{UtilizationAlert: org.Set(0)}},
		{name: "alert 1", settings: org.Settings{UtilizationAlert: org.Set(1)}},
		{name: "empty domain list allows any", settings: org.Settings{EmailDomains: org.Set([]string{})}},
		{name: "unset values are not checked", settings: org.Settings{
			Applications:     org.Override[[]org.Application]{Value: nil},
			InvitationTTL:    org.Override[time.Duration]{Value: -1},
			UtilizationAlert: org.Override[int]{Value: 1000},
		}},
		{name: "unknown feature", settings: org.Settings{Features: org.Set([]org.Feature{"teleport"})}, wantCodes: []string{"features.unknown"}},
		{name: "no application", settings: org.Settings{Applications: org.Set([]org.Application{})}, wantCodes: []string{"applications.required"}},
		{name: "unknown application", settings: org.Settings{Applications: org.Set([]org.Application{org.AppMobile, "fax"})}, wantCodes: []string{"applications.unknown"}},
		{name: "domain without dot", settings: org.Settings{EmailDomains: org.Set([]string{"@localhost"})}, wantCodes: []string{"email_domains.format"}},
		{name: "bare @", settings: org.Settings{EmailDomains: org.Set([]string{"@"})}, wantCodes: []string{"email_domains.format"}},
		{name: "empty domain", settings: org.Settings{EmailDomains: org.Set([]string{""})}, wantCodes: []string{"email_domains.format"}},
		{name: "address, not domain", settings: org.Settings{EmailDomains: org.Set([]string{"ann@example.com"})}, wantCodes: []string{"email_domains.format"}},
		{name: "domain with space", settings: org.Settings{EmailDomains: org.Set([]string{"@exa mple.com"})}, wantCodes: []string{"email_domains.format"}},
		{name: "TTL too short", settings: org.Settings{InvitationTTL: org.Set(59 * time.Minute)}, wantCodes: []string{"invitation_ttl.range"}},
		{name: "TTL too long", settings: org.Settings{InvitationTTL: org.Set(90*24*time.Hour + time.Second)}, wantCodes: []string{"invitation_ttl.range"}},
		{name: "TTL zero", settings: org.Settings{InvitationTTL: org.Set(time.Duration(0))}, wantCodes: []string{"invitation_ttl.range"}},
		{name: "alert negative", settings: org.Settings{UtilizationAlert: org.Set(-1)}, wantCodes: []string{"utilization_alert.range"}},
		{name: "alert over 100", settings: org.Settings{UtilizationAlert: org.Set(101)}, wantCodes: []string{"utilization_alert.range"}},
		{
			name: "every error at once, in order",
			settings: org.Settings{
				Features:         org.Set([]org.Feature{"x", org.FeatureTeamsCalling, "y"}),
				Applications:     org.Set([]org.Application{"fax"}),
				EmailDomains:     org.Set([]string{"@ok.example", "bad"}),
				InvitationTTL:    org.Set(time.Minute),
				UtilizationAlert: org.Set(200),
			},
			wantCodes: []string{"features.unknown", "features.unknown", "applications.unknown", "email_domains.format", "invitation_ttl.range", "utilization_alert.range"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := org.ValidateSettings(tt.settings)
			if len(tt.wantCodes) == 0 {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, mlerr.ErrInvalid)
			fields := mlerr.Fields(err)
			codes := make([]string, len(fields))
			for i, fe := range fields {
				codes[i] = fe.Code
				assert.True(t, errors.Is(fe, mlerr.ErrInvalid), "%s does not wrap ErrInvalid", fe.Code)
				assert.NotEmpty(t, fe.Message)
				assert.Equal(t, fe.Field+".", fe.Code[:len(fe.Field)+1], "code %q does not start with its field %q", fe.Code, fe.Field)
			}
			assert.Equal(t, tt.wantCodes, codes)
		})
	}
}

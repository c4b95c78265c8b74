package org_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
)

func TestCheckName(t *testing.T) {
	tests := []struct {
		in, want, code string
	}{
		{"  Acme Corp ", "Acme Corp", ""},
		{"Zoë & Söhne — Bücher 株式会社", "Zoë & Söhne — Bücher 株式会社", ""},
		{strings.Repeat("é", 100), strings.Repeat("é", 100), ""},
		{"", "", "org_name.required"},
		{" \u00a0 ", "", "org_name.required"},
		{" \t ", "", "org_name.control_character"},
		{"Acme\n", "", "org_name.control_character"},
		{"Acme\u0085", "", "org_name.control_character"},
		{strings.Repeat("a", 101), "", "org_name.format"},
		{"Acme\xff", "", "org_name.format"},
		{"Ac\nme", "", "org_name.control_character"},
		{"Ac\r\nme", "", "org_name.control_character"},
		{"Ac\tme", "", "org_name.control_character"},
		{"Ac\x00me", "", "org_name.control_character"},
		{"Ac\x7fme", "", "org_name.control_character"},
		{"Ac\u0085me", "", "org_name.control_character"}, // NEXT LINE, C1
		{"Ac\u009bme", "", "org_name.control_character"}, // CSI, C1
		{"Ac\u2028me", "", "org_name.control_character"}, // LINE SEPARATOR
		{"Ac\u2029me", "", "org_name.control_character"}, // PARAGRAPH SEPARATOR
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := org.CheckName(tt.in)
			if tt.code == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				return
			}
			require.ErrorIs(t, err, mlerr.ErrInvalid)
			var fe *mlerr.FieldError
			require.True(t, errors.As(err, &fe))
			assert.Equal(t, "org_name", fe.Field)
			assert.Equal(t, tt.code, mlerr.CodeOf(err))
			assert.NotEmpty(t, fe.Message)
		})
	}
}

func TestIsControl(t *testing.T) {
	for _, r := range []rune{0, '\t', '\n', '\r', 0x1b, 0x7f, 0x80, 0x85, 0x9f, 0x2028, 0x2029} {
		assert.True(t, org.IsControl(r), "%U", r)
	}
	for _, r := range []rune{' ', 'a', 'é', 0xa0, 0x200b, '株'} {
		assert.False(t, org.IsControl(r), "%U", r)
	}
}

func TestValidateSettingsAlertRecipients(t *testing.T) {
	tests := []struct {
		name  string
		in    []string
		codes []string
	}{
		{"good", []string{"ops@acme.example", "Night.Shift+alerts@acme.example"}, nil},
		{"none", []string{}, nil},
		{"header injection", []string{"ops@acme.example\r\nBcc: x@evil.example"}, []string{"alert_recipients.space"}},
		{"bare line feed", []string{"ops@acme.example\nBcc: x@evil.example"}, []string{"alert_recipients.space"}},
		{"next line", []string{"ops@acme.example\u0085Bcc: x@evil.example"}, []string{"alert_recipients.space"}},
		{"not an address", []string{"not an address"}, []string{"alert_recipients.space"}},
		{"two in one", []string{"a@x.example, b@y.example"}, []string{"alert_recipients.space"}},
		{"two without a space", []string{"a@x.example,b@y.example"}, []string{"alert_recipients.format"}},
		{"display name", []string{"Ops <ops@acme.example>"}, []string{"alert_recipients.display_name"}},
		{"no dot", []string{"ops@localhost"}, []string{"alert_recipients.domain"}},
		{"empty", []string{""}, []string{"alert_recipients.format"}},
		{"each one reported", []string{"ok@acme.example", "bad", "also bad@x.example"}, []string{"alert_recipients.format", "alert_recipients.space"}},
		{"too many", slicesRepeat("ops@acme.example", org.MaxAlertRecipients+1), []string{"alert_recipients.too_many"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := org.ValidateSettings(org.Settings{AlertRecipients: org.Set(tt.in)})
			var codes []string
			for _, fe := range mlerr.Fields(err) {
				assert.Equal(t, "alert_recipients", fe.Field)
				assert.NotEmpty(t, fe.Message)
				codes = append(codes, fe.Code)
			}
			assert.Equal(t, tt.codes, codes)
			if tt.codes != nil {
				assert.ErrorIs(t, err, mlerr.ErrInvalid)
			}
		})
	}
}

func slicesRepeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

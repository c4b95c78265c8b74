package multiline_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
)

// Alert recipients are validated like an account's email when saved: one
// bare address each, no header injection (issue 11, defect 5).
func TestAlertRecipientsValidated(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		recipient, code string
	}{
		{"ops@acme.example\r\nBcc: x@evil.example", "alert_recipients.space"},
		{"not an address", "alert_recipients.space"},
		{"a@x.example, b@y.example", "alert_recipients.space"},
		{"Ops <ops@acme.example>", "alert_recipients.display_name"},
	}
	for _, tt := range tests {
		t.Run(tt.recipient, func(t *testing.T) {
			settings := org.Settings{UtilizationAlert: org.Set(50), AlertRecipients: org.Set([]string{"good@acme.example", tt.recipient})}
			_, err := f.svc.UpdateOrgSettings(ctx, f.root, f.sales.ID, settings)
			assertField(t, err, "alert_recipients", tt.code)
			_, err = f.svc.CreateOrg(ctx, f.root, f.acme.Org.ID, multiline.OrgInput{Name: "New", Settings: settings})
			assertField(t, err, "alert_recipients", tt.code)
			_, err = f.svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "T", AdminName: "A", AdminEmail: "a@t.example", Settings: settings})
			assertField(t, err, "alert_recipients", tt.code)
		})
	}
	sales, err := f.svc.UpdateOrgSettings(ctx, f.root, f.sales.ID, org.Settings{AlertRecipients: org.Set([]string{"ops@acme.example"})})
	require.NoError(t, err)
	assert.Equal(t, []string{"ops@acme.example"}, sales.Settings.AlertRecipients.Value)
}

// Organization, profile and administrator names refuse every control
// character, C1 included, and the line and paragraph separators (issue 11,
// defect 6).
func TestNamesRefuseControls(t *testing.T) {
	f := newFixture(t)
	for _, bad := range []string{"Ac\u0085me", "Ac\u2028me", "Ac\u2029me", "Ac\r\nme", "Ac\x1bme", "Acme\u009b"} {
		t.Run(bad, func(t *testing.T) {
			_, err := f.svc.CreateOrg(ctx, f.root, f.acme.Org.ID, multiline.OrgInput{Name: bad})
			assertField(t, err, "org_name", "org_name.control_character")
			_, err = f.svc.CreateTenant(ctx, multiline.TenantInput{OrgName: bad, AdminName: "A", AdminEmail: "a@t.example"})
			assertField(t, err, "org_name", "org_name.control_character")
			_, err = f.svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "T", ProfileName: bad, AdminName: "A", AdminEmail: "a@t.example"})
			assertField(t, err, "profile_name", "profile_name.control_character")
			_, err = f.svc.CreateProfile(ctx, f.root, f.sales.ID, multiline.ProfileInput{Name: bad})
			assertField(t, err, "profile_name", "profile_name.control_character")
			_, err = f.svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "T", AdminName: bad, AdminEmail: "a@t.example"})
			assertField(t, err, "admin_name", "admin_name.control_character")
		})
	}
}

// assertField asserts that err is invalid input whose field errors include
// field with code.
func assertField(t *testing.T, err error, field, code string) {
	t.Helper()
	require.ErrorIs(t, err, mlerr.ErrInvalid)
	for _, fe := range mlerr.Fields(err) {
		if fe.Field == field && fe.Code == code {
			return
		}
	}
	t.Errorf("no %s error with code %s in %v", field, code, err)
}

// A name or recipient stored before the rules above (written straight to
// the store here) still never reaches a mail header: the alert's subject
// has no control character and a recipient that is no address is skipped.
func TestAlertGuardsStoredSettings(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.store.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		o, err := tx.Org(ctx, f.sales.ID)
		if err != nil {
			return err
		}
		o.Name = "Sales\u0085Bcc: x@evil.example"
		o.Settings.UtilizationAlert = org.Set(50)
		o.Settings.AlertRecipients = org.Set([]string{"noc@acme.example", "ops@acme.example\r\nBcc: x@evil.example"})
		return tx.UpdateOrg(ctx, o)
	}))
	f.numbers(t, f.sales.ID, nums("+14155550101", "+14155550102")...)
	in := input("a")
	in.AssignNumber = "+14155550101"
	_, err := f.svc.Save(ctx, f.root, f.sales.ID, in)
	require.NoError(t, err)
	_, err = f.svc.DeliverPending(ctx)
	require.NoError(t, err)
	var alerts []invite.Message
	for _, m := range f.outbox.Messages() {
		if m.Kind == invite.KindAdmin {
			alerts = append(alerts, m)
		}
	}
	require.Len(t, alerts, 1)
	assert.Equal(t, "noc@acme.example", alerts[0].To)
	assert.False(t, strings.ContainsFunc(alerts[0].Subject, org.IsControl), "%q", alerts[0].Subject)
}

package batch

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
)

// TestValidateRow covers the rules account.Validate checks for a CSV row,
// as the upload reports them: the column's name as Field, the account code,
// a message that starts with the column.
func TestValidateRow(t *testing.T) {
	long := strings.Repeat("a", 101)
	tests := []struct {
		name   string
		cells  map[Column]string
		social bool
		fields []string
		codes  []string
	}{
		{"good email row", nil, false, nil, nil},
		{"good device row", map[Column]string{EmailOrDevice: "+1 (415) 200-0001"}, false, nil, nil},
		{"names may be empty", map[Column]string{FirstName: "", LastName: ""}, false, nil, nil},
		{"first name too long", map[Column]string{FirstName: long}, false, []string{"firstname"}, []string{"first_name.too_long"}},
		{"last name with a line break", map[Column]string{LastName: `"Smith` + "\n" + `Jones"`}, false, []string{"lastname"}, []string{"last_name.control_character"}},
		{"email and device empty", map[Column]string{EmailOrDevice: ""}, false, []string{"email address or device"}, []string{account.CodeDestinationRequired}},
		{"email with display name", map[Column]string{EmailOrDevice: `"Ann <ann@example.com>"`}, false, []string{"email address or device"}, []string{account.CodeEmailDisplayName}},
		{"email without domain dot", map[Column]string{EmailOrDevice: "ann@example"}, false, []string{"email address or device"}, []string{account.CodeEmailDomain}},
		{"device without country code", map[Column]string{EmailOrDevice: "(415) 200-0001"}, false, []string{"email address or device"}, []string{"device.country_code"}},
		{"device in scientific notation", map[Column]string{EmailOrDevice: "1.41520E+10"}, false, []string{"email address or device"}, []string{"device.scientific_notation"}},
		{"device invalid", map[Column]string{EmailOrDevice: "+1 555"}, false, []string{"email address or device"}, []string{"device.format"}},
		{"forwarding formatted", map[Column]string{ForwardingNumber: "+1 (415) 555-0100"}, false, nil, nil},
		{"forwarding too short", map[Column]string{ForwardingNumber: "123"}, false, []string{"forwarding_number"}, []string{account.CodeForwardingLength}},
		{"forwarding with letters", map[Column]string{ForwardingNumber: "call me"}, false, []string{"forwarding_number"}, []string{account.CodeForwardingFormat}},
		{"social Yes, org without social messaging", map[Column]string{SocialMessaging: "Yes"}, false, []string{"social_messaging"}, []string{account.CodeSocialNotEnabled}},
		{"social Yes, org with social messaging", map[Column]string{SocialMessaging: "Yes"}, true, nil, nil},
		{"restrict true with social No", map[Column]string{RestrictIncomingSocial: "true"}, true, []string{"restrict_incoming_social_messaging"}, []string{account.CodeRestrictNeedsSocial}},
		{"restrict true with social Yes", map[Column]string{SocialMessaging: "yes", RestrictIncomingSocial: "true"}, true, nil, nil},
		// Parse errors and account errors come together, in column order.
		{"parse and account errors merged", map[Column]string{FirstName: long, MonitorSMS: "x", EmailOrDevice: "ann@"}, false,
			[]string{"firstname", "email address or device", "monitor_sms"}, []string{"first_name.too_long", account.CodeEmailFormat, CodeMonitorSMSValue}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := Parse(strings.NewReader(file(hdr, rowWith(tt.cells))), Options{SocialMessaging: tt.social})
			require.NoError(t, err)
			d, err := ValidateRow(rows[0], testPolicy(tt.social))
			fes := mlerr.Fields(err)
			var fields []string
			for _, fe := range fes {
				fields = append(fields, fe.Field)
				assert.True(t, strings.HasPrefix(fe.Message, fe.Field), "message %q names the column", fe.Message)
			}
			assert.Equal(t, tt.fields, fields)
			assert.Equal(t, tt.codes, codes(err))
			if tt.codes == nil {
				require.NoError(t, err)
				assert.EqualValues(t, "std", d.Account.ProfileID, "the default profile")
			}
		})
	}
}

func TestValidateRowDraft(t *testing.T) {
	rows, err := Parse(strings.NewReader(file(hdr,
		"  José , Müller ,+1 (415) 200-0001,yes,16282000000,off,ON,+1 415 555 0100,TRUE,Deutsch")), Options{SocialMessaging: true, Profile: "std"})
	require.NoError(t, err)
	d, err := ValidateRow(rows[0], testPolicy(true))
	require.NoError(t, err)
	a := d.Account
	assert.Equal(t, "José", a.FirstName)
	assert.Equal(t, "Müller", a.LastName)
	assert.Equal(t, "+14152000001", a.Device)
	assert.Equal(t, "+14152000001", a.Username)
	assert.Equal(t, "", a.Email)
	assert.Equal(t, "+14155550100", a.Forwarding)
	assert.Equal(t, "de", a.Language)
	assert.True(t, a.SocialMessaging)
	assert.True(t, a.RestrictIncomingSocial)
	assert.False(t, a.RecordCalls)
	assert.True(t, a.RecordSMS)
	assert.Equal(t, "+16282000000", d.Number.E164)
}

// TestValidateRowPolicyForm: whatever Form the policy says, a row is a CSV
// row (no Account ID or applications asked for).
func TestValidateRowPolicyForm(t *testing.T) {
	rows, err := Parse(strings.NewReader(file(hdr, good)), Options{})
	require.NoError(t, err)
	p := testPolicy(false)
	p.Form = account.SingleForm
	_, err = ValidateRow(rows[0], p)
	assert.NoError(t, err)
}

// TestValidateRowNumberAsAccountReadsIt: ValidateRow does not have
// account.Validate read the number again; the draft must be the one
// account.Validate would give.
func TestValidateRowNumberAsAccountReadsIt(t *testing.T) {
	for _, cell := range []string{"+16282000000", "+1 (628) 200-0000", "16282000000", "+44 20 7946 0958", "+39 06 6982 0000"} {
		rows, err := Parse(strings.NewReader(file(hdr, rowWith(map[Column]string{MultilineNumber: cell}))), Options{})
		require.NoError(t, err)
		require.NoError(t, rows[0].Err, cell)
		got, err := ValidateRow(rows[0], testPolicy(false))
		require.NoError(t, err)
		want, err := account.Validate(rows[0].Input, testPolicy(false))
		require.NoError(t, err)
		assert.Equal(t, want, got, cell)
		assert.NotEmpty(t, got.Number.E164)
	}
}

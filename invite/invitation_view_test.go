package invite_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/invite"
)

func TestInvitationViews(t *testing.T) {
	inv := invite.Invitation{ID: "i1", Channel: invite.SMS, Destination: "+14155550102", TokenVersion: 2,
		State: invite.Pending, TokenHash: []byte{1, 2}, Retired: [][]byte{{3}}, Consent: &invite.Consent{AdminID: "adm"}}
	b, err := json.Marshal(inv.AuditView())
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"i1","channel":"sms","destination":"+14155550102","token_version":2,
		"expires_at":"0001-01-01T00:00:00Z","state":"pending","sms_consent":{"AdminID":"adm","At":"0001-01-01T00:00:00Z","Disclaimer":""}}`, string(b))
	out := inv.WithoutHashes()
	assert.Nil(t, out.TokenHash)
	assert.Nil(t, out.Retired)
	assert.NotNil(t, inv.TokenHash, "the original keeps its hashes")
}

func TestJitter(t *testing.T) {
	d := 30 * time.Second
	for i := range 50 {
		got := invite.Jitter(d, bytes.NewReader([]byte{byte(i * 5), byte(i), 3, 4, 5, 6, 7, byte(i)}))
		assert.GreaterOrEqual(t, got, d)
		assert.LessOrEqual(t, got, d+d/2)
	}
	assert.Equal(t, d, invite.Jitter(d, iotest.ErrReader(assert.AnError)), "no randomness: no jitter")
	assert.Equal(t, time.Duration(1), invite.Jitter(1, bytes.NewReader(make([]byte, 8))))
}

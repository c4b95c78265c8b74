package multiline

import (
	"encoding/json"
	"strconv"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/numberpool"
)

// The audit snapshots an import writes for every row, built by hand as
// accountJSON is: reflection cost more than the rest of the audit event.
// snapshot picks them by type, so every audit of these records gets them.
// TestSnapshotJSON and FuzzSnapshotJSON hold them to json.Marshal's output
// byte for byte, so a field added to a record fails them until it is added
// here.

// knownSnapshot returns the hand-built JSON of v and true, or false for a
// type snapshot must marshal.
func knownSnapshot(v any) (json.RawMessage, bool) {
	switch v := v.(type) {
	case account.Account:
		return accountJSON(v), true
	case numberpool.Number:
		return numberJSON(v), true
	case invite.AuditView:
		return invitationJSON(v), true
	}
	return nil, false
}

// numberJSON is json.Marshal(n).
func numberJSON(n numberpool.Number) json.RawMessage {
	var buf [512]byte // see accountJSON
	return exact(appendNumberJSON(buf[:0], n))
}

// appendNumberJSON appends numberJSON(n) to b (see appendAccountJSON).
func appendNumberJSON(b []byte, n numberpool.Number) []byte {
	b = appendField(b, '{', "E164", n.E164)
	b = appendField(b, ',', "OrgID", string(n.OrgID))
	b = appendField(b, ',', "State", string(n.State))
	b = appendField(b, ',', "Tag", n.Tag)
	b = appendField(b, ',', "AccountID", n.Account)
	b = appendField(b, ',', "Origin", string(n.Origin))
	b = append(b, `,"AgingUntil":`...)
	b = appendTime(b, n.AgingUntil)
	return append(b, '}')
}

// invitationJSON is json.Marshal(v).
func invitationJSON(v invite.AuditView) json.RawMessage {
	var buf [1024]byte // see accountJSON
	return exact(appendInvitationJSON(buf[:0], v))
}

// appendInvitationJSON appends invitationJSON(v) to b (see
// appendAccountJSON).
func appendInvitationJSON(b []byte, v invite.AuditView) []byte {
	b = appendField(b, '{', "id", string(v.ID))
	b = appendField(b, ',', "channel", string(v.Channel))
	b = appendField(b, ',', "destination", v.Destination)
	b = append(b, `,"token_version":`...)
	b = strconv.AppendInt(b, int64(v.TokenVersion), 10)
	b = append(b, `,"expires_at":`...)
	b = appendTime(b, v.ExpiresAt)
	b = appendField(b, ',', "state", string(v.State))
	if c := v.SMSConsent; c != nil {
		b = appendField(b, ',', "sms_consent", "")
		b = b[:len(b)-2] // the empty string's quotes: the value is an object
		b = appendField(b, '{', "AdminID", c.AdminID)
		b = append(b, `,"At":`...)
		b = appendTime(b, c.At)
		b = appendField(b, ',', "Disclaimer", c.Disclaimer)
		b = append(b, '}')
	}
	return append(b, '}')
}

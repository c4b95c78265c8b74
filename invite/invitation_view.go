package invite

import (
	"encoding/binary"
	"io"
	"time"
)

// AuditView is what the audit log keeps of an invitation: never its token
// hashes.
type AuditView struct {
	ID           ID        `json:"id"`
	Channel      Channel   `json:"channel"`
	Destination  string    `json:"destination"`
	TokenVersion int       `json:"token_version"`
	ExpiresAt    time.Time `json:"expires_at"`
	State        State     `json:"state"`
	SMSConsent   *Consent  `json:"sms_consent,omitempty"`
}

// AuditView returns what the audit log keeps of inv.
func (inv Invitation) AuditView() AuditView {
	return AuditView{ID: inv.ID, Channel: inv.Channel, Destination: inv.Destination,
		TokenVersion: inv.TokenVersion, ExpiresAt: inv.ExpiresAt, State: inv.State, SMSConsent: inv.Consent}
}

// WithoutHashes is inv as a service hands it to a caller: the hashes of its
// tokens stay in the store, since nothing outside it needs them.
func (inv Invitation) WithoutHashes() Invitation {
	inv.TokenHash, inv.Retired = nil, nil
	return inv
}

// Jitter is the wait d plus a random jitter of up to half of it, drawn from
// r, so that messages that failed together (a mail server down for a
// while) do not all retry in lock-step. If r fails, the wait is d alone.
func Jitter(d time.Duration, r io.Reader) time.Duration {
	half := d / 2
	if half <= 0 {
		return d
	}
	var b [8]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return d
	}
	return d + time.Duration(binary.LittleEndian.Uint64(b[:])%uint64(half+1))
}

package invite

import (
	"errors"
	"strings"
	"time"
)

// The outbox's state machine (SPEC §7). A message is Queued when it is
// written, leased (its NextAttempt moved ahead) for each attempt, and then
// Sent, or Failed until its next attempt, or Abandoned; a resend, a delete
// or a suspension Cancels it. Sent, Cancelled and Abandoned are final: a
// message in one never changes again, so the outcome of an attempt that was
// in flight when its message was cancelled is dropped rather than recorded.

// ErrFinal refuses a change to a message in a final state (Sent, Cancelled,
// Abandoned).
var ErrFinal = errors.New("invite: the message is in a final state and never changes again")

// MaxErrorLen bounds the last error kept on a message, in bytes.
const MaxErrorLen = 500

// Final reports whether d is a final state: Sent, Cancelled or Abandoned.
func (d MessageState) Final() bool { return d == Sent || d == Cancelled || d == Abandoned }

// Due reports whether m waits for an attempt at now: it is Queued or Failed
// and its NextAttempt (the end of its backoff or lease) is not after now.
func (m Message) Due(now time.Time) bool {
	return (m.State == Queued || m.State == Failed) && !m.NextAttempt.After(now)
}

// Cancel withdraws m: it becomes Cancelled and is never sent or retried. A
// message in a final state is returned unchanged with ErrFinal.
func (m Message) Cancel() (Message, error) {
	if m.State.Final() {
		return m, ErrFinal
	}
	m.State = Cancelled
	return m, nil
}

// Lease reserves m for one attempt: other deliverers leave it alone until
// until, when, if the attempt's outcome was never recorded (the process
// died), it is due again. A message in a final state is refused with
// ErrFinal.
func (m Message) Lease(until time.Time) (Message, error) {
	if m.State.Final() {
		return m, ErrFinal
	}
	m.NextAttempt = until
	return m, nil
}

// Delivered records a successful attempt at now: m is Sent, and its body
// and secret are dropped, since the outbox has no more use for them and
// keeping them would keep a usable activation link. A message in a final
// state is returned unchanged with ErrFinal: the outcome is dropped.
func (m Message) Delivered(now time.Time) (Message, error) {
	if m.State.Final() {
		return m, ErrFinal
	}
	m.Attempts++
	m.State, m.SentAt, m.LastError, m.NextAttempt = Sent, now, "", time.Time{}
	m.Text, m.HTML, m.Secret = "", "", ""
	return m, nil
}

// Retry is what decides a message's fate after a failed attempt.
type Retry struct {
	// Wait is how long the message waits before its next attempt: the
	// backoff, with its jitter.
	Wait time.Duration
	// MaxAttempts is how many failed attempts abandon a message that carries
	// no invitation (an admin notification). An invitation is retried until
	// its link expires instead; its account shows the failure.
	MaxAttempts int
	// Expires is when the invitation's link stops working; a retry due at or
	// after it would deliver a dead link, so the message is abandoned (a
	// resend starts over). Zero for messages without a link.
	Expires time.Time
}

// Undelivered records a failed attempt at now, for reason: m is Failed until
// now+r.Wait, or Abandoned as r says. The reason is kept with the message's
// secret shortened (a notifier's error may echo the body) and bounded to
// MaxErrorLen bytes. A message in a final state is returned unchanged with
// ErrFinal: the outcome is dropped.
func (m Message) Undelivered(now time.Time, reason string, r Retry) (Message, error) {
	if m.State.Final() {
		return m, ErrFinal
	}
	m.Attempts++
	m.State, m.LastError, m.NextAttempt = Failed, boundError(m.Redact(reason)), now.Add(r.Wait)
	switch {
	case m.Kind != KindInvitation && m.Attempts >= r.MaxAttempts:
		m.State = Abandoned
	case m.Kind == KindInvitation && !r.Expires.IsZero() && !m.NextAttempt.Before(r.Expires):
		m.State = Abandoned
	}
	if m.State == Abandoned {
		m.NextAttempt = time.Time{}
	}
	return m, nil
}

// boundError cuts s to at most MaxErrorLen bytes, on a character boundary.
func boundError(s string) string {
	if len(s) <= MaxErrorLen {
		return s
	}
	return strings.ToValidUTF8(s[:MaxErrorLen], "")
}

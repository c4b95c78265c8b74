// Package notify delivers outbound messages: the Notifier interface the
// service's outbox calls, a Recorder that keeps what it was given (for tests
// and hosts that deliver messages themselves), and a Logger that writes each
// message to a log/slog logger with the activation token shortened.
//
// A Notifier is called after the transaction that queued the message has
// committed, and again by the outbox's retries: it must pass
// Message.IdempotencyKey on (as an email's Message-ID, an SMS gateway's
// client reference) so that a duplicate caused by a crash after the send can
// be recognized downstream.
package notify

import (
	"context"
	"log/slog"
	"sync"

	"github.com/multilinehq/multiline/invite"
)

// Notifier delivers one message. A nil error means the message was accepted
// for delivery; any error is recorded on the message and retried later.
type Notifier interface {
	Send(ctx context.Context, m invite.Message) error
}

// Func adapts a function to a Notifier.
type Func func(ctx context.Context, m invite.Message) error

// Send calls f.
func (f Func) Send(ctx context.Context, m invite.Message) error { return f(ctx, m) }

// Recorder is a Notifier that records every message it accepts. It is safe
// for concurrent use. Fail makes it refuse messages, to simulate an outage.
type Recorder struct {
	mu sync.Mutex
	// msgs are the messages in order, in blocks of 16, 32, … up to
	// maxRecorderBlock each: a block is never moved once allocated, where
	// one slice grown by append copied every message again at each growth
	// and allocated some three times what it kept (a 1000-message import
	// took 1 MB for 0.3 MB of messages).
	msgs [][]invite.Message
	n    int
	fail error
}

// maxRecorderBlock is the size of a Recorder's largest blocks of messages.
const maxRecorderBlock = 1024

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{} }

// Send records m, or returns the error set by Fail.
func (r *Recorder) Send(ctx context.Context, m invite.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	if k := len(r.msgs); k == 0 || len(r.msgs[k-1]) == cap(r.msgs[k-1]) {
		r.msgs = append(r.msgs, make([]invite.Message, 0, min(16<<min(k, 6), maxRecorderBlock)))
	}
	last := &r.msgs[len(r.msgs)-1]
	*last = append(*last, m)
	r.n++
	return nil
}

// Fail makes every later Send return err; Fail(nil) restores delivery.
func (r *Recorder) Fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail = err
}

// Messages returns a copy of the messages recorded so far, in order.
func (r *Recorder) Messages() []invite.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n == 0 {
		return nil
	}
	out := make([]invite.Message, 0, r.n)
	for _, b := range r.msgs {
		out = append(out, b...)
	}
	return out
}

// Reset forgets the recorded messages.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs, r.n = nil, 0
}

// Logger is a Notifier that logs each message instead of sending it. The
// activation token is shortened to its first characters, so a log never holds
// a usable link.
type Logger struct {
	log *slog.Logger
}

// NewLogger returns a Logger writing to l (slog.Default() when nil).
func NewLogger(l *slog.Logger) *Logger {
	if l == nil {
		l = slog.Default()
	}
	return &Logger{log: l}
}

// Send logs m.
func (l *Logger) Send(ctx context.Context, m invite.Message) error {
	l.log.InfoContext(ctx, "multiline: message",
		slog.String("kind", string(m.Kind)),
		slog.String("channel", string(m.Channel)),
		slog.String("to", m.To),
		slog.String("subject", m.Subject),
		slog.String("text", m.Redact(m.Text)),
		slog.String("idempotency_key", m.IdempotencyKey),
	)
	return nil
}

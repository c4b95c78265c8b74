package smtp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/textproto"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
	gmsmtp "github.com/wneessen/go-mail/smtp"
)

var (
	// ErrPermanent matches (with errors.Is) a send that will fail the same
	// way if retried unchanged: the outbox may stop retrying it.
	ErrPermanent = errors.New("smtp: permanent failure")

	// ErrTemporary matches (with errors.Is) a send that may succeed later:
	// a 4xx reply, a network failure, a timeout or a cancellation.
	ErrTemporary = errors.New("smtp: temporary failure")

	// ErrUnsupportedChannel refuses a message whose channel is not
	// invite.Email; SMS messages belong to another notifier.
	ErrUnsupportedChannel = errors.New("smtp: only email messages can be sent over SMTP")

	// ErrInvalidMessage refuses a message that cannot be sent as it is: an
	// unparsable recipient, an empty text, an unprintable idempotency key.
	ErrInvalidMessage = errors.New("smtp: invalid message")

	// ErrStartTLSUnavailable reports a server that does not offer STARTTLS
	// while Config.TLS is TLSMandatory. Nothing, not even the credentials, was
	// sent to it.
	ErrStartTLSUnavailable = errors.New("smtp: server does not offer STARTTLS")

	// ErrAuthUnavailable reports a server that does not offer the configured
	// authentication mechanism (many servers offer none before STARTTLS).
	ErrAuthUnavailable = errors.New("smtp: server does not offer the configured authentication mechanism")

	// ErrInvalidConfig is wrapped by every error New returns.
	ErrInvalidConfig = errors.New("smtp: invalid configuration")
)

// Error is a failed send. It matches ErrPermanent or ErrTemporary with
// errors.Is, and unwraps to its cause.
type Error struct {
	// Temporary says whether the send may succeed if retried.
	Temporary bool
	// Code is the SMTP reply code that refused the message (451, 550, ...),
	// or 0 when the failure was not a server reply.
	Code int
	// EnhancedCode is the RFC 3463 status code of the reply (such as
	// "5.1.1") when the server sent one.
	EnhancedCode string
	// Err is the cause.
	Err error
}

// Error describes the failure.
func (e *Error) Error() string {
	kind := "permanent"
	if e.Temporary {
		kind = "temporary"
	}
	// The cause is often one of this package's own errors; trimming its
	// prefix avoids "smtp: ...: smtp: ...".
	return "smtp: " + kind + " failure: " + strings.TrimPrefix(e.Err.Error(), "smtp: ")
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the class of e, ErrTemporary or ErrPermanent.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrTemporary:
		return e.Temporary
	case ErrPermanent:
		return !e.Temporary
	}
	return false
}

// refuse returns the permanent error for a message refused before any
// connection was made.
func refuse(err error) *Error { return &Error{Err: err} }

// sendTimeout is the cause of a send's context when Config.Timeout elapses,
// so the error says which limit was hit while still matching
// context.DeadlineExceeded.
type sendTimeout time.Duration

func (t sendTimeout) Error() string {
	return fmt.Sprintf("smtp: send timed out after %s", time.Duration(t))
}

func (sendTimeout) Unwrap() error { return context.DeadlineExceeded }

// classify turns err, which ended a send whose context is ctx, into an *Error.
func classify(ctx context.Context, err error) *Error {
	// The connection's own deadline can fire an instant before the context's
	// timer: once the deadline has passed, report the context's cause, which
	// names the limit that was hit.
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		<-ctx.Done()
	}
	if ctx.Err() != nil {
		// Closing the connection is how a cancellation interrupts go-mail,
		// so err is only "use of closed network connection": the cause is
		// the context's.
		return &Error{Temporary: true, Err: context.Cause(ctx)}
	}
	e := &Error{Temporary: true, Err: err}

	// go-mail reports MAIL, RCPT and DATA failures as a *gomail.SendError,
	// which does not unwrap to the server's reply but parses its code.
	var se *gomail.SendError
	if errors.As(err, &se) {
		e.Code, e.EnhancedCode = se.ErrorCode(), se.EnhancedStatusCode()
		switch {
		case e.Code >= 500:
			e.Temporary = false
		case e.Code >= 400:
			// Temporary already.
		case se.Reason == gomail.ErrNoUnencoded, se.Reason == gomail.ErrGetSender, se.Reason == gomail.ErrGetRcpts:
			e.Temporary = false
		}
		return e
	}
	// Greeting, EHLO, STARTTLS and AUTH replies come as they are.
	var tpe *textproto.Error
	if errors.As(err, &tpe) {
		e.Code = tpe.Code
		e.EnhancedCode = enhancedCode(tpe.Msg)
		e.Temporary = tpe.Code < 500
		return e
	}
	if permanent(err) {
		e.Temporary = false
	}
	return e
}

// permanent reports whether err, which is not a server reply, will recur on
// retry: the server lacks what the configuration requires, or its TLS
// identity cannot be verified.
func permanent(err error) bool {
	if errors.Is(err, ErrStartTLSUnavailable) || errors.Is(err, ErrAuthUnavailable) ||
		errors.Is(err, gmsmtp.ErrUnencrypted) || errors.Is(err, gmsmtp.ErrWrongHostname) {
		return true
	}
	var (
		verify   *tls.CertificateVerificationError
		record   tls.RecordHeaderError
		alert    tls.AlertError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
	)
	return errors.As(err, &verify) || errors.As(err, &record) || errors.As(err, &alert) ||
		errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid)
}

// enhancedCode returns the RFC 3463 code ("5.7.8") opening a reply's text,
// or "".
func enhancedCode(msg string) string {
	code, _, _ := strings.Cut(msg, " ")
	parts := strings.Split(code, ".")
	if len(parts) != 3 || len(parts[0]) != 1 || !strings.Contains("245", parts[0]) {
		return ""
	}
	for _, p := range parts[1:] {
		if len(p) < 1 || len(p) > 3 || strings.Trim(p, "0123456789") != "" {
			return ""
		}
	}
	return code
}

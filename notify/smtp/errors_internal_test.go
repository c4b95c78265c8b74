package smtp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	gmsmtp "github.com/wneessen/go-mail/smtp"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name         string
		err          error
		wantTemp     bool
		wantCode     int
		wantEnhanced string
	}{
		{name: "5xx reply", err: &textproto.Error{Code: 535, Msg: "5.7.8 Authentication failed"}, wantCode: 535, wantEnhanced: "5.7.8"},
		{name: "5xx reply without enhanced code", err: &textproto.Error{Code: 554, Msg: "no"}, wantCode: 554},
		{name: "4xx reply", err: fmt.Errorf("wrapped: %w", &textproto.Error{Code: 421, Msg: "4.3.2 shutting down"}), wantTemp: true, wantCode: 421, wantEnhanced: "4.3.2"},
		{name: "STARTTLS missing", err: ErrStartTLSUnavailable},
		{name: "AUTH missing", err: fmt.Errorf("%w: PLAIN", ErrAuthUnavailable)},
		{name: "password over plain text", err: fmt.Errorf("%w, %s", gmsmtp.ErrUnencrypted, "quit failed")},
		{name: "unknown authority", err: x509.UnknownAuthorityError{}},
		{name: "certificate verification", err: &tls.CertificateVerificationError{Err: x509.HostnameError{Host: "x"}}},
		{name: "not TLS", err: tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}},
		{name: "TLS alert", err: &net.OpError{Op: "remote error", Err: tls.AlertError(40)}},
		{name: "EOF", err: io.EOF, wantTemp: true},
		{name: "connection reset", err: &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}, wantTemp: true},
		{name: "connection refused", err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, wantTemp: true},
		{name: "anything else", err: errors.New("something odd"), wantTemp: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := classify(t.Context(), tt.err)

			assert.Equal(t, tt.wantTemp, e.Temporary)
			assert.Equal(t, tt.wantCode, e.Code)
			assert.Equal(t, tt.wantEnhanced, e.EnhancedCode)
			assert.ErrorIs(t, e, tt.err, "the cause is kept")
			assert.Equal(t, tt.wantTemp, errors.Is(e, ErrTemporary))
			assert.Equal(t, !tt.wantTemp, errors.Is(e, ErrPermanent))
		})
	}
}

func TestClassifyDoneContext(t *testing.T) {
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	timedOut, cancel := context.WithTimeoutCause(t.Context(), 0, sendTimeout(0))
	defer cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		wantErr error
	}{
		{name: "cancelled", ctx: cancelled, wantErr: context.Canceled},
		{name: "timed out", ctx: timedOut, wantErr: context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A 5xx that raced with the context still reads as the
			// interruption it was.
			e := classify(tt.ctx, &textproto.Error{Code: 550, Msg: "closed"})

			assert.ErrorIs(t, e, tt.wantErr)
			assert.ErrorIs(t, e, ErrTemporary)
			assert.NotErrorIs(t, e, ErrPermanent)
		})
	}
}

func TestEnhancedCode(t *testing.T) {
	tests := []struct{ msg, want string }{
		{"5.1.1 no such user", "5.1.1"},
		{"4.7.0 try later", "4.7.0"},
		{"2.0.0 OK", "2.0.0"},
		{"5.100.999 odd but valid", "5.100.999"},
		{"no such user", ""},
		{"", ""},
		{"3.1.1 not a class", ""},
		{"5.1 too short", ""},
		{"5.1.1.1 too long", ""},
		{"5.a.1 letters", ""},
		{"5..1 empty", ""},
		{"5.1000.1 too wide", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, enhancedCode(tt.msg), tt.msg)
	}
}

package smtp_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/notify/smtp"
)

const (
	sender   = "noreply@multiline.example"
	password = "s3cret"
)

// config is a working configuration for a plain-text test server.
func config(host string, port int) smtp.Config {
	return smtp.Config{
		Host:    host,
		Port:    port,
		From:    "MultiLine <" + sender + ">",
		TLS:     smtp.TLSNone,
		Timeout: waitLimit / 2,
		HELO:    "client.test",
	}
}

// email is an invitation with non-ASCII text in every part.
func email() invite.Message {
	return invite.Message{
		ID:             "msg-1",
		Kind:           invite.KindInvitation,
		Channel:        invite.Email,
		To:             "Zoë Rossi <zoe@example.com>",
		Subject:        "Benvenuta, Zoë",
		Text:           "Ciao Zoë,\n\nattiva la tua linea MultiLine: https://example.com/a?t=abc\n\nGrazie — il team\n",
		HTML:           "<p>Ciao <b>Zoë</b>,</p><p><a href=\"https://example.com/a?t=abc\">Attiva</a> — il team</p>",
		IdempotencyKey: "inv-7f3a-v2",
		Secret:         "abc",
	}
}

func newNotifier(t *testing.T, cfg smtp.Config) *smtp.Notifier {
	t.Helper()
	n, err := smtp.New(cfg)
	require.NoError(t, err)
	return n
}

// send runs n.Send and fails the test if it has not returned within
// waitLimit: the only timing any test asserts.
func send(t *testing.T, ctx context.Context, n *smtp.Notifier, m invite.Message) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- n.Send(ctx, m) }()
	select {
	case err := <-done:
		return err
	case <-time.After(waitLimit):
		t.Fatalf("Send has not returned after %s", waitLimit)
		return nil
	}
}

// part is one decoded body part.
type part struct {
	Type, Charset, Body string
}

// parsed is a received message taken apart.
type parsed struct {
	Header  mail.Header
	Type    string // media type of the whole message
	Subject string
	Parts   []part
}

// parse reads a message as a mail client would: headers decoded, bodies
// transfer-decoded, line ends normalised to "\n".
func parse(t *testing.T, data []byte) parsed {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	require.NoError(t, err)
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	media, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	require.NoError(t, err)
	p := parsed{Header: msg.Header, Type: media, Subject: subject}
	if !strings.HasPrefix(media, "multipart/") {
		p.Parts = append(p.Parts, decodePart(t, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body))
		return p
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for range 10 { // a message of ours never has more parts
		mp, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return p
		}
		require.NoError(t, err)
		// multipart.Reader has already undone quoted-printable.
		p.Parts = append(p.Parts, decodePart(t, mp.Header.Get("Content-Type"), mp.Header.Get("Content-Transfer-Encoding"), mp))
	}
	t.Fatal("too many parts")
	return p
}

func decodePart(t *testing.T, contentType, encoding string, r io.Reader) part {
	t.Helper()
	media, params, err := mime.ParseMediaType(contentType)
	require.NoError(t, err)
	if strings.EqualFold(encoding, "quoted-printable") {
		r = quotedprintable.NewReader(r)
	}
	body, err := io.ReadAll(r)
	require.NoError(t, err)
	return part{Type: media, Charset: strings.ToLower(params["charset"]), Body: strings.ReplaceAll(string(body), "\r\n", "\n")}
}

func TestSendDelivers(t *testing.T) {
	tests := []struct {
		name        string
		edit        func(*invite.Message)
		wantType    string
		wantParts   func(m invite.Message) []part
		wantSubject string
		wantID      func(n *smtp.Notifier, m invite.Message) string
	}{
		{
			name:     "text only",
			edit:     func(m *invite.Message) { m.HTML = "" },
			wantType: "text/plain",
			wantParts: func(m invite.Message) []part {
				return []part{{"text/plain", "utf-8", m.Text}}
			},
			wantSubject: "Benvenuta, Zoë",
			wantID:      func(*smtp.Notifier, invite.Message) string { return "<inv-7f3a-v2@multiline.example>" },
		},
		{
			name:     "text and HTML",
			edit:     func(*invite.Message) {},
			wantType: "multipart/alternative",
			wantParts: func(m invite.Message) []part {
				return []part{{"text/plain", "utf-8", m.Text}, {"text/html", "utf-8", m.HTML}}
			},
			wantSubject: "Benvenuta, Zoë",
			wantID:      func(*smtp.Notifier, invite.Message) string { return "<inv-7f3a-v2@multiline.example>" },
		},
		{
			name:     "line breaks in the subject cannot inject headers",
			edit:     func(m *invite.Message) { m.Subject = "Benvenuta,\r\nBcc: eve@example.com\n" },
			wantType: "multipart/alternative",
			wantParts: func(m invite.Message) []part {
				return []part{{"text/plain", "utf-8", m.Text}, {"text/html", "utf-8", m.HTML}}
			},
			wantSubject: "Benvenuta, Bcc: eve@example.com",
			wantID:      func(*smtp.Notifier, invite.Message) string { return "<inv-7f3a-v2@multiline.example>" },
		},
		{
			name:     "a key that is not a valid Message-ID part is hashed",
			edit:     func(m *invite.Message) { m.IdempotencyKey = "inv 7f3a/<v2>@zoë" },
			wantType: "multipart/alternative",
			wantParts: func(m invite.Message) []part {
				return []part{{"text/plain", "utf-8", m.Text}, {"text/html", "utf-8", m.HTML}}
			},
			wantSubject: "Benvenuta, Zoë",
			wantID: func(n *smtp.Notifier, m invite.Message) string {
				id := n.MessageID(m.IdempotencyKey)
				require.Regexp(t, `^<[0-9a-f]{32}@multiline\.example>$`, id)
				return id
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			be := &backend{}
			host, port := startServer(t, be, plainServer, nil)
			n := newNotifier(t, config(host, port))
			m := email()
			tt.edit(&m)

			require.NoError(t, send(t, t.Context(), n, m))

			msgs := be.messages()
			require.Len(t, msgs, 1)
			got := msgs[0]
			assert.Equal(t, sender, got.From, "envelope sender")
			assert.Equal(t, []string{"zoe@example.com"}, got.To, "envelope recipients")
			assert.False(t, got.TLS)

			p := parse(t, got.Data)
			from, err := p.Header.AddressList("From")
			require.NoError(t, err)
			assert.Equal(t, []*mail.Address{{Name: "MultiLine", Address: sender}}, from)
			to, err := p.Header.AddressList("To")
			require.NoError(t, err)
			assert.Equal(t, []*mail.Address{{Name: "Zoë Rossi", Address: "zoe@example.com"}}, to)
			assert.Empty(t, p.Header.Get("Bcc"))
			assert.Equal(t, tt.wantSubject, p.Subject)
			assert.Equal(t, tt.wantID(n, m), p.Header.Get("Message-Id"))
			assert.Equal(t, m.IdempotencyKey, decodeHeader(t, p.Header.Get(smtp.HeaderIdempotencyKey)))
			_, err = p.Header.Date()
			assert.NoError(t, err, "Date header")
			assert.Equal(t, tt.wantType, p.Type)
			assert.Equal(t, tt.wantParts(m), p.Parts)
		})
	}
}

func decodeHeader(t *testing.T, v string) string {
	t.Helper()
	s, err := new(mime.WordDecoder).DecodeHeader(v)
	require.NoError(t, err)
	return s
}

func TestSendWithoutIdempotencyKey(t *testing.T) {
	be := &backend{}
	host, port := startServer(t, be, plainServer, nil)
	n := newNotifier(t, config(host, port))
	m := email()
	m.IdempotencyKey = ""

	require.NoError(t, send(t, t.Context(), n, m))

	msgs := be.messages()
	require.Len(t, msgs, 1)
	p := parse(t, msgs[0].Data)
	assert.Regexp(t, `^<\S+@\S+>$`, p.Header.Get("Message-Id"), "a random Message-ID still")
	assert.Empty(t, p.Header.Get(smtp.HeaderIdempotencyKey))
}

func TestSendTLS(t *testing.T) {
	cert, roots := selfSigned(t)
	trusted := &tls.Config{RootCAs: roots}
	untrusted := &tls.Config{RootCAs: x509.NewCertPool()}
	users := map[string]string{"multiline": password}

	tests := []struct {
		name      string
		mode      serverMode
		policy    smtp.TLSPolicy
		tlsConfig *tls.Config
		auth      smtp.AuthMechanism
		wantErr   error // a sentinel Send's error must match; nil for success
		wantCause any   // if set, an errors.As target the error must match
		wantTLS   bool
	}{
		{name: "mandatory STARTTLS with AUTH PLAIN", mode: startTLSServer, policy: smtp.TLSMandatory, tlsConfig: trusted, auth: smtp.AuthPlain, wantTLS: true},
		{name: "mandatory STARTTLS without STARTTLS", mode: plainServer, policy: smtp.TLSMandatory, tlsConfig: trusted, wantErr: smtp.ErrStartTLSUnavailable},
		{name: "mandatory STARTTLS with an untrusted certificate", mode: startTLSServer, policy: smtp.TLSMandatory, tlsConfig: untrusted, wantErr: smtp.ErrPermanent, wantCause: new(*tls.CertificateVerificationError)},
		{name: "opportunistic STARTTLS when offered", mode: startTLSServer, policy: smtp.TLSOpportunistic, tlsConfig: trusted, auth: smtp.AuthPlain, wantTLS: true},
		{name: "opportunistic STARTTLS when not offered", mode: plainServer, policy: smtp.TLSOpportunistic, tlsConfig: trusted, wantTLS: false},
		{name: "opportunistic STARTTLS, no TLS, no AUTH offered", mode: plainServer, policy: smtp.TLSOpportunistic, tlsConfig: trusted, auth: smtp.AuthPlain, wantErr: smtp.ErrAuthUnavailable},
		{name: "implicit TLS with AUTH PLAIN", mode: implicitServer, policy: smtp.TLSImplicit, tlsConfig: trusted, auth: smtp.AuthPlain, wantTLS: true},
		{name: "implicit TLS with an untrusted certificate", mode: implicitServer, policy: smtp.TLSImplicit, tlsConfig: untrusted, wantErr: smtp.ErrPermanent, wantCause: new(*tls.CertificateVerificationError)},
		{name: "implicit TLS to a plain-text server", mode: plainServer, policy: smtp.TLSImplicit, tlsConfig: trusted, wantErr: smtp.ErrPermanent, wantCause: new(tls.RecordHeaderError)},
		{name: "no TLS ignores STARTTLS", mode: startTLSServer, policy: smtp.TLSNone, wantTLS: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			be := &backend{}
			if tt.auth != "" {
				be.users = users
			}
			host, port := startServer(t, be, tt.mode, cert)
			cfg := config(host, port)
			cfg.TLS, cfg.TLSConfig, cfg.Auth = tt.policy, tt.tlsConfig, tt.auth
			if tt.auth != "" {
				cfg.Username, cfg.Password = "multiline", password
			}
			n := newNotifier(t, cfg)

			err := send(t, t.Context(), n, email())

			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.ErrorIs(t, err, smtp.ErrPermanent)
				assert.NotErrorIs(t, err, smtp.ErrTemporary)
				if tt.wantCause != nil {
					assert.ErrorAs(t, err, tt.wantCause)
				}
				assert.Empty(t, be.messages())
				return
			}
			require.NoError(t, err)
			msgs := be.messages()
			require.Len(t, msgs, 1)
			assert.Equal(t, tt.wantTLS, msgs[0].TLS, "encrypted")
			if tt.auth != "" {
				assert.Equal(t, "multiline", msgs[0].User)
			}
		})
	}
}

func TestSendAuth(t *testing.T) {
	cert, roots := selfSigned(t)
	tests := []struct {
		name     string
		offered  []string // nil: all
		auth     smtp.AuthMechanism
		password string
		wantErr  error
		wantCode int
	}{
		{name: "PLAIN", auth: smtp.AuthPlain, password: password},
		{name: "LOGIN", auth: smtp.AuthLogin, password: password},
		{name: "CRAM-MD5", auth: smtp.AuthCRAMMD5, password: password},
		{name: "default is PLAIN", auth: "", password: password},
		{name: "wrong password", auth: smtp.AuthPlain, password: "wrong", wantErr: smtp.ErrPermanent, wantCode: 535},
		{name: "wrong password with CRAM-MD5", auth: smtp.AuthCRAMMD5, password: "wrong", wantErr: smtp.ErrPermanent, wantCode: 535},
		{name: "mechanism not offered", offered: []string{"PLAIN"}, auth: smtp.AuthCRAMMD5, password: password, wantErr: smtp.ErrAuthUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			be := &backend{users: map[string]string{"multiline": password}, mechs: tt.offered}
			host, port := startServer(t, be, startTLSServer, cert)
			cfg := config(host, port)
			cfg.TLS, cfg.TLSConfig = smtp.TLSMandatory, &tls.Config{RootCAs: roots}
			cfg.Auth, cfg.Username, cfg.Password = tt.auth, "multiline", tt.password
			n := newNotifier(t, cfg)

			err := send(t, t.Context(), n, email())

			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.ErrorIs(t, err, smtp.ErrPermanent)
				var se *smtp.Error
				require.ErrorAs(t, err, &se)
				assert.Equal(t, tt.wantCode, se.Code)
				assert.NotContains(t, err.Error(), tt.password, "the password stays out of errors")
				assert.Empty(t, be.messages())
				return
			}
			require.NoError(t, err)
			msgs := be.messages()
			require.Len(t, msgs, 1)
			assert.Equal(t, "multiline", msgs[0].User)
			assert.True(t, msgs[0].TLS)
		})
	}
}

func TestSendRefused(t *testing.T) {
	tests := []struct {
		name         string
		be           *backend // used by one subtest only
		wantErr      error
		wantCode     int
		wantEnhanced string
	}{
		{
			name:    "recipient unknown",
			be:      &backend{rcpt: func(*gosmtp.Conn, string) error { return refusal(550, gosmtp.EnhancedCode{5, 1, 1}, "no such user") }},
			wantErr: smtp.ErrPermanent, wantCode: 550, wantEnhanced: "5.1.1",
		},
		{
			name: "recipient greylisted",
			be: &backend{rcpt: func(*gosmtp.Conn, string) error {
				return refusal(451, gosmtp.EnhancedCode{4, 7, 1}, "greylisted, try again later")
			}},
			wantErr: smtp.ErrTemporary, wantCode: 451, wantEnhanced: "4.7.1",
		},
		{
			name:    "sender rejected",
			be:      &backend{mail: func(string) error { return refusal(553, gosmtp.EnhancedCode{5, 7, 1}, "sender not allowed") }},
			wantErr: smtp.ErrPermanent, wantCode: 553, wantEnhanced: "5.7.1",
		},
		{
			name:    "sender deferred",
			be:      &backend{mail: func(string) error { return refusal(452, gosmtp.EnhancedCode{4, 3, 1}, "insufficient storage") }},
			wantErr: smtp.ErrTemporary, wantCode: 452, wantEnhanced: "4.3.1",
		},
		{
			name: "content rejected",
			be: &backend{data: func(*gosmtp.Conn, io.Reader) error {
				return refusal(554, gosmtp.EnhancedCode{5, 6, 0}, "content rejected")
			}},
			wantErr: smtp.ErrPermanent, wantCode: 554, wantEnhanced: "5.6.0",
		},
		{
			name: "content deferred",
			be: &backend{data: func(*gosmtp.Conn, io.Reader) error {
				return refusal(451, gosmtp.EnhancedCode{4, 3, 0}, "try again later")
			}},
			wantErr: smtp.ErrTemporary, wantCode: 451, wantEnhanced: "4.3.0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			be := tt.be
			host, port := startServer(t, be, plainServer, nil)
			n := newNotifier(t, config(host, port))

			err := send(t, t.Context(), n, email())

			require.ErrorIs(t, err, tt.wantErr)
			other := smtp.ErrTemporary
			if tt.wantErr == smtp.ErrTemporary {
				other = smtp.ErrPermanent
			}
			assert.NotErrorIs(t, err, other)
			var se *smtp.Error
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tt.wantCode, se.Code)
			assert.Equal(t, tt.wantEnhanced, se.EnhancedCode)
			assert.True(t, strings.HasPrefix(err.Error(), "smtp: "), err.Error())
			assert.Empty(t, be.messages())
		})
	}
}

func TestSendInterrupted(t *testing.T) {
	// stalling returns a backend that takes the whole message, signals
	// entered, and then never answers until the test ends.
	stalling := func(t *testing.T) (*backend, <-chan struct{}) {
		entered := make(chan struct{}, 1)
		release := make(chan struct{})
		t.Cleanup(func() { close(release) })
		return &backend{data: func(_ *gosmtp.Conn, r io.Reader) error {
			_, _ = io.Copy(io.Discard, r)
			entered <- struct{}{}
			<-release
			return refusal(451, gosmtp.EnhancedCode{4, 0, 0}, "too late")
		}}, entered
	}
	tests := []struct {
		name    string
		silent  bool          // a server that never greets; else one that stalls after DATA
		timeout time.Duration // Config.Timeout
		ctxTime time.Duration // a deadline on the caller's context, if non-zero
		cancel  bool          // cancel the caller's context once the server is reached
		wantErr error
		wantMsg string
	}{
		{name: "timeout waiting for the greeting", silent: true, timeout: 200 * time.Millisecond, wantErr: context.DeadlineExceeded, wantMsg: "timed out after 200ms"},
		{name: "cancelled waiting for the greeting", silent: true, timeout: waitLimit, cancel: true, wantErr: context.Canceled},
		{name: "caller's deadline waiting for the greeting", silent: true, timeout: waitLimit, ctxTime: 200 * time.Millisecond, wantErr: context.DeadlineExceeded},
		{name: "timeout waiting for the reply to DATA", timeout: time.Second, wantErr: context.DeadlineExceeded, wantMsg: "timed out after 1s"},
		{name: "cancelled waiting for the reply to DATA", timeout: waitLimit, cancel: true, wantErr: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var (
				host    string
				port    int
				reached <-chan struct{}
				be      *backend
			)
			if tt.silent {
				host, port, reached = silentServer(t)
			} else {
				be, reached = stalling(t)
				host, port = startServer(t, be, plainServer, nil)
			}
			cfg := config(host, port)
			cfg.Timeout = tt.timeout
			n := newNotifier(t, cfg)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			if tt.ctxTime > 0 {
				ctx, cancel = context.WithTimeout(ctx, tt.ctxTime)
				defer cancel()
			}
			if tt.cancel {
				go func() {
					select {
					case <-reached:
						cancel()
					case <-ctx.Done():
					}
				}()
			}

			err := send(t, ctx, n, email())

			require.ErrorIs(t, err, tt.wantErr)
			assert.ErrorIs(t, err, smtp.ErrTemporary)
			assert.NotErrorIs(t, err, smtp.ErrPermanent)
			if tt.wantMsg != "" {
				assert.Contains(t, err.Error(), tt.wantMsg)
			}
			if be != nil {
				assert.Empty(t, be.messages())
			}
		})
	}
}

func TestSendConnectionLost(t *testing.T) {
	tests := []struct {
		name  string
		start func(t *testing.T) (string, int)
	}{
		{
			name: "connection refused",
			start: func(t *testing.T) (string, int) {
				return "127.0.0.1", closedPort(t)
			},
		},
		{
			name: "dropped after RCPT",
			start: func(t *testing.T) (string, int) {
				return startServer(t, &backend{rcpt: func(c *gosmtp.Conn, _ string) error { return dropConn(c) }}, plainServer, nil)
			},
		},
		{
			name: "dropped mid-DATA",
			start: func(t *testing.T) (string, int) {
				return startServer(t, &backend{data: func(c *gosmtp.Conn, r io.Reader) error {
					readSome(r)
					return dropConn(c)
				}}, plainServer, nil)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host, port := tt.start(t)
			n := newNotifier(t, config(host, port))

			err := send(t, t.Context(), n, email())

			require.ErrorIs(t, err, smtp.ErrTemporary)
			assert.NotErrorIs(t, err, smtp.ErrPermanent)
			var se *smtp.Error
			require.ErrorAs(t, err, &se)
			assert.Zero(t, se.Code, "no reply code for a lost connection")
		})
	}
}

func TestSendRefusesBeforeConnecting(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*invite.Message)
		wantErr error
	}{
		{name: "SMS", edit: func(m *invite.Message) { m.Channel = invite.SMS; m.To = "+393331234567" }, wantErr: smtp.ErrUnsupportedChannel},
		{name: "unknown channel", edit: func(m *invite.Message) { m.Channel = "" }, wantErr: smtp.ErrUnsupportedChannel},
		{name: "unparsable recipient", edit: func(m *invite.Message) { m.To = "zoe at example" }, wantErr: smtp.ErrInvalidMessage},
		{name: "empty recipient", edit: func(m *invite.Message) { m.To = "" }, wantErr: smtp.ErrInvalidMessage},
		{name: "empty text", edit: func(m *invite.Message) { m.Text = " \n" }, wantErr: smtp.ErrInvalidMessage},
		{name: "key with a line break", edit: func(m *invite.Message) { m.IdempotencyKey = "inv-1\r\nBcc: eve@example.com" }, wantErr: smtp.ErrInvalidMessage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Nothing listens: reaching the network would give a
			// temporary "connection refused" instead.
			n := newNotifier(t, config("127.0.0.1", closedPort(t)))
			m := email()
			tt.edit(&m)

			err := send(t, t.Context(), n, m)

			require.ErrorIs(t, err, tt.wantErr)
			assert.ErrorIs(t, err, smtp.ErrPermanent)
			assert.NotErrorIs(t, err, smtp.ErrTemporary)
			assert.Equal(t, 1, strings.Count(err.Error(), "smtp: "), "one prefix: %s", err)
		})
	}
}

func TestSendCancelledBeforehand(t *testing.T) {
	_, port, accepted := silentServer(t)
	n := newNotifier(t, config("127.0.0.1", port))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	err := send(t, ctx, n, email())

	require.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, smtp.ErrTemporary)
	assert.Empty(t, accepted, "no connection was made")
}

func TestSendConcurrent(t *testing.T) {
	be := &backend{}
	host, port := startServer(t, be, plainServer, nil)
	n := newNotifier(t, config(host, port))

	const senders = 8
	var wg sync.WaitGroup
	errs := make([]error, senders)
	for i := range senders {
		wg.Go(func() {
			m := email()
			m.IdempotencyKey = fmt.Sprintf("inv-%d-v1", i)
			errs[i] = n.Send(t.Context(), m)
		})
	}
	wg.Wait()

	for i, err := range errs {
		assert.NoError(t, err, "sender %d", i)
	}
	var ids []string
	for _, r := range be.messages() {
		ids = append(ids, parse(t, r.Data).Header.Get("Message-Id"))
	}
	var want []string
	for i := range senders {
		want = append(want, fmt.Sprintf("<inv-%d-v1@multiline.example>", i))
	}
	assert.ElementsMatch(t, want, ids)
}

func TestMessageID(t *testing.T) {
	n := newNotifier(t, config("127.0.0.1", 25))
	hashed := regexp.MustCompile(`^<[0-9a-f]{32}@multiline\.example>$`)
	long := strings.Repeat("k", 129)
	tests := []struct {
		key        string
		want       string // exact, or "" to expect a hash
		wantHashed bool
	}{
		{key: "inv-7f3a-v2", want: "<inv-7f3a-v2@multiline.example>"},
		{key: "a.b+c=d_e~f", want: "<a.b+c=d_e~f@multiline.example>"},
		{key: strings.Repeat("k", 128), want: "<" + strings.Repeat("k", 128) + "@multiline.example>"},
		{key: ""},
		{key: long, wantHashed: true},
		{key: "two words", wantHashed: true},
		{key: "a@b", wantHashed: true},
		{key: ".lead", wantHashed: true},
		{key: "trail.", wantHashed: true},
		{key: "dou..ble", wantHashed: true},
		{key: "<x>", wantHashed: true},
		{key: "zoë", wantHashed: true},
	}
	seen := map[string]string{}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			got := n.MessageID(tt.key)
			if tt.wantHashed {
				assert.Regexp(t, hashed, got)
				assert.Equal(t, got, n.MessageID(tt.key), "stable across calls")
			} else {
				assert.Equal(t, tt.want, got)
			}
			if prev, ok := seen[got]; ok && got != "" {
				t.Errorf("keys %q and %q share Message-ID %s", prev, tt.key, got)
			}
			seen[got] = tt.key
		})
	}
}

func TestNew(t *testing.T) {
	valid := smtp.Config{Host: "smtp.example.com", From: "noreply@example.com"}
	tests := []struct {
		name    string
		edit    func(*smtp.Config)
		wantErr string // substring of the error; "" for success
	}{
		{name: "minimal", edit: func(*smtp.Config) {}},
		{name: "full", edit: func(c *smtp.Config) {
			*c = smtp.Config{
				Host: "smtp.example.com", Port: 465, From: "MultiLine <noreply@example.com>",
				Username: "u", Password: "p", Auth: smtp.AuthCRAMMD5, TLS: smtp.TLSImplicit,
				TLSConfig: &tls.Config{}, Timeout: time.Minute, HELO: "mx.example.com",
			}
		}},
		{name: "IPv6 host", edit: func(c *smtp.Config) { c.Host = "::1" }},
		{name: "PLAIN without TLS to localhost", edit: func(c *smtp.Config) {
			c.Host, c.TLS, c.Username, c.Password = "localhost", smtp.TLSNone, "u", "p"
		}},
		{name: "no host", edit: func(c *smtp.Config) { c.Host = "" }, wantErr: "Host is empty"},
		{name: "host with port", edit: func(c *smtp.Config) { c.Host = "smtp.example.com:587" }, wantErr: "must not include a port"},
		{name: "host URL", edit: func(c *smtp.Config) { c.Host = "smtp://smtp.example.com" }, wantErr: "not a host name"},
		{name: "host with space", edit: func(c *smtp.Config) { c.Host = "smtp example" }, wantErr: "not a host name"},
		{name: "negative port", edit: func(c *smtp.Config) { c.Port = -1 }, wantErr: "Port -1 is out of range"},
		{name: "huge port", edit: func(c *smtp.Config) { c.Port = 70000 }, wantErr: "out of range"},
		{name: "no from", edit: func(c *smtp.Config) { c.From = "" }, wantErr: "From is empty"},
		{name: "bad from", edit: func(c *smtp.Config) { c.From = "noreply" }, wantErr: `From "noreply"`},
		{name: "non-ASCII from", edit: func(c *smtp.Config) { c.From = "zoë@example.com" }, wantErr: "must be ASCII"},
		{name: "from with a domain literal", edit: func(c *smtp.Config) { c.From = "noreply@[127.0.0.1]" }, wantErr: "must be ASCII with a domain name"},
		{name: "unknown auth", edit: func(c *smtp.Config) { c.Auth = "XOAUTH2"; c.Username = "u" }, wantErr: `Auth "XOAUTH2"`},
		{name: "auth without username", edit: func(c *smtp.Config) { c.Auth = smtp.AuthLogin }, wantErr: "Auth LOGIN needs a Username"},
		{name: "password without username", edit: func(c *smtp.Config) { c.Password = "p" }, wantErr: "Auth is NONE"},
		{name: "username with auth none", edit: func(c *smtp.Config) { c.Username, c.Auth = "u", smtp.AuthNone }, wantErr: "Auth is NONE"},
		{name: "PLAIN in clear text", edit: func(c *smtp.Config) { c.TLS, c.Username = smtp.TLSNone, "u" }, wantErr: "clear text"},
		{name: "LOGIN in clear text", edit: func(c *smtp.Config) { c.TLS, c.Username, c.Auth = smtp.TLSNone, "u", smtp.AuthLogin }, wantErr: "clear text"},
		{name: "TLS config without TLS", edit: func(c *smtp.Config) { c.TLS, c.TLSConfig = smtp.TLSNone, &tls.Config{} }, wantErr: "TLSConfig is set"},
		{name: "unknown TLS policy", edit: func(c *smtp.Config) { c.TLS = 9 }, wantErr: "TLSPolicy(9) is unknown"},
		{name: "negative timeout", edit: func(c *smtp.Config) { c.Timeout = -time.Second }, wantErr: "Timeout -1s is negative"},
		{name: "HELO with space", edit: func(c *smtp.Config) { c.HELO = "my host" }, wantErr: "HELO"},
		{name: "HELO with CRLF", edit: func(c *smtp.Config) { c.HELO = "host\r\nQUIT" }, wantErr: "HELO"},
		{name: "every problem at once", edit: func(c *smtp.Config) { c.Host, c.From, c.Port = "", "", -1 }, wantErr: "Host is empty; Port -1 is out of range; From is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid
			tt.edit(&cfg)

			n, err := smtp.New(cfg)

			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.NotNil(t, n)
				return
			}
			require.ErrorIs(t, err, smtp.ErrInvalidConfig)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.True(t, strings.HasPrefix(err.Error(), "smtp: invalid configuration: "), err.Error())
			assert.Nil(t, n)
		})
	}
}

func TestNewClonesTLSConfig(t *testing.T) {
	cert, roots := selfSigned(t)
	be := &backend{}
	host, port := startServer(t, be, startTLSServer, cert)
	cfg := config(host, port)
	tc := &tls.Config{RootCAs: roots}
	cfg.TLS, cfg.TLSConfig = smtp.TLSMandatory, tc
	n := newNotifier(t, cfg)
	// Changing the caller's config afterwards must not affect the notifier.
	tc.RootCAs = x509.NewCertPool()

	require.NoError(t, send(t, t.Context(), n, email()))
	assert.Empty(t, tc.ServerName, "the caller's config is not written to")
	assert.Len(t, be.messages(), 1)
}

func TestTLSPolicyString(t *testing.T) {
	tests := []struct {
		p    smtp.TLSPolicy
		want string
	}{
		{smtp.TLSMandatory, "TLSMandatory"},
		{smtp.TLSOpportunistic, "TLSOpportunistic"},
		{smtp.TLSImplicit, "TLSImplicit"},
		{smtp.TLSNone, "TLSNone"},
		{42, "TLSPolicy(42)"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.p.String())
	}
}

package smtp_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"
)

// This file holds the test peer: a real SMTP server (emersion/go-smtp) on
// loopback whose backend records what it receives and can be told to
// refuse, stall or drop the connection; and a listener that accepts
// connections and never answers.

// waitLimit is the generous bound on anything a test waits for. No test
// asserts timing beyond "before this".
const waitLimit = 10 * time.Second

// received is one message as the server saw it.
type received struct {
	From string
	To   []string
	Data []byte
	User string // who authenticated, "" if nobody
	TLS  bool   // whether the session was encrypted
}

// backend is a go-smtp Backend that records messages. Its hooks, when set,
// run in the matching command and may refuse it or misbehave.
type backend struct {
	// users are the accounts AUTH accepts; no AUTH is offered when empty.
	users map[string]string
	// mechs are the SASL mechanisms offered; all three when nil.
	mechs []string

	mail func(from string) error
	rcpt func(c *gosmtp.Conn, to string) error
	data func(c *gosmtp.Conn, r io.Reader) error

	mu   sync.Mutex
	msgs []received
}

func (b *backend) NewSession(c *gosmtp.Conn) (gosmtp.Session, error) {
	return &session{b: b, c: c}, nil
}

// messages returns what the server has accepted so far.
func (b *backend) messages() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]received(nil), b.msgs...)
}

type session struct {
	b    *backend
	c    *gosmtp.Conn
	user string
	from string
	to   []string
}

func (s *session) AuthMechanisms() []string {
	if len(s.b.users) == 0 {
		return nil
	}
	if s.b.mechs != nil {
		return s.b.mechs
	}
	return []string{sasl.Plain, sasl.Login, "CRAM-MD5"}
}

func (s *session) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		if want, ok := s.b.users[user]; !ok || pass != want {
			return gosmtp.ErrAuthFailed
		}
		s.user = user
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	case "CRAM-MD5":
		return &cramServer{users: s.b.users, done: func(user string) { s.user = user }}, nil
	}
	return nil, gosmtp.ErrAuthUnknownMechanism
}

func (s *session) Mail(from string, _ *gosmtp.MailOptions) error {
	if len(s.b.users) > 0 && s.user == "" {
		return gosmtp.ErrAuthRequired
	}
	if s.b.mail != nil {
		if err := s.b.mail(from); err != nil {
			return err
		}
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if s.b.rcpt != nil {
		if err := s.b.rcpt(s.c, to); err != nil {
			return err
		}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	if s.b.data != nil {
		if err := s.b.data(s.c, r); err != nil {
			return err
		}
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := s.c.TLSConnectionState()
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	s.b.msgs = append(s.b.msgs, received{From: s.from, To: s.to, Data: data, User: s.user, TLS: isTLS})
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

// loginServer is the server side of SASL LOGIN, which go-sasl lacks.
type loginServer struct {
	check func(user, pass string) error
	step  int
	user  string
}

func (l *loginServer) Next(resp []byte) ([]byte, bool, error) {
	l.step++
	switch l.step {
	case 1:
		return []byte("Username:"), false, nil
	case 2:
		l.user = string(resp)
		return []byte("Password:"), false, nil
	default:
		return nil, true, l.check(l.user, string(resp))
	}
}

// cramServer is the server side of SASL CRAM-MD5 (RFC 2195).
type cramServer struct {
	users     map[string]string
	done      func(user string)
	challenge []byte
}

func (c *cramServer) Next(resp []byte) ([]byte, bool, error) {
	if c.challenge == nil {
		c.challenge = []byte("<" + strconv.Itoa(int(time.Now().UnixNano())) + "@localhost>")
		return c.challenge, false, nil
	}
	user, digest, ok := strings.Cut(string(resp), " ")
	pass, known := c.users[user]
	mac := hmac.New(md5.New, []byte(pass))
	mac.Write(c.challenge)
	if !ok || !known || !hmac.Equal([]byte(digest), []byte(hex.EncodeToString(mac.Sum(nil)))) {
		return nil, true, gosmtp.ErrAuthFailed
	}
	c.done(user)
	return nil, true, nil
}

// serverMode says how a test server speaks TLS.
type serverMode int

const (
	plainServer    serverMode = iota // no TLS offered
	startTLSServer                   // STARTTLS offered
	implicitServer                   // TLS from the first byte
)

// startServer runs be on a loopback port until the test ends and returns
// its host and port. cert is needed by startTLSServer and implicitServer.
func startServer(t *testing.T, be *backend, mode serverMode, cert *tls.Certificate) (string, int) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := gosmtp.NewServer(be)
	s.Domain = "localhost"
	s.ReadTimeout = waitLimit
	s.WriteTimeout = waitLimit
	s.ErrorLog = log.New(io.Discard, "", 0)
	if mode != plainServer {
		require.NotNil(t, cert)
		s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*cert}, MinVersion: tls.VersionTLS12}
	}
	if mode == implicitServer {
		l = tls.NewListener(l, s.TLSConfig)
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = s.Serve(l)
	}()
	t.Cleanup(func() {
		_ = s.Close()
		<-served
	})
	return hostPort(t, l.Addr())
}

// silentServer accepts connections and never says a word. accepted
// receives a value for each connection accepted (it is dropped when full).
func silentServer(t *testing.T) (host string, port int, accepted <-chan struct{}) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ch := make(chan struct{}, 16)
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	host, port = hostPort(t, l.Addr())
	return host, port, ch
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	_, port := hostPort(t, l.Addr())
	require.NoError(t, l.Close())
	return port
}

func hostPort(t *testing.T, a net.Addr) (string, int) {
	t.Helper()
	host, p, err := net.SplitHostPort(a.String())
	require.NoError(t, err)
	port, err := strconv.Atoi(p)
	require.NoError(t, err)
	return host, port
}

// selfSigned returns a certificate for 127.0.0.1 and localhost and a pool
// that trusts it.
func selfSigned(t *testing.T) (*tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "multiline test smtp"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// dropConn closes the session's connection, as a crashing server would.
func dropConn(c *gosmtp.Conn) error {
	_ = c.Conn().Close()
	return errors.New("connection dropped on purpose")
}

// readSome reads a little of r, so that the drop happens mid-transfer.
func readSome(r io.Reader) {
	var buf [64]byte
	_, _ = io.ReadFull(r, buf[:])
}

// refusal is a server reply refusing a command.
func refusal(code int, enhanced gosmtp.EnhancedCode, msg string) error {
	return &gosmtp.SMTPError{Code: code, EnhancedCode: enhanced, Message: msg}
}

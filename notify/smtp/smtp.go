package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode"

	gomail "github.com/wneessen/go-mail"
	gmsmtp "github.com/wneessen/go-mail/smtp"

	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/notify"
)

// DefaultTimeout bounds a send when Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// TLSPolicy says how a connection to the server is protected.
type TLSPolicy int

// The TLS policies. The zero value, TLSMandatory, is the safe default.
const (
	// TLSMandatory connects in plain text and upgrades with STARTTLS; a
	// server that does not offer STARTTLS is refused before anything else
	// is sent (ErrStartTLSUnavailable). Submission servers listen on 587.
	TLSMandatory TLSPolicy = iota
	// TLSOpportunistic upgrades with STARTTLS when the server offers it
	// and otherwise sends in plain text. When the server offers STARTTLS
	// its certificate is verified as with TLSMandatory.
	TLSOpportunistic
	// TLSImplicit speaks TLS from the first byte (RFC 8314), usually on
	// port 465.
	TLSImplicit
	// TLSNone never encrypts, for a relay on the same host or network.
	TLSNone
)

// String returns the policy's name.
func (p TLSPolicy) String() string {
	switch p {
	case TLSMandatory:
		return "TLSMandatory"
	case TLSOpportunistic:
		return "TLSOpportunistic"
	case TLSImplicit:
		return "TLSImplicit"
	case TLSNone:
		return "TLSNone"
	}
	return "TLSPolicy(" + strconv.Itoa(int(p)) + ")"
}

// AuthMechanism is the SASL mechanism used to log in to the server.
type AuthMechanism string

// The supported mechanisms. The zero value means AuthPlain when
// Config.Username is set and AuthNone otherwise.
const (
	// AuthNone does not log in.
	AuthNone AuthMechanism = "NONE"
	// AuthPlain sends the password, so it is refused over an unencrypted
	// connection to anything but localhost.
	AuthPlain AuthMechanism = "PLAIN"
	// AuthLogin sends the password, like AuthPlain, in two steps; some
	// older servers offer only it.
	AuthLogin AuthMechanism = "LOGIN"
	// AuthCRAMMD5 proves knowledge of the password without sending it.
	AuthCRAMMD5 AuthMechanism = "CRAM-MD5"
)

// Config configures a Notifier. Only Host and From are required.
type Config struct {
	// Host is the server's host name or IP address, without a port.
	Host string
	// Port is the server's TCP port; 0 means 465 with TLSImplicit and 587
	// otherwise.
	Port int
	// From is the sender, such as "MultiLine <noreply@example.com>". Its
	// address is also the envelope sender, and its domain is the right-hand
	// side of every Message-ID.
	From string

	// Username and Password log in to the server with Auth.
	Username string
	Password string
	// Auth is the SASL mechanism; see AuthMechanism for the zero value.
	Auth AuthMechanism

	// TLS is the transport security policy; the zero value is TLSMandatory.
	TLS TLSPolicy
	// TLSConfig configures STARTTLS and implicit TLS; nil means the system
	// roots. It is cloned by New. An empty ServerName is set to Host, and a
	// zero MinVersion to TLS 1.2.
	TLSConfig *tls.Config

	// Timeout bounds one whole send: connecting, TLS, authentication and
	// the transfer. Zero means DefaultTimeout. A context deadline that is
	// sooner wins.
	Timeout time.Duration
	// HELO is the name this host gives in EHLO; empty means the local host
	// name.
	HELO string
}

// Notifier sends email messages over SMTP. It is safe for concurrent use;
// each Send uses its own connection.
type Notifier struct {
	host     string
	addr     string // host:port to dial
	from     *mail.Address
	domain   string // of from, for Message-IDs
	username string
	password string
	auth     AuthMechanism
	policy   TLSPolicy
	tls      *tls.Config
	timeout  time.Duration
	helo     string
}

var _ notify.Notifier = (*Notifier)(nil)

// New checks cfg and returns a Notifier. Every problem found is reported in
// one error wrapping ErrInvalidConfig.
func New(cfg Config) (*Notifier, error) {
	var probs []string
	bad := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }

	switch {
	case cfg.Host == "":
		bad("Host is empty")
	case strings.ContainsFunc(cfg.Host, func(r rune) bool { return r == '/' || unicode.IsSpace(r) || unicode.IsControl(r) }):
		bad("Host %q is not a host name or IP address", cfg.Host)
	case strings.Contains(cfg.Host, ":") && net.ParseIP(cfg.Host) == nil:
		bad("Host %q must not include a port; set Port", cfg.Host)
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		bad("Port %d is out of range", cfg.Port)
	}

	from, err := mail.ParseAddress(cfg.From)
	var domain string
	switch {
	case cfg.From == "":
		bad("From is empty")
	case err != nil:
		bad("From %q: %v", cfg.From, err)
	default:
		// Non-ASCII addresses need SMTPUTF8, which not every relay offers;
		// refusing them here beats failing every send later.
		_, domain, _ = strings.Cut(from.Address, "@")
		if !isASCII(from.Address) || !isDotAtom(domain) {
			bad("From address %q must be ASCII with a domain name", from.Address)
		}
	}

	auth := cfg.Auth
	if auth == "" {
		auth = AuthNone
		if cfg.Username != "" {
			auth = AuthPlain
		}
	}
	switch auth {
	case AuthNone:
		if cfg.Username != "" || cfg.Password != "" {
			bad("Username or Password is set but Auth is NONE")
		}
	case AuthPlain, AuthLogin, AuthCRAMMD5:
		if cfg.Username == "" {
			bad("Auth %s needs a Username", auth)
		}
	default:
		bad("Auth %q is not one of NONE, PLAIN, LOGIN, CRAM-MD5", cfg.Auth)
	}

	switch cfg.TLS {
	case TLSMandatory, TLSOpportunistic, TLSImplicit:
	case TLSNone:
		if cfg.TLSConfig != nil {
			bad("TLSConfig is set but TLS is TLSNone")
		}
		// go-mail allows these over plain text only to localhost; saying so
		// now beats a failure on every send.
		if (auth == AuthPlain || auth == AuthLogin) && !isLocalhost(cfg.Host) {
			bad("Auth %s over TLSNone would send the password in clear text", auth)
		}
	default:
		bad("TLS policy %s is unknown", cfg.TLS)
	}

	timeout := cfg.Timeout
	switch {
	case timeout < 0:
		bad("Timeout %s is negative", timeout)
	case timeout == 0:
		timeout = DefaultTimeout
	}
	if strings.ContainsFunc(cfg.HELO, func(r rune) bool { return r > unicode.MaxASCII || unicode.IsSpace(r) || unicode.IsControl(r) }) {
		bad("HELO %q must be an ASCII host name", cfg.HELO)
	}

	if len(probs) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrInvalidConfig, strings.Join(probs, "; "))
	}

	port := cfg.Port
	if port == 0 {
		port = 587
		if cfg.TLS == TLSImplicit {
			port = 465
		}
	}
	var tc *tls.Config
	if cfg.TLS != TLSNone {
		if cfg.TLSConfig != nil {
			// A copy, so that the caller changing theirs later cannot race
			// with a send.
			tc = cfg.TLSConfig.Clone()
		} else {
			tc = &tls.Config{}
		}
		if tc.ServerName == "" {
			tc.ServerName = cfg.Host
		}
		if tc.MinVersion == 0 {
			tc.MinVersion = tls.VersionTLS12
		}
	}
	return &Notifier{
		host:     cfg.Host,
		addr:     net.JoinHostPort(cfg.Host, strconv.Itoa(port)),
		from:     from,
		domain:   domain,
		username: cfg.Username,
		password: cfg.Password,
		auth:     auth,
		policy:   cfg.TLS,
		tls:      tc,
		timeout:  timeout,
		helo:     cfg.HELO,
	}, nil
}

// Send delivers m, which must be an email, over a new connection. It returns
// nil once the server has accepted the message, and otherwise an *Error that
// matches ErrPermanent or ErrTemporary. It gives up when ctx is done or
// Config.Timeout has elapsed, whichever comes first.
func (n *Notifier) Send(ctx context.Context, m invite.Message) error {
	msg, err := n.message(m)
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		return &Error{Temporary: true, Err: context.Cause(ctx)}
	}
	ctx, cancel := context.WithTimeoutCause(ctx, n.timeout, sendTimeout(n.timeout))
	defer cancel()

	// go-mail honours ctx only while dialling; afterwards it relies on
	// per-command deadlines. Closing the connection when ctx is done is what
	// interrupts a send blocked on a silent server.
	// The deferred Close also covers go-mail leaving the connection open
	// when the greeting or EHLO fails.
	var conn net.Conn
	stop := func() bool { return false }
	defer func() {
		stop()
		if conn != nil {
			_ = conn.Close()
		}
	}()
	dial := func(dctx context.Context, _, _ string) (net.Conn, error) {
		// go-mail formats its address as host:port, which breaks IPv6
		// literals: dial our own.
		var d net.Dialer
		raw, err := d.DialContext(dctx, "tcp", n.addr)
		if err != nil {
			return nil, err
		}
		conn = raw
		stop = context.AfterFunc(ctx, func() { _ = raw.Close() })
		if n.policy != TLSImplicit {
			return raw, nil
		}
		// go-mail's own implicit TLS is skipped when a dial function is
		// set. The *tls.Conn is returned as is because go-mail's SMTP client
		// learns that the connection is encrypted from its type, which
		// PLAIN and LOGIN require.
		tc := tls.Client(raw, n.tls)
		if err := tc.HandshakeContext(dctx); err != nil {
			return nil, err
		}
		return tc, nil
	}

	opts := []gomail.Option{
		gomail.WithDialContextFunc(dial),
		gomail.WithTimeout(n.timeout),
		// STARTTLS and AUTH are done below, so that a server lacking them
		// is reported with this package's sentinels.
		gomail.WithTLSPolicy(gomail.NoTLS),
		// The connection is fresh: NOOP proves nothing, and RSET after the
		// message would only add a way to fail after the server accepted it.
		gomail.WithoutNoop(),
		gomail.WithoutRset(),
	}
	if n.helo != "" {
		opts = append(opts, gomail.WithHELO(n.helo))
	}
	client, err := gomail.NewClient(n.host, opts...)
	if err != nil {
		return classify(ctx, err)
	}
	sc, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		err = fmt.Errorf("connecting to %s: %w", n.addr, err)
	}
	if err == nil {
		err = n.startTLS(sc)
	}
	if err == nil {
		err = n.login(sc)
	}
	if err == nil {
		err = client.SendWithSMTPClient(sc, msg)
	}
	if msg.IsDelivered() {
		// The server has taken the message. QUIT is a courtesy: failing it
		// must not make the outbox send a duplicate.
		_ = sc.Quit()
		return nil
	}
	if err == nil {
		// Unreachable with go-mail v0.8.1, which marks a message delivered
		// whenever it returns no error; never report success unconfirmed.
		err = errors.New("smtp: the server did not confirm the message")
	}
	e := classify(ctx, err)
	if sc != nil && e.Code != 0 {
		// The server answered, so it is alive to hear QUIT.
		_ = sc.Quit()
	}
	return e
}

// startTLS applies the STARTTLS policies.
func (n *Notifier) startTLS(sc *gmsmtp.Client) error {
	if n.policy != TLSMandatory && n.policy != TLSOpportunistic {
		return nil
	}
	if ok, _ := sc.Extension("STARTTLS"); !ok {
		if n.policy == TLSMandatory {
			return ErrStartTLSUnavailable
		}
		return nil
	}
	if err := sc.StartTLS(n.tls); err != nil {
		return fmt.Errorf("STARTTLS: %w", err)
	}
	return nil
}

// login authenticates with the configured mechanism, if any.
func (n *Notifier) login(sc *gmsmtp.Client) error {
	var a gmsmtp.Auth
	switch n.auth {
	case AuthPlain:
		a = gmsmtp.PlainAuth("", n.username, n.password, n.host, false)
	case AuthLogin:
		a = gmsmtp.LoginAuth(n.username, n.password, n.host, false)
	case AuthCRAMMD5:
		a = gmsmtp.CRAMMD5Auth(n.username, n.password)
	default:
		return nil
	}
	_, offered := sc.Extension("AUTH")
	for _, mech := range strings.Fields(offered) {
		if strings.EqualFold(mech, string(n.auth)) {
			if err := sc.Auth(a); err != nil {
				return fmt.Errorf("AUTH %s as %q: %w", n.auth, n.username, err)
			}
			return nil
		}
	}
	if offered == "" {
		offered = "none"
	}
	return fmt.Errorf("%w: %s (offered: %s)", ErrAuthUnavailable, n.auth, offered)
}

func isLocalhost(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

func isASCII(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return r > unicode.MaxASCII })
}

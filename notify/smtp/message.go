package smtp

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/mail"
	"strings"
	"unicode"

	gomail "github.com/wneessen/go-mail"

	"github.com/multilinehq/multiline/invite"
)

// HeaderIdempotencyKey carries a message's idempotency key verbatim, next
// to the Message-ID derived from it.
const HeaderIdempotencyKey = "X-MultiLine-Idempotency-Key"

// maxKeyInID is the longest key used as is on the left of a Message-ID;
// longer keys are hashed so the header stays well within line limits.
const maxKeyInID = 128

// MessageID returns the Message-ID, angle brackets included, that Send gives
// a message with the idempotency key key: <key@domain> where domain is that
// of Config.From, or <hash@domain> when key cannot appear in a Message-ID as
// it is. It is "" for an empty key, for which Send generates a random one.
func (n *Notifier) MessageID(key string) string {
	if key == "" {
		return ""
	}
	return "<" + n.messageID(key) + ">"
}

// messageID is MessageID without the angle brackets, which go-mail adds.
func (n *Notifier) messageID(key string) string {
	if len(key) <= maxKeyInID && isDotAtom(key) {
		return key + "@" + n.domain
	}
	// A hash keeps the ID stable across retries, which is its purpose, for
	// keys with spaces, "@", brackets or non-ASCII letters.
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:16]) + "@" + n.domain
}

// message builds the email for m, or refuses m with a permanent *Error.
func (n *Notifier) message(m invite.Message) (*gomail.Msg, error) {
	if m.Channel != invite.Email {
		return nil, refuse(fmt.Errorf("%w, not %q", ErrUnsupportedChannel, m.Channel))
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return nil, refuse(fmt.Errorf("%w: recipient %q: %v", ErrInvalidMessage, m.To, err))
	}
	if strings.TrimSpace(m.Text) == "" {
		return nil, refuse(fmt.Errorf("%w: the text is empty", ErrInvalidMessage))
	}
	if strings.ContainsFunc(m.IdempotencyKey, unicode.IsControl) {
		return nil, refuse(fmt.Errorf("%w: the idempotency key %q has control characters", ErrInvalidMessage, m.IdempotencyKey))
	}

	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(n.from)
	msg.ToMailAddress(to)
	// A template ending in a newline must not end the header block early or
	// inject a header of its own.
	msg.Subject(strings.Join(strings.FieldsFunc(m.Subject, func(r rune) bool { return r == '\r' || r == '\n' }), " "))
	msg.SetDate()
	if m.IdempotencyKey != "" {
		msg.SetMessageIDWithValue(n.messageID(m.IdempotencyKey))
		msg.SetGenHeader(gomail.Header(HeaderIdempotencyKey), m.IdempotencyKey)
	} else {
		msg.SetMessageID()
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// isDotAtom reports whether s is an RFC 5322 dot-atom: atext runs separated
// by single dots, the only form allowed on either side of a Message-ID
// without quoting.
func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte(".!#$%&'*+-/=?^_`{|}~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

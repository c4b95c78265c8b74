package invite_test

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/multilinehq/multiline/invite"
)

const base64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

func FuzzParseToken(f *testing.F) {
	good := base64.RawURLEncoding.EncodeToString(seq(32))
	for _, s := range []string{
		good, "  " + good + "\n", base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0xff}, 32)),
		"", good[:42], good + "A", good + "=", good[:42] + "+", good[:42] + "\xff", good[:41] + "é", good[:42] + "B",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := invite.ParseToken(s)
		if err != nil {
			if tok != "" {
				t.Fatalf("ParseToken(%q) = %q with error %v", s, tok, err)
			}
			return
		}
		// Accepted: exactly 43 base64url characters that decode to 32 bytes,
		// the input without its surrounding spaces, and a token NewToken could
		// have issued.
		if len(tok) != 43 || strings.Trim(string(tok), base64url) != "" {
			t.Fatalf("ParseToken(%q) = %q: not 43 base64url characters", s, tok)
		}
		if string(tok) != strings.TrimSpace(s) {
			t.Fatalf("ParseToken(%q) = %q: not the trimmed input", s, tok)
		}
		raw, err := base64.RawURLEncoding.DecodeString(string(tok))
		if err != nil || len(raw) != 32 {
			t.Fatalf("ParseToken(%q) = %q: decodes to %d bytes, %v", s, tok, len(raw), err)
		}
		issued, _, err := invite.NewToken(bytes.NewReader(raw))
		if err != nil || issued != tok {
			t.Fatalf("ParseToken(%q) = %q, but its bytes make token %q", s, tok, issued)
		}
	})
}

package account

import (
	"net/mail"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

// Obvious verdicts of the email policy (the full comparison with the public
// corpora is a test of its own). want is the code of the rule broken, or
// empty for an address the policy accepts.
func TestCheckEmailObviousVerdicts(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"ann@example.com", ""},
		{"Ann.Smith@Example.COM", ""},
		{"ann+tag@example.co.uk", ""},
		{"o'brien@example.ie", ""},
		{"a@b.co", ""},
		{"ann_smith-1@sub.example-host.com", ""},
		{"!#$%&'*+/=?^_`{|}~-@example.com", ""},
		{"zoë@bücher.de", ""},        // RFC 6531 local part, IDN domain
		{"用户@例子.广告", ""},             // IDN all through
		{"ann@xn--bcher-kva.de", ""}, // punycode IDN

		{"", CodeEmailFormat},
		{"ann", CodeEmailFormat},
		{"ann@", CodeEmailFormat},
		{"@example.com", CodeEmailFormat},
		{"ann@@example.com", CodeEmailFormat},
		{"ann@smith@example.com", CodeEmailFormat},
		{".ann@example.com", CodeEmailFormat},
		{"ann.@example.com", CodeEmailFormat},
		{"ann..smith@example.com", CodeEmailFormat},
		{"ann,smith@example.com", CodeEmailFormat},
		{"ann\xff@example.com", CodeEmailFormat},

		{"Ann <ann@example.com>", CodeEmailDisplayName},
		{"Ann Smith <ann@example.com>", CodeEmailDisplayName},
		{"<ann@example.com>", CodeEmailDisplayName},
		{"Ann<ann@example.com>", CodeEmailDisplayName},

		{"ann smith@example.com", CodeEmailSpace},
		{"ann@exam ple.com", CodeEmailSpace},
		{"ann@example.com\n", CodeEmailSpace},
		{"ann\u00a0@example.com", CodeEmailSpace},
		{"ann\x00@example.com", CodeEmailSpace},
		{"ann\u200b@example.com", CodeEmailFormat}, // zero-width space: not a space, not a letter

		{"ann@localhost", CodeEmailDomain},
		{"ann@example", CodeEmailDomain},
		{"ann@-example.com", CodeEmailDomain},
		{"ann@example-.com", CodeEmailDomain},
		{"ann@exa_mple.com", CodeEmailDomain},
		{"ann@192.168.0.1", CodeEmailDomain},
		{"ann@[192.168.0.1]", CodeEmailDomain},
		{"ann@" + strings.Repeat("a", 64) + ".com", CodeEmailDomain},

		{strings.Repeat("a", 65) + "@example.com", CodeEmailTooLong},
		{"ann@" + strings.Repeat(strings.Repeat("a", 62)+".", 4) + "com", CodeEmailTooLong}, // 259 bytes
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r := checkEmail(tt.in)
			if tt.want == "" {
				assert.Nil(t, r)
				return
			}
			if assert.NotNil(t, r) {
				assert.Equal(t, tt.want, r.code)
				assert.Contains(t, r.msg, "Email")
			}
		})
	}
}

// Quoted local parts, comments and empty domain labels are refused (which
// rule names them is the email policy's choice).
func TestCheckEmailRefuses(t *testing.T) {
	for _, s := range []string{
		"ann@example.",
		"ann@.example.com",
		"ann@example..com",
		`"ann"@example.com`,
		`"ann smith"@example.com`,
		`"ann@smith"@example.com`,
		`ann(comment)@example.com`,
		`ann@example.com(comment)`,
		`ann@example.com (Ann)`,
		`ann@(comment)example.com`,
	} {
		assert.NotNil(t, checkEmail(s), s)
	}
}

func TestCheckEmailLengthLimits(t *testing.T) {
	local64 := strings.Repeat("a", 64) + "@example.com"
	assert.Nil(t, checkEmail(local64), "64 bytes before the @ are allowed")

	// 254 bytes in all: "a@" + labels of 63 + the rest.
	addr := "a@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 63) + "." + strings.Repeat("e", 56) + ".com"
	assert.Len(t, addr, 254)
	assert.Nil(t, checkEmail(addr))
	assert.NotNil(t, checkEmail("a"+addr))
}

func FuzzCheckEmail(f *testing.F) {
	for _, s := range []string{
		"ann@example.com", "Ann.Smith@Example.COM", "zoë@bücher.de", "用户@例子.广告",
		"Ann Smith <ann@example.com>", `"ann smith"@example.com`, "ann@[192.168.0.1]",
		"ann@localhost", "ann..smith@example.com", "ann@example.com (Ann)", "ann\xff@example.com",
		strings.Repeat("a", 65) + "@example.com", "a@b.c0", "a@b.0", "ann@example.com\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := checkEmail(s)
		if r != nil {
			switch r.code {
			case CodeEmailFormat, CodeEmailDisplayName, CodeEmailSpace, CodeEmailDomain, CodeEmailTooLong:
			default:
				t.Fatalf("checkEmail(%q): unknown code %q", s, r.code)
			}
			return
		}
		// Accepted: the address obeys every rule of the policy.
		if !utf8.ValidString(s) || len(s) > 254 || strings.Count(s, "@") != 1 {
			t.Fatalf("checkEmail accepted %q", s)
		}
		for _, c := range s {
			if unicode.IsSpace(c) || unicode.IsControl(c) || strings.ContainsRune(`"<>()[]\,;:`, c) {
				t.Fatalf("checkEmail accepted %q with %q", s, c)
			}
		}
		local, domain, _ := strings.Cut(s, "@")
		if local == "" || len(local) > 64 || strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
			t.Fatalf("checkEmail accepted %q: bad local part", s)
		}
		labels := strings.Split(domain, ".")
		if len(labels) < 2 {
			t.Fatalf("checkEmail accepted %q: no dot in the domain", s)
		}
		for _, l := range labels {
			if l == "" || len(l) > 63 || strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") {
				t.Fatalf("checkEmail accepted %q: bad label %q", s, l)
			}
		}
		addr, err := mail.ParseAddress(s)
		if err != nil || addr.Name != "" || addr.Address != s {
			t.Fatalf("checkEmail accepted %q, which net/mail reads as %v, %v", s, addr, err)
		}
	})
}

package invite

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"golang.org/x/text/language"
)

// FuzzPlainHTTPLink holds safeLink's shortcut to url.Parse: a link it
// passes must parse, as http or https, so that skipping the parse changes
// no answer.
func FuzzPlainHTTPLink(f *testing.F) {
	for _, s := range []string{
		"https://ml.example.com/i/" + sampleToken,
		"http://localhost/activate?t=abc#x",
		"https://", "https://host:8080/x", "https://user@host/", "https://h/%zz",
		"HTTPS://h/", "https://h/a b", "javascript:alert(1)", "https://[::1]/", "https://h?x@y#z:w",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !plainHTTPLink(s) {
			return
		}
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil {
			t.Fatalf("%q passed the shortcut but url.Parse refuses it: %v", s, err)
		}
		if sch := strings.ToLower(u.Scheme); sch != "http" && sch != "https" {
			t.Fatalf("%q passed the shortcut with scheme %q", s, u.Scheme)
		}
	})
}

func TestPlainHTTPLink(t *testing.T) {
	for s, want := range map[string]bool{
		"https://ml.example.com/i/" + sampleToken: true,
		"http://localhost/activate?t=a_b-c~d":     true,
		"https://host:8080/x":                     false, // a port: parsed
		"https://user@host/":                      false,
		"https://h/%41":                           false,
		"HTTPS://h/":                              false, // parsed, and safe
		"javascript:alert(1)":                     false,
		"https://h/a b":                           false,
		"https://h/\u00e9":                        false,
	} {
		assert.Equal(t, want, plainHTTPLink(s), s)
	}
	assert.Equal(t, "HTTPS://h/", safeLink("HTTPS://h/"), "the slow path still answers")
	assert.Equal(t, unsafeLink, safeLink("javascript:alert(1)"))
}

// TestExpiryRemembered checks that the remembered expiry is the one asked
// for: alternating times, forms and locations each get their own text.
func TestExpiryRemembered(t *testing.T) {
	a := time.Date(2026, time.March, 16, 17, 0, 0, 0, time.UTC)
	b := a.Add(24 * time.Hour)
	rome := time.FixedZone("CET", 3600)
	l := localeOf(language.Italian)
	for range 2 {
		assert.Equal(t, "16 marzo 2026, ore 17:00 UTC", l.expiry(a, false))
		assert.Equal(t, "16/03/2026", l.expiry(a, true))
		assert.Equal(t, "17 marzo 2026, ore 17:00 UTC", l.expiry(b, false))
		assert.Equal(t, "16 marzo 2026, ore 18:00 CET", l.expiry(a.In(rome), false))
		assert.Equal(t, "", l.expiry(time.Time{}, false))
	}
}

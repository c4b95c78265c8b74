package numberpool_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
)

// e164RE is "+" and digits without a leading zero. It allows more than
// E.164's 15 digits: libphonenumber (and so ParseE164) accepts some longer
// numbers as valid, e.g. German +4920100000000000 (16 digits).
var e164RE = regexp.MustCompile(`^\+[1-9][0-9]{1,19}$`)

func FuzzParseE164(f *testing.F) {
	for _, s := range []string{
		"+14155550101", "+1 (415) 555-0101", "14155550101", "1.41556E+10", "1E10",
		"+44 20 7946 0958", "390612345678", "+39 06 1234 5678", "(415) 555-0101",
		"+１４１５５５５０１０１", "+1 800 FLOWERS", "+1 415 555 0101 ext. 12",
		"+1-415-555-0101;ext=2", "tel:+14155550101", "+", "", "00 1 415 555 0101",
		"+999 1234 5678", "\xff+1415", "+1" + strings.Repeat("-", 63) + "4155550101",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := numberpool.ParseE164(s)
		if err != nil {
			if got != "" {
				t.Fatalf("ParseE164(%q) = %q with error %v", s, got, err)
			}
			if !errors.Is(err, mlerr.ErrInvalid) {
				t.Fatalf("ParseE164(%q): error %v does not wrap ErrInvalid", s, err)
			}
			return
		}
		if !e164RE.MatchString(got) {
			t.Fatalf("ParseE164(%q) = %q: not E.164", s, got)
		}
		again, err := numberpool.ParseE164(got)
		if err != nil || again != got {
			t.Fatalf("ParseE164(%q) = %q, which parses to %q, %v", s, got, again, err)
		}
		// Without its +, as a spreadsheet leaves it, it is the same number.
		again, err = numberpool.ParseE164(got[1:])
		if err != nil || again != got {
			t.Fatalf("ParseE164(%q) = %q, but its digits parse to %q, %v", s, got, again, err)
		}
	})
}

var tagRE = regexp.MustCompile(`^[A-Z0-9_-]{1,32}$`)

func FuzzNormalizeTag(f *testing.F) {
	for _, s := range []string{"PORTED", "ported", "  Ported\t", "vip-2026_a", strings.Repeat("a", 33), "", "two words", "été", "ı", "ſ", "ﬀ", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := numberpool.NormalizeTag(s)
		if err != nil {
			var fe *mlerr.FieldError
			if got != "" || !errors.As(err, &fe) || fe.Code != "tag.format" || !errors.Is(err, mlerr.ErrInvalid) {
				t.Fatalf("NormalizeTag(%q) = %q, %v", s, got, err)
			}
			return
		}
		if !tagRE.MatchString(got) {
			t.Fatalf("NormalizeTag(%q) = %q: not a tag", s, got)
		}
		trimmed := strings.TrimSpace(s)
		for i := 0; i < len(trimmed); i++ {
			if trimmed[i] >= 0x80 {
				t.Fatalf("NormalizeTag(%q) = %q: accepted a non-ASCII tag", s, got)
			}
		}
		if got != strings.ToUpper(trimmed) {
			t.Fatalf("NormalizeTag(%q) = %q: not the trimmed input upper-cased", s, got)
		}
		again, err := numberpool.NormalizeTag(got)
		if err != nil || again != got {
			t.Fatalf("NormalizeTag(%q) = %q, which normalizes to %q, %v", s, got, again, err)
		}
	})
}

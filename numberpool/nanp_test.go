package numberpool

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// sameParse fails t unless ParseE164's fast path and phonenumbers alone
// give s the same answer.
func sameParse(t testing.TB, s string) {
	t.Helper()
	fast, errF := parseE164(s, true)
	lib, errL := parseE164(s, false)
	if fast != lib || errF != errL {
		t.Fatalf("ParseE164(%q): fast path %q, %v; phonenumbers %q, %v", s, fast, errF, lib, errL)
	}
}

// nanpForms are the ways nanpNumber reads a number "+1" + nsn, and one it
// leaves to phonenumbers.
func nanpForms(nsn string) (fast []string, slow string) {
	a, e, l := nsn[:3], nsn[3:6], nsn[6:]
	return []string{
		"+1" + nsn, "1" + nsn, "+1 " + a + " " + e + " " + l, " +1-" + a + "-" + e + "-" + l + " ", "+ 1" + nsn,
	}, "+1 (" + a + ") " + e + "-" + l
}

// TestNANPFastPath compares the fast path with phonenumbers for every area
// code (000–999, so also those no number has) with exchanges and lines that
// are valid and not, in the forms the fast path reads.
func TestNANPFastPath(t *testing.T) {
	// The premises of the fast path, in the library's metadata: code 1's
	// first region is the US, which has no leading digits (so IsValidNumber
	// judges a number valid in the US by the US's rules), and whose national
	// prefix for parsing is "1" (so Parse strips nothing from a national
	// number starting 2-9).
	if r := phonenumbers.GetRegionCodesForCountryCode(1); len(r) == 0 || r[0] != "US" {
		t.Fatalf("the regions of code 1 are %v: the fast path needs the US first", r)
	}
	meta, err := phonenumbers.MetadataCollection()
	if err != nil {
		t.Fatal(err)
	}
	var us *phonenumbers.PhoneMetadata
	for _, m := range meta.GetMetadata() {
		if m.GetId() == "US" {
			us = m
		}
	}
	if us == nil || us.GetCountryCode() != 1 || us.GetLeadingDigits() != "" {
		t.Fatalf("US metadata %v: the fast path needs code 1 and no leading digits", us)
	}
	if p, np := us.GetNationalPrefixForParsing(), us.GetNationalPrefix(); p != "1" && (p != "" || np != "1") {
		t.Fatalf("US national prefix for parsing %q (national prefix %q): the fast path needs \"1\"", p, np)
	}

	valid := 0
	for area := range 1000 {
		for _, rest := range []string{"5550101", "2019876", "9999999", "0100000"} {
			nsn := fmt.Sprintf("%03d%s", area, rest)
			fast, slow := nanpForms(nsn)
			for _, s := range fast {
				_, _, ok := nanpNumber("+" + strings.TrimPrefix(strings.TrimSpace(s), "+"))
				if want := area >= 200; ok != want {
					t.Fatalf("nanpNumber(%q) ok = %v, want %v", s, ok, want)
				}
				sameParse(t, s)
			}
			if _, _, ok := nanpNumber(slow); ok {
				t.Fatalf("nanpNumber(%q) took a form it does not read", slow)
			}
			sameParse(t, slow)
			if _, err := parseE164(fast[0], false); err == nil {
				valid++
			}
		}
	}
	if valid < 500 {
		t.Fatalf("only %d valid numbers among those compared: the test checks too little", valid)
	}
}

// TestNANPFastPathExamples compares the two on phonenumbers' example numbers
// of every region and type (the library's copy of the corpus of
// libphonenumber-example-numbers.json) and invalid neighbours of them, in
// the forms of nanpForms: every NANP region's go through the fast path, the others must
// not.
func TestNANPFastPathExamples(t *testing.T) {
	nanp := 0
	for region := range phonenumbers.GetSupportedRegions() {
		var nums []*phonenumbers.PhoneNumber
		for typ := phonenumbers.FIXED_LINE; typ <= phonenumbers.VOICEMAIL; typ++ {
			if n := phonenumbers.GetExampleNumberForType(region, typ); n != nil {
				nums = append(nums, n)
			}
		}
		for _, n := range nums {
			nsn := phonenumbers.GetNationalSignificantNumber(n)
			e164 := phonenumbers.Format(n, phonenumbers.E164)
			sameParse(t, e164)
			sameParse(t, e164[1:])
			sameParse(t, fmt.Sprintf("+%d %s", n.GetCountryCode(), nsn))
			sameParse(t, phonenumbers.Format(n, phonenumbers.INTERNATIONAL))
			// Invalid neighbours: a digit more, a digit less, the last
			// digit changed.
			sameParse(t, e164+"0")
			sameParse(t, e164[:len(e164)-1])
			sameParse(t, e164[:len(e164)-1]+string('0'+(e164[len(e164)-1]-'0'+5)%10))
			if n.GetCountryCode() != 1 || len(nsn) != 10 {
				if _, _, ok := nanpNumber(e164); ok {
					t.Fatalf("nanpNumber took %q of %s", e164, region)
				}
				continue
			}
			nanp++
			fast, slow := nanpForms(nsn)
			for _, s := range append(fast, slow) {
				sameParse(t, s)
			}
		}
	}
	if nanp < 50 {
		t.Fatalf("only %d NANP examples: the test checks too little", nanp)
	}
}

// FuzzNANPFastPath holds the fast path to phonenumbers for any input.
func FuzzNANPFastPath(f *testing.F) {
	for _, s := range []string{
		"+14155550101", "+1 415 555 0101", "+1-415-555-0101", "14155550101", "+1 (415) 555-0101",
		"+11155550101", "+1 015 555 0101", "+141555501012", "+1415555010", "+1 415 555 0101 -",
		"+1--4-1-5-5-5-5-0-1-0-1", "+ 1 4155550101", "+16282000000", "+18005550101", "+19005550101",
		"+1 415 555 0101#", "+1 415 555 0101 x12", "+44 20 7946 0958", "+1\u00a0415 555 0101",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { sameParse(t, s) })
}

package numberpool

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// TestUSRules compares validInUS with phonenumbers.IsValidNumberForRegion
// for every national number's area code (200–999), with exchanges and lines
// that are valid and not.
func TestUSRules(t *testing.T) {
	r := us()
	if r == nil {
		t.Fatal("no US rules in phonenumbers' metadata")
	}
	if len(r.others) != 8 {
		t.Fatalf("%d rules besides fixed line and mobile, want 8", len(r.others))
	}
	valid, n := 0, 0
	for area := 200; area <= 999; area++ {
		for _, exch := range []int{100, 211, 234, 555, 911, 958, 976} {
			for _, line := range []int{0, 100, 1234, 9999} {
				nsn := fmt.Sprintf("%03d%03d%04d", area, exch, line)
				v, _ := strconv.ParseUint(nsn, 10, 64)
				cc := int32(1)
				want := phonenumbers.IsValidNumberForRegion(&phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &v}, "US")
				if got := r.validInUS(nsn); got != want {
					t.Fatalf("validInUS(%s) = %v, phonenumbers says %v", nsn, got, want)
				}
				if want {
					valid++
				}
				n++
			}
		}
	}
	if valid == 0 || valid == n {
		t.Fatalf("%d of %d numbers valid: the comparison tells nothing", valid, n)
	}
}

package numberpool_test

import (
	"errors"
	"fmt"

	"github.com/multilinehq/multiline/numberpool"
)

// Reading phone numbers as people type them and spreadsheets leave them.
func ExampleParseE164() {
	for _, s := range []string{"+1 (415) 555-0101", "14155550101", "+44 20 7946 0958", "1.41556E+10", "555-0101"} {
		e164, err := numberpool.ParseE164(s)
		switch {
		case errors.Is(err, numberpool.ErrScientific):
			fmt.Printf("%s: scientific notation, digits lost\n", s)
		case err != nil:
			fmt.Printf("%s: %v\n", s, err)
		default:
			fmt.Printf("%s: %s\n", s, e164)
		}
	}
	// Output:
	// +1 (415) 555-0101: +14155550101
	// 14155550101: +14155550101
	// +44 20 7946 0958: +442079460958
	// 1.41556E+10: scientific notation, digits lost
	// 555-0101: invalid input: phone number without country code
}

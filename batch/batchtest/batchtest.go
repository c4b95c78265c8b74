// Package batchtest generates batch uploads for tests and benchmarks of the
// batch package and of the service that implements its Importer.
//
// GenerateCSV(n) is a valid upload of n data rows in the template's column
// order, the same bytes for the same n:
//
//   - every row has a unique username: user%06d@example.com, except every
//     10th row (i%10 == 9), which has a device number +1 415 XXX XXXX
//     instead (an SMS invitation: Import & Invite needs the SMS consent
//     attestation for it);
//   - every 4th row (i%4 == 0) names its own multiline_number, from
//     ExplicitNumbers; the others take one from the pool, so an Import &
//     Invite of all n rows needs the ExplicitNumbers in the pool, Available
//     or Reserved, plus n-len(ExplicitNumbers(n)) further Available numbers;
//   - social_messaging is No and restrict_incoming_social_messaging empty, so
//     the file suits an organization without social messaging;
//   - names include accented letters; a third of the rows have a forwarding
//     number; Language cycles through names, codes and empty.
//
// Numbers are valid North American numbers (area codes 415 and 628), so n
// is limited to 800 000 rows.
package batchtest

import (
	"fmt"
	"strconv"
	"strings"
)

// Header is the header line GenerateCSV writes, in template order.
const Header = "firstname,lastname,email address or device,social_messaging,multiline_number,monitor_calls,monitor_sms,forwarding_number,restrict_incoming_social_messaging,Language"

var (
	firstNames = []string{"Ann", "José", "Zoë", "Björn", "Chloé", "Ivan", "Mei", "Ola"}
	lastNames  = []string{"Smith", "Müller", "O'Brien", "García", "Rossi", "Dubois", "Nakamura", "van der Berg"}
	languages  = []string{"English", "it", "German", "fr", "Spanish", ""}
)

// GenerateCSV returns a valid upload of n data rows (see the package doc).
func GenerateCSV(n int) []byte {
	var b strings.Builder
	b.Grow(64 + n*120)
	b.WriteString(Header)
	b.WriteByte('\n')
	for i := range n {
		b.WriteString(firstNames[i%len(firstNames)])
		b.WriteByte(',')
		b.WriteString(lastNames[(i/len(firstNames))%len(lastNames)])
		b.WriteByte(',')
		if IsDeviceRow(i) {
			b.WriteString(Device(i))
		} else {
			b.WriteString(Email(i))
		}
		b.WriteString(",No,")
		if HasExplicitNumber(i) {
			b.WriteString(ExplicitNumber(i))
		}
		if i%2 == 0 {
			b.WriteString(",auto,on,")
		} else {
			b.WriteString(",off,off,")
		}
		if i%3 == 0 {
			b.WriteString("+1 (415) 555-0100")
		}
		b.WriteString(",,")
		b.WriteString(languages[i%len(languages)])
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// IsDeviceRow reports whether row i (from 0) has a device rather than an
// email.
func IsDeviceRow(i int) bool { return i%10 == 9 }

// HasExplicitNumber reports whether row i (from 0) names its own
// multiline_number.
func HasExplicitNumber(i int) bool { return i%4 == 0 }

// Email returns the email of row i.
func Email(i int) string { return fmt.Sprintf("user%06d@example.com", i) }

// Device returns the device number of row i, formatted as people type it;
// its E.164 form is "+1415" followed by its digits.
func Device(i int) string {
	return fmt.Sprintf("+1 415 %03d %04d", 200+i/10000, i%10000)
}

// ExplicitNumber returns the multiline_number of row i, in E.164.
func ExplicitNumber(i int) string {
	return "+1628" + strconv.Itoa(200+i/10000) + fmt.Sprintf("%04d", i%10000)
}

// ExplicitNumbers returns, in file order, the multiline_number cells of
// GenerateCSV(n), in E.164.
func ExplicitNumbers(n int) []string {
	var out []string
	for i := range n {
		if HasExplicitNumber(i) {
			out = append(out, ExplicitNumber(i))
		}
	}
	return out
}

// PoolNumbers returns k Available numbers (E.164) that GenerateCSV never
// names, for the rows without a number of their own: area code 628,
// exchanges counted down from 999, k at most 400 000.
func PoolNumbers(k int) []string {
	out := make([]string, k)
	for j := range k {
		out[j] = "+1628" + strconv.Itoa(999-j/10000) + fmt.Sprintf("%04d", j%10000)
	}
	return out
}

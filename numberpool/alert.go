package numberpool

import (
	"fmt"
	"strings"

	"github.com/multilinehq/multiline/org"
)

// AlertText is the utilization alert of the organization named orgName,
// whose capacity after the change is after and whose threshold (a
// percentage) it crossed: the subject and the text its alert recipients
// get. Names are validated when saved; the subject maps control characters
// to spaces all the same, so that a record saved before those rules stays
// out of a mail header.
func AlertText(orgName string, after Capacity, threshold int) (subject, text string) {
	text = fmt.Sprintf("%s now uses %d of its %d numbers (%.0f%%), at or above its alert threshold of %d%%. %d numbers are Available.\n",
		orgName, after.Held, after.Total, after.Utilization(), threshold, after.Available)
	subject = strings.Map(func(r rune) rune {
		if org.IsControl(r) {
			return ' '
		}
		return r
	}, fmt.Sprintf("MultiLine number utilization alert: %s at %.0f%%", orgName, after.Utilization()))
	return subject, text
}

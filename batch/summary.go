package batch

import "fmt"

// SummaryText is the Batch Operations Report summary of r, a batch of the
// organization named orgName, as its alert recipients get it (SPEC §6):
// the subject and the text.
func SummaryText(orgName string, r Record) (subject, text string) {
	sum := r.Summary
	text = fmt.Sprintf("Batch Operations Report for %s (%s): %d rows, %d imported, %d invited, %d failed.\nBatch %s, %s.\n",
		orgName, r.Mode, sum.Total, sum.Imported, sum.Invited, sum.Failed, r.ID, r.State)
	return fmt.Sprintf("Batch Operations Report: %d of %d rows failed", sum.Failed, sum.Total), text
}

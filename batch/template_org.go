package batch

import (
	"encoding/csv"
	"io"
	"slices"

	"github.com/gocarina/gocsv"
)

// WriteTemplateFor writes the template of one organization: WriteTemplate's
// file, without the restrict_incoming_social_messaging column when the
// organization does not have social messaging (socialMessaging false), so
// that its administrators are not offered a column that would get their
// file refused (ReasonRestrictNotAllowed).
func WriteTemplateFor(w io.Writer, socialMessaging bool) error {
	if socialMessaging {
		return WriteTemplate(w)
	}
	cw := &dropColumn{w: csv.NewWriter(w), name: RestrictIncomingSocial.String(), at: -1}
	if err := gocsv.MarshalCSV(templateRows, cw); err != nil {
		return wrapWrite("template", err)
	}
	return nil
}

// dropColumn is a gocsv writer that leaves out the column whose header is
// name: the header is the first record written.
type dropColumn struct {
	w      *csv.Writer
	name   string
	at     int // the column's index; -1 until the header is seen
	header bool
}

func (d *dropColumn) Write(rec []string) error {
	if !d.header {
		d.header = true
		d.at = slices.Index(rec, d.name)
	}
	if d.at >= 0 && d.at < len(rec) {
		rec = slices.Delete(slices.Clone(rec), d.at, d.at+1)
	}
	return d.w.Write(rec)
}

func (d *dropColumn) Flush()       { d.w.Flush() }
func (d *dropColumn) Error() error { return d.w.Error() }

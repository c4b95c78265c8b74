package batch

import (
	"encoding/csv"
	"io"
	"strings"

	"github.com/gocarina/gocsv"

	"github.com/multilinehq/multiline/mlerr"
)

// Status is what happened to one row, as the report's status column says.
type Status string

// The row statuses of the Batch Operations Report.
const (
	StatusImported Status = "imported" // Import: the account was saved
	StatusInvited  Status = "invited"  // Import & Invite: saved and invited
	StatusValid    Status = "valid"    // validate-only: the row would import
	StatusFailed   Status = "failed"   // the row was not imported
)

// ReportRow is one line of the Batch Operations Report CSV (SPEC §6). The
// struct tags are the report's header, in order.
type ReportRow struct {
	// Row is the row's line in the uploaded file; the header is line 1.
	Row int `csv:"row"`
	// EmailOrDevice, FirstName and LastName are the row's cells as uploaded,
	// surrounding white space trimmed, so the administrator can find the row.
	EmailOrDevice string `csv:"email address or device"`
	FirstName     string `csv:"firstname"`
	LastName      string `csv:"lastname"`
	// MultilineNumber is the number the account holds (E.164), or would take
	// in validate-only; empty when none or when the row failed.
	MultilineNumber string `csv:"multiline_number"`
	Status          Status `csv:"status"`
	// Error is empty, or the messages of the row's errors, each naming the
	// column and the rule, joined with "; ".
	Error string `csv:"error"`
	// ErrorCode is empty, or the stable codes of the row's errors, in the
	// same order as the messages, joined with ";".
	ErrorCode string `csv:"error_code"`
}

// failedRow returns the report line of a row that failed with fields.
func failedRow(r Row, fields []*mlerr.FieldError) ReportRow {
	rr := reportRow(r, StatusFailed, "")
	msgs := make([]string, len(fields))
	codes := make([]string, len(fields))
	for i, fe := range fields {
		msgs[i], codes[i] = fe.Message, fe.Code
	}
	rr.Error = strings.Join(msgs, "; ")
	rr.ErrorCode = strings.Join(codes, ";")
	return rr
}

func reportRow(r Row, s Status, number string) ReportRow {
	return ReportRow{
		Row:             r.Line,
		EmailOrDevice:   strings.TrimSpace(r.cells[EmailOrDevice]),
		FirstName:       strings.TrimSpace(r.cells[FirstName]),
		LastName:        strings.TrimSpace(r.cells[LastName]),
		MultilineNumber: number,
		Status:          s,
	}
}

// WriteReport writes the Batch Operations Report CSV: the header line, then
// one line per row. Every cell is neutralized against spreadsheet formula
// injection (see Neutralize) except row. rows is not modified.
func WriteReport(w io.Writer, rows []ReportRow) error {
	safe := make([]ReportRow, len(rows))
	for i, r := range rows {
		safe[i] = ReportRow{
			Row:             r.Row,
			EmailOrDevice:   Neutralize(r.EmailOrDevice),
			FirstName:       Neutralize(r.FirstName),
			LastName:        Neutralize(r.LastName),
			MultilineNumber: Neutralize(r.MultilineNumber),
			Status:          Status(Neutralize(string(r.Status))),
			Error:           Neutralize(r.Error),
			ErrorCode:       Neutralize(r.ErrorCode),
		}
	}
	// A writer of our own per call: gocsv's package-level writer and tag
	// settings are shared by every user of gocsv in the process.
	if err := gocsv.MarshalCSV(safe, csv.NewWriter(w)); err != nil {
		return wrapWrite("report", err)
	}
	return nil
}

func wrapWrite(what string, err error) error {
	return &writeError{what: what, err: err}
}

// writeError is a failure to write the template or the report.
type writeError struct {
	what string
	err  error
}

func (e *writeError) Error() string { return "batch: writing the " + e.what + ": " + e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }

// Neutralize returns s prefixed with a single quote when a spreadsheet would
// take it for a formula: when it starts with '=', '+', '-', '@', a tab or a
// carriage return (SPEC §6). A phone number in E.164 form ("+14155550101":
// '+', then 2 to 15 digits, the first not 0) is left alone: a spreadsheet
// reads it as a number, never as a formula, and the report must show it as
// the number it is.
func Neutralize(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) || isE164(s) {
		return s
	}
	return "'" + s
}

// isE164 reports whether s has the shape of an E.164 number.
func isE164(s string) bool {
	if len(s) < 3 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Summary counts the rows of a batch by status.
type Summary struct {
	Total    int // data rows in the file
	Imported int
	Invited  int
	Valid    int
	Failed   int
}

// add counts one row.
func (s *Summary) add(st Status) {
	s.Total++
	switch st {
	case StatusImported:
		s.Imported++
	case StatusInvited:
		s.Invited++
	case StatusValid:
		s.Valid++
	case StatusFailed:
		s.Failed++
	}
}

// Merge adds the counts of t to s: the summary of two sets of rows is the
// merge of theirs, so a running batch's summary grows with each group's
// lines without counting the earlier ones again.
func (s *Summary) Merge(t Summary) {
	s.Total += t.Total
	s.Imported += t.Imported
	s.Invited += t.Invited
	s.Valid += t.Valid
	s.Failed += t.Failed
}

// Summarize counts rows by status.
func Summarize(rows []ReportRow) Summary {
	var s Summary
	for _, r := range rows {
		s.add(r.Status)
	}
	return s
}

package batch

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNeutralize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"Ann", "Ann"},
		{"=1+2", "'=1+2"},
		{"+1+2", "'+1+2"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"a=1", "a=1"},
		{" =1", " =1"}, // not in the SPEC's list: a leading space is not a formula
		// E.164 numbers stay as they are.
		{"+14155550101", "+14155550101"},
		{"+12", "+12"},
		{"+123456789012345", "+123456789012345"},
		// Not E.164: guarded.
		{"+1234567890123456", "'+1234567890123456"}, // 16 digits
		{"+0123456", "'+0123456"},
		{"+1 415 555 0101", "'+1 415 555 0101"},
		{"+1", "'+1"},
		{"+", "'+"},
		{"-", "'-"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Neutralize(tt.in), "%q", tt.in)
	}
}

func TestWriteReport(t *testing.T) {
	rows := []ReportRow{
		{Row: 2, EmailOrDevice: "ann@example.com", FirstName: "Ann", LastName: "Smith", MultilineNumber: "+16282000000", Status: StatusInvited},
		{Row: 3, EmailOrDevice: "=cmd|' /C calc'!A0", FirstName: "@Bob", LastName: "-x", Status: StatusFailed,
			Error: "monitor_calls must be auto or off, not \"x\"; Language must be ...", ErrorCode: "monitor_calls.value;language.unknown"},
		{Row: 4, EmailOrDevice: "+14152000001", FirstName: "José, \"Pepe\"", Status: StatusImported},
		{Row: 5, EmailOrDevice: "+1 415 200 0002", FirstName: "\tTab", Status: StatusValid},
	}
	orig := append([]ReportRow(nil), rows...)
	var buf bytes.Buffer
	require.NoError(t, WriteReport(&buf, rows))
	assert.Equal(t, orig, rows, "rows are not modified")
	recs, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, [][]string{
		{"row", "email address or device", "firstname", "lastname", "multiline_number", "status", "error", "error_code"},
		{"2", "ann@example.com", "Ann", "Smith", "+16282000000", "invited", "", ""},
		{"3", "'=cmd|' /C calc'!A0", "'@Bob", "'-x", "", "failed", "monitor_calls must be auto or off, not \"x\"; Language must be ...", "monitor_calls.value;language.unknown"},
		{"4", "+14152000001", "José, \"Pepe\"", "", "", "imported", "", ""},
		{"5", "'+1 415 200 0002", "'\tTab", "", "", "valid", "", ""},
	}, recs)
}

func TestWriteReportEmpty(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteReport(&buf, nil))
	assert.Equal(t, "row,email address or device,firstname,lastname,multiline_number,status,error,error_code\n", buf.String())
}

func TestSummarize(t *testing.T) {
	s := Summarize([]ReportRow{{Status: StatusImported}, {Status: StatusInvited}, {Status: StatusInvited}, {Status: StatusValid}, {Status: StatusFailed}})
	assert.Equal(t, Summary{Total: 5, Imported: 1, Invited: 2, Valid: 1, Failed: 1}, s)
}

func TestSummaryMerge(t *testing.T) {
	a := []ReportRow{{Status: StatusImported}, {Status: StatusFailed}}
	b := []ReportRow{{Status: StatusInvited}, {Status: StatusValid}, {Status: StatusFailed}}
	s := Summarize(a)
	s.Merge(Summarize(b))
	assert.Equal(t, Summarize(append(a, b...)), s, "the merge of two summaries is the summary of both sets of rows")
}

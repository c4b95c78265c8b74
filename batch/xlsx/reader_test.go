package xlsx

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/batch/batchtest"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// policy is an organization's policy for ValidateRow.
func policy(social bool) account.Policy {
	s := org.Defaults()
	s.SocialMessaging = social
	return account.Policy{Form: account.CSVRow, Settings: s, Lineage: []org.ID{"org-1"},
		Profiles: []permissions.Profile{{ID: "std", OrgID: "org-1", Name: "Standard", Default: true}}}
}

// TestLibreOfficeAccounts reads accounts.xlsx, written by LibreOffice Calc
// from src/accounts.fods: number cells keep every digit, dates and formulas
// in text columns fail their row naming the column, the blank row is
// skipped, the second sheet is not read.
func TestLibreOfficeAccounts(t *testing.T) {
	rows, err := parse(readFile(t, "accounts.xlsx"), batch.Options{SocialMessaging: true})
	require.NoError(t, err)
	lines := make([]int, len(rows))
	byLine := map[int]batch.Row{}
	for i, r := range rows {
		lines[i] = r.Line
		byLine[r.Line] = r
	}
	assert.Equal(t, []int{2, 3, 4, 5, 6, 7, 9}, lines, "line = the sheet's row number; row 8 is blank")

	tests := []struct {
		line  int
		codes []string
		check func(t *testing.T, r batch.Row)
	}{
		{line: 2, check: func(t *testing.T, r batch.Row) { assert.Equal(t, "ann.lee@demo.example", r.Input.Email) }},
		{line: 3, check: func(t *testing.T, r batch.Row) {
			// Phone numbers stored as number cells, without their '+'.
			assert.Equal(t, "14155550102", r.Input.Device)
			assert.Equal(t, "+14155550150", r.Input.AssignNumber)
			assert.Equal(t, "442079460958", r.Input.Forwarding)
		}},
		{line: 4, check: func(t *testing.T, r batch.Row) {
			// Shown as 1.42E+10 in Calc: the cell still has every digit.
			assert.Equal(t, "14155550151", r.Cell(batch.MultilineNumber))
			assert.Equal(t, "+14155550151", r.Input.AssignNumber)
		}},
		{line: 5, codes: []string{batch.CodeCellDate}, check: func(t *testing.T, r batch.Row) {
			assert.Equal(t, "2026-01-02", r.Cell(batch.FirstName))
			fe := mlerr.Fields(r.Err)[0]
			assert.Equal(t, "firstname", fe.Field)
			assert.True(t, strings.HasPrefix(fe.Message, "firstname is a date cell"), fe.Message)
		}},
		{line: 6, codes: []string{batch.CodeCellFormula}, check: func(t *testing.T, r batch.Row) {
			assert.Equal(t, "Martin", r.Cell(batch.LastName), "the formula's result")
			assert.Equal(t, "lastname", mlerr.Fields(r.Err)[0].Field)
		}},
		{line: 7, check: func(t *testing.T, r batch.Row) { assert.False(t, r.Input.RestrictIncomingSocial) }},
		// A formula in a mandatory column is that error only: its result
		// ("NO") is not judged by the column's rule too.
		{line: 9, codes: []string{batch.CodeCellFormula}, check: func(t *testing.T, r batch.Row) {
			assert.Equal(t, "social_messaging", mlerr.Fields(r.Err)[0].Field)
		}},
	}
	for _, tt := range tests {
		r := byLine[tt.line]
		assert.Equal(t, tt.codes, codes(r.Err), "row %d", tt.line)
		tt.check(t, r)
		// ValidateRow keeps the kind error alone for the column.
		_, err := batch.ValidateRow(r, policy(true))
		assert.Equal(t, tt.codes, codes(err), "row %d validated", tt.line)
	}
}

// sameRows parses a CSV and a workbook of the same rows and compares what
// the rules see of each row: line, input (numbers normalized: a number cell
// has lost its '+'), and the codes of the parse and validation errors.
// A CSV row whose quoted cell spans lines makes the next row's line jump;
// the sheet's row numbers do not, so sameLines is false for such a file.
func sameRows(t *testing.T, csv, xlsx []byte, opts batch.Options, sameLines bool) {
	t.Helper()
	want, werr := batch.Parse(bytes.NewReader(csv), opts)
	got, gerr := parse(xlsx, opts)
	require.Equal(t, werr, gerr)
	require.Len(t, got, len(want))
	norm := func(s string) string {
		if e, err := numberpool.ParseE164(s); err == nil {
			return e
		}
		return s
	}
	for i := range want {
		w, g := want[i], got[i]
		if sameLines {
			assert.Equal(t, w.Line, g.Line)
		}
		w.Input.Device, g.Input.Device = norm(w.Input.Device), norm(g.Input.Device)
		w.Input.Forwarding, g.Input.Forwarding = norm(w.Input.Forwarding), norm(g.Input.Forwarding)
		assert.Equal(t, w.Input, g.Input, "line %d", w.Line)
		assert.Equal(t, codes(w.Err), codes(g.Err), "line %d", w.Line)
		_, verr := batch.ValidateRow(w, policy(opts.SocialMessaging))
		_, gverr := batch.ValidateRow(g, policy(opts.SocialMessaging))
		assert.Equal(t, codes(verr), codes(gverr), "line %d validated", w.Line)
	}
}

// TestLibreOfficeSameRowsAsCSV: the workbooks Calc wrote from CSV files give
// the rows the CSV files give, where Calc took phone numbers for numbers.
func TestLibreOfficeSameRowsAsCSV(t *testing.T) {
	for _, name := range []string{"sample", "crlf", "bench1000"} {
		t.Run(name, func(t *testing.T) {
			csv, err := os.ReadFile("testdata/src/" + name + ".csv")
			require.NoError(t, err)
			if name == "bench1000" {
				require.Equal(t, string(batchtest.GenerateCSV(1000)), string(csv), "the benchmark's rows: run make.sh again")
			}
			sameRows(t, csv, readFile(t, name+".xlsx"), batch.Options{}, name != "crlf")
		})
	}
}

// TestLibreOfficeCRLFInCell: a cell with a line break is read as the CSV
// reads it (encoding/csv gives "\n" for "\r\n" too) and fails the name rule.
func TestLibreOfficeCRLFInCell(t *testing.T) {
	rows, err := parse(readFile(t, "crlf.xlsx"), batch.Options{})
	require.NoError(t, err)
	require.Len(t, rows, 2)
	assert.Equal(t, "Ann\nMarie", rows[0].Input.FirstName)
	_, verr := batch.ValidateRow(rows[0], policy(false))
	require.Error(t, verr)
	assert.Equal(t, "firstname", mlerr.Fields(verr)[0].Field)
	assert.Equal(t, 3, rows[1].Line)
}

// TestLibreOfficeTemplateNote: the template saved as a workbook, Note row
// included, is refused as the CSV template is.
func TestLibreOfficeTemplateNote(t *testing.T) {
	_, err := parse(readFile(t, "template.xlsx"), batch.Options{})
	fe := fileErr(t, err)
	assert.Equal(t, batch.ReasonNoteLeftIn, fe.Reason)
	assert.Equal(t, 3, fe.Line)
}

// TestCells reads hand-written sheets: each kind of cell OOXML has.
func TestCells(t *testing.T) {
	styles := `<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
		`<numFmts count="2"><numFmt numFmtId="164" formatCode="&quot;day&quot; 0"/><numFmt numFmtId="165" formatCode="[$-409]mmm d, yyyy"/></numFmts>` +
		`<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="11"/></cellXfs></styleSheet>`
	tests := []struct {
		name  string
		cell  string // the XML of the firstname cell, in B2... A2
		col   batch.Column
		text  string
		codes []string
	}{
		{"number with an exponent", `<c r="E2"><v>1.4155550101E+10</v></c>`, batch.MultilineNumber, "14155550101", nil},
		{"number in scientific format", `<c r="E2" s="4"><v>14155550101</v></c>`, batch.MultilineNumber, "14155550101", nil},
		{"number with a quoted text format is no date", `<c r="E2" s="2"><v>14155550101</v></c>`, batch.MultilineNumber, "14155550101", nil},
		{"built-in date format", `<c r="A2" s="1"><v>46024</v></c>`, batch.FirstName, "2026-01-02", []string{batch.CodeCellDate}},
		{"custom date format", `<c r="A2" s="3"><v>46024.5</v></c>`, batch.FirstName, "2026-01-02 12:00:00", []string{batch.CodeCellDate}},
		{"ISO date cell", `<c r="A2" t="d"><v>2026-01-02T00:00:00Z</v></c>`, batch.FirstName, "2026-01-02T00:00:00Z", []string{batch.CodeCellDate}},
		{"number formula", `<c r="E2"><f>14155550100+1</f><v>14155550101</v></c>`, batch.MultilineNumber, "14155550101", []string{batch.CodeCellFormula}},
		{"shared formula", `<c r="A2" t="str"><f t="shared" si="0"/><v>Ann</v></c>`, batch.FirstName, "Ann", []string{batch.CodeCellFormula}},
		{"error value", `<c r="A2" t="e"><f>1/0</f><v>#DIV/0!</v></c>`, batch.FirstName, "#DIV/0!", []string{batch.CodeCellFormula}},
		{"error value without formula", `<c r="A2" t="e"><v>#N/A</v></c>`, batch.FirstName, "#N/A", []string{batch.CodeCellError}},
		{"boolean", `<c r="I2" t="b"><v>0</v></c>`, batch.RestrictIncomingSocial, "FALSE", nil},
		{"Excel's escaped carriage return", `<c r="A2" t="inlineStr"><is><t>Ann_x000D_&#10;Marie</t></is></c>`, batch.FirstName, "Ann\r\nMarie", []string{"first_name.control_character"}},
		{"rich text without phonetic guide", `<c r="A2" t="inlineStr"><is><r><t>An</t></r><r><t>n</t></r><rPh><t>アン</t></rPh></is></c>`, batch.FirstName, "Ann", nil},
		{"literal _x escaped", `<c r="A2" t="inlineStr"><is><t>A_x005F_x0041_</t></is></c>`, batch.FirstName, "A_x0041_", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cells := append([]string(nil), good...)
			cells[tt.col] = tt.cell
			data := pkg(t, map[string]string{"xl/worksheets/sheet1.xml": sheet(row(1, hdr...), row(2, cells...)), "xl/styles.xml": styles})
			rows, err := parse(data, batch.Options{SocialMessaging: true})
			require.NoError(t, err)
			require.Len(t, rows, 1)
			assert.Equal(t, tt.text, rows[0].Cell(tt.col))
			_, verr := batch.ValidateRow(rows[0], policy(true))
			got := codes(verr)
			if tt.codes != nil && !strings.HasPrefix(tt.codes[0], "cell.") {
				require.NotEmpty(t, got)
				got = got[:1]
			}
			assert.Equal(t, tt.codes, got)
		})
	}
}

// TestSharedStrings: cells that name the shared strings table.
func TestSharedStrings(t *testing.T) {
	sst := `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>Zoë</t></si><si><r><t>ann@</t></r><r><t>example.com</t></r></si></sst>`
	cells := append([]string(nil), good...)
	cells[batch.FirstName] = `<c r="A2" t="s"><v>0</v></c>`
	cells[batch.EmailOrDevice] = `<c r="C2" t="s"><v>1</v></c>`
	rows, err := parse(pkg(t, map[string]string{"xl/sharedStrings.xml": sst, "xl/worksheets/sheet1.xml": sheet(row(1, hdr...), row(2, cells...))}), batch.Options{})
	require.NoError(t, err)
	assert.Equal(t, "Zoë", rows[0].Input.FirstName)
	assert.Equal(t, "ann@example.com", rows[0].Input.Email)

	cells[batch.FirstName] = `<c r="A2" t="s"><v>7</v></c>`
	_, err = parse(pkg(t, map[string]string{"xl/sharedStrings.xml": sst, "xl/worksheets/sheet1.xml": sheet(row(1, hdr...), row(2, cells...))}), batch.Options{})
	assert.Equal(t, batch.ReasonBadWorkbook, fileErr(t, err).Reason)
}

// TestRowNumbers: line = the sheet's row number, gaps and all; the first
// non-blank row is the header; rows without r follow the one before.
func TestRowNumbers(t *testing.T) {
	data := pkg(t, map[string]string{"xl/worksheets/sheet1.xml": sheet(
		`<row r="2"><c r="A2" t="inlineStr"><is><t>  </t></is></c></row>`,
		row(3, hdr...), row(5, good...), `<row><c t="inlineStr"><is><t>Bo</t></is></c><c/><c t="inlineStr"><is><t>bo@example.com</t></is></c><c t="inlineStr"><is><t>No</t></is></c><c/><c t="inlineStr"><is><t>off</t></is></c><c t="inlineStr"><is><t>off</t></is></c></row>`,
		row(1048576, with(batch.EmailOrDevice, "last@example.com")...))})
	rows, err := parse(data, batch.Options{})
	require.NoError(t, err)
	require.Len(t, rows, 3)
	assert.Equal(t, []int{5, 6, 1048576}, []int{rows[0].Line, rows[1].Line, rows[2].Line})
	assert.Equal(t, "bo@example.com", rows[1].Input.Email)
	assert.Nil(t, rows[1].Err)
}

// TestBadWorkbooks: what is not a workbook is refused as a whole, naming
// the problem, never with a panic.
func TestBadWorkbooks(t *testing.T) {
	okSheet := sheet(row(1, hdr...), row(2, good...))
	tests := []struct {
		name string
		data []byte
		msg  string
	}{
		{"ZIP signature, then garbage", []byte("PK\x03\x04 this is not a zip"), "not a readable ZIP"},
		{"no sheet", pkg(t, map[string]string{"xl/workbook.xml": `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>`, "xl/worksheets/sheet1.xml": okSheet}), "no sheet"},
		{"sheet missing", pkg(t, nil), "missing"},
		{"broken sheet XML", pkg(t, map[string]string{"xl/worksheets/sheet1.xml": sheet(row(1, hdr...)) + "<row"}), ""},
		{"unclosed sheet", pkg(t, map[string]string{"xl/worksheets/sheet1.xml": `<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>firstname`}), "not valid XML"},
		{"rows out of order", pkg(t, map[string]string{"xl/worksheets/sheet1.xml": sheet(row(2, hdr...), row(1, good...))}), "comes after row 2"},
		{"cell in another row", pkg(t, map[string]string{"xl/worksheets/sheet1.xml": sheet(row(1, hdr...), `<row r="2"><c r="A3" t="inlineStr"><is><t>x</t></is></c></row>`)}), "not in row 2"},
		{"row number too large", pkg(t, map[string]string{"xl/worksheets/sheet1.xml": sheet(row(1, hdr...), `<row r="99999999999"><c t="inlineStr"><is><t>x</t></is></c></row>`)}), "no valid number"},
		{"long entity name in an XML error", pkg(t, map[string]string{"xl/worksheets/sheet1.xml": sheet(row(1, hdr...), `<row r="2"><c r="A2" t="inlineStr"><is><t>&`+strings.Repeat("x", 10000)+`;</t></is></c></row>`)}), "invalid character entity &xxx"},
		{"unknown cell type", pkg(t, map[string]string{"xl/worksheets/sheet1.xml": sheet(row(1, hdr...), `<row r="2"><c r="A2" t="zz"><v>x</v></c></row>`)}), "unknown type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse(tt.data, batch.Options{})
			fe := fileErr(t, err)
			assert.Less(t, len(fe.Message), 600, "the message quotes the workbook's bytes cut short")
			if tt.name == "broken sheet XML" || tt.msg == "" {
				// Trailing junk after the sheet's root element is never read.
				return
			}
			assert.Equal(t, batch.ReasonBadWorkbook, fe.Reason, fe.Message)
			assert.Contains(t, fe.Message, tt.msg)
			assert.True(t, strings.HasPrefix(err.Error(), "batch: "))
		})
	}
}

// TestWithoutReader: without a WorkbookReader a workbook is refused with a
// message that says to plug one in.
func TestWithoutReader(t *testing.T) {
	_, err := batch.Parse(bytes.NewReader(readFile(t, "sample.xlsx")), batch.Options{})
	fe := fileErr(t, err)
	assert.Equal(t, batch.ReasonWorkbookUnsupported, fe.Reason)
	assert.Contains(t, fe.Message, "XLSX reader")
}

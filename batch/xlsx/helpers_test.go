package xlsx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/mlerr"
)

// hdr is the template's header, as cells of a sheet row.
var hdr = strings.Split("firstname,lastname,email address or device,social_messaging,multiline_number,monitor_calls,monitor_sms,forwarding_number,restrict_incoming_social_messaging,Language", ",")

// readFile returns a committed test workbook.
func readFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return data
}

// parse parses an upload with the Reader plugged in.
func parse(data []byte, opts batch.Options) ([]batch.Row, error) {
	if opts.Workbook == nil {
		opts.Workbook = New()
	}
	return batch.Parse(bytes.NewReader(data), opts)
}

// fileErr requires err to be a file-level rejection and returns it.
func fileErr(t *testing.T, err error) *batch.FileError {
	t.Helper()
	require.ErrorIs(t, err, batch.ErrFileRejected)
	var fe *batch.FileError
	require.True(t, errors.As(err, &fe))
	return fe
}

// codes returns the codes of the field errors in err, in order.
func codes(err error) []string {
	var out []string
	for _, fe := range mlerr.Fields(err) {
		out = append(out, fe.Code)
	}
	return out
}

// pkg builds a workbook package by hand from its parts: a minimal
// [Content_Types].xml, package and workbook relationships, a workbook of one
// sheet (xl/worksheets/sheet1.xml), no styles unless given. Parts given
// replace or add to those.
func pkg(t testing.TB, parts map[string]string) []byte {
	t.Helper()
	all := map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
		"_rels/.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml": `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
	}
	for k, v := range parts {
		all[k] = v
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"} {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, err = w.Write([]byte(all[name]))
		require.NoError(t, err)
		delete(all, name)
	}
	for name, body := range all {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, err = w.Write([]byte(body))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// sheet wraps rows in a worksheet part.
func sheet(rows ...string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		strings.Join(rows, "") + `</sheetData></worksheet>`
}

// row is a <row> of inline-string cells, from column A, "" leaving a cell
// out; a value starting with "<c" is taken as the cell's XML.
func row(n int, cells ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<row r="%d">`, n)
	for i, v := range cells {
		switch {
		case v == "":
		case strings.HasPrefix(v, "<c"):
			b.WriteString(v)
		default:
			fmt.Fprintf(&b, `<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, ref(i+1, n), xmlEscape(v))
		}
	}
	b.WriteString(`</row>`)
	return b.String()
}

// good is a valid data row's cells.
var good = []string{"Ann", "Lee", "ann@example.com", "No", "", "auto", "on", "", "", "English"}

// with returns good with cell c replaced by v.
func with(c batch.Column, v string) []string {
	out := append([]string(nil), good...)
	out[c] = v
	return out
}

func ref(col, row int) string { return cellName(col, row) }

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

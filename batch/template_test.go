package batch

import (
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"testing"

	"github.com/gocarina/gocsv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteTemplate(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteTemplate(&buf))
	recs, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 3, "header, example row, Note")
	assert.Equal(t, strings.Split(hdr, ","), recs[0], "header in SPEC §6 order")
	for i, c := range Columns {
		assert.Equal(t, c.String(), recs[0][i])
	}
	assert.True(t, strings.HasPrefix(recs[2][0], "Note"), "the instruction line begins with Note")
	assert.Contains(t, recs[2][0], "delete")
	assert.True(t, isNote(recs[2]))
	assert.NotContains(t, TemplateNote, ",", "the Note stays one cell unquoted")
	assert.NotContains(t, TemplateNote, ";")

	// As downloaded, the template is refused for its Note.
	_, err = Parse(bytes.NewReader(buf.Bytes()), Options{})
	assert.Equal(t, ReasonNoteLeftIn, fileErr(t, err).Reason)

	// With the Note deleted, the example row is a valid row for an
	// organization with or without social messaging.
	lines := strings.SplitAfter(buf.String(), "\n")
	noNote := lines[0] + lines[1]
	for _, social := range []bool{false, true} {
		rows, err := Parse(strings.NewReader(noNote), Options{SocialMessaging: social})
		require.NoError(t, err)
		require.Len(t, rows, 1)
		_, err = ValidateRow(rows[0], testPolicy(social))
		assert.NoError(t, err)
	}
}

// TestWriteTemplateIgnoresGocsvGlobals proves the writer is made per call:
// a process-wide gocsv setting (another package's) does not change the
// template.
func TestWriteTemplateIgnoresGocsvGlobals(t *testing.T) {
	var want bytes.Buffer
	require.NoError(t, WriteTemplate(&want))
	gocsv.SetCSVWriter(func(w io.Writer) *gocsv.SafeCSVWriter {
		cw := csv.NewWriter(w)
		cw.Comma = ';'
		return gocsv.NewSafeCSVWriter(cw)
	})
	t.Cleanup(func() { gocsv.SetCSVWriter(gocsv.DefaultCSVWriter) })
	var got bytes.Buffer
	require.NoError(t, WriteTemplate(&got))
	assert.Equal(t, want.String(), got.String())
	var rep bytes.Buffer
	require.NoError(t, WriteReport(&rep, []ReportRow{{Row: 2, Status: StatusValid}}))
	assert.Equal(t, "row,email address or device,firstname,lastname,multiline_number,status,error,error_code\n2,,,,,valid,,\n", rep.String())
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, io.ErrShortWrite }

func TestWriteErrors(t *testing.T) {
	err := WriteTemplate(failWriter{})
	require.ErrorIs(t, err, io.ErrShortWrite)
	assert.True(t, strings.HasPrefix(err.Error(), "batch: writing the template: "))
	err = WriteReport(failWriter{}, []ReportRow{{Row: 2}})
	require.ErrorIs(t, err, io.ErrShortWrite)
	assert.True(t, strings.HasPrefix(err.Error(), "batch: writing the report: "))
}

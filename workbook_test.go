package multiline_test

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/store/memory"
)

// stubBook is a WorkbookReader whose every workbook is the given records,
// the first on row 1, the others on rows 3, 4, ...
type stubBook struct {
	records [][]batch.Cell
	opened  int
	limits  batch.Limits
}

func (s *stubBook) OpenWorkbook(_ io.ReaderAt, _ int64, lim batch.Limits) (batch.RecordReader, error) {
	s.opened++
	s.limits = lim
	return &stubRecords{records: s.records}, nil
}

type stubRecords struct {
	records [][]batch.Cell
	n       int
}

func (r *stubRecords) Next() ([]batch.Cell, int, error) {
	if r.n == len(r.records) {
		return nil, 0, io.EOF
	}
	r.n++
	line := r.n
	if line > 1 {
		line++ // row 2 of the sheet is blank
	}
	return r.records[r.n-1], line, nil
}

func texts(s ...string) []batch.Cell {
	out := make([]batch.Cell, len(s))
	for i, v := range s {
		out[i] = batch.Cell{Text: v}
	}
	return out
}

// TestWorkbookReader: a workbook upload goes through the reader the host
// plugged in, with the upload's limits; without one it is refused, saying
// to plug one in.
func TestWorkbookReader(t *testing.T) {
	_, err := multiline.New(memory.New(), multiline.WithWorkbookReader(nil))
	require.Error(t, err)

	zip := "PK\x03\x04 a workbook"
	f := newFixture(t)
	_, err = f.svc.ImportBatch(ctx, f.salesAdmin, f.sales.ID, strings.NewReader(zip), multiline.BatchOptions{Mode: batch.Import})
	var fe *batch.FileError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, batch.ReasonWorkbookUnsupported, fe.Reason)
	assert.Contains(t, fe.Message, "XLSX reader")

	date := texts("Bo", "bo@acme.example", "No", "auto", "on")
	date[0].Kind = batch.KindDate
	book := &stubBook{records: [][]batch.Cell{
		texts("firstname", "email address or device", "social_messaging", "monitor_calls", "monitor_sms"),
		texts("Ann", "ann@acme.example", "No", "auto", "on"),
		date,
	}}
	f = newFixture(t, multiline.WithWorkbookReader(book))
	rec, err := f.svc.ImportBatch(ctx, f.salesAdmin, f.sales.ID, strings.NewReader(zip), multiline.BatchOptions{Mode: batch.Import, MaxRows: 7})
	require.NoError(t, err)
	assert.Equal(t, 1, book.opened)
	assert.Equal(t, batch.Limits{MaxBytes: batch.DefaultMaxBytes, MaxRows: 7}, book.limits)
	require.Len(t, rec.Rows, 2)
	assert.Equal(t, 3, rec.Rows[0].Row, "the reader's row numbers")
	assert.Equal(t, batch.StatusImported, rec.Rows[0].Status)
	assert.Equal(t, batch.CodeCellDate, rec.Rows[1].ErrorCode)

	// A CSV upload does not go through the reader.
	_, err = f.svc.ImportBatch(ctx, f.salesAdmin, f.sales.ID, csvOf("Cy,Dee,cy@acme.example,No,,auto,on,,"), multiline.BatchOptions{Mode: batch.Import})
	require.NoError(t, err)
	assert.Equal(t, 1, book.opened)
}

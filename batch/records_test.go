package batch

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sheetOf is a WorkbookReader whose workbook is the given records, on rows
// 1, 2, ..., whatever the upload's bytes.
type sheetOf [][]Cell

func (s sheetOf) OpenWorkbook(r io.ReaderAt, size int64, lim Limits) (RecordReader, error) {
	return &sheetRecords{rows: s}, nil
}

type sheetRecords struct {
	rows [][]Cell
	n    int
}

func (s *sheetRecords) Next() ([]Cell, int, error) {
	if s.n == len(s.rows) {
		return nil, 0, io.EOF
	}
	s.n++
	return s.rows[s.n-1], s.n, nil
}

// cellsOf makes a record of text cells from a CSV line, with kinds set by
// column.
func cellsOf(line string, kinds map[Column]CellKind) []Cell {
	rec := strings.Split(line, ",")
	out := make([]Cell, len(rec))
	for i, v := range rec {
		out[i] = Cell{Text: v, Kind: kinds[Column(i)]}
	}
	return out
}

// TestCellKinds: a date, a formula or an error value in any column is that
// column's one error, after parsing and after ValidateRow; numbers and
// booleans are read as their text.
func TestCellKinds(t *testing.T) {
	tests := []struct {
		name  string
		row   string
		kinds map[Column]CellKind
		codes []string
	}{
		{"text", good, nil, nil},
		{"number cells", rowWith(map[Column]string{EmailOrDevice: "14155550102", MultilineNumber: "14155550150"}), map[Column]CellKind{EmailOrDevice: KindNumber, MultilineNumber: KindNumber}, nil},
		{"boolean", rowWith(map[Column]string{RestrictIncomingSocial: "FALSE"}), map[Column]CellKind{RestrictIncomingSocial: KindBool}, nil},
		{"date in a name", rowWith(map[Column]string{FirstName: "2026-01-02"}), map[Column]CellKind{FirstName: KindDate}, []string{CodeCellDate}},
		{"date in a mandatory column", rowWith(map[Column]string{MonitorCalls: "2026-01-02"}), map[Column]CellKind{MonitorCalls: KindDate}, []string{CodeCellDate}},
		{"formula giving an address", good, map[Column]CellKind{EmailOrDevice: KindFormula}, []string{CodeCellFormula}},
		// account.Validate's error about the column is dropped too.
		{"formula giving a bad address", rowWith(map[Column]string{EmailOrDevice: "not-an-email"}), map[Column]CellKind{EmailOrDevice: KindFormula}, []string{CodeCellFormula}},
		{"formula giving a bad value", rowWith(map[Column]string{SocialMessaging: "maybe"}), map[Column]CellKind{SocialMessaging: KindFormula}, []string{CodeCellFormula}},
		{"formula giving a bad number", rowWith(map[Column]string{MultilineNumber: "12"}), map[Column]CellKind{MultilineNumber: KindFormula}, []string{CodeCellFormula}},
		{"error value", rowWith(map[Column]string{Language: "#N/A"}), map[Column]CellKind{Language: KindError}, []string{CodeCellError}},
		{"two columns, and another error", rowWith(map[Column]string{FirstName: "x", LastName: "y", MonitorSMS: "sometimes"}), map[Column]CellKind{FirstName: KindFormula, LastName: KindDate},
			[]string{CodeCellFormula, CodeCellDate, CodeMonitorSMSValue}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			book := sheetOf{cellsOf(hdr, nil), cellsOf(tt.row, tt.kinds)}
			rows, err := Parse(strings.NewReader("PK\x03\x04"), Options{Workbook: book, SocialMessaging: true})
			require.NoError(t, err)
			require.Len(t, rows, 1)
			assert.Equal(t, 2, rows[0].Line)
			assert.Equal(t, tt.codes, codes(rows[0].Err), "parsed")
			_, verr := ValidateRow(rows[0], testPolicy(true))
			assert.Equal(t, tt.codes, codes(verr), "validated")
			for c, k := range tt.kinds {
				if k >= KindDate {
					assert.True(t, strings.HasPrefix(rows[0].Cell(c), strings.Split(tt.row, ",")[c]))
				}
			}
		})
	}
}

// TestWorkbookBytesWithinMaxBytes: the workbook's bytes are read within
// MaxBytes before the reader sees them.
func TestWorkbookBytesWithinMaxBytes(t *testing.T) {
	book := sheetOf{cellsOf(hdr, nil), cellsOf(good, nil)}
	_, err := Parse(strings.NewReader("PK\x03\x04"+strings.Repeat("x", 100)), Options{Workbook: book, MaxBytes: 100})
	assert.Equal(t, ReasonTooLarge, fileErr(t, err).Reason)
	rows, err := Parse(strings.NewReader("PK\x03\x04"+strings.Repeat("x", 96)), Options{Workbook: book, MaxBytes: 100})
	require.NoError(t, err)
	assert.Len(t, rows, 1)
}

func TestCellKindString(t *testing.T) {
	assert.Equal(t, "date", KindDate.String())
	assert.Equal(t, "CellKind(9)", CellKind(9).String())
}

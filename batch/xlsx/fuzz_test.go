package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/mlerr"
)

// The seed corpus of FuzzWorkbook is in testdata/fuzz/FuzzWorkbook/, and
// the committed workbooks of testdata/ are added to it.

// fuzzMaxBytes bounds the fuzzed upload and its parts uncompressed, as
// MaxBytes bounds an upload.
const fuzzMaxBytes = 64 << 10

var reasons = []batch.Reason{batch.ReasonNotCSV, batch.ReasonEmpty, batch.ReasonMissingColumn, batch.ReasonUnknownColumn,
	batch.ReasonDuplicateColumn, batch.ReasonTooManyRows, batch.ReasonNoteLeftIn, batch.ReasonRestrictNotAllowed,
	batch.ReasonTooLarge, batch.ReasonWorkbookUnsupported, batch.ReasonBadWorkbook}

// FuzzWorkbook: any bytes that start like a ZIP give rows or a file
// rejection, never a panic, with allocation in proportion to the input once
// uncompressed (the oracle of batch's FuzzParse, with excelize's fixed cost
// of opening a package); every row error names its column and has a code;
// lines grow.
func FuzzWorkbook(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.xlsx")
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil && len(data) <= fuzzMaxBytes {
			f.Add(data)
		}
	}
	r := New(WithMaxCellBytes(4 << 10))
	f.Fuzz(func(t *testing.T, data []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		rows, err := batch.Parse(bytes.NewReader(data), batch.Options{MaxRows: 50, MaxBytes: fuzzMaxBytes, Workbook: r})
		runtime.ReadMemStats(&after)
		if alloc, limit := after.TotalAlloc-before.TotalAlloc, oracle(data, len(rows)); alloc > limit {
			t.Fatalf("allocated %d bytes for %d input bytes and %d rows (limit %d)", alloc, len(data), len(rows), limit)
		}
		if err != nil {
			var fe *batch.FileError
			if !errors.As(err, &fe) || !errors.Is(err, batch.ErrFileRejected) {
				t.Fatalf("not a file rejection: %T %v", err, err)
			}
			if !slices.Contains(reasons, fe.Reason) || fe.Message == "" || !strings.HasPrefix(err.Error(), "batch: ") {
				t.Fatalf("bad rejection %+v", fe)
			}
			return
		}
		if len(rows) == 0 || len(rows) > 50 {
			t.Fatalf("%d rows from %d bytes", len(rows), len(data))
		}
		last := 0
		for _, row := range rows {
			if row.Line <= last {
				t.Fatalf("line %d after %d", row.Line, last)
			}
			last = row.Line
			for _, fe := range mlerr.Fields(row.Err) {
				if fe.Field == "" || fe.Code == "" || !strings.HasPrefix(fe.Message, fe.Field) {
					t.Fatalf("row error does not name its column: %+v", fe)
				}
			}
		}
	})
}

// oracle is the most a Parse of data giving rows may allocate: batch's
// FuzzParse oracle (1 MiB of fixed buffers, a few KiB a row, 64 times the
// input), where the input is the larger of the upload and what it inflates
// to, as its ZIP directory declares (archive/zip never inflates a part
// beyond that; OpenWorkbook refuses more than MaxBytes of it). excelize
// opens a package for about 300 KiB, within the fixed part. Under the race
// detector it is raceAlloc times as much.
func oracle(data []byte, rows int) uint64 {
	input := uint64(len(data))
	if zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data))); err == nil {
		var inflated uint64
		for _, f := range zr.File {
			inflated += min(f.UncompressedSize64, 1<<40)
		}
		input = max(input, inflated)
	}
	return raceAlloc * (1<<20 + uint64(rows)*32<<10 + 64*input)
}

// TestOracleOnLibreOfficeFiles: the committed workbooks, the 1000-row one
// included, are read within the fuzz oracle.
func TestOracleOnLibreOfficeFiles(t *testing.T) {
	for _, name := range []string{"sample.xlsx", "accounts.xlsx", "bench1000.xlsx"} {
		data := readFile(t, name)
		var rows []batch.Row
		var err error
		alloc := allocated(func() { rows, err = parse(data, batch.Options{SocialMessaging: true}) })
		require.NoError(t, err)
		t.Logf("%s: %d bytes, %d rows, allocated %d, oracle %d", name, len(data), len(rows), alloc, oracle(data, len(rows)))
		assert.LessOrEqual(t, alloc, oracle(data, len(rows)), name)
	}
}

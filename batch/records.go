package batch

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/multilinehq/multiline/mlerr"
)

// This file is the parser's input abstraction: the records of an upload come
// through a RecordReader, from the CSV reader of read.go or from the first
// sheet of a workbook read by a WorkbookReader the host plugs in (the
// batch/xlsx module), so that every rule, report line and row number is the
// same whatever the format.

// CellKind is what a cell of an upload held. Every CSV cell is KindText; a
// workbook's cells say what the spreadsheet stored.
type CellKind uint8

// The kinds of cell.
const (
	// KindText is text, as typed.
	KindText CellKind = iota
	// KindNumber is a number cell. Its Text has every digit in plain
	// decimal notation ("14155550101", never "1.41556E+10"); a phone number
	// the spreadsheet took for a number has lost its '+', which the
	// digits-only rule of numberpool.ParseE164 reads.
	KindNumber
	// KindBool is a boolean cell; its Text is TRUE or FALSE.
	KindBool
	// KindDate is a date or time: a date cell, or a number shown with a date
	// or time format. Its Text is the date as ISO 8601. No column of the
	// upload takes one.
	KindDate
	// KindFormula is the result of a formula; its Text is the result the
	// spreadsheet stored. No column of the upload takes one: the value
	// depends on other cells and was not typed.
	KindFormula
	// KindError is an error value (#N/A, #DIV/0!); its Text is the value.
	KindError
)

// String names the kind: "text", "number", ...
func (k CellKind) String() string {
	switch k {
	case KindText:
		return "text"
	case KindNumber:
		return "number"
	case KindBool:
		return "boolean"
	case KindDate:
		return "date"
	case KindFormula:
		return "formula"
	case KindError:
		return "error value"
	}
	return fmt.Sprintf("CellKind(%d)", int(k))
}

// Cell is one cell of a record.
type Cell struct {
	// Text is the value the parser reads: a CSV cell as it is, a workbook
	// cell as CellKind describes.
	Text string
	Kind CellKind
}

// RecordReader yields the records of an upload, whatever its format.
type RecordReader interface {
	// Next returns the next record that has a cell with something other
	// than white space in it, and its line: the line of the file the record
	// starts on for CSV, the row number for a sheet (the header being 1 when
	// it is the sheet's first row). Lines only grow. The slice and the
	// record may be reused by the next call. At the end it returns io.EOF; a
	// problem that refuses the file as a whole, a *FileError; anything else
	// is an error of the source.
	Next() (record []Cell, line int, err error)
}

// Limits are the bounds a WorkbookReader holds before memory grows. They
// come from Options.
type Limits struct {
	// MaxBytes bounds the upload as uploaded (the workbook's bytes are
	// within it already) and the total size of the workbook's parts once
	// uncompressed: a workbook whose parts add up to more is refused with
	// ReasonTooLarge, as a CSV of that size would be.
	MaxBytes int64
	// MaxRows is the most data rows the upload may have. The parser refuses
	// row MaxRows+1 as it comes, so a reader that streams its rows need
	// not count them; one that does not stream must stop there.
	MaxRows int
}

// WorkbookReader reads the first sheet of a workbook upload (an .xlsx file,
// whose bytes begin with the ZIP signature) as records. The batch/xlsx
// module implements it; a host plugs it in with Options.Workbook (through
// multiline.WithWorkbookReader for the service). It keeps batch free of any
// spreadsheet dependency.
type WorkbookReader interface {
	// OpenWorkbook opens the workbook of size bytes in r. A workbook the
	// upload rules refuse as a whole (unreadable, too large once
	// uncompressed, a cell too large) gives a *FileError; any other error is
	// an error of the source. It holds lim before it allocates in
	// proportion to the uncompressed parts.
	OpenWorkbook(r io.ReaderAt, size int64, lim Limits) (RecordReader, error)
}

// The reasons of the file-level rejections that concern workbooks.
const (
	// ReasonWorkbookUnsupported: the upload is a workbook (a ZIP archive)
	// and no WorkbookReader is plugged in.
	ReasonWorkbookUnsupported Reason = "workbook_unsupported"
	// ReasonBadWorkbook: the upload starts like a workbook but cannot be
	// read as one (a broken or encrypted archive, no worksheet, broken XML).
	ReasonBadWorkbook Reason = "bad_workbook"
)

// The codes of the row errors about the kind of a workbook cell. The error's
// Field is the column; its Message names the column and says what to do.
const (
	CodeCellDate    = "cell.date"
	CodeCellFormula = "cell.formula"
	CodeCellError   = "cell.error_value"
)

// zipSignature begins every ZIP archive, hence every .xlsx workbook.
var zipSignature = []byte("PK\x03\x04")

// openRecords returns the RecordReader of an upload: the workbook reader of
// opts for a ZIP archive, the CSV reader otherwise. The CSV reader keeps
// its own type so that the parser can tell how the file was decoded.
func openRecords(src io.Reader, opts Options) (RecordReader, *recordReader, error) {
	raw := bufio.NewReader(&limitReader{r: src, left: opts.maxBytes()})
	start, err := raw.Peek(len(zipSignature))
	if err != nil && !errors.Is(err, io.EOF) {
		rr := &recordReader{maxBytes: opts.maxBytes()}
		return nil, nil, rr.fileError(err)
	}
	if bytes.Equal(start, zipSignature) {
		wr, err := openWorkbook(raw, opts)
		return wr, nil, err
	}
	rr, err := newRecordReader(raw, opts.maxBytes())
	if err != nil {
		return nil, nil, err
	}
	return rr, rr, nil
}

// openWorkbook hands a ZIP upload to the WorkbookReader of opts, or refuses
// it when there is none. A ZIP archive needs random access (its directory
// is at its end), so the upload is read into memory first, within
// MaxBytes.
func openWorkbook(raw *bufio.Reader, opts Options) (RecordReader, error) {
	if opts.Workbook == nil {
		return nil, reject(ReasonWorkbookUnsupported, 0, "", "the file is a ZIP archive (an .xlsx workbook?) and this service reads CSV only: "+
			"save the sheet as \"CSV UTF-8 (Comma delimited)\", or ask the host to plug in the XLSX reader (module batch/xlsx)")
	}
	data, err := io.ReadAll(raw)
	if err != nil {
		rr := &recordReader{maxBytes: opts.maxBytes()}
		return nil, rr.fileError(err)
	}
	return opts.Workbook.OpenWorkbook(bytes.NewReader(data), int64(len(data)), Limits{MaxBytes: opts.maxBytes(), MaxRows: opts.maxRows()})
}

// Next returns the CSV reader's next record as cells, all KindText.
func (rr *recordReader) Next() ([]Cell, int, error) {
	rec, line, err := rr.next()
	if err != nil {
		return nil, line, err
	}
	rr.cells = rr.cells[:0]
	for _, s := range rec {
		rr.cells = append(rr.cells, Cell{Text: s})
	}
	return rr.cells, line, nil
}

// texts returns the text of each cell of rec, in buf's storage.
func texts(buf []string, rec []Cell) []string {
	buf = buf[:0]
	for _, c := range rec {
		buf = append(buf, c.Text)
	}
	return buf
}

// kindError is the row error of a cell whose kind no column takes, or nil
// for a kind the column's rules read (text, number, boolean).
func kindError(c Column, cell Cell) *mlerr.FieldError {
	name := c.String()
	switch cell.Kind {
	case KindDate:
		return mlerr.Invalid(name, CodeCellDate, cell.Text, fmt.Sprintf("%s is a date cell (%s) in the workbook: format the column as text and type the value", name, mlerr.Truncate(cell.Text)))
	case KindFormula:
		return mlerr.Invalid(name, CodeCellFormula, cell.Text, fmt.Sprintf("%s is a formula in the workbook (its result is %q): type the value itself, or paste it as values only", name, mlerr.Truncate(cell.Text)))
	case KindError:
		return mlerr.Invalid(name, CodeCellError, cell.Text, fmt.Sprintf("%s holds the error value %s in the workbook: type the value itself", name, mlerr.Truncate(cell.Text)))
	}
	return nil
}

// dropBadKind returns errs without the errors of the columns whose cell is
// of a kind no column takes, other than that kind error itself: a date in
// social_messaging is one error (cell.date), not also social_messaging.value.
func (r *Row) dropBadKind(errs []error) []error {
	if r.badKind == 0 {
		return errs
	}
	out := errs[:0]
	for _, e := range errs {
		if fe, ok := e.(*mlerr.FieldError); ok && r.badColumn(fe.Field) && !isKindCode(fe.Code) {
			continue
		}
		out = append(out, e)
	}
	return out
}

// badColumn reports whether field names a column whose cell is of a kind no
// column takes.
func (r *Row) badColumn(field string) bool {
	for c := range numColumns {
		if r.badKind&(1<<c) != 0 && columnNames[c] == field {
			return true
		}
	}
	return false
}

func isKindCode(code string) bool {
	return code == CodeCellDate || code == CodeCellFormula || code == CodeCellError
}

package xlsx

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/multilinehq/multiline/batch"
)

// DefaultMaxCellBytes is the largest cell a workbook may hold unless
// WithMaxCellBytes says otherwise: far above any value a column takes (an
// email address is at most 254 bytes), far below what would let one cell
// take the memory of a whole upload.
const DefaultMaxCellBytes = 32 << 10

// maxParts bounds the entries of the archive: a workbook has a few dozen; a
// million empty ones would cost memory in excelize's part map for nothing.
const maxParts = 10000

// Reader reads the first sheet of .xlsx uploads for package batch. It
// implements batch.WorkbookReader; the zero value is not ready, use New. A
// Reader is safe for concurrent use: it holds only its settings.
type Reader struct {
	maxCell int
}

// Option configures a Reader.
type Option func(*Reader)

// WithMaxCellBytes sets the largest cell accepted, in bytes of UTF-8 text;
// n < 1 keeps DefaultMaxCellBytes. A larger cell refuses the workbook with
// batch.ReasonTooLarge.
func WithMaxCellBytes(n int) Option {
	return func(r *Reader) {
		if n > 0 {
			r.maxCell = n
		}
	}
}

// New returns a Reader.
func New(opts ...Option) *Reader {
	r := &Reader{maxCell: DefaultMaxCellBytes}
	for _, o := range opts {
		o(r)
	}
	return r
}

var _ batch.WorkbookReader = (*Reader)(nil)

// OpenWorkbook opens the workbook of size bytes in ra and returns the records
// of its first sheet. See the package doc for what it checks, and when.
func (r *Reader) OpenWorkbook(ra io.ReaderAt, size int64, lim batch.Limits) (rr batch.RecordReader, err error) {
	if lim.MaxBytes <= 0 {
		lim.MaxBytes = batch.DefaultMaxBytes
	}
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, bad("it is not a readable ZIP archive (%v)", err)
	}
	if err := checkSizes(zr, lim.MaxBytes); err != nil {
		return nil, err
	}
	// excelize is third-party code fed hostile bytes: a panic in it is a
	// workbook it cannot read, not a crash of the host.
	defer func() {
		if p := recover(); p != nil {
			rr, err = nil, bad("its parts are inconsistent (%v)", p)
		}
	}()
	// Every part fits in memory within MaxBytes (checkSizes), so excelize is
	// told to keep them all there: no temporary files.
	f, err := excelize.OpenReader(io.NewSectionReader(ra, 0, size), excelize.Options{
		UnzipSizeLimit: lim.MaxBytes, UnzipXMLSizeLimit: lim.MaxBytes,
	})
	if err != nil {
		return nil, bad("excelize cannot open it (%v)", err)
	}
	sheet, err := firstSheet(f)
	if err != nil {
		return nil, err
	}
	sst, err := readSharedStrings(part(f, "xl/sharedStrings.xml"), r.maxCell)
	if err != nil {
		return nil, err
	}
	data := part(f, sheet)
	if data == nil {
		return nil, bad("its first sheet (%s) is missing", sheet)
	}
	date1904 := f.WorkBook.WorkbookPr != nil && f.WorkBook.WorkbookPr.Date1904
	return newSheetReader(data, sst, newStyles(f), date1904, r.maxCell), nil
}

// checkSizes refuses an archive whose parts add up to more than max bytes
// once uncompressed: first by the sizes its directory declares, before
// anything is inflated, then by inflating every part through a counter that
// stops at the first byte beyond the budget, since a zip bomb can declare
// any size. archive/zip itself fails a part that inflates beyond its
// declared size or whose checksum is wrong. Nothing is kept: the memory this
// costs is a flate window per part.
func checkSizes(zr *zip.Reader, max int64) error {
	if len(zr.File) > maxParts {
		return bad("it has %d parts; a workbook has a few dozen", len(zr.File))
	}
	var declared uint64
	for _, zf := range zr.File {
		declared += min(zf.UncompressedSize64, uint64(max)+1) // no overflow
		if declared > uint64(max) {
			return tooLarge(max)
		}
	}
	left := max
	for _, zf := range zr.File {
		if zf.FileInfo().IsDir() {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return bad("its part %s cannot be read (%v)", zf.Name, err)
		}
		n, err := io.Copy(io.Discard, io.LimitReader(rc, left+1))
		rc.Close()
		switch {
		case n > left:
			return tooLarge(max)
		case errors.Is(err, zip.ErrFormat):
			// archive/zip fails a part that inflates beyond the size its
			// header declares, at that size.
			return &batch.FileError{Reason: batch.ReasonTooLarge,
				Message: "the workbook's part " + zf.Name + " inflates beyond the size its header declares (a zip bomb?): it is refused"}
		case err != nil:
			return bad("its part %s is corrupt or larger than declared (%v)", zf.Name, err)
		}
		left -= n
	}
	return nil
}

// firstSheet returns the package path of the workbook's first sheet, in the
// workbook's order (the tab an administrator sees first), whatever its
// visibility.
func firstSheet(f *excelize.File) (string, error) {
	if f.WorkBook == nil || len(f.WorkBook.Sheets.Sheet) == 0 {
		return "", bad("it has no sheet")
	}
	id := f.WorkBook.Sheets.Sheet[0].ID
	book := officeDocument(part(f, "_rels/.rels"))
	rels := path.Join(path.Dir(book), "_rels", path.Base(book)+".rels")
	target, ok := relTarget(part(f, rels), id)
	if !ok {
		return "", bad("its first sheet %q has no part", f.WorkBook.Sheets.Sheet[0].Name)
	}
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(target, "/"), nil
	}
	return path.Join(path.Dir(book), target), nil
}

// part returns the bytes of a package part excelize read, or nil.
func part(f *excelize.File, name string) []byte {
	v, ok := f.Pkg.Load(name)
	if !ok {
		return nil
	}
	b, _ := v.([]byte)
	return b
}

// styles tells which cell styles show numbers as dates or times.
type styles struct {
	date []bool // by style index (the s attribute of a cell)
}

func newStyles(f *excelize.File) *styles {
	st := &styles{}
	s := f.Styles
	if s == nil || s.CellXfs == nil {
		return st
	}
	custom := map[int]string{}
	if s.NumFmts != nil {
		for _, nf := range s.NumFmts.NumFmt {
			if nf != nil {
				custom[nf.NumFmtID] = nf.FormatCode
			}
		}
	}
	st.date = make([]bool, len(s.CellXfs.Xf))
	for i, xf := range s.CellXfs.Xf {
		if xf.NumFmtID == nil {
			continue
		}
		id := *xf.NumFmtID
		if code, ok := custom[id]; ok {
			st.date[i] = isDateFormat(code)
		} else {
			st.date[i] = isBuiltInDate(id)
		}
	}
	return st
}

// isDate reports whether style index s shows numbers as dates or times.
func (st *styles) isDate(s int) bool {
	return s >= 0 && s < len(st.date) && st.date[s]
}

// isBuiltInDate reports whether a built-in number format (ECMA-376 part 1,
// 18.8.30, and the East Asian ones Excel adds) is a date or a time.
func isBuiltInDate(id int) bool {
	switch {
	case id >= 14 && id <= 22, id >= 45 && id <= 47, id >= 27 && id <= 36, id >= 50 && id <= 58:
		return true
	}
	return false
}

// isDateFormat reports whether a format code shows a date or a time: it has
// a y, m, d, h or s outside quoted text, escapes, fills and brackets
// ([Red], [$€-407]); [h], [mm] and [ss] (elapsed time) count.
func isDateFormat(code string) bool {
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case '"':
			j := strings.IndexByte(code[i+1:], '"')
			if j < 0 {
				return false
			}
			i += j + 1
		case '\\', '_', '*':
			i++ // the next character is literal, a width or a fill
		case '[':
			j := strings.IndexByte(code[i+1:], ']')
			if j < 0 {
				return false
			}
			inner := strings.ToLower(code[i+1 : i+1+j])
			if strings.Trim(inner, "hms") == "" && inner != "" {
				return true
			}
			i += j + 1
		case 'y', 'Y', 'm', 'M', 'd', 'D', 'h', 'H', 's', 'S':
			return true
		}
	}
	return false
}

// maxDetail bounds the detail a rejection quotes from excelize or the XML
// decoder.
const maxDetail = 200

// bad is the rejection of a workbook that cannot be read.
func bad(format string, a ...any) *batch.FileError {
	// The detail may quote the workbook's bytes (an XML error names the
	// element): it is cut short.
	detail := fmt.Sprintf(format, a...)
	if len(detail) > maxDetail {
		cut := maxDetail
		for cut > 0 && !utf8.RuneStart(detail[cut]) {
			cut--
		}
		detail = detail[:cut] + "…"
	}
	return &batch.FileError{Reason: batch.ReasonBadWorkbook,
		Message: "the file is not a readable .xlsx workbook: " + detail + ": save it again from the spreadsheet program, or save the sheet as \"CSV UTF-8 (Comma delimited)\""}
}

// tooLarge is the rejection of a workbook larger than the byte limit once
// uncompressed.
func tooLarge(max int64) *batch.FileError {
	return &batch.FileError{Reason: batch.ReasonTooLarge,
		Message: "the workbook is larger than the limit of " + byteSize(max) + " once uncompressed: split it into smaller files"}
}

// byteSize words a byte count as package batch does: "5 MiB", "1500 bytes".
func byteSize(n int64) string {
	const mib = 1 << 20
	if n >= mib && n%mib == 0 {
		return strconv.FormatInt(n/mib, 10) + " MiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// errCell is what the XML readers return for a cell over the size cap.
var errCell = errors.New("xlsx: cell too large")

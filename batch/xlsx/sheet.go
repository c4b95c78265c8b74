package xlsx

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/multilinehq/multiline/batch"
)

// maxColumns is the widest sheet a spreadsheet has (XFD).
const maxColumns = 16384

// maxSheetRows is the tallest sheet a spreadsheet has.
const maxSheetRows = 1 << 20

// sheetReader streams the rows of a worksheet part as records: it holds one
// row's cells, reused, never the sheet.
type sheetReader struct {
	d        *xml.Decoder
	sst      []string
	styles   *styles
	date1904 bool
	maxCell  int

	cells    []batch.Cell
	lastRow  int // the number of the row read last
	inData   bool
	done     bool
	text     textCollector // of the current cell's <v> or <is>
	cellText []byte
}

func newSheetReader(data []byte, sst []string, st *styles, date1904 bool, maxCell int) *sheetReader {
	return &sheetReader{d: xml.NewDecoder(bytes.NewReader(data)), sst: sst, styles: st, date1904: date1904,
		maxCell: maxCell, text: textCollector{max: maxCell}}
}

// skip consumes the rest of the element whose start RawToken just returned.
// (Decoder.Skip reads with Token, whose element stack RawToken does not
// keep.)
func skip(d *xml.Decoder) error {
	for depth := 1; depth > 0; {
		tok, err := d.RawToken()
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

// Next returns the next row that has a non-blank cell, with its row number.
func (s *sheetReader) Next() ([]batch.Cell, int, error) {
	for !s.done {
		tok, err := s.d.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, 0, bad("its first sheet is not valid XML (%v)", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case t.Name.Local == "sheetData":
				s.inData = true
			case t.Name.Local == "row" && s.inData:
				n, err := s.row(t)
				if err != nil {
					return nil, 0, err
				}
				if !blank(s.cells) {
					return s.cells, n, nil
				}
			}
		case xml.EndElement:
			if t.Name.Local == "sheetData" {
				s.done = true
			}
		}
	}
	return nil, 0, io.EOF
}

// blank reports whether every cell is empty or white space.
func blank(cells []batch.Cell) bool {
	for _, c := range cells {
		if strings.TrimSpace(c.Text) != "" {
			return false
		}
	}
	return true
}

// row reads a <row> element into s.cells and returns its number.
func (s *sheetReader) row(start xml.StartElement) (int, error) {
	n := s.lastRow + 1
	if r := attr(start, "r"); r != "" {
		v, err := strconv.Atoi(r)
		if err != nil || v < 1 || v > maxSheetRows {
			return 0, bad("row %q of its first sheet has no valid number", r)
		}
		n = v
	}
	if n <= s.lastRow {
		return 0, bad("row %d of its first sheet comes after row %d", n, s.lastRow)
	}
	s.lastRow = n
	s.cells = s.cells[:0]
	col := 0
	for {
		tok, err := s.d.RawToken()
		if err != nil {
			return 0, bad("row %d of its first sheet is not valid XML (%v)", n, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "c" {
				if err := skip(s.d); err != nil {
					return 0, bad("row %d of its first sheet is not valid XML (%v)", n, err)
				}
				continue
			}
			c, ref, err := s.cell(t, n, col+1)
			if err != nil {
				return 0, err
			}
			if ref <= col {
				return 0, bad("cell %s of its first sheet comes after column %d", cellName(ref, n), col)
			}
			col = ref
			for len(s.cells) < col-1 {
				s.cells = append(s.cells, batch.Cell{})
			}
			s.cells = append(s.cells, c)
		case xml.EndElement:
			if t.Name.Local == "row" {
				return n, nil
			}
		}
	}
}

// cell reads a <c> element of row n, whose column is next unless its r
// attribute says otherwise, and returns the cell and its column.
func (s *sheetReader) cell(start xml.StartElement, n, next int) (batch.Cell, int, error) {
	col := next
	var typ, style string
	for _, a := range start.Attr {
		switch a.Name.Local {
		case "r":
			c, r, err := excelize.CellNameToCoordinates(a.Value)
			if err != nil || r != n {
				return batch.Cell{}, 0, bad("cell %q of its first sheet is not in row %d", a.Value, n)
			}
			col = c
		case "t":
			typ = a.Value
		case "s":
			style = a.Value
		}
	}
	if col > maxColumns {
		return batch.Cell{}, 0, bad("row %d of its first sheet is wider than a sheet", n)
	}
	formula := false
	s.cellText = s.cellText[:0]
	s.text.reset()
	in := "" // the element whose text is the value: v or is
	for {
		tok, err := s.d.RawToken()
		if err != nil {
			return batch.Cell{}, 0, bad("cell %s of its first sheet is not valid XML (%v)", cellName(col, n), err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case in == "is":
				if err := s.text.token(t); err != nil {
					return batch.Cell{}, 0, cellTooLarge(n, cellName(col, n), s.maxCell)
				}
			case t.Name.Local == "f":
				formula = true
				if err := skip(s.d); err != nil {
					return batch.Cell{}, 0, bad("cell %s of its first sheet is not valid XML (%v)", cellName(col, n), err)
				}
			case t.Name.Local == "v" || t.Name.Local == "is":
				in = t.Name.Local
			default:
				if err := skip(s.d); err != nil {
					return batch.Cell{}, 0, bad("cell %s of its first sheet is not valid XML (%v)", cellName(col, n), err)
				}
			}
		case xml.CharData:
			switch in {
			case "v":
				if len(s.cellText)+len(t) > s.maxCell {
					return batch.Cell{}, 0, cellTooLarge(n, cellName(col, n), s.maxCell)
				}
				s.cellText = append(s.cellText, t...)
			case "is":
				if err := s.text.token(t); err != nil {
					return batch.Cell{}, 0, cellTooLarge(n, cellName(col, n), s.maxCell)
				}
			}
		case xml.EndElement:
			switch {
			case t.Name.Local == in:
				in = ""
			case in == "is":
				_ = s.text.token(t)
			case t.Name.Local == "c":
				c, err := s.value(typ, style, formula, n, col)
				return c, col, err
			}
		}
	}
}

// value makes the cell of a <c> element from its type, style and text.
func (s *sheetReader) value(typ, style string, formula bool, n, col int) (batch.Cell, error) {
	raw := string(s.cellText)
	var c batch.Cell
	switch typ {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(raw))
		if raw == "" {
			break
		}
		if err != nil || i < 0 || i >= len(s.sst) {
			return c, bad("cell %s of its first sheet names shared string %q, which does not exist", cellName(col, n), raw)
		}
		c.Text = s.sst[i]
	case "inlineStr":
		c.Text = unescape(string(s.text.buf))
	case "str":
		c.Text = unescape(raw)
	case "b":
		c.Kind = batch.KindBool
		c.Text = "FALSE"
		if strings.TrimSpace(raw) == "1" {
			c.Text = "TRUE"
		}
	case "e":
		c.Kind, c.Text = batch.KindError, raw
	case "d":
		c.Kind, c.Text = batch.KindDate, raw
	case "", "n":
		c.Kind, c.Text = batch.KindNumber, plainNumber(raw)
		if raw == "" {
			c.Kind = batch.KindText
		} else if st, err := strconv.Atoi(style); err == nil && s.styles.isDate(st) {
			c.Kind, c.Text = batch.KindDate, dateText(raw, s.date1904)
		}
	default:
		return c, bad("cell %s of its first sheet has an unknown type %q", cellName(col, n), typ)
	}
	if formula {
		c.Kind = batch.KindFormula
	}
	return c, nil
}

// plainNumber writes a number cell's value with every digit and no
// exponent: 1.4155550101E+10 is 14155550101. A value that is not a number
// is returned as it is.
func plainNumber(raw string) string {
	raw = strings.TrimSpace(raw)
	if !strings.ContainsAny(raw, "eE") {
		return raw
	}
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) || math.Abs(v) >= 1e21 {
		return raw
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// dateText words a date serial number as ISO 8601, for the messages and the
// report; a serial that is not a date is returned as it is.
func dateText(raw string, date1904 bool) string {
	v, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
	if err != nil || v < 0 || v > 2958465 { // 9999-12-31
		return raw
	}
	t, err := excelize.ExcelDateToTime(v, date1904)
	if err != nil {
		return raw
	}
	t = t.Round(time.Second)
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01-02 15:04:05")
}

// cellName is the A1 name of a cell, for messages.
func cellName(col, row int) string {
	name, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		return "R" + strconv.Itoa(row) + "C" + strconv.Itoa(col)
	}
	return name
}

package xlsx

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/multilinehq/multiline/batch"
)

// This file reads the small XML parts that locate the first sheet, and the
// shared strings table, with encoding/xml's token stream: nothing of them is
// held but the strings themselves.

// officeDocument returns the workbook part named by the package
// relationships (_rels/.rels), or xl/workbook.xml when they name none.
func officeDocument(rels []byte) string {
	d := xml.NewDecoder(bytes.NewReader(rels))
	for {
		tok, err := d.RawToken()
		if err != nil {
			return "xl/workbook.xml"
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Relationship" || !strings.HasSuffix(attr(se, "Type"), "/officeDocument") {
			continue
		}
		if t := strings.TrimPrefix(attr(se, "Target"), "/"); t != "" {
			return t
		}
	}
}

// relTarget returns the target of relationship id in a relationships part.
func relTarget(rels []byte, id string) (string, bool) {
	d := xml.NewDecoder(bytes.NewReader(rels))
	for {
		tok, err := d.RawToken()
		if err != nil {
			return "", false
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "Relationship" && attr(se, "Id") == id {
			t := attr(se, "Target")
			return t, t != ""
		}
	}
}

// attr returns the value of the attribute of se with the local name local.
func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// textCollector gathers the text of an <si> or <is> element: the <t> runs,
// rich-text ones (<r><t>) included, without the phonetic guides (<rPh>),
// capped at max bytes.
type textCollector struct {
	buf  []byte
	inT  bool
	inPh int // depth of <rPh>
	max  int
}

func (tc *textCollector) reset() { tc.buf, tc.inT, tc.inPh = tc.buf[:0], false, 0 }

// token feeds one token of the element's content.
func (tc *textCollector) token(tok xml.Token) error {
	switch t := tok.(type) {
	case xml.StartElement:
		switch t.Name.Local {
		case "t":
			tc.inT = true
		case "rPh":
			tc.inPh++
		}
	case xml.EndElement:
		switch t.Name.Local {
		case "t":
			tc.inT = false
		case "rPh":
			tc.inPh--
		}
	case xml.CharData:
		if tc.inT && tc.inPh == 0 {
			if len(tc.buf)+len(t) > tc.max {
				return errCell
			}
			tc.buf = append(tc.buf, t...)
		}
	}
	return nil
}

// readSharedStrings reads the shared strings table, nil when there is none.
// A string over maxCell bytes refuses the workbook.
func readSharedStrings(data []byte, maxCell int) ([]string, error) {
	if data == nil {
		return nil, nil
	}
	var sst []string
	d := xml.NewDecoder(bytes.NewReader(data))
	tc := textCollector{max: maxCell}
	in := false
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return sst, nil
		}
		if err != nil {
			return nil, bad("its shared strings are not valid XML (%v)", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "si" {
				in = true
				tc.reset()
				continue
			}
		case xml.EndElement:
			if t.Name.Local == "si" && in {
				in = false
				sst = append(sst, unescape(string(tc.buf)))
				continue
			}
		}
		if in {
			if err := tc.token(tok); err != nil {
				return nil, cellTooLarge(0, "", maxCell)
			}
		}
	}
}

// unescape decodes the _xHHHH_ escapes of OOXML strings (ECMA-376 part 1,
// 22.9.2.19): Excel writes a carriage return as _x000D_, and a literal
// "_x" as _x005F_x.
func unescape(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "_x")
		if i < 0 || len(s) < i+7 {
			break
		}
		if s[i+6] != '_' {
			b.WriteString(s[:i+2])
			s = s[i+2:]
			continue
		}
		v, err := strconv.ParseUint(s[i+2:i+6], 16, 16)
		if err != nil {
			b.WriteString(s[:i+2])
			s = s[i+2:]
			continue
		}
		b.WriteString(s[:i])
		b.WriteRune(rune(v))
		s = s[i+7:]
	}
	b.WriteString(s)
	return b.String()
}

// cellTooLarge is the rejection of a cell over the cap; row 0 when the cell
// is in the shared strings, whose row is not known.
func cellTooLarge(row int, ref string, maxCell int) *batch.FileError {
	where := "a cell of the workbook"
	if ref != "" {
		where = "cell " + ref
	}
	return &batch.FileError{Reason: batch.ReasonTooLarge, Line: row,
		Message: where + " holds more than " + byteSize(int64(maxCell)) + ": no column takes a value that long"}
}

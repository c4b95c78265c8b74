package batch

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// This file is the reading path every upload takes, from raw bytes to CSV
// records: byte limit, BOM, encoding detection, delimiter detection,
// encoding/csv, blank-record skipping. The corpus tests read through it too.

// errTooLarge is what limitReader returns once the input passes its limit;
// readRecords turns it into a FileError.
var errTooLarge = errors.New("batch: input larger than the byte limit")

// limitReader passes at most max bytes and fails with errTooLarge as soon as
// one more is available. Unlike io.LimitReader it tells "exactly max bytes"
// from "more than max bytes", and it fails instead of faking an EOF, so that
// a truncated file is never mistaken for a complete one.
type limitReader struct {
	r    io.Reader
	left int64 // bytes still allowed; -1 once the limit is passed
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, errTooLarge
	}
	// Ask for one byte beyond the limit, to learn whether there is more.
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	if int64(n) > l.left {
		l.left = -1
		return 0, errTooLarge
	}
	l.left -= int64(n)
	return n, err
}

// encoding is how the bytes of an upload are read.
type encoding int

const (
	// encASCII: no byte above 0x7F was seen (so far); UTF-8 and Windows-1252
	// read such bytes the same.
	encASCII encoding = iota
	encUTF8
	encWindows1252
)

// decodeReader passes UTF-8 through and decodes Windows-1252, deciding which
// one the file is at its first byte above 0x7F: a valid UTF-8 sequence
// there means UTF-8, anything else Windows-1252. Until then every byte is
// ASCII, which both encodings read the same, so nothing read before the
// decision is ever read again. It holds no more than a bufio.Reader's buffer.
type decodeReader struct {
	br  *bufio.Reader
	enc encoding
	dec io.Reader // the Windows-1252 decoder, once chosen
}

func (d *decodeReader) Read(p []byte) (int, error) {
	switch d.enc {
	case encUTF8:
		return d.br.Read(p)
	case encWindows1252:
		return d.dec.Read(p)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if _, err := d.br.Peek(1); err != nil {
		return 0, err
	}
	buf, _ := d.br.Peek(d.br.Buffered())
	i := 0
	for i < len(buf) && buf[i] < utf8.RuneSelf {
		i++
	}
	if i > 0 {
		n := copy(p, buf[:min(i, len(p))])
		d.br.Discard(n)
		return n, nil
	}
	// The next byte is the first above 0x7F: decide.
	seq, err := d.br.Peek(utf8.UTFMax)
	if err != nil && !errors.Is(err, io.EOF) && !utf8.FullRune(seq) {
		return 0, err
	}
	if r, size := utf8.DecodeRune(seq); r != utf8.RuneError || size > 1 {
		d.enc = encUTF8
	} else {
		d.enc = encWindows1252
		d.dec = transform.NewReader(d.br, charmap.Windows1252.NewDecoder())
	}
	return d.Read(p)
}

// headerPeek is how much of the decoded input is looked at to choose the
// delimiter. A header is about 200 bytes; a first line longer than this is
// judged on its first 4 KiB, which hold its names.
const headerPeek = 4 << 10

// recordReader reads the records of an upload.
type recordReader struct {
	csv      *csv.Reader
	dec      *decodeReader
	comma    rune
	hadBOM   bool
	maxBytes int64
	cells    []Cell // the record Next returns, reused
}

// newRecordReader prepares to read raw, the upload read through a
// limitReader of maxBytes bytes. It rejects input that is UTF-16 or an .xls
// workbook at once (openRecords has taken ZIP archives), and picks the
// delimiter from the first line.
func newRecordReader(raw *bufio.Reader, maxBytes int64) (*recordReader, error) {
	rr := &recordReader{maxBytes: maxBytes}
	start, err := raw.Peek(4)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, rr.fileError(err)
	}
	switch {
	case bytes.HasPrefix(start, []byte{0xEF, 0xBB, 0xBF}):
		// The UTF-8 byte order mark Excel writes for "CSV UTF-8": the file
		// says it is UTF-8, so there is nothing to detect.
		raw.Discard(3)
		rr.hadBOM = true
	case bytes.HasPrefix(start, []byte{0xFF, 0xFE}), bytes.HasPrefix(start, []byte{0xFE, 0xFF}):
		return nil, reject(ReasonNotCSV, 0, "", "the file is UTF-16 text (Excel's \"Unicode Text\"), not CSV: save it as \"CSV UTF-8 (Comma delimited)\"")
	case bytes.HasPrefix(start, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, reject(ReasonNotCSV, 0, "", "the file is an .xls workbook, not CSV: save it as \"CSV UTF-8 (Comma delimited)\"")
	}
	rr.dec = &decodeReader{br: raw}
	if rr.hadBOM {
		rr.dec.enc = encUTF8
	}
	text := bufio.NewReaderSize(rr.dec, headerPeek)
	head, err := text.Peek(headerPeek)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, rr.fileError(err)
	}
	rr.comma = sniffDelimiter(head)
	r := csv.NewReader(text)
	r.Comma = rr.comma
	// Rows may be shorter or longer than the header; the parser decides what
	// that means, so encoding/csv must not refuse them.
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	rr.csv = r
	return rr, nil
}

// sniffDelimiter returns ';' when the first non-blank line of head has more
// semicolons than commas outside quotes (Excel in locales whose decimal
// separator is a comma writes ";"), and ',' otherwise.
func sniffDelimiter(head []byte) rune {
	head = bytes.TrimLeft(head, "\r\n")
	commas, semis := 0, 0
	quoted := false
	for _, b := range head {
		switch {
		case b == '"':
			quoted = !quoted
		case quoted:
		case b == '\n':
			return pick(commas, semis)
		case b == ',':
			commas++
		case b == ';':
			semis++
		}
	}
	return pick(commas, semis)
}

func pick(commas, semis int) rune {
	if semis > commas {
		return ';'
	}
	return ','
}

// next returns the next record that has a non-blank cell, with the line it
// starts on. A record of empty or white-space cells is what a spreadsheet
// writes for a blank row (",,,,"), so it is skipped like a blank line. The
// record is only valid until the next call. At the end it returns io.EOF;
// broken quoting, NUL bytes and a passed byte limit come back as
// *FileError.
func (rr *recordReader) next() ([]string, int, error) {
	for {
		rec, err := rr.csv.Read()
		if err != nil {
			// FieldPos is only defined for a record that was read.
			return nil, 0, rr.fileError(err)
		}
		line, _ := rr.csv.FieldPos(0)
		blank := true
		for _, c := range rec {
			if strings.IndexByte(c, 0) >= 0 {
				return nil, line, reject(ReasonNotCSV, line, "", "the file contains NUL bytes: it is not a CSV text file")
			}
			if blank && strings.TrimSpace(c) != "" {
				blank = false
			}
		}
		if !blank {
			return rec, line, nil
		}
	}
}

// fileError turns a read error into what the parser returns: io.EOF as is,
// a passed byte limit and broken quoting as *FileError, anything else (an
// I/O error of the source) wrapped.
func (rr *recordReader) fileError(err error) error {
	var pe *csv.ParseError
	switch {
	case errors.Is(err, io.EOF):
		return io.EOF
	case errors.Is(err, errTooLarge):
		return reject(ReasonTooLarge, 0, "", "the file is larger than the limit of "+byteSize(rr.maxBytes)+": split it into smaller files")
	case errors.As(err, &pe):
		// pe.Column counts characters within the line, not CSV columns, so
		// it is worded as a character position.
		msg := "line " + strconv.Itoa(pe.Line) + ", character " + strconv.Itoa(pe.Column) + ": " + quoteProblem(pe.Err) + ": the file is not valid CSV"
		return &FileError{Reason: ReasonNotCSV, Line: pe.StartLine, Message: msg, Err: err}
	}
	return &readError{err}
}

// byteSize words a byte count for an administrator: "5 MiB", "1500 bytes".
func byteSize(n int64) string {
	const mib = 1 << 20
	if n >= mib && n%mib == 0 {
		return strconv.FormatInt(n/mib, 10) + " MiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// quoteProblem words an encoding/csv syntax error for an administrator.
func quoteProblem(err error) string {
	switch {
	case errors.Is(err, csv.ErrBareQuote):
		return "a double quote inside a cell that does not start with one"
	case errors.Is(err, csv.ErrQuote):
		return "a quoted cell is not closed, or has text after its closing quote"
	}
	return err.Error()
}

// readError is an I/O error of the source: the file was not rejected, it
// could not be read.
type readError struct{ err error }

func (e *readError) Error() string { return "batch: reading the file: " + e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

// encoding reports how the file was read.
func (rr *recordReader) encoding() encoding {
	if rr.dec.enc == encASCII && rr.hadBOM {
		return encUTF8
	}
	return rr.dec.enc
}

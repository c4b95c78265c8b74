package batch

import (
	"bytes"
	"errors"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
)

// The fuzz targets' seed corpora are in testdata/fuzz/<FuzzName>/.

// fuzzMaxBytes bounds FuzzParse's input, as MaxBytes bounds an upload.
const fuzzMaxBytes = 64 << 10

var reasons = []Reason{ReasonNotCSV, ReasonEmpty, ReasonMissingColumn, ReasonUnknownColumn, ReasonDuplicateColumn,
	ReasonTooManyRows, ReasonNoteLeftIn, ReasonRestrictNotAllowed, ReasonTooLarge, ReasonWorkbookUnsupported, ReasonBadWorkbook}

// FuzzParse: any bytes give rows or a file rejection, never a panic, with
// allocation in proportion to the input; every row error names its column
// and has a code; a row's report line survives WriteReport.
func FuzzParse(f *testing.F) {
	f.Add([]byte(file(hdr, good)))
	f.Fuzz(func(t *testing.T, data []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		rows, err := Parse(bytes.NewReader(data), Options{MaxRows: 50, MaxBytes: fuzzMaxBytes, SocialMessaging: len(data)%2 == 0})
		runtime.ReadMemStats(&after)
		// Fixed buffers (bufio and csv), then a few KiB per row for its
		// cells, errors, maps and phone number parsing (doubled under -race),
		// and a multiple of the input (Windows-1252 triples at most, csv
		// copies and grows by doubling).
		if alloc, limit := after.TotalAlloc-before.TotalAlloc, uint64(1<<20+len(rows)*32<<10+64*len(data)); alloc > limit {
			t.Fatalf("allocated %d bytes for %d input bytes and %d rows (limit %d)", alloc, len(data), len(rows), limit)
		}
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || !errors.Is(err, ErrFileRejected) {
				t.Fatalf("not a file rejection: %T %v", err, err)
			}
			if !slices.Contains(reasons, fe.Reason) || fe.Message == "" || !strings.HasPrefix(err.Error(), "batch: ") {
				t.Fatalf("bad rejection %+v", fe)
			}
			if rows != nil {
				t.Fatal("rows with a rejection")
			}
			return
		}
		if len(rows) == 0 || len(rows) > 50 || len(data) > fuzzMaxBytes {
			t.Fatalf("%d rows from %d bytes", len(rows), len(data))
		}
		last := 0
		var report []ReportRow
		for _, r := range rows {
			if r.Line <= last || r.Line < 2 {
				t.Fatalf("line %d after %d", r.Line, last)
			}
			last = r.Line
			_, verr := ValidateRow(r, testPolicy(true))
			fields := mlerr.Fields(verr)
			if (verr == nil) != (len(fields) == 0) {
				t.Fatalf("validation error without field errors: %v", verr)
			}
			for _, fe := range fields {
				if fe.Field == "" || fe.Code == "" || !strings.HasPrefix(fe.Message, fe.Field) {
					t.Fatalf("row error does not name its column: %+v", fe)
				}
			}
			if verr != nil {
				report = append(report, failedRow(r, fields))
			} else {
				report = append(report, reportRow(r, StatusValid, r.Input.AssignNumber))
			}
		}
		var out bytes.Buffer
		if err := WriteReport(&out, report); err != nil {
			t.Fatal(err)
		}
	})
}

// maxMessage bounds a row error's message whatever the cell: the value it
// quotes is cut to a short prefix (mlerr.Truncate), which %q may expand to
// ten bytes a rune.
const maxMessage = 1024

// fuzzChoice checks one two-word cell rule.
func fuzzChoice(t *testing.T, s string, parse func(string) (bool, *mlerr.FieldError), c Column, yes, no string, required bool) {
	v, fe := parse(s)
	trim := strings.TrimSpace(s)
	isYes, isNo := strings.EqualFold(trim, yes), strings.EqualFold(trim, no)
	switch {
	case isYes || isNo:
		if fe != nil || v != isYes {
			t.Fatalf("%q: got %v, %v", s, v, fe)
		}
	case trim == "" && !required:
		if fe != nil || v {
			t.Fatalf("%q: empty optional cell gave %v, %v", s, v, fe)
		}
	default:
		if fe == nil || v {
			t.Fatalf("%q accepted as %v", s, v)
		}
		wantCode := c.String() + ".value"
		if trim == "" {
			wantCode = c.String() + ".required"
		}
		if fe.Code != wantCode || fe.Field != c.String() || !strings.HasPrefix(fe.Message, c.String()) || !errors.Is(fe, mlerr.ErrInvalid) || len(fe.Message) > maxMessage {
			t.Fatalf("%q: bad error %+v", s, fe)
		}
	}
}

func FuzzYesNo(f *testing.F) {
	f.Add("Yes")
	f.Fuzz(func(t *testing.T, s string) { fuzzChoice(t, s, parseYesNo, SocialMessaging, "Yes", "No", true) })
}

func FuzzAutoOff(f *testing.F) {
	f.Add("auto")
	f.Fuzz(func(t *testing.T, s string) { fuzzChoice(t, s, parseAutoOff, MonitorCalls, "auto", "off", true) })
}

func FuzzOnOff(f *testing.F) {
	f.Add("on")
	f.Fuzz(func(t *testing.T, s string) { fuzzChoice(t, s, parseOnOff, MonitorSMS, "on", "off", true) })
}

func FuzzTrueFalse(f *testing.F) {
	f.Add("true")
	f.Fuzz(func(t *testing.T, s string) {
		fuzzChoice(t, s, parseTrueFalse, RestrictIncomingSocial, "true", "false", false)
	})
}

// FuzzLanguage: an accepted cell gives one of the five codes, and that code
// reads as itself.
func FuzzLanguage(f *testing.F) {
	f.Add("English")
	f.Fuzz(func(t *testing.T, s string) {
		code, fe := parseLanguageCell(s)
		if fe != nil {
			if code != "" || fe.Code != account.CodeLanguageUnknown || fe.Field != "Language" || len(fe.Message) > maxMessage {
				t.Fatalf("%q: bad error %q %+v", s, code, fe)
			}
			return
		}
		if !slices.Contains(account.Languages, code) {
			t.Fatalf("%q gave %q", s, code)
		}
		if again, fe := parseLanguageCell(code); fe != nil || again != code {
			t.Fatalf("%q: code %q reads as %q, %v", s, code, again, fe)
		}
	})
}

// FuzzNumberCell: an accepted cell gives an E.164 number that reads as
// itself; a refused one names multiline_number with one of its codes.
func FuzzNumberCell(f *testing.F) {
	f.Add("+1 (628) 200-0000")
	f.Fuzz(func(t *testing.T, s string) {
		e164, fe := parseNumberCell(s)
		if fe != nil {
			if e164 != "" || fe.Field != "multiline_number" || !slices.Contains([]string{CodeNumberFormat, CodeNumberCountryCode, CodeNumberScientific}, fe.Code) {
				t.Fatalf("%q: bad error %q %+v", s, e164, fe)
			}
			return
		}
		if !isE164(e164) {
			t.Fatalf("%q gave %q, not E.164", s, e164)
		}
		if Neutralize(e164) != e164 {
			t.Fatalf("%q: the report would guard the number %q", s, e164)
		}
		if again, fe := parseNumberCell(e164); fe != nil || again != e164 {
			t.Fatalf("%q: %q reads as %q, %v", s, e164, again, fe)
		}
	})
}

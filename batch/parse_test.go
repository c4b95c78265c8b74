package batch

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/batch/batchtest"
	"github.com/multilinehq/multiline/mlerr"
)

func TestParseFileRejections(t *testing.T) {
	var rows1001 strings.Builder
	rows1001.WriteString(hdr + "\n")
	for i := range 1001 {
		rows1001.WriteString(rowWith(map[Column]string{EmailOrDevice: fmt.Sprintf("u%04d@example.com", i)}) + "\n")
	}
	var tmpl bytes.Buffer
	require.NoError(t, WriteTemplate(&tmpl))

	tests := []struct {
		name   string
		in     string
		opts   Options
		reason Reason
		line   int
		column string
		msg    string // a part of the message
	}{
		{name: "empty file", in: "", reason: ReasonEmpty, msg: "no header"},
		{name: "blank lines only", in: "\n\r\n\n", reason: ReasonEmpty, msg: "no header"},
		{name: "header and no rows", in: file(hdr), reason: ReasonEmpty, line: 1, msg: "no data rows"},
		{name: "header and blank rows only", in: file(hdr, ",,,,,,,,,", ""), reason: ReasonEmpty, line: 1},
		{name: "missing mandatory column", in: file(strings.Replace(hdr, ",monitor_sms", "", 1), "a"),
			reason: ReasonMissingColumn, line: 1, column: "monitor_sms", msg: `missing mandatory column "monitor_sms"`},
		{name: "missing two mandatory columns", in: file("firstname,email address or device,monitor_sms", "a"),
			reason: ReasonMissingColumn, line: 1, column: "social_messaging", msg: `"social_messaging", "monitor_calls"`},
		{name: "unknown column", in: file(hdr+",department", good+",sales"),
			reason: ReasonUnknownColumn, line: 1, column: "department", msg: `unknown column "department" (column 11)`},
		{name: "unnamed column before a named one", in: file(strings.Replace(hdr, "lastname", "", 1), good),
			reason: ReasonUnknownColumn, line: 1, msg: "column 2 of the header has no name"},
		{name: "duplicated column", in: file(hdr+",MONITOR_SMS", good+",on"),
			reason: ReasonDuplicateColumn, line: 1, column: "monitor_sms", msg: `"monitor_sms" appears twice (columns 7 and 11`},
		{name: "alias and column both present", in: file(hdr+",primary_number", good+","),
			reason: ReasonDuplicateColumn, line: 1, column: "multiline_number", msg: `as "multiline_number" and "primary_number"`},
		{name: "1001 data rows", in: rows1001.String(), reason: ReasonTooManyRows, line: 1002, msg: "more than 1000 data rows"},
		{name: "row cap configured", in: file(hdr, good, strings.Replace(good, "ann@", "bob@", 1)), opts: Options{MaxRows: 1},
			reason: ReasonTooManyRows, line: 3, msg: "more than 1 data rows"},
		{name: "template note left in", in: tmpl.String(), reason: ReasonNoteLeftIn, line: 3, msg: "delete the Note"},
		{name: "note in another column, lower case", in: file(hdr, good, ",,,,,,,,,note - delete me"),
			reason: ReasonNoteLeftIn, line: 3},
		{name: "note alone", in: file(hdr, "NOTE"), reason: ReasonNoteLeftIn, line: 2},
		{name: "restrict value without social messaging", in: file(hdr, good, rowWith(map[Column]string{EmailOrDevice: "b@example.com", RestrictIncomingSocial: "false"})),
			reason: ReasonRestrictNotAllowed, line: 3, column: "restrict_incoming_social_messaging", msg: "does not have social messaging"},
		{name: "larger than the byte limit", in: file(hdr, good), opts: Options{MaxBytes: int64(len(file(hdr, good))) - 1},
			reason: ReasonTooLarge, msg: "larger than the limit"},
		{name: "default byte limit", in: hdr + "\n" + strings.Repeat("x", DefaultMaxBytes), reason: ReasonTooLarge, msg: "5 MiB"},
		{name: "bare quote", in: file(hdr, `Ann "the" Smith,x,ann@example.com,No,,auto,on,,,`),
			reason: ReasonNotCSV, line: 2, msg: "line 2, character 5: a double quote inside a cell"},
		{name: "unclosed quote", in: file(hdr, good, `"Ann,Smith,ann@example.com,No,,auto,on,,,`),
			reason: ReasonNotCSV, line: 3, msg: "not closed"},
		{name: "NUL bytes", in: file(hdr, "Ann\x00,Smith,ann@example.com,No,,auto,on,,,"), reason: ReasonNotCSV, line: 2, msg: "NUL"},
		{name: "UTF-16", in: "\xff\xfef\x00i\x00", reason: ReasonNotCSV, msg: "UTF-16"},
		{name: "xlsx workbook without a workbook reader", in: "PK\x03\x04\x14\x00", reason: ReasonWorkbookUnsupported, msg: "plug in the XLSX reader"},
		{name: "xls workbook", in: "\xd0\xcf\x11\xe0\xa1\xb1", reason: ReasonNotCSV, msg: ".xls"},
		{name: "tab separated", in: file(strings.ReplaceAll(hdr, ",", "\t"), strings.ReplaceAll(good, ",", "\t")),
			reason: ReasonNotCSV, line: 1, msg: "tab-separated"},
		{name: "classic Mac line ends", in: hdr + "\r" + good + "\r", reason: ReasonNotCSV, line: 1, msg: "carriage return only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := Parse(strings.NewReader(tt.in), tt.opts)
			fe := fileErr(t, err)
			assert.Nil(t, rows)
			assert.Equal(t, tt.reason, fe.Reason)
			assert.Equal(t, tt.line, fe.Line)
			assert.Equal(t, tt.column, fe.Column)
			assert.Contains(t, fe.Message, tt.msg)
			assert.True(t, strings.HasPrefix(err.Error(), "batch: "), err.Error())
		})
	}
}

// TestParse1000Rows: the cap itself is accepted, and the generated file the
// benchmarks use is valid.
func TestParse1000Rows(t *testing.T) {
	rows, err := Parse(bytes.NewReader(batchtest.GenerateCSV(1000)), Options{})
	require.NoError(t, err)
	require.Len(t, rows, 1000)
	p := testPolicy(false)
	for _, r := range rows {
		_, err := ValidateRow(r, p)
		require.NoError(t, err, "line %d", r.Line)
	}
	assert.Equal(t, 1001, rows[999].Line)
}

func TestParseByteLimitExact(t *testing.T) {
	in := file(hdr, good)
	rows, err := Parse(strings.NewReader(in), Options{MaxBytes: int64(len(in))})
	require.NoError(t, err)
	require.Len(t, rows, 1)
}

func TestParseCSVErrorUnwrapsParseError(t *testing.T) {
	_, err := Parse(strings.NewReader(file(hdr, `a"b,,x@example.com,No,,auto,on,,,`)), Options{})
	var pe *csv.ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 2, pe.Line)
}

func TestParseReadErrorIsNotARejection(t *testing.T) {
	boom := errors.New("disk on fire")
	_, err := Parse(io.MultiReader(strings.NewReader(hdr+"\n"+good+"\n"), iotest.ErrReader(boom)), Options{})
	require.ErrorIs(t, err, boom)
	assert.NotErrorIs(t, err, ErrFileRejected)
	assert.Contains(t, err.Error(), "batch: reading the file: ")
}

// TestParseAccepted covers the input-robustness rules of SPEC §6: each file
// must parse into the same account.
func TestParseAccepted(t *testing.T) {
	winHdr := strings.ReplaceAll(hdr, ",", ";")
	tests := []struct {
		name  string
		in    string
		opts  Options
		line  int // of the first row
		first string
		last  string
		email string
	}{
		{name: "LF", in: file(hdr, good), line: 2, first: "Ann", last: "Smith", email: "ann@example.com"},
		{name: "CRLF with UTF-8 BOM", in: "\xef\xbb\xbf" + hdr + "\r\n" + "José,Müller,ann@example.com,No,,auto,on,,,English\r\n",
			line: 2, first: "José", last: "Müller", email: "ann@example.com"},
		{name: "UTF-8 without BOM", in: file(hdr, "Zoë,Ørsted,ann@example.com,No,,auto,on,,,"), line: 2, first: "Zoë", last: "Ørsted", email: "ann@example.com"},
		{name: "Windows-1252 accents", in: file(hdr, "Jos\xe9,M\xfcller,ann@example.com,No,,auto,on,,,"),
			line: 2, first: "José", last: "Müller", email: "ann@example.com"},
		{name: "Windows-1252 euro and curly quote", in: file(hdr, "\x80va,O\x92Brien,ann@example.com,No,,auto,on,,,"),
			line: 2, first: "€va", last: "O’Brien", email: "ann@example.com"},
		{name: "semicolon delimiter, CRLF, Windows-1252", in: winHdr + "\r\n" + "Jos\xe9;M\xfcller;ann@example.com;No;;auto;on;;;\r\n",
			line: 2, first: "José", last: "Müller", email: "ann@example.com"},
		{name: "quoted fields with commas and doubled quotes", in: file(hdr, `"Ann, Jr.","O""Brien, ""the"" third",ann@example.com,No,,auto,on,,,`),
			line: 2, first: "Ann, Jr.", last: `O"Brien, "the" third`, email: "ann@example.com"},
		{name: "blank lines before and between", in: "\n\n" + hdr + "\n\n\r\n" + good + "\n\n", line: 6, first: "Ann", last: "Smith", email: "ann@example.com"},
		{name: "blank spreadsheet rows skipped", in: file(hdr, ",,,,,,,,,", " , ,,,,,,,,", good), line: 4, first: "Ann", last: "Smith", email: "ann@example.com"},
		{name: "trailing empty columns in header and rows", in: file(hdr+",,,", good+",,,", ""), line: 2, first: "Ann", last: "Smith", email: "ann@example.com"},
		{name: "header case, spaces and order free", in: file(
			"  MONITOR_SMS , Email  Address Or Device,Social_Messaging,monitor_calls,LANGUAGE,FirstName",
			"on,ann@example.com,no,AUTO,english,Ann"), line: 2, first: "Ann", email: "ann@example.com"},
		{name: "only mandatory columns", in: file("email address or device,social_messaging,monitor_calls,monitor_sms", "ann@example.com,No,auto,on"),
			line: 2, email: "ann@example.com"},
		{name: "restrict column present but empty, no social messaging", in: file(hdr, good), line: 2, first: "Ann", last: "Smith", email: "ann@example.com"},
		{name: "restrict value with social messaging", in: file(hdr, rowWith(map[Column]string{RestrictIncomingSocial: "false"})), opts: Options{SocialMessaging: true},
			line: 2, first: "Ann", last: "Smith", email: "ann@example.com"},
		{name: "no newline at end", in: hdr + "\n" + good, line: 2, first: "Ann", last: "Smith", email: "ann@example.com"},
		{name: "quoted header names", in: file(`"firstname","email address or device","social_messaging","monitor_calls","monitor_sms"`, `"Ann","ann@example.com","No","auto","on"`),
			line: 2, first: "Ann", email: "ann@example.com"},
		{name: "a Note-like first name is data", in: file(hdr, rowWith(map[Column]string{FirstName: "Notburga"})), line: 2, first: "Notburga", last: "Smith", email: "ann@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := Parse(strings.NewReader(tt.in), tt.opts)
			require.NoError(t, err)
			require.Len(t, rows, 1)
			r := rows[0]
			require.NoError(t, r.Err)
			assert.Equal(t, tt.line, r.Line)
			assert.Equal(t, tt.first, r.Input.FirstName)
			assert.Equal(t, tt.last, r.Input.LastName)
			assert.Equal(t, tt.email, r.Input.Email)
			assert.False(t, r.Input.SocialMessaging)
			assert.True(t, r.Input.RecordCalls)
			assert.True(t, r.Input.RecordSMS)
		})
	}
}

func TestParseEncodingDetection(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		enc   encoding
		name1 string
	}{
		{"ASCII only", file(hdr, good), encASCII, "Ann"},
		{"BOM", "\xef\xbb\xbf" + file(hdr, good), encUTF8, "Ann"},
		{"UTF-8 decided at the first non-ASCII byte", file(hdr, strings.Replace(good, "Ann", "Åsa", 1)), encUTF8, "Åsa"},
		{"Windows-1252 decided at the first non-ASCII byte", file(hdr, strings.Replace(good, "Ann", "\xc5sa", 1)), encWindows1252, "Åsa"},
		// A lone lead byte at the end of the input is not valid UTF-8.
		{"Windows-1252 at the last byte", file(hdr, good) + "\xe9", encWindows1252, "Ann"},
		// Once UTF-8, a later invalid byte stays as is: the cell fails its rule.
		{"mixed: UTF-8 first", file(hdr, strings.Replace(good, "Ann", "Åsa", 1), strings.Replace(strings.Replace(good, "Ann", "Jos\xe9", 1), "ann@", "b@", 1)), encUTF8, "Åsa"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := newParser(strings.NewReader(tt.in), Options{})
			require.NoError(t, err)
			row, err := p.next()
			require.NoError(t, err)
			for {
				if _, err := p.next(); err != nil {
					require.ErrorIs(t, err, io.EOF)
					break
				}
			}
			assert.Equal(t, tt.enc, p.rr.encoding())
			assert.Equal(t, tt.name1, row.Input.FirstName)
		})
	}
}

// TestParseEncodingAcrossReads feeds the file one byte per Read, so the
// first non-ASCII sequence straddles reads.
func TestParseEncodingAcrossReads(t *testing.T) {
	for _, in := range []string{
		file(hdr, strings.Replace(good, "Ann", "Åsa", 1)),
		file(hdr, strings.Replace(good, "Ann", "\xc5sa", 1)),
		"\xef\xbb\xbf" + file(hdr, strings.Replace(good, "Ann", "Åsa", 1)),
	} {
		rows, err := Parse(iotest.OneByteReader(strings.NewReader(in)), Options{})
		require.NoError(t, err)
		require.Len(t, rows, 1)
		assert.Equal(t, "Åsa", rows[0].Input.FirstName)
	}
}

func TestParseLinesAndCells(t *testing.T) {
	in := file(hdr,
		`"Ann",Smith,ann@example.com,No,,auto,on,,,`,
		`"Multi`,
		`line",Smith,bob@example.com,No,,auto,on,,,`,
		``,
		`Cid,Smith,cid@example.com,No,,auto,on`, // short row: missing cells are empty
	)
	rows, err := Parse(strings.NewReader(in), Options{})
	require.NoError(t, err)
	require.Len(t, rows, 3)
	assert.Equal(t, []int{2, 3, 6}, []int{rows[0].Line, rows[1].Line, rows[2].Line})
	assert.Equal(t, "Multi\nline", rows[1].Cell(FirstName))
	assert.Equal(t, "", rows[2].Cell(Language))
	assert.NoError(t, rows[2].Err)
	assert.Equal(t, "", rows[0].Cell(Column(-1)))
	assert.Equal(t, "", rows[0].Cell(numColumns))
}

// TestParseRowRules has one row per column rule and value class; the row is
// good with one cell changed.
func TestParseRowRules(t *testing.T) {
	type want struct {
		codes  []string
		field  string // Field of the first error, if any
		social bool
		calls  bool
		sms    bool
		restr  bool
		number string
		lang   string
		email  string
		device string
	}
	base := want{calls: true, sms: true, lang: "en", email: "ann@example.com"}
	with := func(f func(*want)) want { w := base; f(&w); return w }
	tests := []struct {
		name  string
		cells map[Column]string
		want  want
	}{
		{"social Yes", map[Column]string{SocialMessaging: "Yes"}, with(func(w *want) { w.social = true })},
		{"social yes lower case, spaces", map[Column]string{SocialMessaging: "  yes "}, with(func(w *want) { w.social = true })},
		{"social NO", map[Column]string{SocialMessaging: "NO"}, base},
		{"social no-break spaces", map[Column]string{SocialMessaging: "\u00a0No\u00a0"}, base},
		{"social Y refused", map[Column]string{SocialMessaging: "Y"}, with(func(w *want) { w.codes = []string{CodeSocialValue}; w.field = "social_messaging" })},
		{"social true refused", map[Column]string{SocialMessaging: "true"}, with(func(w *want) { w.codes = []string{CodeSocialValue}; w.field = "social_messaging" })},
		{"social empty", map[Column]string{SocialMessaging: ""}, with(func(w *want) { w.codes = []string{CodeSocialRequired}; w.field = "social_messaging" })},
		{"monitor_calls off", map[Column]string{MonitorCalls: "off"}, with(func(w *want) { w.calls = false })},
		{"monitor_calls AUTO", map[Column]string{MonitorCalls: "AUTO"}, base},
		{"monitor_calls on refused", map[Column]string{MonitorCalls: "on"}, with(func(w *want) { w.calls = false; w.codes = []string{CodeMonitorCallsValue}; w.field = "monitor_calls" })},
		{"monitor_calls empty", map[Column]string{MonitorCalls: " "}, with(func(w *want) {
			w.calls = false
			w.codes = []string{CodeMonitorCallsRequired}
			w.field = "monitor_calls"
		})},
		{"monitor_sms Off", map[Column]string{MonitorSMS: "Off"}, with(func(w *want) { w.sms = false })},
		{"monitor_sms ON", map[Column]string{MonitorSMS: "ON"}, base},
		{"monitor_sms auto refused", map[Column]string{MonitorSMS: "auto"}, with(func(w *want) { w.sms = false; w.codes = []string{CodeMonitorSMSValue}; w.field = "monitor_sms" })},
		{"monitor_sms empty", map[Column]string{MonitorSMS: ""}, with(func(w *want) { w.sms = false; w.codes = []string{CodeMonitorSMSRequired}; w.field = "monitor_sms" })},
		{"restrict TRUE with social Yes", map[Column]string{SocialMessaging: "Yes", RestrictIncomingSocial: "TRUE"}, with(func(w *want) { w.social, w.restr = true, true })},
		{"restrict false", map[Column]string{RestrictIncomingSocial: "false"}, base},
		{"restrict yes refused", map[Column]string{RestrictIncomingSocial: "yes"}, with(func(w *want) { w.codes = []string{CodeRestrictValue}; w.field = "restrict_incoming_social_messaging" })},
		// The "true only with Yes" rule is account.Validate's: Parse keeps the value.
		{"restrict true with social No kept for validation", map[Column]string{RestrictIncomingSocial: "true"}, with(func(w *want) { w.restr = true })},
		{"restrict true with social unreadable dropped", map[Column]string{SocialMessaging: "maybe", RestrictIncomingSocial: "true"},
			with(func(w *want) { w.codes = []string{CodeSocialValue}; w.field = "social_messaging" })},
		{"number E.164", map[Column]string{MultilineNumber: "+16282000000"}, with(func(w *want) { w.number = "+16282000000" })},
		{"number formatted", map[Column]string{MultilineNumber: "+1 (628) 200-0000"}, with(func(w *want) { w.number = "+16282000000" })},
		{"number digits only, + dropped by a spreadsheet", map[Column]string{MultilineNumber: "16282000000"}, with(func(w *want) { w.number = "+16282000000" })},
		{"number scientific", map[Column]string{MultilineNumber: "1.62820E+10"}, with(func(w *want) { w.codes = []string{CodeNumberScientific}; w.field = "multiline_number" })},
		{"number without country code", map[Column]string{MultilineNumber: "(628) 200-0000"}, with(func(w *want) { w.codes = []string{CodeNumberCountryCode}; w.field = "multiline_number" })},
		{"number invalid", map[Column]string{MultilineNumber: "+1 555"}, with(func(w *want) { w.codes = []string{CodeNumberFormat}; w.field = "multiline_number" })},
		{"number tag refused", map[Column]string{MultilineNumber: "PORTED"}, with(func(w *want) { w.codes = []string{CodeNumberCountryCode}; w.field = "multiline_number" })},
		{"language name", map[Column]string{Language: "ITALIAN"}, with(func(w *want) { w.lang = "it" })},
		{"language code", map[Column]string{Language: "de"}, with(func(w *want) { w.lang = "de" })},
		{"language regional code", map[Column]string{Language: "fr-CA"}, with(func(w *want) { w.lang = "fr" })},
		{"language own name", map[Column]string{Language: "Español"}, with(func(w *want) { w.lang = "es" })},
		{"language empty", map[Column]string{Language: ""}, with(func(w *want) { w.lang = "" })},
		{"language unknown", map[Column]string{Language: "Klingon"}, with(func(w *want) { w.lang = ""; w.codes = []string{"language.unknown"}; w.field = "Language" })},
		{"email routed by @", map[Column]string{EmailOrDevice: " Ann@Example.com "}, with(func(w *want) { w.email = "Ann@Example.com" })},
		{"device routed without @", map[Column]string{EmailOrDevice: "+1 415 200 0001"}, with(func(w *want) { w.email = ""; w.device = "+1 415 200 0001" })},
		// Email and device rules are account.Validate's (see TestValidateRow).
		{"empty destination left to validation", map[Column]string{EmailOrDevice: ""}, with(func(w *want) { w.email = "" })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := Parse(strings.NewReader(file(hdr, rowWith(tt.cells))), Options{SocialMessaging: true})
			require.NoError(t, err)
			require.Len(t, rows, 1)
			r := rows[0]
			assert.Equal(t, tt.want.codes, codes(r.Err))
			if tt.want.field != "" {
				fe := mlerr.Fields(r.Err)[0]
				assert.Equal(t, tt.want.field, fe.Field)
				assert.True(t, strings.HasPrefix(fe.Message, tt.want.field), "message %q names the column", fe.Message)
				assert.ErrorIs(t, fe, mlerr.ErrInvalid)
			}
			in := r.Input
			assert.Equal(t, tt.want.social, in.SocialMessaging, "social")
			assert.Equal(t, tt.want.calls, in.RecordCalls, "calls")
			assert.Equal(t, tt.want.sms, in.RecordSMS, "sms")
			assert.Equal(t, tt.want.restr, in.RestrictIncomingSocial, "restrict")
			assert.Equal(t, tt.want.number, in.AssignNumber, "number")
			assert.Equal(t, tt.want.lang, in.Language, "language")
			assert.Equal(t, tt.want.email, in.Email, "email")
			assert.Equal(t, tt.want.device, in.Device, "device")
		})
	}
}

func TestParseRowShapes(t *testing.T) {
	tests := []struct {
		name  string
		row   string
		codes []string
	}{
		{"short row: missing mandatory cells are empty", "Ann,Smith,ann@example.com", []string{CodeSocialRequired, CodeMonitorCallsRequired, CodeMonitorSMSRequired}},
		{"longer row with empty extra cells", good + ",, ,", nil},
		{"longer row with a value beyond the header", good + ",,extra", []string{CodeExtraCells}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := Parse(strings.NewReader(file(hdr, tt.row)), Options{})
			require.NoError(t, err)
			require.Len(t, rows, 1)
			assert.Equal(t, tt.codes, codes(rows[0].Err))
		})
	}
	rows, err := Parse(strings.NewReader(file(hdr, good+",,extra")), Options{})
	require.NoError(t, err)
	fe := mlerr.Fields(rows[0].Err)[0]
	assert.Equal(t, "row", fe.Field)
	assert.Contains(t, fe.Message, "column 12, beyond the header's 10 columns")
}

func TestParseProfile(t *testing.T) {
	rows, err := Parse(strings.NewReader(file(hdr, good)), Options{Profile: "gold"})
	require.NoError(t, err)
	assert.EqualValues(t, "gold", rows[0].Input.Profile)
}

func TestParseDuplicates(t *testing.T) {
	in := file(hdr,
		rowWith(map[Column]string{EmailOrDevice: "ann@example.com", MultilineNumber: "+16282000000"}), // 2
		rowWith(map[Column]string{EmailOrDevice: "ANN@example.COM"}),                                  // 3: dup username
		rowWith(map[Column]string{EmailOrDevice: "bob@example.com", MultilineNumber: "16282000000"}),  // 4: dup number
		rowWith(map[Column]string{EmailOrDevice: "+1 415 200 0001"}),                                  // 5
		rowWith(map[Column]string{EmailOrDevice: "14152000001", MultilineNumber: "+16282000000"}),     // 6: dup both
		rowWith(map[Column]string{EmailOrDevice: "not a number"}),                                     // 7
		rowWith(map[Column]string{EmailOrDevice: "not a number"}),                                     // 8: not compared
		// The first occurrence counts even when it fails for another reason.
		rowWith(map[Column]string{EmailOrDevice: "cid@example.com", MonitorCalls: "bad"}), // 9
		rowWith(map[Column]string{EmailOrDevice: "cid@example.com"}),                      // 10
	)
	rows, err := Parse(strings.NewReader(in), Options{})
	require.NoError(t, err)
	require.Len(t, rows, 9)
	got := map[int][]string{}
	for _, r := range rows {
		got[r.Line] = codes(r.Err)
	}
	assert.Equal(t, map[int][]string{
		2: nil, 3: {CodeUsernameDuplicate}, 4: {CodeNumberDuplicate}, 5: nil,
		6: {CodeUsernameDuplicate, CodeNumberDuplicate}, 7: nil, 8: nil,
		9: {CodeMonitorCallsValue}, 10: {CodeUsernameDuplicate},
	}, got)
	fes := mlerr.Fields(rows[1].Err)
	assert.Equal(t, "email address or device", fes[0].Field)
	assert.Contains(t, fes[0].Message, "row 2")
	fes = mlerr.Fields(rows[2].Err)
	assert.Equal(t, "multiline_number", fes[0].Field)
	assert.Contains(t, fes[0].Message, "row 2")
	fes = mlerr.Fields(rows[4].Err)
	assert.Contains(t, fes[0].Message, "row 5")
	// A later duplicate does not take the number.
	assert.Equal(t, "", rows[2].Input.AssignNumber)
	assert.Equal(t, "+16282000000", rows[0].Input.AssignNumber)
}

// TestParsePrimaryNumberAlias: the older column name reads the same column.
func TestParsePrimaryNumberAlias(t *testing.T) {
	rows, err := Parse(strings.NewReader(file(strings.Replace(hdr, "multiline_number", "Primary_Number", 1), rowWith(map[Column]string{MultilineNumber: "+16282000000"}))), Options{})
	require.NoError(t, err)
	assert.Equal(t, "+16282000000", rows[0].Input.AssignNumber)
}

func TestIsNote(t *testing.T) {
	tests := []struct {
		rec  []string
		want bool
	}{
		{[]string{TemplateNote, "", ""}, true},
		{[]string{"", " note: x "}, true},
		{[]string{"Note"}, true},
		{[]string{"NOTE!"}, true},
		{[]string{"Notburga"}, false},
		{[]string{"Note2"}, false},
		{[]string{"Not"}, false},
		{[]string{"Note:", "x"}, false},
		{[]string{"", ""}, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, isNote(tt.rec), "%q", tt.rec)
	}
}

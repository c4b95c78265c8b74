package batch

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/permissions"
)

// The defaults of Options.
const (
	// DefaultMaxRows is the portal's cap on data rows (SPEC §6).
	DefaultMaxRows = 1000
	// DefaultMaxBytes bounds an upload: 1000 rows of ten generous cells fit
	// in a fraction of it, and it bounds the memory a single huge cell can
	// take, since encoding/csv holds a whole record.
	DefaultMaxBytes = 5 << 20
)

// Options configure Parse.
type Options struct {
	// MaxRows is the most data rows a file may have; 0 means DefaultMaxRows.
	MaxRows int
	// MaxBytes is the largest file accepted, in bytes as uploaded; 0 means
	// DefaultMaxBytes.
	MaxBytes int64
	// SocialMessaging is whether the organization has social messaging;
	// without it, restrict_incoming_social_messaging values reject the file.
	SocialMessaging bool
	// Profile is the user-permissions profile the administrator chose for the
	// upload; it becomes every row's Input.Profile. Empty means the
	// organization's default.
	Profile permissions.ProfileID
	// Workbook reads uploads that are workbooks (.xlsx, recognized by the
	// ZIP signature at their start); nil refuses them with
	// ReasonWorkbookUnsupported. The batch/xlsx module provides one.
	Workbook WorkbookReader
}

func (o Options) maxRows() int {
	if o.MaxRows <= 0 {
		return DefaultMaxRows
	}
	return o.MaxRows
}

func (o Options) maxBytes() int64 {
	if o.MaxBytes <= 0 {
		return DefaultMaxBytes
	}
	return o.MaxBytes
}

// Row is one data row of an upload.
type Row struct {
	// Line is the line of the file the row starts on, counting every line
	// from 1: the header is line 1 unless blank lines precede it.
	Line int
	// Input is the account the row describes, in the form account.Validate
	// takes with account.CSVRow: the email-or-device cell is in Email when
	// it contains '@' and in Device otherwise; cells that broke a rule of
	// this package are left out of it (their errors are in Err).
	Input account.Input
	// Err holds the row's errors found while parsing, an errors.Join of
	// *mlerr.FieldError whose Field is the column's name; nil if none.
	// ValidateRow adds the account rules.
	Err error
	// cells are the row's cells as read, by column; "" for a column the file
	// does not have.
	cells [numColumns]string
	// device is Input.Device in E.164, when Parse could read it.
	device string
	// badKind has bit c set when the cell of column c is of a kind no
	// column takes (a date or a formula in a workbook).
	badKind uint16
}

// Cell returns the row's cell in column c as the file has it (not trimmed);
// "" when the file has no such column or the row is shorter.
func (r Row) Cell(c Column) string {
	if c < 0 || c >= numColumns {
		return ""
	}
	return r.cells[c]
}

// Parse reads an upload and returns its data rows in file order. A file the
// upload rules refuse as a whole (SPEC §6) gives a *FileError wrapping
// ErrFileRejected and no rows; an error of src itself is returned wrapped.
// Row-level problems are in each Row's Err; ValidateRow completes them with
// the account rules of the organization.
//
// Parse streams: it holds the rows it returns, one record and a few
// buffers, never more than the file itself.
func Parse(src io.Reader, opts Options) ([]Row, error) {
	p, err := newParser(src, opts)
	if err != nil {
		return nil, err
	}
	var rows []Row
	for {
		row, err := p.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(rows) == cap(rows) {
			// Doubled, where append grows a slice past 256 elements by a
			// quarter at a time: for rows of some 400 bytes that
			// allocated three times the final slice (1.3 MB for the 0.4
			// MB of a 1000-row file).
			grown := make([]Row, len(rows), max(2*len(rows), 16))
			copy(grown, rows)
			rows = grown
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, reject(ReasonEmpty, p.headerLine, "", "the file has a header but no data rows: fill in one row per account")
	}
	return rows, nil
}

// parser turns records into rows.
type parser struct {
	src        RecordReader
	rr         *recordReader // src when the upload is CSV, else nil
	text       []string      // the texts of the current record, reused
	opts       Options
	headerLine int
	// index maps each column to its position in the file's records, -1 when
	// the file does not have it.
	index   [numColumns]int
	width   int // cells the header names; trailing unnamed ones dropped
	numName string
	rows    int
	// The first line of each username and number, to name it in the
	// duplicates' errors.
	usernames map[string]int
	numbers   map[string]int
}

func newParser(src io.Reader, opts Options) (*parser, error) {
	records, rr, err := openRecords(src, opts)
	if err != nil {
		return nil, err
	}
	p := &parser{src: records, rr: rr, opts: opts, usernames: map[string]int{}, numbers: map[string]int{}}
	cells, line, err := records.Next()
	if errors.Is(err, io.EOF) {
		return nil, reject(ReasonEmpty, 0, "", "the file is empty: it has no header line")
	}
	if err != nil {
		return nil, err
	}
	p.headerLine = line
	if err := p.readHeader(texts(nil, cells), line); err != nil {
		return nil, err
	}
	return p, nil
}

// readHeader maps the header's names to columns and checks them.
func (p *parser) readHeader(header []string, line int) error {
	width := len(header)
	for width > 0 && strings.TrimSpace(header[width-1]) == "" {
		width-- // trailing empty columns are ignored (SPEC §6)
	}
	p.width = width
	// Say what the file most likely is rather than "unknown column": no
	// header name holds a carriage return or, alone on the line, a tab.
	for _, h := range header[:width] {
		if strings.Contains(h, "\r") {
			return reject(ReasonNotCSV, line, "", "the file's lines end with a carriage return only (classic Mac): save it as \"CSV UTF-8 (Comma delimited)\"")
		}
	}
	if width == 1 && strings.Contains(header[0], "\t") {
		return reject(ReasonNotCSV, line, "", "the file is tab-separated, not CSV: save it as \"CSV UTF-8 (Comma delimited)\"")
	}
	for c := range p.index {
		p.index[c] = -1
	}
	seen := [numColumns]string{} // the name each column was found under
	for i, h := range header[:width] {
		name := normalizeHeader(h)
		if name == "" {
			return reject(ReasonUnknownColumn, line, "", fmt.Sprintf("column %d of the header has no name: name it or delete the column", i+1))
		}
		c, ok := headerAliases[name]
		if !ok {
			return reject(ReasonUnknownColumn, line, strings.TrimSpace(h), fmt.Sprintf("unknown column %q (column %d): the columns are %s", mlerr.Truncate(strings.TrimSpace(h)), i+1, columnList()))
		}
		if p.index[c] >= 0 {
			return reject(ReasonDuplicateColumn, line, c.String(), fmt.Sprintf("column %q appears twice (columns %d and %d, as %q and %q): keep one", c, p.index[c]+1, i+1, seen[c], strings.TrimSpace(h)))
		}
		p.index[c] = i
		seen[c] = strings.TrimSpace(h)
	}
	var missing []string
	for c := range numColumns {
		if mandatory[c] && p.index[c] < 0 {
			missing = append(missing, fmt.Sprintf("%q", c))
		}
	}
	switch len(missing) {
	case 0:
	case 1:
		return reject(ReasonMissingColumn, line, strings.Trim(missing[0], `"`), "missing mandatory column "+missing[0])
	default:
		return reject(ReasonMissingColumn, line, strings.Trim(missing[0], `"`), "missing mandatory columns "+strings.Join(missing, ", "))
	}
	return nil
}

func columnList() string {
	names := make([]string, 0, numColumns+1)
	for c := range numColumns {
		names = append(names, columnNames[c])
	}
	return strings.Join(names, ", ") + " (primary_number is accepted for multiline_number)"
}

// next returns the next data row, io.EOF after the last, or a *FileError.
func (p *parser) next() (Row, error) {
	cells, line, err := p.src.Next()
	if err != nil {
		return Row{}, err
	}
	p.text = texts(p.text, cells)
	rec := p.text
	if isNote(rec) {
		return Row{}, reject(ReasonNoteLeftIn, line, "", "the template's instruction line (starting with \"Note\") is still in the file: delete the Note line and upload again")
	}
	p.rows++
	if p.rows > p.opts.maxRows() {
		return Row{}, reject(ReasonTooManyRows, line, "", fmt.Sprintf("the file has more than %d data rows: split it into files of at most %d rows", p.opts.maxRows(), p.opts.maxRows()))
	}
	row := Row{Line: line}
	var errs []error
	add := func(fe *mlerr.FieldError) {
		if fe != nil {
			errs = append(errs, fe)
		}
	}
	for c := range numColumns {
		if i := p.index[c]; i >= 0 && i < len(rec) {
			row.cells[c] = rec[i]
			// A date or a formula in a workbook is an error of its own; the
			// column's rules are not applied to it (see badKind).
			if fe := kindError(c, cells[i]); fe != nil {
				add(fe)
				row.badKind |= 1 << c
			}
		}
	}
	// Cells beyond the header's last name: empty ones are what spreadsheets
	// leave behind and are ignored; a value there belongs to no column.
	for i := p.width; i < len(rec); i++ {
		if strings.TrimSpace(rec[i]) != "" {
			add(mlerr.Invalid("row", CodeExtraCells, rec[i], fmt.Sprintf("row has a value in column %d, beyond the header's %d columns: delete it or give the column a name", i+1, p.width)))
			break
		}
	}
	in := &row.Input
	in.Profile = p.opts.Profile
	in.FirstName = row.cells[FirstName]
	in.LastName = row.cells[LastName]
	in.Forwarding = row.cells[ForwardingNumber]

	if dest := strings.TrimSpace(row.cells[EmailOrDevice]); dest != "" {
		var username string
		if strings.Contains(dest, "@") {
			in.Email = dest
			username = strings.ToLower(dest)
		} else {
			in.Device = dest
			// An unreadable number fails in account.Validate; it has no
			// normalized form to compare.
			username, _ = numberpool.ParseE164(dest)
			row.device = username
		}
		if username != "" {
			if first, dup := p.usernames[username]; dup {
				add(mlerr.Invalid(EmailOrDevice.String(), CodeUsernameDuplicate, dest,
					fmt.Sprintf("%s %q is also on row %d: only the first occurrence is processed", EmailOrDevice, mlerr.Truncate(dest), first)))
			} else {
				p.usernames[username] = line
			}
		}
	}

	social, fe := parseYesNo(row.cells[SocialMessaging])
	add(fe)
	in.SocialMessaging = social
	in.RecordCalls, fe = parseAutoOff(row.cells[MonitorCalls])
	add(fe)
	in.RecordSMS, fe = parseOnOff(row.cells[MonitorSMS])
	add(fe)

	if cell := row.cells[RestrictIncomingSocial]; strings.TrimSpace(cell) != "" && !p.opts.SocialMessaging {
		// The column itself is tolerated (the template has it) as long as no
		// row uses it: see the package doc.
		c := RestrictIncomingSocial.String()
		return Row{}, reject(ReasonRestrictNotAllowed, line, c,
			fmt.Sprintf("column %q has a value, but the organization does not have social messaging: empty the column or delete it", c))
	}
	restrict, fe := parseTrueFalse(row.cells[RestrictIncomingSocial])
	add(fe)
	// With social_messaging unreadable the "true only with Yes" rule cannot
	// be judged; the social_messaging error is the one to fix.
	if fe == nil && (social || noErrorFor(errs, SocialMessaging)) {
		in.RestrictIncomingSocial = restrict
	}

	if cell := row.cells[MultilineNumber]; strings.TrimSpace(cell) != "" {
		e164, fe := parseNumberCell(cell)
		add(fe)
		if fe == nil {
			if first, dup := p.numbers[e164]; dup {
				add(mlerr.Invalid(MultilineNumber.String(), CodeNumberDuplicate, cell,
					fmt.Sprintf("%s %s is also on row %d: a number can be taken by one row only", MultilineNumber, e164, first)))
			} else {
				p.numbers[e164] = line
				in.AssignNumber = e164
			}
		}
	}

	if cell := row.cells[Language]; strings.TrimSpace(cell) != "" {
		code, fe := parseLanguageCell(cell)
		add(fe)
		in.Language = code
	}
	row.Err = errors.Join(row.dropBadKind(errs)...)
	return row, nil
}

// noErrorFor reports whether errs holds no error about column c.
func noErrorFor(errs []error, c Column) bool {
	for _, e := range errs {
		if fe, ok := e.(*mlerr.FieldError); ok && fe.Field == c.String() {
			return false
		}
	}
	return true
}

// isNote reports whether a record is the template's instruction line: a
// single non-empty cell that starts with the word "Note" in any case ("Note:
// fill in ..."). A word boundary is required so that a first name such as
// "Notburga" alone on a row is not taken for it; such a row is a data row,
// and fails for its empty mandatory cells.
func isNote(rec []string) bool {
	var cell string
	for _, c := range rec {
		if c = strings.TrimSpace(c); c == "" {
			continue
		}
		if cell != "" {
			return false
		}
		cell = c
	}
	if len(cell) < 4 || !strings.EqualFold(cell[:4], "note") {
		return false
	}
	r, _ := utf8.DecodeRuneInString(cell[4:])
	return len(cell) == 4 || !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

// choice reads a cell that takes one of two words, case-insensitively and
// with surrounding white space ignored: yes is the word for true, no the one
// for false. An empty cell is "required" when required, else false.
func choice(cell string, c Column, yes, no string, required bool, codeRequired, codeValue string) (bool, *mlerr.FieldError) {
	s := strings.TrimSpace(cell)
	switch {
	case strings.EqualFold(s, yes):
		return true, nil
	case strings.EqualFold(s, no):
		return false, nil
	case s == "" && !required:
		return false, nil
	case s == "":
		return false, mlerr.Invalid(c.String(), codeRequired, cell, fmt.Sprintf("%s is required: %s or %s", c, yes, no))
	}
	return false, mlerr.Invalid(c.String(), codeValue, cell, fmt.Sprintf("%s must be %s or %s, not %q", c, yes, no, mlerr.Truncate(s)))
}

// parseYesNo reads social_messaging: Yes or No, mandatory.
func parseYesNo(cell string) (bool, *mlerr.FieldError) {
	return choice(cell, SocialMessaging, "Yes", "No", true, CodeSocialRequired, CodeSocialValue)
}

// parseAutoOff reads monitor_calls: auto (record calls) or off, mandatory.
func parseAutoOff(cell string) (bool, *mlerr.FieldError) {
	return choice(cell, MonitorCalls, "auto", "off", true, CodeMonitorCallsRequired, CodeMonitorCallsValue)
}

// parseOnOff reads monitor_sms: on (record SMS) or off, mandatory.
func parseOnOff(cell string) (bool, *mlerr.FieldError) {
	return choice(cell, MonitorSMS, "on", "off", true, CodeMonitorSMSRequired, CodeMonitorSMSValue)
}

// parseTrueFalse reads restrict_incoming_social_messaging: true or false;
// empty means false.
func parseTrueFalse(cell string) (bool, *mlerr.FieldError) {
	return choice(cell, RestrictIncomingSocial, "true", "false", false, "", CodeRestrictValue)
}

// parseNumberCell reads a multiline_number cell with the spreadsheet rules of
// numberpool.ParseE164 and returns the number in E.164. Only a number is
// accepted: a tag (PORTED) is refused, since the column names one number of
// the organization (SPEC §6).
func parseNumberCell(cell string) (string, *mlerr.FieldError) {
	e164, err := numberpool.ParseE164(cell)
	c := MultilineNumber.String()
	switch {
	case err == nil:
		return e164, nil
	case errors.Is(err, numberpool.ErrScientific):
		return "", mlerr.Invalid(c, CodeNumberScientific, cell, c+" is in scientific notation and has lost digits: format the column as text and type the full number")
	case errors.Is(err, numberpool.ErrNoCountryCode):
		return "", mlerr.Invalid(c, CodeNumberCountryCode, cell, c+" must be a phone number with its country code, like +14155550101")
	}
	return "", mlerr.Invalid(c, CodeNumberFormat, cell, c+" must be a valid phone number of the organization with its country code, like +14155550101")
}

// parseLanguageCell reads a Language cell with account.ParseLanguage and
// returns the base code (en, it, de, fr, es).
func parseLanguageCell(cell string) (string, *mlerr.FieldError) {
	code, ok := account.ParseLanguage(cell)
	if !ok {
		return "", mlerr.Invalid(Language.String(), account.CodeLanguageUnknown, cell,
			fmt.Sprintf("%s must be English, Italian, German, French or Spanish (or en, it, de, fr, es), not %q", Language, mlerr.Truncate(strings.TrimSpace(cell))))
	}
	return code, nil
}

package batch

import (
	"strconv"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
)

// ErrFileRejected is wrapped by every file-level rejection: the upload as a
// whole is refused and nothing of it is imported. errors.As with a
// *FileError gives the reason.
var ErrFileRejected = mlerr.New(CodeFileRejected, "batch: file rejected")

// CodeFileRejected is ErrFileRejected's code. A *FileError's own code, its
// Reason, is more precise, and mlerr.CodeOf returns that.
const CodeFileRejected = "file.rejected"

// Reason is the stable code of a file-level rejection, for hosts that
// translate or count them.
type Reason string

// The reasons a file is rejected as a whole (SPEC §6).
const (
	// ReasonNotCSV: the bytes are not a CSV text file (a workbook, UTF-16,
	// NUL bytes, tab-separated, classic-Mac line ends, or broken quoting).
	ReasonNotCSV Reason = "not_csv"
	// ReasonEmpty: no header line, or a header and no data rows.
	ReasonEmpty Reason = "empty"
	// ReasonMissingColumn: a mandatory column is absent from the header.
	ReasonMissingColumn Reason = "missing_column"
	// ReasonUnknownColumn: the header names a column the upload does not
	// have, or leaves a column unnamed.
	ReasonUnknownColumn Reason = "unknown_column"
	// ReasonDuplicateColumn: the header names a column twice (an alias
	// counts as the column's name).
	ReasonDuplicateColumn Reason = "duplicate_column"
	// ReasonTooManyRows: more data rows than Options.MaxRows.
	ReasonTooManyRows Reason = "too_many_rows"
	// ReasonNoteLeftIn: the template's instruction line is still there.
	ReasonNoteLeftIn Reason = "note_left_in"
	// ReasonRestrictNotAllowed: restrict_incoming_social_messaging values
	// for an organization without social messaging.
	ReasonRestrictNotAllowed Reason = "restrict_column_not_allowed"
	// ReasonTooLarge: more bytes than Options.MaxBytes.
	ReasonTooLarge Reason = "too_large"
)

// FileError is a file-level rejection. Like csv.ParseError it says where the
// problem is; its Message is the administrator-facing sentence that names the
// problem (and the column, when one is concerned), for a host to show as it
// is.
type FileError struct {
	Reason Reason
	// Line is the line of the file where the problem was found (the header
	// is line 1 unless blank lines precede it), or 0 when the problem is not
	// on one line (e.g. a missing column is found on the header's line).
	Line int
	// Column is the header name concerned, if any.
	Column string
	// Message names the problem, lower-case, without the "batch: " prefix.
	Message string
	// Err is the underlying error (a *csv.ParseError for broken quoting),
	// or nil.
	Err error
}

// Error returns "batch: " followed by the message, and the line if known.
func (e *FileError) Error() string {
	if e.Line > 0 {
		return "batch: line " + strconv.Itoa(e.Line) + ": " + e.Message
	}
	return "batch: " + e.Message
}

// Unwrap returns ErrFileRejected and, when there is one, the underlying
// error, so that errors.Is(err, ErrFileRejected) holds for every rejection.
func (e *FileError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrFileRejected, e.Err}
	}
	return []error{ErrFileRejected}
}

// ErrorCode returns the Reason, the rejection's stable code.
func (e *FileError) ErrorCode() string { return string(e.Reason) }

func reject(reason Reason, line int, column, msg string) *FileError {
	return &FileError{Reason: reason, Line: line, Column: column, Message: msg}
}

// The stable codes of the row rules this package checks itself. The rules
// account.Validate checks keep their account codes (first_name.too_long,
// email.format, device.format, forwarding_number.length, ...): a code is the
// same in the API, the report and the audit log (SPEC §5). The
// multiline_number column is the form's Assign Number field, so its codes
// are assign_number.*; the report's error names the column.
const (
	CodeSocialRequired       = "social_messaging.required"
	CodeSocialValue          = "social_messaging.value"
	CodeMonitorCallsRequired = "monitor_calls.required"
	CodeMonitorCallsValue    = "monitor_calls.value"
	CodeMonitorSMSRequired   = "monitor_sms.required"
	CodeMonitorSMSValue      = "monitor_sms.value"
	CodeRestrictValue        = "restrict_incoming_social_messaging.value"
	CodeNumberFormat         = account.CodeAssignFormat
	CodeNumberCountryCode    = account.CodeAssignCountryCode
	CodeNumberScientific     = account.CodeAssignScientific
	CodeNumberDuplicate      = account.CodeAssignDuplicate
	CodeUsernameDuplicate    = "username.duplicate"
	CodeExtraCells           = "row.extra_cells"

	// The codes of the row-level refusals that name no field (see
	// Importer): each is the refusal's own code (mlerr.CodeOf), the one the
	// service answers for it everywhere else (SPEC §5: a code is the same in
	// the API, the report and the audit log); the report only puts the
	// refusal on the column it concerns.
	CodeNotEnoughNumbers   = numberpool.CodeNotEnough
	CodeNumberNotAvailable = numberpool.CodeNotAvailable
	CodeSMSConsentRequired = invite.CodeSMSConsentRequired
	// CodeImportFailed marks a row a GroupImporter failed with an error
	// that is not a row-level one and carries no code of its own.
	CodeImportFailed = "row.import_failed"
)

// Package batch is the CSV side of the portal's batch import (SPEC §6): the
// downloadable template, the parser with every column rule and every
// input-robustness rule, the import engine that runs rows through an
// Importer the service implements, progress reporting, and the Batch
// Operations Report CSV.
//
// # Flow
//
// WriteTemplate writes the template. Parse reads an upload into Rows, or
// refuses it as a whole with a *FileError (errors.Is(err, ErrFileRejected)).
// ValidateRow completes a row's parse errors with the account rules of the
// organization (account.Validate with account.CSVRow). Run does all of it:
// parse, validate, hand each good row to the Importer in the mode chosen
// (Import, ImportInvite, ValidateOnly), report progress, and return the
// report lines and a Summary; WriteReport writes them as CSV.
//
// # Reading the file
//
// The parser streams with encoding/csv; it never holds more than the rows
// it returns, one record and a few fixed buffers of 4 KiB. The upload is
// read through a limit of Options.MaxBytes bytes as uploaded
// (DefaultMaxBytes, 5 MiB): one byte more rejects the file
// (ReasonTooLarge). Since encoding/csv holds one whole record, the limit
// bounds the memory a single huge cell can take.
//
// Encoding: a UTF-8 byte order mark is dropped and the file is read as
// UTF-8. Without one, the encoding is decided at the first byte above 0x7F,
// without buffering the file: if a valid UTF-8 sequence starts there the
// file is UTF-8, otherwise it is Windows-1252 (what Excel writes for "CSV
// (Comma delimited)") and everything from there on is decoded with
// charmap.Windows1252. Every byte before that point is ASCII, which both
// read the same. Text in Windows-1252 that happens to form valid UTF-8 there
// ("Ã©") is read as UTF-8, the usual tie-break. In a file that turns out to
// mix both, the cells that are not valid UTF-8 fail their column's rule
// (first_name.encoding, email.format, ...). The five bytes Windows-1252
// leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) read as U+FFFD. A UTF-16
// byte order mark, an OLE (.xls) signature, or a NUL byte anywhere reject
// the file as not CSV. A ZIP signature is a workbook (see Workbooks).
//
// Delimiter: ';' when the first non-blank line has more semicolons than
// commas outside quotes, ',' otherwise. A header that is a single name
// containing tabs (a tab-separated file) or carriage returns (classic-Mac
// line ends) is refused as not CSV with a message saying so.
//
// Lines: CRLF and LF. Blank lines are skipped, and so is a record whose
// cells are all empty or white space (",,,," is what a spreadsheet writes
// for a blank row): neither counts towards MaxRows nor appears in the
// report. Broken quoting (a quote inside an unquoted cell, a quoted cell
// never closed) rejects the file as not CSV, with the line and character:
// LazyQuotes would guess, and a wrong guess can swallow the rows after it.
// A line break inside a quoted cell reaches the cell as "\n" even when the
// file wrote "\r\n" (encoding/csv does so); no column accepts a line break,
// so the difference never changes a verdict. Leading spaces are part of a
// cell (RFC 4180); the column rules trim surrounding white space.
//
// # Workbooks
//
// The parser reads records through a RecordReader: the CSV reader above, or
// for an upload that starts with the ZIP signature (an .xlsx workbook), the
// RecordReader of the WorkbookReader in Options.Workbook (the batch/xlsx
// module; multiline.WithWorkbookReader plugs it into the service). Without
// one, a workbook is refused with ReasonWorkbookUnsupported, whose message
// says to save it as CSV or to plug in the XLSX reader. The workbook is read
// into memory within MaxBytes (a ZIP has its directory at its end), and the
// reader holds Limits: the same MaxBytes for its parts uncompressed, and
// its own cap on a cell. A workbook it cannot read is ReasonBadWorkbook.
//
// Cells come with a CellKind. Every CSV cell is text. Of a workbook's
// cells, numbers come as all their digits (the phone number rules read
// them), booleans as TRUE or FALSE; a date, a formula or an error value in
// a column fails the row with cell.date, cell.formula or cell.error_value,
// naming the column, and is that column's only error: the column's own rule
// and account.Validate's are not applied to it. Row numbers are the sheet's.
//
// # Header
//
// The first non-blank record is the header. Names are matched ignoring case,
// surrounding white space and repeated inner spaces; order is free;
// primary_number is an alias of multiline_number. Trailing empty header cells
// are ignored; an empty name before a named column, an unknown name, or a
// column named twice (an alias counts as the same column) rejects the file,
// as does a missing mandatory column (all missing ones are named). Errors
// about multiline_number name it so even when the file calls it
// primary_number.
//
// # Rows
//
// Row numbers (Row.Line, the report's row) are the line a record starts on
// in the file, the header being line 1; a quoted cell spanning lines makes
// the next row's number jump accordingly.
//
// A row shorter than the header has its missing cells empty. A row longer
// than the header is fine while the extra cells are empty (trailing empty
// columns); a value in one is a row error (row.extra_cells), since it
// belongs to no column.
//
// The template's instruction line is recognized as a record whose only
// non-empty cell starts with the word "Note" (any case, followed by a
// non-letter or nothing), wherever it is; it rejects the file
// (ReasonNoteLeftIn) and is not counted as a data row. The template's
// example row is not recognized: the Note asks to delete it.
//
// A header and no data rows rejects the file (ReasonEmpty), as does an empty
// file. More than MaxRows data rows (DefaultMaxRows, 1000) rejects it as soon
// as row MaxRows+1 is read.
//
// Cell values are matched ignoring case and surrounding white space
// (including no-break spaces): social_messaging Yes/No, monitor_calls
// auto/off, monitor_sms on/off, restrict_incoming_social_messaging
// true/false. Nothing else is taken (no Y/N, 1/0). The mandatory columns
// must have a value in every row; an empty restrict cell means false.
//
// The email-or-device cell goes to Input.Email when it contains '@' and to
// Input.Device otherwise; account.Validate applies the email rule (see
// package account: a bare dot-atom address at a domain of two or more
// labels, no display name, comment, quoted local part or IP literal) or the
// phone rule. multiline_number takes a number only, read with the
// spreadsheet rules of numberpool.ParseE164 (digits without '+' that form a
// valid number with their country code; scientific notation refused); a tag
// is refused, since the column names one number. Language takes the names
// and codes account.ParseLanguage reads. forwarding_number and the names are
// checked by account.Validate.
//
// Duplicates inside the file: the first row with a username (lower-cased
// email, or device in E.164) or a multiline_number is processed, even if it
// fails for another reason; each later one fails with username.duplicate or
// assign_number.duplicate, naming the line of the first. A device cell
// that is not a valid number has no normalized form and is not compared.
//
// restrict_incoming_social_messaging for an organization without social
// messaging: the template has the column, so its presence alone does not
// reject the file, or every such organization would have to edit the
// template first. A value in it (true or false) does, on the first row
// that has one.
//
// A row's errors all come together: the parse errors and the account rules,
// in column order. Their Field is the upload's column name (the account
// fields are renamed: email and device to "email address or device",
// assign_number to multiline_number, first_name to firstname, ...), their
// Code is the stable code of the rule, unchanged from package account where
// the rule is account's, and their Message starts with the column name.
// Errors that concern no column keep their field: row, user_permissions,
// applications.
//
// # Import
//
// Rows are handled in the calling goroutine, one at a time, or a group at a
// time when the Importer is a GroupImporter (DefaultGroupSize rows, then
// each group twice the one before up to MaxGroupSize; valid rows only, in
// processing order; a fatal error fails the whole group and
// stops the run, the groups before it stay). In ImportInvite
// the rows with a number of their own go first, then the others, each group
// in file order; Import and ValidateOnly go in file order. The report is
// always in file order. The Importer owns atomicity: a row is imported whole
// or not at all. Import errors that are sentinels rather than field errors
// name no column: they are put on the column they concern, under their own
// code (mlerr.CodeOf: number.not_enough, number.not_available,
// sms_consent.required), the code the service answers for the same refusal
// anywhere else; a bare ErrAlreadyExists is the username's, username.exists. Any other error a
// GroupImporter reports for one row keeps its own code (mlerr.CodeOf), or
// row.import_failed when it has none. Field errors keep their own codes (the service's
// assign_number.not_available, username.exists, ...), so that a code means
// the same in the API and in the report; only their field is renamed to the
// column.
//
// # Progress and resume
//
// Progress is called with the rows done and the total: first with the rows
// an earlier run did (RunOptions.Start returns their report lines, which
// Run keeps as they are, handling only the other rows), then as rows are
// done, in the goroutine that called Run, between the importer's calls. A
// Checkpointer gets, in each group's transaction, the report lines that no
// earlier group's transaction stored (the group's, and those of the rows
// that failed validation since the last group), so that it can store them
// with the rows the group imported; each line is offered once, so storing
// the report costs the same per group however many rows are done, and a
// run resumed from the stored lines does each row exactly once. The lines
// of rows that fail validation after the last group are only in the
// Result, for the caller to store.
//
// # Report
//
// One line per data row, in file order. email address or device, firstname
// and lastname are the cells as uploaded with surrounding white space
// trimmed; multiline_number is the number the account holds (or would take,
// in validate-only), empty for a failed row. A row with several errors has
// their messages joined with "; " in error and their codes joined with ";"
// (no space) in error_code, in the same order, so a host can split either.
// Every cell but row is neutralized against formula injection (Neutralize);
// a cell in E.164 form is left alone. The template and the report are
// written as UTF-8 without a byte order mark, LF line ends, by
// encoding/csv through gocsv with a writer made per call.
package batch

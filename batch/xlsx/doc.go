// Package xlsx reads Excel workbooks (.xlsx) for the batch import (SPEC §6):
// the first sheet of a workbook becomes the records the batch parser turns
// into rows, so every column rule, every report line and every row number
// is the one a CSV of the same rows gives. It is a module of its own so that
// its dependency, github.com/xuri/excelize/v2, stays out of the core.
//
// A host plugs it in once:
//
//	svc, err := multiline.New(store, multiline.WithWorkbookReader(xlsx.New()))
//
// or, using package batch alone, with batch.Options.Workbook. Uploads are
// told apart by their first bytes: the ZIP signature (PK\x03\x04) is a
// workbook, anything else CSV. Without a reader, a workbook is refused with
// batch.ReasonWorkbookUnsupported.
//
// # Cells
//
// The first sheet is the first in the workbook's order (the first tab),
// whatever its name or visibility; other sheets are not read. Row numbers
// are the sheet's: Row.Line and the report's row are the row an
// administrator sees in the spreadsheet, the header being 1 when it is on
// the first row. Rows whose cells are all empty or white space are skipped,
// as blank CSV lines are, and the first other row is the header.
//
// Every cell is text to the parser; what the spreadsheet stored decides the
// text and the batch.CellKind:
//
//   - text (shared, inline, or the string result of a formula) as it is,
//     rich-text runs joined, phonetic guides left out, the _xHHHH_ escapes
//     decoded (Excel writes a carriage return as _x000D_);
//   - a number with every digit and no exponent, whatever format shows it:
//     1.4155550101E+10 is 14155550101, which the digits-only rule of
//     numberpool reads as +14155550101 (a spreadsheet drops the '+' of a
//     number it takes for one);
//   - a boolean as TRUE or FALSE;
//   - a date or time (a date cell, or a number whose format shows a date or
//     a time: built-in formats 14-22, 27-36, 45-47, 50-58, or a format code
//     with y, m, d, h or s outside quotes and brackets) as ISO 8601, kind
//     date;
//   - a formula as the result the spreadsheet stored, kind formula, whatever
//     the result (nothing is recalculated);
//   - an error value (#N/A) as it is, kind error value.
//
// The parser fails a row whose cell in a column is a date (cell.date), a
// formula (cell.formula) or an error value (cell.error_value), naming the
// column; no column of the upload takes one, and a formula's result depends
// on cells that are not uploaded. That error is the column's only one.
//
// # Limits
//
// Everything is held before memory grows in proportion to what a workbook
// claims to hold, and every refusal is a *batch.FileError:
//
//   - the upload's bytes: batch.Options.MaxBytes, as for a CSV, read before
//     the reader sees them;
//   - the parts once uncompressed: the same MaxBytes for all parts together.
//     First from the sizes the ZIP directory declares, before anything is
//     inflated; then by inflating every part through a counter that stops
//     at the first byte past the budget, because a zip bomb can declare any
//     size (archive/zip itself stops a part at its declared size and checks
//     its CRC); all before excelize reads a byte of it
//     (batch.ReasonTooLarge). excelize then opens the package with
//     UnzipSizeLimit and UnzipXMLSizeLimit set to MaxBytes, so it keeps the
//     parts in memory (bounded, as checked) and never writes temporary files;
//   - at most 10 000 parts (batch.ReasonBadWorkbook);
//   - one cell: DefaultMaxCellBytes (32 KiB), WithMaxCellBytes to change it,
//     checked as the cell's text is gathered, in the shared strings and in
//     the sheet (batch.ReasonTooLarge);
//   - rows: the first sheet is streamed, one row at a time, with
//     encoding/xml; the parser refuses row MaxRows+1 as it comes
//     (batch.ReasonTooManyRows) and nothing after it is read. Row numbers
//     and columns cost nothing by their size: a row numbered 1 048 576 is
//     one row. excelize's own worksheet reader is not used for this
//     reason: it allocates every row up to the largest row number and every
//     cell up to the widest column, a few hundred bytes of XML asking for
//     hundreds of megabytes.
//
// excelize reads the package (the ZIP, the content types, the workbook, the
// styles); this package reads the relationships that lead to the first
// sheet, the shared strings and the sheet itself, all with encoding/xml's
// token stream. A panic inside excelize on a hostile package is recovered
// and refuses the workbook as unreadable. A workbook whose XML is broken, a
// shared string index out of range, rows out of order, a cell outside its
// row, or an unknown cell type is refused as unreadable
// (batch.ReasonBadWorkbook), with the cell or row named. Encrypted workbooks
// (an OLE file, not a ZIP) are not workbooks to the upload: the CSV reader
// refuses them as .xls.
package xlsx

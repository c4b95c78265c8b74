package batch

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
)

// Mode is what a batch does with its rows.
type Mode int

// The modes of an upload (SPEC §6).
const (
	// Import saves the accounts, Not Invited; nothing is sent.
	Import Mode = iota
	// ImportInvite saves the accounts and invites them.
	ImportInvite
	// ValidateOnly checks every row, against the store too, and changes
	// nothing.
	ValidateOnly
)

// String returns the mode's name as the portal shows it.
func (m Mode) String() string {
	switch m {
	case Import:
		return "Import"
	case ImportInvite:
		return "Import & Invite"
	case ValidateOnly:
		return "Validate only"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// status is the status of a row that went through in mode m.
func (m Mode) status() Status {
	switch m {
	case ImportInvite:
		return StatusInvited
	case ValidateOnly:
		return StatusValid
	}
	return StatusImported
}

// Importer imports one row; the service implements it.
//
// ImportRow gets a row that passed ValidateRow, with the draft ValidateRow
// returned for it, and the batch's mode. It imports the row whole or not at
// all: the account, its number, its invitation (ImportInvite), the audit
// event. In ValidateOnly it changes nothing and says whether the row would
// import (username free, number available, ...).
//
// A row-level failure is returned as an error that holds *mlerr.FieldError
// (found by mlerr.Fields; account fields such as "email" are renamed to the
// upload's columns) or wraps one of these sentinels, which name no field and
// which Run puts on the column they concern (see CodeNotEnoughNumbers):
// numberpool.ErrNotEnoughNumbers, numberpool.ErrNotAvailable,
// invite.ErrConsentRequired, mlerr.ErrAlreadyExists (taken as the username
// existing). Run records it on the row and goes on. Any other error is
// fatal: Run stops and returns it.
type Importer interface {
	ImportRow(ctx context.Context, r Row, d account.Draft, mode Mode) (Outcome, error)
}

// GroupImporter is an Importer that can also import several rows in one go,
// typically in one store transaction, which costs far less per row than a
// transaction each. Run uses ImportRows when the Importer has it.
//
// ImportRows imports rows[i] with drafts[i], in order, each whole or not at
// all, and returns each row's Outcome or its row-level error (of the kinds
// Importer lists; RowLevel tells them). A non-nil fatal error means that
// none of the rows was imported.
type GroupImporter interface {
	Importer
	ImportRows(ctx context.Context, rows []Row, drafts []account.Draft, mode Mode) (outs []Outcome, errs []error, fatal error)
}

// Checkpointer is a GroupImporter that stores the run's report as it goes,
// in the transaction that imports each group, so that the rows a group
// imported and the report lines that say so commit together (or not at
// all): another reader sees the progress, and a run that dies can be
// resumed from what was stored (RunOptions.Start). Run uses
// ImportCheckpoint instead of ImportRows when the importer has it.
//
// ImportCheckpoint is ImportRows plus report: given the group's outcomes
// and row-level errors, report returns the report lines to store with the
// group, in file order: the group's, and those of the rows Run finished
// without the importer (they failed ValidateRow) since the last
// ImportCheckpoint that returned without a fatal error. Once one returns
// so, Run takes its lines as stored and never offers them again: each call
// gets only lines no earlier call stored, however long the file, so that
// storing the report costs the same for every group rather than growing
// with the rows done. (The lines Start returned are stored already.) The
// lines of rows that fail ValidateRow after the last group are in the
// Result but never offered: the caller stores them at the end. report has
// no effect, so it may be called again when the transaction is run again.
type Checkpointer interface {
	GroupImporter
	ImportCheckpoint(ctx context.Context, rows []Row, drafts []account.Draft, mode Mode,
		report func(outs []Outcome, errs []error) []ReportRow) (outs []Outcome, errs []error, fatal error)
}

// DefaultGroupSize is how many rows Run hands a GroupImporter in its first
// group. Each group after it is twice the one before, up to MaxGroupSize,
// unless RunOptions.GroupSize fixes the size: the first group's rows, and
// their progress, come soon, and a large upload pays each group's fixed
// cost (a store transaction's round trips and commit) once for many rows.
const DefaultGroupSize = 100

// MaxGroupSize is the largest group Run hands a GroupImporter by default.
// It bounds what one transaction holds and what a group that falls back to
// row by row (a key taken by a concurrent upload) does again.
const MaxGroupSize = 800

// RowLevel reports whether an error an Importer returned for a row fails
// only that row (see Importer), rather than the whole run.
func RowLevel(err error) bool {
	return len(mlerr.Fields(err)) > 0 ||
		errors.Is(err, numberpool.ErrNotEnoughNumbers) || errors.Is(err, numberpool.ErrNotAvailable) ||
		errors.Is(err, invite.ErrConsentRequired) || errors.Is(err, mlerr.ErrAlreadyExists)
}

// Outcome is what importing one row did.
type Outcome struct {
	// Number is the MultiLine number (E.164) the account holds after the
	// import, or would take in ValidateOnly; empty if none.
	Number string
}

// RunOptions configure Run.
type RunOptions struct {
	// Upload is the administrator's choices, as the service received them:
	// Run reads Mode, Profile, MaxRows and MaxBytes (as in Options) and
	// Progress, called with the rows done and the total: once with done = 0
	// (or the rows Start returned) before the first row, then after each
	// row. With a GroupImporter the rows of a group are reported done
	// together, when the group is.
	Upload
	// Policy is the organization's account policy; every row is checked
	// with ValidateRow against it before it reaches the Importer. Its
	// Settings.SocialMessaging also decides whether the
	// restrict_incoming_social_messaging column may be used.
	Policy account.Policy
	// GroupSize, when above 0, is how many rows a GroupImporter gets at
	// once, in every group; 0 means groups of DefaultGroupSize rows
	// doubling up to MaxGroupSize.
	GroupSize int
	// Start, if set, is called once the file is parsed and accepted, before
	// the first Progress call and the first row, with the number of data
	// rows. It returns the report lines of the rows an earlier run of the
	// same file did (resuming it; nil for a new run): Run keeps each as it
	// is, by its Row, and handles only the other rows. An error from Start
	// is returned as is, before any row reaches the importer.
	Start func(ctx context.Context, total int) ([]ReportRow, error)
	// Workbook is as in Options: it reads .xlsx uploads; nil refuses them.
	Workbook WorkbookReader
}

// Result is what Run did.
type Result struct {
	// Rows are the report's lines, in file order.
	Rows    []ReportRow
	Summary Summary
}

// Run parses an upload and feeds its rows to imp, one at a time, or a group
// at a time when imp is a GroupImporter, and returns the report. A file-level rejection (*FileError, wrapping ErrFileRejected)
// returns before any row reaches imp.
//
// In ImportInvite the rows with a multiline_number of their own go first, in
// file order, then the others, so that the rows that name a number are not
// refused for capacity that the others used up (SPEC §4); the report keeps
// file order whatever the processing order.
//
// When ctx is done or imp returns a fatal error, Run stops and returns the
// error with the Result of the rows handled so far (in file order); those
// rows stay imported (with a GroupImporter, the rows of the group that
// failed are not among them).
func Run(ctx context.Context, src io.Reader, imp Importer, opts RunOptions) (Result, error) {
	rows, err := Parse(src, Options{
		MaxRows:         opts.MaxRows,
		MaxBytes:        opts.MaxBytes,
		SocialMessaging: opts.Policy.Settings.SocialMessaging,
		Profile:         opts.Profile,
		Workbook:        opts.Workbook,
	})
	if err != nil {
		return Result{}, err
	}
	report := make([]ReportRow, len(rows))
	done := make([]bool, len(rows))
	n := 0 // rows done
	if opts.Start != nil {
		prev, err := opts.Start(ctx, len(rows))
		if err != nil {
			return Result{}, err
		}
		n = resume(rows, prev, report, done)
	}
	order := processingOrder(rows, opts.Mode, done)
	progress := opts.Progress
	if progress == nil {
		progress = func(int, int) {}
	}
	progress(n, len(rows))
	if g, ok := imp.(GroupImporter); ok {
		return runGroups(ctx, g, rows, order, opts, report, done, n, progress)
	}
	for _, i := range order {
		if err := ctx.Err(); err != nil {
			return partial(report, done), fmt.Errorf("batch: stopped before row %d: %w", rows[i].Line, err)
		}
		rr, err := runRow(ctx, imp, rows[i], opts)
		if err != nil {
			return partial(report, done), fmt.Errorf("batch: row %d: %w", rows[i].Line, err)
		}
		report[i], done[i] = rr, true
		n++
		progress(n, len(rows))
	}
	return Result{Rows: report, Summary: Summarize(report)}, nil
}

// resume marks done the rows an earlier run reported, keeping its report
// lines, and returns how many it marked. A line that names no row of the
// file is ignored: the caller checked that the file is the same.
func resume(rows []Row, prev []ReportRow, report []ReportRow, done []bool) int {
	byLine := make(map[int]int, len(rows))
	for i, r := range rows {
		byLine[r.Line] = i
	}
	n := 0
	for _, rr := range prev {
		if i, ok := byLine[rr.Row]; ok && !done[i] {
			report[i], done[i] = rr, true
			n++
		}
	}
	return n
}

// runGroups is Run's loop for a GroupImporter: rows are validated one by
// one, and those that pass go to the importer in groups, in processing order.
func runGroups(ctx context.Context, g GroupImporter, rows []Row, order []int, opts RunOptions,
	report []ReportRow, done []bool, n int, progress func(int, int)) (Result, error) {
	size, grow := opts.GroupSize, opts.GroupSize <= 0
	if grow {
		size = DefaultGroupSize
	}
	finish := func(i int, rr ReportRow) {
		report[i], done[i] = rr, true
		n++
		progress(n, len(rows))
	}
	// unstored are the rows finished since the last checkpoint that
	// committed, which failed ValidateRow: the next checkpoint stores
	// their lines with its group's.
	var unstored []int
	// The group's arrays are made once, for the largest group the rows
	// can fill, where grown with the groups they were allocated again for
	// each larger group (for a 1000-row file, room for 700 rows where the
	// largest group has 400).
	largest := 0
	for left, s := len(order), size; left > 0; {
		largest = max(largest, min(s, left))
		left -= s
		if grow {
			s = min(2*s, MaxGroupSize)
		}
	}
	group := make([]int, 0, largest)
	groupRows := make([]Row, 0, largest)
	drafts := make([]account.Draft, 0, largest)
	flush := func() error {
		if len(group) == 0 {
			return nil
		}
		var outs []Outcome
		var errs []error
		var err error
		if c, ok := g.(Checkpointer); ok {
			outs, errs, err = c.ImportCheckpoint(ctx, groupRows, drafts, opts.Mode, func(outs []Outcome, errs []error) []ReportRow {
				// The lines not stored yet, without changing report,
				// done or unstored: the transaction may run again.
				lines := make([]ReportRow, 0, len(unstored)+len(group))
				for _, i := range unstored {
					lines = append(lines, report[i])
				}
				for j, i := range group {
					lines = append(lines, groupLine(rows[i], opts.Mode, outs[j], errs[j]))
				}
				slices.SortFunc(lines, func(a, b ReportRow) int { return cmp.Compare(a.Row, b.Row) })
				return lines
			})
			if err == nil {
				unstored = unstored[:0]
			}
		} else {
			outs, errs, err = g.ImportRows(ctx, groupRows, drafts, opts.Mode)
		}
		if err != nil {
			return fmt.Errorf("batch: rows %d to %d: %w", groupRows[0].Line, groupRows[len(groupRows)-1].Line, err)
		}
		for j, i := range group {
			finish(i, groupLine(rows[i], opts.Mode, outs[j], errs[j]))
		}
		group, groupRows, drafts = group[:0], groupRows[:0], drafts[:0]
		if grow {
			size = min(2*size, MaxGroupSize)
		}
		return nil
	}
	for _, i := range order {
		if err := ctx.Err(); err != nil {
			return partial(report, done), fmt.Errorf("batch: stopped before row %d: %w", rows[i].Line, err)
		}
		d, err := ValidateRow(rows[i], opts.Policy)
		if err != nil {
			finish(i, failedRow(rows[i], mlerr.Fields(err)))
			unstored = append(unstored, i)
			continue
		}
		group, groupRows, drafts = append(group, i), append(groupRows, rows[i]), append(drafts, d)
		if len(group) == size {
			if err := flush(); err != nil {
				return partial(report, done), err
			}
		}
	}
	if err := flush(); err != nil {
		return partial(report, done), err
	}
	return Result{Rows: report, Summary: Summarize(report)}, nil
}

// groupLine is the report line of a row a GroupImporter handled.
func groupLine(r Row, m Mode, out Outcome, err error) ReportRow {
	if err == nil {
		return reportRow(r, m.status(), out.Number)
	}
	fields := importFailure(err, r)
	if fields == nil {
		// Not a row-level error, yet the group committed: say what
		// happened rather than lose the row.
		code := mlerr.CodeOf(err)
		if code == "" {
			code = CodeImportFailed
		}
		fields = []*mlerr.FieldError{{Field: "row", Code: code, Message: "row: " + err.Error(), Err: err}}
	}
	return failedRow(r, fields)
}

// processingOrder returns the indexes of the rows not done, in the order
// Run handles them.
func processingOrder(rows []Row, m Mode, done []bool) []int {
	order := make([]int, 0, len(rows))
	if m == ImportInvite {
		for i, r := range rows {
			if r.Input.AssignNumber != "" && !done[i] {
				order = append(order, i)
			}
		}
		for i, r := range rows {
			if r.Input.AssignNumber == "" && !done[i] {
				order = append(order, i)
			}
		}
		return order
	}
	for i := range rows {
		if !done[i] {
			order = append(order, i)
		}
	}
	return order
}

// runRow validates and imports one row. Its error is fatal.
func runRow(ctx context.Context, imp Importer, r Row, opts RunOptions) (ReportRow, error) {
	d, err := ValidateRow(r, opts.Policy)
	if err != nil {
		return failedRow(r, mlerr.Fields(err)), nil
	}
	out, err := imp.ImportRow(ctx, r, d, opts.Mode)
	if err == nil {
		return reportRow(r, opts.Mode.status(), out.Number), nil
	}
	if ctx.Err() != nil {
		return ReportRow{}, err
	}
	fields := importFailure(err, r)
	if fields == nil {
		return ReportRow{}, err
	}
	return failedRow(r, fields), nil
}

// importFailure returns the row errors an import error stands for, or nil
// when it is fatal (see Importer). Field errors keep the code they carry
// (mlerr.CodeOf), their field renamed to the column. The row-level sentinels
// name no field, and their own codes (numberpool.CodeNotEnough, ...) name
// no column: they are put on the column they concern, under the code of that
// column's rule as package account defines it, the same code the service's
// field errors for the same refusal carry (assign_number.not_available,
// username.exists).
func importFailure(err error, r Row) []*mlerr.FieldError {
	if fields := mlerr.Fields(err); len(fields) > 0 {
		out := make([]*mlerr.FieldError, len(fields))
		for i, fe := range fields {
			out[i] = toColumn(fe)
		}
		return mlerr.Fields(joinFields(out))
	}
	dest := r.cells[EmailOrDevice]
	num := r.Input.AssignNumber
	switch {
	case errors.Is(err, numberpool.ErrNotEnoughNumbers):
		c := MultilineNumber.String()
		return []*mlerr.FieldError{{Field: c, Code: mlerr.CodeOf(err), Err: numberpool.ErrNotEnoughNumbers,
			Message: c + ": not enough numbers available in the organization for this row"}}
	case errors.Is(err, numberpool.ErrNotAvailable):
		c := MultilineNumber.String()
		return []*mlerr.FieldError{{Field: c, Code: mlerr.CodeOf(err), Value: num, Err: numberpool.ErrNotAvailable,
			Message: c + " " + num + " is not available in this organization"}}
	case errors.Is(err, invite.ErrConsentRequired):
		c := EmailOrDevice.String()
		return []*mlerr.FieldError{{Field: c, Code: mlerr.CodeOf(err), Value: mlerr.Truncate(dest), Err: invite.ErrConsentRequired,
			Message: c + ": an SMS invitation needs the administrator's attestation that the recipient consented to receive SMS"}}
	case errors.Is(err, mlerr.ErrAlreadyExists):
		c := EmailOrDevice.String()
		return []*mlerr.FieldError{{Field: c, Code: account.CodeUsernameExists, Value: mlerr.Truncate(dest), Err: mlerr.ErrAlreadyExists,
			Message: fmt.Sprintf("%s %q already exists as a username", c, mlerr.Truncate(dest))}}
	}
	return nil
}

// partial returns the Result of the rows done, in file order.
func partial(report []ReportRow, done []bool) Result {
	var rows []ReportRow
	for i, ok := range done {
		if ok {
			rows = append(rows, report[i])
		}
	}
	return Result{Rows: rows, Summary: Summarize(rows)}
}

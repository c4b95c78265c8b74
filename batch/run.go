package batch

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/permissions"
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
// upload's columns) or wraps one of these sentinels, which Run words itself:
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

// DefaultGroupSize is how many rows Run hands a GroupImporter at once.
const DefaultGroupSize = 100

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
	Mode Mode
	// Policy is the organization's account policy; every row is checked
	// with ValidateRow against it before it reaches the Importer. Its
	// Settings.SocialMessaging also decides whether the
	// restrict_incoming_social_messaging column may be used.
	Policy account.Policy
	// Profile is the upload's user-permissions profile; empty means the
	// organization's default.
	Profile permissions.ProfileID
	// MaxRows and MaxBytes are as in Options.
	MaxRows  int
	MaxBytes int64
	// Progress, if set, is called with the rows done and the total: once
	// with done = 0 before the first row, then after each row, in the
	// goroutine that called Run. With a GroupImporter the rows of a group
	// are reported done together, when the group is.
	Progress func(done, total int)
	// GroupSize is how many rows a GroupImporter gets at once;
	// 0 means DefaultGroupSize.
	GroupSize int
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
	order := processingOrder(rows, opts.Mode)
	report := make([]ReportRow, len(rows))
	done := make([]bool, len(rows))
	progress := opts.Progress
	if progress == nil {
		progress = func(int, int) {}
	}
	progress(0, len(rows))
	if g, ok := imp.(GroupImporter); ok {
		return runGroups(ctx, g, rows, order, opts, report, done, progress)
	}
	for n, i := range order {
		if err := ctx.Err(); err != nil {
			return partial(report, done), fmt.Errorf("batch: stopped before row %d: %w", rows[i].Line, err)
		}
		rr, err := runRow(ctx, imp, rows[i], opts)
		if err != nil {
			return partial(report, done), fmt.Errorf("batch: row %d: %w", rows[i].Line, err)
		}
		report[i], done[i] = rr, true
		progress(n+1, len(rows))
	}
	return Result{Rows: report, Summary: Summarize(report)}, nil
}

// runGroups is Run's loop for a GroupImporter: rows are validated one by
// one, and those that pass go to the importer in groups, in processing order.
func runGroups(ctx context.Context, g GroupImporter, rows []Row, order []int, opts RunOptions,
	report []ReportRow, done []bool, progress func(int, int)) (Result, error) {
	size := opts.GroupSize
	if size <= 0 {
		size = DefaultGroupSize
	}
	n := 0
	finish := func(i int, rr ReportRow) {
		report[i], done[i] = rr, true
		n++
		progress(n, len(rows))
	}
	group := make([]int, 0, size)
	groupRows := make([]Row, 0, size)
	drafts := make([]account.Draft, 0, size)
	flush := func() error {
		if len(group) == 0 {
			return nil
		}
		outs, errs, err := g.ImportRows(ctx, groupRows, drafts, opts.Mode)
		if err != nil {
			return fmt.Errorf("batch: rows %d to %d: %w", groupRows[0].Line, groupRows[len(groupRows)-1].Line, err)
		}
		for j, i := range group {
			if errs[j] == nil {
				finish(i, reportRow(rows[i], opts.Mode.status(), outs[j].Number))
				continue
			}
			fields := importFailure(errs[j], rows[i])
			if fields == nil {
				// Not a row-level error, yet the group committed: say what
				// happened rather than lose the row.
				fields = []*mlerr.FieldError{{Field: "row", Code: CodeImportFailed, Message: "row: " + errs[j].Error(), Err: errs[j]}}
			}
			finish(i, failedRow(rows[i], fields))
		}
		group, groupRows, drafts = group[:0], groupRows[:0], drafts[:0]
		return nil
	}
	for _, i := range order {
		if err := ctx.Err(); err != nil {
			return partial(report, done), fmt.Errorf("batch: stopped before row %d: %w", rows[i].Line, err)
		}
		d, err := ValidateRow(rows[i], opts.Policy)
		if err != nil {
			finish(i, failedRow(rows[i], mlerr.Fields(err)))
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

// processingOrder returns the indexes of rows in the order Run handles them.
func processingOrder(rows []Row, m Mode) []int {
	order := make([]int, 0, len(rows))
	if m == ImportInvite {
		for i, r := range rows {
			if r.Input.AssignNumber != "" {
				order = append(order, i)
			}
		}
		for i, r := range rows {
			if r.Input.AssignNumber == "" {
				order = append(order, i)
			}
		}
		return order
	}
	for i := range rows {
		order = append(order, i)
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
// when it is fatal (see Importer).
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
		return []*mlerr.FieldError{{Field: c, Code: CodeNotEnoughNumbers, Err: numberpool.ErrNotEnoughNumbers,
			Message: c + ": not enough numbers available in the organization for this row"}}
	case errors.Is(err, numberpool.ErrNotAvailable):
		c := MultilineNumber.String()
		return []*mlerr.FieldError{{Field: c, Code: CodeNumberNotAvailable, Value: num, Err: numberpool.ErrNotAvailable,
			Message: c + " " + num + " is not available in this organization"}}
	case errors.Is(err, invite.ErrConsentRequired):
		c := EmailOrDevice.String()
		return []*mlerr.FieldError{{Field: c, Code: CodeSMSConsentRequired, Value: mlerr.Truncate(dest), Err: invite.ErrConsentRequired,
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

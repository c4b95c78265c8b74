package multiline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// BatchOptions are the administrator's choices for one upload. They travel
// as they are to batch.Run (RunOptions.Upload): see batch.Upload. Progress
// is never called inside a store transaction; see ImportBatch for
// validate-only.
type BatchOptions = batch.Upload

// ImportBatch runs a CSV upload for one organization (SPEC §6): it parses the
// file, refuses it as a whole when a file-level rule says so (a
// *batch.FileError, nothing changed, no record), and otherwise imports each
// row whole or not at all — account, number, invitation, audit — so that a
// failed row leaves no trace and the others go on. Rows are imported
// a group to a store transaction (batch.DefaultGroupSize rows, then more;
// see batch.MaxGroupSize), through the store's group
// calls (a few round trips a group on a SQL store, whatever its size): every
// row of a group is decided before the group writes, each seeing the rows
// before it, so a row that fails writes nothing and the rest of its group
// goes on. A group whose usernames a concurrent upload took between the
// check and the write is imported again row by row, with the same outcome.
// A group's invitations are sent as soon as it commits. An error of the
// store fails the group's rows only, and the batch stops there. It returns
// the Batch Operations Report record, stored with the organization's other
// reports, and queues its summary to the organization's alert recipients.
//
// # Lifecycle
//
// Once the file is parsed, the batch's record is stored Running, with the
// file's SHA-256 and a lease (WithBatchLease), and OnStart is called with
// it. Each group's transaction also appends the group's report lines (and
// those of the rows that failed validation since the last group) to the
// record, adds them to its Done of Total rows and its Summary, and renews
// the lease, so Batch and ListBatches show the progress from any instance;
// a group writes only its own lines, so a long upload costs the same per
// row as a short one. The lease is renewed every third of its length
// besides, while a group's invitations go out. The record ends Finished,
// with a line for every row.
//
// A run that stops early (ctx ended, a store failure) stores the record
// Interrupted with the rows done; a run that cannot (its process died, its
// last commit failed) leaves it Running, and once its lease lapses it reads
// as Interrupted. Uploading the same file again under the same idempotency
// key resumes an Interrupted batch: the rows done keep their outcome, the
// others are processed, and the one record ends Finished with the report of
// every row, each once (an upload without a key cannot be resumed, only
// undone). The upload must be the same: another file (by
// SHA-256 of its bytes), mode or profile under that key is refused with
// ErrBatchFileChanged and changes nothing, since one report cannot describe
// two uploads. An Interrupted batch can also be undone (UndoBatch). A key
// whose batch is Running under a live lease is refused with
// ErrBatchRunning; one whose batch ended (Finished, Undone) returns that
// batch's record and changes nothing. A run whose batch was taken from it
// (its lease lapsed and another upload resumed it, or it was undone) stops
// with ErrBatchLeaseLost, writing nothing more.
//
// No callback runs inside a store transaction: OnStart runs after the
// Running record committed, and Progress after each group committed (and
// its invitations went out). A callback may call the Service.
//
// In validate-only mode every row is checked as Import would check it,
// against the store as it stands (usernames taken, numbers free, each row
// seeing the rows before it), inside one transaction that is rolled back:
// nothing is stored, sent or audited, and the record returned is not kept.
// Invitations are not weighed against capacity, since none would be sent.
// Since every row is checked in that one transaction, Progress is called
// after it ends, with each step it would have reported, in order; OnStart
// and the idempotency key play no part.
//
// It needs Accounts on the organization.
func (s *Service) ImportBatch(ctx context.Context, actor permissions.AdminID, o org.ID, src io.Reader, opts BatchOptions) (batch.Record, error) {
	var sc scope
	var policy account.Policy
	var replayed batch.Record
	key := strings.TrimSpace(opts.IdempotencyKey)
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		replayed = batch.Record{}
		var err error
		if sc, err = authorize(ctx, tx, actor, permissions.Accounts, o); err != nil {
			return err
		}
		if policy, err = s.policy(ctx, tx, sc, opts.Profile); err != nil {
			return err
		}
		if opts.Mode == batch.ValidateOnly {
			return nil
		}
		// A key whose batch runs or ended answers before the file is read;
		// one whose batch was interrupted is checked again, with the file's
		// hash, when the run starts.
		prev, found, err := s.batchByKey(ctx, tx, o, key)
		if err != nil || !found || prev.State == batch.Interrupted {
			return err
		}
		// The answer is that batch's record, with its lines.
		if replayed, err = withRows(ctx, tx, prev); err != nil {
			return err
		}
		if prev.State == batch.Running {
			return ErrBatchRunning
		}
		return nil
	})
	if err != nil || replayed.ID != "" {
		return replayed, err
	}
	run := batch.RunOptions{Upload: opts, Policy: policy, Workbook: s.workbook}
	imp := &importer{s: s, sc: sc, opts: opts, batchRows: newBatchRows()}

	if opts.Mode == batch.ValidateOnly {
		return s.validateBatch(ctx, sc, src, imp, run)
	}

	runCtx, lost := context.WithCancelCause(ctx)
	defer lost(nil)
	r := newBatchRun(s, sc, opts, key, imp.batchRows, lost)
	imp.run = r
	run.Start = r.start
	res, runErr := batch.Run(runCtx, io.TeeReader(src, r.hash), imp, run)
	r.stop()
	if cause := context.Cause(runCtx); errors.Is(cause, ErrBatchLeaseLost) {
		runErr = errors.Join(runErr, cause)
	}
	switch {
	case r.replay:
		return r.rec, nil
	case !r.started && (errors.Is(runErr, ErrBatchRunning) || errors.Is(runErr, ErrBatchFileChanged)):
		// The key names a batch another run holds, or an interrupted
		// batch of another upload: that batch's record, with the refusal.
		return r.rec, runErr
	case !r.started:
		// Refused before the run started (a file-level rejection, a
		// store failure): nothing was stored.
		return batch.Record{}, runErr
	}
	return r.finish(context.WithoutCancel(ctx), res, runErr)
}

// validateBatch is ImportBatch in validate-only mode: every row in one
// transaction, rolled back, and the progress reported after it.
func (s *Service) validateBatch(ctx context.Context, sc scope, src io.Reader, imp *importer, run batch.RunOptions) (batch.Record, error) {
	errDryRun := errors.New("dry run")
	var res batch.Result
	var steps [][2]int
	run.Progress = func(done, total int) { steps = append(steps, [2]int{done, total}) }
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		imp.tx, steps = tx, steps[:0]
		var err error
		if res, err = batch.Run(ctx, src, imp, run); err != nil {
			return err
		}
		return errDryRun
	})
	if !errors.Is(err, errDryRun) {
		return batch.Record{}, err
	}
	if imp.opts.Progress != nil {
		for _, st := range steps {
			imp.opts.Progress(st[0], st[1])
		}
	}
	now := s.now()
	return batch.Record{OrgID: sc.org().ID, Actor: sc.admin.ID, Mode: imp.opts.Mode, Profile: imp.opts.Profile, State: batch.Finished,
		Rows: res.Rows, Summary: res.Summary, Created: now, Finished: now, Done: len(res.Rows), Total: res.Summary.Total}, nil
}

// policy is the account policy of an upload's organization.
func (s *Service) policy(ctx context.Context, tx Tx, sc scope, profile permissions.ProfileID) (account.Policy, error) {
	profiles, err := tx.Profiles(ctx, sc.ids)
	if err != nil {
		return account.Policy{}, err
	}
	return account.Policy{Form: account.CSVRow, Settings: sc.settings, Lineage: sc.ids, Profiles: profiles}, nil
}

// importer is the service's side of batch.Run.
type importer struct {
	s          *Service
	sc         scope
	opts       BatchOptions
	tx         Tx        // set in validate-only: every row in one rolled-back transaction
	*batchRows           // the record's ID and the accounts the rows created
	run        *batchRun // stores the progress; nil in validate-only
	scratch    groupScratch
}

// ImportRow imports one validated row whole, or not at all.
func (imp *importer) ImportRow(ctx context.Context, r batch.Row, d account.Draft, mode batch.Mode) (batch.Outcome, error) {
	outs, errs, err := imp.ImportRows(ctx, []batch.Row{r}, []account.Draft{d}, mode)
	if err != nil {
		return batch.Outcome{}, err
	}
	return outs[0], errs[0]
}

// ImportRows imports a group of validated rows in one transaction.
func (imp *importer) ImportRows(ctx context.Context, rows []batch.Row, ds []account.Draft, mode batch.Mode) ([]batch.Outcome, []error, error) {
	return imp.ImportCheckpoint(ctx, rows, ds, mode, nil)
}

// ImportCheckpoint imports a group of validated rows in one transaction. A
// row that fails is refused before it writes anything (see create), so the
// others go on in the same transaction; anything else fails the group.
// Outside validate-only, the same transaction stores the run's progress,
// the report lines report gives (see batchRun.checkpoint).
func (imp *importer) ImportCheckpoint(ctx context.Context, rows []batch.Row, ds []account.Draft, mode batch.Mode,
	report func([]batch.Outcome, []error) []batch.ReportRow) ([]batch.Outcome, []error, error) {
	opt := addOptions{form: account.CSVRow, invite: mode == batch.ImportInvite, profile: imp.opts.Profile,
		consent: InviteOptions{SMSConsent: imp.opts.SMSConsent, Disclaimer: imp.opts.Disclaimer}, batchID: imp.batchID}
	outs := make([]batch.Outcome, len(rows))
	errs := make([]error, len(rows))
	accts := make([]account.ID, len(rows))
	var msgs []invite.Message
	var lines []batch.ReportRow // the report lines the checkpoint stores
	// checkpoint stores the progress, the group's outcomes in.
	checkpoint := func(ctx context.Context, tx Tx) error {
		lines = nil
		if imp.run == nil || report == nil {
			return nil
		}
		made := make(map[int]account.ID, len(rows))
		for i, r := range rows {
			if accts[i] != "" {
				made[r.Line] = accts[i]
			}
		}
		lines = report(outs, errs)
		return imp.run.checkpoint(ctx, tx, lines, made)
	}
	// The row-by-row way: each row's refusal comes before its first write,
	// so the others go on in the same transaction.
	byRow := func(ctx context.Context, tx Tx) error {
		// The store may run this again after a serialization failure.
		clear(outs)
		clear(errs)
		clear(accts)
		msgs = msgs[:0]
		for i := range rows {
			a, inv, err := imp.s.create(ctx, tx, imp.sc, ds[i], opt)
			switch {
			case err == nil:
			case batch.RowLevel(err):
				errs[i] = err
				continue
			default:
				return err
			}
			outs[i], accts[i] = batch.Outcome{Number: a.Number}, a.ID
			if inv != nil {
				msgs = append(msgs, inv.msg)
			}
		}
		return checkpoint(ctx, tx)
	}
	// The group's way: the same outcome in a few calls of the store.
	// A group first locks its organization late (see createGroup).
	late := true
	grouped := func(ctx context.Context, tx Tx) error {
		var tally *lateTally
		if late {
			tally = new(lateTally)
		}
		made, ms, rowErrs, err := imp.s.createGroup(ctx, tx, imp.sc, ds, opt, tally, &imp.scratch)
		if err != nil {
			return err
		}
		copy(errs, rowErrs)
		msgs = ms
		for i, a := range made {
			outs[i], accts[i] = batch.Outcome{Number: a.Number}, a.ID
		}
		if err := checkpoint(ctx, tx); err != nil || tally == nil {
			return err
		}
		return lateCheck(ctx, tx, imp.sc, *tally)
	}
	var err error
	if imp.tx != nil {
		err = byRow(ctx, imp.tx)
	} else {
		err = imp.s.store.Tx(ctx, grouped)
		if errors.Is(err, errLateLock) {
			// The group could not vouch for its rows' capacity without
			// the organization's lock: it runs again under it.
			late = false
			err = imp.s.store.Tx(ctx, grouped)
		}
		var u *UniqueError
		if errors.As(err, &u) {
			// A concurrent transaction took a key after the group checked
			// it: the group's transaction is lost, and row by row each row
			// gets its own answer.
			imp.s.log.InfoContext(ctx, "multiline: a group of rows lost a key to a concurrent upload; importing it row by row",
				"batch", imp.batchID, "rows", len(rows), "key", u.Key)
			err = imp.s.store.Tx(ctx, byRow)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	for i, r := range rows {
		if accts[i] != "" {
			imp.accounts[r.Line] = accts[i]
		}
	}
	for _, l := range lines {
		imp.stored[l.Row] = true
	}
	// The group's invitations go out now, while their lease (see leased)
	// is fresh, rather than after the whole batch. They were promised by
	// the commit: the caller's ctx ending does not stop them. Their
	// outcomes are recorded in one transaction, as the group's rows were
	// written in one: in a 1000-row import on PostgreSQL, transactions of
	// 100 messages (ten) rather than of a group (four) cost six more
	// commits and 12 more round trips (77 against 65; 2026-12-01's
	// seventh session). All of them were leased at the group's commit, so
	// recording them in smaller parts would not shorten how long the last
	// of them waits for its record; it would only lower how many a crash
	// between the sends and the record leaves to be sent again, which
	// their idempotency keys let a provider recognize (SPEC §7).
	if imp.tx == nil {
		buf := reuse(&imp.scratch.delivered, len(msgs))[:len(msgs)]
		imp.s.deliverIn(context.WithoutCancel(ctx), msgs, max(len(msgs), 1), buf)
	}
	return outs, errs, nil
}

// Batch returns a batch record of an organization the actor covers, with
// its report lines (Rows and Accounts). It needs Reports on the batch's
// organization.
func (s *Service) Batch(ctx context.Context, actor permissions.AdminID, id string) (batch.Record, error) {
	var b batch.Record
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		if b, err = batchInScope(ctx, tx, actor, permissions.Reports, id); err != nil {
			return err
		}
		b, err = withRows(ctx, tx, b)
		return err
	})
	return s.viewBatch(b), err
}

// batchInScope loads a batch the actor may act on with priv; one it may not
// is not found, like one that does not exist.
func batchInScope(ctx context.Context, tx Tx, actor permissions.AdminID, priv permissions.Privilege, id string) (batch.Record, error) {
	notFound := fmt.Errorf("multiline: batch %s: %w", id, mlerr.ErrNotFound)
	b, err := tx.Batch(ctx, id)
	if errors.Is(err, mlerr.ErrNotFound) {
		return batch.Record{}, notFound
	}
	if err != nil {
		return batch.Record{}, err
	}
	if _, err := authorize(ctx, tx, actor, priv, b.OrgID); errors.Is(err, permissions.ErrForbidden) {
		return batch.Record{}, notFound
	} else if err != nil {
		return batch.Record{}, err
	}
	return b, nil
}

// ListBatches returns a page of an organization's batch records, newest
// first, without their report lines (Rows and Accounts are nil; Batch
// returns them): a list shows each batch's progress and summary, and
// reading every line of every batch listed would cost as much as the
// uploads were long. It needs Reports on the organization.
func (s *Service) ListBatches(ctx context.Context, actor permissions.AdminID, o org.ID, p Page) (List[batch.Record], error) {
	var l List[batch.Record]
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		if _, err := authorize(ctx, tx, actor, permissions.Reports, o); err != nil {
			return err
		}
		var err error
		l.Items, l.Next, err = tx.ListBatches(ctx, o, p.Normalize())
		return err
	})
	for i, b := range l.Items {
		l.Items[i] = s.viewBatch(b)
	}
	return l, err
}

// WriteBatchReport writes a batch's Batch Operations Report CSV to w. It
// needs Reports on the batch's organization.
func (s *Service) WriteBatchReport(ctx context.Context, actor permissions.AdminID, id string, w io.Writer) error {
	b, err := s.Batch(ctx, actor, id)
	if err != nil {
		return err
	}
	return batch.WriteReport(w, b.Rows)
}

// ErrBatchNotUndoable refuses to undo a batch that is running (under a live
// lease), was undone already, or was only validated.
var ErrBatchNotUndoable = mlerr.New(CodeBatchNotUndoable, "multiline: the batch cannot be undone")

// Undone is what undoing a batch did.
type Undone struct {
	// Deleted are the accounts deleted (their numbers released, their
	// invitations withdrawn).
	Deleted []account.ID
	// Kept are the accounts that had activated meanwhile: they stay.
	Kept []account.ID
}

// UndoBatch undoes a finished (or interrupted, or stopped) batch as a whole: its accounts
// that have not activated are deleted, their numbers released and their
// invitations withdrawn (a queued message is cancelled); activated ones are
// kept and listed. Accounts moved to another organization since are undone
// too when the actor covers it, and are not found otherwise. It needs
// Accounts on the batch's organization.
func (s *Service) UndoBatch(ctx context.Context, actor permissions.AdminID, id string) (Undone, error) {
	var res Undone
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		res = Undone{}
		b, err := batchInScope(ctx, tx, actor, permissions.Accounts, id)
		if err != nil {
			return err
		}
		// An Interrupted batch is undone as far as it went: its Accounts
		// are those of the rows its groups committed.
		if st := b.StateAt(s.now()); st != batch.Finished && st != batch.Stopped && st != batch.Interrupted {
			return fmt.Errorf("%w: it is %s", ErrBatchNotUndoable, st)
		}
		_, accts, err := tx.BatchRows(ctx, b.ID)
		if err != nil {
			return err
		}
		for _, aid := range accts {
			if aid == "" {
				continue
			}
			a, sc, err := accountInScope(ctx, tx, actor, aid)
			if errors.Is(err, mlerr.ErrNotFound) {
				continue // deleted meanwhile, or moved out of the actor's reach
			}
			if err != nil {
				return err
			}
			if a.Status == account.Activated {
				res.Kept = append(res.Kept, a.ID)
				continue
			}
			if err := s.deleteAccount(ctx, tx, sc.admin.ID, a); err != nil {
				return err
			}
			res.Deleted = append(res.Deleted, a.ID)
		}
		before := batchView(b)
		// A run that still holds on to it (its lease lapsed, its process
		// alive) finds it Undone at its next commit and stops.
		b.State, b.LeaseUntil = batch.Undone, time.Time{}
		if err := tx.UpdateBatch(ctx, b); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, b.OrgID, ActionBatchUndone, b.ID, before, batchView(b))
	})
	if err != nil {
		return Undone{}, err
	}
	return res, nil
}

package multiline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// ErrBatchRunning refuses an upload whose idempotency key belongs to a batch
// that is still running: the first upload is not finished yet.
var ErrBatchRunning = errors.New("multiline: a batch with this idempotency key is still running")

// BatchOptions are the administrator's choices for one upload.
type BatchOptions struct {
	Mode batch.Mode
	// Profile is the upload's user-permissions profile; empty means the
	// organization's default.
	Profile permissions.ProfileID
	// IdempotencyKey, when set, makes the upload safe to repeat: a second
	// upload with the same key returns the first one's report and changes
	// nothing.
	IdempotencyKey string
	// SMSConsent and Disclaimer attest SMS consent for the device rows of an
	// Import & Invite; without it those rows fail.
	SMSConsent bool
	Disclaimer string
	// MaxRows and MaxBytes override batch.DefaultMaxRows and
	// batch.DefaultMaxBytes.
	MaxRows  int
	MaxBytes int64
	// Progress, if set, is called with rows done and total as the batch runs.
	Progress func(done, total int)
}

// ImportBatch runs a CSV upload for one organization (SPEC §6): it parses the
// file, refuses it as a whole when a file-level rule says so (a
// *batch.FileError, nothing changed), and otherwise imports each row whole
// or not at all — account, number, invitation, audit — so that a failed row
// leaves no trace and the others go on. Rows are imported batch.DefaultGroupSize
// to a store transaction, through the store's group calls (a few round trips
// a group on a SQL store, whatever its size): every row of a group is decided
// before the group writes, each seeing the rows before it, so a row that
// fails writes nothing and the rest of its group goes on. A group whose
// usernames a concurrent upload took between the check and the write is
// imported again row by row, with the same outcome. A group's invitations
// are sent as soon as it commits. An error of the store fails the group's
// rows only, and the batch stops there. It returns the Batch
// Operations Report record, stored with the organization's other reports,
// and queues its summary to the organization's alert recipients.
//
// In validate-only mode every row is checked as Import would check it,
// against the store as it stands (usernames taken, numbers free, each row
// seeing the rows before it), inside one transaction that is rolled back:
// nothing is stored, sent or audited, and the record returned is not kept.
// Invitations are not weighed against capacity, since none would be sent.
//
// A repeated IdempotencyKey returns the first upload's record. If ctx ends
// mid-batch, the groups done stay imported and the record says Stopped;
// re-uploading the file imports the rest (the done rows fail as already
// existing). It needs Accounts on the organization.
func (s *Service) ImportBatch(ctx context.Context, actor permissions.AdminID, o org.ID, src io.Reader, opts BatchOptions) (batch.Record, error) {
	var sc scope
	var policy account.Policy
	var rec batch.Record
	replay := false
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
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
		rec = batch.Record{ID: newID(), OrgID: o, Actor: actor, Mode: opts.Mode, Profile: opts.Profile,
			Key: strings.TrimSpace(opts.IdempotencyKey), State: batch.Running, Created: s.now()}
		replayed, err := s.replayBatch(ctx, tx, o, rec.Key)
		if replayed.ID != "" || err != nil {
			rec, replay = replayed, replayed.ID != ""
			return err
		}
		err = tx.CreateBatch(ctx, rec)
		var u *UniqueError
		if errors.As(err, &u) && u.Key == "batch_key" {
			// Another instance took the key since we looked.
			replayed, err = s.replayBatch(ctx, tx, o, rec.Key)
			rec, replay = replayed, replayed.ID != ""
		}
		return err
	})
	if err != nil || replay {
		return rec, err
	}
	run := batch.RunOptions{Mode: opts.Mode, Policy: policy, Profile: opts.Profile,
		MaxRows: opts.MaxRows, MaxBytes: opts.MaxBytes, Progress: opts.Progress, Workbook: s.workbook}
	imp := &importer{s: s, sc: sc, opts: opts, accounts: map[int]account.ID{}, batchID: rec.ID}

	if opts.Mode == batch.ValidateOnly {
		errDryRun := errors.New("dry run")
		var res batch.Result
		err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
			imp.tx = tx
			var err error
			if res, err = batch.Run(ctx, src, imp, run); err != nil {
				return err
			}
			return errDryRun
		})
		if !errors.Is(err, errDryRun) {
			return batch.Record{}, err
		}
		return batch.Record{OrgID: o, Actor: actor, Mode: opts.Mode, Profile: opts.Profile, State: batch.Finished,
			Rows: res.Rows, Summary: res.Summary, Created: s.now(), Finished: s.now()}, nil
	}

	res, runErr := batch.Run(ctx, src, imp, run)
	var fe *batch.FileError
	if errors.As(runErr, &fe) {
		// Refused as a whole: nothing was imported; forget the key so the
		// corrected file can be uploaded under it.
		return batch.Record{}, errors.Join(runErr, s.rejectBatch(context.WithoutCancel(ctx), rec.ID))
	}
	rec.Rows, rec.Summary, rec.Finished = res.Rows, res.Summary, s.now()
	rec.Accounts = make([]account.ID, len(res.Rows))
	for i, r := range res.Rows {
		rec.Accounts[i] = imp.accounts[r.Row]
	}
	rec.State = batch.Finished
	if runErr != nil {
		rec.State = batch.Stopped
	}
	var notices []invite.Message
	err = s.store.Tx(context.WithoutCancel(ctx), func(ctx context.Context, tx Tx) error {
		if err := tx.UpdateBatch(ctx, rec); err != nil {
			return err
		}
		var err error
		if notices, err = s.queueBatchSummary(ctx, tx, sc, rec); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, o, "batch.finished", rec.ID, nil, batchView(rec))
	})
	if err != nil {
		return rec, errors.Join(runErr, err)
	}
	s.deliverAll(context.WithoutCancel(ctx), notices)
	return rec, runErr
}

// replayBatch returns the batch an idempotency key already names, or a zero
// record when it names none (or key is empty). A batch still running is
// refused with ErrBatchRunning.
func (s *Service) replayBatch(ctx context.Context, tx Tx, o org.ID, key string) (batch.Record, error) {
	if key == "" {
		return batch.Record{}, nil
	}
	prev, err := tx.BatchByKey(ctx, o, key)
	switch {
	case errors.Is(err, mlerr.ErrNotFound):
		return batch.Record{}, nil
	case err != nil:
		return batch.Record{}, err
	case prev.State == batch.Running:
		return prev, ErrBatchRunning
	}
	return prev, nil
}

// policy is the account policy of an upload's organization.
func (s *Service) policy(ctx context.Context, tx Tx, sc scope, profile permissions.ProfileID) (account.Policy, error) {
	profiles, err := tx.Profiles(ctx, sc.ids)
	if err != nil {
		return account.Policy{}, err
	}
	return account.Policy{Form: account.CSVRow, Settings: sc.settings, Lineage: sc.ids, Profiles: profiles}, nil
}

// rejectBatch marks the record of an upload refused as a whole, and
// releases its key so that the corrected file can be uploaded under it.
func (s *Service) rejectBatch(ctx context.Context, id string) error {
	return s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		b, err := tx.Batch(ctx, id)
		if err != nil {
			return err
		}
		b.State, b.Key, b.Finished = batch.Rejected, "", s.now()
		return tx.UpdateBatch(ctx, b)
	})
}

// importer is the service's side of batch.Run.
type importer struct {
	s    *Service
	sc   scope
	opts BatchOptions
	tx   Tx // set in validate-only: every row in one rolled-back transaction
	// accounts maps a row's line to the account it created.
	accounts map[int]account.ID
	batchID  string // the record's ID; empty in validate-only
}

// ImportRow imports one validated row whole, or not at all.
func (imp *importer) ImportRow(ctx context.Context, r batch.Row, d account.Draft, mode batch.Mode) (batch.Outcome, error) {
	outs, errs, err := imp.ImportRows(ctx, []batch.Row{r}, []account.Draft{d}, mode)
	if err != nil {
		return batch.Outcome{}, err
	}
	return outs[0], errs[0]
}

// ImportRows imports a group of validated rows in one transaction. A row
// that fails is refused before it writes anything (see create), so the
// others go on in the same transaction; anything else fails the group.
func (imp *importer) ImportRows(ctx context.Context, rows []batch.Row, ds []account.Draft, mode batch.Mode) ([]batch.Outcome, []error, error) {
	opt := addOptions{form: account.CSVRow, invite: mode == batch.ImportInvite, profile: imp.opts.Profile,
		consent: InviteOptions{SMSConsent: imp.opts.SMSConsent, Disclaimer: imp.opts.Disclaimer}, batchID: imp.batchID}
	outs := make([]batch.Outcome, len(rows))
	errs := make([]error, len(rows))
	accts := make([]account.ID, len(rows))
	var msgs []invite.Message
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
		return nil
	}
	// The group's way: the same outcome in a few calls of the store.
	grouped := func(ctx context.Context, tx Tx) error {
		as, invs, rowErrs, err := imp.s.createGroup(ctx, tx, imp.sc, ds, opt)
		if err != nil {
			return err
		}
		copy(errs, rowErrs)
		msgs = msgs[:0]
		for i, a := range as {
			outs[i], accts[i] = batch.Outcome{Number: a.Number}, a.ID
			if invs[i] != nil {
				msgs = append(msgs, invs[i].msg)
			}
		}
		return nil
	}
	var err error
	if imp.tx != nil {
		err = byRow(ctx, imp.tx)
	} else {
		err = imp.s.store.Tx(ctx, grouped)
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
	// The group's invitations go out now, while their lease (see leased)
	// is fresh, rather than after the whole batch. They were promised by
	// the commit: the caller's ctx ending does not stop them.
	if imp.tx == nil {
		imp.s.deliverAll(context.WithoutCancel(ctx), msgs)
	}
	return outs, errs, nil
}

// batchView is what the audit log keeps of a batch: not its rows.
func batchView(b batch.Record) map[string]any {
	return map[string]any{"id": b.ID, "mode": b.Mode.String(), "state": b.State, "summary": b.Summary, "key": b.Key}
}

// queueBatchSummary queues the batch's summary to the organization's alert
// recipients (SPEC §6), in the transaction that stores the record.
func (s *Service) queueBatchSummary(ctx context.Context, tx Tx, sc scope, b batch.Record) ([]invite.Message, error) {
	sum := b.Summary
	text := fmt.Sprintf("Batch Operations Report for %s (%s): %d rows, %d imported, %d invited, %d failed.\nBatch %s, %s.\n",
		sc.org().Name, b.Mode, sum.Total, sum.Imported, sum.Invited, sum.Failed, b.ID, b.State)
	var queued []invite.Message
	for i, addr := range sc.settings.AlertRecipients {
		m := invite.Message{ID: invite.MessageID(newID()), Kind: invite.KindAdmin, OrgID: b.OrgID, Channel: invite.Email, To: addr,
			Subject: fmt.Sprintf("Batch Operations Report: %d of %d rows failed", sum.Failed, sum.Total), Text: text,
			IdempotencyKey: fmt.Sprintf("batch-%s-%d", b.ID, i), State: invite.Queued, Created: s.now(), NextAttempt: s.leased(s.now())}
		if err := tx.Enqueue(ctx, m); err != nil {
			return nil, err
		}
		queued = append(queued, m)
	}
	return queued, nil
}

// Batch returns a batch record of an organization the actor covers. It needs
// Reports on the batch's organization.
func (s *Service) Batch(ctx context.Context, actor permissions.AdminID, id string) (batch.Record, error) {
	var b batch.Record
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		b, err = batchInScope(ctx, tx, actor, permissions.Reports, id)
		return err
	})
	return b, err
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
// first. It needs Reports on the organization.
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

// ErrBatchNotUndoable refuses to undo a batch that is running, was undone
// already, or was only validated.
var ErrBatchNotUndoable = errors.New("multiline: the batch cannot be undone")

// Undone is what undoing a batch did.
type Undone struct {
	// Deleted are the accounts deleted (their numbers released, their
	// invitations withdrawn).
	Deleted []account.ID
	// Kept are the accounts that had activated meanwhile: they stay.
	Kept []account.ID
}

// UndoBatch undoes a finished (or stopped) batch as a whole: its accounts
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
		if b.State != batch.Finished && b.State != batch.Stopped {
			return fmt.Errorf("%w: it is %s", ErrBatchNotUndoable, b.State)
		}
		for _, aid := range b.Accounts {
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
		b.State = batch.Undone
		if err := tx.UpdateBatch(ctx, b); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, b.OrgID, "batch.undone", b.ID, before, batchView(b))
	})
	if err != nil {
		return Undone{}, err
	}
	return res, nil
}

// deleteAccount deletes an account: its number is released, its invitation
// withdrawn and its queued message cancelled. Audited.
func (s *Service) deleteAccount(ctx context.Context, tx Tx, actor permissions.AdminID, a account.Account) error {
	if a.Number != "" {
		n, err := tx.Number(ctx, a.Number)
		if err != nil {
			return err
		}
		freed, err := n.Release(s.now(), s.quarantine)
		if err != nil {
			return err
		}
		if err := tx.UpdateNumber(ctx, freed); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, actor, a.OrgID, "number.released", n.E164, n, freed); err != nil {
			return err
		}
	}
	inv, err := tx.Invitation(ctx, a.ID)
	switch {
	case err == nil:
		if m, err := tx.Message(ctx, inv.Message); err == nil && (m.State == invite.Queued || m.State == invite.Failed) {
			m.State = invite.Cancelled
			if err := tx.UpdateMessage(ctx, m); err != nil {
				return err
			}
		} else if err != nil && !errors.Is(err, mlerr.ErrNotFound) {
			return err
		}
	case !errors.Is(err, mlerr.ErrNotFound):
		return err
	}
	if err := tx.DeleteAccount(ctx, a.ID); err != nil {
		return err
	}
	return s.audit(ctx, tx, actor, a.OrgID, "account.deleted", string(a.ID), a, nil)
}

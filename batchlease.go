package multiline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"sync"
	"time"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
)

// ErrBatchRunning refuses an upload whose idempotency key belongs to a batch
// that is still running: the first upload is not finished yet.
var ErrBatchRunning = mlerr.New(CodeBatchRunning, "multiline: a batch with this idempotency key is still running")

// ErrBatchFileChanged refuses an upload that would resume an Interrupted
// batch (same organization, same idempotency key) with another file, mode
// or profile: resuming it would mix two uploads in one report. Upload the
// same file to resume it, undo it, or use another key.
var ErrBatchFileChanged = mlerr.New(CodeBatchFileChanged,
	"multiline: the upload differs from the interrupted batch with this idempotency key (another file, mode or profile)")

// ErrBatchLeaseLost stops a run whose batch was taken from it: its lease
// lapsed and another upload resumed the batch, or an administrator undid it.
// The groups it committed stay; it writes nothing more.
var ErrBatchLeaseLost = mlerr.New(CodeBatchLeaseLost,
	"multiline: the batch's lease lapsed and it was resumed or undone elsewhere")

// WithBatchLease sets how long a running batch's lease lasts (default
// DefaultBatchLease). The run renews it as each group of rows commits, and
// every third of d besides, so it lapses only when the run's process died
// or cannot reach the store for that long; then the batch reads as
// Interrupted and the same upload resumes it. A shorter lease lets a batch
// be resumed sooner after a crash; it must stay well above the time a
// group of rows takes to commit.
func WithBatchLease(d time.Duration) Option {
	return func(s *Service) error {
		if d < time.Second {
			return fmt.Errorf("multiline: WithBatchLease: %s: need at least a second", d)
		}
		s.batchLease = d
		return nil
	}
}

// viewBatch is a stored batch as the service shows it: a Running batch
// whose lease lapsed is Interrupted.
func (s *Service) viewBatch(b batch.Record) batch.Record {
	b.State = b.StateAt(s.now())
	return b
}

// batchByKey returns the header of the batch of organization o with key,
// as viewBatch shows it, and whether there is one (never, for an empty
// key). Its lines (withRows) are read only when they are needed: the
// answer to a replayed or refused upload, or the rows a resumed one keeps.
func (s *Service) batchByKey(ctx context.Context, tx Tx, o org.ID, key string) (batch.Record, bool, error) {
	if key == "" {
		return batch.Record{}, false, nil
	}
	b, err := tx.BatchByKey(ctx, o, key)
	switch {
	case errors.Is(err, mlerr.ErrNotFound):
		return batch.Record{}, false, nil
	case err != nil:
		return batch.Record{}, false, err
	}
	return s.viewBatch(b), true, nil
}

// withRows returns b, a batch's header, with its report lines and their
// accounts, read in tx.
func withRows(ctx context.Context, tx Tx, b batch.Record) (batch.Record, error) {
	rows, accts, err := tx.BatchRows(ctx, b.ID)
	if err != nil {
		return batch.Record{}, err
	}
	b.Rows, b.Accounts = rows, accts
	return b, nil
}

// errReplayed stops batch.Run when the key turned out to name a batch that
// ended: its record is the answer.
var errReplayed = errors.New("multiline: replayed")

// batchRun is one run of an upload that changes the store: it creates the
// batch record or resumes an Interrupted one, holds its lease, stores the
// progress with each group, and writes the end.
type batchRun struct {
	s      *Service
	sc     scope
	opts   batch.Upload
	key    string
	runner string    // this run's name on the lease
	hash   hash.Hash // of the file, as batch.Run reads it
	rows   *batchRows
	// rec is the record as this run wrote it in start (started), or the
	// record the key named when start refused; replay says it is another
	// run's, which ended, returned as is.
	rec     batch.Record
	started bool
	replay  bool
	// stop ends the lease's renewal; lost cancels the run when the lease
	// was taken from it.
	stop func()
	lost context.CancelCauseFunc
}

func newBatchRun(s *Service, sc scope, opts batch.Upload, key string, rows *batchRows, lost context.CancelCauseFunc) *batchRun {
	return &batchRun{s: s, sc: sc, opts: opts, key: key, runner: newID(), hash: sha256.New(), rows: rows,
		stop: func() {}, lost: lost}
}

// start is batch.RunOptions.Start: once the file is parsed (and hashed,
// since the parser read all of it), it creates the Running record, or takes
// over the Interrupted batch the key names if the upload is the same, and
// returns the rows already done: the report lines stored for it. A key
// naming a batch that runs is refused with ErrBatchRunning; one naming a
// batch that ended returns errReplayed.
// Then it starts renewing the lease and calls OnStart, outside the
// transaction.
func (r *batchRun) start(ctx context.Context, total int) ([]batch.ReportRow, error) {
	s := r.s
	sum := hex.EncodeToString(r.hash.Sum(nil))
	var done []batch.ReportRow
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		now := s.now()
		done, r.replay = nil, false
		o := r.sc.org().ID
		fresh := batch.Record{ID: newID(), OrgID: o, Actor: r.sc.admin.ID, Mode: r.opts.Mode, Profile: r.opts.Profile,
			Key: r.key, State: batch.Running, Created: now, Total: total, FileHash: sum,
			Runner: r.runner, LeaseUntil: now.Add(s.batchLease)}
		prev, found, err := s.batchByKey(ctx, tx, o, r.key)
		if err != nil {
			return err
		}
		if !found {
			err := tx.CreateBatch(ctx, fresh)
			if u := (*UniqueError)(nil); !errors.As(err, &u) || u.Key != KeyBatchKey {
				if err != nil {
					return err
				}
				r.rec = fresh
				return s.audit(ctx, tx, r.sc.admin.ID, o, ActionBatchStarted, fresh.ID, nil, batchView(fresh))
			}
			// Another upload took the key since we looked.
			if prev, found, err = s.batchByKey(ctx, tx, o, r.key); err != nil {
				return err
			}
			if !found {
				return fmt.Errorf("multiline: the batch with key %q vanished: %w", r.key, mlerr.ErrNotFound)
			}
		}
		// The record the key names is the answer, or is resumed: with its
		// lines either way.
		if prev, err = withRows(ctx, tx, prev); err != nil {
			return err
		}
		r.rec = prev
		switch prev.State {
		case batch.Running:
			return ErrBatchRunning
		case batch.Interrupted:
		default:
			r.replay = true
			return errReplayed
		}
		if prev.FileHash != fresh.FileHash || prev.Mode != fresh.Mode || prev.Profile != fresh.Profile {
			return fmt.Errorf("%w: batch %s", ErrBatchFileChanged, prev.ID)
		}
		before := batchView(prev)
		resumed := prev
		resumed.State, resumed.Total, resumed.Runner, resumed.LeaseUntil = batch.Running, total, r.runner, fresh.LeaseUntil
		if err := tx.UpdateBatch(ctx, resumed); err != nil {
			return err
		}
		r.rec, done = resumed, resumed.Rows
		return s.audit(ctx, tx, r.sc.admin.ID, o, ActionBatchResumed, resumed.ID, before, batchView(resumed))
	})
	if err != nil {
		return nil, err
	}
	r.started = true
	r.rows.batchID = r.rec.ID
	for i, row := range r.rec.Rows {
		r.rows.stored[row.Row] = true
		if i < len(r.rec.Accounts) && r.rec.Accounts[i] != "" {
			r.rows.accounts[row.Row] = r.rec.Accounts[i]
		}
	}
	r.stop = r.renew(context.WithoutCancel(ctx))
	if r.opts.OnStart != nil {
		r.opts.OnStart(s.viewBatch(r.rec))
	}
	return done, nil
}

// renew renews the lease every third of its length until the returned
// function is called; when the batch was taken from this run, it cancels
// the run. A failed renewal is tried again at the next tick: the group
// commits renew the lease too.
func (r *batchRun) renew(ctx context.Context) (stop func()) {
	s := r.s
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(s.batchLease / 3)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
			}
			err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
				b, err := r.held(ctx, tx)
				if err != nil {
					return err
				}
				b.LeaseUntil = s.now().Add(s.batchLease)
				return tx.UpdateBatch(ctx, b)
			})
			if errors.Is(err, ErrBatchLeaseLost) {
				r.lost(err)
				return
			}
			if err != nil {
				s.log.WarnContext(ctx, "multiline: renewing a batch's lease failed", "batch", r.rec.ID, "err", err)
			}
		}
	})
	var once sync.Once
	return func() {
		once.Do(func() { close(quit) })
		wg.Wait()
	}
}

// held reads the run's batch, locked, and checks that this run still holds
// it: Running under this run's name.
func (r *batchRun) held(ctx context.Context, tx Tx) (batch.Record, error) {
	b, err := tx.Batch(ctx, r.rec.ID)
	if err != nil {
		return batch.Record{}, err
	}
	if b.State != batch.Running || b.Runner != r.runner {
		return batch.Record{}, fmt.Errorf("%w: batch %s is %s", ErrBatchLeaseLost, b.ID, b.StateAt(r.s.now()))
	}
	return b, nil
}

// checkpoint stores the progress of the run in the transaction of a group:
// lines are the report lines no earlier checkpoint stored (the group's,
// and those of the rows that failed validation since), and accts the
// accounts the group's rows created, by row. It appends the lines and adds
// them to the header's Done and Summary, so that a group costs the same
// whatever the rows done before it. It renews the lease, and refuses with
// ErrBatchLeaseLost if the batch was taken from this run, which rolls the
// group back.
func (r *batchRun) checkpoint(ctx context.Context, tx Tx, lines []batch.ReportRow, accts map[int]account.ID) error {
	b, err := r.held(ctx, tx)
	if err != nil {
		return err
	}
	if len(lines) > 0 {
		ids := make([]account.ID, len(lines))
		for i, l := range lines {
			if a, ok := accts[l.Row]; ok {
				ids[i] = a
			} else {
				ids[i] = r.rows.accounts[l.Row]
			}
		}
		if err := tx.AppendBatchRows(ctx, b.ID, lines, ids); err != nil {
			return err
		}
	}
	b.Done += len(lines)
	b.Summary.Merge(batch.Summarize(lines))
	b.LeaseUntil = r.s.now().Add(r.s.batchLease)
	return tx.UpdateBatch(ctx, b)
}

// finish writes the end of the run: Finished with the report of every row,
// its summary queued to the alert recipients; or, when runErr stopped it,
// Interrupted with the rows done, for the same upload to resume. It appends
// only the lines no checkpoint stored (rows that failed validation after
// the last group), and returns the record with every line. A run that lost
// its batch writes nothing.
func (r *batchRun) finish(ctx context.Context, res batch.Result, runErr error) (batch.Record, error) {
	s := r.s
	rec := r.rec
	rec.Rows, rec.Summary, rec.Done = res.Rows, res.Summary, len(res.Rows)
	rec.Accounts = make([]account.ID, len(res.Rows))
	for i, row := range res.Rows {
		rec.Accounts[i] = r.rows.accounts[row.Row]
	}
	rec.LeaseUntil = time.Time{}
	rec.State, rec.Finished = batch.Finished, s.now()
	if runErr != nil {
		rec.State, rec.Finished = batch.Interrupted, time.Time{}
	}
	if errors.Is(runErr, ErrBatchLeaseLost) {
		return rec, runErr
	}
	var rest []batch.ReportRow
	var restAccts []account.ID
	for i, row := range res.Rows {
		if !r.rows.stored[row.Row] {
			rest, restAccts = append(rest, row), append(restAccts, rec.Accounts[i])
		}
	}
	var notices []invite.Message
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		notices = nil
		stored, err := r.held(ctx, tx)
		if err != nil {
			return err
		}
		if len(rest) > 0 {
			if err := tx.AppendBatchRows(ctx, rec.ID, rest, restAccts); err != nil {
				return err
			}
		}
		rec.Created, rec.Actor = stored.Created, stored.Actor
		if err := tx.UpdateBatch(ctx, rec); err != nil {
			return err
		}
		if rec.State != batch.Finished {
			return s.audit(ctx, tx, r.sc.admin.ID, rec.OrgID, ActionBatchInterrupted, rec.ID, nil, batchView(rec))
		}
		if notices, err = s.queueBatchSummary(ctx, tx, r.sc, rec); err != nil {
			return err
		}
		return s.audit(ctx, tx, r.sc.admin.ID, rec.OrgID, ActionBatchFinished, rec.ID, nil, batchView(rec))
	})
	if err != nil {
		// The record stays Running until its lease lapses, then reads as
		// Interrupted: the same upload finishes it.
		return rec, errors.Join(runErr, err)
	}
	s.deliverAll(ctx, notices)
	return rec, runErr
}

// batchRows is what a run and its importer share: the record's ID, the
// account each row created, and the lines stored.
type batchRows struct {
	batchID string // empty in validate-only
	// accounts maps a row's line to the account it created.
	accounts map[int]account.ID
	// stored holds the lines of the report stored for the batch: those a
	// resumed batch had, and those of each checkpoint that committed.
	stored map[int]bool
}

func newBatchRows() *batchRows {
	return &batchRows{accounts: map[int]account.ID{}, stored: map[int]bool{}}
}

// batchView is what the audit log keeps of a batch: not its rows.
func batchView(b batch.Record) map[string]any {
	return map[string]any{"id": b.ID, "mode": b.Mode.String(), "state": b.State, "summary": b.Summary, "key": b.Key}
}

// queueBatchSummary queues the batch's summary to the organization's alert
// recipients (SPEC §6), in the transaction that stores the record.
func (s *Service) queueBatchSummary(ctx context.Context, tx Tx, sc scope, b batch.Record) ([]invite.Message, error) {
	subject, text := batch.SummaryText(sc.org().Name, b)
	var queued []invite.Message
	for i, addr := range sc.settings.AlertRecipients {
		m := invite.Message{ID: invite.MessageID(newID()), Kind: invite.KindAdmin, OrgID: b.OrgID, Channel: invite.Email, To: addr,
			Subject: subject, Text: text,
			IdempotencyKey: fmt.Sprintf("batch-%s-%d", b.ID, i), State: invite.Queued, Created: s.now(), NextAttempt: s.leased(s.now())}
		if err := tx.Enqueue(ctx, m); err != nil {
			return nil, err
		}
		queued = append(queued, m)
	}
	return queued, nil
}

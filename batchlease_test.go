package multiline_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/notify"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/store/memory"
)

// rowsCSV is an upload of n valid Import rows, r0@acme.example onwards.
func rowsCSV(n int) string {
	var b strings.Builder
	b.WriteString(header)
	for i := range n {
		fmt.Fprintf(&b, "F%d,L%d,r%d@acme.example,No,,auto,on,,\n", i, i, i)
	}
	return b.String()
}

// updateFailingStore fails the UpdateBatch calls that fail says to, as a store
// that cannot commit would; everything else goes to the memory store.
type updateFailingStore struct {
	multiline.Store
	mu   sync.Mutex
	fail func(b batch.Record) bool
}

var errInjected = errors.New("injected store failure")

func (s *updateFailingStore) Tx(ctx context.Context, fn func(context.Context, multiline.Tx) error) error {
	return s.Store.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error { return fn(ctx, &failingTx{tx, s}) })
}

func (s *updateFailingStore) failing(f func(batch.Record) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = f
}

type failingTx struct {
	multiline.Tx
	s *updateFailingStore
}

func (t *failingTx) UpdateBatch(ctx context.Context, b batch.Record) error {
	t.s.mu.Lock()
	fail := t.s.fail != nil && t.s.fail(b)
	t.s.mu.Unlock()
	if fail {
		return errInjected
	}
	return t.Tx.UpdateBatch(ctx, b)
}

// deadlockFree runs fn and fails the test if it does not return in time: a
// callback that deadlocks would otherwise hang the test binary.
func deadlockFree(t *testing.T, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("deadlock: the call did not return")
	}
}

// TestValidateOnlyProgressReadsService is defect 7: validate-only ran its
// progress callback inside its rolled-back transaction, so a callback that
// reads through the service waited for that transaction forever on the
// memory store.
func TestValidateOnlyProgressReadsService(t *testing.T) {
	f := newFixture(t)
	var steps [][2]int
	var readErrs []error
	deadlockFree(t, func() {
		rec, err := f.svc.ImportBatch(ctx, f.salesAdmin, f.sales.ID, strings.NewReader(rowsCSV(3)),
			multiline.BatchOptions{Mode: batch.ValidateOnly, Progress: func(done, total int) {
				steps = append(steps, [2]int{done, total})
				_, err := f.svc.ListAccounts(ctx, f.salesAdmin, f.sales.ID, multiline.Page{})
				readErrs = append(readErrs, err)
				_, err = f.svc.ListBatches(ctx, f.root, f.sales.ID, multiline.Page{})
				readErrs = append(readErrs, err)
			}})
		assert.NoError(t, err)
		assert.Equal(t, 3, rec.Summary.Valid)
	})
	assert.Equal(t, [][2]int{{0, 3}, {1, 3}, {2, 3}, {3, 3}}, steps)
	for _, err := range readErrs {
		assert.NoError(t, err)
	}
}

// TestBatchProgressOnRecord: as each group commits, the stored record shows
// the rows done, which another reader (here the callbacks, through the
// service) sees; OnStart gets the Running record once, before any row.
func TestBatchProgressOnRecord(t *testing.T) {
	f := newFixture(t)
	const n = 3*batch.DefaultGroupSize + 30 // groups of 100, 200 and 30 rows
	var started []batch.Record
	var seen [][2]int
	opts := multiline.BatchOptions{Mode: batch.Import, IdempotencyKey: "progress",
		OnStart: func(r batch.Record) {
			started = append(started, r)
			got, err := f.svc.Batch(ctx, f.salesReports, r.ID)
			assert.NoError(t, err)
			assert.Equal(t, batch.Running, got.State, "OnStart runs once the Running record committed")
		},
		Progress: func(done, total int) {
			require.Len(t, started, 1, "Progress before OnStart")
			got, err := f.svc.Batch(ctx, f.salesReports, started[0].ID)
			assert.NoError(t, err)
			seen = append(seen, [2]int{got.Done, got.Total})
			assert.Len(t, got.Rows, got.Done)
			// The callback hears of a group's rows one by one, after the
			// group committed them all.
			assert.GreaterOrEqual(t, got.Done, done, "the record shows at least what the callback is told")
		}}
	var rec batch.Record
	deadlockFree(t, func() {
		var err error
		rec, err = f.svc.ImportBatch(ctx, f.salesAdmin, f.sales.ID, strings.NewReader(rowsCSV(n)), opts)
		assert.NoError(t, err)
	})
	require.Len(t, started, 1)
	assert.Equal(t, batch.Running, started[0].State)
	assert.Equal(t, n, started[0].Total)
	assert.Zero(t, started[0].Done)
	assert.Equal(t, rec.ID, started[0].ID)
	assert.Contains(t, seen, [2]int{batch.DefaultGroupSize, n})
	assert.NotContains(t, seen, [2]int{2 * batch.DefaultGroupSize, n}, "the second group is twice the first")
	assert.Contains(t, seen, [2]int{3 * batch.DefaultGroupSize, n})
	assert.Equal(t, [2]int{n, n}, seen[len(seen)-1])
	assert.Equal(t, batch.Finished, rec.State)
	assert.Equal(t, n, rec.Done)
	assert.Len(t, rec.FileHash, 64)
	assert.True(t, rec.LeaseUntil.IsZero(), "a finished batch holds no lease")

	// The same key replays it: OnStart is not called again.
	again, err := f.svc.ImportBatch(ctx, f.salesAdmin, f.sales.ID, strings.NewReader(rowsCSV(n)), opts)
	require.NoError(t, err)
	assert.Equal(t, rec.ID, again.ID)
	assert.Len(t, started, 1)
}

// TestBatchLastCommitFails is defect 3: the last commit of an import fails,
// so its record stays Running. It answered ErrBatchRunning and refused undo
// for good. Now it does while its lease lasts; then it reads Interrupted,
// and the same upload under the same key finishes it: one record, every row
// once, no account twice.
func TestBatchLastCommitFails(t *testing.T) {
	fs := &updateFailingStore{Store: memory.New()}
	f := newFixtureOn(t, fs)
	_, err := f.svc.UpdateOrgSettings(ctx, f.root, f.sales.ID, org.Settings{AlertRecipients: org.Set([]string{"ops@acme.example"})})
	require.NoError(t, err)
	const n = batch.DefaultGroupSize + 20
	data := rowsCSV(n)
	opts := multiline.BatchOptions{Mode: batch.Import, IdempotencyKey: "nightly"}
	fs.failing(func(b batch.Record) bool { return b.State == batch.Finished })
	_, err = f.svc.ImportBatch(ctx, f.salesAdmin, f.sales.ID, strings.NewReader(data), opts)
	require.ErrorIs(t, err, errInjected)
	fs.failing(nil)
	assert.Empty(t, f.outbox.Messages(), "no summary of a batch that did not finish")

	l, err := f.svc.ListBatches(ctx, f.root, f.sales.ID, multiline.Page{})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	stuck := l.Items[0]
	assert.Equal(t, batch.Running, stuck.State, "its lease has not lapsed yet")
	assert.Equal(t, n, stuck.Done, "the groups' commits stored their progress")
	_, err = f.svc.ImportBatch(ctx, f.salesAdmin, f.sales.ID, strings.NewReader(data), opts)
	require.ErrorIs(t, err, multiline.ErrBatchRunning)

	f.clock.Advance(multiline.DefaultBatchLease)
	got, err := f.svc.Batch(ctx, f.salesReports, stuck.ID)
	require.NoError(t, err)
	assert.Equal(t, batch.Interrupted, got.State)

	rec, err := f.svc.ImportBatch(ctx, f.salesAdmin, f.sales.ID, strings.NewReader(data), opts)
	require.NoError(t, err)
	assert.Equal(t, stuck.ID, rec.ID, "the one record")
	assert.Equal(t, batch.Finished, rec.State)
	assert.Equal(t, batch.Summary{Total: n, Imported: n}, rec.Summary, "every row once, none failed as existing")
	requireEveryRowOnce(t, rec, n)
	accts, err := f.svc.ListAccounts(ctx, f.root, f.sales.ID, multiline.Page{Limit: multiline.MaxPageSize})
	require.NoError(t, err)
	assert.Len(t, accts.Items, n)
	l, err = f.svc.ListBatches(ctx, f.root, f.sales.ID, multiline.Page{})
	require.NoError(t, err)
	assert.Len(t, l.Items, 1)
	msgs := f.outbox.Messages()
	require.Len(t, msgs, 1, "one summary")
	assert.Contains(t, msgs[0].Text, fmt.Sprintf("%d rows, %d imported", n, n))
}

func requireEveryRowOnce(t *testing.T, rec batch.Record, n int) {
	t.Helper()
	require.Len(t, rec.Rows, n)
	require.Len(t, rec.Accounts, n)
	for i, r := range rec.Rows {
		require.Equal(t, i+2, r.Row, "the report in file order, each row once")
	}
}

// TestBatchStoppedResumes: a run whose store fails mid-way stores the
// record Interrupted with the rows done, at once; the same upload resumes
// it, and another file under the key is refused and changes nothing.
func TestBatchStoppedResumes(t *testing.T) {
	fs := &updateFailingStore{Store: memory.New()}
	f := newFixtureOn(t, fs)
	const n = 2*batch.DefaultGroupSize + 5
	data := rowsCSV(n)
	opts := multiline.BatchOptions{Mode: batch.Import, IdempotencyKey: "k"}
	fs.failing(func(b batch.Record) bool { return b.State == batch.Running && b.Done > batch.DefaultGroupSize })
	rec, err := f.svc.ImportBatch(ctx, f.salesAdmin, f.sales.ID, strings.NewReader(data), opts)
	require.ErrorIs(t, err, errInjected)
	fs.failing(nil)
	assert.Equal(t, batch.Interrupted, rec.State)
	got, err := f.svc.Batch(ctx, f.salesReports, rec.ID)
	require.NoError(t, err)
	assert.Equal(t, batch.Interrupted, got.State)
	assert.Equal(t, batch.DefaultGroupSize, got.Done)

	before := f.snapshot(t)
	for name, o := range map[string]struct {
		data string
		mode batch.Mode
	}{"OtherFile": {rowsCSV(n + 1), batch.Import}, "OtherMode": {data, batch.ImportInvite}} {
		other := opts
		other.Mode = o.mode
		_, err = f.svc.ImportBatch(ctx, f.salesAdmin, f.sales.ID, strings.NewReader(o.data), other)
		require.ErrorIs(t, err, multiline.ErrBatchFileChanged, name)
		assert.Equal(t, "batch.file_changed", mlerr.CodeOf(err))
	}
	assert.Equal(t, before, f.snapshot(t), "a refused resume changed something")

	var progress []int
	opts.Progress = func(done, _ int) { progress = append(progress, done) }
	rec, err = f.svc.ImportBatch(ctx, f.salesAdmin, f.sales.ID, strings.NewReader(data), opts)
	require.NoError(t, err)
	assert.Equal(t, got.ID, rec.ID)
	assert.Equal(t, batch.Summary{Total: n, Imported: n}, rec.Summary)
	requireEveryRowOnce(t, rec, n)
	assert.Equal(t, batch.DefaultGroupSize, progress[0], "the resume starts from the rows done")
}

// TestUndoInterrupted: a batch whose lease lapsed (its last commit failed)
// can be undone, as far as it went; the key then replays the undone batch.
func TestUndoInterrupted(t *testing.T) {
	fs := &updateFailingStore{Store: memory.New()}
	f := newFixtureOn(t, fs)
	const n = batch.DefaultGroupSize + 3
	opts := multiline.BatchOptions{Mode: batch.Import, IdempotencyKey: "k"}
	// The second group's commit fails, then the write of the end.
	fs.failing(func(b batch.Record) bool { return b.Done > batch.DefaultGroupSize || b.State != batch.Running })
	_, err := f.svc.ImportBatch(ctx, f.salesAdmin, f.sales.ID, strings.NewReader(rowsCSV(n)), opts)
	require.ErrorIs(t, err, errInjected)
	fs.failing(nil)
	l, err := f.svc.ListBatches(ctx, f.root, f.sales.ID, multiline.Page{})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	id := l.Items[0].ID

	_, err = f.svc.UndoBatch(ctx, f.salesAdmin, id)
	require.ErrorIs(t, err, multiline.ErrBatchNotUndoable, "running under a live lease")
	f.clock.Advance(multiline.DefaultBatchLease + time.Second)
	undone, err := f.svc.UndoBatch(ctx, f.salesAdmin, id)
	require.NoError(t, err)
	assert.Len(t, undone.Deleted, batch.DefaultGroupSize, "the rows its committed group imported")
	accts, err := f.svc.ListAccounts(ctx, f.root, f.sales.ID, multiline.Page{})
	require.NoError(t, err)
	assert.Empty(t, accts.Items)
	rec, err := f.svc.ImportBatch(ctx, f.salesAdmin, f.sales.ID, strings.NewReader(rowsCSV(n)), opts)
	require.NoError(t, err)
	assert.Equal(t, batch.Undone, rec.State)
}

// TestBatchLeaseRenewed: while a group's invitations go out slowly, the
// lease is renewed (every third of it), so a second upload with the key is
// refused as running rather than resuming a batch that runs.
func TestBatchLeaseRenewed(t *testing.T) {
	release := make(chan struct{})
	sending := make(chan struct{})
	var once sync.Once
	f := newFixture(t)
	svc, err := multiline.New(f.store, multiline.WithClock(f.clock.Now), multiline.WithBatchLease(time.Second),
		multiline.WithNotifier(notify.Func(func(context.Context, invite.Message) error {
			once.Do(func() { close(sending); <-release })
			return nil
		})))
	require.NoError(t, err)
	f.svc = svc
	opts := multiline.BatchOptions{Mode: batch.ImportInvite, IdempotencyKey: "slow"}
	var started batch.Record
	opts.OnStart = func(r batch.Record) { started = r }
	f.numbers(t, f.sales.ID, nums("+14155550101", "+14155550102")...)
	done := make(chan error, 1)
	go func() {
		_, err := f.svc.ImportBatch(ctx, f.salesAdmin, f.sales.ID, csvOf("A,A,a@acme.example,No,,auto,on,,"), opts)
		done <- err
	}()
	<-sending
	// The lease the group's commit took would lapse now; the renewal, on the
	// real clock, takes another from the test clock's new time.
	f.clock.Advance(10 * time.Second)
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, err := f.svc.Batch(ctx, f.root, started.ID)
		require.NoError(t, err)
		if got.State == batch.Running {
			break
		}
		require.True(t, time.Now().Before(deadline), "the lease was not renewed")
		time.Sleep(50 * time.Millisecond)
	}
	_, err = f.svc.ImportBatch(ctx, f.salesAdmin, f.sales.ID, csvOf("A,A,a@acme.example,No,,auto,on,,"), opts)
	assert.ErrorIs(t, err, multiline.ErrBatchRunning)
	close(release)
	require.NoError(t, <-done)
}

// TestBatchTakenOver: a run whose lease lapsed while it still worked (a
// long pause, say) and whose batch another upload resumed and finished,
// stops at its next commit with ErrBatchLeaseLost, rolling that group back
// and writing nothing more: the one record is the resume's, every row once.
func TestBatchTakenOver(t *testing.T) {
	f := newFixture(t)
	const n = 2*batch.DefaultGroupSize + 10
	data := rowsCSV(n)
	var resumed batch.Record
	var resumeErr error
	opts := multiline.BatchOptions{Mode: batch.Import, IdempotencyKey: "k"}
	opts.Progress = func(done, _ int) {
		if done != batch.DefaultGroupSize || resumed.ID != "" {
			return
		}
		// The first run pauses past its lease; meanwhile the same upload
		// resumes the batch and finishes it.
		f.clock.Advance(multiline.DefaultBatchLease)
		again := multiline.BatchOptions{Mode: batch.Import, IdempotencyKey: "k"}
		resumed, resumeErr = f.svc.ImportBatch(ctx, f.salesAdmin, f.sales.ID, strings.NewReader(data), again)
	}
	_, err := f.svc.ImportBatch(ctx, f.salesAdmin, f.sales.ID, strings.NewReader(data), opts)
	require.ErrorIs(t, err, multiline.ErrBatchLeaseLost)
	assert.Equal(t, "batch.lease_lost", mlerr.CodeOf(err))
	require.NoError(t, resumeErr)
	assert.Equal(t, batch.Finished, resumed.State)

	got, err := f.svc.Batch(ctx, f.salesReports, resumed.ID)
	require.NoError(t, err)
	assert.Equal(t, batch.Finished, got.State)
	assert.Equal(t, batch.Summary{Total: n, Imported: n}, got.Summary)
	requireEveryRowOnce(t, got, n)
	accts, err := f.svc.ListAccounts(ctx, f.root, f.sales.ID, multiline.Page{Limit: multiline.MaxPageSize})
	require.NoError(t, err)
	assert.Len(t, accts.Items, n)
}

// TestBatchStoredReport: the report the store keeps is the one ImportBatch
// returns, each line once, with its account: the groups' lines, those of
// rows that failed validation between groups (stored with the next group)
// and after the last one (stored at the end), whether the run finishes or
// is interrupted and resumed.
func TestBatchStoredReport(t *testing.T) {
	const n = batch.DefaultGroupSize + 3
	var b strings.Builder
	b.WriteString(header)
	for i := range n {
		cells := "on"
		if i == 7 || i >= batch.DefaultGroupSize+1 { // one between groups, two after the last group
			cells = "sometimes"
		}
		fmt.Fprintf(&b, "F%d,L%d,r%d@acme.example,No,,auto,%s,,\n", i, i, i, cells)
	}
	data := b.String()
	for _, interrupt := range []bool{false, true} {
		t.Run(fmt.Sprint("interrupted=", interrupt), func(t *testing.T) {
			fs := &updateFailingStore{Store: memory.New()}
			f := newFixtureOn(t, fs)
			opts := multiline.BatchOptions{Mode: batch.Import, IdempotencyKey: "k"}
			if interrupt {
				// The end fails: the record stays Running with the
				// groups' lines, and the same upload finishes it.
				fs.failing(func(b batch.Record) bool { return b.State == batch.Finished })
				_, err := f.svc.ImportBatch(ctx, f.salesAdmin, f.sales.ID, strings.NewReader(data), opts)
				require.ErrorIs(t, err, errInjected)
				fs.failing(nil)
				l, err := f.svc.ListBatches(ctx, f.root, f.sales.ID, multiline.Page{})
				require.NoError(t, err)
				require.Len(t, l.Items, 1)
				assert.Nil(t, l.Items[0].Rows, "a list has no lines")
				stuck, err := f.svc.Batch(ctx, f.salesReports, l.Items[0].ID)
				require.NoError(t, err)
				assert.Len(t, stuck.Rows, batch.DefaultGroupSize+1, "the group's lines and the failure before it")
				assert.Equal(t, len(stuck.Rows), stuck.Done)
				assert.Equal(t, batch.Summarize(stuck.Rows), stuck.Summary)
				f.clock.Advance(multiline.DefaultBatchLease)
			}
			rec, err := f.svc.ImportBatch(ctx, f.salesAdmin, f.sales.ID, strings.NewReader(data), opts)
			require.NoError(t, err)
			require.Equal(t, batch.Finished, rec.State)
			requireEveryRowOnce(t, rec, n)
			assert.Equal(t, batch.Summary{Total: n, Imported: n - 3, Failed: 3}, rec.Summary)
			got, err := f.svc.Batch(ctx, f.salesReports, rec.ID)
			require.NoError(t, err)
			assert.Equal(t, rec.Rows, got.Rows, "the stored report")
			assert.Equal(t, rec.Accounts, got.Accounts)
			assert.Equal(t, rec.Summary, got.Summary)
			assert.Equal(t, n, got.Done)
			for i, a := range got.Accounts {
				assert.Equal(t, got.Rows[i].Status == batch.StatusFailed, a == "", "line %d", got.Rows[i].Row)
			}
		})
	}
}

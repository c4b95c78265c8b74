package postgres_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/notify"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
	"github.com/multilinehq/multiline/store/postgres"
)

// The environment of the child process TestImportProcessKilled starts.
const (
	envChild  = "MULTILINE_TEST_CRASH_CHILD"
	envSchema = "MULTILINE_TEST_CRASH_SCHEMA"
	envOrg    = "MULTILINE_TEST_CRASH_ORG"
	envAdmin  = "MULTILINE_TEST_CRASH_ADMIN"
	envFile   = "MULTILINE_TEST_CRASH_FILE"
)

// crashKey is the idempotency key of the upload the child runs.
const crashKey = "crash-upload"

// crashOptions are the upload's options, the same in the child and in the
// resume.
func crashOptions() multiline.BatchOptions {
	return multiline.BatchOptions{Mode: batch.ImportInvite, SMSConsent: true, IdempotencyKey: crashKey}
}

// TestImportProcessKilled runs an Import & Invite in a child process (this
// test binary again, running TestHelperImportProcess) and kills it with
// SIGKILL once two groups of rows have committed, while it works on the
// third. The record stays Running until its lease lapses: meanwhile the same
// upload is refused as running. Then another Service on the same database
// (its clock past the lease) reads it Interrupted and resumes it under the
// same key: one Finished record whose report covers every row once, every
// account and invitation once, every invariant holding.
func TestImportProcessKilled(t *testing.T) {
	if os.Getenv(envChild) != "" {
		return // the child runs TestHelperImportProcess only
	}
	schema := newSchema(t)
	const rows = 350
	in := newInstance(t, schema, 4)
	tr := newTree(t, in, rows, rows, 0, 0)
	root := tr.acme.Admin.ID
	data := variant(rows, 0, false)
	file := filepath.Join(t.TempDir(), "upload.csv")
	require.NoError(t, os.WriteFile(file, data, 0o600))

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperImportProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), envChild+"=1", envSchema+"="+schema, envOrg+"="+string(tr.sales.ID),
		envAdmin+"="+string(root), envFile+"="+file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	killed := false
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if strings.HasPrefix(lines.Text(), "committed ") {
			require.NoError(t, cmd.Process.Kill()) // SIGKILL: no deferred call, no last commit
			killed = true
			break
		}
	}
	_ = cmd.Wait()
	require.True(t, killed, "the child ended before it was killed: %s", stderr.String())

	ctx := t.Context()
	l, err := in.svc.ListBatches(ctx, root, tr.sales.ID, multiline.Page{})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	dead := l.Items[0]
	t.Logf("the child was killed with %d of %d rows done", dead.Done, rows)
	assert.Equal(t, batch.Running, dead.State, "its lease has not lapsed yet")
	assert.GreaterOrEqual(t, dead.Done, 2*batch.DefaultGroupSize, "the committed groups' progress")
	assert.Less(t, dead.Done, rows, "the child finished before it was killed")
	assert.Equal(t, rows, dead.Total)
	_, err = in.svc.ImportBatch(ctx, root, tr.sales.ID, bytes.NewReader(data), crashOptions())
	require.ErrorIs(t, err, multiline.ErrBatchRunning, "a batch under a live lease")

	// Another instance, later than the lease.
	later := func() time.Time { return time.Now().Add(multiline.DefaultBatchLease + time.Minute) }
	other := newInstance(t, schema, 4)
	svc, err := multiline.New(other.store, multiline.WithClock(later), multiline.WithNotifier(other.out),
		multiline.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	got, err := svc.Batch(ctx, root, dead.ID)
	require.NoError(t, err)
	assert.Equal(t, batch.Interrupted, got.State)

	var started []batch.Record
	opts := crashOptions()
	opts.OnStart = func(r batch.Record) { started = append(started, r) }
	rec, err := svc.ImportBatch(ctx, root, tr.sales.ID, bytes.NewReader(data), opts)
	require.NoError(t, err)
	require.Len(t, started, 1)
	assert.Equal(t, dead.ID, started[0].ID)
	assert.Equal(t, dead.ID, rec.ID, "the one record")
	assert.Equal(t, batch.Finished, rec.State)
	assert.Equal(t, batch.Summary{Total: rows, Invited: rows}, rec.Summary)
	require.Len(t, rec.Rows, rows)
	require.Len(t, rec.Accounts, rows)
	seen := map[string]bool{}
	for i, r := range rec.Rows {
		assert.Equal(t, i+2, r.Row, "the report in file order, each row once")
		assert.Equal(t, batch.StatusInvited, r.Status, "row %d: %s", r.Row, r.Error)
		require.NotEmpty(t, rec.Accounts[i], "row %d has no account", r.Row)
		assert.False(t, seen[string(rec.Accounts[i])], "account %s twice", rec.Accounts[i])
		seen[string(rec.Accounts[i])] = true
	}
	stored, err := svc.Batch(ctx, root, rec.ID)
	require.NoError(t, err)
	assert.Equal(t, rec.Rows, stored.Rows)

	pool := in.pool
	checkInvariants(t, pool)
	assert.Equal(t, 1, count(t, pool, `SELECT count(*) FROM batches`))
	assert.Equal(t, rows, count(t, pool, `SELECT count(*) FROM accounts`))
	assert.Equal(t, rows, count(t, pool, `SELECT count(DISTINCT username) FROM accounts`))
	assert.Equal(t, rows, count(t, pool, `SELECT count(*) FROM accounts WHERE batch_id = $1`, rec.ID))
	assert.Equal(t, rows, count(t, pool, `SELECT count(*) FROM invitations`))
	assert.Equal(t, rows, count(t, pool, `SELECT count(*) FROM messages WHERE kind = 'invitation'`))
	assert.Equal(t, rows, count(t, pool, `SELECT count(*) FROM audit WHERE action = 'account.created'`))
	assert.Equal(t, 1, count(t, pool, `SELECT count(*) FROM audit WHERE action = 'batch.resumed'`))
}

// TestHelperImportProcess is the child of TestImportProcessKilled, and does
// nothing in any other run: it imports the file on the parent's schema,
// sending slowly, and says on stdout when two groups have committed, so
// that the parent kills it mid-way.
func TestHelperImportProcess(t *testing.T) {
	if os.Getenv(envChild) == "" {
		return
	}
	data, err := os.ReadFile(os.Getenv(envFile))
	require.NoError(t, err)
	pool := newPool(t, os.Getenv(envSchema), 4)
	slow := notify.Func(func(ctx context.Context, _ invite.Message) error {
		time.Sleep(5 * time.Millisecond)
		return nil
	})
	svc, err := multiline.New(postgres.New(pool, postgres.WithSchema(os.Getenv(envSchema))), multiline.WithNotifier(slow),
		multiline.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	opts := crashOptions()
	said := false
	opts.Progress = func(done, _ int) {
		if done >= 2*batch.DefaultGroupSize && !said {
			said = true
			fmt.Printf("committed %d\n", done)
		}
	}
	_, err = svc.ImportBatch(context.Background(), permissions.AdminID(os.Getenv(envAdmin)), org.ID(os.Getenv(envOrg)),
		bytes.NewReader(data), opts)
	fmt.Println("finished", err)
}

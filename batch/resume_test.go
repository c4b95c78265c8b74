package batch

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/account"
)

// checkpointer is a Checkpointer over fakeImporter that keeps what report
// returned for each group, as a store would in the group's transaction.
type checkpointer struct {
	*fakeImporter
	stored [][]ReportRow
	failAt int // the group (1-based) whose import fails fatally; 0: none
}

func (c *checkpointer) ImportRows(ctx context.Context, rows []Row, ds []account.Draft, m Mode) ([]Outcome, []error, error) {
	outs, errs := make([]Outcome, len(rows)), make([]error, len(rows))
	for i := range rows {
		outs[i], errs[i] = c.ImportRow(ctx, rows[i], ds[i], m)
	}
	return outs, errs, nil
}

func (c *checkpointer) ImportCheckpoint(ctx context.Context, rows []Row, ds []account.Draft, m Mode,
	report func([]Outcome, []error) []ReportRow) ([]Outcome, []error, error) {
	if len(c.stored)+1 == c.failAt {
		return nil, nil, errors.New("store unreachable")
	}
	outs, errs, err := c.ImportRows(ctx, rows, ds, m)
	if err != nil {
		return nil, nil, err
	}
	report(outs, errs) // a transaction run twice asks twice
	c.stored = append(c.stored, report(outs, errs))
	return outs, errs, nil
}

// TestRunCheckpointAndResume: each group's transaction gets the report
// lines no earlier checkpoint stored, the group's and those of the rows that
// failed validation since, in file order; a run that stops and is resumed
// with what was stored handles only the other rows, and its report is the
// whole file, each row once.
func TestRunCheckpointAndResume(t *testing.T) {
	lines := []string{hdr}
	for i := range 7 {
		cells := map[Column]string{EmailOrDevice: "u" + string(rune('a'+i)) + "@example.com"}
		if i == 1 {
			cells[MonitorCalls] = "maybe" // fails validation
		}
		lines = append(lines, rowWith(cells))
	}
	in := file(lines...)
	c := &checkpointer{fakeImporter: newFake(), failAt: 3}
	opts := RunOptions{Upload: Upload{Mode: Import}, Policy: testPolicy(false), GroupSize: 2}
	res, err := Run(t.Context(), strings.NewReader(in), c, opts)
	require.Error(t, err)
	require.Len(t, c.stored, 2)
	// Group 1 is rows 2 and 4 (row 3 failed validation on the way), group 2
	// rows 5 and 6.
	assert.Equal(t, []int{2, 3, 4}, rowsOf(c.stored[0]))
	assert.Equal(t, []int{5, 6}, rowsOf(c.stored[1]), "only the lines not stored before")
	assert.Equal(t, []int{2, 3, 4, 5, 6}, rowsOf(res.Rows))
	var stored []ReportRow
	for _, g := range c.stored {
		stored = append(stored, g...)
	}

	// The resume: rows 2 to 6 are kept as stored, 7 and 8 imported.
	c.failAt, c.calls = 0, nil
	var progress [][2]int
	var total int
	opts.Progress = func(d, n int) { progress = append(progress, [2]int{d, n}) }
	opts.Start = func(_ context.Context, n int) ([]ReportRow, error) { total = n; return stored, nil }
	res, err = Run(t.Context(), strings.NewReader(in), c, opts)
	require.NoError(t, err)
	assert.Equal(t, 7, total)
	assert.Equal(t, []int{7, 8}, c.calls, "only the rows not done reach the importer")
	assert.Equal(t, []int{2, 3, 4, 5, 6, 7, 8}, rowsOf(res.Rows))
	assert.Equal(t, Summary{Total: 7, Imported: 6, Failed: 1}, res.Summary)
	assert.Equal(t, [][2]int{{5, 7}, {6, 7}, {7, 7}}, progress)
	assert.Equal(t, []int{7, 8}, rowsOf(c.stored[2]), "the resumed run offers none of the lines Start returned")

	// A Start that refuses stops the run before any row.
	c.calls = nil
	stop := errors.New("refused")
	opts.Start = func(context.Context, int) ([]ReportRow, error) { return nil, stop }
	_, err = Run(t.Context(), strings.NewReader(in), c, opts)
	require.ErrorIs(t, err, stop)
	assert.Empty(t, c.calls)
}

func rowsOf(rs []ReportRow) []int {
	var out []int
	for _, r := range rs {
		out = append(out, r.Row)
	}
	return out
}

// TestCheckpointOffersEachLineOnce: the lines of rows that fail validation
// go with the next group's checkpoint, each in one checkpoint only, and
// those after the last group are in the Result but offered to none.
func TestCheckpointOffersEachLineOnce(t *testing.T) {
	lines := []string{hdr}
	bad := map[int]bool{1: true, 2: true, 5: true, 7: true, 8: true} // rows 3, 4, 7, 9, 10
	for i := range 9 {
		cells := map[Column]string{EmailOrDevice: "u" + string(rune('a'+i)) + "@example.com"}
		if bad[i] {
			cells[MonitorCalls] = "maybe"
		}
		lines = append(lines, rowWith(cells))
	}
	c := &checkpointer{fakeImporter: newFake()}
	opts := RunOptions{Upload: Upload{Mode: Import}, Policy: testPolicy(false), GroupSize: 2}
	res, err := Run(t.Context(), strings.NewReader(file(lines...)), c, opts)
	require.NoError(t, err)
	require.Len(t, res.Rows, 9)
	var got [][]int
	for _, g := range c.stored {
		got = append(got, rowsOf(g))
	}
	// Groups: rows 2 and 5 (3 and 4 failed on the way), 6 and 8 (7
	// failed); 9 and 10 fail after the last.
	assert.Equal(t, [][]int{{2, 3, 4, 5}, {6, 7, 8}}, got)
	assert.Equal(t, Summary{Total: 9, Imported: 4, Failed: 5}, res.Summary)
}

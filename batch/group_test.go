package batch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/account"
)

// groupFake is the fake service with ImportRows: each group runs as one
// "transaction" over fakeImporter's rules; a fatal row undoes its group.
type groupFake struct {
	*fakeImporter
	groups [][]int // the lines of each group, in call order
	odd    string  // a username that fails with an error that is not row-level
}

func (g *groupFake) ImportRows(ctx context.Context, rows []Row, ds []account.Draft, mode Mode) ([]Outcome, []error, error) {
	var lines []int
	for _, r := range rows {
		lines = append(lines, r.Line)
	}
	g.groups = append(g.groups, lines)
	saved := make(map[string]bool, len(g.existing))
	for k, v := range g.existing {
		saved[k] = v
	}
	outs, errs := make([]Outcome, len(rows)), make([]error, len(rows))
	for i, r := range rows {
		if ds[i].Account.Username == g.odd {
			errs[i] = errors.New("something odd")
			continue
		}
		out, err := g.ImportRow(ctx, r, ds[i], mode)
		if err != nil && !RowLevel(err) {
			g.existing = saved // the group's transaction rolls back
			return nil, nil, err
		}
		outs[i], errs[i] = out, err
	}
	return outs, errs, nil
}

func TestRunGroups(t *testing.T) {
	var rowsIn []string
	for i := range 7 {
		rowsIn = append(rowsIn, rowWith(map[Column]string{EmailOrDevice: fmt.Sprintf("u%d@example.com", i)}))
	}
	rowsIn[2] = rowWith(map[Column]string{EmailOrDevice: "u2@example.com", MonitorSMS: "sometimes"}) // parse error
	in := file(append([]string{hdr}, rowsIn...)...)

	t.Run("groups, progress, row errors", func(t *testing.T) {
		g := &groupFake{fakeImporter: newFake(), odd: "u6@example.com"}
		g.existing["u4@example.com"] = true
		var progress []int
		res, err := Run(context.Background(), strings.NewReader(in), g, RunOptions{Policy: testPolicy(false), GroupSize: 3,
			Upload: Upload{Mode: Import, Progress: func(done, total int) { progress = append(progress, done) }}})
		require.NoError(t, err)
		assert.Equal(t, [][]int{{2, 3, 5}, {6, 7, 8}}, g.groups, "valid rows only, in groups of 3")
		assert.Equal(t, []Status{StatusImported, StatusImported, StatusFailed, StatusImported, StatusFailed, StatusImported, StatusFailed}, statuses(res.Rows))
		assert.Equal(t, "username.exists", res.Rows[4].ErrorCode)
		assert.Equal(t, CodeImportFailed, res.Rows[6].ErrorCode, "an odd error on a committed group is reported, not lost")
		assert.Contains(t, res.Rows[6].Error, "something odd")
		assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7}, progress, "every row reported once, in order")
	})
	t.Run("fatal error undoes its group only", func(t *testing.T) {
		g := &groupFake{fakeImporter: newFake()}
		g.fatal = "u5@example.com"
		res, err := Run(context.Background(), strings.NewReader(in), g, RunOptions{Upload: Upload{Mode: Import}, Policy: testPolicy(false), GroupSize: 3})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "rows 6 to 8")
		assert.Equal(t, []int{2, 3, 4, 5}, lines(res.Rows), "the first group and the row that failed validation")
		assert.Equal(t, Summary{Total: 4, Imported: 3, Failed: 1}, res.Summary)
		assert.True(t, g.existing["u0@example.com"])
		assert.False(t, g.existing["u4@example.com"], "the failed group kept nothing")
	})
}

func TestRunGroupsGrow(t *testing.T) {
	const n = 2500
	rowsIn := []string{hdr}
	for i := range n {
		rowsIn = append(rowsIn, rowWith(map[Column]string{EmailOrDevice: fmt.Sprintf("u%d@example.com", i)}))
	}
	g := &groupFake{fakeImporter: newFake()}
	res, err := Run(context.Background(), strings.NewReader(file(rowsIn...)), g,
		RunOptions{Upload: Upload{Mode: Import, MaxRows: n}, Policy: testPolicy(false)})
	require.NoError(t, err)
	require.Equal(t, n, res.Summary.Imported)
	var sizes []int
	for _, lines := range g.groups {
		sizes = append(sizes, len(lines))
	}
	assert.Equal(t, []int{DefaultGroupSize, 2 * DefaultGroupSize, 4 * DefaultGroupSize, MaxGroupSize, MaxGroupSize, 200}, sizes,
		"each group twice the one before, up to MaxGroupSize")
}

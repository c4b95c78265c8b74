package batch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/batch/batchtest"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
)

// fakeImporter stands for the service: usernames already taken, a pool of
// free numbers, and the capacity rule of SPEC §4 for invitations.
type fakeImporter struct {
	existing  map[string]bool
	free      map[string]bool // numbers a row may name
	available int             // Available numbers for rows without one
	consent   bool
	fatal     string // a username whose import fails fatally
	calls     []int  // lines, in call order
	modes     []Mode
}

func (f *fakeImporter) ImportRow(ctx context.Context, r Row, d account.Draft, mode Mode) (Outcome, error) {
	f.calls = append(f.calls, r.Line)
	f.modes = append(f.modes, mode)
	a := d.Account
	switch {
	case a.Username == f.fatal:
		return Outcome{}, errors.New("store unreachable")
	case f.existing[a.Username]:
		return Outcome{}, fmt.Errorf("creating %s: %w", a.Username, mlerr.ErrAlreadyExists)
	case mode == ImportInvite && a.Email == "" && !f.consent:
		return Outcome{}, invite.ErrConsentRequired
	}
	if n := d.Number.E164; n != "" {
		if !f.free[n] {
			return Outcome{}, fmt.Errorf("%w: %s", numberpool.ErrNotAvailable, n)
		}
		if mode != ValidateOnly {
			delete(f.free, n)
		}
		return Outcome{Number: n}, nil
	}
	if mode == ImportInvite {
		if f.available == 0 {
			return Outcome{}, fmt.Errorf("inviting: %w", numberpool.ErrNotEnoughNumbers)
		}
		f.available--
	}
	if mode != ValidateOnly {
		f.existing[a.Username] = true
	}
	return Outcome{}, nil
}

func newFake() *fakeImporter {
	return &fakeImporter{existing: map[string]bool{}, free: map[string]bool{"+16282000000": true, "+16282000001": true}}
}

func TestRunModes(t *testing.T) {
	in := file(hdr,
		rowWith(map[Column]string{EmailOrDevice: "a@example.com"}),                                  // 2
		rowWith(map[Column]string{EmailOrDevice: "b@example.com", MonitorCalls: "maybe"}),           // 3: parse error
		rowWith(map[Column]string{EmailOrDevice: "c@example.com", MultilineNumber: "+16282000000"}), // 4
		rowWith(map[Column]string{EmailOrDevice: "d@example.com"}),                                  // 5
	)
	tests := []struct {
		mode   Mode
		status Status
	}{{Import, StatusImported}, {ImportInvite, StatusInvited}, {ValidateOnly, StatusValid}}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			f := newFake()
			f.available = 10
			res, err := Run(context.Background(), strings.NewReader(in), f, RunOptions{Upload: Upload{Mode: tt.mode}, Policy: testPolicy(false)})
			require.NoError(t, err)
			require.Len(t, res.Rows, 4)
			assert.Equal(t, []int{2, 3, 4, 5}, lines(res.Rows), "report in file order")
			assert.Equal(t, []Status{tt.status, StatusFailed, tt.status, tt.status}, statuses(res.Rows))
			assert.Equal(t, CodeMonitorCallsValue, res.Rows[1].ErrorCode)
			assert.Equal(t, "+16282000000", res.Rows[2].MultilineNumber)
			assert.Equal(t, "c@example.com", res.Rows[2].EmailOrDevice)
			assert.NotContains(t, f.calls, 3, "a failed row never reaches the importer")
			for _, m := range f.modes {
				assert.Equal(t, tt.mode, m)
			}
			want := Summary{Total: 4, Failed: 1}
			switch tt.status {
			case StatusImported:
				want.Imported = 3
			case StatusInvited:
				want.Invited = 3
			case StatusValid:
				want.Valid = 3
			}
			assert.Equal(t, want, res.Summary)
		})
	}
}

// TestRunInviteOrder: in Import & Invite the rows with their own number go
// first, so capacity used by the others cannot refuse them; the report keeps
// file order.
func TestRunInviteOrder(t *testing.T) {
	in := file(hdr,
		rowWith(map[Column]string{EmailOrDevice: "a@example.com"}),                                  // 2
		rowWith(map[Column]string{EmailOrDevice: "b@example.com"}),                                  // 3
		rowWith(map[Column]string{EmailOrDevice: "c@example.com", MultilineNumber: "+16282000000"}), // 4
		rowWith(map[Column]string{EmailOrDevice: "d@example.com", MultilineNumber: "+16282000001"}), // 5
	)
	for _, tt := range []struct {
		mode  Mode
		order []int
	}{
		{ImportInvite, []int{4, 5, 2, 3}},
		{Import, []int{2, 3, 4, 5}},
		{ValidateOnly, []int{2, 3, 4, 5}},
	} {
		t.Run(tt.mode.String(), func(t *testing.T) {
			f := newFake()
			f.available = 1
			res, err := Run(context.Background(), strings.NewReader(in), f, RunOptions{Upload: Upload{Mode: tt.mode}, Policy: testPolicy(false)})
			require.NoError(t, err)
			assert.Equal(t, tt.order, f.calls)
			assert.Equal(t, []int{2, 3, 4, 5}, lines(res.Rows))
			if tt.mode == ImportInvite {
				assert.Equal(t, []Status{StatusInvited, StatusFailed, StatusInvited, StatusInvited}, statuses(res.Rows))
				assert.Equal(t, CodeNotEnoughNumbers, res.Rows[1].ErrorCode)
				assert.Contains(t, res.Rows[1].Error, "not enough numbers available")
			}
		})
	}
}

func TestRunProgress(t *testing.T) {
	in := file(hdr,
		rowWith(map[Column]string{EmailOrDevice: "a@example.com"}),
		rowWith(map[Column]string{EmailOrDevice: "b@example.com", MonitorSMS: ""}),
		rowWith(map[Column]string{EmailOrDevice: "c@example.com"}),
	)
	var got [][2]int
	_, err := Run(context.Background(), strings.NewReader(in), newFake(), RunOptions{
		Policy: testPolicy(false),
		Upload: Upload{Progress: func(done, total int) { got = append(got, [2]int{done, total}) }},
	})
	require.NoError(t, err)
	assert.Equal(t, [][2]int{{0, 3}, {1, 3}, {2, 3}, {3, 3}}, got)
}

func TestRunFileRejected(t *testing.T) {
	f := newFake()
	called := false
	_, err := Run(context.Background(), strings.NewReader(file(hdr, good, TemplateNote)), f, RunOptions{
		Policy: testPolicy(false),
		Upload: Upload{Progress: func(int, int) { called = true }},
	})
	assert.Equal(t, ReasonNoteLeftIn, fileErr(t, err).Reason)
	assert.Empty(t, f.calls, "nothing is imported from a rejected file")
	assert.False(t, called)

	// The policy decides whether the restrict column may be used.
	in := file(hdr, rowWith(map[Column]string{RestrictIncomingSocial: "false"}))
	_, err = Run(context.Background(), strings.NewReader(in), newFake(), RunOptions{Policy: testPolicy(false)})
	assert.Equal(t, ReasonRestrictNotAllowed, fileErr(t, err).Reason)
	_, err = Run(context.Background(), strings.NewReader(in), newFake(), RunOptions{Policy: testPolicy(true)})
	assert.NoError(t, err)

	// The row cap is an option.
	_, err = Run(context.Background(), strings.NewReader(file(hdr, good, strings.Replace(good, "ann", "bob", 1))), newFake(),
		RunOptions{Policy: testPolicy(false), Upload: Upload{MaxRows: 1}})
	assert.Equal(t, ReasonTooManyRows, fileErr(t, err).Reason)
}

// TestRunImportFailures: each way an import can fail for one row becomes
// that row's error, with a code, and the batch goes on.
func TestRunImportFailures(t *testing.T) {
	tests := []struct {
		name  string
		cells map[Column]string
		setup func(*fakeImporter)
		mode  Mode
		field string
		code  string
		msg   string
	}{
		{"username exists", map[Column]string{EmailOrDevice: "Ann@Example.com"}, func(f *fakeImporter) { f.existing["ann@example.com"] = true }, Import,
			"email address or device", account.CodeUsernameExists, "already exists"},
		{"number not available", map[Column]string{MultilineNumber: "+16282000009"}, nil, Import,
			"multiline_number", CodeNumberNotAvailable, "+16282000009 is not available in this organization"},
		{"not enough numbers", nil, func(f *fakeImporter) { f.available = 0 }, ImportInvite,
			"multiline_number", CodeNotEnoughNumbers, "not enough numbers available"},
		{"SMS without consent", map[Column]string{EmailOrDevice: "+1 415 200 0001"}, nil, ImportInvite,
			"email address or device", CodeSMSConsentRequired, "consented to receive SMS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake()
			if tt.setup != nil {
				tt.setup(f)
			}
			in := file(hdr, rowWith(tt.cells), rowWith(map[Column]string{EmailOrDevice: "other@example.com", MultilineNumber: "+16282000001"}))
			res, err := Run(context.Background(), strings.NewReader(in), f, RunOptions{Upload: Upload{Mode: tt.mode}, Policy: testPolicy(false)})
			require.NoError(t, err)
			require.Len(t, res.Rows, 2)
			r := res.Rows[0]
			assert.Equal(t, StatusFailed, r.Status)
			assert.Equal(t, tt.code, r.ErrorCode)
			assert.True(t, strings.HasPrefix(r.Error, tt.field), "%q names the column %q", r.Error, tt.field)
			assert.Contains(t, r.Error, tt.msg)
			assert.Equal(t, "", r.MultilineNumber)
			assert.NotEqual(t, StatusFailed, res.Rows[1].Status, "the batch goes on")
		})
	}
}

// fieldImporter fails every row with the given field errors.
type fieldImporter struct{ err error }

func (f fieldImporter) ImportRow(context.Context, Row, account.Draft, Mode) (Outcome, error) {
	return Outcome{}, f.err
}

func TestRunImporterFieldErrors(t *testing.T) {
	err := fmt.Errorf("tx: %w", errors.Join(
		mlerr.Invalid("language", "language.unknown", "x", "Language must be one of ..."),
		mlerr.Exists("email", account.CodeUsernameExists, "ann@example.com", "Email is taken"),
	))
	res, rerr := Run(context.Background(), strings.NewReader(file(hdr, good)), fieldImporter{err}, RunOptions{Policy: testPolicy(false)})
	require.NoError(t, rerr)
	r := res.Rows[0]
	assert.Equal(t, StatusFailed, r.Status)
	// Renamed to columns and sorted in column order.
	assert.Equal(t, "username.exists;language.unknown", r.ErrorCode)
	assert.Equal(t, "email address or device: Email is taken; Language must be one of ...", r.Error)
}

func TestRunFatal(t *testing.T) {
	in := file(hdr,
		rowWith(map[Column]string{EmailOrDevice: "a@example.com"}),
		rowWith(map[Column]string{EmailOrDevice: "boom@example.com"}),
		rowWith(map[Column]string{EmailOrDevice: "c@example.com"}),
	)
	f := newFake()
	f.fatal = "boom@example.com"
	res, err := Run(context.Background(), strings.NewReader(in), f, RunOptions{Policy: testPolicy(false)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "batch: row 3: store unreachable")
	assert.NotErrorIs(t, err, ErrFileRejected)
	assert.Equal(t, []int{2}, lines(res.Rows), "the rows handled before stay reported")
	assert.Equal(t, Summary{Total: 1, Imported: 1}, res.Summary)
	assert.Equal(t, []int{2, 3}, f.calls)
}

// cancelImporter cancels the batch's context during the first row.
type cancelImporter struct {
	cancel context.CancelFunc
	calls  int
}

func (c *cancelImporter) ImportRow(ctx context.Context, r Row, _ account.Draft, _ Mode) (Outcome, error) {
	c.calls++
	c.cancel()
	return Outcome{}, nil
}

func TestRunCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	imp := &cancelImporter{cancel: cancel}
	in := file(hdr, rowWith(map[Column]string{EmailOrDevice: "a@example.com"}), rowWith(map[Column]string{EmailOrDevice: "b@example.com"}))
	res, err := Run(ctx, strings.NewReader(in), imp, RunOptions{Policy: testPolicy(false)})
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, imp.calls)
	assert.Equal(t, []int{2}, lines(res.Rows))
}

func TestModeString(t *testing.T) {
	assert.Equal(t, "Import", Import.String())
	assert.Equal(t, "Import & Invite", ImportInvite.String())
	assert.Equal(t, "Validate only", ValidateOnly.String())
	assert.Equal(t, "Mode(7)", Mode(7).String())
}

func lines(rows []ReportRow) []int {
	var out []int
	for _, r := range rows {
		out = append(out, r.Row)
	}
	return out
}

func statuses(rows []ReportRow) []Status {
	var out []Status
	for _, r := range rows {
		out = append(out, r.Status)
	}
	return out
}

// TestRunGenerated runs the generated 1000-row file the benchmarks use, in
// Import & Invite, through the fake service: every row is invited.
func TestRunGenerated(t *testing.T) {
	const n = 1000
	f := newFake()
	f.consent = true
	f.available = n
	f.free = map[string]bool{}
	for _, num := range batchtest.ExplicitNumbers(n) {
		f.free[num] = true
	}
	res, err := Run(context.Background(), bytes.NewReader(batchtest.GenerateCSV(n)), f, RunOptions{Upload: Upload{Mode: ImportInvite}, Policy: testPolicy(false)})
	require.NoError(t, err)
	assert.Equal(t, Summary{Total: n, Invited: n}, res.Summary)
	assert.Len(t, f.calls, n)
	explicit := len(batchtest.ExplicitNumbers(n))
	for i, line := range f.calls[:explicit] {
		assert.Equal(t, 2+4*i, line, "rows with their own number first, in file order")
	}
}

package batch

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
)

// codedGroup fails every row of a committed group with errs[i].
type codedGroup struct{ errs []error }

func (g codedGroup) ImportRow(context.Context, Row, account.Draft, Mode) (Outcome, error) {
	return Outcome{}, nil
}

func (g codedGroup) ImportRows(_ context.Context, rows []Row, _ []account.Draft, _ Mode) ([]Outcome, []error, error) {
	return make([]Outcome, len(rows)), g.errs[:len(rows)], nil
}

// TestRunRowErrorCodes: a row error a GroupImporter reports that is not one
// of the row-level kinds keeps the code it carries; one without a code is
// row.import_failed.
func TestRunRowErrorCodes(t *testing.T) {
	in := file(hdr,
		rowWith(map[Column]string{EmailOrDevice: "a@example.com"}),
		rowWith(map[Column]string{EmailOrDevice: "b@example.com"}),
	)
	g := codedGroup{errs: []error{mlerr.New("thing.refused", "thing refused"), errors.New("odd")}}
	res, err := Run(context.Background(), strings.NewReader(in), g, RunOptions{Policy: testPolicy(false)})
	require.NoError(t, err)
	require.Len(t, res.Rows, 2)
	assert.Equal(t, "thing.refused", res.Rows[0].ErrorCode)
	assert.Equal(t, CodeImportFailed, res.Rows[1].ErrorCode)
}

// TestFileErrorCode: a file rejection's code is its Reason, however wrapped.
func TestFileErrorCode(t *testing.T) {
	_, err := Parse(strings.NewReader(""), Options{})
	require.ErrorIs(t, err, ErrFileRejected)
	assert.Equal(t, string(ReasonEmpty), mlerr.CodeOf(err))
	assert.Equal(t, CodeFileRejected, mlerr.CodeOf(ErrFileRejected))
}

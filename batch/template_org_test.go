package batch

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWriteTemplateFor: an organization with social messaging gets the
// whole template; one without gets it without the restrict column, and
// its example row (the Note deleted) is valid there.
func TestWriteTemplateFor(t *testing.T) {
	var whole, with bytes.Buffer
	require.NoError(t, WriteTemplate(&whole))
	require.NoError(t, WriteTemplateFor(&with, true))
	assert.Equal(t, whole.String(), with.String())

	var without bytes.Buffer
	require.NoError(t, WriteTemplateFor(&without, false))
	recs, err := csv.NewReader(bytes.NewReader(without.Bytes())).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 3, "header, example row, Note")
	want := slices.DeleteFunc(strings.Split(hdr, ","), func(c string) bool { return c == RestrictIncomingSocial.String() })
	assert.Equal(t, want, recs[0])
	assert.Len(t, want, len(Columns)-1)
	for _, r := range recs {
		assert.Len(t, r, len(want), "every record has the header's cells")
	}
	assert.True(t, isNote(recs[2]))

	_, err = Parse(bytes.NewReader(without.Bytes()), Options{})
	assert.Equal(t, ReasonNoteLeftIn, fileErr(t, err).Reason)
	lines := strings.SplitAfter(without.String(), "\n")
	rows, err := Parse(strings.NewReader(lines[0]+lines[1]), Options{})
	require.NoError(t, err)
	require.Len(t, rows, 1)
	_, err = ValidateRow(rows[0], testPolicy(false))
	assert.NoError(t, err)
}

// TestWriteTemplateForWriteError: a failing writer is an error, not a
// short file.
func TestWriteTemplateForWriteError(t *testing.T) {
	for _, social := range []bool{false, true} {
		assert.Error(t, WriteTemplateFor(failWriter{}, social))
	}
}

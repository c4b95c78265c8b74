package batchtest

import (
	"bytes"
	"encoding/csv"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/numberpool"
)

func TestGenerateCSV(t *testing.T) {
	const n = 1000
	data := GenerateCSV(n)
	assert.Equal(t, data, GenerateCSV(n), "deterministic")
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, n+1)
	assert.Equal(t, Header, string(bytes.SplitN(data, []byte("\n"), 2)[0]))
	users := map[string]bool{}
	var explicit []string
	for i, rec := range recs[1:] {
		dest := rec[2]
		if IsDeviceRow(i) {
			e164, err := numberpool.ParseE164(dest)
			require.NoError(t, err, dest)
			dest = e164
		}
		assert.False(t, users[dest], "unique username %s", dest)
		users[dest] = true
		if rec[4] != "" {
			e164, err := numberpool.ParseE164(rec[4])
			require.NoError(t, err)
			explicit = append(explicit, e164)
		}
	}
	assert.Equal(t, ExplicitNumbers(n), explicit)
	pool := PoolNumbers(2 * n)
	for _, p := range pool {
		e164, err := numberpool.ParseE164(p)
		require.NoError(t, err, p)
		assert.Equal(t, p, e164)
		assert.False(t, slices.Contains(explicit, p))
	}
	// The far end of the documented range is still made of valid numbers.
	for _, s := range []string{Device(799_999), ExplicitNumber(799_999), PoolNumbers(400_000)[399_999]} {
		_, err := numberpool.ParseE164(s)
		assert.NoError(t, err, s)
	}
}

func TestFair(t *testing.T) {
	const n = 200
	rows, size, err := Fair(GenerateCSV(n))
	require.NoError(t, err)
	assert.Equal(t, n, rows)
	assert.Greater(t, size, n*1500, "a text and an HTML body of every row")
	_, _, err = Fair([]byte(Header + "\nA,B,+1 415 000 0000,No,,auto,on,,,\n"))
	assert.Error(t, err, "an invalid number is refused, as the import refuses it")
}

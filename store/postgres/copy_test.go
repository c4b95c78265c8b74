package postgres

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEncodeCopy checks the binary COPY data of one row against the layout
// PostgreSQL reads (the round trip through a server is the conformance
// suite's, TestConformanceCopy): signature, flags, the row's fields with
// their lengths, NULLs as -1, an empty array without dimensions, and the
// trailer.
func TestEncodeCopy(t *testing.T) {
	cols := columnsOf("a, b, c, d, e, f, g, h, i, j, k", kText, kNullText, kJSONB, kTime, kInt, kBool, kBytea, kTexts, kByteas, kJSONB, kJSON)
	at := time.Date(2000, 1, 1, 0, 0, 1, 2999, time.UTC) // 1 s and 2 µs after the epoch; the rest of the ns dropped
	data := copyData(t, cols, [][]any{{"x", "", `{"k":1}`, at, -2, true, []byte(nil), []string{}, [][]byte{{7}, nil}, nil, `[]`}})
	be := binary.BigEndian
	var want []byte
	i32 := func(v int32) { want = be.AppendUint32(want, uint32(v)) }
	want = append(want, "PGCOPY\n\xff\r\n\x00"...)
	i32(0)
	i32(0)
	want = be.AppendUint16(want, 11)
	i32(1)
	want = append(want, 'x')
	i32(-1) // "" as NULL
	i32(8)
	want = append(want, "\x01{\"k\":1}"...)
	i32(8)
	want = be.AppendUint64(want, 1_000_002)
	i32(4)
	i32(-2)
	i32(1)
	want = append(want, 1)
	i32(-1)                              // nil bytes
	i32(12)                              // empty text[]: no dimensions
	i32(0)                               // ndim
	i32(0)                               // no NULLs
	i32(oidText)                         // element type
	i32(20 + 4 + 1 + 4)                  // bytea[] {"\x07", NULL}
	i32(1)                               // ndim
	i32(1)                               // has NULLs
	i32(oidBytea)                        // element type
	i32(2)                               // length
	i32(1)                               // lower bound
	i32(1)                               // element 1
	want = append(want, 7)               //
	i32(-1)                              // element 2: NULL
	i32(-1)                              // nil JSON
	i32(2)                               // json: its text, no version byte
	want = append(want, "[]"...)         //
	want = be.AppendUint16(want, 0xffff) // trailer
	assert.Equal(t, want, data)
}

// copyData returns what a COPY of rows sends: what newCopyReader reads of
// newCopyIn's rows.
func copyData(t *testing.T, cols []column, rows [][]any) []byte {
	t.Helper()
	c := newCopyIn(&copyTo{cols: cols}, rows)
	require.NoError(t, c.err)
	data, err := io.ReadAll(newCopyReader(cols, c.rows))
	require.NoError(t, err)
	return data
}

// TestEncodeCopyBytea checks a bytea field: its length and its bytes as
// they are.
func TestEncodeCopyBytea(t *testing.T) {
	data := copyData(t, columnsOf("h", kBytea), [][]any{{[]byte{0, 1, 0xff}}})
	body := data[len(copySignature)+8:]
	assert.Equal(t, []byte{0, 1, 0, 0, 0, 3, 0, 1, 0xff, 0xff, 0xff}, body, "field count, length 3, the bytes, trailer")
}

// copyRows are rows of every kind of column, of copyCols, for the tests of
// copyReader.
var copyCols = columnsOf("a, b, c, d, e, f, g, h, i, j", kText, kNullText, kJSONB, kTime, kInt, kBool, kBytea, kTexts, kByteas, kJSON)

func copyRows() [][]any {
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	return [][]any{
		{"", "", nil, nil, 0, false, []byte(nil), []string(nil), [][]byte(nil), nil},
		{"x", "y", `{"k":1}`, at, math.MaxInt32, true, []byte{1, 2}, []string{"a", ""}, [][]byte{{7}, nil, {}}, "{}"},
		{strings.Repeat("é", 300), "", `[]`, at, -1, true, bytes.Repeat([]byte{9}, 32), []string{}, [][]byte{}, nil},
		{"", "z", nil, nil, 7, false, []byte(nil), []string{"only"}, [][]byte{nil}, `"s"`},
	}
}

// TestCopyReaderChunks checks that copyReader reads the same data whatever
// the size of the reads (pgconn reads 64 KiB at a time; a row may end
// anywhere in a read), rows that span reads included.
func TestCopyReaderChunks(t *testing.T) {
	want := copyData(t, copyCols, copyRows())
	for _, size := range []int{1, 2, 3, 7, 64, 1 << 16} {
		c := newCopyIn(&copyTo{cols: copyCols}, copyRows())
		r := newCopyReader(copyCols, c.rows)
		var got []byte
		p := make([]byte, size)
		for {
			n, err := r.Read(p)
			got = append(got, p[:n]...)
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err)
			require.Equal(t, size, n, "a read short of the end fills p")
		}
		assert.Equal(t, want, got, "reads of %d bytes", size)
	}
	assert.Equal(t, []byte{0xff, 0xff}, copyData(t, copyCols, nil)[len(copySignature)+8:], "no rows: the trailer alone")
}

// TestNewCopyInOwnsRows checks that a COPY holds none of its caller's
// slices: the rows are encoded as they are sent, after the call that
// queued them has returned and its caller may have reused them.
func TestNewCopyInOwnsRows(t *testing.T) {
	want := copyData(t, copyCols, copyRows())
	rows := copyRows() // the store's own lists, which newCopyIn keeps
	hash, hashes, texts := rows[1][6].([]byte), rows[1][8].([][]byte), rows[1][7].([]string)
	c := newCopyIn(&copyTo{cols: copyCols}, rows)
	hash[0], hashes[0][0], hashes[1], texts[0] = 0xee, 0xee, []byte{1}, "changed" // the caller's slices
	data, err := io.ReadAll(newCopyReader(copyCols, c.rows))
	require.NoError(t, err)
	assert.Equal(t, want, data)
}

// TestEncodeCopyIntRange checks that an integer a column cannot hold is an
// error of the COPY, met when it is queued, not a value wrapped around.
func TestEncodeCopyIntRange(t *testing.T) {
	cols := columnsOf("attempts", kInt)
	for _, n := range []int{math.MaxInt32 + 1, math.MinInt32 - 1} {
		c := newCopyIn(&copyTo{cols: cols}, [][]any{{1}, {n}})
		require.Error(t, c.err, n)
		assert.Contains(t, c.err.Error(), "attempts")
	}
	copyData(t, cols, [][]any{{math.MaxInt32}, {math.MinInt32}})
}

// TestNewCopyInRefusesMisfits checks that a value of the wrong type for its
// column, or a row of the wrong length, fails the COPY when it is queued:
// the rows are encoded later, in pgconn's goroutine, where a panic could
// not be recovered.
func TestNewCopyInRefusesMisfits(t *testing.T) {
	for _, tc := range []struct {
		name string
		rows [][]any
		want string
	}{
		{"an int for text", [][]any{{"x", []byte(nil)}, {1, []byte{1}}}, "int for column a"},
		{"nil for text", [][]any{{nil, []byte{1}}}, "<nil> for column a"},
		{"a string for bytea", [][]any{{"x", "h"}}, "string for column b"},
		{"a short row", [][]any{{"x"}}, "1 values for 2 columns"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCopyIn(&copyTo{table: "t", cols: columnsOf("a, b", kText, kBytea)}, tc.rows)
			require.Error(t, c.err)
			assert.Contains(t, c.err.Error(), tc.want)
		})
	}
	for _, k := range []kind{kText, kNullText, kJSONB, kJSON, kTime, kInt, kBool, kBytea, kTexts, kByteas} {
		for _, row := range copyRows() {
			v := row[slices.IndexFunc(copyCols, func(c column) bool { return c.kind == k })]
			assert.True(t, fits(k, v), "%T fits kind %d", v, k)
		}
	}
}

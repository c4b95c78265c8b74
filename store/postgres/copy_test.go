package postgres

import (
	"bytes"
	"encoding/binary"
	"math"
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
	cols := columnsOf("a, b, c, d, e, f, g, h, i, j", kText, kNullText, kJSON, kTime, kInt, kBool, kBytea, kTexts, kByteas, kJSON)
	at := time.Date(2000, 1, 1, 0, 0, 1, 2999, time.UTC) // 1 s and 2 µs after the epoch; the rest of the ns dropped
	var buf bytes.Buffer
	require.NoError(t, encodeCopy(&buf, cols, [][]any{{"x", "", `{"k":1}`, at, -2, true, []byte(nil), []string{}, [][]byte{{7}, nil}, nil}}))
	be := binary.BigEndian
	var want []byte
	i32 := func(v int32) { want = be.AppendUint32(want, uint32(v)) }
	want = append(want, "PGCOPY\n\xff\r\n\x00"...)
	i32(0)
	i32(0)
	want = be.AppendUint16(want, 10)
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
	want = be.AppendUint16(want, 0xffff) // trailer
	assert.Equal(t, want, buf.Bytes())
}

// TestEncodeCopyBytea checks a bytea field: its length and its bytes as
// they are.
func TestEncodeCopyBytea(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, encodeCopy(&buf, columnsOf("h", kBytea), [][]any{{[]byte{0, 1, 0xff}}}))
	body := buf.Bytes()[len(copySignature)+8:]
	assert.Equal(t, []byte{0, 1, 0, 0, 0, 3, 0, 1, 0xff, 0xff, 0xff}, body, "field count, length 3, the bytes, trailer")
}

// TestCopySize checks that copySize, which encodeCopy grows its buffer by
// before writing, is at least the size of what it writes, for fields of
// every kind: a smaller estimate would let the buffer grow again as it is
// written.
func TestCopySize(t *testing.T) {
	cols := columnsOf("a, b, c, d, e, f, g, h, i, j", kText, kNullText, kJSON, kTime, kInt, kBool, kBytea, kTexts, kByteas, kJSON)
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, rows := range [][][]any{
		nil,
		{{"", "", nil, nil, 0, false, []byte(nil), []string(nil), [][]byte(nil), nil}},
		{{"x", "y", `{"k":1}`, at, math.MaxInt32, true, []byte{1, 2}, []string{"a", ""}, [][]byte{{7}, nil, {}}, "{}"}},
		{{strings.Repeat("é", 300), "", `[]`, at, -1, true, bytes.Repeat([]byte{9}, 32), []string{}, [][]byte{}, nil},
			{"", "z", nil, nil, 7, false, []byte(nil), []string{"only"}, [][]byte{nil}, `"s"`}},
	} {
		var buf bytes.Buffer
		require.NoError(t, encodeCopy(&buf, cols, rows))
		assert.GreaterOrEqual(t, copySize(rows), buf.Len(), "rows %v", rows)
	}
}

// TestEncodeCopyIntRange checks that an integer a column cannot hold is an
// error, not a value wrapped around.
func TestEncodeCopyIntRange(t *testing.T) {
	cols := columnsOf("attempts", kInt)
	for _, n := range []int{math.MaxInt32 + 1, math.MinInt32 - 1} {
		var buf bytes.Buffer
		err := encodeCopy(&buf, cols, [][]any{{n}})
		require.Error(t, err, n)
		assert.Contains(t, err.Error(), "attempts")
	}
	var buf bytes.Buffer
	require.NoError(t, encodeCopy(&buf, cols, [][]any{{math.MaxInt32}, {math.MinInt32}}))
}

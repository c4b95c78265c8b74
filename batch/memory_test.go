package batch

import (
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// endless yields the header, then one quoted cell that never ends: a single
// huge field, streamed, never held by the test.
type endless struct {
	head string
	n    int64 // bytes of the cell still to give
}

func (e *endless) Read(p []byte) (int, error) {
	if e.head != "" {
		n := copy(p, e.head)
		e.head = e.head[n:]
		return n, nil
	}
	if e.n <= 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), e.n)
	for i := range p[:n] {
		p[i] = 'a'
	}
	e.n -= n
	return int(n), nil
}

// TestParseHugeFieldBoundedMemory: a 256 MiB single field is refused as too
// large after MaxBytes, having allocated in proportion to MaxBytes, not to
// the field.
func TestParseHugeFieldBoundedMemory(t *testing.T) {
	const limit = 1 << 20
	src := &endless{head: hdr + "\n\"", n: 256 << 20}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := Parse(src, Options{MaxBytes: limit})
	runtime.ReadMemStats(&after)
	assert.Equal(t, ReasonTooLarge, fileErr(t, err).Reason)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %d bytes for a limit of %d", alloc, limit)
	// encoding/csv grows its record buffer by doubling: a few times the
	// limit, never the 256 MiB offered.
	require.Less(t, alloc, uint64(8*limit))
	assert.Greater(t, src.n, int64(250<<20), "reading stopped at the limit")
}

// TestParseManyBlankLinesBoundedMemory: blank lines and blank rows cost no
// row each.
func TestParseManyBlankLines(t *testing.T) {
	in := hdr + "\n" + strings.Repeat("\n,,,,\r\n", 100000) + good + "\n"
	rows, err := Parse(strings.NewReader(in), Options{})
	require.NoError(t, err)
	require.Len(t, rows, 1)
	assert.Equal(t, 200002, rows[0].Line)
}

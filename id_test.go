package multiline

import (
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewID(t *testing.T) {
	before := time.Now().Add(-time.Millisecond)
	const n = 10000 // more than one buffer of randomness
	got := make([]string, n)
	for i := range got {
		got[i] = newID()
	}
	// The 12 bits after the millisecond step by one when the clock has not
	// moved on, so IDs made faster than 4 096 a millisecond run ahead of
	// the clock: by n/4096 ms at the most.
	after := time.Now().Add(time.Duration(n/4096+1) * time.Millisecond)
	seen := map[string]bool{}
	for i, s := range got {
		u, err := uuid.Parse(s)
		require.NoError(t, err, s)
		require.Equal(t, u.String(), s, "canonical form")
		require.Equal(t, uuid.Version(7), u.Version())
		require.Equal(t, uuid.RFC4122, u.Variant())
		at := time.Unix(u.Time().UnixTime())
		require.False(t, at.Before(before.Truncate(time.Second)) || at.After(after), "time stamp %v", at)
		require.False(t, seen[s], "unique")
		seen[s] = true
		if i > 0 {
			require.Less(t, got[i-1], s, "strictly increasing")
		}
	}
	// The random bits differ between IDs of the same millisecond.
	assert.NotEqual(t, got[0][24:], got[1][24:])
}

func TestNewIDConcurrent(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			prev := ""
			for range 2000 {
				s := newID()
				assert.Less(t, prev, s, "increasing in each goroutine")
				prev = s
				mu.Lock()
				assert.False(t, seen[s])
				seen[s] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	assert.Len(t, seen, 16000)
}

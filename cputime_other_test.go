//go:build !unix

package multiline_test

import "time"

// cpuTime is not measured here: the cpu metrics read zero.
func cpuTime() time.Duration { return 0 }

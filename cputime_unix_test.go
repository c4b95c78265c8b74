//go:build unix

package multiline_test

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time the process has used, user and system, on
// all its threads (the garbage collector's included). On a shared machine
// it moves far less than wall time with the other work, so the benchmarks
// report it beside ns/op.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

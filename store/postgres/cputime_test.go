//go:build linux

package postgres_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// The CPU a benchmark's timed work costs, on both sides of the wire: the
// test process's own (every thread, the garbage collector's included), and
// that of the PostgreSQL backends serving the pool's connections, read
// from /proc when the server runs on this machine (as in CI and on the
// development machines). On a machine whose cores other work shares, CPU
// time moves far less with that work than wall time does, which mostly
// measures the waits for a core.

// clientCPU returns the CPU time the process has used, user and system.
func clientCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// clockTick is the unit of /proc/<pid>/stat's CPU times (USER_HZ), 100 on
// every Linux architecture Go runs the tests on.
const clockTick = 10 * time.Millisecond

// backendCPU returns the CPU time (user and system) process pid has used,
// and false if /proc does not say (another machine's server, another OS).
func backendCPU(pid uint32) (time.Duration, bool) {
	b, err := os.ReadFile("/proc/" + strconv.FormatUint(uint64(pid), 10) + "/stat")
	if err != nil {
		return 0, false
	}
	// The fields after the command's name, which ends at the last ')':
	// state is the first of them, utime the 12th, stime the 13th.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, false
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(u+st) * clockTick, true
}

// serverCPU returns, by backend PID, the CPU time of the backends of the
// pool's idle connections (all of them, between two pieces of work), and
// false if any cannot be read.
func serverCPU(ctx context.Context, pool *pgxpool.Pool) (map[uint32]time.Duration, bool) {
	conns := pool.AcquireAllIdle(ctx)
	defer func() {
		for _, c := range conns {
			c.Release()
		}
	}()
	out := make(map[uint32]time.Duration, len(conns))
	for _, c := range conns {
		pid := c.Conn().PgConn().PID()
		d, ok := backendCPU(pid)
		if !ok {
			return nil, false
		}
		out[pid] = d
	}
	return out, true
}

// cpuMeter measures the CPU of one piece of work through a pool.
type cpuMeter struct {
	pool   *pgxpool.Pool
	client time.Duration
	server map[uint32]time.Duration
	ok     bool
}

// startCPU starts measuring, with every connection of pool idle.
func startCPU(ctx context.Context, pool *pgxpool.Pool) *cpuMeter {
	m := &cpuMeter{pool: pool}
	m.server, m.ok = serverCPU(ctx, pool)
	m.client = clientCPU()
	return m
}

// stop returns the client's CPU since start, and the server's: that of
// the backends of the connections idle now, less what those that were
// idle at the start had used then (a connection opened meanwhile counts
// whole). ok is false when the server's could not be read; a connection
// closed meanwhile is not counted.
func (m *cpuMeter) stop(ctx context.Context) (client, server time.Duration, ok bool) {
	client = clientCPU() - m.client
	now, ok := serverCPU(ctx, m.pool)
	if !ok || !m.ok {
		return client, 0, false
	}
	for pid, d := range now {
		server += d - m.server[pid]
	}
	return client, server, true
}

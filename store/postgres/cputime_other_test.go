//go:build !linux

package postgres_test

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// cpuMeter measures nothing where /proc and getrusage are not at hand:
// the benchmarks then report wall time only.
type cpuMeter struct{}

func startCPU(context.Context, *pgxpool.Pool) *cpuMeter { return &cpuMeter{} }

func (*cpuMeter) stop(context.Context) (client, server time.Duration, ok bool) { return 0, 0, false }

package postgres

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/multilinehq/multiline"
)

// IsolationEnv names the environment variable that sets the isolation level
// of every store the tests make without WithIsolation: "read committed"
// (the default) or "serializable". CI runs the suite at both.
const IsolationEnv = "MULTILINE_PG_ISOLATION"

// envIsolation is the level IsolationEnv names.
var envIsolation = ReadCommitted

func init() {
	v := os.Getenv(IsolationEnv)
	if v == "" {
		return
	}
	level, err := ParseIsolation(v)
	if err != nil {
		// A typo must not run the suite at the default level unnoticed.
		fmt.Fprintf(os.Stderr, "%s: %v\n", IsolationEnv, err)
		os.Exit(2)
	}
	envIsolation = level
	testOptions = []Option{WithIsolation(level)}
}

// EnvIsolation returns the level the tests' stores run at unless a test
// sets one: the level IsolationEnv names, else ReadCommitted. Tests that
// encode one level's behaviour consult it.
func EnvIsolation() Isolation { return envIsolation }

// TxIsolation returns the isolation level a transaction of s runs at, as
// the server reports it ("read committed", "serializable").
func TxIsolation(ctx context.Context, s *Store) (string, error) {
	var level string
	err := s.Tx(ctx, func(ctx context.Context, mtx multiline.Tx) error {
		t := mtx.(*tx)
		if err := t.lock(ctx); err != nil {
			return err
		}
		defer t.unlock()
		return t.query(ctx, scanAll(func(r pgx.Row) error { return r.Scan(&level) }), "SHOW transaction_isolation")
	})
	return level, err
}

// Backoff returns the pause p makes before retry n.
func (p RetryPolicy) Backoff(n int) time.Duration { return p.backoff(n) }

// RetryPolicyOf returns the retry policy of s.
func RetryPolicyOf(s *Store) RetryPolicy { return s.retry }

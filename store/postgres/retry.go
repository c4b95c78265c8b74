package postgres

import (
	"errors"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// DefaultMaxRetries is how many times Tx runs a transaction again after a
// serialization failure or a deadlock unless the store's RetryPolicy says
// otherwise.
//
// It is sized for SERIALIZABLE under contention. There, on PostgreSQL, a
// transaction that waited for the lock of a row (an organization's capacity
// row, say) that the holder then changed fails with a serialization failure
// once the holder commits, and goes to the back of the queue: under the
// multi-instance test's load (three instances importing, inviting, moving
// and activating in two organizations at once) a long transaction was seen
// to need up to 34 attempts with the default pauses, whose sum stays within
// a few seconds. At READ COMMITTED only deadlocks are retried, which are
// rare, so the budget costs nothing there.
const DefaultMaxRetries = 100

// The default bounds of the pause between attempts: the first retry waits
// at most DefaultMinBackoff, each further one up to twice as long as the one
// before, never more than DefaultMaxBackoff.
const (
	DefaultMinBackoff = 2 * time.Millisecond
	DefaultMaxBackoff = 100 * time.Millisecond
)

// RetryPolicy says how Tx runs a transaction again after it failed with a
// serialization failure (SQLSTATE 40001) or a deadlock (40P01). Any other
// failure is returned at once.
//
// The pause before retry n (from 0) is drawn uniformly at random from
// [0, min(MaxBackoff, MinBackoff·2ⁿ)): exponential, so that a contended row
// is tried less often the longer it stays contended, and jittered in full,
// so that the transactions that collided do not collide again in step.
type RetryPolicy struct {
	// MaxRetries is the budget: how many times a failed transaction is run
	// again before Tx returns its failure. 0 never retries.
	MaxRetries int
	// MinBackoff bounds the first pause; MaxBackoff bounds every pause.
	// Zero or negative: no pause.
	MinBackoff, MaxBackoff time.Duration
}

// DefaultRetryPolicy returns the policy of a store made without
// WithRetryPolicy or WithMaxRetries.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxRetries: DefaultMaxRetries, MinBackoff: DefaultMinBackoff, MaxBackoff: DefaultMaxBackoff}
}

// WithRetryPolicy sets how the store retries transactions that failed with
// a serialization failure or a deadlock (default DefaultRetryPolicy). A
// negative budget counts as 0; a MaxBackoff below MinBackoff is raised to
// it.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(s *Store) {
		p.MaxRetries = max(p.MaxRetries, 0)
		p.MaxBackoff = max(p.MaxBackoff, p.MinBackoff)
		s.retry = p
	}
}

// WithMaxRetries sets the budget of the store's RetryPolicy: how many times
// a transaction that failed with a serialization failure (SQLSTATE 40001)
// or a deadlock (40P01) is run again before Tx returns the error (default
// DefaultMaxRetries; 0 never retries). The pauses stay as they are.
func WithMaxRetries(n int) Option {
	return func(s *Store) { s.retry.MaxRetries = max(n, 0) }
}

// backoff returns the pause before retry n (from 0).
func (p RetryPolicy) backoff(n int) time.Duration {
	if p.MinBackoff <= 0 || p.MaxBackoff <= 0 {
		return 0
	}
	bound := p.MaxBackoff
	// MinBackoff·2ⁿ, without overflowing: the doubling stops at the cap.
	if n < 62 && p.MinBackoff <= p.MaxBackoff>>n {
		bound = p.MinBackoff << n
	}
	return time.Duration(rand.Int64N(int64(bound)))
}

// retryable reports an error that running the transaction again may cure.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

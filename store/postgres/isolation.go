package postgres

import (
	"fmt"
	"strings"
)

// Isolation is the isolation level of the store's transactions.
type Isolation int

const (
	// ReadCommitted runs transactions at READ COMMITTED, the default. The
	// store takes the row locks every rule needs itself, so this level is
	// enough, and it is the one that retries least.
	ReadCommitted Isolation = iota
	// Serializable runs transactions at SERIALIZABLE, the default (and on
	// some, the only) level of PostgreSQL-compatible distributed engines.
	// The store's rules hold there too; more transactions fail with a
	// serialization failure, which Tx retries under the store's
	// RetryPolicy.
	Serializable
)

// String returns the level as SQL spells it, "READ COMMITTED" or
// "SERIALIZABLE".
func (i Isolation) String() string {
	switch i {
	case ReadCommitted:
		return "READ COMMITTED"
	case Serializable:
		return "SERIALIZABLE"
	}
	return fmt.Sprintf("Isolation(%d)", int(i))
}

// valid reports a level the store supports.
func (i Isolation) valid() bool { return i == ReadCommitted || i == Serializable }

// ParseIsolation returns the level s names: "read committed" or
// "serializable", in any case, with a space, an underscore or a hyphen
// between the words ("READ_COMMITTED", "read-committed"). It is meant for
// configuration a host reads.
func ParseIsolation(s string) (Isolation, error) {
	norm := strings.ToLower(strings.TrimSpace(s))
	norm = strings.NewReplacer("_", " ", "-", " ").Replace(norm)
	switch strings.Join(strings.Fields(norm), " ") {
	case "read committed":
		return ReadCommitted, nil
	case "serializable":
		return Serializable, nil
	}
	return 0, fmt.Errorf("postgres: unknown isolation level %q (want \"read committed\" or \"serializable\")", s)
}

// WithIsolation sets the isolation level of the store's transactions
// (default ReadCommitted). A level other than ReadCommitted and
// Serializable makes every transaction fail.
func WithIsolation(level Isolation) Option {
	return func(s *Store) { s.isolation = level }
}

// begin returns the statement that begins a transaction at the store's
// level.
func (s *Store) begin() string {
	return "BEGIN ISOLATION LEVEL " + s.isolation.String()
}

// testOptions are applied by New before the caller's options. Nothing but
// the package's own tests sets them (export_test.go, before any test runs):
// they run the whole suite, including tests that build their stores with
// New and no level, at the level MULTILINE_PG_ISOLATION names.
var testOptions []Option

package postgres

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

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

// MigrateTo applies the migrations of s up to version, or, with down,
// rolls them back down to version: the tests of a migration's data move
// start from the schema before it.
func MigrateTo(ctx context.Context, s *Store, version int64, down bool) error {
	quoted := pgx.Identifier{s.schema}.Sanitize()
	if _, err := s.pool.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+quoted); err != nil {
		return err
	}
	cfg := s.pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["search_path"] = quoted
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrationsFS(),
		goose.WithLocker(newRowLocker(s.schema)), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return err
	}
	if down {
		_, err = p.DownTo(ctx, version)
	} else {
		_, err = p.UpTo(ctx, version)
	}
	return err
}

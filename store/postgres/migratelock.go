package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pressly/goose/v3/lock"
)

// MigrationLockTable is the table, in the store's schema, whose one row
// Migrate locks while it applies migrations. Migrate creates it; it holds
// nothing but when the lock was last taken.
const MigrationLockTable = "migration_lock"

// rowLocker is the goose lock.Locker of Migrate. It serializes concurrent
// Migrate calls of one schema with a row lock: an UPDATE of the one row of
// MigrationLockTable, in a READ COMMITTED transaction on a connection of
// its own that stays open while goose applies the migrations on others, and
// commits when goose is done.
//
// It replaces the PostgreSQL session-level advisory lock goose offers,
// which PostgreSQL-compatible engines lack or accept as a no-op: there, two
// instances starting at once would apply the same migration twice. Row
// locks are what the store relies on anyway. The row is written, not only
// read FOR UPDATE: a write's lock is held to commit on every engine, where
// CockroachDB documents the locks of SELECT … FOR UPDATE under
// SERIALIZABLE as best-effort (they may be released early, when a range's
// lease moves). Unlike goose's table locker, which keeps a lease alive with
// a heartbeat and lets another instance take over once it expires, the row
// lock needs no lease: it is held exactly as long as the transaction, and
// the server releases it when the holder's connection ends, even if its
// process dies.
type rowLocker struct {
	table string // schema-qualified and quoted
	conn  *sql.Conn
	tx    *sql.Tx
}

var _ lock.Locker = (*rowLocker)(nil)

func newRowLocker(schema string) *rowLocker {
	return &rowLocker{table: pgx.Identifier{schema, MigrationLockTable}.Sanitize()}
}

// Lock waits until it holds the lock row, or ctx ends.
func (l *rowLocker) Lock(ctx context.Context, db *sql.DB) error {
	if l.tx != nil {
		return errors.New("postgres: migration lock taken twice")
	}
	if err := l.ensure(ctx, db); err != nil {
		return err
	}
	// A serialization failure or deadlock while waiting (an engine whose
	// READ COMMITTED is SERIALIZABLE may report one once the holder
	// commits) is tried again: nothing was done but wait.
	backoff := RetryPolicy{MinBackoff: 10 * time.Millisecond, MaxBackoff: time.Second}
	for attempt := 0; ; attempt++ {
		err := l.take(ctx, db)
		if err == nil {
			return nil
		}
		if !retryable(err) || attempt >= lockRetries {
			return fmt.Errorf("postgres: migration lock: %w", err)
		}
		if err := sleep(ctx, backoff.backoff(attempt)); err != nil {
			return fmt.Errorf("postgres: migration lock: %w", err)
		}
	}
}

// lockRetries bounds the attempts of Lock to take the row after a
// serialization failure.
const lockRetries = 20

// take makes one attempt to lock the row.
func (l *rowLocker) take(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	// READ COMMITTED: at SERIALIZABLE, PostgreSQL would fail the waiter
	// with a serialization failure once the holder commits its write.
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err == nil {
		var res sql.Result
		res, err = tx.ExecContext(ctx, "UPDATE "+l.table+" SET locked_at = now() WHERE id = 1")
		if err == nil {
			if n, _ := res.RowsAffected(); n != 1 {
				err = fmt.Errorf("the row of %s is missing", l.table)
			}
		}
		if err == nil {
			l.conn, l.tx = conn, tx
			return nil
		}
		tx.Rollback()
	}
	conn.Close()
	return err
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Unlock releases the lock row.
func (l *rowLocker) Unlock(ctx context.Context, _ *sql.DB) error {
	if l.tx == nil {
		return errors.New("postgres: migration lock released but not held")
	}
	err := l.tx.Commit()
	if cerr := l.conn.Close(); err == nil {
		err = cerr
	}
	l.conn, l.tx = nil, nil
	if err != nil {
		return fmt.Errorf("postgres: migration lock: release: %w", err)
	}
	return nil
}

// ensure creates the lock table and its row if they do not exist. Instances
// that start at once all run this, before any of them holds the lock: a
// CREATE TABLE IF NOT EXISTS that loses the race with the same statement of
// another instance can fail on PostgreSQL, and is run again, when it finds
// the table.
func (l *rowLocker) ensure(ctx context.Context, db *sql.DB) error {
	const tries = 5
	for try := 1; ; try++ {
		_, err := db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS "+l.table+" (id integer PRIMARY KEY, locked_at timestamptz)")
		if err == nil {
			break
		}
		if try == tries || !isDuplicateTable(err) {
			return fmt.Errorf("postgres: migration lock: create %s: %w", l.table, err)
		}
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO "+l.table+" (id) VALUES (1) ON CONFLICT (id) DO NOTHING"); err != nil {
		return fmt.Errorf("postgres: migration lock: %w", err)
	}
	return nil
}

// isDuplicateTable reports the error of a CREATE TABLE IF NOT EXISTS that
// raced with the same statement of another session: a unique violation of
// the catalog (23505), duplicate_table (42P07), or duplicate_object (42710,
// of the table's row type, as PostgreSQL 18 reports it).
func isDuplicateTable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "23505" || pe.Code == "42P07" || pe.Code == "42710")
}

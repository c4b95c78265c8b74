// Package faultstore wraps a multiline.Store so that one chosen store call
// fails: the Nth call, counting every transaction begun, every method called
// on a transaction and every commit. It is for tests — the SDK's own and a
// host's — that prove an operation hands a store failure back unchanged and
// leaves nothing behind:
//
//	fs := faultstore.New(memory.New())
//	svc, _ := multiline.New(fs)
//	… set up …
//	for n := 1; ; n++ {
//		fs.FailCall(n)
//		_, err := svc.Save(ctx, admin, org, in)
//		if fs.Injected() == nil {
//			break // the operation made fewer than n calls: all were tried
//		}
//		// err must satisfy errors.Is(err, faultstore.ErrInjected) (or be nil
//		// for a failure the operation may absorb), and the store must read
//		// as before.
//	}
//
// A failing Tx returns the fault without running its function; a failing
// transaction method returns zero values and the fault, and the wrapped
// transaction is not called; a failing commit (the call counted after the
// function returned nil) rolls the transaction back, as a commit that fails
// does. Exactly one call fails per FailCall: the calls after it run
// normally, as after a transient failure.
//
// A Store is safe for concurrent use; calls made concurrently are counted
// in the order they take its lock.
package faultstore

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/multilinehq/multiline"
)

// ErrInjected is wrapped by every failure a Store injects.
var ErrInjected = errors.New("faultstore: injected store failure")

// Fault is an injected failure: the call it failed, counted from 1 since
// FailCall, and the method ("Tx" for beginning a transaction, "Commit" for
// its commit). It carries no code (mlerr.CodeOf is ""), as a real store
// failure carries none.
type Fault struct {
	Call   int
	Method string

	commits int // transactions committed before it
}

func (f *Fault) Error() string {
	return fmt.Sprintf("faultstore: injected store failure at call %d (%s)", f.Call, f.Method)
}

// Is reports whether target is ErrInjected.
func (f *Fault) Is(target error) bool { return target == ErrInjected }

// Store wraps a multiline.Store and fails the call chosen with FailCall.
type Store struct {
	inner multiline.Store

	mu       sync.Mutex
	calls    int
	commits  int
	failAt   int
	injected *Fault
}

// New wraps inner. No call fails until FailCall chooses one.
func New(inner multiline.Store) *Store { return &Store{inner: inner} }

// FailCall makes the nth call from now fail (n ≥ 1) and restarts the count;
// n ≤ 0 injects nothing and only restarts the count.
func (s *Store) FailCall(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls, s.commits, s.failAt, s.injected = 0, 0, n, nil
}

// Commits returns how many transactions committed since New or FailCall. A
// test tells with it a failure in an operation's first transaction, which
// must leave the store unchanged, from one in a later step of an operation
// that commits in steps.
func (s *Store) Commits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commits
}

// CommitsBefore returns how many transactions had committed when the
// injected failure happened, or -1 when none was injected.
func (s *Store) CommitsBefore() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.injected == nil {
		return -1
	}
	return s.injected.commits
}

// Calls returns how many calls were counted since New or FailCall.
func (s *Store) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// Injected returns the failure injected since FailCall, or nil when the
// chosen call has not been made.
func (s *Store) Injected() *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.injected
}

// hit counts a call and returns the fault when it is the chosen one.
func (s *Store) hit(method string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.calls != s.failAt {
		return nil
	}
	s.injected = &Fault{Call: s.calls, Method: method, commits: s.commits}
	return s.injected
}

// Tx runs fn in a transaction of the wrapped store, with every call fn makes
// on the transaction counted.
func (s *Store) Tx(ctx context.Context, fn func(ctx context.Context, tx multiline.Tx) error) error {
	if err := s.hit("Tx"); err != nil {
		return err
	}
	err := s.inner.Tx(ctx, func(ctx context.Context, inner multiline.Tx) error {
		if err := fn(ctx, &tx{Tx: inner, s: s}); err != nil {
			return err
		}
		// Failing here rolls back what fn wrote: a commit that fails.
		return s.hit("Commit")
	})
	if err == nil {
		s.mu.Lock()
		s.commits++
		s.mu.Unlock()
	}
	return err
}

// tx counts every call. It embeds the wrapped transaction so that a method
// added to multiline.Tx still compiles here; TestEveryTxMethodWrapped makes
// sure none is left uncounted.
type tx struct {
	multiline.Tx
	s *Store
}

package faultstore

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/store/memory"
)

// TestEveryTxMethodWrapped calls each method of multiline.Tx on a wrapper
// whose wrapped transaction is nil, with the call chosen to fail: a method
// tx.go wraps returns the fault, one it lacks reaches the nil transaction
// and panics.
func TestEveryTxMethodWrapped(t *testing.T) {
	s := New(nil)
	w := reflect.ValueOf(multiline.Tx(&tx{s: s}))
	it := reflect.TypeFor[multiline.Tx]()
	require.Positive(t, it.NumMethod())
	for i := range it.NumMethod() {
		m := it.Method(i)
		t.Run(m.Name, func(t *testing.T) {
			s.FailCall(1)
			fn := w.MethodByName(m.Name)
			args := make([]reflect.Value, fn.Type().NumIn())
			for j := range args {
				args[j] = reflect.Zero(fn.Type().In(j))
			}
			var out []reflect.Value
			require.NotPanics(t, func() { out = fn.Call(args) }, "%s is not wrapped in tx.go", m.Name)
			err, _ := out[len(out)-1].Interface().(error)
			require.ErrorIs(t, err, ErrInjected)
			assert.Equal(t, m.Name, s.Injected().Method)
		})
	}
}

func TestFailCall(t *testing.T) {
	ctx := context.Background()
	o := org.Org{ID: "o1", Name: "O"}
	create := func(s *Store) error {
		return s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
			if err := tx.CreateOrg(ctx, o); err != nil {
				return err
			}
			_, err := tx.Org(ctx, o.ID)
			return err
		})
	}
	stored := func(s *Store) bool {
		var found bool
		require.NoError(t, s.inner.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
			_, err := tx.Org(ctx, o.ID)
			found = err == nil
			return nil
		}))
		return found
	}
	tests := []struct {
		n      int
		method string
	}{{1, "Tx"}, {2, "CreateOrg"}, {3, "Org"}, {4, "Commit"}}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			s := New(memory.New())
			s.FailCall(tt.n)
			err := create(s)
			require.ErrorIs(t, err, ErrInjected)
			assert.Equal(t, "", mlerr.CodeOf(err), "a store failure carries no code")
			var f *Fault
			require.True(t, errors.As(err, &f))
			assert.Equal(t, tt.n, f.Call)
			assert.Equal(t, tt.method, f.Method)
			assert.Equal(t, tt.n, s.Calls(), "nothing is called after the failure")
			assert.False(t, stored(s), "the failed transaction left nothing")

			// One failure per FailCall: the same work now goes through.
			require.NoError(t, create(s))
			assert.True(t, stored(s))
		})
	}
	t.Run("beyond the last call", func(t *testing.T) {
		s := New(memory.New())
		s.FailCall(5)
		require.NoError(t, create(s))
		assert.Nil(t, s.Injected())
		assert.Equal(t, 4, s.Calls())
	})
}

func TestCommits(t *testing.T) {
	ctx := context.Background()
	s := New(memory.New())
	noop := func(context.Context, multiline.Tx) error { return nil }
	s.FailCall(3) // the second transaction's Tx
	require.NoError(t, s.Tx(ctx, noop))
	require.ErrorIs(t, s.Tx(ctx, noop), ErrInjected)
	require.NoError(t, s.Tx(ctx, noop))
	assert.Equal(t, 2, s.Commits())
	assert.Equal(t, 1, s.CommitsBefore())
	s.FailCall(0)
	assert.Equal(t, -1, s.CommitsBefore())
	assert.Zero(t, s.Commits())
}

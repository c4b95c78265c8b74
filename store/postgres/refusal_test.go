package postgres_test

import (
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
	"github.com/multilinehq/multiline/store/faultstore"
	"github.com/multilinehq/multiline/store/postgres"
)

// TestMoveOntoTakenAccountID: on PostgreSQL too, a move onto an Account ID
// the destination uses already is the move's refusal naming the account,
// with a code, and changes nothing (issue 11, defect 9).
func TestMoveOntoTakenAccountID(t *testing.T) {
	in := newInstance(t, newSchema(t), 2)
	tr := newTree(t, in, 0, 0, 0, 0)
	ctx, root := t.Context(), tr.acme.Admin.ID
	newInput := func(email string) account.Input {
		return account.Input{FirstName: "Dup", LastName: "Licate", AccountID: "dup",
			Applications: []org.Application{org.AppMobile}, Email: email}
	}
	moving, err := in.svc.Save(ctx, root, tr.sales.ID, newInput("dup@acme.example"))
	require.NoError(t, err)
	_, err = in.svc.Save(ctx, root, tr.support.ID, newInput("other@acme.example"))
	require.NoError(t, err)

	for _, move := range []func() (multiline.MovePlan, error){
		func() (multiline.MovePlan, error) {
			return in.svc.CanMove(ctx, root, []account.ID{moving.ID}, tr.support.ID, multiline.MoveOptions{})
		},
		func() (multiline.MovePlan, error) {
			return in.svc.Move(ctx, root, []account.ID{moving.ID}, tr.support.ID, multiline.MoveOptions{})
		},
	} {
		_, err := move()
		var me *multiline.MoveError
		require.ErrorAs(t, err, &me)
		assert.Equal(t, moving.ID, me.Account)
		assert.Equal(t, multiline.CodeMoveAccountIDTaken, mlerr.CodeOf(err))
		assert.ErrorIs(t, err, mlerr.ErrAlreadyExists)
	}
	got, err := in.svc.Account(ctx, root, moving.ID)
	require.NoError(t, err)
	assert.Equal(t, tr.sales.ID, got.OrgID, "the refused move left the account where it was")
}

// TestAllocateStoreFailure: on PostgreSQL, a store failure at any call of
// AllocateNumbers comes back as itself, not as "Numbers can be allocated
// only to a direct sub-organization", and moves nothing (issue 11, defect
// 8). The root package's TestStoreFailuresPassThrough runs every operation
// so on the memory store.
func TestAllocateStoreFailure(t *testing.T) {
	schema := newSchema(t)
	in := newInstance(t, schema, 2)
	tr := newTree(t, in, 0, 0, 0, 1)
	ctx, root := t.Context(), tr.acme.Admin.ID
	pool, err := in.svc.ListNumbers(ctx, root, tr.acme.Org.ID, multiline.Page{})
	require.NoError(t, err)
	require.Len(t, pool.Items, 1)
	free := pool.Items[0].E164

	fs := faultstore.New(postgres.New(in.pool, postgres.WithSchema(schema)))
	svc, err := multiline.New(fs, multiline.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	for n := 1; ; n++ {
		fs.FailCall(n)
		err := svc.AllocateNumbers(ctx, root, tr.acme.Org.ID, tr.sales.ID, []string{free})
		if fs.Injected() == nil {
			require.NoError(t, err)
			require.Greater(t, n, 5, "the calls were all tried")
			break
		}
		require.ErrorIs(t, err, faultstore.ErrInjected, "call %d (%s)", n, fs.Injected().Method)
		assert.Empty(t, mlerr.CodeOf(err))
		got, err := in.svc.ListNumbers(ctx, root, tr.acme.Org.ID, multiline.Page{})
		require.NoError(t, err)
		require.Len(t, got.Items, 1, "call %d: the number stays at the root", n)
	}
	got, err := in.svc.ListNumbers(ctx, root, tr.sales.ID, multiline.Page{})
	require.NoError(t, err)
	require.Len(t, got.Items, 1)
	assert.Equal(t, free, got.Items[0].E164)
}

// TestStoreFailuresPassThrough is the root package's test of the same name
// for the single-transaction operations that write accounts and numbers, on
// PostgreSQL: a failure at any store call comes back as itself, never as a
// refusal, and the tables read as before.
func TestStoreFailuresPassThrough(t *testing.T) {
	schema := newSchema(t)
	in := newInstance(t, schema, 2)
	tr := newTree(t, in, 0, 3, 0, 0)
	ctx, root := t.Context(), tr.acme.Admin.ID
	free, err := in.svc.ListNumbers(ctx, root, tr.sales.ID, multiline.Page{})
	require.NoError(t, err)
	require.Len(t, free.Items, 3)
	fs := faultstore.New(postgres.New(in.pool, postgres.WithSchema(schema)))
	svc, err := multiline.New(fs, multiline.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)

	newInput := func(id, number string) account.Input {
		return account.Input{FirstName: "F", LastName: id, AccountID: id, Applications: []org.Application{org.AppMobile},
			Email: id + "@acme.example", AssignNumber: number}
	}
	saved, err := in.svc.Save(ctx, root, tr.sales.ID, newInput("saved", free.Items[0].E164))
	require.NoError(t, err)
	other, err := in.svc.Save(ctx, root, tr.sales.ID, newInput("other", free.Items[1].E164))
	require.NoError(t, err)

	type state struct {
		Accounts []account.Account
		Numbers  []string
		Audit    int
	}
	read := func() state {
		var s state
		for _, o := range []org.ID{tr.acme.Org.ID, tr.sales.ID, tr.support.ID} {
			as, err := in.svc.ListAccounts(ctx, root, o, multiline.Page{Limit: multiline.MaxPageSize})
			require.NoError(t, err)
			s.Accounts = append(s.Accounts, as.Items...)
			ns, err := in.svc.ListNumbers(ctx, root, o, multiline.Page{Limit: multiline.MaxPageSize})
			require.NoError(t, err)
			for _, n := range ns.Items {
				s.Numbers = append(s.Numbers, fmt.Sprintf("%s %s %s %s", n.E164, n.OrgID, n.State, n.AccountID))
			}
			ev, err := in.svc.ListAudit(ctx, root, o, multiline.Page{Limit: multiline.MaxPageSize})
			require.NoError(t, err)
			s.Audit += len(ev.Items)
		}
		return s
	}
	// Each operation runs after the ones before it succeeded.
	ops := []struct {
		name string
		run  func() error
	}{
		{"Save", func() error {
			_, err := svc.Save(ctx, root, tr.sales.ID, newInput("new", free.Items[2].E164))
			return err
		}},
		{"Move", func() error {
			_, err := svc.Move(ctx, root, []account.ID{saved.ID}, tr.support.ID, multiline.MoveOptions{})
			return err
		}},
		{"Suspend", func() error { return svc.Suspend(ctx, root, []account.ID{other.ID}) }},
		{"Delete", func() error { return svc.Delete(ctx, root, []account.ID{saved.ID, other.ID}) }},
	}
	for _, op := range ops {
		for n := 1; ; n++ {
			before := read()
			fs.FailCall(n)
			err := op.run()
			fault := fs.Injected()
			if fault == nil {
				require.NoError(t, err, "%s without a fault", op.name)
				require.Greater(t, n, 3, "%s: every call was tried", op.name)
				break
			}
			at := fmt.Sprintf("%s: call %d (%s)", op.name, n, fault.Method)
			require.ErrorIs(t, err, faultstore.ErrInjected, at)
			assert.Empty(t, mlerr.CodeOf(err), at)
			assert.NotErrorIs(t, err, mlerr.ErrInvalid, at)
			assert.NotErrorIs(t, err, mlerr.ErrNotFound, at)
			assert.NotErrorIs(t, err, permissions.ErrForbidden, at)
			require.Equal(t, before, read(), "%s changed the tables", at)
		}
	}
}

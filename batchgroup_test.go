package multiline_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/store/memory"
)

// wrappedStore is a store whose transactions go through wrap: the tests
// give a Tx answers a concurrent transaction could have caused.
type wrappedStore struct {
	multiline.Store
	wrap func(multiline.Tx) multiline.Tx
}

func (s wrappedStore) Tx(ctx context.Context, fn func(context.Context, multiline.Tx) error) error {
	return s.Store.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error { return fn(ctx, s.wrap(tx)) })
}

// racedStore is a memory store whose key checks answer as they would have
// before a concurrent transaction took the keys: every key is free, so a
// group that meets a taken key learns it only when it writes its accounts.
func racedStore() multiline.Store {
	return wrappedStore{memory.New(), func(tx multiline.Tx) multiline.Tx { return racedTx{tx} }}
}

type racedTx struct{ multiline.Tx }

func (t racedTx) AccountConflicts(ctx context.Context, as []account.Account) ([]error, error) {
	return make([]error, len(as)), nil
}

// byRowStore makes every group of an import fall back to the row-by-row
// way, as a group that lost a race to a concurrent transaction does: its
// group writes fail as if a key had been taken meanwhile.
func byRowStore() multiline.Store {
	return wrappedStore{memory.New(), func(tx multiline.Tx) multiline.Tx { return byRowTx{tx} }}
}

type byRowTx struct{ multiline.Tx }

func (byRowTx) CreateAccounts(context.Context, []account.Account) error {
	return &multiline.UniqueError{Key: "username", Value: "taken meanwhile"}
}

// groupFixture is Sales with four free numbers, a number Support holds, and
// an account whose username the file repeats.
func groupFixture(t *testing.T, store multiline.Store) *fixture {
	f := newFixtureOn(t, store)
	f.numbers(t, f.sales.ID, nums("+14155550101", "+14155550102", "+14155550104", "+14155550105")...)
	f.numbers(t, f.support.ID, nums("+14155550109")...)
	_, err := f.svc.Save(ctx, f.salesAdmin, f.sales.ID, input("taken"))
	require.NoError(t, err)
	return f
}

// groupFile has a row of every outcome the group way decides itself. The
// rows naming their numbers go first, so two numbers are left for the
// others.
var groupFile = []string{
	"A,A,a@acme.example,No,,auto,on,,",             // invited: the first free number's worth
	"B,B,taken@acme.example,No,,auto,on,,",         // username stored already: weighs nothing
	"C,C,c@acme.example,No,+14155550109,auto,on,,", // Support's number
	"D,D,d@acme.example,No,+14155550199,auto,on,,", // no such number
	"E,E,e@acme.example,No,+14155550102,auto,on,,", // its own number
	"F,F,+14155550123,No,,auto,on,,",               // SMS without consent
	"G,G,g@acme.example,No,,auto,on,,",             // invited: the second
	"I,I,i@acme.example,No,,auto,on,,",             // no capacity left
	"J,J,j@acme.example,No,+14155550101,auto,on,,", // its own number
	"K,K,k@acme.example,No,,auto,on,,",             // no capacity left
}

func TestImportGroupMatchesRowByRow(t *testing.T) {
	run := func(t *testing.T, store multiline.Store, mode batch.Mode) []string {
		f := groupFixture(t, store)
		before := f.snapshot(t)
		rec, err := f.svc.ImportBatch(ctx, f.salesAdmin, f.sales.ID, csvOf(groupFile...), multiline.BatchOptions{Mode: mode})
		require.NoError(t, err)
		var got []string
		for _, r := range rec.Rows {
			got = append(got, fmt.Sprintf("%d %s %s %s %q", r.Row, r.Status, r.MultilineNumber, r.ErrorCode, r.Error))
		}
		after := f.snapshot(t)
		var states []string
		for n, st := range after.numbers {
			states = append(states, n+"="+string(st))
		}
		sort.Strings(states)
		got = append(got,
			fmt.Sprintf("accounts +%d, messages +%d, audit events +%d", after.accounts-before.accounts,
				after.messages-before.messages, after.audit-before.audit),
			strings.Join(states, " "),
			fmt.Sprintf("sales capacity %+v", f.capacity(t, f.sales.ID)),
			fmt.Sprintf("summary %+v, %d sent", rec.Summary, len(f.outbox.Messages())))
		return got
	}
	for _, mode := range []batch.Mode{batch.Import, batch.ImportInvite} {
		t.Run(mode.String(), func(t *testing.T) {
			grouped := run(t, memory.New(), mode)
			byRow := run(t, byRowStore(), mode)
			raced := run(t, racedStore(), mode)
			assert.Equal(t, byRow, grouped, "the group way decides every row as the row-by-row way does")
			assert.Equal(t, byRow, raced, "a group that loses a race falls back to the row-by-row way")
			// The outcomes are the file's, not an accident of both ways.
			assert.Contains(t, grouped[1], "username.exists")
			assert.Contains(t, grouped[2], "assign_number.not_available")
			assert.Contains(t, grouped[3], "assign_number.not_available")
			assert.Contains(t, grouped[4], "+14155550102")
			assert.Contains(t, grouped[8], "+14155550101")
			if mode == batch.ImportInvite {
				assert.Contains(t, grouped[0], "invited")
				assert.Contains(t, grouped[5], "sms_consent.required")
				assert.Contains(t, grouped[6], "invited")
				assert.Contains(t, grouped[7], "number.not_enough")
				assert.Contains(t, grouped[9], "number.not_enough")
			} else {
				assert.Contains(t, grouped[9], "imported")
			}
			t.Log(strings.Join(grouped, "\n"))
		})
	}
}

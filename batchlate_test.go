package multiline_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/store/memory"
)

// staleStore answers Capacity, until the transaction locks the
// organization, with counts a concurrent transaction has since changed: a
// hundred more Available numbers than there are. A group that locks late
// decides its rows on those counts, so only its check under the lock can
// keep the invariant.
func staleStore() multiline.Store {
	return wrappedStore{memory.New(), func(tx multiline.Tx) multiline.Tx { return &staleTx{Tx: tx} }}
}

type staleTx struct {
	multiline.Tx
	locked bool
}

func (t *staleTx) LockOrg(ctx context.Context, o org.ID) error {
	t.locked = true
	return t.Tx.LockOrg(ctx, o)
}

func (t *staleTx) Capacity(ctx context.Context, o org.ID) (numberpool.Capacity, error) {
	c, err := t.Tx.Capacity(ctx, o)
	if !t.locked {
		c.Available += 100
	}
	return c, err
}

// callsStore records the calls of each transaction in txs.
func callsStore(txs *[]*callsTx) multiline.Store {
	return wrappedStore{memory.New(), func(tx multiline.Tx) multiline.Tx {
		c := &callsTx{Tx: tx}
		*txs = append(*txs, c)
		return c
	}}
}

type callsTx struct {
	multiline.Tx
	calls []string
}

func (t *callsTx) LockOrg(ctx context.Context, o org.ID) error {
	t.calls = append(t.calls, "LockOrg")
	return t.Tx.LockOrg(ctx, o)
}

func (t *callsTx) CreateAccounts(ctx context.Context, as []account.Account) error {
	t.calls = append(t.calls, "CreateAccounts")
	return t.Tx.CreateAccounts(ctx, as)
}

func (t *callsTx) UpdateBatch(ctx context.Context, b batch.Record) error {
	t.calls = append(t.calls, "UpdateBatch")
	return t.Tx.UpdateBatch(ctx, b)
}

func TestImportGroupLocksLate(t *testing.T) {
	var txs []*callsTx
	f := newFixtureOn(t, callsStore(&txs))
	f.numbers(t, f.sales.ID, nums("+14155550101", "+14155550102", "+14155550103")...)
	txs = nil
	rec, err := f.svc.ImportBatch(ctx, f.salesAdmin, f.sales.ID,
		csvOf("A,A,a@acme.example,No,,auto,on,,", "B,B,b@acme.example,No,+14155550102,auto,on,,"),
		multiline.BatchOptions{Mode: batch.ImportInvite})
	require.NoError(t, err)
	require.Equal(t, 2, rec.Summary.Invited, "%+v", rec.Summary)
	var group []string
	for _, tx := range txs {
		if len(tx.calls) > 0 && tx.calls[0] == "CreateAccounts" {
			group = tx.calls
		}
	}
	assert.Equal(t, []string{"CreateAccounts", "UpdateBatch", "LockOrg"}, group,
		"the group's transaction locks its organization after its writes and its checkpoint, and once")
}

func TestImportLateGroupStaleCounts(t *testing.T) {
	run := func(t *testing.T, store multiline.Store) []string {
		f := groupFixture(t, store)
		rec, err := f.svc.ImportBatch(ctx, f.salesAdmin, f.sales.ID, csvOf(groupFile...), multiline.BatchOptions{Mode: batch.ImportInvite})
		require.NoError(t, err)
		var got []string
		for _, r := range rec.Rows {
			got = append(got, fmt.Sprintf("%d %s %s %s", r.Row, r.Status, r.MultilineNumber, r.ErrorCode))
		}
		return got
	}
	want := run(t, byRowStore())
	got := run(t, staleStore())
	assert.Equal(t, want, got, "counts that changed before the lock never let a row past the invariant")
	assert.Contains(t, got[7], "number.not_enough")
	assert.Contains(t, got[9], "number.not_enough")
}

func TestImportLateGroupAlert(t *testing.T) {
	run := func(t *testing.T, store multiline.Store) []string {
		f := newFixtureOn(t, store)
		_, err := f.svc.UpdateOrgSettings(ctx, f.root, f.sales.ID, org.Settings{
			UtilizationAlert: org.Set(50), AlertRecipients: org.Set([]string{"noc@acme.example"}),
		})
		require.NoError(t, err)
		f.numbers(t, f.sales.ID, nums("+14155550101", "+14155550102", "+14155550103", "+14155550104")...)
		rec, err := f.svc.ImportBatch(ctx, f.salesAdmin, f.sales.ID, csvOf(
			"A,A,a@acme.example,No,+14155550101,auto,on,,",
			"B,B,b@acme.example,No,+14155550102,auto,on,,",
			"C,C,c@acme.example,No,+14155550103,auto,on,,"), multiline.BatchOptions{Mode: batch.ImportInvite})
		require.NoError(t, err)
		require.Equal(t, 3, rec.Summary.Invited)
		_, err = f.svc.DeliverPending(ctx)
		require.NoError(t, err)
		var alerts []string
		for _, m := range f.outbox.Messages() {
			if m.Kind == invite.KindAdmin && strings.Contains(m.Subject, "utilization alert") {
				alerts = append(alerts, m.Subject+" | "+m.Text)
			}
		}
		return alerts
	}
	want := run(t, byRowStore())
	got := run(t, memory.New())
	assert.Equal(t, want, got, "the alert a group's rows raise is the one the rows raise one by one")
	require.NotEmpty(t, got)
	assert.Contains(t, got[0], "uses 2 of its 4 numbers", "raised at the row that crossed the threshold")
}

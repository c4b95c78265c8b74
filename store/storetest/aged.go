package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/numberpool"
)

// testAgedNumbers checks AgedNumbers: the Aging numbers of every
// organization whose quarantine is over, by E.164, and nothing else.
func testAgedNumbers(t *testing.T, newStore func(*testing.T) multiline.Store) {
	f := newFixture(t, newStore)
	a, b := f.createOrg(""), f.createOrg("")
	// In a: one released to Aging, one Assigned, one Available; in b: one
	// released to Aging a quarantine later than the first.
	na := f.createNumbers(a.ID, 3)
	nb := f.createNumbers(b.ID, 1)
	for _, tr := range []transition{assign, releaseAging} {
		require.NoError(t, f.apply(na[0].E164, tr))
	}
	require.NoError(t, f.apply(na[1].E164, assign))
	require.NoError(t, f.apply(nb[0].E164, assign))
	require.NoError(t, f.do(func(ctx context.Context, tx multiline.Tx) error {
		n, err := tx.Number(ctx, nb[0].E164)
		if err != nil {
			return err
		}
		if n, err = n.Release(base.Add(quarantine), quarantine); err != nil {
			return err
		}
		return tx.UpdateNumber(ctx, n)
	}))
	first, second := f.number(na[0].E164), f.number(nb[0].E164)
	require.Equal(t, numberpool.Aging, first.State)
	require.Equal(t, base.Add(quarantine), first.AgingUntil)

	// aged lists the aged numbers until `until` quarantines after base.
	aged := func(until, limit int) []string {
		ns := get(f, func(ctx context.Context, tx multiline.Tx) ([]numberpool.Number, error) {
			return tx.AgedNumbers(ctx, base.Add(time.Duration(until)*quarantine), limit)
		})
		var out []string
		for _, n := range ns {
			out = append(out, n.E164)
		}
		return out
	}
	assert.Empty(t, aged(0, 10), "no quarantine is over yet")
	assert.Equal(t, []string{first.E164}, aged(1, 10), "over exactly at its end")
	assert.Equal(t, []string{first.E164, second.E164}, aged(2, 10), "every organization, by E.164")
	assert.Equal(t, []string{first.E164}, aged(2, 1), "up to the limit")
	assert.Len(t, aged(2, 0), 2, "a limit below 1 is brought within bounds")

	// Once it has ended, the number is no longer Aging and no longer listed.
	require.NoError(t, f.apply(first.E164, endAging))
	assert.Equal(t, []string{second.E164}, aged(2, 10))
}

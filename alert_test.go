package multiline_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/org"
)

func TestUtilizationAlert(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.UpdateOrgSettings(ctx, f.root, f.sales.ID, org.Settings{
		UtilizationAlert: org.Set(50), AlertRecipients: org.Set([]string{"noc@acme.example", "cfo@acme.example"}),
	})
	require.NoError(t, err)
	f.numbers(t, f.sales.ID, nums("+14155550101", "+14155550102", "+14155550103", "+14155550104")...)

	alerts := func() []invite.Message {
		_, err := f.svc.DeliverPending(ctx)
		require.NoError(t, err)
		var out []invite.Message
		for _, m := range f.outbox.Messages() {
			if m.Kind == invite.KindAdmin {
				out = append(out, m)
			}
		}
		return out
	}
	save := func(id, number string) {
		in := input(id)
		in.AssignNumber = number
		_, err := f.svc.Save(ctx, f.salesAdmin, f.sales.ID, in)
		require.NoError(t, err)
	}
	save("a", "+14155550101") // 25 %: below
	assert.Empty(t, alerts())
	save("b", "+14155550102") // 50 %: crosses
	got := alerts()
	require.Len(t, got, 2, "one per recipient")
	assert.Equal(t, "noc@acme.example", got[0].To)
	assert.Contains(t, got[0].Subject, "Sales at 50%")
	assert.Contains(t, got[0].Text, "uses 2 of its 4 numbers")
	save("c", "+14155550103") // 75 %: still above, no new alert
	assert.Len(t, alerts(), 2)

	// Withdrawing the last free number back to the parent raises Sales to
	// 100 %; Sales is above already, so nothing new. The root has no
	// threshold: nothing there either.
	require.NoError(t, f.svc.WithdrawNumbers(ctx, f.root, f.sales.ID, []string{"+14155550104"}))
	assert.Len(t, alerts(), 2)
	l, err := f.svc.ListAudit(ctx, f.root, f.sales.ID, multiline.Page{Limit: multiline.MaxPageSize})
	require.NoError(t, err)
	n := 0
	for _, e := range l.Items {
		if e.Action == "org.utilization_alert" {
			n++
		}
	}
	assert.Equal(t, 1, n, "the alert is audited once")
}

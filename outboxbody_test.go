package multiline_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/invite"
)

// attempts is a notifier that records every attempt, failed or not, and
// fails while fail is set.
type attempts struct {
	mu   sync.Mutex
	all  []invite.Message
	fail error
}

func (a *attempts) Send(_ context.Context, m invite.Message) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.all = append(a.all, m)
	return a.fail
}

// An invitation message is stored without its body; a retry renders it
// again, the same as the first attempt's, and the outbox keeps the secret
// (the link's token) only until the message is sent.
func TestRetriedInvitationIsRenderedAgain(t *testing.T) {
	f := newFixture(t)
	f.numbers(t, f.sales.ID, nums("+14155550101")...)
	n := &attempts{fail: errors.New("421 mail server down")}
	svc, err := multiline.New(f.store, multiline.WithNotifier(n), multiline.WithClock(f.clock.Now),
		multiline.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)

	res, err := svc.SaveAndInvite(ctx, f.salesAdmin, f.sales.ID, input("u1"), multiline.InviteOptions{})
	require.NoError(t, err)
	require.Equal(t, invite.Failed, res.Delivery.State)
	require.Len(t, n.all, 1)
	first := n.all[0]
	requireStoredWithoutBody(t, f, first)

	n.mu.Lock()
	n.fail = nil
	n.mu.Unlock()
	f.clock.Advance(time.Hour)
	rep, err := svc.DeliverPending(ctx)
	require.NoError(t, err)
	assert.Equal(t, multiline.DeliveryReport{Sent: 1}, rep)
	require.Len(t, n.all, 2)
	again := n.all[1]
	assert.Equal(t, first.Attempts+1, again.Attempts)
	again.State, again.Attempts, again.LastError, again.NextAttempt = first.State, first.Attempts, first.LastError, first.NextAttempt
	assert.Equal(t, first, again, "the retry sends what the first attempt did")

	require.NoError(t, f.store.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		stored, err := tx.Message(ctx, first.ID)
		require.NoError(t, err)
		assert.Equal(t, invite.Sent, stored.State)
		assert.Empty(t, stored.Secret, "once sent, no usable link")
		return nil
	}))
}

// An import's group queues its invitations as SaveAndInvite does: stored
// without their body, sent with it (the first attempt's body is the one the
// group rendered), and the messages it hands to the notifier are not changed
// by the storing.
func TestImportedInvitationIsStoredWithoutBody(t *testing.T) {
	f := newFixture(t)
	n := &attempts{fail: errors.New("421 mail server down")}
	svc, err := multiline.New(f.store, multiline.WithNotifier(n), multiline.WithClock(f.clock.Now),
		multiline.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)

	f.numbers(t, f.sales.ID, nums("+14155550101", "+14155550102")...)
	rec, err := svc.ImportBatch(ctx, f.salesAdmin, f.sales.ID, csvOf(
		"Ann,Lee,ann@acme.example,No,+14155550101,auto,on,,English",
		"Bob,Ray,bob@acme.example,No,+14155550102,off,off,,it",
	), multiline.BatchOptions{Mode: batch.ImportInvite})
	require.NoError(t, err)
	require.Equal(t, 2, rec.Summary.Invited, rec.Rows)
	require.Len(t, n.all, 2)
	for _, sent := range n.all {
		requireStoredWithoutBody(t, f, sent)
	}
}

// requireStoredWithoutBody checks that sent, an email as the notifier was
// given it, went with its body and that the store keeps it without: no
// text, no HTML, the same subject, and the secret until it is sent.
func requireStoredWithoutBody(t *testing.T, f *fixture, sent invite.Message) {
	t.Helper()
	require.NotEmpty(t, sent.Text)
	require.NotEmpty(t, sent.HTML, "an email has an HTML body")
	assert.Contains(t, sent.Text, sent.Secret)
	require.NoError(t, f.store.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		stored, err := tx.Message(ctx, sent.ID)
		require.NoError(t, err)
		assert.Empty(t, stored.Text, "the body is not stored")
		assert.Empty(t, stored.HTML)
		assert.Equal(t, sent.Secret, stored.Secret, "the secret is, until the message is sent")
		assert.Equal(t, sent.Subject, stored.Subject)
		return nil
	}))
}

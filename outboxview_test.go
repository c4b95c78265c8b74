package multiline_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/notify"
	"github.com/multilinehq/multiline/permissions"
)

func TestListMessages(t *testing.T) {
	var mu sync.Mutex
	secrets := map[string]string{} // by recipient
	var f *fixture
	echoing := notify.Func(func(ctx context.Context, m invite.Message) error {
		mu.Lock()
		secrets[m.To] = m.Secret
		mu.Unlock()
		if m.To == "u2@acme.example" {
			// A server that quotes the link back in its refusal.
			return fmt.Errorf("550 URL blocklisted: https://multiline.example/activate/%s", m.Secret)
		}
		return f.outbox.Send(ctx, m)
	})
	f = newFixture(t, multiline.WithNotifier(echoing))
	f.numbers(t, f.sales.ID, nums("+14155550101", "+14155550102")...)
	f.numbers(t, f.support.ID, nums("+14155550103")...)

	u1, err := f.svc.SaveAndInvite(ctx, f.salesAdmin, f.sales.ID, input("u1"), multiline.InviteOptions{})
	require.NoError(t, err)
	f.clock.Advance(time.Second)
	u2, err := f.svc.SaveAndInvite(ctx, f.salesAdmin, f.sales.ID, input("u2"), multiline.InviteOptions{})
	require.NoError(t, err)
	require.Equal(t, invite.Failed, u2.Delivery.State)
	_, err = f.svc.SaveAndInvite(ctx, f.supportAdmin, f.support.ID, input("s1"), multiline.InviteOptions{})
	require.NoError(t, err)

	l, err := f.svc.ListMessages(ctx, f.salesReports, f.sales.ID, multiline.Page{})
	require.NoError(t, err)
	require.Len(t, l.Items, 2, "Sales' messages only")
	assert.Empty(t, l.Next)

	failed, sent := l.Items[0], l.Items[1]
	assert.Equal(t, "u2@acme.example", failed.To, "newest first")
	assert.Equal(t, u2.Account.ID, failed.AccountID)
	assert.Equal(t, invite.KindInvitation, failed.Kind)
	assert.Equal(t, invite.Email, failed.Channel)
	assert.Equal(t, invite.Failed, failed.State)
	assert.Equal(t, 1, failed.Attempts)
	assert.Contains(t, failed.LastError, "550 URL blocklisted")
	assert.NotEmpty(t, failed.NextAttempt)
	assert.Empty(t, failed.SentAt)

	assert.Equal(t, "u1@acme.example", sent.To)
	assert.Equal(t, u1.Account.ID, sent.AccountID)
	assert.Equal(t, invite.Sent, sent.State)
	assert.Equal(t, 1, sent.Attempts)
	assert.NotEmpty(t, sent.SentAt)
	assert.Empty(t, sent.NextAttempt)
	assert.True(t, sent.Created.Before(failed.Created))

	// Never the body, the link or the token, not even through an error
	// that quotes them.
	all := fmt.Sprintf("%#v", l)
	for to, secret := range secrets {
		require.NotEmpty(t, secret, to)
		assert.NotContains(t, all, secret, "the token of %s", to)
	}
	assert.NotContains(t, all, "Hello", "no body text")

	// Paginated with the opaque cursor.
	p1, err := f.svc.ListMessages(ctx, f.salesReports, f.sales.ID, multiline.Page{Limit: 1})
	require.NoError(t, err)
	require.Len(t, p1.Items, 1)
	require.NotEmpty(t, p1.Next)
	p2, err := f.svc.ListMessages(ctx, f.salesReports, f.sales.ID, multiline.Page{Limit: 1, After: p1.Next})
	require.NoError(t, err)
	assert.Equal(t, []multiline.MessageView{failed}, p1.Items)
	assert.Equal(t, []multiline.MessageView{sent}, p2.Items)
	assert.Empty(t, p2.Next)

	// Accounts alone is not enough; another tenant learns nothing.
	for _, actor := range []string{"salesAdmin", "globexAdmin"} {
		a := map[string]func() error{
			"salesAdmin": func() error {
				_, err := f.svc.ListMessages(ctx, f.salesAdmin, f.sales.ID, multiline.Page{})
				return err
			},
			"globexAdmin": func() error {
				_, err := f.svc.ListMessages(ctx, f.globexAdmin, f.sales.ID, multiline.Page{})
				return err
			},
		}[actor]
		assert.ErrorIs(t, a(), permissions.ErrForbidden, actor)
	}
}

// zeroes is a random source of zero bytes: no jitter at all.
type zeroes struct{}

func (zeroes) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestRetryJitter: a retry waits the backoff plus up to half of it, drawn
// from the service's random source, so that messages that failed together
// do not retry in lock-step.
func TestRetryJitter(t *testing.T) {
	policy := multiline.WithDeliveryPolicy(multiline.DeliveryPolicy{MaxAttempts: 5, Backoff: time.Minute, MaxBackoff: time.Hour, Lease: time.Minute})
	fail := errors.New("421 mail server down")
	nextAttempts := func(t *testing.T, f *fixture, n int) []time.Time {
		t.Helper()
		var e164s []string
		for i := range n {
			e164s = append(e164s, fmt.Sprintf("+1415555%04d", 200+i))
		}
		f.numbers(t, f.sales.ID, nums(e164s...)...)
		f.outbox.Fail(fail)
		var out []time.Time
		for i := range n {
			res, err := f.svc.SaveAndInvite(ctx, f.salesAdmin, f.sales.ID, input(fmt.Sprintf("j%d", i)), multiline.InviteOptions{})
			require.NoError(t, err)
			require.Equal(t, invite.Failed, res.Delivery.State)
			var m invite.Message
			require.NoError(t, f.store.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
				inv, err := tx.Invitation(ctx, res.Account.ID)
				if err != nil {
					return err
				}
				m, err = tx.Message(ctx, inv.Message)
				return err
			}))
			out = append(out, m.NextAttempt)
		}
		return out
	}

	t.Run("deterministic with the service's random source", func(t *testing.T) {
		f := newFixture(t, policy, multiline.WithRandom(zeroes{}))
		for _, next := range nextAttempts(t, f, 3) {
			assert.Equal(t, f.clock.Now().Add(time.Minute), next, "a zero draw adds no jitter")
		}
	})

	t.Run("spread within half the backoff", func(t *testing.T) {
		f := newFixture(t, policy)
		got := nextAttempts(t, f, 10)
		seen := map[time.Time]bool{}
		for _, next := range got {
			assert.False(t, next.Before(f.clock.Now().Add(time.Minute)), "never before the backoff")
			assert.False(t, next.After(f.clock.Now().Add(90*time.Second)), "at most half the backoff later")
			seen[next] = true
		}
		assert.Greater(t, len(seen), 1, "messages that failed together do not retry in lock-step: %v", got)
	})
}

package multiline_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/invite"
)

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
		var waits [2][]time.Duration
		for i := range waits {
			seed := [32]byte{1, 2, 3}
			f := newFixture(t, policy, multiline.WithRandom(rand.NewChaCha8(seed)))
			for _, next := range nextAttempts(t, f, 5) {
				waits[i] = append(waits[i], next.Sub(f.clock.Now()))
			}
		}
		assert.Equal(t, waits[0], waits[1], "the same random source gives the same waits")
		for _, w := range waits[0] {
			assert.GreaterOrEqual(t, w, time.Minute)
			assert.LessOrEqual(t, w, 90*time.Second)
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

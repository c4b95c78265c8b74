package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
)

// testSwapDeliveries checks SwapDeliveries, the outbox's compare-and-swap of
// a delivery: a message gets the new delivery, body and secret only while
// its State, Attempts and NextAttempt are the ones given, keeps its other
// fields, and any other answer leaves it as it is; message_due-style
// bookkeeping of SQL stores is seen through DueMessages.
func testSwapDeliveries(t *testing.T, newStore func(*testing.T) multiline.Store) {
	t.Run("Swaps", func(t *testing.T) {
		f := newFixture(t, newStore)
		o := f.createOrg("")
		leased := func(m *invite.Message) { m.NextAttempt = at(5000) }
		ms := []invite.Message{
			f.createMessage(o.ID, leased), // swapped
			f.createMessage(o.ID, leased), // cancelled meanwhile
			f.createMessage(o.ID, leased), // another attempt meanwhile
			f.createMessage(o.ID, leased), // leased again meanwhile
			f.createMessage(o.ID, leased), // swapped, with other fields that differ
		}
		missing := f.newMessage(o.ID) // never stored
		moved := []invite.Message{ms[1], ms[2], ms[3]}
		moved[0].State = invite.Cancelled
		moved[1].State, moved[1].Attempts, moved[1].LastError, moved[1].NextAttempt = invite.Failed, 1, "smtp: 421", at(5100)
		moved[2].NextAttempt = at(5200)
		f.must(func(ctx context.Context, tx multiline.Tx) error {
			for _, m := range moved {
				if err := tx.UpdateMessage(ctx, m); err != nil {
					return err
				}
			}
			return nil
		})

		// What each attempt's caller knows: the messages as leased.
		was := []invite.Message{ms[3], missing, ms[0], ms[4], ms[1], ms[2]}
		set := make([]invite.Message, len(was))
		for i, m := range was {
			set[i] = sentAt(m, at(6000+i))
		}
		set[3].Subject, set[3].To = "changed", "changed@example.com"
		got := get(f, func(ctx context.Context, tx multiline.Tx) ([]bool, error) { return tx.SwapDeliveries(ctx, was, set) })
		assert.Equal(t, []bool{false, false, true, true, false, false}, got)

		want := []invite.Message{set[2], moved[0], moved[1], moved[2], sentAt(ms[4], at(6003))}
		stored := get(f, func(ctx context.Context, tx multiline.Tx) ([]invite.Message, error) {
			return tx.MessagesByID(ctx, []invite.MessageID{ms[0].ID, ms[1].ID, ms[2].ID, ms[3].ID, ms[4].ID, missing.ID})
		})
		assert.Equal(t, want, stored, "the other fields of a swapped message stay as stored; a message whose delivery moved on keeps it")
	})

	t.Run("OwnWritesAndDue", func(t *testing.T) {
		f := newFixture(t, newStore)
		o := f.createOrg("")
		now := at(1000)
		due := f.createMessage(o.ID, func(m *invite.Message) { m.NextAttempt = at(900) }) // due at now
		fresh := f.newMessage(o.ID)
		fresh.NextAttempt = at(2000) // leased past now
		failed := fresh
		failed.State, failed.Attempts, failed.LastError, failed.NextAttempt = invite.Failed, 1, "smtp: 421", at(950)
		sent := sentAt(due, at(990))
		dueIDs := func(ctx context.Context, tx multiline.Tx) ([]invite.MessageID, error) {
			ms, err := tx.DueMessages(ctx, now, 10)
			var ids []invite.MessageID
			for _, m := range ms {
				ids = append(ids, m.ID)
			}
			return ids, err
		}
		type seen struct {
			swapped []bool
			read    invite.Message
			due     []invite.MessageID
		}
		inTx := get(f, func(ctx context.Context, tx multiline.Tx) (seen, error) {
			var s seen
			if err := tx.Enqueue(ctx, fresh); err != nil {
				return s, err
			}
			var err error
			if s.swapped, err = tx.SwapDeliveries(ctx, []invite.Message{fresh, due}, []invite.Message{failed, sent}); err != nil {
				return s, err
			}
			if s.read, err = tx.Message(ctx, fresh.ID); err != nil {
				return s, err
			}
			s.due, err = dueIDs(ctx, tx)
			return s, err
		})
		assert.Equal(t, []bool{true, true}, inTx.swapped, "a message the transaction enqueued is swapped")
		assert.Equal(t, failed, inTx.read, "the transaction reads its swap")
		assert.Equal(t, []invite.MessageID{fresh.ID}, inTx.due, "due in the transaction: the message failed to a past retry, not the one sent")
		assert.Equal(t, []invite.MessageID{fresh.ID}, get(f, dueIDs), "due after the commit")
		assert.Equal(t, sent, f.message(due.ID))
	})

	t.Run("Refused", func(t *testing.T) {
		f := newFixture(t, newStore)
		o := f.createOrg("")
		m0, m1 := f.createMessage(o.ID), f.createMessage(o.ID)
		s0, s1 := sentAt(m0, at(900)), sentAt(m1, at(901))
		tests := []struct {
			name    string
			was, ms []invite.Message
		}{
			{"Lengths", []invite.Message{m0, m1}, []invite.Message{s0}},
			{"Pairs", []invite.Message{m0, m1}, []invite.Message{s1, s0}},
			{"Twice", []invite.Message{m0, m1, m0}, []invite.Message{s0, s1, s0}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := f.with(t)
				// The refusal changes nothing, and the transaction goes on.
				got := get(f, func(ctx context.Context, tx multiline.Tx) (invite.Message, error) {
					_, err := tx.SwapDeliveries(ctx, tt.was, tt.ms)
					if !assert.ErrorIs(t, err, mlerr.ErrInvalid) {
						return invite.Message{}, nil
					}
					return tx.Message(ctx, m0.ID)
				})
				assert.Equal(t, m0, got)
				assert.Equal(t, m1, f.message(m1.ID))
			})
		}
	})

	t.Run("RolledBack", func(t *testing.T) {
		f := newFixture(t, newStore)
		o := f.createOrg("")
		m := f.createMessage(o.ID)
		err := f.do(func(ctx context.Context, tx multiline.Tx) error {
			if _, err := tx.SwapDeliveries(ctx, []invite.Message{m}, []invite.Message{sentAt(m, at(900))}); err != nil {
				return err
			}
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)
		assert.Equal(t, m, f.message(m.ID))
	})

	// Workers each read a message in one transaction and, in another,
	// swap its delivery for one more attempt: a swap counts only if the
	// message still stood as read, so the attempts stored are the swaps
	// that succeeded, none lost to another's.
	t.Run("NoLostSwap", func(t *testing.T) {
		const workers, rounds = 8, 4
		f := newFixture(t, newStore)
		m := f.createMessage(f.createOrg("").ID)
		swaps := make([]int, workers)
		errs := make([]error, workers)
		parallel(workers, func(i int) {
			for range rounds {
				read, err := try(f, func(ctx context.Context, tx multiline.Tx) (invite.Message, error) { return tx.Message(ctx, m.ID) })
				if err != nil {
					errs[i] = err
					return
				}
				next := read
				next.Attempts++
				var ok bool
				if errs[i] = f.do(func(ctx context.Context, tx multiline.Tx) error {
					got, err := tx.SwapDeliveries(ctx, []invite.Message{read}, []invite.Message{next})
					ok = err == nil && len(got) == 1 && got[0]
					pause()
					return err
				}); errs[i] != nil {
					return
				}
				if ok {
					swaps[i]++
				}
			}
		})
		total := 0
		for i := range workers {
			require.NoError(t, errs[i], "worker %d", i)
			total += swaps[i]
		}
		assert.Positive(t, total)
		assert.Equal(t, total, f.message(m.ID).Attempts, "swaps succeeded that the stored attempts do not count")
	})
}

// sentAt is m as a successful attempt at sent leaves it (what
// invite.Message.Delivered makes of a message that is not final).
func sentAt(m invite.Message, sent time.Time) invite.Message {
	m.Attempts++
	m.State, m.SentAt, m.LastError, m.NextAttempt = invite.Sent, sent, "", time.Time{}
	m.Text, m.HTML, m.Secret = "", "", ""
	return m
}

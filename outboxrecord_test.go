package multiline

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
)

// swapStore is a Store of messages alone, for recordAll: its Tx answers
// SwapDeliveries and MessagesByID from stored and fails every other call.
type swapStore struct {
	stored map[invite.MessageID]invite.Message
	swaps  int // the messages SwapDeliveries was given
	reads  []invite.MessageID
}

func (s *swapStore) Tx(ctx context.Context, fn func(context.Context, Tx) error) error {
	return fn(ctx, swapTx{s: s})
}

type swapTx struct {
	Tx // nil: any call but these two panics, failing the test
	s  *swapStore
}

func (t swapTx) SwapDeliveries(_ context.Context, was, ms []invite.Message) ([]bool, error) {
	if len(was) != len(ms) {
		return nil, mlerr.ErrInvalid
	}
	t.s.swaps += len(ms)
	out := make([]bool, len(ms))
	for i, m := range ms {
		cur, ok := t.s.stored[m.ID]
		if ok && was[i].ID == m.ID && cur.State == was[i].State && cur.Attempts == was[i].Attempts && cur.NextAttempt.Equal(was[i].NextAttempt) {
			t.s.stored[m.ID], out[i] = m, true
		}
	}
	return out, nil
}

func (t swapTx) MessagesByID(_ context.Context, ids []invite.MessageID) ([]invite.Message, error) {
	t.s.reads = append(t.s.reads, ids...)
	var out []invite.Message
	for _, id := range ids {
		if m, ok := t.s.stored[id]; ok {
			out = append(out, m)
		}
	}
	return out, nil
}

// TestRecordAllSwapsThenReads checks how recordAll splits a group of
// outcomes: successes that need no other record are swapped in unread;
// the rest (a failure here), and a swap that finds its message moved on,
// are recorded on the message as read. Each outcome lands on its own
// message: the message whose swap fails is not the last of the swapped
// ones' positions in ms.
func TestRecordAllSwapsThenReads(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	lease := now.Add(time.Minute)
	msg := func(id string) invite.Message {
		return invite.Message{ID: invite.MessageID(id), Kind: invite.KindInvitation, State: invite.Queued, NextAttempt: lease,
			Text: "body", Secret: "secret"}
	}
	ms := []invite.Message{msg("m0"), msg("m1"), msg("m2"), msg("m3")}
	cancelled := ms[3]
	cancelled.State = invite.Cancelled
	st := &swapStore{stored: map[invite.MessageID]invite.Message{
		// m2, whose send failed, is no longer stored: its outcome is dropped
		// without any other read.
		"m0": ms[0], "m1": ms[1], "m3": cancelled,
	}}
	s, err := New(st, WithClock(func() time.Time { return now }))
	require.NoError(t, err)

	errs := []error{nil, nil, errors.New("550 mailbox unavailable"), nil}
	out, err := s.recordAll(t.Context(), ms, errs, make([]invite.Message, len(ms)))
	require.NoError(t, err)

	sent := func(m invite.Message) invite.Message {
		d, err := m.Delivered(now)
		require.NoError(t, err)
		return d
	}
	assert.Equal(t, []invite.Message{sent(ms[0]), sent(ms[1]), ms[2], cancelled}, out)
	assert.Equal(t, 3, st.swaps, "the three successes are swapped")
	assert.ElementsMatch(t, []invite.MessageID{"m2", "m3"}, st.reads, "only the failure and the message that moved on are read")
	assert.Equal(t, sent(ms[0]), st.stored["m0"])
	assert.Equal(t, cancelled, st.stored["m3"], "a cancelled message keeps its state")
	assert.True(t, slices.Equal(ms, []invite.Message{msg("m0"), msg("m1"), msg("m2"), msg("m3")}), "recordAll changed ms")
}

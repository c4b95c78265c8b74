package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
)

func messageIDs(ms []invite.Message) []invite.MessageID {
	out := make([]invite.MessageID, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

// testOutbox checks the outbox: what DueMessages hands out and in which
// order, that a message lives and dies with its transaction, and that its
// idempotency key never changes.
func testOutbox(t *testing.T, newStore func(*testing.T) multiline.Store) {
	t.Run("DueMessages", func(t *testing.T) {
		f := newFixture(t, newStore)
		a, b := f.createOrg(""), f.createOrg("")
		// Messages are made in this order, so their IDs, creation times and
		// next attempts all increase down the list; now is the next attempt
		// of the last one, and due means "not after now".
		type msg struct {
			name  string
			org   org.ID
			state invite.MessageState
			later time.Duration // how long after its creation it is next tried
			due   bool
		}
		msgs := []msg{
			{"queued", a.ID, invite.Queued, 0, true},
			{"failed", a.ID, invite.Failed, 500 * time.Millisecond, true},
			{"sent", a.ID, invite.Sent, 0, false},
			{"queued of b", b.ID, invite.Queued, 0, true},
			{"cancelled", a.ID, invite.Cancelled, 0, false},
			{"abandoned", a.ID, invite.Abandoned, 0, false},
			{"failed of b", b.ID, invite.Failed, 0, true},
			{"queued due now", a.ID, invite.Queued, 0, true},
		}
		var stored []invite.Message
		var want []invite.MessageID
		for _, m := range msgs {
			s := f.createMessage(m.org, func(im *invite.Message) {
				im.State = m.state
				im.NextAttempt = im.Created.Add(m.later)
				if m.state == invite.Failed {
					im.Attempts, im.LastError = 2, "smtp: 421 try later"
				}
			})
			stored = append(stored, s)
			if m.due {
				want = append(want, s.ID)
			}
		}
		now := stored[len(stored)-1].NextAttempt
		// Not yet due: a Queued and a Failed message whose next attempt is
		// after now.
		soon := f.createMessage(a.ID, func(im *invite.Message) { im.NextAttempt = now.Add(time.Microsecond) })
		f.createMessage(b.ID, func(im *invite.Message) {
			im.State, im.Attempts, im.NextAttempt = invite.Failed, 1, now.Add(time.Hour)
		})

		due := func(now time.Time, limit int) []invite.Message {
			return get(f, func(ctx context.Context, tx multiline.Tx) ([]invite.Message, error) {
				return tx.DueMessages(ctx, now, limit)
			})
		}
		got := due(now, 100)
		require.Equal(t, want, messageIDs(got), "due messages, oldest first")
		for _, m := range got {
			i := -1
			for j, s := range stored {
				if s.ID == m.ID {
					i = j
				}
			}
			require.GreaterOrEqual(t, i, 0)
			assert.Equal(t, stored[i], m)
		}
		assert.Equal(t, want[:2], messageIDs(due(now, 2)), "the limit keeps the oldest")
		assert.Empty(t, due(base, 100), "nothing is due before the first message")

		// Marking a message Sent or deferring it takes it out of the due list.
		sent, deferred := got[0], got[1]
		sent.State, sent.SentAt, sent.Secret = invite.Sent, now, ""
		deferred.Attempts, deferred.NextAttempt = deferred.Attempts+1, now.Add(time.Minute)
		f.must(func(ctx context.Context, tx multiline.Tx) error {
			if err := tx.UpdateMessage(ctx, sent); err != nil {
				return err
			}
			return tx.UpdateMessage(ctx, deferred)
		})
		assert.Equal(t, want[2:], messageIDs(due(now, 100)))
		// Which "oldest" orders a deferred message (by creation, or by next
		// attempt) the contract leaves open, so only the set is checked.
		assert.ElementsMatch(t, append([]invite.MessageID{deferred.ID, soon.ID}, want[2:]...), messageIDs(due(now.Add(time.Minute), 100)),
			"a deferred message is due again at its next attempt")
	})

	t.Run("Transactional", func(t *testing.T) {
		f := newFixture(t, newStore)
		o := f.createOrg("")
		kept, lost := f.newMessage(o.ID), f.newMessage(o.ID)
		f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.Enqueue(ctx, kept) })
		err := f.do(func(ctx context.Context, tx multiline.Tx) error {
			if err := tx.Enqueue(ctx, lost); err != nil {
				return err
			}
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)

		assert.Equal(t, kept, get(f, func(ctx context.Context, tx multiline.Tx) (invite.Message, error) { return tx.Message(ctx, kept.ID) }))
		_, err = try(f, func(ctx context.Context, tx multiline.Tx) (invite.Message, error) { return tx.Message(ctx, lost.ID) })
		assert.ErrorIs(t, err, mlerr.ErrNotFound)
		assert.Equal(t, []invite.Message{kept}, listAll(f, messagesOf(o.ID)))
		assert.Equal(t, []invite.Message{kept}, get(f, func(ctx context.Context, tx multiline.Tx) ([]invite.Message, error) {
			return tx.DueMessages(ctx, lost.NextAttempt, 100)
		}))
		// The rolled-back message's idempotency key is free again.
		f.fits(func(ctx context.Context, tx multiline.Tx) error { return tx.Enqueue(ctx, lost) })
	})

	t.Run("IdempotencyKeyImmutable", func(t *testing.T) {
		f := newFixture(t, newStore)
		o := f.createOrg("")
		m := f.createMessage(o.ID)
		changed := m
		changed.IdempotencyKey = "inv-changed-v9"
		changed.State = invite.Sent
		err := f.do(func(ctx context.Context, tx multiline.Tx) error { return tx.UpdateMessage(ctx, changed) })
		// The contract names no error for it; it must be refused.
		require.Error(t, err, "UpdateMessage changed a message's idempotency key")
		assert.Equal(t, m, get(f, func(ctx context.Context, tx multiline.Tx) (invite.Message, error) { return tx.Message(ctx, m.ID) }))
		// The key stays with the message, and the refused one was not taken.
		dup := f.newMessage(o.ID)
		dup.IdempotencyKey = m.IdempotencyKey
		requireUnique(t, f.do(func(ctx context.Context, tx multiline.Tx) error { return tx.Enqueue(ctx, dup) }), "")
		other := f.newMessage(o.ID)
		other.IdempotencyKey = changed.IdempotencyKey
		f.fits(func(ctx context.Context, tx multiline.Tx) error { return tx.Enqueue(ctx, other) })
	})
}

// testAudit checks that an audit event commits and rolls back with the
// change it records, and that ListAudit lists only the organizations asked,
// newest first.
func testAudit(t *testing.T, newStore func(*testing.T) multiline.Store) {
	t.Run("SameTransaction", func(t *testing.T) {
		f := newFixture(t, newStore)
		o := f.createOrg("")
		acc := f.newAccount(o.ID)
		created := f.newEvent(o.ID, "account.created", string(acc.ID))
		f.must(func(ctx context.Context, tx multiline.Tx) error {
			if err := tx.CreateAccount(ctx, acc); err != nil {
				return err
			}
			return tx.AppendAudit(ctx, created)
		})

		activated := acc
		activated.Status = account.Activated
		evActivated := f.newEvent(o.ID, "account.activated", string(acc.ID))
		err := f.do(func(ctx context.Context, tx multiline.Tx) error {
			if err := tx.UpdateAccount(ctx, activated); err != nil {
				return err
			}
			if err := tx.AppendAudit(ctx, evActivated); err != nil {
				return err
			}
			// The transaction sees its own event.
			es, _, err := tx.ListAudit(ctx, []org.ID{o.ID}, multiline.Page{})
			if err != nil {
				return err
			}
			if len(es) != 2 || es[0].ID != evActivated.ID {
				return errors.New("ListAudit does not see the transaction's own event first")
			}
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)

		// The committed change and its event are there; the rolled-back
		// change and its event are not.
		assert.Equal(t, acc, get(f, func(ctx context.Context, tx multiline.Tx) (account.Account, error) { return tx.Account(ctx, acc.ID) }))
		assert.Equal(t, canonEvents(t, []multiline.AuditEvent{created}), canonEvents(t, listAll(f, auditOf(o.ID))))
	})

	t.Run("ListAudit", func(t *testing.T) {
		f := newFixture(t, newStore)
		a, b, c := f.createOrg(""), f.createOrg(""), f.createOrg("")
		// Events alternate between the organizations and are made oldest
		// first; an event without an actor is the host's own or the outbox's.
		var all []multiline.AuditEvent
		for i := range 9 {
			o := []org.ID{a.ID, b.ID, c.ID}[i%3]
			e := f.newEvent(o, "number.assigned", f.e164())
			if i%4 == 0 {
				e.Actor, e.Before = "", nil
			}
			all = append(all, e)
		}
		f.must(func(ctx context.Context, tx multiline.Tx) error {
			for _, e := range all {
				if err := tx.AppendAudit(ctx, e); err != nil {
					return err
				}
			}
			return nil
		})
		newestFirst := func(orgs ...org.ID) []multiline.AuditEvent {
			var out []multiline.AuditEvent
			for i := len(all) - 1; i >= 0; i-- {
				for _, o := range orgs {
					if all[i].OrgID == o {
						out = append(out, all[i])
					}
				}
			}
			return canonEvents(t, out)
		}
		tests := []struct {
			name string
			orgs []org.ID
		}{
			{"OneOrg", []org.ID{b.ID}},
			{"TwoOrgs", []org.ID{a.ID, c.ID}},
			{"AllOrgs", []org.ID{c.ID, a.ID, b.ID}},
			{"UnknownOrg", []org.ID{"no-such-org"}},
			{"NoOrgs", nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := f.with(t)
				got := canonEvents(t, listAll(f, auditOf(tt.orgs...)))
				if len(tt.orgs) == 0 || tt.orgs[0] == "no-such-org" {
					assert.Empty(t, got)
					return
				}
				assert.Equal(t, newestFirst(tt.orgs...), got)
			})
		}
	})
}

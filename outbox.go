package multiline

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/permissions"
)

// The outbox (SPEC §7). Every message is queued in the transaction that
// caused it. A message the calling operation tries itself right after its
// commit (an invitation, a batch summary) is queued already leased to that
// call: its NextAttempt is Lease ahead, so other deliverers leave it alone
// and the call sends it without a transaction to claim it; if the process
// dies before the attempt, DeliverPending sends it once the lease runs out.
// DeliverPending retries what is due, claiming each message (moving its
// NextAttempt Lease ahead) in a transaction before it sends; a process that
// dies mid-send leaves a lease that simply runs out. Once a message is Sent,
// its body is dropped from the outbox, so the outbox keeps no usable link
// longer than it must; the subject, recipient and delivery record stay.

// maxErrorLen bounds the last error kept on a message.
const maxErrorLen = 500

// deliverBatch is how many due messages DeliverPending takes at a time.
const deliverBatch = 100

// leased is the NextAttempt of a message queued at now for the queuing
// call's own first attempt.
func (s *Service) leased(now time.Time) time.Time { return now.Add(s.delivery.Lease) }

// deliverNow makes the first attempt at a message its caller just queued
// and returns its delivery state (see deliverAll).
func (s *Service) deliverNow(ctx context.Context, m invite.Message) Delivery {
	return deliveryOf(s.deliverAll(ctx, []invite.Message{m})[0])
}

// deliverAll makes the first attempt at messages their caller just queued,
// leased to it, and sets each of ms to what it is after that, in groups of
// deliverBatch: the notifier sends each message, and one transaction
// records every outcome of a group. If ctx has ended, nothing is sent: the
// messages stay queued for DeliverPending. The store's errors leave the
// messages queued too, so they are logged rather than returned: the
// operation that queued them succeeded, and DeliverPending takes over once
// the lease ends.
func (s *Service) deliverAll(ctx context.Context, ms []invite.Message) []invite.Message {
	if ctx.Err() != nil {
		return ms
	}
	for start := 0; start < len(ms); start += deliverBatch {
		group := ms[start:min(start+deliverBatch, len(ms))]
		sent, err := s.sendAll(ctx, group)
		if err != nil {
			s.log.WarnContext(ctx, "multiline: delivery deferred to DeliverPending", "messages", len(group), "error", err)
			continue
		}
		copy(ms[start:], sent)
	}
	return ms
}

// DeliveryReport counts what one DeliverPending call did.
type DeliveryReport struct {
	Sent   int
	Failed int // failed this time; retried later unless abandoned
}

// DeliverPending delivers the messages that are due: queued ones whose
// first attempt never happened (the process died after the commit) and
// failed ones whose backoff has passed. A host calls it on a timer or runs
// RunDelivery. It is the host's call: it takes no acting administrator.
func (s *Service) DeliverPending(ctx context.Context) (DeliveryReport, error) {
	var rep DeliveryReport
	for {
		var batch []invite.Message
		found := 0
		err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
			due, err := tx.DueMessages(ctx, s.now(), deliverBatch)
			if err != nil {
				return err
			}
			found = len(due)
			batch, err = s.claimAll(ctx, tx, due)
			return err
		})
		if err != nil {
			return rep, err
		}
		if found == 0 {
			return rep, nil
		}
		// A group whose messages were all superseded (and cancelled, so no
		// longer due) leaves nothing to send; the next may.
		sent, err := s.sendAll(ctx, batch)
		if err != nil {
			return rep, err
		}
		for _, m := range sent {
			if m.State == invite.Sent {
				rep.Sent++
			} else {
				rep.Failed++
			}
		}
	}
}

// RunDelivery calls DeliverPending, then EndQuarantines, every interval
// until ctx ends, logging their errors. It returns ctx's error.
func (s *Service) RunDelivery(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.DeliverPending(ctx); err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "multiline: DeliverPending", "error", err)
		}
		if _, err := s.EndQuarantines(ctx); err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "multiline: EndQuarantines", "error", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// claimAll leases each of due, which DueMessages returned (and locked), for
// one attempt, and returns the messages leased. A message whose invitation
// has moved on to a newer token is cancelled instead. The invitations are
// read with one group call.
func (s *Service) claimAll(ctx context.Context, tx Tx, due []invite.Message) ([]invite.Message, error) {
	var accts []account.ID
	for _, m := range due {
		if m.Kind == invite.KindInvitation {
			accts = append(accts, m.AccountID)
		}
	}
	invs := map[account.ID]invite.Invitation{}
	if len(accts) > 0 {
		found, err := tx.Invitations(ctx, accts)
		if err != nil {
			return nil, err
		}
		for _, inv := range found {
			invs[inv.AccountID] = inv
		}
	}
	now := s.now()
	leased := make([]invite.Message, 0, len(due))
	for _, m := range due {
		if m.Kind == invite.KindInvitation {
			inv, ok := invs[m.AccountID]
			if !ok {
				return nil, fmt.Errorf("multiline: invitation of account %s: %w", m.AccountID, mlerr.ErrNotFound)
			}
			if inv.Message != m.ID || inv.State != invite.Pending {
				m.State = invite.Cancelled
				if err := tx.UpdateMessage(ctx, m); err != nil {
					return nil, err
				}
				continue
			}
		}
		m.NextAttempt = now.Add(s.delivery.Lease)
		if err := tx.UpdateMessage(ctx, m); err != nil {
			return nil, err
		}
		leased = append(leased, m)
	}
	return leased, nil
}

// sendAll makes one attempt at each claimed message, then records every
// outcome in one transaction. A crash between a send and that commit leaves
// the message leased, not marked: it is sent again once the lease ends, with
// the same idempotency key, so the duplicate can be recognized downstream.
func (s *Service) sendAll(ctx context.Context, ms []invite.Message) ([]invite.Message, error) {
	if len(ms) == 0 {
		return nil, nil
	}
	errs := make([]error, len(ms))
	for i, m := range ms {
		if errs[i] = s.notifier.Send(ctx, m); errs[i] != nil {
			s.log.WarnContext(ctx, "multiline: delivery failed", "message", m.ID, "to", m.To, "error", errs[i])
		}
	}
	// Record the outcomes even when the caller's ctx has ended meanwhile:
	// a message sent but not marked would be sent again.
	out := make([]invite.Message, len(ms))
	err := s.store.Tx(context.WithoutCancel(ctx), func(ctx context.Context, tx Tx) error {
		ids := make([]invite.MessageID, len(ms))
		for i, m := range ms {
			ids[i] = m.ID
		}
		found, err := tx.MessagesByID(ctx, ids)
		if err != nil {
			return err
		}
		cur := make(map[invite.MessageID]invite.Message, len(found))
		for _, m := range found {
			cur[m.ID] = m
		}
		for i, m := range ms {
			c, ok := cur[m.ID]
			if !ok {
				return fmt.Errorf("multiline: message %s: %w", m.ID, mlerr.ErrNotFound)
			}
			if out[i], err = s.record(ctx, tx, c, errs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// record writes the outcome of one attempt at m.
func (s *Service) record(ctx context.Context, tx Tx, m invite.Message, sendErr error) (invite.Message, error) {
	now := s.now()
	before := deliveryOf(m)
	m.Attempts++
	var acct *account.Account
	var inv invite.Invitation
	// Only failures, and successes after failures, can change the account:
	// an account shows Invitation Failed only after its current message
	// failed, so a message that succeeds at its first attempt leaves it as
	// it is, and its invitation and account need not be read.
	firstSuccess := sendErr == nil && m.Attempts == 1
	if m.Kind == invite.KindInvitation && !firstSuccess {
		var err error
		inv, err = tx.Invitation(ctx, m.AccountID)
		if err != nil {
			return m, err
		}
		a, err := tx.Account(ctx, inv.AccountID)
		if err != nil {
			return m, err
		}
		acct = &a
	}
	if sendErr == nil {
		m.State, m.SentAt, m.LastError, m.NextAttempt = invite.Sent, now, "", time.Time{}
		// Delivered: the outbox has no more use for the body, and keeping it
		// would keep a usable activation link.
		m.Text, m.HTML, m.Secret = "", "", ""
		if acct != nil && acct.Status == account.InvitationFailed {
			if err := s.setStatus(ctx, tx, *acct, account.Invited); err != nil {
				return m, err
			}
		}
	} else {
		m.State, m.LastError = invite.Failed, mlerr.Truncate(sendErr.Error())
		if len(m.LastError) > maxErrorLen {
			m.LastError = m.LastError[:maxErrorLen]
		}
		m.NextAttempt = now.Add(s.backoff(m.Attempts))
		switch {
		case acct == nil && m.Attempts >= s.delivery.MaxAttempts:
			m.State = invite.Abandoned
		case acct != nil && !m.NextAttempt.Before(inv.ExpiresAt):
			// The link would be dead on arrival: stop; a resend starts over.
			m.State = invite.Abandoned
		}
		if acct != nil && m.Attempts >= s.delivery.MaxAttempts && acct.Status == account.Invited {
			if err := s.setStatus(ctx, tx, *acct, account.InvitationFailed); err != nil {
				return m, err
			}
		}
	}
	if err := tx.UpdateMessage(ctx, m); err != nil {
		return m, err
	}
	action := ActionMessageSent
	if sendErr != nil {
		action = ActionMessageFailed
	}
	return m, s.audit(ctx, tx, "", m.OrgID, action, string(m.ID), before.json(), deliveryOf(m).json())
}

// json is the audit log's form of a delivery. It is built by hand: one is
// written for every message, and reflection would cost more than the rest
// of recording the attempt.
func (d Delivery) json() json.RawMessage {
	b := make([]byte, 0, 96+len(d.LastError))
	b = append(b, `{"state":`...)
	b = strconv.AppendQuote(b, string(d.State))
	b = append(b, `,"attempts":`...)
	b = strconv.AppendInt(b, int64(d.Attempts), 10)
	if d.LastError != "" {
		b = append(b, `,"last_error":`...)
		b = strconv.AppendQuoteToASCII(b, d.LastError)
	}
	if d.SentAt != "" {
		b = append(b, `,"sent_at":`...)
		b = strconv.AppendQuote(b, d.SentAt)
	}
	return append(b, '}')
}

// setStatus changes an account's status for the outbox, audited.
func (s *Service) setStatus(ctx context.Context, tx Tx, a account.Account, to account.Status) error {
	return s.setStatusBy(ctx, tx, "", a, to)
}

// setStatusBy changes an account's status, audited as the actor's.
func (s *Service) setStatusBy(ctx context.Context, tx Tx, actor permissions.AdminID, a account.Account, to account.Status) error {
	if err := account.CheckStatus(a.Status, to); err != nil {
		return err
	}
	before := a.Status
	a.Status, a.Updated = to, s.now()
	if err := tx.UpdateAccount(ctx, a); err != nil {
		return err
	}
	return s.audit(ctx, tx, actor, a.OrgID, ActionAccountStatus, string(a.ID), before, a.Status)
}

// backoff is the wait after the n-th failed attempt.
func (s *Service) backoff(n int) time.Duration {
	d := s.delivery.Backoff
	for i := 1; i < n && d < s.delivery.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, s.delivery.MaxBackoff)
}

// deliveryOf is the administrator's view of a message's delivery.
func deliveryOf(m invite.Message) Delivery {
	d := Delivery{State: m.State, Attempts: m.Attempts, LastError: m.LastError}
	if !m.SentAt.IsZero() {
		d.SentAt = m.SentAt.UTC().Format(time.RFC3339)
	}
	if m.State == invite.Queued || m.State == invite.Failed {
		d.NextAttempt = m.NextAttempt.UTC().Format(time.RFC3339)
	}
	return d
}

// EndQuarantines returns the released numbers whose quarantine (see
// WithQuarantine) is over to where they came from, Available or Reserved
// under their tag, and returns how many. RunDelivery calls it; a host that
// runs its own timer calls it beside DeliverPending. It is the host's call:
// it takes no acting administrator.
func (s *Service) EndQuarantines(ctx context.Context) (int, error) {
	n := 0
	for {
		done := 0
		err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
			done = 0
			now := s.now()
			aged, err := tx.AgedNumbers(ctx, now, deliverBatch)
			if err != nil {
				return err
			}
			for _, num := range aged {
				back, err := num.EndAging(now)
				if err != nil {
					return err
				}
				if err := tx.UpdateNumber(ctx, back); err != nil {
					return err
				}
				if err := s.audit(ctx, tx, "", num.OrgID, ActionNumberQuarantineEnded, num.E164, num, back); err != nil {
					return err
				}
				done++
			}
			return nil
		})
		n += done
		if err != nil || done < deliverBatch {
			return n, err
		}
	}
}

package multiline

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/permissions"
)

// The outbox (SPEC §7). Every message is queued in the transaction that
// caused it; after the commit the service tries it once, and DeliverPending
// retries what is due. A message being sent is leased (its NextAttempt moved
// Lease ahead) so that other deliverers leave it alone; a process that dies
// mid-send leaves a lease that simply runs out. Once a message is Sent, its
// body is dropped from the outbox, so the outbox keeps no usable link longer
// than it must; the subject, recipient and delivery record stay.

// maxErrorLen bounds the last error kept on a message.
const maxErrorLen = 500

// deliverBatch is how many due messages DeliverPending takes at a time.
const deliverBatch = 100

// deliverNow tries a freshly queued message once and returns its delivery
// state. Its errors are the store's; they leave the message queued, so they
// are logged rather than returned: the operation that queued it succeeded.
func (s *Service) deliverNow(ctx context.Context, id invite.MessageID) Delivery {
	var m invite.Message
	var ok bool
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		m, ok, err = s.claim(ctx, tx, id)
		return err
	})
	if err == nil && ok {
		m, err = s.send(ctx, m)
	}
	if err != nil {
		// The message was committed as Queued; whatever happened to this
		// attempt, DeliverPending takes it from there once any lease ends.
		s.log.WarnContext(ctx, "multiline: delivery deferred to DeliverPending", "message", id, "error", err)
		return Delivery{State: invite.Queued}
	}
	return deliveryOf(m)
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
		err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
			due, err := tx.DueMessages(ctx, s.now(), deliverBatch)
			if err != nil {
				return err
			}
			batch = batch[:0]
			for _, d := range due {
				m, ok, err := s.claim(ctx, tx, d.ID)
				if err != nil {
					return err
				}
				if ok {
					batch = append(batch, m)
				}
			}
			return nil
		})
		if err != nil {
			return rep, err
		}
		if len(batch) == 0 {
			return rep, nil
		}
		for _, m := range batch {
			m, err := s.send(ctx, m)
			if err != nil {
				return rep, err
			}
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

// claim leases message id for one attempt, if it is still due. A message
// whose invitation has moved on to a newer token is cancelled instead.
func (s *Service) claim(ctx context.Context, tx Tx, id invite.MessageID) (invite.Message, bool, error) {
	m, err := tx.Message(ctx, id)
	if err != nil {
		return m, false, err
	}
	now := s.now()
	if (m.State != invite.Queued && m.State != invite.Failed) || m.NextAttempt.After(now) {
		return m, false, nil
	}
	if m.Kind == invite.KindInvitation {
		inv, err := tx.Invitation(ctx, m.AccountID)
		if err != nil {
			return m, false, err
		}
		if inv.Message != m.ID || inv.State != invite.Pending {
			m.State = invite.Cancelled
			return m, false, tx.UpdateMessage(ctx, m)
		}
	}
	m.NextAttempt = now.Add(s.delivery.Lease)
	if err := tx.UpdateMessage(ctx, m); err != nil {
		return m, false, err
	}
	return m, true, nil
}

// send makes one attempt at m and records its outcome.
func (s *Service) send(ctx context.Context, m invite.Message) (invite.Message, error) {
	sendErr := s.notifier.Send(ctx, m)
	if sendErr != nil {
		s.log.WarnContext(ctx, "multiline: delivery failed", "message", m.ID, "to", m.To, "error", sendErr)
	}
	// Record the outcome even when the caller's ctx has ended meanwhile:
	// a message sent but not marked would be sent again.
	rctx := context.WithoutCancel(ctx)
	var out invite.Message
	err := s.store.Tx(rctx, func(ctx context.Context, tx Tx) error {
		cur, err := tx.Message(ctx, m.ID)
		if err != nil {
			return err
		}
		out, err = s.record(ctx, tx, cur, sendErr)
		return err
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
	if m.Kind == invite.KindInvitation {
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
	action := "message.sent"
	if sendErr != nil {
		action = "message.failed"
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
	return s.audit(ctx, tx, actor, a.OrgID, "account.status_changed", string(a.ID), before, a.Status)
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
				if err := s.audit(ctx, tx, "", num.OrgID, "number.quarantine_ended", num.E164, num, back); err != nil {
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

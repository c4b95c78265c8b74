package multiline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
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
// dies mid-send leaves a lease that simply runs out. An invitation message
// is stored without its body, which is rendered again when DeliverPending
// sends it (see stored). Once a message is Sent, its body and secret are
// dropped from the outbox, so the outbox keeps no usable link longer than
// it must; the subject, recipient and delivery record stay.

// stored is the form of m the outbox stores: an invitation message without
// its body (Text and HTML), which is rendered again from the invitation,
// its account and its organization's templates if DeliverPending has to
// send it (see withBody). The call that queues a message makes its first
// attempt with the body it rendered, so a body is rendered again only for
// a retry or after a crash. An admin notification is stored whole: its text
// says what happened at the moment it was queued.
func stored(m invite.Message) invite.Message {
	if m.Kind == invite.KindInvitation {
		m.Text, m.HTML = "", ""
	}
	return m
}

// renderInvitation renders the invitation message of inv, carrying token
// t, to account a with an organization's templates, name and language.
func (s *Service) renderInvitation(ts invite.Templates, orgName, orgLang string, a account.Account, inv invite.Invitation, t invite.Token) invite.Message {
	v := invite.ValuesFor(a, inv, orgName, s.linkBase+string(t))
	return ts.InvitationMessage(inv, a, orgLang, v, t)
}

// orgTexts are what rendering an organization's invitations needs of it.
type orgTexts struct {
	templates  invite.Templates
	name, lang string
}

// withBody returns m, a leased invitation message of invitation inv as the
// outbox stores it (see stored), with its body rendered again: with the
// secret it carries, the invitation's expiry, and the account and its
// organization's name, language and templates as they are now (texts, by
// organization, reads and parses them once for a run). A message stored
// with its body (queued by an earlier version) is returned as it is. ok is
// false when the account is gone: the message must be cancelled.
func (s *Service) withBody(ctx context.Context, tx Tx, m invite.Message, inv invite.Invitation, texts map[org.ID]orgTexts) (_ invite.Message, ok bool, err error) {
	if m.Text != "" || m.HTML != "" {
		return m, true, nil
	}
	a, err := tx.Account(ctx, m.Account)
	if errors.Is(err, mlerr.ErrNotFound) {
		return m, false, nil
	}
	if err != nil {
		return m, false, err
	}
	ot, found := texts[a.OrgID]
	if !found {
		lin, err := lineage(ctx, tx, a.OrgID)
		if err != nil {
			return m, false, err
		}
		e := org.Resolve(lin)
		ot = orgTexts{templates: invite.OrgTemplates(e), name: lin[0].Name, lang: e.Language}
		texts[a.OrgID] = ot
	}
	r := s.renderInvitation(ot.templates, ot.name, ot.lang, a, inv, invite.Token(m.Secret))
	m.Subject, m.Text, m.HTML = r.Subject, r.Text, r.HTML
	return m, true, nil
}

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
// deliverBatch (see deliverIn).
func (s *Service) deliverAll(ctx context.Context, ms []invite.Message) []invite.Message {
	return s.deliverIn(ctx, ms, deliverBatch, nil)
}

// deliverIn makes the first attempt at messages their caller just queued,
// leased to it, and sets each of ms to what it is after that: size
// messages at a time are sent and then their outcomes recorded in one
// transaction (see sendAll), through buf, which it allocates when it is
// shorter than size or ms. If ctx has ended, nothing is sent: the
// messages stay queued for DeliverPending. A message whose outcome could
// not be recorded stays as it was queued, and is logged rather than
// returned: the operation that queued it succeeded, and DeliverPending
// takes over once the lease ends.
func (s *Service) deliverIn(ctx context.Context, ms []invite.Message, size int, buf []invite.Message) []invite.Message {
	if ctx.Err() != nil {
		return ms
	}
	// The messages as recorded go through one buffer, copied from it into
	// ms group by group.
	if n := min(size, len(ms)); len(buf) < n {
		buf = make([]invite.Message, n)
	}
	for start := 0; start < len(ms); start += size {
		group := ms[start:min(start+size, len(ms))]
		sent, problems := s.sendAll(ctx, group, buf[:len(group)])
		for _, err := range problems {
			s.log.WarnContext(ctx, "multiline: delivery deferred to DeliverPending", "error", err)
		}
		copy(ms[start:], sent)
	}
	return ms
}

// DeliveryReport counts what one DeliverPending call did.
type DeliveryReport struct {
	Sent   int
	Failed int // failed this time; retried later unless abandoned
	// Cancelled counts the messages found due whose invitation had moved on
	// to a newer token, been redeemed, or gone with its account (they are
	// cancelled, not sent), and those cancelled while their attempt was in
	// flight (its outcome is dropped).
	Cancelled int
	// Problems holds a *MessageError for each message the run could not
	// claim or whose outcome it could not record; the run went on with the
	// others. Such a message is left as it was, so a later run takes it up.
	Problems []error
}

// MessageError is a problem with one message of the outbox, met and gone
// past by DeliverPending or an operation's own delivery. It wraps the
// store's error.
type MessageError struct {
	Message invite.MessageID
	Op      string // "claim" or "record"
	Err     error
}

func (e *MessageError) Error() string {
	return fmt.Sprintf("multiline: message %s: %s: %v", e.Message, e.Op, e.Err)
}

// Unwrap returns the underlying error.
func (e *MessageError) Unwrap() error { return e.Err }

// DeliverPending delivers the messages that are due: queued ones whose
// first attempt never happened (the process died after the commit) and
// failed ones whose backoff has passed. A host calls it on a timer or runs
// RunDelivery. It is the host's call: it takes no acting administrator.
//
// One message's trouble does not stop the run: a message whose invitation
// or account no longer exists is cancelled, and a message the store fails
// to claim or record is reported in the report's Problems while the run
// goes on to the next. The error is for a store that cannot list what is
// due at all.
func (s *Service) DeliverPending(ctx context.Context) (DeliveryReport, error) {
	var rep DeliveryReport
	// skip holds the messages this run failed to claim: they stay due, and
	// must not be taken up again and again.
	skip := map[invite.MessageID]bool{}
	for {
		batch, found, cancelled, err := s.claimDue(ctx, skip)
		rep.Cancelled += cancelled
		var me *MessageError
		switch {
		case errors.As(err, &me):
			// claimDue reported the problems of each message it skipped.
			for _, e := range unjoin(err) {
				rep.Problems = append(rep.Problems, e)
			}
		case err != nil:
			return rep, err
		}
		if found == 0 {
			return rep, nil
		}
		sent, problems := s.sendAll(ctx, batch, nil)
		rep.Problems = append(rep.Problems, problems...)
		unrecorded := map[invite.MessageID]bool{}
		for _, p := range problems {
			if me, ok := p.(*MessageError); ok {
				unrecorded[me.Message] = true
			}
		}
		for _, m := range sent {
			if unrecorded[m.ID] {
				continue
			}
			switch m.State {
			case invite.Sent:
				rep.Sent++
			case invite.Failed, invite.Abandoned:
				rep.Failed++
			case invite.Cancelled:
				rep.Cancelled++
			}
		}
	}
}

// unjoin returns the errors errors.Join put together, or err alone.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// RunDelivery calls DeliverPending, then EndQuarantines, every interval
// until ctx ends, logging their errors and the problems DeliverPending met.
// It returns ctx's error.
func (s *Service) RunDelivery(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		rep, err := s.DeliverPending(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "multiline: DeliverPending", "error", err)
		}
		for _, p := range rep.Problems {
			s.log.WarnContext(ctx, "multiline: DeliverPending", "error", p)
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

// claimDue claims up to deliverBatch due messages not in skip for one
// attempt each, and returns them, how many due messages it found (0: none
// is left), and how many it cancelled instead. It claims them all in one
// transaction; if that fails, it claims each in a transaction of its own,
// so that a message the store cannot update does not keep the others from
// going out: each such message is added to skip and its *MessageError
// joined into the error returned beside the messages claimed.
func (s *Service) claimDue(ctx context.Context, skip map[invite.MessageID]bool) ([]invite.Message, int, int, error) {
	var claimed []invite.Message
	found, cancelled := 0, 0
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		claimed, found, cancelled = nil, 0, 0
		due, err := s.dueMessages(ctx, tx, skip)
		if err != nil {
			return err
		}
		found = len(due)
		claimed, cancelled, err = s.claimAll(ctx, tx, due)
		return err
	})
	if err == nil || ctx.Err() != nil {
		return claimed, found, cancelled, err
	}
	s.log.WarnContext(ctx, "multiline: claiming due messages together failed; claiming each alone", "error", err)

	var ids []invite.MessageID
	err = s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		due, err := s.dueMessages(ctx, tx, skip)
		ids = ids[:0]
		for _, m := range due {
			ids = append(ids, m.ID)
		}
		return err
	})
	if err != nil {
		return nil, 0, 0, err
	}
	claimed, cancelled = nil, 0
	var problems []error
	for _, id := range ids {
		var one []invite.Message
		var gone int
		err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
			m, err := tx.Message(ctx, id)
			if err != nil {
				return err
			}
			if !m.Due(s.now()) {
				// Claimed or finished by another deliverer meanwhile.
				one, gone = nil, 0
				return nil
			}
			one, gone, err = s.claimAll(ctx, tx, []invite.Message{m})
			return err
		})
		if err != nil {
			skip[id] = true
			problems = append(problems, &MessageError{Message: id, Op: "claim", Err: err})
			continue
		}
		claimed, cancelled = append(claimed, one...), cancelled+gone
	}
	return claimed, len(ids), cancelled, errors.Join(problems...)
}

// dueMessages returns the due messages, up to deliverBatch, leaving out
// those in skip. Skipped messages stay due, so it asks for more to make up
// for them.
func (s *Service) dueMessages(ctx context.Context, tx Tx, skip map[invite.MessageID]bool) ([]invite.Message, error) {
	due, err := tx.DueMessages(ctx, s.now(), min(deliverBatch+len(skip), MaxPageSize))
	if err != nil {
		return nil, err
	}
	if len(skip) == 0 {
		return due, nil
	}
	kept := due[:0]
	for _, m := range due {
		if !skip[m.ID] {
			kept = append(kept, m)
		}
	}
	return kept[:min(len(kept), deliverBatch)], nil
}

// claimAll leases each of due, which the transaction read (and locked), for
// one attempt, and returns the messages leased and how many it cancelled
// instead: a message whose invitation has moved on to a newer token, has
// been redeemed or no longer exists (its account was deleted) is cancelled,
// never sent. The invitations are read with one group call.
func (s *Service) claimAll(ctx context.Context, tx Tx, due []invite.Message) ([]invite.Message, int, error) {
	var accts []account.ID
	for _, m := range due {
		if m.Kind == invite.KindInvitation {
			accts = append(accts, m.Account)
		}
	}
	invs := map[account.ID]invite.Invitation{}
	if len(accts) > 0 {
		found, err := tx.Invitations(ctx, accts)
		if err != nil {
			return nil, 0, err
		}
		for _, inv := range found {
			invs[inv.Account] = inv
		}
	}
	until := s.leased(s.now())
	leased := make([]invite.Message, 0, len(due))
	cancelled := 0
	texts := map[org.ID]orgTexts{}
	for _, m := range due {
		inv, ok := invs[m.Account]
		if m.Kind == invite.KindInvitation && (!ok || !inv.Awaits(m)) {
			if err := s.cancelMessage(ctx, tx, m); err != nil {
				return nil, 0, err
			}
			cancelled++
			continue
		}
		m, err := m.Lease(until)
		if err != nil {
			// Not due after all (DueMessages returns only Queued and Failed
			// messages): nothing to send.
			continue
		}
		send := m
		if m.Kind == invite.KindInvitation {
			var ok bool
			if send, ok, err = s.withBody(ctx, tx, m, inv, texts); err != nil {
				return nil, 0, err
			}
			if !ok {
				if err := s.cancelMessage(ctx, tx, m); err != nil {
					return nil, 0, err
				}
				cancelled++
				continue
			}
		}
		// The lease is stored as the message was, without the body
		// rendered for the attempt.
		if err := tx.UpdateMessage(ctx, m); err != nil {
			return nil, 0, err
		}
		leased = append(leased, send)
	}
	return leased, cancelled, nil
}

// cancelMessage cancels a message that must never go out, audited as the
// outbox's.
func (s *Service) cancelMessage(ctx context.Context, tx Tx, m invite.Message) error {
	c, err := m.Cancel()
	if err != nil {
		return nil // final already: nothing to cancel
	}
	if err := tx.UpdateMessage(ctx, c); err != nil {
		return err
	}
	return s.audit(ctx, tx, "", m.OrgID, ActionMessageCancelled, string(m.ID), deliveryOf(m).json(), deliveryOf(c).json())
}

// cancelInvitationMessage cancels the message of account a's invitation
// unless it is in a final state already. An account without an invitation,
// or whose message is gone, has nothing to cancel.
func (s *Service) cancelInvitationMessage(ctx context.Context, tx Tx, a account.ID) error {
	inv, err := tx.Invitation(ctx, a)
	if errors.Is(err, mlerr.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	m, err := tx.Message(ctx, inv.Message)
	if errors.Is(err, mlerr.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.cancelMessage(ctx, tx, m)
}

// sendAll makes one attempt at each claimed message, then records the
// outcomes: all in one transaction, or, if that fails, each in a
// transaction of its own, so that one message's trouble never fails, holds
// back or duplicates another's. It returns each message as it is after
// that, and a *MessageError for each message whose outcome could not be
// recorded (it is returned as claimed). A crash between a send and its
// record leaves the message leased, not marked: it is sent again once the
// lease ends, with the same idempotency key, so the duplicate can be
// recognized downstream. The messages returned are written into out when
// it is not nil (it then has the length of ms), else into a new slice.
func (s *Service) sendAll(ctx context.Context, ms, out []invite.Message) ([]invite.Message, []error) {
	if len(ms) == 0 {
		return nil, nil
	}
	errs := make([]error, len(ms))
	for i, m := range ms {
		if errs[i] = s.notifier.Send(ctx, m); errs[i] != nil {
			s.log.WarnContext(ctx, "multiline: delivery failed", "message", m.ID, "to", m.To, "error", m.Redact(errs[i].Error()))
		}
	}
	// Record the outcomes even when the caller's ctx has ended meanwhile:
	// a message sent but not marked would be sent again.
	ctx = context.WithoutCancel(ctx)
	if out == nil {
		out = make([]invite.Message, len(ms))
	}
	out, err := s.recordAll(ctx, ms, errs, out)
	if err == nil {
		return out, nil
	}
	if len(ms) > 1 {
		s.log.WarnContext(ctx, "multiline: recording delivery outcomes together failed; recording each alone", "messages", len(ms), "error", err)
	}
	// Each of out is written again below.
	var problems []error
	for i, m := range ms {
		one := ms[i : i+1]
		if len(ms) > 1 {
			if _, err = s.recordAll(ctx, one, errs[i:i+1], out[i:i+1]); err == nil {
				continue
			}
		}
		out[i] = m
		problems = append(problems, &MessageError{Message: m.ID, Op: "record", Err: err})
	}
	return out, problems
}

// recordAll records the outcome of an attempt at each of ms (errs[i] is
// ms[i]'s) in one transaction, and returns the messages as recorded. A
// message that is no longer stored, or in a final state (cancelled while
// its attempt was in flight), keeps its stored state: the outcome is
// dropped. The messages are written into out, of the length of ms and not
// sharing its array, which it returns.
//
// A success that needs no other record (see direct) is swapped in without
// reading the message (Tx.SwapDeliveries): ms[i] is the message as the
// attempt's caller queued or leased it, so the store can tell whether it
// still stands so. Every other outcome, and a message that no longer stands
// as it was leased, is recorded on the message as read and locked
// (MessagesByID, then record). Until 2026-12-02 every message was read:
// for a 1000-row import that read and decoded every message, and locked
// each row, which wrote a WAL record each, only to mark them sent (see
// BENCHMARKS.md).
func (s *Service) recordAll(ctx context.Context, ms []invite.Message, errs []error, out []invite.Message) ([]invite.Message, error) {
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		// The direct outcomes are written into out, and swapped in from
		// there: when every outcome is direct, as an import's are, ms and
		// out are the arguments as they are.
		now := s.now()
		var rest []int
		for i, m := range ms {
			var err error
			if !direct(m, errs[i]) {
				rest = append(rest, i)
			} else if out[i], err = m.Delivered(now); err != nil {
				rest = append(rest, i) // final: recorded as it is stored
			}
		}
		was, set, at := ms, out, []int(nil)
		if len(rest) > 0 {
			was, set = nil, nil
			for i := range ms {
				if _, ok := slices.BinarySearch(rest, i); !ok {
					was, set, at = append(was, ms[i]), append(set, out[i]), append(at, i)
				}
			}
		}
		if len(was) > 0 {
			swapped, err := tx.SwapDeliveries(ctx, was, set)
			if err != nil {
				return err
			}
			if len(swapped) != len(was) {
				return fmt.Errorf("multiline: the store answered SwapDeliveries for %d messages of %d", len(swapped), len(was))
			}
			for k, ok := range swapped {
				if !ok {
					i := k
					if at != nil {
						i = at[k]
					}
					rest = append(rest, i)
				}
			}
			slices.Sort(rest)
		}
		if len(rest) == 0 {
			return nil
		}
		ids := make([]invite.MessageID, len(rest))
		for k, i := range rest {
			ids[k] = ms[i].ID
		}
		found, err := tx.MessagesByID(ctx, ids)
		if err != nil {
			return err
		}
		// Each message's position in found: a map of messages would
		// hold a copy of each, allocated apart (a Message is too large
		// for a map's slot).
		cur := make(map[invite.MessageID]int, len(found))
		for j, m := range found {
			cur[m.ID] = j
		}
		for _, i := range rest {
			j, ok := cur[ms[i].ID]
			if !ok {
				out[i] = ms[i]
				continue
			}
			if out[i], err = s.record(ctx, tx, found[j], errs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// direct reports whether the outcome of an attempt at m, sendErr, is
// recorded by the message's record alone, which record would write without
// reading anything else: a success, unless it follows failures of an
// invitation, whose account may show them (see record).
func direct(m invite.Message, sendErr error) bool {
	return sendErr == nil && (m.Kind != invite.KindInvitation || m.Attempts == 0)
}

// record writes the outcome of one attempt at m, as stored now. A message in
// a final state is returned as it is: the outcome is dropped. An invitation
// message whose invitation no longer exists or has moved on, or whose
// account is gone, is cancelled.
func (s *Service) record(ctx context.Context, tx Tx, m invite.Message, sendErr error) (invite.Message, error) {
	if m.State.Final() {
		return m, nil
	}
	now := s.now()
	old := m // for the audit event of a failure
	var acct *account.Account
	var inv invite.Invitation
	// Only failures, and successes after failures, can change the account:
	// an account shows Invitation Failed only after its current message
	// failed, so a message that succeeds at its first attempt leaves it as
	// it is, and its invitation and account need not be read.
	if !direct(m, sendErr) && m.Kind == invite.KindInvitation {
		var err error
		inv, err = tx.Invitation(ctx, m.Account)
		if errors.Is(err, mlerr.ErrNotFound) {
			return s.cancelled(ctx, tx, m)
		}
		if err != nil {
			return m, err
		}
		if !inv.Awaits(m) {
			return s.cancelled(ctx, tx, m)
		}
		a, err := tx.Account(ctx, inv.Account)
		if errors.Is(err, mlerr.ErrNotFound) {
			return s.cancelled(ctx, tx, m)
		}
		if err != nil {
			return m, err
		}
		acct = &a
	}
	var err error
	if sendErr == nil {
		if m, err = m.Delivered(now); err != nil {
			return m, err
		}
	} else {
		r := invite.Retry{Wait: s.retryWait(m.Attempts + 1), MaxAttempts: s.delivery.MaxAttempts}
		if acct != nil {
			r.Expires = inv.ExpiresAt
		}
		if m, err = m.Undelivered(now, mlerr.Truncate(sendErr.Error()), r); err != nil {
			return m, err
		}
	}
	if acct != nil {
		if to, ok := invite.AccountStatusAfter(m, acct.Status, s.delivery.MaxAttempts); ok {
			if err := s.setStatus(ctx, tx, *acct, to); err != nil {
				return m, err
			}
		}
	}
	if err := tx.UpdateMessage(ctx, m); err != nil {
		return m, err
	}
	if sendErr == nil {
		// A delivery is not audited: the message's own record (Sent, its
		// time and attempts) is the outbox's account of it (see the
		// package doc).
		return m, nil
	}
	return m, s.audit(ctx, tx, "", m.OrgID, ActionMessageFailed, string(m.ID), deliveryJSON(old), deliveryJSON(m))
}

// cancelled cancels m, whose attempt's outcome has no invitation or account
// left to record it against, and returns it.
func (s *Service) cancelled(ctx context.Context, tx Tx, m invite.Message) (invite.Message, error) {
	if err := s.cancelMessage(ctx, tx, m); err != nil {
		return m, err
	}
	c, _ := m.Cancel()
	return c, nil
}

// deliveryJSON is deliveryOf(m).json(), without the view's two formatted
// times, of which the audit log's form has one: every delivery writes two,
// and the times were half of the allocations of recording one.
// TestDeliveryJSON holds the two to the same bytes.
func deliveryJSON(m invite.Message) json.RawMessage {
	b := make([]byte, 0, 96+len(m.LastError))
	b = append(b, `{"state":`...)
	b = strconv.AppendQuote(b, string(m.State))
	b = append(b, `,"attempts":`...)
	b = strconv.AppendInt(b, int64(m.Attempts), 10)
	if m.LastError != "" {
		b = append(b, `,"last_error":`...)
		b = appendJSONString(b, m.LastError) // see Delivery.json
	}
	if !m.SentAt.IsZero() {
		// RFC 3339 is ASCII letters, digits and punctuation with no quote
		// or backslash: quoted, it is itself.
		b = append(b, `,"sent_at":"`...)
		b = m.SentAt.UTC().AppendFormat(b, time.RFC3339)
		b = append(b, '"')
	}
	return append(b, '}')
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
		// As encoding/json writes it: the error is the notifier's text,
		// where Go quoting would write an escape sequence JSON does not
		// have (\x1b, \U0001f600, \a), and PostgreSQL refuses the event.
		b = appendJSONString(b, d.LastError)
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
	return invite.Backoff(s.delivery.Backoff, s.delivery.MaxBackoff, n)
}

// retryWait is the wait after the n-th failed attempt: the backoff plus a
// random jitter of up to half of it, so that messages that failed together
// (a mail server down for a while) do not all retry in lock-step. The
// jitter is drawn from the service's random source (see WithRandom); if it
// fails, the wait is the backoff alone.
func (s *Service) retryWait(n int) time.Duration {
	return invite.Jitter(s.backoff(n), s.rand)
}

// Delivery is the delivery state of an outbound message, as an administrator
// sees it.
type Delivery struct {
	State       invite.MessageState
	Attempts    int
	LastError   string
	NextAttempt string // RFC 3339; empty once Sent
	SentAt      string // RFC 3339; empty until Sent
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

package multiline

import (
	"context"
	"time"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// MessageView is an administrator's view of one message of the outbox
// (SPEC §7): what it is, to whom it goes, and where its delivery stands
// (state, attempts, last error, next attempt). It never holds the body, nor
// the activation link or token in it.
type MessageView struct {
	ID      invite.MessageID
	Kind    invite.Kind
	Channel invite.Channel
	To      string
	// Account is the invitee's account, for an invitation; empty for an
	// admin notification.
	Account account.ID
	Created time.Time
	Delivery
}

// ListMessages returns a page of an organization's outbox, newest first:
// each message's kind, channel, recipient and delivery, never its body. It
// needs Reports on the organization.
func (s *Service) ListMessages(ctx context.Context, actor permissions.AdminID, o org.ID, p Page) (List[MessageView], error) {
	var l List[MessageView]
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		if _, err := authorize(ctx, tx, actor, permissions.Reports, o); err != nil {
			return err
		}
		ms, next, err := tx.ListMessages(ctx, o, p.Normalize())
		if err != nil {
			return err
		}
		l.Items, l.Next = make([]MessageView, len(ms)), next
		for i, m := range ms {
			l.Items[i] = messageView(m)
		}
		return nil
	})
	if err != nil {
		return List[MessageView]{}, err
	}
	return l, nil
}

// messageView is the administrator's view of m. The last error is shortened
// where it holds the message's token, as a notifier's error may echo the
// body (errors recorded since the outbox redacts them never do).
func messageView(m invite.Message) MessageView {
	d := deliveryOf(m)
	d.LastError = m.Redact(d.LastError)
	return MessageView{ID: m.ID, Kind: m.Kind, Channel: m.Channel, To: m.To, Account: m.Account, Created: m.Created, Delivery: d}
}

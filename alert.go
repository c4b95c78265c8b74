package multiline

import (
	"context"
	"fmt"

	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// utilizationAlert queues the utilization alert (SPEC §4) to the
// organization's alert recipients when the change the transaction made took
// the share of its numbers that are Assigned or Registered from below its
// threshold to at or above it. before is the organization's Capacity before
// the change. The alert goes through the outbox like every message;
// DeliverPending delivers it.
func (s *Service) utilizationAlert(ctx context.Context, tx Tx, actor permissions.AdminID, o org.Org, e org.Effective, before numberpool.Capacity) error {
	if e.UtilizationAlert <= 0 || len(e.AlertRecipients) == 0 {
		return nil
	}
	after, err := tx.Capacity(ctx, o.ID)
	if err != nil {
		return err
	}
	if !numberpool.Crossed(before, after, e.UtilizationAlert) {
		return nil
	}
	id := newID()
	subject, text := numberpool.AlertText(o.Name, after, e.UtilizationAlert)
	for i, to := range e.AlertRecipients {
		// Recipients are validated when saved; this guard keeps a record
		// saved before that rule out of a mail header all the same.
		if org.CheckEmail(to) != "" {
			continue
		}
		m := invite.Message{ID: invite.MessageID(newID()), Kind: invite.KindAdmin, OrgID: o.ID, Channel: invite.Email, To: to,
			Subject: subject, Text: text,
			IdempotencyKey: fmt.Sprintf("util-%s-%d", id, i), State: invite.Queued, Created: s.now(), NextAttempt: s.now()}
		if err := tx.Enqueue(ctx, m); err != nil {
			return err
		}
	}
	return s.audit(ctx, tx, actor, o.ID, ActionOrgUtilizationAlert, string(o.ID), before, after)
}

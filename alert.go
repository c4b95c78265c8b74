package multiline

import (
	"context"
	"fmt"
	"strings"

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
	text := fmt.Sprintf("%s now uses %d of its %d numbers (%.0f%%), at or above its alert threshold of %d%%. %d numbers are Available.\n",
		o.Name, after.Held, after.Total, after.Utilization(), e.UtilizationAlert, after.Available)
	// Names and recipients are validated when saved; these guards keep a
	// record saved before those rules out of a mail header all the same.
	subject := strings.Map(func(r rune) rune {
		if org.IsControl(r) {
			return ' '
		}
		return r
	}, fmt.Sprintf("MultiLine number utilization alert: %s at %.0f%%", o.Name, after.Utilization()))
	for i, to := range e.AlertRecipients {
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

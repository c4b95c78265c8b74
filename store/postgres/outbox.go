package postgres

import (
	"context"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/org"
)

// ListMessages returns a page of an organization's messages, newest first.
// The index on (org_id, id) serves it read backwards.
func (t *tx) ListMessages(ctx context.Context, o org.ID, p multiline.Page) ([]invite.Message, string, error) {
	if err := t.lock(ctx); err != nil {
		return nil, "", err
	}
	defer t.unlock()
	return list(ctx, t, p, t.s.q.listMessages, t.s.q.listMessagesAfter, string(o), scanMessage,
		func(m invite.Message) string { return string(m.ID) })
}

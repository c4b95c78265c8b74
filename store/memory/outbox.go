package memory

import (
	"context"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/org"
)

// ListMessages returns a page of an organization's messages, newest first.
func (t *tx) ListMessages(ctx context.Context, o org.ID, p multiline.Page) ([]invite.Message, string, error) {
	return t.orgMessages(ctx, o, p, true)
}

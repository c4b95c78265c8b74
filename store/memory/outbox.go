package memory

import (
	"context"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/org"
)

// ListMessages returns a page of an organization's messages, newest first.
func (t *tx) ListMessages(ctx context.Context, o org.ID, p multiline.Page) ([]invite.Message, string, error) {
	if err := t.check(ctx); err != nil {
		return nil, "", err
	}
	var keys []invite.MessageID
	for id, m := range t.s.messages {
		if m.OrgID == o {
			keys = append(keys, id)
		}
	}
	keys, next, err := page(keys, p, true, func(id invite.MessageID) string { return string(id) })
	if err != nil {
		return nil, "", err
	}
	out := make([]invite.Message, len(keys))
	for i, k := range keys {
		out[i] = t.s.messages[k]
	}
	return out, next, nil
}

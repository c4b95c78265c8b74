package multiline

import (
	"context"
	"fmt"

	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// maxSubtree bounds the organizations one audit listing spans.
const maxSubtree = 10000

// ListAudit returns a page of the audit events of an organization and its
// sub-organizations (an administrator's role covers both), newest first. It
// needs Reports on the organization.
func (s *Service) ListAudit(ctx context.Context, actor permissions.AdminID, o org.ID, p Page) (List[AuditEvent], error) {
	var l List[AuditEvent]
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		if _, err := authorize(ctx, tx, actor, permissions.Reports, o); err != nil {
			return err
		}
		ids, err := subtree(ctx, tx, o)
		if err != nil {
			return err
		}
		l.Items, l.Next, err = tx.ListAudit(ctx, ids, p.Normalize())
		return err
	})
	return l, err
}

// subtree returns o and every organization below it.
func subtree(ctx context.Context, tx Tx, o org.ID) ([]org.ID, error) {
	ids := []org.ID{o}
	for i := 0; i < len(ids); i++ {
		kids, err := tx.Children(ctx, ids[i])
		if err != nil {
			return nil, err
		}
		for _, k := range kids {
			ids = append(ids, k.ID)
		}
		if len(ids) > maxSubtree {
			return nil, fmt.Errorf("multiline: more than %d organizations under %s", maxSubtree, o)
		}
	}
	return ids, nil
}

package multiline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// The read-only views a portal draws its screens from: the organization
// tree of its selector, the profiles of the Single Account form, and the
// CSV template of the Batch Import.

// OrgNode is one organization of the tree an administrator covers, with the
// settings in force there that the Accounts screen shows (after
// inheritance) and its sub-organizations.
type OrgNode struct {
	ID   org.ID
	Name string
	// ParentID is the parent organization, or empty when the administrator
	// does not cover it (the node is then a root of the answer): an
	// administrator of a sub-organization is not told its parent's ID.
	ParentID        org.ID
	Applications    []org.Application
	Features        []org.Feature
	SocialMessaging bool
	// Privileges are those the administrator holds on this organization.
	Privileges []permissions.Privilege
	// Children are its sub-organizations, by name.
	Children []OrgNode
}

// maxTreeOrgs bounds the organizations OrgTree answers, so that a corrupt
// store (a parent loop) cannot make it walk forever.
const maxTreeOrgs = 100_000

// OrgTree returns the organizations the actor covers — every organization a
// role of theirs with at least one privilege names, and its
// sub-organizations — as trees: one root for each topmost organization
// covered, the roots in the order of the roles. It needs no particular
// privilege; an unknown administrator is refused with
// permissions.ErrForbidden, and one that covers nothing gets no trees.
func (s *Service) OrgTree(ctx context.Context, actor permissions.AdminID) ([]OrgNode, error) {
	var out []OrgNode
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		out = nil
		admin, err := tx.Admin(ctx, actor)
		if errors.Is(err, mlerr.ErrNotFound) {
			return permissions.ErrForbidden
		}
		if err != nil {
			return err
		}
		var granted []org.ID
		for _, r := range admin.Roles {
			if len(r.Privileges) == 0 {
				continue
			}
			for _, id := range r.Orgs {
				if !slices.Contains(granted, id) {
					granted = append(granted, id)
				}
			}
		}
		w := treeWalk{tx: tx, admin: admin}
		for _, id := range granted {
			lin, err := lineage(ctx, tx, id)
			if err != nil {
				return err
			}
			if len(lin) == 0 {
				continue // a role may name an organization since deleted
			}
			// An organization under another granted one is in that tree.
			if slices.ContainsFunc(lin[1:], func(o org.Org) bool { return slices.Contains(granted, o.ID) }) {
				continue
			}
			n, err := w.node(ctx, lin, "")
			if err != nil {
				return err
			}
			out = append(out, n)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// treeWalk builds OrgTree's nodes, counting them.
type treeWalk struct {
	tx    Tx
	admin permissions.Admin
	seen  int
}

// node is lin[0] and its subtree; lin is its lineage, nearest first.
func (w *treeWalk) node(ctx context.Context, lin []org.Org, parent org.ID) (OrgNode, error) {
	w.seen++
	if w.seen > maxTreeOrgs || len(lin) > maxDepth {
		return OrgNode{}, fmt.Errorf("multiline: organization tree larger than %d organizations or deeper than %d", maxTreeOrgs, maxDepth)
	}
	o := lin[0]
	e := org.Resolve(lin)
	ids := org.IDs(lin)
	n := OrgNode{ID: o.ID, Name: o.Name, ParentID: parent, Applications: slices.Clone(e.Applications),
		Features: slices.Clone(e.Features), SocialMessaging: e.SocialMessaging, Children: []OrgNode{}}
	for _, p := range permissions.Privileges {
		if w.admin.Can(p, ids) {
			n.Privileges = append(n.Privileges, p)
		}
	}
	kids, err := w.tx.Children(ctx, o.ID)
	if err != nil {
		return OrgNode{}, err
	}
	slices.SortFunc(kids, func(a, b org.Org) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.ID, b.ID))
	})
	for _, k := range kids {
		c, err := w.node(ctx, append([]org.Org{k}, lin...), o.ID)
		if err != nil {
			return OrgNode{}, err
		}
		n.Children = append(n.Children, c)
	}
	return n, nil
}

// OrgProfiles are the user-permission profiles an organization's accounts
// can be given: those defined on it and on its ancestors.
type OrgProfiles struct {
	// Items are the profiles, the organization's own first, then each
	// ancestor's up to the root; by name within one organization.
	Items []permissions.Profile
	// Default is the profile in force when an account names none: the
	// organization's own default, else the nearest ancestor's; empty when
	// no organization of the lineage has one.
	Default permissions.ProfileID
}

// Profiles returns the profiles organization o can use, the default marked
// (the Single Account form's User permissions choice). It needs Accounts on
// the organization.
func (s *Service) Profiles(ctx context.Context, actor permissions.AdminID, o org.ID) (OrgProfiles, error) {
	var out OrgProfiles
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		sc, err := authorize(ctx, tx, actor, permissions.Accounts, o)
		if err != nil {
			return err
		}
		ps, err := tx.Profiles(ctx, sc.ids)
		if err != nil {
			return err
		}
		slices.SortStableFunc(ps, func(a, b permissions.Profile) int {
			return cmp.Or(cmp.Compare(slices.Index(sc.ids, a.OrgID), slices.Index(sc.ids, b.OrgID)),
				cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.ID, b.ID))
		})
		out = OrgProfiles{Items: ps}
		if d, ok := permissions.DefaultFor(ps, sc.ids); ok {
			out.Default = d.ID
		}
		return nil
	})
	if err != nil {
		return OrgProfiles{}, err
	}
	return out, nil
}

// WriteBatchTemplate writes the Batch Import's CSV template for
// organization o to w: the restrict_incoming_social_messaging column only
// when social messaging is in force there (batch.WriteTemplateFor). Nothing
// is written when the actor is refused. It needs Accounts on the
// organization.
func (s *Service) WriteBatchTemplate(ctx context.Context, actor permissions.AdminID, o org.ID, w io.Writer) error {
	var social bool
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		sc, err := authorize(ctx, tx, actor, permissions.Accounts, o)
		if err != nil {
			return err
		}
		social = sc.settings.SocialMessaging
		return nil
	})
	if err != nil {
		return err
	}
	return batch.WriteTemplateFor(w, social)
}

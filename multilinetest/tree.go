// Package multilinetest sets up what tests of code built on the SDK start
// from: a Service's organizations, administrators and numbers, made through
// the Service's own calls. The SDK's own tests (the root package, httpapi,
// httpapi/scim) share it, so that each does not build the tree again.
//
// Like net/http/httptest, it is for tests: its functions return errors for
// the caller's require, and it holds no state of its own.
package multilinetest

import (
	"context"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// Tree is two tenants: Acme, whose root organization has the
// sub-organizations Sales and Support, and Globex, unrelated to it. Each
// tenant's administrator has every privilege on its tenant.
type Tree struct {
	Acme    multiline.Tenant
	Sales   org.Org
	Support org.Org
	Globex  multiline.Tenant
}

// Root returns Acme's administrator.
func (tr Tree) Root() permissions.AdminID { return tr.Acme.Admin.ID }

// NewTree creates the tree through svc.
func NewTree(ctx context.Context, svc *multiline.Service) (Tree, error) {
	var tr Tree
	var err error
	if tr.Acme, err = svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Acme", AdminName: "Root", AdminEmail: "root@acme.example"}); err != nil {
		return Tree{}, err
	}
	if tr.Sales, err = svc.CreateOrg(ctx, tr.Root(), tr.Acme.Org.ID, multiline.OrgInput{Name: "Sales"}); err != nil {
		return Tree{}, err
	}
	if tr.Support, err = svc.CreateOrg(ctx, tr.Root(), tr.Acme.Org.ID, multiline.OrgInput{Name: "Support"}); err != nil {
		return Tree{}, err
	}
	if tr.Globex, err = svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Globex", AdminName: "G", AdminEmail: "g@globex.example"}); err != nil {
		return Tree{}, err
	}
	return tr, nil
}

// Admin creates, as Acme's administrator, an administrator named and
// reached by email, with privs on the organizations orgs.
func (tr Tree) Admin(ctx context.Context, svc *multiline.Service, email string, orgs []org.ID, privs ...permissions.Privilege) (permissions.AdminID, error) {
	a, err := svc.CreateAdmin(ctx, tr.Root(), multiline.AdminInput{
		Name: email, Email: email, Roles: []permissions.Role{{Privileges: privs, Orgs: orgs}},
	})
	return a.ID, err
}

// Numbers adds the numbers in to Acme and, when o is another of Acme's
// organizations, allocates them to o.
func (tr Tree) Numbers(ctx context.Context, svc *multiline.Service, o org.ID, in ...multiline.NumberInput) error {
	if _, err := svc.AddNumbers(ctx, tr.Root(), tr.Acme.Org.ID, in); err != nil {
		return err
	}
	if o == tr.Acme.Org.ID {
		return nil
	}
	e164s := make([]string, len(in))
	for i, n := range in {
		e164s[i] = n.Number
	}
	return svc.AllocateNumbers(ctx, tr.Root(), tr.Acme.Org.ID, o, e164s)
}

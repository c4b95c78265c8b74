package multiline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// TenantInput describes a new organization tree: its root organization, the
// root's default user-permissions profile and its first administrator.
type TenantInput struct {
	OrgName     string
	Settings    org.Settings
	ProfileName string // default "Standard"
	AdminName   string
	AdminEmail  string
}

// Tenant is what CreateTenant made.
type Tenant struct {
	Org     org.Org
	Profile permissions.Profile
	Admin   permissions.Admin
}

// CreateTenant creates a new organization tree with its first administrator,
// who holds every privilege on it. It is the host's own call — creating a
// customer is not something an administrator of the portal does — so it
// takes no acting administrator; a host exposes it only to its own trusted
// code.
func (s *Service) CreateTenant(ctx context.Context, in TenantInput) (Tenant, error) {
	var errs []error
	name, err := org.CheckName(in.OrgName)
	errs = append(errs, err)
	errs = append(errs, org.ValidateSettings(in.Settings), checkTemplates(in.Settings))
	adminEmail, err := adminEmail(in.AdminEmail)
	errs = append(errs, err)
	adminName, err := permissions.CheckAdminName(in.AdminName)
	errs = append(errs, err)
	profileName := "Standard"
	if strings.TrimSpace(in.ProfileName) != "" {
		profileName, err = permissions.CheckProfileName(in.ProfileName)
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return Tenant{}, err
	}
	now := s.now()
	t := Tenant{
		Org: org.Org{ID: org.ID(newID()), Name: name, Settings: in.Settings, Created: now},
	}
	t.Profile = permissions.Profile{ID: permissions.ProfileID(newID()), OrgID: t.Org.ID, Name: profileName, Default: true, Created: now}
	t.Admin = permissions.Admin{
		ID: permissions.AdminID(newID()), Name: adminName, Email: adminEmail, Created: now,
		Roles: []permissions.Role{{Privileges: slices.Clone(permissions.Privileges), Orgs: []org.ID{t.Org.ID}}},
	}
	err = s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		if err := tx.CreateOrg(ctx, t.Org); err != nil {
			return err
		}
		if err := tx.CreateProfile(ctx, t.Profile); err != nil {
			return err
		}
		if err := tx.CreateAdmin(ctx, t.Admin); err != nil {
			return uniqueField(err)
		}
		return errors.Join(
			s.audit(ctx, tx, "", t.Org.ID, ActionOrgCreated, string(t.Org.ID), nil, t.Org),
			s.audit(ctx, tx, "", t.Org.ID, ActionProfileCreated, string(t.Profile.ID), nil, t.Profile),
			s.audit(ctx, tx, "", t.Org.ID, ActionAdminCreated, string(t.Admin.ID), nil, t.Admin),
		)
	})
	if err != nil {
		return Tenant{}, err
	}
	return t, nil
}

func adminEmail(s string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(s))
	if org.CheckEmail(e) != "" {
		return "", mlerr.Invalid("admin_email", permissions.CodeAdminEmailFormat, s, "Administrator Email must be an address like name@example.com")
	}
	return e, nil
}

// OrgInput describes a sub-organization.
type OrgInput struct {
	Name     string
	Settings org.Settings
}

// CreateOrg creates a sub-organization of parent. It needs Setup on parent.
func (s *Service) CreateOrg(ctx context.Context, actor permissions.AdminID, parent org.ID, in OrgInput) (org.Org, error) {
	name, err := org.CheckName(in.Name)
	if err := errors.Join(err, org.ValidateSettings(in.Settings), checkTemplates(in.Settings)); err != nil {
		return org.Org{}, err
	}
	o := org.Org{ID: org.ID(newID()), ParentID: parent, Name: name, Settings: in.Settings, Created: s.now()}
	err = s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		if _, err := authorize(ctx, tx, actor, permissions.Setup, parent); err != nil {
			return err
		}
		if err := tx.CreateOrg(ctx, o); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, o.ID, ActionOrgCreated, string(o.ID), nil, o)
	})
	if err != nil {
		return org.Org{}, err
	}
	return o, nil
}

// UpdateOrgSettings replaces what an organization sets for itself. It needs
// Setup on the organization.
func (s *Service) UpdateOrgSettings(ctx context.Context, actor permissions.AdminID, id org.ID, settings org.Settings) (org.Org, error) {
	if err := errors.Join(org.ValidateSettings(settings), checkTemplates(settings)); err != nil {
		return org.Org{}, err
	}
	var o org.Org
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		sc, err := authorize(ctx, tx, actor, permissions.Setup, id)
		if err != nil {
			return err
		}
		before := sc.org()
		o = before
		o.Settings = settings
		if err := tx.UpdateOrg(ctx, o); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, o.ID, ActionOrgSettingsChanged, string(o.ID), before.Settings, o.Settings)
	})
	if err != nil {
		return org.Org{}, err
	}
	return o, nil
}

// ProfileInput describes a user-permissions profile.
type ProfileInput struct {
	Name    string
	Default bool // the organization's default; it may have one only
}

// CreateProfile defines a user-permissions profile on an organization. It
// needs Setup on the organization.
func (s *Service) CreateProfile(ctx context.Context, actor permissions.AdminID, id org.ID, in ProfileInput) (permissions.Profile, error) {
	name, err := permissions.CheckProfileName(in.Name)
	if err != nil {
		return permissions.Profile{}, err
	}
	p := permissions.Profile{ID: permissions.ProfileID(newID()), OrgID: id, Name: name, Default: in.Default, Created: s.now()}
	err = s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		if _, err := authorize(ctx, tx, actor, permissions.Setup, id); err != nil {
			return err
		}
		if err := tx.CreateProfile(ctx, p); err != nil {
			return uniqueField(err)
		}
		return s.audit(ctx, tx, actor, id, ActionProfileCreated, string(p.ID), nil, p)
	})
	if err != nil {
		return permissions.Profile{}, err
	}
	return p, nil
}

// AdminInput describes an administrator.
type AdminInput struct {
	Name  string
	Email string
	Roles []permissions.Role
}

// CreateAdmin creates an administrator. The acting administrator needs Setup
// on every organization of the new one's roles, and may grant only
// privileges it holds there itself: nobody grants more than they have.
func (s *Service) CreateAdmin(ctx context.Context, actor permissions.AdminID, in AdminInput) (permissions.Admin, error) {
	var errs []error
	email, err := adminEmail(in.Email)
	errs = append(errs, err)
	name, err := permissions.CheckAdminName(in.Name)
	errs = append(errs, err)
	if len(in.Roles) == 0 {
		errs = append(errs, mlerr.Invalid("roles", permissions.CodeRolesRequired, "", "Roles: give the administrator at least one role"))
	}
	for i, r := range in.Roles {
		if len(r.Privileges) == 0 || len(r.Orgs) == 0 {
			errs = append(errs, mlerr.Invalid("roles", permissions.CodeRolesEmpty, fmt.Sprint(i+1), fmt.Sprintf("Roles: role %d needs at least one privilege and one organization", i+1)))
		}
		for _, p := range r.Privileges {
			if !permissions.ValidPrivilege(p) {
				errs = append(errs, mlerr.Invalid("roles", permissions.CodeRolesUnknownPrivilege, string(p), fmt.Sprintf("Roles: %q is not a privilege (Accounts, Reports, Setup)", p)))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return permissions.Admin{}, err
	}
	a := permissions.Admin{ID: permissions.AdminID(newID()), Name: name, Email: email, Roles: in.Roles, Created: s.now()}
	err = s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		var first org.ID
		for _, r := range in.Roles {
			for _, o := range r.Orgs {
				sc, err := authorize(ctx, tx, actor, permissions.Setup, o)
				if err != nil {
					return err
				}
				for _, p := range r.Privileges {
					if !sc.admin.Can(p, sc.ids) {
						return permissions.ErrForbidden
					}
				}
				if first == "" {
					first = o
				}
			}
		}
		if err := tx.CreateAdmin(ctx, a); err != nil {
			return uniqueField(err)
		}
		return s.audit(ctx, tx, actor, first, ActionAdminCreated, string(a.ID), nil, a)
	})
	if err != nil {
		return permissions.Admin{}, err
	}
	return a, nil
}

// NumberInput is one number to add to a pool: untagged numbers are
// Available, tagged ones Reserved under their tag.
type NumberInput struct {
	Number string
	Tag    string
}

// AddNumbers adds numbers to the pool of a root organization (numbers enter a
// tree at its root and are allocated down from there). It needs Setup on the
// organization. All are added, or none: every bad number is reported.
func (s *Service) AddNumbers(ctx context.Context, actor permissions.AdminID, id org.ID, in []NumberInput) ([]numberpool.Number, error) {
	nums := make([]numberpool.Number, 0, len(in))
	var errs []error
	seen := map[string]int{}
	for i, ni := range in {
		field := fmt.Sprintf("numbers[%d]", i)
		e164, err := numberpool.ParseE164(ni.Number)
		if err != nil {
			errs = append(errs, mlerr.Invalid(field, numberpool.CodeNumberFormat, ni.Number, fmt.Sprintf("Number %d must be a valid phone number with its country code", i+1)))
			continue
		}
		if j, dup := seen[e164]; dup {
			errs = append(errs, mlerr.Invalid(field, numberpool.CodeNumberDuplicate, ni.Number, fmt.Sprintf("Number %d repeats number %d", i+1, j+1)))
			continue
		}
		seen[e164] = i
		n := numberpool.Number{E164: e164, OrgID: id, State: numberpool.Available}
		if strings.TrimSpace(ni.Tag) != "" {
			if n, err = n.Reserve(ni.Tag); err != nil {
				errs = append(errs, mlerr.Invalid(field, numberpool.CodeTagFormat, ni.Tag, fmt.Sprintf("Number %d: tag must be 1 to 32 letters, digits, dashes or underscores", i+1)))
				continue
			}
		}
		nums = append(nums, n)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	err := s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		sc, err := authorize(ctx, tx, actor, permissions.Setup, id)
		if err != nil {
			return err
		}
		if sc.org().ParentID != "" {
			return mlerr.Invalid("org", numberpool.CodeNumbersNotRoot, string(id), "Numbers enter an organization tree at its root; allocate them to sub-organizations from there")
		}
		for _, n := range nums {
			if err := tx.CreateNumber(ctx, n); err != nil {
				var u *UniqueError
				if errors.As(err, &u) {
					// Same answer whether the number is in this tree or
					// another: it is not this organization's to add.
					return &mlerr.FieldError{Field: "numbers", Code: numberpool.CodeNumberExists, Value: n.E164, Message: fmt.Sprintf("Number %s is already in a number pool", n.E164), Err: mlerr.ErrAlreadyExists}
				}
				return err
			}
			if err := s.audit(ctx, tx, actor, id, ActionNumberAdded, n.E164, nil, n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return nums, nil
}

// AllocateNumbers moves free numbers (Available or Reserved) from an
// organization to one of its direct sub-organizations. It needs Setup on from
// and keeps the capacity invariant in from.
func (s *Service) AllocateNumbers(ctx context.Context, actor permissions.AdminID, from, to org.ID, numbers []string) error {
	return s.transfer(ctx, actor, from, to, numbers, false)
}

// WithdrawNumbers moves free numbers of a sub-organization back to its
// parent. It needs Setup on the parent and keeps the capacity invariant in
// the sub-organization.
func (s *Service) WithdrawNumbers(ctx context.Context, actor permissions.AdminID, from org.ID, numbers []string) error {
	return s.transfer(ctx, actor, from, "", numbers, true)
}

// transfer moves free numbers between a parent and a direct child.
func (s *Service) transfer(ctx context.Context, actor permissions.AdminID, from, to org.ID, numbers []string, up bool) error {
	if len(numbers) == 0 {
		return mlerr.Invalid("numbers", numberpool.CodeNumbersRequired, "", "Numbers: select at least one number")
	}
	return s.store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		src, err := lineage(ctx, tx, from)
		if err != nil {
			return err
		}
		if up {
			if len(src) < 2 {
				// A root has no parent to withdraw to; answer as for an
				// organization the actor cannot see unless it covers it.
				if _, err := authorize(ctx, tx, actor, permissions.Setup, from); err != nil {
					return err
				}
				return mlerr.Invalid("org", numberpool.CodeNumbersNoParent, string(from), "A root organization has no parent to withdraw numbers to")
			}
			to = src[1].ID
			if _, err := authorize(ctx, tx, actor, permissions.Setup, to); err != nil {
				return err
			}
		} else {
			if _, err := authorize(ctx, tx, actor, permissions.Setup, from); err != nil {
				return err
			}
			dst, err := tx.Org(ctx, to)
			if err != nil && !errors.Is(err, mlerr.ErrNotFound) {
				// A store failure, not an answer about the destination.
				return err
			}
			if err != nil || dst.ParentID != from {
				return mlerr.Invalid("to", numberpool.CodeOrgNotChild, string(to), "Numbers can be allocated only to a direct sub-organization")
			}
		}
		if err := tx.LockOrg(ctx, from); err != nil {
			return err
		}
		c, err := tx.Capacity(ctx, from)
		if err != nil {
			return err
		}
		take := 0
		for _, e := range numbers {
			e164, perr := numberpool.ParseE164(e)
			var n numberpool.Number
			if perr == nil {
				n, err = tx.Number(ctx, e164)
			}
			if perr != nil || errors.Is(err, mlerr.ErrNotFound) || err == nil && numberpool.CheckPick(n, from) != nil {
				return &mlerr.FieldError{Field: "numbers", Code: numberpool.CodeNotAvailable, Value: e,
					Message: fmt.Sprintf("Number %s is not a free number of this organization", e), Err: numberpool.ErrNotAvailable}
			}
			if err != nil {
				return err
			}
			if n.State == numberpool.Available {
				take++
			}
			moved, err := n.Transfer(to)
			if err != nil {
				return err
			}
			if err := tx.UpdateNumber(ctx, moved); err != nil {
				return err
			}
			// Both organizations' administrators see the number come or go.
			for _, o := range []org.ID{from, to} {
				if err := s.audit(ctx, tx, actor, o, ActionNumberTransferred, n.E164, n, moved); err != nil {
					return err
				}
			}
		}
		if err := numberpool.CheckCapacity(c, take, 0); err != nil {
			return err
		}
		// Giving free numbers away raises the giver's utilization.
		return s.utilizationAlert(ctx, tx, actor, src[0], org.Resolve(src), c)
	})
}

// uniqueField turns a store's *UniqueError into the field error an
// administrator reads.
func uniqueField(err error) error {
	var u *UniqueError
	if !errors.As(err, &u) {
		return err
	}
	switch u.Key {
	case KeyAdminEmail:
		return mlerr.Exists("admin_email", permissions.CodeAdminEmailExists, u.Value, "Administrator Email is already used by another administrator")
	case KeyDefaultProfile:
		return mlerr.Exists("default", permissions.CodeProfileDefaultExists, u.Value, "The organization has a default profile already")
	}
	return err
}

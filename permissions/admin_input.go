package permissions

import (
	"errors"
	"fmt"
	"strings"

	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
)

// CheckAdminEmail checks an administrator's email: trimmed, lower-cased and
// an address like name@example.com (org.CheckEmail). It returns the
// normalized address, or a field error of "admin_email".
func CheckAdminEmail(s string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(s))
	if org.CheckEmail(e) != "" {
		return "", mlerr.Invalid("admin_email", CodeAdminEmailFormat, s, "Administrator Email must be an address like name@example.com")
	}
	return e, nil
}

// CheckRoles checks the roles given to a new administrator: at least one,
// each with at least one privilege and one organization, every privilege
// one of Privileges. Every broken rule is reported, as field errors of
// "roles" joined.
func CheckRoles(roles []Role) error {
	var errs []error
	if len(roles) == 0 {
		errs = append(errs, mlerr.Invalid("roles", CodeRolesRequired, "", "Roles: give the administrator at least one role"))
	}
	for i, r := range roles {
		if len(r.Privileges) == 0 || len(r.Orgs) == 0 {
			errs = append(errs, mlerr.Invalid("roles", CodeRolesEmpty, fmt.Sprint(i+1), fmt.Sprintf("Roles: role %d needs at least one privilege and one organization", i+1)))
		}
		for _, p := range r.Privileges {
			if !ValidPrivilege(p) {
				errs = append(errs, mlerr.Invalid("roles", CodeRolesUnknownPrivilege, string(p), fmt.Sprintf("Roles: %q is not a privilege (Accounts, Reports, Setup)", p)))
			}
		}
	}
	return errors.Join(errs...)
}

// AdminEmailTaken is the refusal of an administrator whose email another
// administrator uses already (the store's unique key on it).
func AdminEmailTaken(email string) error {
	return mlerr.Exists("admin_email", CodeAdminEmailExists, email, "Administrator Email is already used by another administrator")
}

// DefaultProfileTaken is the refusal of a second default profile on an
// organization (the store's unique key on it).
func DefaultProfileTaken(o string) error {
	return mlerr.Exists("default", CodeProfileDefaultExists, o, "The organization has a default profile already")
}

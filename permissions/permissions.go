// Package permissions holds administrators, their roles and privileges, and
// user-permission profiles (classes of service).
//
// A Role is a set of privileges on a set of organizations; it covers each of
// those organizations and all their sub-organizations. Authorize answers
// whether an administrator holds a privilege on an organization, given the
// organization's lineage; a refusal wraps ErrForbidden and says nothing about
// the organization, so an administrator learns nothing of one it does not
// cover — not even whether it exists.
//
// Every organization has exactly one default profile in force: its own, or,
// when it defines none, the nearest ancestor's. A profile is visible to an
// organization when it is defined on that organization or an ancestor.
package permissions

import (
	"slices"
	"time"

	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
)

// ErrForbidden is wrapped by every refusal to act: the administrator lacks the
// privilege on the organization, does not cover it, or is unknown.
var ErrForbidden = mlerr.New(CodeForbidden, "permissions: forbidden")

// Privilege is what a role allows, as the portal names it.
type Privilege string

// The portal's privileges.
const (
	// Accounts: view, add, invite, re-invite, edit, move, suspend and delete
	// accounts, and import a CSV.
	Accounts Privilege = "Accounts"
	// Reports: view and download Batch Operation Reports and the audit log.
	Reports Privilege = "Reports"
	// Setup: invitation templates, email domain restrictions, alert recipients,
	// organization settings, number pools, profiles and administrators.
	Setup Privilege = "Setup"
)

// Privileges lists every privilege.
var Privileges = []Privilege{Accounts, Reports, Setup}

// AdminID identifies an administrator.
type AdminID string

// Role grants privileges on organizations and their sub-organizations.
type Role struct {
	Privileges []Privilege
	Orgs       []org.ID
}

// Admin is an administrator of the portal.
type Admin struct {
	ID      AdminID
	Name    string
	Email   string
	Roles   []Role
	Created time.Time
}

// Can reports whether a holds p on the organization whose lineage (the
// organization first, then its ancestors) is given.
func (a Admin) Can(p Privilege, lineage []org.ID) bool {
	for _, r := range a.Roles {
		if !slices.Contains(r.Privileges, p) {
			continue
		}
		for _, id := range lineage {
			if slices.Contains(r.Orgs, id) {
				return true
			}
		}
	}
	return false
}

// Authorize returns nil when a holds p on the organization of lineage, and an
// error wrapping ErrForbidden otherwise. An empty lineage (an organization
// that does not exist) is refused like one the administrator does not cover.
func Authorize(a Admin, p Privilege, lineage []org.ID) error {
	if len(lineage) > 0 && a.Can(p, lineage) {
		return nil
	}
	return ErrForbidden
}

// ProfileID identifies a user-permissions profile.
type ProfileID string

// Profile is a user-permissions profile (class of service) defined on an
// organization and visible to its sub-organizations.
type Profile struct {
	ID      ProfileID
	OrgID   org.ID
	Name    string
	Default bool // the default of OrgID and of sub-orgs that define none
	Created time.Time
}

// Visible reports whether p may be used in the organization of lineage.
func Visible(p Profile, lineage []org.ID) bool { return slices.Contains(lineage, p.OrgID) }

// DefaultFor returns the default profile in force for the organization of
// lineage among profiles (which may hold profiles of any organization): the
// organization's own default, else the nearest ancestor's.
func DefaultFor(profiles []Profile, lineage []org.ID) (Profile, bool) {
	for _, id := range lineage {
		for _, p := range profiles {
			if p.OrgID == id && p.Default {
				return p, true
			}
		}
	}
	return Profile{}, false
}

// ValidPrivilege reports whether p is a known privilege.
func ValidPrivilege(p Privilege) bool { return slices.Contains(Privileges, p) }

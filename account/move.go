package account

import (
	"fmt"
	"slices"

	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// Change is one setting a move changes on an account, because the
// destination decides it differently.
type Change struct {
	Field string // user_permissions, features, applications, social_messaging, restrict_incoming_social_messaging
	From  string
	To    string
}

// Destination is the organization accounts move to, as the rules of a move
// see it.
type Destination struct {
	Name     string        // for the administrator's messages
	Settings org.Effective // the settings in force there
	// Profiles are the user-permissions profiles the destination can use;
	// Default, when HasDefault, is its default one.
	Profiles   []permissions.Profile
	Default    permissions.Profile
	HasDefault bool
}

// NewDestination is the destination o, with the settings in force there and
// the profiles of its lineage (the organization first, then its ancestors).
func NewDestination(o org.Org, settings org.Effective, profiles []permissions.Profile, lineage []org.ID) Destination {
	def, ok := permissions.DefaultFor(profiles, lineage)
	return Destination{Name: o.Name, Settings: settings, Profiles: profiles, Default: def, HasDefault: ok}
}

// DestinationError refuses a move because of the destination's rules.
// Reason is the text for the administrator; Err is the account rule broken,
// a *mlerr.FieldError.
type DestinationError struct {
	Reason string
	Err    *mlerr.FieldError
}

func (e *DestinationError) Error() string { return "account: move refused: " + e.Reason }

// Unwrap returns the field error.
func (e *DestinationError) Unwrap() error { return e.Err }

func (d Destination) usable(p permissions.ProfileID) bool {
	return slices.ContainsFunc(d.Profiles, func(q permissions.Profile) bool { return q.ID == p })
}

// CheckProfile checks the profile an administrator chose for the moved
// accounts, if any: one the destination can use.
func (d Destination) CheckProfile(chosen permissions.ProfileID) error {
	if chosen != "" && !d.usable(chosen) {
		return &DestinationError{Reason: "the chosen user permissions profile is not one the destination can use",
			Err: mlerr.Invalid("user_permissions", CodeProfileNotVisible, string(chosen), "User Permissions: the profile is not one this organization can use")}
	}
	return nil
}

// Admit returns a as the destination makes it, with the changes that makes,
// or the *DestinationError refusing it: an email the destination's rules
// refuse (the ones every new account of it meets, CheckOrgEmail's), or no
// profile it can use. chosen is the profile the administrator chose, if any.
func (d Destination) Admit(a Account, chosen permissions.ProfileID) (Account, []Change, error) {
	if fe := CheckOrgEmail(a.Email, d.Settings); fe != nil {
		msg := fmt.Sprintf("%s is outside the email domains %s allows", a.Email, d.Name)
		if a.Email == "" {
			msg = fmt.Sprintf("%s has no email, and %s requires one (SMTP data offload)", a.Username, d.Name)
		}
		return Account{}, nil, &DestinationError{Reason: msg, Err: fe}
	}
	moved, changes := d.apply(a, chosen)
	if moved.ProfileID == "" {
		return Account{}, nil, &DestinationError{Reason: fmt.Sprintf("%s has no user permissions profile it can use there: choose one", d.Name),
			Err: mlerr.Invalid("user_permissions", CodeProfileNoDefault, "", "User Permissions: the organization has no default profile; choose one")}
	}
	return moved, changes, nil
}

// apply returns a as the destination's settings make it, and the changes
// that makes.
func (d Destination) apply(a Account, chosen permissions.ProfileID) (Account, []Change) {
	var ch []Change
	want := a.ProfileID
	switch visible := d.usable(a.ProfileID); {
	case chosen != "":
		want = chosen
	case !visible && d.HasDefault:
		want = d.Default.ID
	case !visible:
		want = ""
	}
	if want != a.ProfileID {
		ch = append(ch, Change{Field: "user_permissions", From: string(a.ProfileID), To: string(want)})
		a.ProfileID = want
	}
	var kept []org.Feature
	for _, f := range a.Features {
		if d.Settings.HasFeature(f) {
			kept = append(kept, f)
		} else {
			ch = append(ch, Change{Field: "features", From: string(f), To: "off"})
		}
	}
	a.Features = kept
	var apps []org.Application
	for _, app := range a.Applications {
		if d.Settings.HasApplication(app) {
			apps = append(apps, app)
		} else {
			ch = append(ch, Change{Field: "applications", From: string(app), To: "off"})
		}
	}
	if len(apps) == 0 && len(d.Settings.Applications) > 0 {
		// An account onboards at least one application: the destination's
		// first, which every destination enables.
		apps = []org.Application{d.Settings.Applications[0]}
		ch = append(ch, Change{Field: "applications", From: "", To: string(apps[0])})
	}
	a.Applications = apps
	if a.SocialMessaging && !d.Settings.SocialMessaging {
		ch = append(ch, Change{Field: "social_messaging", From: "Yes", To: "No"})
		a.SocialMessaging = false
		if a.RestrictIncomingSocial {
			ch = append(ch, Change{Field: "restrict_incoming_social_messaging", From: "true", To: "false"})
			a.RestrictIncomingSocial = false
		}
	}
	return a, ch
}

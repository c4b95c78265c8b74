package account

import (
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// Edit is an edit of an account, as the portal's edit form sends it: a nil
// pointer leaves the field unchanged.
type Edit struct {
	FirstName, LastName, AccountID *string
	Applications                   *[]org.Application
	Email, Device                  *string
	Number                         *string // a number or a tag assigns/changes; "" releases
	Profile                        *permissions.ProfileID
	Forwarding                     *string
	Features                       *[]org.Feature
	Language                       *string
}

// Input is the Input that validates a edited by e: a's own values where e
// leaves a field unchanged. The number of an account that has activated is
// not edited (CheckActivatedEdit refuses it).
func (e Edit) Input(a Account) Input {
	in := Input{
		FirstName: a.FirstName, LastName: a.LastName, AccountID: a.AccountID, Applications: a.Applications,
		Email: a.Email, Device: a.Device, Profile: a.ProfileID, Forwarding: a.Forwarding,
		Features: a.Features, Language: a.Language,
		SocialMessaging: a.SocialMessaging, RestrictIncomingSocial: a.RestrictIncomingSocial,
		RecordCalls: a.RecordCalls, RecordSMS: a.RecordSMS,
	}
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&in.FirstName, e.FirstName)
	set(&in.LastName, e.LastName)
	set(&in.AccountID, e.AccountID)
	set(&in.Email, e.Email)
	set(&in.Device, e.Device)
	set(&in.Forwarding, e.Forwarding)
	set(&in.Language, e.Language)
	if e.Number != nil && !HasActivated(a) {
		in.AssignNumber = *e.Number
	}
	if e.Applications != nil {
		in.Applications = *e.Applications
	}
	if e.Profile != nil {
		in.Profile = *e.Profile
	}
	if e.Features != nil {
		in.Features = *e.Features
	}
	return in
}

// FormOf is the form a was created under, whose rules its edits meet: a CSV
// row's for an imported account, the single-account form's otherwise.
func FormOf(a Account) Form {
	if a.BatchID != "" {
		return CSVRow
	}
	return SingleForm
}

// Edited returns a with the edited values of d, the validated draft of
// e.Input(a): a keeps its status, number and history.
func Edited(a Account, d Draft) Account {
	v := d.Account
	a.FirstName, a.LastName, a.AccountID, a.Applications = v.FirstName, v.LastName, v.AccountID, v.Applications
	a.Email, a.Device, a.Username = v.Email, v.Device, v.Username
	a.ProfileID, a.Forwarding, a.Features, a.Language = v.ProfileID, v.Forwarding, v.Features, v.Language
	return a
}

// NumberEdit is what an edit does to an account's number: pick a number
// (Pick not zero), release the one it holds (Release), both, or neither.
type NumberEdit struct {
	Pick    numberpool.Selector
	Release bool
}

// PlanNumber decides what an edit of a whose validated draft is d does to
// a's number; edited says the edit names a number at all. keepsTag reports
// whether a's number carries the tag a selector asks for already (the
// account holds what it asks for); it is called only for a tag while a
// holds a number.
func PlanNumber(a Account, d Draft, edited bool, keepsTag func(numberpool.Selector) (bool, error)) (NumberEdit, error) {
	if !edited || HasActivated(a) {
		return NumberEdit{}, nil
	}
	switch {
	case d.Number.IsZero():
		return NumberEdit{Release: a.Number != ""}, nil
	case d.Number.E164 == a.Number:
		return NumberEdit{}, nil
	}
	if d.Number.Tag != "" && a.Number != "" {
		keep, err := keepsTag(d.Number)
		if err != nil || keep {
			return NumberEdit{}, err
		}
	}
	return NumberEdit{Pick: d.Number, Release: a.Number != ""}, nil
}

// InvitationDestination is where an invitation of a goes: its email, else
// its device.
func InvitationDestination(a Account) string {
	if a.Email != "" {
		return a.Email
	}
	return a.Device
}

// PendingInvitation reports whether a has an invitation that is not
// redeemed: it is Invited or Invitation Failed, or was when suspended.
func PendingInvitation(a Account) bool {
	st := a.Status
	if st == Suspended {
		st = a.SuspendedFrom
	}
	return st == Invited || st == InvitationFailed
}

// WithdrawInvitation reports whether editing a into b withdraws a's pending
// invitation, because it changes where the invitation goes, and returns b
// as that makes it: Not Invited (or, suspended, Not Invited once
// reactivated) until a resend.
func WithdrawInvitation(a, b Account) (Account, bool) {
	if InvitationDestination(a) == InvitationDestination(b) || !PendingInvitation(a) {
		return b, false
	}
	if a.Status == Suspended {
		b.SuspendedFrom = NotInvited
	} else {
		b.Status = NotInvited
	}
	return b, true
}

package account

import (
	"strings"

	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
)

// The codes of the edit rules: an activated account's username (its email
// or device) and number are not edited (SPEC §5).
const (
	CodeEmailActivated  = "email.activated"
	CodeDeviceActivated = "device.activated"
	CodeNumberActivated = "assign_number.activated"
)

// HasActivated reports whether a has activated: it is Activated, or was when
// it was suspended.
func HasActivated(a Account) bool {
	return a.Status == Activated || a.Status == Suspended && a.SuspendedFrom == Activated
}

// CheckActivatedEdit returns a field error for each of email, device and
// number (nil: not edited) that would change what an activated account a
// holds; nil for an account that has not activated. A value equal to the
// stored one, as the form sends back unchanged fields, is no change.
func CheckActivatedEdit(a Account, email, device, number *string) []error {
	if !HasActivated(a) {
		return nil
	}
	var errs []error
	if email != nil && strings.TrimSpace(*email) != a.Email {
		errs = append(errs, mlerr.Invalid("email", CodeEmailActivated, *email, "Email of an activated account cannot be changed: it is the account's username"))
	}
	if device != nil && !samePhone(*device, a.Device) {
		errs = append(errs, mlerr.Invalid("device", CodeDeviceActivated, *device, "Device # of an activated account cannot be changed"))
	}
	if number != nil && !samePhone(*number, a.Number) {
		errs = append(errs, mlerr.Invalid("assign_number", CodeNumberActivated, *number, "The number of an activated account cannot be changed or released"))
	}
	return errs
}

// samePhone reports whether typed is the stored E.164 number (or both are
// empty), in whatever form it was typed.
func samePhone(typed, stored string) bool {
	typed = strings.TrimSpace(typed)
	if typed == "" || stored == "" {
		return typed == stored
	}
	e164, err := numberpool.ParseE164(typed)
	return err == nil && e164 == stored
}

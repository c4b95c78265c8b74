package account

import (
	"fmt"

	"github.com/multilinehq/multiline/mlerr"
)

// MaxSelection is the most accounts one action on a selection of the
// Accounts screen takes (resend, suspend, delete, move), the same as one CSV
// upload: a selection on the screen never holds more.
const MaxSelection = 1000

// The stable codes of the selection rule (the field is "accounts").
const (
	// CodeSelectionRequired: the selection is empty.
	CodeSelectionRequired = "accounts.required"
	// CodeSelectionTooMany: the selection holds more than MaxSelection.
	CodeSelectionTooMany = "accounts.too_many"
	// CodeSelectionDuplicate: an account is selected twice.
	CodeSelectionDuplicate = "accounts.duplicate"
)

// CheckSelection is the rule of every action on a selection of accounts:
// 1 to MaxSelection accounts, none twice. It returns nil or a
// *mlerr.FieldError of the "accounts" field, wrapping mlerr.ErrInvalid, that
// names the rule broken.
func CheckSelection(ids []ID) error {
	if len(ids) == 0 {
		return mlerr.Invalid("accounts", CodeSelectionRequired, "", "Select at least one account")
	}
	if len(ids) > MaxSelection {
		return mlerr.Invalid("accounts", CodeSelectionTooMany, fmt.Sprint(len(ids)), fmt.Sprintf("Select at most %d accounts at once", MaxSelection))
	}
	seen := make(map[ID]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			return mlerr.Invalid("accounts", CodeSelectionDuplicate, string(id), "An account is selected twice")
		}
		seen[id] = true
	}
	return nil
}

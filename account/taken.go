package account

import (
	"fmt"

	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
)

// NumberNotAvailable refuses the number an input names (Assign Number) when
// it is not free in the account's organization.
func NumberNotAvailable(e164 string) error {
	return &mlerr.FieldError{Field: "assign_number", Code: CodeAssignNotAvailable, Value: e164,
		Message: fmt.Sprintf("Assign Number: %s is not available in this organization", e164), Err: numberpool.ErrNotAvailable}
}

// TagExhausted refuses the tag an input names (Assign Number) when no free
// number of the organization carries it.
func TagExhausted(tag string) error {
	return &mlerr.FieldError{Field: "assign_number", Code: CodeAssignTagExhausted, Value: tag,
		Message: fmt.Sprintf("Assign Number: no free number tagged %s in this organization", tag), Err: numberpool.ErrNotEnoughNumbers}
}

// UsernameTaken refuses a, whose username (value) is another account's
// already: the field named is the one the username came from, its email,
// else its device.
func UsernameTaken(a Account, value string) error {
	field, label := "email", "Email"
	if a.Email == "" {
		field, label = "device", "Device #"
	}
	return mlerr.Exists(field, CodeUsernameExists, value, label+" is already the username of another account")
}

// AccountIDTaken refuses an Account ID (value) another account of the
// organization has already.
func AccountIDTaken(value string) error {
	return mlerr.Exists("account_id", CodeAccountIDExists, value, "Account ID is already used in this organization")
}

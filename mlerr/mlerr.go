// Package mlerr holds the errors every part of the MultiLine SDK shares: the
// sentinels callers test with errors.Is, and FieldError, the error that names
// one field of one input, the rule it broke and the stable code of that rule.
//
// Errors that belong to one domain live in that domain's package and wrap
// nothing here: permissions.ErrForbidden, numberpool.ErrNotEnoughNumbers,
// numberpool.ErrNotAvailable, invite.ErrConsentRequired. The sentinels here
// are the ones that every layer needs: a store reports ErrNotFound and
// ErrAlreadyExists, every validator reports ErrInvalid through a FieldError.
//
// All field errors of one input are reported together, joined with
// errors.Join; Fields takes them apart again.
//
// Every refusal has a stable code, which CodeOf finds however the error is
// wrapped: a FieldError's Code, or the ErrorCode of a sentinel made with New
// (every sentinel of the SDK, the domain packages' included) or of a
// structured error. Internal failures carry none.
package mlerr

import (
	"fmt"
	"unicode/utf8"
)

var (
	// ErrInvalid is wrapped by every FieldError of an input that breaks a rule.
	ErrInvalid = New(CodeInvalid, "invalid input")
	// ErrNotFound reports a record that does not exist, or that exists where the
	// caller may not look: the two are deliberately the same answer.
	ErrNotFound = New(CodeNotFound, "not found")
	// ErrAlreadyExists reports a record whose unique key is taken.
	ErrAlreadyExists = New(CodeAlreadyExists, "already exists")
	// ErrConflict reports a change that lost a race with another change to the
	// same record; the operation changed nothing and may be retried.
	ErrConflict = New(CodeConflict, "conflict: the record changed meanwhile")
)

// maxValueLen bounds the offending value kept in a FieldError, so that an
// error about a huge cell does not itself become huge.
const maxValueLen = 64

// FieldError reports one field of one input that breaks one rule.
type FieldError struct {
	// Field is the input's field as the portal's form and CSV name it, e.g.
	// "forwarding_number".
	Field string
	// Code is the stable code of the rule, "<field>.<rule>", e.g.
	// "forwarding_number.length". It is the same in the API, the batch report
	// and the audit log, so hosts can translate or count it.
	Code string
	// Value is the offending value, cut to a short prefix.
	Value string
	// Message says, in words an administrator understands, which field broke
	// which rule, e.g. "Forwarding Number must have 4 to 18 digits".
	Message string
	// Err is the sentinel the error wraps: ErrInvalid, or ErrAlreadyExists for
	// a unique field whose value is taken.
	Err error
}

// Invalid returns a FieldError that wraps ErrInvalid.
func Invalid(field, code, value, msg string) *FieldError {
	return &FieldError{Field: field, Code: code, Value: Truncate(value), Message: msg, Err: ErrInvalid}
}

// Exists returns a FieldError that wraps ErrAlreadyExists.
func Exists(field, code, value, msg string) *FieldError {
	return &FieldError{Field: field, Code: code, Value: Truncate(value), Message: msg, Err: ErrAlreadyExists}
}

// Error returns e.g. `forwarding_number: Forwarding Number must have 4 to 18
// digits (forwarding_number.length)`.
func (e *FieldError) Error() string {
	return fmt.Sprintf("%s: %s (%s)", e.Field, e.Message, e.Code)
}

// Unwrap returns the sentinel the error wraps.
func (e *FieldError) Unwrap() error { return e.Err }

// Fields returns every FieldError inside err, in order, looking through
// errors.Join and %w wrapping. It returns nil when err holds none.
func Fields(err error) []*FieldError {
	var out []*FieldError
	var walk func(error)
	walk = func(err error) {
		switch x := err.(type) {
		case nil:
			return
		case *FieldError:
			out = append(out, x)
		case interface{ Unwrap() []error }:
			for _, e := range x.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(x.Unwrap())
		}
	}
	walk(err)
	return out
}

// Truncate cuts s to a short prefix on a rune boundary, marking the cut.
func Truncate(s string) string {
	if len(s) <= maxValueLen {
		return s
	}
	cut := maxValueLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

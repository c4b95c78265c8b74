package org

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/multilinehq/multiline/mlerr"
)

// MaxNameLength is the most characters a name of the portal's records (an
// organization, a user-permissions profile) may have.
const MaxNameLength = 100

// IsControl reports whether r may not appear in a name or another one-line
// setting: a Unicode control character (category Cc: C0, DEL and C1 alike,
// U+0085 NEXT LINE among them) or the line and paragraph separators U+2028
// and U+2029. Names reach mail subjects, CSV cells and log lines, where each
// of these ends a line or a header.
func IsControl(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
}

// CheckText checks a one-line name of the portal: it returns s with
// surrounding spaces (not controls) trimmed, or the field error of the rule it breaks,
// with the code "<field>.required", "<field>.control_character" or
// "<field>.format" (not UTF-8, or over MaxNameLength characters). label
// names the field for the administrator, e.g. "Organization Name".
func CheckText(field, label, s string) (string, *mlerr.FieldError) {
	// Trim spaces only: a control at either end (a trailing line break or
	// NEXT LINE, which strings.TrimSpace would drop) is refused like one
	// inside, so that no name is accepted by losing part of what was given.
	name := strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) && !IsControl(r) })
	switch {
	case name == "":
		return "", mlerr.Invalid(field, field+".required", s, label+" is required")
	case !utf8.ValidString(name):
		return "", mlerr.Invalid(field, field+".format", s, label+" must be UTF-8 text")
	}
	if i := strings.IndexFunc(name, IsControl); i >= 0 {
		r, _ := utf8.DecodeRuneInString(name[i:])
		return "", mlerr.Invalid(field, field+".control_character", s,
			fmt.Sprintf("%s must not contain a line break, tab or other control character (%U)", label, r))
	}
	if utf8.RuneCountInString(name) > MaxNameLength {
		return "", mlerr.Invalid(field, field+".format", s, fmt.Sprintf("%s must be at most %d characters", label, MaxNameLength))
	}
	return name, nil
}

// CheckName checks an organization's name (see CheckText): the field is
// "org_name".
func CheckName(s string) (string, error) {
	name, fe := CheckText("org_name", "Organization Name", s)
	if fe != nil {
		return "", fe
	}
	return name, nil
}

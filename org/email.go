package org

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// EmailRule names the rule of the SDK's email address policy an address
// breaks. Every address the SDK keeps — an account's email, an alert
// recipient — is checked against the same policy; each caller turns the rule
// into a field error of its own field ("email.format",
// "alert_recipients.format").
type EmailRule string

// The rules of the email address policy.
const (
	EmailFormat      EmailRule = "format"       // not a single address like name@example.com
	EmailDisplayName EmailRule = "display_name" // a display name, comment or angle brackets
	EmailSpace       EmailRule = "space"        // white space or a control character (CR LF among them)
	EmailDomain      EmailRule = "domain"       // a domain without a dot, or not a host name
	EmailTooLong     EmailRule = "too_long"     // over 254 bytes, or 64 before the @
)

// CheckEmail applies the SDK's email address policy to s (trimmed first by
// the caller, if at all) and returns the rule it breaks, or "" for an address
// the policy accepts. The policy accepts what a mail system delivers
// to a business user and refuses the rest, even where RFC 5322 allows it:
//
//   - net/mail must parse it, and to itself: no display name ("Ann <a@b.c>"),
//     no comment, no angle brackets;
//   - no white space or control character anywhere;
//   - at most 254 bytes in all and 64 before the @;
//   - the local part is a dot-atom (no quoted string, no leading, trailing or
//     doubled dot); UTF-8 letters are allowed (RFC 6531);
//   - the domain has at least two labels of letters, digits and inner hyphens
//     (UTF-8 letters allowed for internationalized names), each 1–63 bytes, a
//     top-level label that is not all digits, and no IP literal.
func CheckEmail(s string) EmailRule {
	if s == "" || !utf8.ValidString(s) {
		return EmailFormat
	}
	// "Ann <ann@example.com>" is the most common paste from a mail client:
	// name that rule before the space it contains.
	if strings.ContainsAny(s, "<>") {
		return EmailDisplayName
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError {
			return EmailSpace
		}
	}
	if len(s) > 254 {
		return EmailTooLong
	}
	if strings.Count(s, "@") != 1 {
		return EmailFormat
	}
	addr, err := mail.ParseAddress(s)
	if err != nil {
		return EmailFormat
	}
	if addr.Name != "" || addr.Address != s {
		return EmailDisplayName
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], s[at+1:]
	if len(local) > 64 {
		return EmailTooLong
	}
	if !dotAtom(local) {
		return EmailFormat
	}
	if !hostname(domain) {
		return EmailDomain
	}
	return ""
}

// dotAtom reports whether s is an RFC 5322 dot-atom, allowing UTF-8 letters.
func dotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for _, r := range s {
		switch {
		case r == '.':
		case r < utf8.RuneSelf:
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+/=?^_`{|}~-", r)) {
				return false
			}
		default:
			if !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.IsMark(r) {
				return false
			}
		}
	}
	return true
}

// hostname reports whether s is a domain name with a dot, as CheckEmail
// describes.
func hostname(s string) bool {
	if len(s) > 253 {
		return false
	}
	n, last := 0, ""
	for l := range strings.SplitSeq(s, ".") {
		n, last = n+1, l
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if r == '-' || r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				continue
			}
			if r < utf8.RuneSelf || !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.IsMark(r) {
				return false
			}
		}
	}
	return n >= 2 && !onlyDigits(last)
}

func onlyDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

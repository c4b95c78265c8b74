package account

import "github.com/multilinehq/multiline/org"

// Email rule codes.
const (
	CodeEmailFormat      = "email.format"
	CodeEmailDisplayName = "email.display_name"
	CodeEmailSpace       = "email.space"
	CodeEmailDomain      = "email.domain"
	CodeEmailTooLong     = "email.too_long"
)

// emailRule is why an address was refused: a code and the words for it.
type emailRule struct{ code, msg string }

var (
	ruleEmailFormat  = emailRule{CodeEmailFormat, "Email must be a single address like name@example.com"}
	ruleEmailDisplay = emailRule{CodeEmailDisplayName, "Email must be the bare address, without a display name, comment or angle brackets"}
	ruleEmailSpace   = emailRule{CodeEmailSpace, "Email must not contain spaces or control characters"}
	ruleEmailDomain  = emailRule{CodeEmailDomain, "Email must have a domain with a dot, like example.com, made of letters, digits and hyphens"}
	ruleEmailLong    = emailRule{CodeEmailTooLong, "Email must be at most 254 characters, with at most 64 before the @"}
)

// checkEmail applies the SDK's email policy (org.CheckEmail) to a trimmed
// address and returns the rule it breaks, as the account's code and words,
// or nil.
func checkEmail(s string) *emailRule {
	switch org.CheckEmail(s) {
	case "":
		return nil
	case org.EmailDisplayName:
		return &ruleEmailDisplay
	case org.EmailSpace:
		return &ruleEmailSpace
	case org.EmailDomain:
		return &ruleEmailDomain
	case org.EmailTooLong:
		return &ruleEmailLong
	}
	return &ruleEmailFormat
}

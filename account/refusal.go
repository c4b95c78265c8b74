package account

import (
	"strings"

	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
)

// CodeStatus is the stable code of ErrStatus and every *StatusError: the
// account's status does not allow the change (e.g. a suspended account
// activating).
const CodeStatus = "account.status"

// CheckOrgEmail applies an organization's email rules to an account's
// email (trimmed; empty when the account has none): an organization with
// SMTP data offload requires one, and one outside the organization's allowed
// domains is refused. It returns nil or a *mlerr.FieldError of the email
// field (CodeEmailRequiredOffload, CodeEmailDomainNotAllowed). Validate
// applies it to every input, and a move to every account it takes to a new
// organization, so that the two cannot disagree.
func CheckOrgEmail(email string, s org.Effective) *mlerr.FieldError {
	switch {
	case email == "" && s.SMTPDataOffload:
		return mlerr.Invalid("email", CodeEmailRequiredOffload, "", "Email is required: the organization uses SMTP data offload")
	case email != "" && !s.EmailDomainAllowed(email):
		return mlerr.Invalid("email", CodeEmailDomainNotAllowed, email,
			"Email must be in one of the organization's allowed domains: "+strings.Join(s.EmailDomains, ", "))
	}
	return nil
}

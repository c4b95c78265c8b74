package invite

// The stable codes of this package's sentinels (see mlerr.CodeOf), the same
// in the API, the batch report and the audit log.
const (
	// CodeSMSConsentRequired is ErrConsentRequired's code: an SMS invitation
	// without the administrator's consent attestation.
	CodeSMSConsentRequired = "sms_consent.required"
	// CodeNotInvitable is ErrNotInvitable's code: the account's status
	// allows no invitation.
	CodeNotInvitable = "account.not_invitable"
	// CodeTokenUnknown is ErrTokenUnknown's code.
	CodeTokenUnknown = "token.unknown"
	// CodeTokenExpired is ErrTokenExpired's code.
	CodeTokenExpired = "token.expired"
	// CodeTokenUsed is ErrTokenUsed's code.
	CodeTokenUsed = "token.used"
	// CodeTokenRotated is ErrTokenRotated's code.
	CodeTokenRotated = "token.rotated"
	// CodeTokenMalformed is ErrTokenMalformed's code.
	CodeTokenMalformed = "token.malformed"
)

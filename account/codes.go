package account

// The stable codes of the account rules, "<field>.<rule>". The names fields
// that follow a pattern (first_name.*, last_name.*, device.*) are built from
// the field name: first_name.required, first_name.too_long,
// first_name.control_character, first_name.not_printable,
// first_name.encoding (likewise last_name.*); device.format,
// device.country_code, device.scientific_notation.
const (
	CodeDestinationRequired   = "email.destination_required"
	CodeEmailDomainNotAllowed = "email.domain_not_allowed"
	CodeEmailRequiredOffload  = "email.required_smtp_offload"
	CodeAccountIDRequired     = "account_id.required"
	CodeAccountIDTooLong      = "account_id.too_long"
	CodeAccountIDFormat       = "account_id.format"
	CodeAccountIDExists       = "account_id.exists"
	CodeUsernameExists        = "username.exists"
	CodeApplicationsRequired  = "applications.required"
	CodeApplicationUnknown    = "applications.unknown"
	CodeApplicationDuplicate  = "applications.duplicate"
	CodeApplicationNotEnabled = "applications.not_enabled"
	CodeApplicationEmailOnly  = "applications.email_only"
	CodeAssignFormat          = "assign_number.format"
	CodeAssignScientific      = "assign_number.scientific_notation"
	// The Assign Number rules the service checks against the pool, and the
	// CSV upload against the rest of the file; the upload's
	// multiline_number column is the same field.
	CodeAssignCountryCode   = "assign_number.country_code"
	CodeAssignDuplicate     = "assign_number.duplicate"
	CodeAssignNotAvailable  = "assign_number.not_available"
	CodeAssignTagExhausted  = "assign_number.tag_exhausted"
	CodeProfileNotVisible   = "user_permissions.not_visible"
	CodeProfileNoDefault    = "user_permissions.no_default"
	CodeForwardingFormat    = "forwarding_number.format"
	CodeForwardingLength    = "forwarding_number.length"
	CodeFeatureNotEnabled   = "features.not_enabled"
	CodeLanguageUnknown     = "language.unknown"
	CodeSocialNotEnabled    = "social_messaging.not_enabled"
	CodeRestrictNeedsSocial = "restrict_incoming_social_messaging.needs_social_messaging"
)

package permissions

// CodeForbidden is ErrForbidden's stable code (see mlerr.CodeOf): the
// administrator may not act on the organization, or does not cover it.
const CodeForbidden = "forbidden"

// The stable codes of the setup rules about administrators and profiles,
// "<field>.<rule>", as a host creating a tenant, an administrator or a
// profile meets them (each is a *mlerr.FieldError's Code).
const (
	// CodeAdminNameRequired: the administrator's name is empty.
	CodeAdminNameRequired = "admin_name.required"
	// CodeAdminEmailFormat: the administrator's email is not an address.
	CodeAdminEmailFormat = "admin_email.format"
	// CodeAdminEmailExists: another administrator has the email already.
	CodeAdminEmailExists = "admin_email.exists"
	// CodeRolesRequired: an administrator without a role.
	CodeRolesRequired = "roles.required"
	// CodeRolesEmpty: a role without a privilege or without an organization.
	CodeRolesEmpty = "roles.empty"
	// CodeRolesUnknownPrivilege: a role names a privilege that does not exist.
	CodeRolesUnknownPrivilege = "roles.unknown_privilege"
	// CodeProfileNameRequired: a profile's name is empty.
	CodeProfileNameRequired = "profile_name.required"
	// CodeProfileNameFormat: a profile's name is too long or not UTF-8 text.
	CodeProfileNameFormat = "profile_name.format"
	// CodeProfileDefaultExists: the organization has a default profile
	// already.
	CodeProfileDefaultExists = "profile.default_exists"
)

package permissions

import "github.com/multilinehq/multiline/org"

// CheckProfileName checks a user-permissions profile's name under the rules
// of every name of the portal (org.CheckText): trimmed, 1 to 100
// characters, no control character (C1 included) nor line or paragraph
// separator. It returns the trimmed name, or a field error of
// "profile_name".
func CheckProfileName(s string) (string, error) {
	name, fe := org.CheckText("profile_name", "Profile Name", s)
	if fe != nil {
		return "", fe
	}
	return name, nil
}

// CheckAdminName checks an administrator's name as CheckProfileName checks
// a profile's: the field is "admin_name".
func CheckAdminName(s string) (string, error) {
	name, fe := org.CheckText("admin_name", "Administrator Name", s)
	if fe != nil {
		return "", fe
	}
	return name, nil
}

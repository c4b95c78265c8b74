package invite

import "github.com/multilinehq/multiline/org"

// OrgTemplates returns the invitation texts of an organization whose
// settings in force are e: the built-in texts with the organization's own
// applied. Stored texts were checked when they were saved (CheckOrgTemplates);
// one that no longer parses (a newer SDK with stricter rules) falls back to
// the built-in text rather than failing the send.
func OrgTemplates(e org.Effective) Templates {
	ts, _ := NewTemplates(orgOverrides(e.Templates)...)
	return ts
}

// CheckOrgTemplates checks the custom invitation texts an organization's
// settings set, if they set any, as saving them must: every invalid one is
// reported.
func CheckOrgTemplates(s org.Settings) error {
	if !s.InvitationTemplates.Set {
		return nil
	}
	_, err := NewTemplates(orgOverrides(s.InvitationTemplates.Value)...)
	return err
}

func orgOverrides(tt []org.TemplateText) []Override {
	out := make([]Override, len(tt))
	for i, t := range tt {
		out[i] = Override{Language: t.Language, Part: Part(t.Part), Source: t.Source}
	}
	return out
}

package org

import "fmt"

// The stable codes of the move guard (see mlerr.CodeOf).
const (
	// CodeMoveRefused is ErrMove's code.
	CodeMoveRefused = "move.refused"
	// CodeMoveSameOrg: the accounts are in the destination already.
	CodeMoveSameOrg = "move.same_org"
	// CodeMoveOtherTree: the destination is in another organization tree.
	CodeMoveOtherTree = "move.other_tree"
	// CodeMoveUnknownOrg: an organization of the move is not known.
	CodeMoveUnknownOrg = "move.unknown_org"
)

// MoveRefusal is the move guard's refusal: the rule broken (Code) and, in
// words an administrator understands, why (Reason). It wraps ErrMove.
type MoveRefusal struct {
	Code   string
	Reason string // e.g. `the accounts are already in "Sales"`
}

func (e *MoveRefusal) Error() string { return ErrMove.Error() + ": " + e.Reason }

// Unwrap returns ErrMove.
func (e *MoveRefusal) Unwrap() error { return ErrMove }

// ErrorCode returns Code.
func (e *MoveRefusal) ErrorCode() string { return e.Code }

func refuseMove(code, format string, args ...any) *MoveRefusal {
	return &MoveRefusal{Code: code, Reason: fmt.Sprintf(format, args...)}
}

// The stable codes of the organization rules, "<field>.<rule>" (each is a
// *mlerr.FieldError's Code).
const (
	// CodeOrgNameRequired: the organization's name is empty.
	CodeOrgNameRequired = "org_name.required"
	// CodeOrgNameFormat: the name is too long or not printable text.
	CodeOrgNameFormat = "org_name.format"
	// CodeFeaturesUnknown: a setting names a feature that does not exist.
	CodeFeaturesUnknown = "features.unknown"
	// CodeApplicationsRequired: the settings enable no application.
	CodeApplicationsRequired = "applications.required"
	// CodeApplicationsUnknown: a setting names an application that does not
	// exist.
	CodeApplicationsUnknown = "applications.unknown"
	// CodeEmailDomainsFormat: an allowed email domain is not a domain.
	CodeEmailDomainsFormat = "email_domains.format"
	// CodeInvitationTTLRange: the invitation validity is outside 1 hour to
	// 90 days.
	CodeInvitationTTLRange = "invitation_ttl.range"
	// CodeUtilizationAlertRange: the alert threshold is not a percentage.
	CodeUtilizationAlertRange = "utilization_alert.range"
)

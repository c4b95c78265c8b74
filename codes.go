package multiline

import (
	"errors"

	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
)

// The stable codes of the refusals the Service itself makes (see
// mlerr.CodeOf); the domain packages define the codes of their own rules
// (account.Code*, numberpool.Code*, invite.Code*, ...).
const (
	// CodeBatchRunning is ErrBatchRunning's code.
	CodeBatchRunning = "batch.running"
	// CodeBatchNotUndoable is ErrBatchNotUndoable's code.
	CodeBatchNotUndoable = "batch.not_undoable"
	// CodeBatchFileChanged is ErrBatchFileChanged's code.
	CodeBatchFileChanged = "batch.file_changed"
	// CodeBatchLeaseLost is ErrBatchLeaseLost's code.
	CodeBatchLeaseLost = "batch.lease_lost"
	// CodeMoveNotEnoughNumbers is the code of a move refused with
	// MoveCapacityMessage: the destination lacks Available numbers for the
	// pending invitations without a number.
	CodeMoveNotEnoughNumbers = "move.not_enough_numbers"
	// CodeMoveAccountIDTaken is the code of a move refused because the
	// destination has an account with the moved account's Account ID.
	CodeMoveAccountIDTaken = "move.account_id_taken"
)

// The unique keys a store reports in a *UniqueError (its Key). The ones an
// administrator can meet are turned into field errors (a username, an
// Account ID, an administrator's email, a second default profile); the
// others name records whose IDs the Service makes, and a store that reports
// one has a fault.
const (
	KeyOrg            = "org"             // an organization's ID
	KeyAdmin          = "admin"           // an administrator's ID
	KeyAdminEmail     = "admin_email"     // an administrator's email, unique system-wide
	KeyProfile        = "profile"         // a profile's ID
	KeyDefaultProfile = "default_profile" // one default profile per organization
	KeyNumber         = "number"          // a number (E.164), in one pool only
	KeyAccount        = "account"         // an account's ID
	KeyUsername       = "username"        // an account's username, unique system-wide
	KeyAccountID      = "account_id"      // the portal's Account ID, unique in an organization
	KeyInvitation     = "invitation"      // one invitation per account
	KeyToken          = "token"           // an invitation token's hash
	KeyMessage        = "message"         // a message's ID
	KeyIdempotency    = "idempotency_key" // a message's idempotency key
	KeyBatch          = "batch"           // a batch's ID
	KeyBatchKey       = "batch_key"       // an upload's idempotency key, in an organization
	KeyAuditEvent     = "audit_event"     // an audit event's ID
)

// ErrorCode returns the code of the unique key: the key followed by
// ".exists" (username.exists, account_id.exists, ...), the code of the
// field error the Service makes of it.
func (e *UniqueError) ErrorCode() string { return e.Key + ".exists" }

// ErrorCode returns Code when set, CodeMoveNotEnoughNumbers for a move refused for
// capacity, and otherwise the code of the rule broken (Err's): an account
// rule's (email.required_smtp_offload, email.domain_not_allowed,
// user_permissions.not_visible, ...) or the move guard's (move.same_org,
// move.other_tree, ...).
func (e *MoveError) ErrorCode() string {
	if e.Code != "" {
		return e.Code
	}
	if errors.Is(e.Err, numberpool.ErrNotEnoughNumbers) {
		return CodeMoveNotEnoughNumbers
	}
	return mlerr.CodeOf(e.Err)
}

// ErrorCode returns the code of the refused choice: numberpool.CodeTaken for
// a number that is no longer available, numberpool.CodePickRequired for no
// choice, numberpool.CodeNumberFormat for one that is not a phone number.
func (e *PickError) ErrorCode() string {
	if e.Code != "" {
		return e.Code
	}
	return mlerr.CodeOf(e.Err)
}

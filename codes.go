package multiline

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
	KeyBatchRow       = "batch_row"       // a report line (the row's line in the file), in a batch
	KeyAuditEvent     = "audit_event"     // an audit event's ID
)

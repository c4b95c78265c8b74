package multiline

// The audit actions (AuditEvent.Action), "<record>.<change>". Hosts filter
// and count the audit log by them, so they are as stable as error codes.
const (
	ActionOrgCreated            = "org.created"             // CreateTenant, CreateOrg
	ActionOrgSettingsChanged    = "org.settings_changed"    // UpdateOrgSettings: before and after
	ActionOrgUtilizationAlert   = "org.utilization_alert"   // the pool crossed the alert threshold
	ActionProfileCreated        = "profile.created"         // CreateTenant, CreateProfile
	ActionAdminCreated          = "admin.created"           // CreateTenant, CreateAdmin
	ActionNumberAdded           = "number.added"            // AddNumbers
	ActionNumberTransferred     = "number.transferred"      // AllocateNumbers, WithdrawNumbers
	ActionNumberAssigned        = "number.assigned"         // an account took the number
	ActionNumberRegistered      = "number.registered"       // the number's account activated
	ActionNumberReleased        = "number.released"         // its account was deleted
	ActionNumberMoved           = "number.moved"            // it moved with its account
	ActionNumberQuarantineEnded = "number.quarantine_ended" // EndQuarantines: an Aging number is free again
	ActionAccountCreated        = "account.created"         // Save, SaveAndInvite, an imported row
	ActionAccountActivated      = "account.activated"       // Activate
	ActionAccountStatus         = "account.status_changed"  // Suspend, Reactivate, a delivery that failed or recovered
	ActionAccountMoved          = "account.moved"           // Move: in both organizations
	ActionAccountDeleted        = "account.deleted"         // Delete, UndoBatch
	ActionInvitationCreated     = "invitation.created"      // SaveAndInvite, Import & Invite
	ActionInvitationResent      = "invitation.resent"       // Resend: the token rotated
	ActionMessageSent           = "message.sent"            // no longer written (a delivery's record is its message); found in older logs
	ActionMessageFailed         = "message.failed"          // an attempt to deliver a message failed
	ActionMessageCancelled      = "message.cancelled"       // a message that must never go out (resent, suspended, deleted, vanished)
	ActionBatchFinished         = "batch.finished"          // an upload ended (finished or stopped)
	ActionBatchUndone           = "batch.undone"            // UndoBatch
	ActionAccountEdited         = "account.edited"          // EditAccount: before and after
	ActionInvitationWithdrawn   = "invitation.withdrawn"    // EditAccount changed where a pending invitation goes
	ActionBatchStarted          = "batch.started"           // an upload's run began
	ActionBatchResumed          = "batch.resumed"           // an Interrupted upload resumed under its key
	ActionBatchInterrupted      = "batch.interrupted"       // a run stopped early (context ended, store failure)
)

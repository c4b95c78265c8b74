package batch

import (
	"time"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// State is where a batch stands.
type State string

// The batch states.
const (
	Running  State = "running"  // rows are being imported
	Finished State = "finished" // every row went through
	Stopped  State = "stopped"  // interrupted (ctx ended, store failure); the rows done stay
	Rejected State = "rejected" // refused as a whole by a file-level rule; nothing imported
	Undone   State = "undone"   // undone by an administrator
)

// Record is the Batch Operations Report record the store keeps of one
// upload: who uploaded what, in which mode, and what happened to each row.
type Record struct {
	ID      string
	OrgID   org.ID
	Actor   permissions.AdminID
	Mode    Mode
	Profile permissions.ProfileID
	// Key is the caller's idempotency key; unique per organization when set.
	Key     string
	State   State
	Rows    []ReportRow
	Summary Summary
	// Accounts holds, for each line of Rows, the account the row created, or
	// "" for a row that failed. Undo uses it.
	Accounts []account.ID
	Created  time.Time
	Finished time.Time
}

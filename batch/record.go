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
	// Stopped is what earlier versions stored for a run that ended early;
	// the service now stores Interrupted instead, which can be resumed.
	Stopped  State = "stopped"
	Rejected State = "rejected" // refused as a whole by a file-level rule; nothing imported
	Undone   State = "undone"   // undone by an administrator
	// Interrupted: the run ended before the last row (its context ended, a
	// store failure stopped it) or its lease lapsed (its process died, its
	// last commit failed). The rows done stay, with their outcome in Rows;
	// the same file uploaded again under the same key resumes it.
	Interrupted State = "interrupted"
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
	Key   string
	State State
	// Rows are the report's lines, in file order. A store keeps them apart
	// from the rest of the record (its header) and reads them only when
	// asked: a record a store's header calls or a list of batches return
	// has none (nil), whatever its Done says.
	Rows    []ReportRow
	Summary Summary
	// Accounts holds, for each line of Rows, the account the row created, or
	// "" for a row that failed. Undo uses it. Nil whenever Rows is.
	Accounts []account.ID
	Created  time.Time
	Finished time.Time

	// Done and Total are the run's progress, as each group of rows commits:
	// the rows done (the report lines stored) and the data rows in the
	// file (0 until the file is parsed).
	Done, Total int
	// FileHash is the SHA-256 of the uploaded file, in hex: a resume must
	// upload the same file.
	FileHash string
	// Runner names the run that holds the lease of a Running batch, and
	// LeaseUntil is when the lease lapses unless that run renews it. A
	// Running batch whose lease has lapsed is Interrupted (see StateAt).
	Runner     string
	LeaseUntil time.Time
}

// StateAt returns the batch's state as of now: a Running batch whose lease
// lapsed at or before now is Interrupted, whatever the record says, since
// nothing is running it any more.
func (r Record) StateAt(now time.Time) State {
	if r.State == Running && !now.Before(r.LeaseUntil) {
		return Interrupted
	}
	return r.State
}

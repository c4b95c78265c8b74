package batch

import "github.com/multilinehq/multiline/permissions"

// Upload is what the administrator and the host chose for one upload. It is
// the one value that travels from the service's ImportBatch (whose
// BatchOptions it is) to Run and Parse, so that no layer copies it field by
// field; Run reads Mode, Profile, MaxRows, MaxBytes and Progress, the
// service the rest.
type Upload struct {
	Mode Mode
	// Profile is the upload's user-permissions profile; empty means the
	// organization's default. It becomes every row's Input.Profile.
	Profile permissions.ProfileID
	// IdempotencyKey, when set, makes the upload safe to repeat: a second
	// upload with the same key returns the first one's report and changes
	// nothing.
	IdempotencyKey string
	// SMSConsent and Disclaimer attest SMS consent for the device rows of an
	// Import & Invite; without it those rows fail.
	SMSConsent bool
	Disclaimer string
	// MaxRows and MaxBytes override DefaultMaxRows and DefaultMaxBytes.
	MaxRows  int
	MaxBytes int64
	// Progress, if set, is called with rows done and total as the batch
	// runs: first with the rows done before (0, or those of the batch it
	// resumes), then as each row, or each group of rows, is done (with the
	// service, as each group commits: never inside a store transaction; see
	// its ImportBatch for validate-only). Run calls it in the goroutine
	// that called Run.
	Progress func(done, total int)
	// OnStart, if set, is called by the service once with the batch's
	// record as soon as it is stored Running (the file parsed and accepted,
	// the rows not yet imported), outside any transaction, so that an HTTP
	// handler can answer 202 with it while the import goes on. It should
	// return promptly. It is not called for validate-only, for a file
	// rejected as a whole, nor when the key returns a batch that ended.
	OnStart func(Record)
}

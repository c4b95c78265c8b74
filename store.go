package multiline

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// Store keeps the service's records. store/memory is the embedded default;
// every implementation passes the conformance suite in store/storetest.
//
// All reads and writes happen inside a transaction. A store reports a missing
// record with an error wrapping mlerr.ErrNotFound and a taken unique key with
// a *UniqueError.
type Store interface {
	// Tx runs fn in a transaction: if fn returns nil, everything it wrote
	// commits together; if it returns an error (or ctx ends first), nothing it
	// wrote is kept and Tx returns that error. A store may run fn again after
	// a serialization failure, so fn must have no effect outside tx. tx must
	// not be used after fn returns.
	Tx(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error
}

// Tx is one transaction of a Store. Reads see the transaction's own writes.
// Records whose IDs the service makes are ordered by ID: the IDs are
// time-ordered (UUIDv7), so "oldest first" and "newest first" mean by ID.
// A method that fails with mlerr.ErrNotFound or a *UniqueError changes
// nothing and leaves the transaction usable (a SQL store checks first or uses
// a savepoint), so a caller may go on after such an answer.
// Each Get-style read of a record that the transaction later updates locks
// it against concurrent transactions (SELECT … FOR UPDATE in SQL stores), so
// read-check-write sequences inside one Tx are safe.
// A method keeps nothing of the slices it is passed once it returns (an
// audit event's Before and After, a token hash, the slices of the group
// calls): the caller may write over them at once, as an import does with
// its rows' audit snapshots, even before the transaction commits.
type Tx interface {
	// CreateOrg stores a new organization.
	CreateOrg(ctx context.Context, o org.Org) error
	// Org returns an organization.
	Org(ctx context.Context, id org.ID) (org.Org, error)
	// UpdateOrg replaces an organization's name and settings.
	UpdateOrg(ctx context.Context, o org.Org) error
	// Children returns the direct sub-organizations of id.
	Children(ctx context.Context, id org.ID) ([]org.Org, error)
	// LockOrg serializes this transaction against every other transaction
	// that locks the same organization, until commit or rollback. The service
	// locks an organization before it weighs its capacity, or, in an
	// import's group, after its writes: Capacity then counts them on top of
	// every change committed before the lock.
	LockOrg(ctx context.Context, id org.ID) error

	// CreateAdmin stores a new administrator; a taken email is a *UniqueError
	// on "admin_email".
	CreateAdmin(ctx context.Context, a permissions.Admin) error
	// Admin returns an administrator.
	Admin(ctx context.Context, id permissions.AdminID) (permissions.Admin, error)

	// CreateProfile stores a profile; a second default profile on one
	// organization is a *UniqueError on "default_profile".
	CreateProfile(ctx context.Context, p permissions.Profile) error
	// Profiles returns the profiles defined on the given organizations.
	Profiles(ctx context.Context, orgs []org.ID) ([]permissions.Profile, error)

	// CreateNumber stores a number; a number stored already (in any
	// organization) is a *UniqueError on "number".
	CreateNumber(ctx context.Context, n numberpool.Number) error
	// Number returns a number and locks it.
	Number(ctx context.Context, e164 string) (numberpool.Number, error)
	// UpdateNumber replaces a number's record.
	UpdateNumber(ctx context.Context, n numberpool.Number) error
	// PickNumber returns one number of q.Org in q.State (and under q.Tag when
	// set) that no other live transaction holds, and locks it. None:
	// mlerr.ErrNotFound. Concurrent transactions never get the same number.
	PickNumber(ctx context.Context, q NumberQuery) (numberpool.Number, error)
	// FreeNumbers returns up to limit numbers of q.Org in q.State (and under
	// q.Tag when set), lowest first, without locking them: the short list
	// offered at activation.
	FreeNumbers(ctx context.Context, q NumberQuery, limit int) ([]numberpool.Number, error)
	// AgedNumbers returns up to limit Aging numbers, of any organization,
	// whose quarantine ends at or before until, by E.164, skipping any that
	// another live transaction holds, and locks them. A limit below 1 or
	// above MaxPageSize is brought within them as Page.Normalize does.
	AgedNumbers(ctx context.Context, until time.Time, limit int) ([]numberpool.Number, error)
	// ListNumbers returns a page of an organization's numbers, by E.164.
	ListNumbers(ctx context.Context, o org.ID, p Page) ([]numberpool.Number, string, error)
	// Capacity counts what the capacity invariant weighs in o: its Available
	// numbers, and its accounts with a pending invitation (Invited or
	// Invitation Failed) and no number; and, for the utilization alert, its
	// Assigned and Registered numbers (Held) and all its numbers (Total).
	Capacity(ctx context.Context, o org.ID) (numberpool.Capacity, error)

	// CreateAccount stores an account. A username taken anywhere is a
	// *UniqueError on "username"; an Account ID taken in the organization, on
	// "account_id".
	CreateAccount(ctx context.Context, a account.Account) error
	// Account returns an account and locks it.
	Account(ctx context.Context, id account.ID) (account.Account, error)
	// UpdateAccount replaces an account's record; the same unique keys apply.
	UpdateAccount(ctx context.Context, a account.Account) error
	// DeleteAccount removes an account and its invitation, freeing its
	// username and Account ID.
	DeleteAccount(ctx context.Context, id account.ID) error
	// ListAccounts returns a page of an organization's accounts, oldest first.
	ListAccounts(ctx context.Context, o org.ID, p Page) ([]account.Account, string, error)
	// SearchAccounts returns a page of the accounts of q.Orgs that q
	// selects, in the order AccountQuery describes. A cursor is valid only
	// with the query that returned it; a store may refuse another's as
	// malformed (mlerr.ErrInvalid).
	SearchAccounts(ctx context.Context, q AccountQuery, p Page) ([]account.Account, string, error)

	// CreateInvitation stores an invitation; an account has at most one.
	CreateInvitation(ctx context.Context, inv invite.Invitation) error
	// Invitation returns an account's invitation and locks it.
	Invitation(ctx context.Context, a account.ID) (invite.Invitation, error)
	// InvitationByToken returns the invitation whose current token, or one of
	// its retired tokens, has this SHA-256 hash, and locks it.
	InvitationByToken(ctx context.Context, hash []byte) (invite.Invitation, error)
	// UpdateInvitation replaces an invitation's record.
	UpdateInvitation(ctx context.Context, inv invite.Invitation) error

	// Enqueue stores an outbound message; its ID and IdempotencyKey are
	// unique (a taken key is a *UniqueError on "idempotency_key").
	Enqueue(ctx context.Context, m invite.Message) error
	// Message returns a message and locks it.
	Message(ctx context.Context, id invite.MessageID) (invite.Message, error)
	// UpdateMessage replaces a message's record.
	UpdateMessage(ctx context.Context, m invite.Message) error
	// DueMessages returns up to limit messages Queued or Failed whose
	// NextAttempt is not after now, oldest first, skipping any that another
	// live transaction holds, and locks them. A limit below 1 or above
	// MaxPageSize is brought within them as Page.Normalize does.
	DueMessages(ctx context.Context, now time.Time, limit int) ([]invite.Message, error)
	// Messages returns a page of the messages of an organization, oldest first.
	Messages(ctx context.Context, o org.ID, p Page) ([]invite.Message, string, error)
	// ListMessages returns a page of the messages of an organization, newest
	// first: the outbox view.
	ListMessages(ctx context.Context, o org.ID, p Page) ([]invite.Message, string, error)

	// Batches. A batch's record is its header (every field of batch.Record
	// but Rows and Accounts) and its report lines, which are kept apart
	// and only ever added to: a running batch adds a group's lines as the
	// group commits, and rewriting every line done so far at each group
	// made an import's cost grow with the square of its rows. The header
	// calls never read or write the lines; AppendBatchRows and BatchRows
	// do. The service keeps the header's Done equal to the number of lines
	// stored.

	// CreateBatch stores a batch record: its header, every field of it (the
	// progress (Done, Total), the file's hash and the lease (Runner,
	// LeaseUntil) read back as written), and b.Rows, with b.Accounts, as
	// its first report lines, as AppendBatchRows stores them. A Key
	// already used by a batch of the same organization is a *UniqueError
	// on "batch_key"; two of b.Rows on one line, a *UniqueError on
	// "batch_row".
	CreateBatch(ctx context.Context, b batch.Record) error
	// Batch returns a batch's header, and locks it: its Rows and Accounts
	// are nil (see BatchRows).
	Batch(ctx context.Context, id string) (batch.Record, error)
	// BatchByKey returns the header of the batch of organization o with
	// idempotency key, as Batch does, and locks it.
	BatchByKey(ctx context.Context, o org.ID, key string) (batch.Record, error)
	// UpdateBatch replaces a batch's header, every field of it; it ignores
	// b.Rows and b.Accounts, and the lines stay as stored. Its
	// organization never changes; its Key may be cleared (releasing it for
	// another upload) but not changed to another value. A running batch's
	// header is replaced as each of its groups commits and when its lease
	// is renewed or taken over; each of those reads it with Batch first, so
	// that the lock orders them.
	UpdateBatch(ctx context.Context, b batch.Record) error
	// ListBatches returns a page of the headers of an organization's
	// batches (Rows and Accounts nil), newest first.
	ListBatches(ctx context.Context, o org.ID, p Page) ([]batch.Record, string, error)
	// AppendBatchRows adds report lines to batch id: rows[i], with
	// accounts[i], the account its row created or "" for none; accounts is
	// nil (no account) or as long as rows. All or none. It is a group call
	// (see below): a store may send it along with its later writes, so a
	// line already stored for the batch, or two of rows on one line (by
	// ReportRow.Row), is a *UniqueError on "batch_row" that does not leave
	// the transaction usable, as CreateAccounts reports a conflict. The
	// service appends only lines it has not stored, so such an answer is a
	// fault. A missing batch is mlerr.ErrNotFound, which changes nothing.
	AppendBatchRows(ctx context.Context, id string, rows []batch.ReportRow, accounts []account.ID) error
	// BatchRows returns every report line of batch id, ordered by line
	// (ReportRow.Row), and beside each the account it created or "". It
	// reads them all: a batch has at most one line per row of its upload,
	// which the upload's row cap (batch.Options.MaxRows) bounds. A missing
	// batch is mlerr.ErrNotFound.
	BatchRows(ctx context.Context, id string) ([]batch.ReportRow, []account.ID, error)

	// AppendAudit stores an audit event.
	AppendAudit(ctx context.Context, e AuditEvent) error
	// ListAudit returns a page of the audit events of the given
	// organizations, newest first.
	ListAudit(ctx context.Context, orgs []org.ID, p Page) ([]AuditEvent, string, error)

	// Group calls. A batch import handles hundreds of rows in a transaction,
	// and a SQL store pays a round trip for every call that must answer
	// before the next; these do for many records what the calls above do
	// for one, so that a group costs a few round trips rather than a few
	// per row. Each takes its slice as the caller's and keeps no reference
	// to it.

	// Numbers returns the stored numbers among e164s, by E.164, and locks
	// them; those not stored are left out.
	Numbers(ctx context.Context, e164s []string) ([]numberpool.Number, error)
	// AccountConflicts returns, for each of as, the *UniqueError that
	// CreateAccount would return for it now (nil when its keys are free),
	// weighing the stored accounts, not the others of as.
	AccountConflicts(ctx context.Context, as []account.Account) ([]error, error)
	// CreateAccounts stores accounts as CreateAccount does, all or none. It
	// is meant for accounts whose keys the caller checked with
	// AccountConflicts, so a store may send them along with its later
	// writes: a key taken nonetheless (by a concurrent transaction, or by
	// two of as) is a *UniqueError from this call, from a later call of the
	// transaction or from its commit, and the transaction cannot commit.
	// Unlike CreateAccount's, that answer does not leave the transaction
	// usable, whichever call gives it: a caller that has made group writes
	// treats any *UniqueError that follows as the end of the transaction.
	CreateAccounts(ctx context.Context, as []account.Account) error
	// CreateInvitations stores invitations as CreateInvitation does, all or
	// none; a conflict is reported as CreateAccounts reports one.
	CreateInvitations(ctx context.Context, invs []invite.Invitation) error
	// EnqueueAll stores messages as Enqueue does, all or none; a conflict
	// is reported as CreateAccounts reports one.
	EnqueueAll(ctx context.Context, ms []invite.Message) error
	// MessagesByID returns the stored messages among ids, oldest first, and
	// locks them; those not stored are left out.
	MessagesByID(ctx context.Context, ids []invite.MessageID) ([]invite.Message, error)
	// Invitations returns the invitations of the given accounts, by account
	// ID, and locks them; accounts without one are left out.
	Invitations(ctx context.Context, accounts []account.ID) ([]invite.Invitation, error)
	// SwapDeliveries records deliveries without reading the messages
	// first: each stored message ms[i].ID whose delivery is still was[i]'s
	// (the same State, Attempts and NextAttempt) gets ms[i]'s delivery
	// (State, Attempts, LastError, NextAttempt, SentAt) and ms[i]'s Text,
	// HTML and Secret, and is locked; its other fields stay as stored.
	// swapped[i] reports whether it did. A message not stored, or whose
	// delivery has moved on, is left as it is and is not an error.
	//
	// The three fields name a version of a message because the service
	// changes a stored message only through invite.Message's Lease,
	// Delivered, Undelivered and Cancel, each of which changes one of them.
	// was and ms are as long as each other, was[i] and ms[i] have one ID,
	// and no ID is there twice; otherwise the call is refused with
	// mlerr.ErrInvalid and changes nothing.
	SwapDeliveries(ctx context.Context, was, ms []invite.Message) (swapped []bool, err error)
}

// NumberQuery selects a number for PickNumber.
type NumberQuery struct {
	Org   org.ID
	State numberpool.State
	Tag   string // empty: any tag or none
}

// Page asks for one page of a list: up to Limit items after the opaque
// cursor After (empty: from the start). The next page's cursor is returned
// beside the items; an empty one means there is no more.
type Page struct {
	After string
	Limit int
}

// Page sizes: a Limit of 0 or less gets DefaultPageSize, and a Limit above
// MaxPageSize gets MaxPageSize, so no call returns an unbounded result.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// Normalize returns p with its Limit brought within 1..MaxPageSize.
func (p Page) Normalize() Page {
	switch {
	case p.Limit <= 0:
		p.Limit = DefaultPageSize
	case p.Limit > MaxPageSize:
		p.Limit = MaxPageSize
	}
	return p
}

// UniqueError reports a unique key that is taken. It wraps
// mlerr.ErrAlreadyExists.
type UniqueError struct {
	Key   string // one of the Key constants: KeyUsername, KeyAccountID, …
	Value string
}

func (e *UniqueError) Error() string {
	return fmt.Sprintf("multiline: %s %q already exists", e.Key, e.Value)
}

// Unwrap returns mlerr.ErrAlreadyExists.
func (e *UniqueError) Unwrap() error { return mlerr.ErrAlreadyExists }

// AuditEvent records one change (SPEC §8): who made it, what it was, in which
// organization, when, and the record before and after where that applies.
type AuditEvent struct {
	ID      string // time-ordered: events sort by ID as they sort by At
	At      time.Time
	Actor   permissions.AdminID // empty for the host's own calls and the outbox
	OrgID   org.ID
	Action  string // e.g. account.created, number.assigned
	Subject string // the record changed: an account ID, a number, …
	Before  json.RawMessage
	After   json.RawMessage
}

// ErrorCode returns the code of the unique key: the key followed by
// ".exists" (username.exists, account_id.exists, ...), the code of the
// field error the Service makes of it.
func (e *UniqueError) ErrorCode() string { return e.Key + ".exists" }

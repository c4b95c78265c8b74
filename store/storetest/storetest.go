// Package storetest is the conformance suite of multiline.Store: the tests
// every store implementation must pass, written once against the Store and Tx
// contract (store.go) so that the embedded memory store and a SQL store are
// held to the same rules.
//
// A store's own test calls Run with a function that returns a fresh, empty
// store:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) multiline.Store { return memory.New() })
//	}
//
// Every test calls newStore for a store of its own (only the cases of one
// table share their parent test's store) and creates every record it needs
// through the Tx API, so a store that gives each call its own empty schema
// works, and no test depends on another, on map iteration order, or on the
// internals of any store. The Delivery suite alone drives a multiline.Service
// on the store: the outbox's promises (SPEC §7) rest on the store's locks and
// transactions, so every store is held to them end to end.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// Run runs the conformance suite against the stores newStore returns.
//
// newStore is called once by every test and must return an empty store that
// no other test uses; it may register cleanups with t.Cleanup. The store must
// allow concurrent transactions from several goroutines. The tests do not
// run in parallel with each other.
//
// Every time the suite stores is in UTC with a whole number of microseconds
// and no monotonic clock reading, and the suite compares what it reads back
// with ==: a store must return times in UTC. JSON (audit events' Before and
// After) is compared by meaning, so a store may reformat it.
func Run(t *testing.T, newStore func(t *testing.T) multiline.Store) {
	t.Helper()
	for _, s := range suites {
		t.Run(s.name, func(t *testing.T) { s.run(t, newStore) })
	}
}

// RunSuites runs the named suites of Run (the names of its subtests), in
// Run's order, and fails if a name names none. It is for a store that runs
// the whole suite and then, in a second configuration, the suites that
// exercise what the configuration changes.
func RunSuites(t *testing.T, newStore func(t *testing.T) multiline.Store, names ...string) {
	t.Helper()
	for _, n := range names {
		if !slices.ContainsFunc(suites, func(s suite) bool { return s.name == n }) {
			t.Fatalf("storetest: no suite %q", n)
		}
	}
	for _, s := range suites {
		if slices.Contains(names, s.name) {
			t.Run(s.name, func(t *testing.T) { s.run(t, newStore) })
		}
	}
}

// suite is one of Run's subtests.
type suite struct {
	name string
	run  func(*testing.T, func(*testing.T) multiline.Store)
}

// suites are Run's subtests, in order.
var suites = []suite{
	{"Records", testRecords},
	{"NotFound", testNotFound},
	{"Copies", testCopies},
	{"TxAfterReturn", testTxAfterReturn},
	{"Unique", testUnique},
	{"DeleteAccount", testDeleteAccount},
	{"InvitationByToken", testInvitationByToken},
	{"Batches", testBatches},
	{"FailedCallKeepsTx", testFailedCallKeepsTx},
	{"Atomicity", testAtomicity},
	{"NumberTransitions", testNumberTransitions},
	{"NumberTransfer", testNumberTransfer},
	{"PickNumber", testPickNumber},
	{"FreeNumbers", testFreeNumbers},
	{"AgedNumbers", testAgedNumbers},
	{"Capacity", testCapacity},
	{"Outbox", testOutbox},
	{"Delivery", testDelivery},
	{"Audit", testAudit},
	{"Pagination", testPagination},
	{"Search", testSearch},
	{"Concurrency", testConcurrency},
	{"Group", testGroup},
}

// base is the suite's clock: fixed, in UTC, on a whole second, so that
// stored times compare equal after a round trip through any store.
var base = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// errRollback is returned by a transaction function to throw its writes
// away on purpose.
var errRollback = errors.New("storetest: deliberate rollback")

// fixture is one subtest's store and the generators of its records. Every
// generated key (number, username, Account ID, idempotency key) is unique
// within the fixture, and every generated ID and time increases in the order
// records are generated, so "oldest first" has one meaning whichever field a
// store sorts by.
type fixture struct {
	t   *testing.T
	s   multiline.Store
	seq *counter
}

// counter numbers a fixture's records. The fixtures that with makes for
// subtests share it, and it is locked because concurrency tests generate
// records in goroutines.
type counter struct {
	mu sync.Mutex
	n  int
}

func newFixture(t *testing.T, newStore func(*testing.T) multiline.Store) *fixture {
	t.Helper()
	s := newStore(t)
	require.NotNil(t, s, "newStore returned nil")
	return &fixture{t: t, s: s, seq: &counter{}}
}

// with returns the fixture for a subtest of the one that made it: the same
// store and sequence, but failures go to t, since a subtest must not fail
// its parent with FailNow.
func (f *fixture) with(t *testing.T) *fixture { return &fixture{t: t, s: f.s, seq: f.seq} }

// next returns the fixture's next sequence number, starting at 1.
func (f *fixture) next() int {
	f.seq.mu.Lock()
	defer f.seq.mu.Unlock()
	f.seq.n++
	return f.seq.n
}

// id returns a new time-ordered ID, as the service makes them.
func id() string { return uuid.Must(uuid.NewV7()).String() }

// at returns the suite's clock moved on by i seconds.
func at(i int) time.Time { return base.Add(time.Duration(i) * time.Second) }

// do runs fn in a transaction of the fixture's store and returns what Tx
// returns.
func (f *fixture) do(fn func(context.Context, multiline.Tx) error) error {
	return f.s.Tx(f.t.Context(), fn)
}

// must runs fn in a transaction that must commit.
func (f *fixture) must(fn func(context.Context, multiline.Tx) error) {
	f.t.Helper()
	require.NoError(f.t, f.do(fn))
}

// fits runs fn in a transaction that is then rolled back, and fails the test
// unless every write of fn succeeded: it probes whether keys are free
// without changing the store.
func (f *fixture) fits(fn func(context.Context, multiline.Tx) error) {
	f.t.Helper()
	err := f.do(func(ctx context.Context, tx multiline.Tx) error {
		if err := fn(ctx, tx); err != nil {
			return err
		}
		return errRollback
	})
	require.ErrorIs(f.t, err, errRollback)
}

// get runs fn in a transaction that must commit and returns its value.
func get[T any](f *fixture, fn func(context.Context, multiline.Tx) (T, error)) T {
	f.t.Helper()
	v, err := try(f, fn)
	require.NoError(f.t, err)
	return v
}

// try runs fn in a transaction and returns its value and what Tx returns.
// The value is taken from the last run of fn, since a store may run it again.
func try[T any](f *fixture, fn func(context.Context, multiline.Tx) (T, error)) (T, error) {
	var v T
	err := f.do(func(ctx context.Context, tx multiline.Tx) error {
		var err error
		v, err = fn(ctx, tx)
		return err
	})
	return v, err
}

// requireUnique fails the test unless err reports the unique key named key
// as taken. An empty key accepts any *UniqueError, for keys the contract does
// not name.
func requireUnique(t *testing.T, err error, key string) {
	t.Helper()
	require.ErrorIs(t, err, mlerr.ErrAlreadyExists)
	var ue *multiline.UniqueError
	require.ErrorAs(t, err, &ue)
	if key != "" {
		require.Equal(t, key, ue.Key)
	}
}

// Record generators. They return records without storing them; the create*
// methods store them in a transaction of their own.

func (f *fixture) newOrg(parent org.ID) org.Org {
	n := f.next()
	return org.Org{
		ID:       org.ID(id()),
		ParentID: parent,
		Name:     fmt.Sprintf("Org %d", n),
		Settings: org.Settings{
			Language:      org.Set("it"),
			InvitationTTL: org.Set(48 * time.Hour),
			Features:      org.Set([]org.Feature{org.FeatureCallRecording}),
		},
		Created: at(n),
	}
}

func (f *fixture) createOrg(parent org.ID) org.Org {
	f.t.Helper()
	o := f.newOrg(parent)
	f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateOrg(ctx, o) })
	return o
}

// e164 returns a new number. The first 9999 of a fixture have the same
// length, so their order as strings is their numeric order.
func (f *fixture) e164() string { return fmt.Sprintf("+1415555%04d", f.next()) }

func (f *fixture) newNumber(o org.ID) numberpool.Number {
	return numberpool.Number{E164: f.e164(), OrgID: o, State: numberpool.Available}
}

// createNumbers stores k Available numbers in o and returns them in E.164
// order.
func (f *fixture) createNumbers(o org.ID, k int) []numberpool.Number {
	f.t.Helper()
	ns := make([]numberpool.Number, k)
	for i := range ns {
		ns[i] = f.newNumber(o)
	}
	f.must(func(ctx context.Context, tx multiline.Tx) error {
		for _, n := range ns {
			if err := tx.CreateNumber(ctx, n); err != nil {
				return err
			}
		}
		return nil
	})
	return ns
}

// newAccount returns an Invited account of o without a number, which is
// what Capacity counts as pending.
func (f *fixture) newAccount(o org.ID) account.Account {
	n := f.next()
	return account.Account{
		ID:           account.ID(id()),
		OrgID:        o,
		AccountID:    fmt.Sprintf("E%04d", n),
		FirstName:    "Ada",
		LastName:     fmt.Sprintf("Lovelace %d", n),
		Email:        fmt.Sprintf("User%d@Example.com", n),
		Username:     fmt.Sprintf("user%d@example.com", n),
		Applications: []org.Application{org.AppMobile, org.AppDesktop},
		Features:     []org.Feature{org.FeatureCallRecording},
		Language:     "de",
		Status:       account.Invited,
		Created:      at(n),
		Updated:      at(n),
	}
}

func (f *fixture) createAccount(o org.ID, mods ...func(*account.Account)) account.Account {
	f.t.Helper()
	a := f.newAccount(o)
	for _, m := range mods {
		m(&a)
	}
	f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateAccount(ctx, a) })
	return a
}

func (f *fixture) newProfile(o org.ID, isDefault bool) permissions.Profile {
	n := f.next()
	return permissions.Profile{
		ID: permissions.ProfileID(id()), OrgID: o, Name: fmt.Sprintf("Profile %d", n),
		Default: isDefault, Created: at(n),
	}
}

func (f *fixture) newAdmin() permissions.Admin {
	n := f.next()
	return permissions.Admin{
		ID:    permissions.AdminID(id()),
		Name:  fmt.Sprintf("Admin %d", n),
		Email: fmt.Sprintf("admin%d@example.com", n),
		Roles: []permissions.Role{{
			Privileges: []permissions.Privilege{permissions.Accounts, permissions.Reports},
			Orgs:       []org.ID{"org-a", "org-b"},
		}},
		Created: at(n),
	}
}

// newInvitation returns an SMS invitation of a, so that every field,
// Consent included, is set. It is on its third token: two are retired.
func (f *fixture) newInvitation(a account.Account) invite.Invitation {
	n := f.next()
	return invite.Invitation{
		ID:           invite.ID(id()),
		Account:      a.ID,
		OrgID:        a.OrgID,
		Channel:      invite.SMS,
		Destination:  "+14155550199",
		TokenHash:    invite.HashToken(invite.Token(fmt.Sprintf("token-%d-v3", n))),
		TokenVersion: 3,
		Retired: [][]byte{
			invite.HashToken(invite.Token(fmt.Sprintf("token-%d-v1", n))),
			invite.HashToken(invite.Token(fmt.Sprintf("token-%d-v2", n))),
		},
		ExpiresAt: at(n).Add(48 * time.Hour),
		State:     invite.Pending,
		Consent:   &invite.Consent{AdminID: "admin-1", At: at(n), Disclaimer: invite.DefaultDisclaimer},
		Created:   at(n),
		Updated:   at(n),
	}
}

// newMessage returns a Queued message of o, due when it is created.
func (f *fixture) newMessage(o org.ID) invite.Message {
	n := f.next()
	return invite.Message{
		ID:             invite.MessageID(id()),
		Kind:           invite.KindInvitation,
		OrgID:          o,
		Channel:        invite.Email,
		To:             fmt.Sprintf("user%d@example.com", n),
		Subject:        "Your MultiLine invitation",
		Text:           "Activate: https://example.com/a/secret",
		IdempotencyKey: fmt.Sprintf("inv-%d-v1", n),
		InvitationID:   invite.ID(fmt.Sprintf("inv-%d", n)),
		Account:        account.ID(fmt.Sprintf("acc-%d", n)),
		TokenVersion:   1,
		Secret:         "secret",
		State:          invite.Queued,
		NextAttempt:    at(n),
		Created:        at(n),
	}
}

func (f *fixture) createMessage(o org.ID, mods ...func(*invite.Message)) invite.Message {
	f.t.Helper()
	m := f.newMessage(o)
	for _, mod := range mods {
		mod(&m)
	}
	f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.Enqueue(ctx, m) })
	return m
}

// newBatch returns a finished Import & Invite batch of o with a key and
// two rows, one imported and one failed.
func (f *fixture) newBatch(o org.ID) batch.Record {
	n := f.next()
	return batch.Record{
		ID:      id(),
		OrgID:   o,
		Actor:   "admin-1",
		Mode:    batch.ImportInvite,
		Profile: "profile-1",
		Key:     fmt.Sprintf("upload-%d", n),
		State:   batch.Finished,
		Rows: []batch.ReportRow{
			{Row: 2, EmailOrDevice: "ada@example.com", FirstName: "Ada", LastName: "Lovelace",
				MultilineNumber: "+14155550101", Status: batch.StatusInvited},
			{Row: 3, EmailOrDevice: "not-an-email", FirstName: "Bob", Status: batch.StatusFailed,
				Error: "Email must be a valid email address", ErrorCode: "email.format"},
		},
		Summary:  batch.Summary{Total: 2, Invited: 1, Failed: 1},
		Accounts: []account.ID{account.ID(fmt.Sprintf("acc-%d", n)), ""},
		Created:  at(n),
		Finished: at(n).Add(time.Minute),
		Done:     2,
		Total:    2,
		FileHash: fmt.Sprintf("%064x", n),
		Runner:   fmt.Sprintf("run-%d", n),
		// A lease a finished batch keeps is no use, but a store keeps what
		// it is given.
		LeaseUntil: at(n).Add(2 * time.Minute),
	}
}

// header is b as the store's header calls return it: without its report
// lines.
func header(b batch.Record) batch.Record {
	b.Rows, b.Accounts = nil, nil
	return b
}

// lines reads the report lines of batch id, and their accounts.
func (f *fixture) lines(id string) ([]batch.ReportRow, []account.ID) {
	f.t.Helper()
	var rows []batch.ReportRow
	var accts []account.ID
	f.must(func(ctx context.Context, tx multiline.Tx) error {
		var err error
		rows, accts, err = tx.BatchRows(ctx, id)
		return err
	})
	return rows, accts
}

func (f *fixture) createBatch(o org.ID, mods ...func(*batch.Record)) batch.Record {
	f.t.Helper()
	b := f.newBatch(o)
	for _, mod := range mods {
		mod(&b)
	}
	f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateBatch(ctx, b) })
	return b
}

func (f *fixture) newEvent(o org.ID, action, subject string) multiline.AuditEvent {
	n := f.next()
	return multiline.AuditEvent{
		ID:      id(),
		At:      at(n),
		Actor:   "admin-1",
		OrgID:   o,
		Action:  action,
		Subject: subject,
		Before:  json.RawMessage(`{"status":"Not Invited","n":1}`),
		After:   json.RawMessage(`{"status":"Invited","n":2}`),
	}
}

// canonEvents returns events with Before and After re-encoded canonically,
// so that a store that reformats JSON (PostgreSQL's jsonb reorders keys and
// adds spaces) still compares equal.
func canonEvents(t *testing.T, es []multiline.AuditEvent) []multiline.AuditEvent {
	t.Helper()
	out := make([]multiline.AuditEvent, len(es))
	for i, e := range es {
		e.Before, e.After = canonJSON(t, e.Before), canonJSON(t, e.After)
		out[i] = e
	}
	return out
}

func canonJSON(t *testing.T, raw json.RawMessage) json.RawMessage {
	t.Helper()
	if len(raw) == 0 {
		return nil
	}
	var v any
	require.NoError(t, json.Unmarshal(raw, &v))
	b, err := json.Marshal(v) // encoding/json sorts object keys
	require.NoError(t, err)
	return b
}

// lister reads one page of some list; the paginated Tx methods are adapted
// to it so that one walk checks them all.
type lister[T any] func(ctx context.Context, tx multiline.Tx, p multiline.Page) ([]T, string, error)

// walk reads every page of a list with the given limit and returns the items
// in the order the pages gave them. It checks what every page must satisfy:
// no more items than the limit, and no empty page after a non-empty cursor,
// since an empty cursor is what says there is no more.
func walk[T any](f *fixture, limit int, list lister[T]) []T {
	f.t.Helper()
	var all []T
	after := ""
	for i := 0; ; i++ {
		require.Less(f.t, i, 10000, "pagination does not end")
		type page struct {
			items []T
			next  string
		}
		p := get(f, func(ctx context.Context, tx multiline.Tx) (page, error) {
			items, next, err := list(ctx, tx, multiline.Page{After: after, Limit: limit})
			return page{items, next}, err
		})
		require.LessOrEqual(f.t, len(p.items), limit, "page %d holds more than the limit", i)
		if i > 0 {
			require.NotEmpty(f.t, p.items, "page %d is empty although the previous page returned a cursor", i)
		}
		all = append(all, p.items...)
		if p.next == "" {
			return all
		}
		after = p.next
	}
}

// listAll reads a whole list through pages of the largest size.
func listAll[T any](f *fixture, list lister[T]) []T {
	f.t.Helper()
	return walk(f, multiline.MaxPageSize, list)
}

func accountsOf(o org.ID) lister[account.Account] {
	return func(ctx context.Context, tx multiline.Tx, p multiline.Page) ([]account.Account, string, error) {
		return tx.ListAccounts(ctx, o, p)
	}
}

func numbersOf(o org.ID) lister[numberpool.Number] {
	return func(ctx context.Context, tx multiline.Tx, p multiline.Page) ([]numberpool.Number, string, error) {
		return tx.ListNumbers(ctx, o, p)
	}
}

func messagesOf(o org.ID) lister[invite.Message] {
	return func(ctx context.Context, tx multiline.Tx, p multiline.Page) ([]invite.Message, string, error) {
		return tx.Messages(ctx, o, p)
	}
}

func recentMessagesOf(o org.ID) lister[invite.Message] {
	return func(ctx context.Context, tx multiline.Tx, p multiline.Page) ([]invite.Message, string, error) {
		return tx.ListMessages(ctx, o, p)
	}
}

func batchesOf(o org.ID) lister[batch.Record] {
	return func(ctx context.Context, tx multiline.Tx, p multiline.Page) ([]batch.Record, string, error) {
		return tx.ListBatches(ctx, o, p)
	}
}

func auditOf(orgs ...org.ID) lister[multiline.AuditEvent] {
	return func(ctx context.Context, tx multiline.Tx, p multiline.Page) ([]multiline.AuditEvent, string, error) {
		return tx.ListAudit(ctx, orgs, p)
	}
}

// number reads one number back.
func (f *fixture) number(e164 string) numberpool.Number {
	f.t.Helper()
	return get(f, func(ctx context.Context, tx multiline.Tx) (numberpool.Number, error) { return tx.Number(ctx, e164) })
}

// message reads a message.
func (f *fixture) message(id invite.MessageID) invite.Message {
	f.t.Helper()
	return get(f, func(ctx context.Context, tx multiline.Tx) (invite.Message, error) { return tx.Message(ctx, id) })
}

// capacity reads an organization's capacity.
func (f *fixture) capacity(o org.ID) numberpool.Capacity {
	f.t.Helper()
	return get(f, func(ctx context.Context, tx multiline.Tx) (numberpool.Capacity, error) { return tx.Capacity(ctx, o) })
}

// pick runs PickNumber in a transaction of its own.
func (f *fixture) pick(q multiline.NumberQuery) (numberpool.Number, error) {
	return try(f, func(ctx context.Context, tx multiline.Tx) (numberpool.Number, error) { return tx.PickNumber(ctx, q) })
}

// parallel runs fn(0) … fn(n-1) in n goroutines released at the same moment,
// to make the transactions overlap as much as the store allows, and waits
// for them all. fn must not call t.FailNow: it reports through its results.
func parallel(n int, fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			fn(i)
		})
	}
	close(start)
	wg.Wait()
}

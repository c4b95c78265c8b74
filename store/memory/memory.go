// Package memory is the embedded default store of the MultiLine SDK: every
// record in maps, in this process.
//
// Transactions are serialized: one runs at a time, holding the store's lock
// from start to commit, and each write records how to undo itself, so a
// transaction that fails leaves no trace. Serializing makes every
// read-check-write inside a transaction safe without row locks, which is what
// lets the memory store prove the SDK's concurrency rules with goroutines.
// Records are copied in and out, so a caller never shares memory with the
// store.
//
// It keeps nothing across restarts: use it for tests, demos, and hosts whose
// provisioning state lives elsewhere.
package memory

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// New returns an empty in-memory store.
func New() multiline.Store {
	s := &store{
		orgs:        map[org.ID]org.Org{},
		admins:      map[permissions.AdminID]permissions.Admin{},
		adminEmails: map[string]permissions.AdminID{},
		profiles:    map[permissions.ProfileID]permissions.Profile{},
		numbers:     map[string]numberpool.Number{},
		byState:     map[stateKey]map[string]struct{}{},
		orgNumbers:  map[org.ID]map[string]struct{}{},
		accounts:    map[account.ID]*account.Account{},
		usernames:   map[string]account.ID{},
		accountIDs:  map[[2]string]account.ID{},
		orgAccounts: map[org.ID]map[account.ID]struct{}{},
		invitations: map[account.ID]*invite.Invitation{},
		tokens:      map[string]account.ID{},
		messages:    map[invite.MessageID]*invite.Message{},
		msgKeys:     map[string]invite.MessageID{},
		audit:       newAuditLog(),
		pending:     map[org.ID]int{},
		batches:     map[string]batch.Record{},
		batchKeys:   map[[2]string]string{},
		batchRows:   map[string]*rowLog{},
	}
	s.oldNumbers = &restorer[string, numberpool.Number]{m: s.numbers}
	s.oldMessages = &restorer[invite.MessageID, *invite.Message]{m: s.messages}
	return s
}

type stateKey struct {
	org   org.ID
	state numberpool.State
}

type store struct {
	mu sync.Mutex

	orgs        map[org.ID]org.Org
	admins      map[permissions.AdminID]permissions.Admin
	adminEmails map[string]permissions.AdminID
	profiles    map[permissions.ProfileID]permissions.Profile
	numbers     map[string]numberpool.Number
	byState     map[stateKey]map[string]struct{}
	orgNumbers  map[org.ID]map[string]struct{}
	// The accounts, invitations and messages, the records an import
	// writes one of each a row, are held by pointer: a map's slot holds
	// its key and 8 bytes rather than its key and a 250-350-byte record,
	// so the map's growth, which copies every slot, copies a tenth to a
	// fifteenth of the bytes it did (at 100 000 rows an import's CPU fell
	// by a sixth). A record a map points to is never changed: an update
	// stores a new one, so an undo restores the old pointer.
	accounts    map[account.ID]*account.Account
	usernames   map[string]account.ID
	accountIDs  map[[2]string]account.ID
	orgAccounts map[org.ID]map[account.ID]struct{}
	invitations map[account.ID]*invite.Invitation
	tokens      map[string]account.ID // every current and retired token hash
	messages    map[invite.MessageID]*invite.Message
	msgKeys     map[string]invite.MessageID
	audit       *auditLog
	// pending counts, per organization, the accounts with a pending
	// invitation and no number, so that Capacity is O(1).
	pending map[org.ID]int
	// batches holds the batches' headers (Rows and Accounts nil), and
	// batchRows their report lines, apart, so that a header's update
	// copies no line and an append copies only the lines it adds.
	batches   map[string]batch.Record
	batchKeys map[[2]string]string
	batchRows map[string]*rowLog
	// undoBuf is the array of the last transaction's undo log, cleared,
	// for the next one: transactions are serialized, and an import's
	// group writes some two thousand undo entries, whose log grown from
	// nothing in every transaction was a twentieth of the import's bytes.
	undoBuf []undoStep
	// oldNumbers and oldMessages undo the updates of numbers and messages
	// (see restorer): an import updates one of each a row.
	oldNumbers  *restorer[string, numberpool.Number]
	oldMessages *restorer[invite.MessageID, *invite.Message]
}

// maxUndoBuf bounds the undo log array kept between transactions (in
// entries, 40 bytes each), so that one huge transaction does not hold its
// log's memory for good.
const maxUndoBuf = 1 << 15

type ctxKey struct{ s *store }

// errNested refuses a transaction begun inside another one of the same store,
// which would otherwise wait for itself forever.
var errNested = errors.New("memory: a transaction was begun inside another transaction of the same store")

// errDone refuses the use of a transaction after its function returned.
var errDone = errors.New("memory: transaction used after it ended")

func (s *store) Tx(ctx context.Context, fn func(context.Context, multiline.Tx) error) (err error) {
	if ctx.Value(ctxKey{s}) != nil {
		return errNested
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &tx{s: s, undo: s.undoBuf}
	s.undoBuf = nil
	defer func() {
		t.done = true
		if p := recover(); p != nil {
			t.rollback()
			panic(p)
		}
		if err == nil {
			err = ctx.Err()
		}
		if err == nil {
			err = t.failed // a group call's conflict that fn did not pass on
		}
		if err != nil {
			t.rollback()
		}
		s.oldNumbers.reset()
		s.oldMessages.reset()
		if cap(t.undo) <= maxUndoBuf {
			// Cleared, so that it keeps no map or closure alive; the
			// entries past its end are zero already.
			clear(t.undo)
			s.undoBuf = t.undo[:0]
		}
		t.undo = nil
	}()
	return fn(context.WithValue(ctx, ctxKey{s}, true), t)
}

type tx struct {
	s    *store
	undo []undoStep
	done bool
	// failed is the conflict a group call met: the contract says the
	// transaction then cannot commit, as a SQL store's could not.
	failed error
}

func (t *tx) rollback() {
	for _, u := range slices.Backward(t.undo) {
		u.run()
	}
	// Entries past the end are kept zero (see store.undoBuf).
	clear(t.undo)
	t.undo = t.undo[:0]
}

func (t *tx) check(ctx context.Context) error {
	if t.done {
		return errDone
	}
	return ctx.Err()
}

// undoStep is one entry of a transaction's undo log: fn, or, when fn is
// nil, m's undo of its write of key. Most writes of an import are undone
// without a closure: creations under a string key (deleter), set members
// removed (setAdder), numbers and messages updated (restorer), audit
// events appended (auditLog); an import writes some twenty entries a row,
// and a closure each was a sixth of its allocations.
type undoStep struct {
	fn  func()
	m   keyUndoer
	key string
}

func (u undoStep) run() {
	if u.fn != nil {
		u.fn()
		return
	}
	u.m.undoKey(u.key)
}

// keyUndoer undoes its own write of a key given as a string. A map is a
// pointer, so holding one in this interface allocates nothing.
type keyUndoer interface{ undoKey(string) }

// deleter is a map with a string key, as a keyUndoer of a creation.
type deleter[K ~string, V any] map[K]V

func (m deleter[K, V]) undoKey(k string) { delete(m, K(k)) }

// setAdder is a set with a string key, as a keyUndoer of a removal.
type setAdder[K ~string] map[K]struct{}

func (m setAdder[K]) undoKey(k string) { m[K(k)] = struct{}{} }

// restorer undoes the updates of one map's records without a closure
// each: the records replaced are kept in a stack, which the undo log, run
// newest first, empties in the order it filled it. It belongs to the store,
// and is empty between transactions.
type restorer[K ~string, V any] struct {
	m    map[K]V
	olds []V
}

func (r *restorer[K, V]) undoKey(k string) {
	n := len(r.olds) - 1
	r.m[K(k)] = r.olds[n]
	var zero V
	r.olds[n] = zero
	r.olds = r.olds[:n]
}

// reset empties the stack once a transaction committed. Its array stays,
// cleared, for the next transaction (grown from nothing in each, it cost
// more than the closures it replaces), unless it grew past maxRestorer.
func (r *restorer[K, V]) reset() {
	if cap(r.olds) > maxRestorer {
		r.olds = nil
		return
	}
	clear(r.olds)
	r.olds = r.olds[:0]
}

// maxRestorer bounds the records a restorer's array keeps room for between
// transactions (messages are held by pointer, so 1024 of them are 8 KB).
const maxRestorer = 1024

// putR is putS for a map whose updates r undoes.
func putR[K ~string, V any](t *tx, r *restorer[K, V], k K, v V) {
	if old, had := r.m[k]; had {
		r.olds = append(r.olds, old)
		t.undo = append(t.undo, undoStep{m: r, key: string(k)})
	} else {
		t.undo = append(t.undo, undoStep{m: deleter[K, V](r.m), key: string(k)})
	}
	r.m[k] = v
}

// delSet removes k from the set m, remembering how to undo it.
func delSet[K ~string](t *tx, m map[K]struct{}, k K) {
	if _, had := m[k]; !had {
		return
	}
	t.undo = append(t.undo, undoStep{m: setAdder[K](m), key: string(k)})
	delete(m, k)
}

// put sets m[k] = v, remembering how to undo it.
func put[K comparable, V any](t *tx, m map[K]V, k K, v V) {
	if old, had := m[k]; had {
		t.undo = append(t.undo, undoStep{fn: func() { m[k] = old }})
	} else {
		// Most writes create: their undo need not carry a record.
		t.undo = append(t.undo, undoStep{fn: func() { delete(m, k) }})
	}
	m[k] = v
}

// putS is put for a map with a string key, whose creations are undone
// without a closure.
func putS[K ~string, V any](t *tx, m map[K]V, k K, v V) {
	if old, had := m[k]; had {
		t.undo = append(t.undo, undoStep{fn: func() { m[k] = old }})
	} else {
		t.undo = append(t.undo, undoStep{m: deleter[K, V](m), key: string(k)})
	}
	m[k] = v
}

// del deletes m[k], remembering how to undo it.
func del[K comparable, V any](t *tx, m map[K]V, k K) {
	old, had := m[k]
	if !had {
		return
	}
	t.undo = append(t.undo, undoStep{fn: func() { m[k] = old }})
	delete(m, k)
}

// addTo puts k in the set idx[i], creating the set.
func addTo[I comparable, K ~string](t *tx, idx map[I]map[K]struct{}, i I, k K) {
	set, ok := idx[i]
	if !ok {
		set = map[K]struct{}{}
		put(t, idx, i, set)
	}
	putS(t, set, k, struct{}{})
}

// ptr returns a pointer to a copy of v, for the maps that hold records by
// pointer.
func ptr[V any](v V) *V { return &v }

func notFound(what string, id any) error {
	return fmt.Errorf("memory: %s %v: %w", what, id, mlerr.ErrNotFound)
}

// page sorts keys, then returns the keys after the cursor, up to the limit,
// and the next cursor.
func page[K cmp.Ordered](keys []K, p multiline.Page, desc bool, str func(K) string) ([]K, string, error) {
	p = p.Normalize()
	if desc {
		slices.SortFunc(keys, func(a, b K) int { return cmp.Compare(b, a) })
	} else {
		slices.Sort(keys)
	}
	start := 0
	if p.After != "" {
		raw, err := base64.RawURLEncoding.DecodeString(p.After)
		if err != nil {
			return nil, "", fmt.Errorf("memory: malformed page cursor: %w", mlerr.ErrInvalid)
		}
		after := string(raw)
		start = len(keys)
		for i, k := range keys {
			if desc && str(k) < after || !desc && str(k) > after {
				start = i
				break
			}
		}
	}
	end := min(start+p.Limit, len(keys))
	next := ""
	if end < len(keys) {
		next = base64.RawURLEncoding.EncodeToString([]byte(str(keys[end-1])))
	}
	return keys[start:end], next, nil
}

// Organizations.

func (t *tx) CreateOrg(ctx context.Context, o org.Org) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	if _, ok := t.s.orgs[o.ID]; ok {
		return &multiline.UniqueError{Key: multiline.KeyOrg, Value: string(o.ID)}
	}
	put(t, t.s.orgs, o.ID, cloneOrg(o))
	return nil
}

func (t *tx) Org(ctx context.Context, id org.ID) (org.Org, error) {
	if err := t.check(ctx); err != nil {
		return org.Org{}, err
	}
	o, ok := t.s.orgs[id]
	if !ok {
		return org.Org{}, notFound("organization", id)
	}
	return cloneOrg(o), nil
}

// UpdateOrg replaces the name and settings only, as the contract says: an
// organization's place in the tree and its creation time stay as stored.
func (t *tx) UpdateOrg(ctx context.Context, o org.Org) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	old, ok := t.s.orgs[o.ID]
	if !ok {
		return notFound("organization", o.ID)
	}
	old.Name, old.Settings = o.Name, o.Settings
	put(t, t.s.orgs, o.ID, cloneOrg(old))
	return nil
}

func (t *tx) Children(ctx context.Context, id org.ID) ([]org.Org, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	var out []org.Org
	for _, o := range t.s.orgs {
		if o.ParentID == id {
			out = append(out, cloneOrg(o))
		}
	}
	slices.SortFunc(out, func(a, b org.Org) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// LockOrg has nothing to do: transactions are serialized already.
func (t *tx) LockOrg(ctx context.Context, id org.ID) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	if _, ok := t.s.orgs[id]; !ok {
		return notFound("organization", id)
	}
	return nil
}

// Administrators and profiles.

func (t *tx) CreateAdmin(ctx context.Context, a permissions.Admin) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	if _, ok := t.s.admins[a.ID]; ok {
		return &multiline.UniqueError{Key: multiline.KeyAdmin, Value: string(a.ID)}
	}
	if a.Email != "" {
		if _, ok := t.s.adminEmails[a.Email]; ok {
			return &multiline.UniqueError{Key: multiline.KeyAdminEmail, Value: a.Email}
		}
		put(t, t.s.adminEmails, a.Email, a.ID)
	}
	put(t, t.s.admins, a.ID, cloneAdmin(a))
	return nil
}

func (t *tx) Admin(ctx context.Context, id permissions.AdminID) (permissions.Admin, error) {
	if err := t.check(ctx); err != nil {
		return permissions.Admin{}, err
	}
	a, ok := t.s.admins[id]
	if !ok {
		return permissions.Admin{}, notFound("administrator", id)
	}
	return cloneAdmin(a), nil
}

func (t *tx) CreateProfile(ctx context.Context, p permissions.Profile) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	if _, ok := t.s.profiles[p.ID]; ok {
		return &multiline.UniqueError{Key: multiline.KeyProfile, Value: string(p.ID)}
	}
	if p.Default {
		for _, q := range t.s.profiles {
			if q.OrgID == p.OrgID && q.Default {
				return &multiline.UniqueError{Key: multiline.KeyDefaultProfile, Value: string(p.OrgID)}
			}
		}
	}
	put(t, t.s.profiles, p.ID, p)
	return nil
}

func (t *tx) Profiles(ctx context.Context, orgs []org.ID) ([]permissions.Profile, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	var out []permissions.Profile
	for _, p := range t.s.profiles {
		if slices.Contains(orgs, p.OrgID) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b permissions.Profile) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// Numbers.

func (t *tx) CreateNumber(ctx context.Context, n numberpool.Number) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	if _, ok := t.s.numbers[n.E164]; ok {
		return &multiline.UniqueError{Key: multiline.KeyNumber, Value: n.E164}
	}
	t.setNumber(n)
	return nil
}

// setNumber stores n and keeps the indexes in step.
func (t *tx) setNumber(n numberpool.Number) {
	if old, ok := t.s.numbers[n.E164]; ok {
		delSet(t, t.s.byState[stateKey{old.OrgID, old.State}], old.E164)
		delSet(t, t.s.orgNumbers[old.OrgID], old.E164)
	}
	putR(t, t.s.oldNumbers, n.E164, n)
	addTo(t, t.s.byState, stateKey{n.OrgID, n.State}, n.E164)
	addTo(t, t.s.orgNumbers, n.OrgID, n.E164)
}

func (t *tx) Number(ctx context.Context, e164 string) (numberpool.Number, error) {
	if err := t.check(ctx); err != nil {
		return numberpool.Number{}, err
	}
	n, ok := t.s.numbers[e164]
	if !ok {
		return numberpool.Number{}, notFound("number", e164)
	}
	return n, nil
}

func (t *tx) UpdateNumber(ctx context.Context, n numberpool.Number) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	if _, ok := t.s.numbers[n.E164]; !ok {
		return notFound("number", n.E164)
	}
	t.setNumber(n)
	return nil
}

// PickNumber takes any matching number: which one is unspecified, and taking
// the first the map yields keeps a pick O(1) however large the pool.
func (t *tx) PickNumber(ctx context.Context, q multiline.NumberQuery) (numberpool.Number, error) {
	if err := t.check(ctx); err != nil {
		return numberpool.Number{}, err
	}
	for e := range t.s.byState[stateKey{q.Org, q.State}] {
		if q.Tag == "" || t.s.numbers[e].Tag == q.Tag {
			return t.s.numbers[e], nil
		}
	}
	return numberpool.Number{}, notFound("free number in organization", q.Org)
}

func (t *tx) FreeNumbers(ctx context.Context, q multiline.NumberQuery, limit int) ([]numberpool.Number, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	var es []string
	for e := range t.s.byState[stateKey{q.Org, q.State}] {
		if q.Tag == "" || t.s.numbers[e].Tag == q.Tag {
			es = append(es, e)
		}
	}
	slices.Sort(es)
	// A limit of zero or less asks for nothing; it must not reach make or
	// the slice expression, where a negative one would panic.
	n := min(max(limit, 0), len(es))
	out := make([]numberpool.Number, 0, n)
	for _, e := range es[:n] {
		out = append(out, t.s.numbers[e])
	}
	return out, nil
}

func (t *tx) AgedNumbers(ctx context.Context, until time.Time, limit int) ([]numberpool.Number, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	var es []string
	for k, set := range t.s.byState {
		if k.state != numberpool.Aging {
			continue
		}
		for e := range set {
			if !t.s.numbers[e].AgingUntil.After(until) {
				es = append(es, e)
			}
		}
	}
	slices.Sort(es)
	es = es[:min(len(es), multiline.Page{Limit: limit}.Normalize().Limit)]
	out := make([]numberpool.Number, len(es))
	for i, e := range es {
		out[i] = t.s.numbers[e]
	}
	return out, nil
}

func (t *tx) ListNumbers(ctx context.Context, o org.ID, p multiline.Page) ([]numberpool.Number, string, error) {
	if err := t.check(ctx); err != nil {
		return nil, "", err
	}
	keys, next, err := page(mapKeys(t.s.orgNumbers[o]), p, false, func(s string) string { return s })
	if err != nil {
		return nil, "", err
	}
	out := make([]numberpool.Number, len(keys))
	for i, k := range keys {
		out[i] = t.s.numbers[k]
	}
	return out, next, nil
}

func (t *tx) Capacity(ctx context.Context, o org.ID) (numberpool.Capacity, error) {
	if err := t.check(ctx); err != nil {
		return numberpool.Capacity{}, err
	}
	return numberpool.Capacity{
		Available: len(t.s.byState[stateKey{o, numberpool.Available}]),
		Pending:   t.s.pending[o],
		Held:      len(t.s.byState[stateKey{o, numberpool.Assigned}]) + len(t.s.byState[stateKey{o, numberpool.Registered}]),
		Total:     len(t.s.orgNumbers[o]),
	}, nil
}

// isPending reports whether a counts against its organization's capacity.
func isPending(a account.Account) bool {
	return (a.Status == account.Invited || a.Status == account.InvitationFailed) && a.Number == ""
}

// count moves a's weight in the pending counts by delta (±1).
func (t *tx) count(a account.Account, delta int) {
	if isPending(a) {
		put(t, t.s.pending, a.OrgID, t.s.pending[a.OrgID]+delta)
	}
}

// Accounts.

func (t *tx) CreateAccount(ctx context.Context, a account.Account) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	if _, ok := t.s.accounts[a.ID]; ok {
		return &multiline.UniqueError{Key: multiline.KeyAccount, Value: string(a.ID)}
	}
	if err := t.claimAccountKeys(a, account.Account{}); err != nil {
		return err
	}
	putS(t, t.s.accounts, a.ID, ptr(cloneAccount(a)))
	addTo(t, t.s.orgAccounts, a.OrgID, a.ID)
	t.count(a, +1)
	return nil
}

// claimAccountKeys checks and takes a's unique keys, releasing old's.
func (t *tx) claimAccountKeys(a, old account.Account) error {
	if id, ok := t.s.usernames[a.Username]; ok && id != a.ID {
		return &multiline.UniqueError{Key: multiline.KeyUsername, Value: a.Username}
	}
	key := [2]string{string(a.OrgID), a.AccountID}
	if a.AccountID != "" {
		if id, ok := t.s.accountIDs[key]; ok && id != a.ID {
			return &multiline.UniqueError{Key: multiline.KeyAccountID, Value: a.AccountID}
		}
	}
	if old.ID != "" {
		del(t, t.s.usernames, old.Username)
		if old.AccountID != "" {
			del(t, t.s.accountIDs, [2]string{string(old.OrgID), old.AccountID})
		}
	}
	putS(t, t.s.usernames, a.Username, a.ID)
	if a.AccountID != "" {
		put(t, t.s.accountIDs, key, a.ID)
	}
	return nil
}

func (t *tx) Account(ctx context.Context, id account.ID) (account.Account, error) {
	if err := t.check(ctx); err != nil {
		return account.Account{}, err
	}
	a, ok := t.s.accounts[id]
	if !ok {
		return account.Account{}, notFound("account", id)
	}
	return cloneAccount(*a), nil
}

func (t *tx) UpdateAccount(ctx context.Context, a account.Account) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	p, ok := t.s.accounts[a.ID]
	if !ok {
		return notFound("account", a.ID)
	}
	old := *p
	if err := t.claimAccountKeys(a, old); err != nil {
		return err
	}
	if old.OrgID != a.OrgID {
		delSet(t, t.s.orgAccounts[old.OrgID], a.ID)
		addTo(t, t.s.orgAccounts, a.OrgID, a.ID)
	}
	putS(t, t.s.accounts, a.ID, ptr(cloneAccount(a)))
	t.count(old, -1)
	t.count(a, +1)
	return nil
}

func (t *tx) DeleteAccount(ctx context.Context, id account.ID) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	p, ok := t.s.accounts[id]
	if !ok {
		return notFound("account", id)
	}
	a := *p
	del(t, t.s.usernames, a.Username)
	if a.AccountID != "" {
		del(t, t.s.accountIDs, [2]string{string(a.OrgID), a.AccountID})
	}
	delSet(t, t.s.orgAccounts[a.OrgID], id)
	del(t, t.s.accounts, id)
	t.count(a, -1)
	if inv, ok := t.s.invitations[id]; ok {
		for _, h := range append([][]byte{inv.TokenHash}, inv.Retired...) {
			del(t, t.s.tokens, string(h))
		}
		del(t, t.s.invitations, id)
	}
	return nil
}

func (t *tx) ListAccounts(ctx context.Context, o org.ID, p multiline.Page) ([]account.Account, string, error) {
	if err := t.check(ctx); err != nil {
		return nil, "", err
	}
	keys, next, err := page(mapKeys(t.s.orgAccounts[o]), p, false, func(id account.ID) string { return string(id) })
	if err != nil {
		return nil, "", err
	}
	out := make([]account.Account, len(keys))
	for i, k := range keys {
		out[i] = cloneAccount(*t.s.accounts[k])
	}
	return out, next, nil
}

// Invitations.

func (t *tx) CreateInvitation(ctx context.Context, inv invite.Invitation) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	if _, ok := t.s.invitations[inv.Account]; ok {
		return &multiline.UniqueError{Key: multiline.KeyInvitation, Value: string(inv.Account)}
	}
	t.setInvitation(inv)
	return nil
}

// setInvitation stores inv and keeps the token index in step.
func (t *tx) setInvitation(inv invite.Invitation) {
	if old, ok := t.s.invitations[inv.Account]; ok {
		for _, h := range append([][]byte{old.TokenHash}, old.Retired...) {
			del(t, t.s.tokens, string(h))
		}
	}
	putS(t, t.s.invitations, inv.Account, ptr(cloneInvitation(inv)))
	for _, h := range append([][]byte{inv.TokenHash}, inv.Retired...) {
		putS(t, t.s.tokens, string(h), inv.Account)
	}
}

func (t *tx) InvitationByToken(ctx context.Context, hash []byte) (invite.Invitation, error) {
	if err := t.check(ctx); err != nil {
		return invite.Invitation{}, err
	}
	id, ok := t.s.tokens[string(hash)]
	if !ok {
		return invite.Invitation{}, fmt.Errorf("memory: invitation token: %w", mlerr.ErrNotFound)
	}
	return cloneInvitation(*t.s.invitations[id]), nil
}

func (t *tx) Invitation(ctx context.Context, a account.ID) (invite.Invitation, error) {
	if err := t.check(ctx); err != nil {
		return invite.Invitation{}, err
	}
	inv, ok := t.s.invitations[a]
	if !ok {
		return invite.Invitation{}, notFound("invitation of account", a)
	}
	return cloneInvitation(*inv), nil
}

func (t *tx) UpdateInvitation(ctx context.Context, inv invite.Invitation) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	if _, ok := t.s.invitations[inv.Account]; !ok {
		return notFound("invitation of account", inv.Account)
	}
	t.setInvitation(inv)
	return nil
}

// Outbox.

func (t *tx) Enqueue(ctx context.Context, m invite.Message) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	if _, ok := t.s.messages[m.ID]; ok {
		return &multiline.UniqueError{Key: multiline.KeyMessage, Value: string(m.ID)}
	}
	if _, ok := t.s.msgKeys[m.IdempotencyKey]; ok {
		return &multiline.UniqueError{Key: multiline.KeyIdempotency, Value: m.IdempotencyKey}
	}
	putS(t, t.s.msgKeys, m.IdempotencyKey, m.ID)
	putS(t, t.s.messages, m.ID, &m)
	return nil
}

func (t *tx) Message(ctx context.Context, id invite.MessageID) (invite.Message, error) {
	if err := t.check(ctx); err != nil {
		return invite.Message{}, err
	}
	m, ok := t.s.messages[id]
	if !ok {
		return invite.Message{}, notFound("message", id)
	}
	return *m, nil
}

func (t *tx) UpdateMessage(ctx context.Context, m invite.Message) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	old, ok := t.s.messages[m.ID]
	if !ok {
		return notFound("message", m.ID)
	}
	if old.IdempotencyKey != m.IdempotencyKey {
		return fmt.Errorf("memory: a message's idempotency key cannot change: %w", mlerr.ErrInvalid)
	}
	putR(t, t.s.oldMessages, m.ID, &m)
	return nil
}

func (t *tx) DueMessages(ctx context.Context, now time.Time, limit int) ([]invite.Message, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	var due []invite.Message
	for _, m := range t.s.messages {
		if (m.State == invite.Queued || m.State == invite.Failed) && !m.NextAttempt.After(now) {
			due = append(due, *m)
		}
	}
	slices.SortFunc(due, func(a, b invite.Message) int { return cmp.Compare(a.ID, b.ID) })
	if limit = (multiline.Page{Limit: limit}).Normalize().Limit; len(due) > limit {
		due = due[:limit]
	}
	return due, nil
}

func (t *tx) Messages(ctx context.Context, o org.ID, p multiline.Page) ([]invite.Message, string, error) {
	return t.orgMessages(ctx, o, p, false)
}

// orgMessages returns a page of an organization's messages, oldest or
// newest first.
func (t *tx) orgMessages(ctx context.Context, o org.ID, p multiline.Page, newestFirst bool) ([]invite.Message, string, error) {
	if err := t.check(ctx); err != nil {
		return nil, "", err
	}
	var keys []invite.MessageID
	for id, m := range t.s.messages {
		if m.OrgID == o {
			keys = append(keys, id)
		}
	}
	keys, next, err := page(keys, p, newestFirst, func(id invite.MessageID) string { return string(id) })
	if err != nil {
		return nil, "", err
	}
	out := make([]invite.Message, len(keys))
	for i, k := range keys {
		out[i] = *t.s.messages[k]
	}
	return out, next, nil
}

// Batches.

func (t *tx) CreateBatch(ctx context.Context, b batch.Record) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	if _, ok := t.s.batches[b.ID]; ok {
		return &multiline.UniqueError{Key: multiline.KeyBatch, Value: b.ID}
	}
	if err := checkLines(nil, b.Rows, b.Accounts); err != nil {
		return err
	}
	if b.Key != "" {
		k := [2]string{string(b.OrgID), b.Key}
		if _, ok := t.s.batchKeys[k]; ok {
			return &multiline.UniqueError{Key: multiline.KeyBatchKey, Value: b.Key}
		}
		put(t, t.s.batchKeys, k, b.ID)
	}
	put(t, t.s.batches, b.ID, header(b))
	t.appendLines(b.ID, b.Rows, b.Accounts)
	return nil
}

func (t *tx) Batch(ctx context.Context, id string) (batch.Record, error) {
	if err := t.check(ctx); err != nil {
		return batch.Record{}, err
	}
	b, ok := t.s.batches[id]
	if !ok {
		return batch.Record{}, notFound("batch", id)
	}
	return b, nil
}

func (t *tx) BatchByKey(ctx context.Context, o org.ID, key string) (batch.Record, error) {
	if err := t.check(ctx); err != nil {
		return batch.Record{}, err
	}
	id, ok := t.s.batchKeys[[2]string{string(o), key}]
	if !ok {
		return batch.Record{}, notFound("batch with key", key)
	}
	return t.s.batches[id], nil
}

func (t *tx) UpdateBatch(ctx context.Context, b batch.Record) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	old, ok := t.s.batches[b.ID]
	if !ok {
		return notFound("batch", b.ID)
	}
	if (b.Key != "" && old.Key != b.Key) || old.OrgID != b.OrgID {
		return fmt.Errorf("memory: a batch's organization and key cannot change: %w", mlerr.ErrInvalid)
	}
	if old.Key != "" && b.Key == "" {
		del(t, t.s.batchKeys, [2]string{string(old.OrgID), old.Key})
	}
	put(t, t.s.batches, b.ID, header(b))
	return nil
}

func (t *tx) ListBatches(ctx context.Context, o org.ID, p multiline.Page) ([]batch.Record, string, error) {
	if err := t.check(ctx); err != nil {
		return nil, "", err
	}
	var keys []string
	for id, b := range t.s.batches {
		if b.OrgID == o {
			keys = append(keys, id)
		}
	}
	keys, next, err := page(keys, p, true, func(s string) string { return s })
	if err != nil {
		return nil, "", err
	}
	out := make([]batch.Record, len(keys))
	for i, k := range keys {
		out[i] = t.s.batches[k]
	}
	return out, next, nil
}

func (t *tx) AppendBatchRows(ctx context.Context, id string, rows []batch.ReportRow, accounts []account.ID) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	if _, ok := t.s.batches[id]; !ok {
		return notFound("batch", id)
	}
	if err := checkLines(t.s.batchRows[id], rows, accounts); err != nil {
		if u := (*multiline.UniqueError)(nil); errors.As(err, &u) && t.failed == nil {
			// A group call's conflict: the transaction cannot commit, as a
			// SQL store's that sent the append along with later writes.
			t.failed = err
		}
		return err
	}
	t.appendLines(id, rows, accounts)
	return nil
}

func (t *tx) BatchRows(ctx context.Context, id string) ([]batch.ReportRow, []account.ID, error) {
	if err := t.check(ctx); err != nil {
		return nil, nil, err
	}
	if _, ok := t.s.batches[id]; !ok {
		return nil, nil, notFound("batch", id)
	}
	l := t.s.batchRows[id]
	if l == nil || len(l.rows) == 0 {
		return nil, nil, nil
	}
	// The lines are kept in the order they came, which a resumed or
	// Import & Invite batch does not give by line: sort a copy.
	order := make([]int, len(l.rows))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(l.rows[a].Row, l.rows[b].Row) })
	rows, accts := make([]batch.ReportRow, len(order)), make([]account.ID, len(order))
	for i, j := range order {
		rows[i], accts[i] = l.rows[j], l.accts[j]
	}
	return rows, accts, nil
}

// rowLog is the report lines of one batch, in the order they were
// appended, each beside the account its row created.
type rowLog struct {
	rows  []batch.ReportRow
	accts []account.ID
	lines map[int]struct{}
}

// header is a batch record without its report lines, as the store keeps
// and returns it.
func header(b batch.Record) batch.Record {
	b.Rows, b.Accounts = nil, nil
	return b
}

// checkLines refuses lines that l (nil: none) has already, or that
// rows has twice, and accounts of another length than rows.
func checkLines(l *rowLog, rows []batch.ReportRow, accounts []account.ID) error {
	if accounts != nil && len(accounts) != len(rows) {
		return fmt.Errorf("memory: %d accounts for %d report lines: %w", len(accounts), len(rows), mlerr.ErrInvalid)
	}
	seen := make(map[int]struct{}, len(rows))
	for _, r := range rows {
		_, dup := seen[r.Row]
		if !dup && l != nil {
			_, dup = l.lines[r.Row]
		}
		if dup {
			return &multiline.UniqueError{Key: multiline.KeyBatchRow, Value: strconv.Itoa(r.Row)}
		}
		seen[r.Row] = struct{}{}
	}
	return nil
}

// maxPresizedLines bounds the lines a batch's log is sized for up front.
const maxPresizedLines = 1 << 20

// appendLines adds lines checkLines accepted to batch id's, remembering
// how to undo it. ReportRow holds no slice or pointer: appending copies it.
func (t *tx) appendLines(id string, rows []batch.ReportRow, accounts []account.ID) {
	if len(rows) == 0 {
		return
	}
	l := t.s.batchRows[id]
	if l == nil {
		// Sized for the batch's every row (up to a bound: Total is the
		// caller's): a run appends a group at a time, and a log grown
		// by append allocated some three times the lines it kept.
		n := max(min(t.s.batches[id].Total, maxPresizedLines), len(rows))
		l = &rowLog{rows: make([]batch.ReportRow, 0, n), accts: make([]account.ID, 0, n), lines: make(map[int]struct{}, n)}
		put(t, t.s.batchRows, id, l)
	}
	n := len(l.rows)
	l.rows = append(l.rows, rows...)
	if accounts == nil {
		accounts = make([]account.ID, len(rows))
	}
	l.accts = append(l.accts, accounts...)
	for _, r := range rows {
		l.lines[r.Row] = struct{}{}
	}
	t.undo = append(t.undo, undoStep{fn: func() {
		for _, r := range l.rows[n:] {
			delete(l.lines, r.Row)
		}
		l.rows, l.accts = l.rows[:n], l.accts[:n]
	}})
}

// Audit.

func (t *tx) AppendAudit(ctx context.Context, e multiline.AuditEvent) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	if t.s.audit.has(e.ID) {
		return &multiline.UniqueError{Key: multiline.KeyAuditEvent, Value: e.ID}
	}
	t.undo = append(t.undo, t.s.audit.appendEvent(cloneEvent(e)))
	return nil
}

func (t *tx) ListAudit(ctx context.Context, orgs []org.ID, p multiline.Page) ([]multiline.AuditEvent, string, error) {
	if err := t.check(ctx); err != nil {
		return nil, "", err
	}
	var keys []string
	t.s.audit.each(func(_ int, e *multiline.AuditEvent) {
		if slices.Contains(orgs, e.OrgID) {
			keys = append(keys, e.ID)
		}
	})
	keys, next, err := page(keys, p, true, func(s string) string { return s })
	if err != nil {
		return nil, "", err
	}
	out := make([]multiline.AuditEvent, len(keys))
	for i, k := range keys {
		e, _ := t.s.audit.get(k)
		out[i] = cloneEvent(e)
	}
	return out, next, nil
}

func mapKeys[K comparable](m map[K]struct{}) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

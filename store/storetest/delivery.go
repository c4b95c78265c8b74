package storetest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/org"
)

// testDelivery runs the service's outbox on the store through the public
// API, with a notifier that fails or acts at chosen moments (SPEC §7): a
// message in a final state never changes again, an outcome whose invitation
// or account is gone is Cancelled, outcomes are recorded per message (one
// message's trouble never fails, holds back or duplicates another's), and
// DeliverPending always goes on to the next due message. The outbox is the
// service's, but what it relies on (locking a message while its outcome is
// recorded, a transaction's writes all kept or none) is the store's.
func testDelivery(t *testing.T, newStore func(*testing.T) multiline.Store) {
	t.Run("InFlightAttemptOfCancelledMessage", func(t *testing.T) { testInFlightCancelled(t, newStore) })
	for _, action := range []string{"Suspend", "Delete"} {
		for _, outcome := range []string{"Fails", "Succeeds"} {
			t.Run("InFlightAttemptThen"+action+"Then"+outcome, func(t *testing.T) {
				testInFlightWithdrawn(t, newStore, action, outcome == "Fails")
			})
		}
	}
	t.Run("OneMessageStoreTrouble", func(t *testing.T) { testOneMessageTrouble(t, newStore) })
	t.Run("OneFirstAttemptStoreTrouble", func(t *testing.T) { testOneFirstAttemptTrouble(t, newStore) })
	t.Run("VanishedInvitation", func(t *testing.T) { testVanishedInvitation(t, newStore) })
	t.Run("ImportSendDeletesAccount", func(t *testing.T) { testImportSendDeletes(t, newStore, false) })
	t.Run("RetrySendDeletesAccount", func(t *testing.T) { testImportSendDeletes(t, newStore, true) })
	t.Run("ImportSendCancelsAnother", func(t *testing.T) { testImportSendCancels(t, newStore) })
}

// world is a service on the store with two tenants, a settable clock and a
// notifier whose behaviour a test sets per message.
type world struct {
	t      *testing.T
	store  multiline.Store
	svc    *multiline.Service
	acme   multiline.Tenant
	globex multiline.Tenant

	mu   sync.Mutex
	now  time.Time
	hook func(ctx context.Context, m invite.Message) error // nil: accept
	sent map[string]int                                    // accepted sends by idempotency key
}

func newWorld(t *testing.T, newStore func(*testing.T) multiline.Store) *world {
	t.Helper()
	w := &world{t: t, store: newStore(t), now: base, sent: map[string]int{}}
	notifier := func(ctx context.Context, m invite.Message) error {
		w.mu.Lock()
		hook := w.hook
		w.mu.Unlock()
		if hook != nil {
			if err := hook(ctx, m); err != nil {
				return err
			}
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		w.sent[m.IdempotencyKey]++
		return nil
	}
	svc, err := multiline.New(w.store, multiline.WithNotifier(notifyFunc(notifier)), multiline.WithClock(w.clock),
		multiline.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	w.svc = svc
	ctx := context.Background()
	w.acme, err = svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Acme", AdminName: "Ada", AdminEmail: "ada@acme.example"})
	require.NoError(t, err)
	w.globex, err = svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Globex", AdminName: "Gus", AdminEmail: "gus@globex.example"})
	require.NoError(t, err)
	for i, tn := range []multiline.Tenant{w.acme, w.globex} {
		var in []multiline.NumberInput
		for k := range 8 {
			in = append(in, multiline.NumberInput{Number: fmt.Sprintf("+1415555%d%03d", i, k)})
		}
		_, err := svc.AddNumbers(ctx, tn.Admin.ID, tn.Org.ID, in)
		require.NoError(t, err)
	}
	return w
}

// notifyFunc is a notify.Func; storetest does not import notify for one
// adapter.
type notifyFunc func(ctx context.Context, m invite.Message) error

func (f notifyFunc) Send(ctx context.Context, m invite.Message) error { return f(ctx, m) }

func (w *world) clock() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

func (w *world) advance(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.now = w.now.Add(d)
}

func (w *world) setHook(h func(ctx context.Context, m invite.Message) error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.hook = h
}

// sends returns how many times the message with key was accepted.
func (w *world) sends(key string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.sent[key]
}

// message reads a message back from the store.
func (w *world) message(id invite.MessageID) invite.Message {
	w.t.Helper()
	var m invite.Message
	require.NoError(w.t, w.store.Tx(context.Background(), func(ctx context.Context, tx multiline.Tx) error {
		var err error
		m, err = tx.Message(ctx, id)
		return err
	}))
	return m
}

// messages reads every message of an organization back from the store.
func (w *world) messages(o org.ID) []invite.Message {
	w.t.Helper()
	var out []invite.Message
	require.NoError(w.t, w.store.Tx(context.Background(), func(ctx context.Context, tx multiline.Tx) error {
		ms, _, err := tx.Messages(ctx, o, multiline.Page{Limit: multiline.MaxPageSize})
		out = ms
		return err
	}))
	return out
}

func person(id, email string) account.Input {
	return account.Input{FirstName: "Pat", LastName: id, AccountID: id,
		Applications: []org.Application{org.AppMobile}, Email: email}
}

// importInvite runs an Import & Invite into acme, by its admin, of one row
// for each of emails, all of which must be invited.
func (w *world) importInvite(emails []string) {
	w.t.Helper()
	var csv strings.Builder
	csv.WriteString("firstname,lastname,email address or device,social_messaging,monitor_calls,monitor_sms\n")
	for i, e := range emails {
		fmt.Fprintf(&csv, "Row,%d,%s,No,off,off\n", i, e)
	}
	rec, err := w.svc.ImportBatch(context.Background(), w.acme.Admin.ID, w.acme.Org.ID, strings.NewReader(csv.String()),
		multiline.BatchOptions{Mode: batch.ImportInvite})
	require.NoError(w.t, err)
	require.Equal(w.t, len(emails), rec.Summary.Invited, "every row is invited: %+v", rec.Summary)
}

// invitationsByTo returns acme's invitation messages by recipient.
func (w *world) invitationsByTo() map[string]invite.Message {
	w.t.Helper()
	out := map[string]invite.Message{}
	for _, m := range w.messages(w.acme.Org.ID) {
		if m.Kind == invite.KindInvitation {
			out[m.To] = m
		}
	}
	return out
}

// deliverPending runs DeliverPending and requires that it met no problem.
func (w *world) deliverPending() multiline.DeliveryReport {
	w.t.Helper()
	rep, err := w.svc.DeliverPending(context.Background())
	require.NoError(w.t, err, "one message's trouble must not stop DeliverPending")
	require.Empty(w.t, rep.Problems)
	return rep
}

// testInFlightCancelled: Save & Invite victim; while its first send is in
// flight the administrator resends (the old message is cancelled, the new
// one sent); the in-flight attempt then fails, and the account is deleted.
// The old message stays Cancelled, and DeliverPending goes on delivering the
// other tenant's due message.
func testInFlightCancelled(t *testing.T, newStore func(*testing.T) multiline.Store) {
	ctx := context.Background()
	w := newWorld(t, newStore)
	admin := w.acme.Admin.ID

	inFlight, release := make(chan invite.Message, 1), make(chan struct{})
	var once sync.Once
	w.setHook(func(ctx context.Context, m invite.Message) error {
		switch {
		case m.To == "victim@acme.example":
			first := false
			once.Do(func() { first = true })
			if first {
				inFlight <- m
				<-release
				return errors.New("smtp: i/o timeout")
			}
		case m.To == "other@globex.example" && m.Attempts == 0:
			return errors.New("421 try again later")
		}
		return nil
	})

	type result struct {
		res multiline.Invited
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := w.svc.SaveAndInvite(ctx, admin, w.acme.Org.ID, person("victim", "victim@acme.example"), multiline.InviteOptions{})
		done <- result{res, err}
	}()
	first := <-inFlight
	resent, err := w.svc.Resend(ctx, admin, []account.ID{first.Account}, multiline.InviteOptions{})
	if err != nil {
		close(release)
		require.NoError(t, err)
	}
	require.Len(t, resent, 1)
	assert.Equal(t, invite.Sent, resent[0].Delivery.State, "the new invitation goes out")
	assert.Equal(t, invite.Cancelled, w.message(first.ID).State, "the resend cancelled the old message")
	close(release)
	r := <-done
	require.NoError(t, r.err)
	assert.Equal(t, invite.Cancelled, r.res.Delivery.State, "the in-flight attempt's failure is dropped")
	old := w.message(first.ID)
	assert.Equal(t, invite.Cancelled, old.State, "a cancelled message never changes again")
	assert.Zero(t, old.Attempts)
	assert.Empty(t, old.LastError)

	// Another tenant's invitation fails at first and is due later.
	other, err := w.svc.SaveAndInvite(ctx, w.globex.Admin.ID, w.globex.Org.ID, person("other", "other@globex.example"), multiline.InviteOptions{})
	require.NoError(t, err)
	require.Equal(t, invite.Failed, other.Delivery.State)

	require.NoError(t, w.svc.Delete(ctx, admin, []account.ID{first.Account}))
	w.advance(2 * time.Hour)
	rep := w.deliverPending()
	assert.Equal(t, 1, rep.Sent, "the other tenant's message is delivered")
	_, d, err := w.svc.Invitation(ctx, w.globex.Admin.ID, other.Account.ID)
	require.NoError(t, err)
	assert.Equal(t, invite.Sent, d.State)
	assert.Equal(t, invite.Cancelled, w.message(first.ID).State)
	assert.Equal(t, 0, w.sends(first.IdempotencyKey), "the cancelled message was never delivered")
	assert.Equal(t, 1, w.sends(invite.IdempotencyKey(resent[0].Invitation.ID, resent[0].Invitation.TokenVersion)))

	w.advance(24 * time.Hour)
	assert.Equal(t, multiline.DeliveryReport{}, w.deliverPending(), "nothing is left to deliver")
}

// testInFlightWithdrawn: while the first send of an invitation is in
// flight, the administrator suspends or deletes the account, which cancels
// the message; the attempt then fails or succeeds, and its outcome is
// dropped: the message stays Cancelled and is never retried.
func testInFlightWithdrawn(t *testing.T, newStore func(*testing.T) multiline.Store, action string, fails bool) {
	ctx := context.Background()
	w := newWorld(t, newStore)
	admin := w.acme.Admin.ID
	inFlight, release := make(chan invite.Message, 1), make(chan struct{})
	w.setHook(func(ctx context.Context, m invite.Message) error {
		if m.Attempts == 0 {
			inFlight <- m
			<-release
		}
		if fails {
			return errors.New("smtp: i/o timeout")
		}
		return nil
	})
	done := make(chan error, 1)
	go func() {
		_, err := w.svc.SaveAndInvite(ctx, admin, w.acme.Org.ID, person("victim", "victim@acme.example"), multiline.InviteOptions{})
		done <- err
	}()
	m := <-inFlight
	var err error
	switch action {
	case "Suspend":
		err = w.svc.Suspend(ctx, admin, []account.ID{m.Account})
	case "Delete":
		err = w.svc.Delete(ctx, admin, []account.ID{m.Account})
	}
	close(release)
	require.NoError(t, err)
	require.NoError(t, <-done)
	got := w.message(m.ID)
	assert.Equal(t, invite.Cancelled, got.State, "the in-flight attempt's outcome is dropped")
	assert.Zero(t, got.Attempts)
	assert.Empty(t, got.LastError)

	if action == "Suspend" {
		require.NoError(t, w.svc.Reactivate(ctx, admin, []account.ID{m.Account}))
	}
	w.advance(2 * time.Hour)
	assert.Equal(t, multiline.DeliveryReport{}, w.deliverPending(), "a cancelled message is never retried")
	assert.Equal(t, invite.Cancelled, w.message(m.ID).State)
}

// testVanishedInvitation: a due message whose invitation and account are
// gone (as the outbox left one before final states were final) is
// cancelled, and the run goes on to the other tenant's message.
func testVanishedInvitation(t *testing.T, newStore func(*testing.T) multiline.Store) {
	ctx := context.Background()
	w := newWorld(t, newStore)
	w.setHook(func(ctx context.Context, m invite.Message) error {
		if m.Attempts == 0 {
			return errors.New("421 try again later")
		}
		return nil
	})
	other, err := w.svc.SaveAndInvite(ctx, w.globex.Admin.ID, w.globex.Org.ID, person("other", "other@globex.example"), multiline.InviteOptions{})
	require.NoError(t, err)
	require.Equal(t, invite.Failed, other.Delivery.State)

	orphan := invite.Message{ID: invite.MessageID(id()), Kind: invite.KindInvitation, OrgID: w.acme.Org.ID,
		Channel: invite.Email, To: "gone@acme.example", Text: "an old invitation", IdempotencyKey: "orphan-" + id(),
		InvitationID: invite.ID(id()), Account: account.ID(id()), TokenVersion: 1,
		State: invite.Failed, Attempts: 1, LastError: "421", NextAttempt: base, Created: base}
	require.NoError(t, w.store.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error { return tx.Enqueue(ctx, orphan) }))

	w.advance(2 * time.Hour)
	rep := w.deliverPending()
	assert.Equal(t, 1, rep.Sent)
	assert.Equal(t, 1, rep.Cancelled)
	assert.Equal(t, invite.Cancelled, w.message(orphan.ID).State)
	assert.Equal(t, 0, w.sends(orphan.IdempotencyKey))
	_, d, err := w.svc.Invitation(ctx, w.globex.Admin.ID, other.Account.ID)
	require.NoError(t, err)
	assert.Equal(t, invite.Sent, d.State)
}

// testImportSendDeletes: during an Import & Invite (or, with retry, during
// DeliverPending's retry of the group after an outage) the notifier's send
// for one row deletes that account and fails. That message ends Cancelled;
// every other message of the group is sent exactly once, however often
// DeliverPending runs after the leases run out.
func testImportSendDeletes(t *testing.T, newStore func(*testing.T) multiline.Store, retry bool) {
	w := newWorld(t, newStore)
	admin := w.acme.Admin.ID
	const doomed = "doomed@acme.example"
	deleteAndFail := func(ctx context.Context, m invite.Message) error {
		if m.To != doomed {
			return nil
		}
		if err := w.svc.Delete(ctx, admin, []account.ID{m.Account}); err != nil {
			return fmt.Errorf("the test's delete: %w", err)
		}
		return errors.New("550 mailbox unavailable")
	}
	if retry {
		w.setHook(func(context.Context, invite.Message) error { return errors.New("421 service not available") })
	} else {
		w.setHook(deleteAndFail)
	}

	emails := []string{"a@acme.example", "b@acme.example", doomed, "c@acme.example", "d@acme.example"}
	w.importInvite(emails)

	if retry {
		w.setHook(deleteAndFail)
		w.advance(2 * time.Hour)
		rep := w.deliverPending()
		assert.Equal(t, len(emails)-1, rep.Sent, "%+v", rep)
	}
	for range 3 {
		w.advance(2 * time.Hour)
		w.deliverPending()
	}

	ms := w.messages(w.acme.Org.ID)
	invitations := 0
	for _, m := range ms {
		if m.Kind != invite.KindInvitation {
			continue
		}
		invitations++
		if m.To == doomed {
			assert.Equal(t, invite.Cancelled, m.State, "the deleted account's message")
			assert.Equal(t, 0, w.sends(m.IdempotencyKey))
			continue
		}
		assert.Equal(t, invite.Sent, m.State, m.To)
		assert.Equal(t, 1, w.sends(m.IdempotencyKey), "%s is sent exactly once", m.To)
	}
	assert.Equal(t, len(emails), invitations)
}

// testImportSendCancels records the outcomes of one group of an import
// whose sends meet every case: sent (recorded by swapping the delivery in),
// failed (recorded on the message as read), and sent while another
// transaction cancelled it (the swap finds it moved on, and the outcome
// is dropped). While the first row is sent, the last row's account is
// suspended, which cancels its message; the second row's send fails.
func testImportSendCancels(t *testing.T, newStore func(*testing.T) multiline.Store) {
	w := newWorld(t, newStore)
	admin := w.acme.Admin.ID
	emails := []string{"first@acme.example", "fails@acme.example", "third@acme.example", "suspended@acme.example"}
	w.setHook(func(ctx context.Context, m invite.Message) error {
		switch m.To {
		case emails[0]:
			for _, other := range w.messages(w.acme.Org.ID) {
				if other.To == emails[3] {
					if err := w.svc.Suspend(ctx, admin, []account.ID{other.Account}); err != nil {
						return fmt.Errorf("the test's suspend: %w", err)
					}
				}
			}
		case emails[1]:
			return errors.New("550 mailbox unavailable")
		}
		return nil
	})
	w.importInvite(emails)

	byTo := w.invitationsByTo()
	require.Len(t, byTo, len(emails))
	for _, e := range []string{emails[0], emails[2]} {
		assert.Equal(t, invite.Sent, byTo[e].State, e)
		assert.Equal(t, 1, byTo[e].Attempts, e)
		assert.Empty(t, byTo[e].Secret, "%s: a sent message keeps no secret", e)
	}
	failed := byTo[emails[1]]
	assert.Equal(t, invite.Failed, failed.State)
	assert.Equal(t, 1, failed.Attempts)
	assert.Contains(t, failed.LastError, "550")
	assert.Equal(t, invite.Cancelled, byTo[emails[3]].State, "the suspended account's message, sent as it was cancelled")
	assert.Equal(t, 0, byTo[emails[3]].Attempts, "the outcome of an attempt at a cancelled message is dropped")
	for _, e := range emails {
		wantSends := 1
		if e == emails[1] {
			wantSends = 0
		}
		assert.Equal(t, wantSends, w.sends(byTo[e].IdempotencyKey), "sends of %s", e)
	}
}

// troubleStore fails UpdateMessage and SwapDeliveries for the messages fail
// picks (a swap fails whole if it holds one), as a store would for a row it
// cannot write.
type troubleStore struct {
	multiline.Store
	mu   sync.Mutex
	fail func(m invite.Message) bool
}

func (s *troubleStore) setFail(f func(m invite.Message) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = f
}

func (s *troubleStore) Tx(ctx context.Context, fn func(context.Context, multiline.Tx) error) error {
	return s.Store.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		return fn(ctx, troubleTx{Tx: tx, s: s})
	})
}

type troubleTx struct {
	multiline.Tx
	s *troubleStore
}

var errTrouble = errors.New("storetest: this message's row cannot be written")

// fails reports whether any of ms is one the store cannot write now.
func (s *troubleStore) fails(ms ...invite.Message) bool {
	s.mu.Lock()
	fail := s.fail
	s.mu.Unlock()
	return fail != nil && slices.ContainsFunc(ms, fail)
}

func (tx troubleTx) UpdateMessage(ctx context.Context, m invite.Message) error {
	if tx.s.fails(m) {
		return errTrouble
	}
	return tx.Tx.UpdateMessage(ctx, m)
}

func (tx troubleTx) SwapDeliveries(ctx context.Context, was, ms []invite.Message) ([]bool, error) {
	if tx.s.fails(ms...) {
		return nil, errTrouble
	}
	return tx.Tx.SwapDeliveries(ctx, was, ms)
}

// testOneMessageTrouble: the store cannot write one message (first when it
// is claimed, then when its outcome is recorded). DeliverPending reports
// that message's problem and goes on: the others due with it are claimed,
// sent and recorded, each exactly once. Only the message whose outcome
// could not be recorded is sent again once its lease runs out, with the
// same idempotency key.
func testOneMessageTrouble(t *testing.T, newStore func(*testing.T) multiline.Store) {
	ctx := context.Background()
	var ts *troubleStore
	w := newWorld(t, func(t *testing.T) multiline.Store {
		ts = &troubleStore{Store: newStore(t)}
		return ts
	})
	admin := w.acme.Admin.ID
	w.setHook(func(context.Context, invite.Message) error { return errors.New("421 service not available") })
	keys := map[string]string{} // idempotency key by account ID
	ids := map[string]invite.MessageID{}
	for _, name := range []string{"a", "b", "c", "bad"} {
		res, err := w.svc.SaveAndInvite(ctx, admin, w.acme.Org.ID, person(name, name+"@acme.example"), multiline.InviteOptions{})
		require.NoError(t, err)
		require.Equal(t, invite.Failed, res.Delivery.State)
		keys[name] = invite.IdempotencyKey(res.Invitation.ID, res.Invitation.TokenVersion)
		ids[name] = res.Invitation.Message
	}
	problemOf := func(rep multiline.DeliveryReport, op string) {
		t.Helper()
		require.Len(t, rep.Problems, 1)
		var me *multiline.MessageError
		require.ErrorAs(t, rep.Problems[0], &me)
		assert.Equal(t, ids["bad"], me.Message)
		assert.Equal(t, op, me.Op)
		assert.ErrorIs(t, me, errTrouble)
	}

	// The store cannot claim bad; c's server is still down.
	ts.setFail(func(m invite.Message) bool { return m.ID == ids["bad"] })
	w.setHook(func(_ context.Context, m invite.Message) error {
		if m.To == "c@acme.example" {
			return errors.New("421 service not available")
		}
		return nil
	})
	w.advance(2 * time.Hour)
	rep, err := w.svc.DeliverPending(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Sent, "a and b go out: %+v", rep)
	assert.Equal(t, 1, rep.Failed, "c failed again")
	problemOf(rep, "claim")
	assert.Equal(t, 0, w.sends(keys["bad"]))

	// Now the store can claim bad but not record its outcome.
	ts.setFail(func(m invite.Message) bool { return m.ID == ids["bad"] && m.State == invite.Sent })
	w.setHook(nil)
	w.advance(2 * time.Hour)
	rep, err = w.svc.DeliverPending(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Sent, "c is recorded though bad, sent beside it, is not: %+v", rep)
	problemOf(rep, "record")
	assert.Equal(t, invite.Sent, w.message(ids["c"]).State)

	// Its lease runs out and it is sent again: the one duplicate a failed
	// record can cause, recognizable by its idempotency key.
	ts.setFail(nil)
	w.advance(2 * time.Hour)
	assert.Equal(t, multiline.DeliveryReport{Sent: 1}, w.deliverPending())
	w.advance(24 * time.Hour)
	assert.Equal(t, multiline.DeliveryReport{}, w.deliverPending())
	for _, name := range []string{"a", "b", "c"} {
		assert.Equal(t, 1, w.sends(keys[name]), name)
		assert.Equal(t, invite.Sent, w.message(ids[name]).State, name)
	}
	assert.Equal(t, 2, w.sends(keys["bad"]))
	assert.Equal(t, invite.Sent, w.message(ids["bad"]).State)
}

// testOneFirstAttemptTrouble: the store cannot record the first, successful
// attempt at one invitation of an import (its swap fails, and with it the
// group's). Each outcome is then recorded alone: the others are Sent, and
// that one stays Queued, leased, until DeliverPending sends it again once
// the lease runs out, with the same idempotency key.
func testOneFirstAttemptTrouble(t *testing.T, newStore func(*testing.T) multiline.Store) {
	var ts *troubleStore
	w := newWorld(t, func(t *testing.T) multiline.Store {
		ts = &troubleStore{Store: newStore(t)}
		return ts
	})
	const bad = "bad@acme.example"
	ts.setFail(func(m invite.Message) bool { return m.To == bad && m.State == invite.Sent })
	emails := []string{"a@acme.example", bad, "b@acme.example"}
	w.importInvite(emails)

	ms := w.invitationsByTo()
	require.Len(t, ms, len(emails))
	for _, e := range emails {
		assert.Equal(t, 1, w.sends(ms[e].IdempotencyKey), "%s is sent once", e)
		if e == bad {
			assert.Equal(t, invite.Queued, ms[e].State, "the outcome that could not be recorded")
			assert.Equal(t, 0, ms[e].Attempts)
			continue
		}
		assert.Equal(t, invite.Sent, ms[e].State, e)
	}

	ts.setFail(nil)
	w.advance(2 * time.Hour)
	assert.Equal(t, multiline.DeliveryReport{Sent: 1}, w.deliverPending())
	ms = w.invitationsByTo()
	assert.Equal(t, invite.Sent, ms[bad].State)
	assert.Equal(t, 2, w.sends(ms[bad].IdempotencyKey), "sent again after its lease, under its key")
	for _, e := range []string{emails[0], emails[2]} {
		assert.Equal(t, 1, w.sends(ms[e].IdempotencyKey), e)
	}
}

package multiline_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

var ctx = context.Background()

// snapshot counts what a failed operation must not have changed.
type snapshot struct {
	accounts, audit, messages int
	numbers                   map[string]numberpool.State
}

func (f *fixture) snapshot(t *testing.T) snapshot {
	t.Helper()
	s := snapshot{numbers: map[string]numberpool.State{}}
	orgs := []org.ID{f.acme.Org.ID, f.sales.ID, f.support.ID, f.globex.Org.ID}
	require.NoError(t, f.store.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		for _, o := range orgs {
			as, _, err := tx.ListAccounts(ctx, o, multiline.Page{Limit: multiline.MaxPageSize})
			require.NoError(t, err)
			s.accounts += len(as)
			ns, _, err := tx.ListNumbers(ctx, o, multiline.Page{Limit: multiline.MaxPageSize})
			require.NoError(t, err)
			for _, n := range ns {
				s.numbers[n.E164] = n.State
			}
			ms, _, err := tx.Messages(ctx, o, multiline.Page{Limit: multiline.MaxPageSize})
			require.NoError(t, err)
			s.messages += len(ms)
		}
		ev, _, err := tx.ListAudit(ctx, orgs, multiline.Page{Limit: multiline.MaxPageSize})
		require.NoError(t, err)
		s.audit = len(ev)
		return nil
	}))
	return s
}

func TestSaveRules(t *testing.T) {
	type tc struct {
		name   string
		setup  func(t *testing.T, f *fixture)
		actor  func(f *fixture) permissions.AdminID
		org    func(f *fixture) org.ID
		in     account.Input
		invite *multiline.InviteOptions
		wantIs []error
		codes  []string // the field error codes, in order
	}
	sales := func(f *fixture) org.ID { return f.sales.ID }
	salesAdmin := func(f *fixture) permissions.AdminID { return f.salesAdmin }
	with := func(mod func(*account.Input)) account.Input {
		in := input("u1")
		mod(&in)
		return in
	}
	cases := []tc{
		{name: "ok plain save", in: input("u1")},
		{name: "ok number of the org", setup: func(t *testing.T, f *fixture) { f.numbers(t, f.sales.ID, nums("+14155550101")...) },
			in: with(func(in *account.Input) { in.AssignNumber = "+1 (415) 555-0101" })},
		{name: "number of another org", setup: func(t *testing.T, f *fixture) { f.numbers(t, f.support.ID, nums("+14155550101")...) },
			in: with(func(in *account.Input) { in.AssignNumber = "+14155550101" }), wantIs: []error{numberpool.ErrNotAvailable}, codes: []string{"assign_number.not_available"}},
		{name: "number of nobody", in: with(func(in *account.Input) { in.AssignNumber = "+14155550199" }),
			wantIs: []error{numberpool.ErrNotAvailable}, codes: []string{"assign_number.not_available"}},
		{name: "number held already", setup: func(t *testing.T, f *fixture) {
			f.numbers(t, f.sales.ID, nums("+14155550101")...)
			in := input("first")
			in.AssignNumber = "+14155550101"
			_, err := f.svc.Save(ctx, f.salesAdmin, f.sales.ID, in)
			require.NoError(t, err)
		}, in: with(func(in *account.Input) { in.AssignNumber = "+14155550101" }), wantIs: []error{numberpool.ErrNotAvailable}, codes: []string{"assign_number.not_available"}},
		{name: "tag exhausted", setup: func(t *testing.T, f *fixture) {
			f.numbers(t, f.sales.ID, multiline.NumberInput{Number: "+14155550101", Tag: "VIP"})
		},
			in: with(func(in *account.Input) { in.AssignNumber = "PORTED" }), wantIs: []error{numberpool.ErrNotEnoughNumbers}, codes: []string{"assign_number.tag_exhausted"}},
		{name: "username taken in another org", setup: func(t *testing.T, f *fixture) {
			_, err := f.svc.Save(ctx, f.root, f.support.ID, input("u1"))
			require.NoError(t, err)
		}, in: with(func(in *account.Input) { in.AccountID = "other"; in.Email = "U1@ACME.example" }), wantIs: []error{mlerr.ErrAlreadyExists}, codes: []string{"username.exists"}},
		{name: "account id taken in the org", setup: func(t *testing.T, f *fixture) {
			_, err := f.svc.Save(ctx, f.root, f.sales.ID, input("u1"))
			require.NoError(t, err)
		}, in: with(func(in *account.Input) { in.Email = "new@acme.example" }), wantIs: []error{mlerr.ErrAlreadyExists}, codes: []string{"account_id.exists"}},
		{name: "account id of another org is fine", setup: func(t *testing.T, f *fixture) {
			_, err := f.svc.Save(ctx, f.root, f.support.ID, input("u1"))
			require.NoError(t, err)
		}, in: with(func(in *account.Input) { in.Email = "new@acme.example" })},
		{name: "feature not enabled", in: with(func(in *account.Input) { in.Features = []org.Feature{org.FeatureTeamsCalling} }),
			wantIs: []error{mlerr.ErrInvalid}, codes: []string{"features.not_enabled"}},
		{name: "feature enabled by parent", setup: func(t *testing.T, f *fixture) {
			_, err := f.svc.UpdateOrgSettings(ctx, f.root, f.acme.Org.ID, org.Settings{Features: org.Set([]org.Feature{org.FeatureTeamsCalling})})
			require.NoError(t, err)
		}, in: with(func(in *account.Input) { in.Features = []org.Feature{org.FeatureTeamsCalling} })},
		{name: "email domain restricted", setup: func(t *testing.T, f *fixture) {
			_, err := f.svc.UpdateOrgSettings(ctx, f.root, f.sales.ID, org.Settings{EmailDomains: org.Set([]string{"@sales.example"})})
			require.NoError(t, err)
		}, in: input("u1"), wantIs: []error{mlerr.ErrInvalid}, codes: []string{"email.domain_not_allowed"}},
		{name: "smtp offload needs email", setup: func(t *testing.T, f *fixture) {
			_, err := f.svc.UpdateOrgSettings(ctx, f.root, f.sales.ID, org.Settings{SMTPDataOffload: org.Set(true)})
			require.NoError(t, err)
		}, in: with(func(in *account.Input) { in.Email = ""; in.Device = "+14155550123" }), wantIs: []error{mlerr.ErrInvalid}, codes: []string{"email.required_smtp_offload"}},
		{name: "profile of a sibling org", setup: func(t *testing.T, f *fixture) {}, in: with(func(in *account.Input) { in.Profile = "nope" }),
			wantIs: []error{mlerr.ErrInvalid}, codes: []string{"user_permissions.not_visible"}},
		{name: "sms invite without consent", in: with(func(in *account.Input) { in.Email = ""; in.Device = "+14155550123" }),
			setup:  func(t *testing.T, f *fixture) { f.numbers(t, f.sales.ID, nums("+14155550101")...) },
			invite: &multiline.InviteOptions{}, wantIs: []error{invite.ErrConsentRequired}},
		{name: "invite without numbers", in: input("u1"), invite: &multiline.InviteOptions{}, wantIs: []error{numberpool.ErrNotEnoughNumbers}},
		{name: "reports privilege only", actor: func(f *fixture) permissions.AdminID { return f.salesReports }, in: input("u1"), wantIs: []error{permissions.ErrForbidden}},
		{name: "sibling org admin", actor: func(f *fixture) permissions.AdminID { return f.supportAdmin }, in: input("u1"), wantIs: []error{permissions.ErrForbidden}},
		{name: "other tenant admin", actor: func(f *fixture) permissions.AdminID { return f.globexAdmin }, in: input("u1"), wantIs: []error{permissions.ErrForbidden}},
		{name: "unknown admin", actor: func(f *fixture) permissions.AdminID { return "ghost" }, in: input("u1"), wantIs: []error{permissions.ErrForbidden}},
		{name: "parent admin covers sub-org", actor: func(f *fixture) permissions.AdminID { return f.root }, in: input("u1")},
		{name: "unknown org", org: func(f *fixture) org.ID { return "nowhere" }, in: input("u1"), wantIs: []error{permissions.ErrForbidden}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			if c.setup != nil {
				c.setup(t, f)
			}
			actor, o := salesAdmin(f), sales(f)
			if c.actor != nil {
				actor = c.actor(f)
			}
			if c.org != nil {
				o = c.org(f)
			}
			before := f.snapshot(t)
			var a account.Account
			var err error
			if c.invite != nil {
				var res multiline.Invited
				res, err = f.svc.SaveAndInvite(ctx, actor, o, c.in, *c.invite)
				a = res.Account
			} else {
				a, err = f.svc.Save(ctx, actor, o, c.in)
			}
			if len(c.wantIs) == 0 {
				require.NoError(t, err)
				assert.Equal(t, account.NotInvited, a.Status)
				assert.Equal(t, o, a.OrgID)
				got, err := f.svc.Account(ctx, actor, a.ID)
				require.NoError(t, err)
				assert.Equal(t, a, got)
				return
			}
			require.Error(t, err)
			for _, w := range c.wantIs {
				assert.ErrorIs(t, err, w)
			}
			var codes []string
			for _, fe := range mlerr.Fields(err) {
				codes = append(codes, fe.Code)
			}
			assert.Equal(t, c.codes, codes)
			assert.Equal(t, before, f.snapshot(t), "a refused operation changes nothing")
			assert.Empty(t, f.outbox.Messages())
		})
	}
}

func TestForbiddenLeaksNothing(t *testing.T) {
	f := newFixture(t)
	a, err := f.svc.Save(ctx, f.salesAdmin, f.sales.ID, input("u1"))
	require.NoError(t, err)

	// An org of another tenant and an org that does not exist: same answer.
	_, errExisting := f.svc.ListAccounts(ctx, f.salesAdmin, f.globex.Org.ID, multiline.Page{})
	_, errMissing := f.svc.ListAccounts(ctx, f.salesAdmin, "no-such-org", multiline.Page{})
	require.ErrorIs(t, errExisting, permissions.ErrForbidden)
	assert.Equal(t, errExisting.Error(), errMissing.Error())

	// An account of an org the admin does not cover and one that does not
	// exist: both not found, with messages of the same shape.
	_, errOther := f.svc.Account(ctx, f.supportAdmin, a.ID)
	_, errNone := f.svc.Account(ctx, f.supportAdmin, "00000000-0000-7000-8000-000000000000")
	require.ErrorIs(t, errOther, mlerr.ErrNotFound)
	require.ErrorIs(t, errNone, mlerr.ErrNotFound)
	assert.NotErrorIs(t, errOther, permissions.ErrForbidden)
	_, _, errInv := f.svc.Invitation(ctx, f.globexAdmin, a.ID)
	require.ErrorIs(t, errInv, mlerr.ErrNotFound)
}

func TestSaveAndInviteDelivery(t *testing.T) {
	f := newFixture(t)
	f.numbers(t, f.sales.ID, nums("+14155550101", "+14155550102")...)
	res, err := f.svc.SaveAndInvite(ctx, f.salesAdmin, f.sales.ID, input("u1"), multiline.InviteOptions{})
	require.NoError(t, err)
	assert.Equal(t, account.Invited, res.Account.Status)
	assert.Equal(t, invite.Sent, res.Delivery.State)
	assert.Equal(t, invite.Email, res.Invitation.Channel)
	assert.Equal(t, f.clock.Now().Add(7*24*time.Hour), res.Invitation.ExpiresAt)
	assert.Empty(t, res.Invitation.Consent)

	msgs := f.outbox.Messages()
	require.Len(t, msgs, 1)
	m := msgs[0]
	assert.Equal(t, "u1@acme.example", m.To)
	assert.Equal(t, invite.IdempotencyKey(res.Invitation.ID, 1), m.IdempotencyKey)
	require.NotEmpty(t, m.Secret)
	assert.Contains(t, m.Text, m.Secret, "the link carries the token")
	tok, err := invite.ParseToken(m.Secret)
	require.NoError(t, err)
	assert.Empty(t, res.Invitation.TokenHash, "callers never get the hash")
	require.NoError(t, f.store.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		stored, err := tx.Invitation(ctx, res.Account.ID)
		require.NoError(t, err)
		assert.True(t, stored.Verify(tok), "the stored hash is the token's")
		return nil
	}))

	// Once sent, the outbox keeps no usable link.
	require.NoError(t, f.store.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		stored, err := tx.Message(ctx, m.ID)
		require.NoError(t, err)
		assert.Equal(t, invite.Sent, stored.State)
		assert.Empty(t, stored.Secret)
		assert.Empty(t, stored.Text, "the delivered body is dropped")
		assert.Empty(t, stored.HTML)
		assert.Equal(t, m.Subject, stored.Subject)
		return nil
	}))
}

func TestDeliveryFailureRetriesAndShowsInvitationFailed(t *testing.T) {
	f := newFixture(t, multiline.WithDeliveryPolicy(multiline.DeliveryPolicy{MaxAttempts: 3, Backoff: time.Minute, MaxBackoff: 4 * time.Minute, Lease: 30 * time.Second}))
	f.numbers(t, f.sales.ID, nums("+14155550101")...)
	f.outbox.Fail(errors.New("421 mail server down"))

	res, err := f.svc.SaveAndInvite(ctx, f.salesAdmin, f.sales.ID, input("u1"), multiline.InviteOptions{})
	require.NoError(t, err, "a failed delivery does not fail the operation")
	assert.Equal(t, account.Invited, res.Account.Status)
	assert.Equal(t, invite.Failed, res.Delivery.State)
	assert.Equal(t, 1, res.Delivery.Attempts)
	assert.Contains(t, res.Delivery.LastError, "mail server down")

	// Not due yet: nothing happens.
	rep, err := f.svc.DeliverPending(ctx)
	require.NoError(t, err)
	assert.Equal(t, multiline.DeliveryReport{}, rep)

	// Backoff 1m, then 2m, each plus a jitter of up to half of it: attempts
	// 2 and 3 fail; the third makes the account show Invitation Failed.
	for i, wait := range []time.Duration{time.Minute, 2 * time.Minute} {
		f.clock.Advance(wait + wait/2)
		rep, err = f.svc.DeliverPending(ctx)
		require.NoError(t, err)
		assert.Equal(t, multiline.DeliveryReport{Failed: 1}, rep, "attempt %d", i+2)
	}
	a, err := f.svc.Account(ctx, f.salesAdmin, res.Account.ID)
	require.NoError(t, err)
	assert.Equal(t, account.InvitationFailed, a.Status)
	_, d, err := f.svc.Invitation(ctx, f.salesAdmin, a.ID)
	require.NoError(t, err)
	assert.Equal(t, 3, d.Attempts)
	assert.Equal(t, invite.Failed, d.State)

	// The server comes back: the next due retry succeeds and the account is
	// Invited again.
	f.outbox.Fail(nil)
	f.clock.Advance(6 * time.Minute)
	rep, err = f.svc.DeliverPending(ctx)
	require.NoError(t, err)
	assert.Equal(t, multiline.DeliveryReport{Sent: 1}, rep)
	a, err = f.svc.Account(ctx, f.salesAdmin, res.Account.ID)
	require.NoError(t, err)
	assert.Equal(t, account.Invited, a.Status)
	assert.Len(t, f.outbox.Messages(), 1)
}

// crashStore cancels the caller's context right after the first
// transaction commits: the process "dies" between commit and send.
type crashStore struct {
	multiline.Store
	cancel context.CancelFunc
	once   sync.Once
}

func (c *crashStore) Tx(ctx context.Context, fn func(context.Context, multiline.Tx) error) error {
	err := c.Store.Tx(ctx, fn)
	c.once.Do(c.cancel)
	return err
}

func TestQueuedMessageSurvivesCrashBetweenCommitAndSend(t *testing.T) {
	f := newFixture(t)
	f.numbers(t, f.sales.ID, nums("+14155550101")...)
	cctx, cancel := context.WithCancel(ctx)
	crashing, err := multiline.New(&crashStore{Store: f.store, cancel: cancel}, multiline.WithNotifier(f.outbox), multiline.WithClock(f.clock.Now), multiline.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)

	res, err := crashing.SaveAndInvite(cctx, f.salesAdmin, f.sales.ID, input("u1"), multiline.InviteOptions{})
	require.NoError(t, err)
	assert.Equal(t, invite.Queued, res.Delivery.State)
	assert.Empty(t, f.outbox.Messages(), "nothing was sent")

	// The message is leased to the call that queued it: another instance
	// leaves it alone until the lease runs out, then picks it up.
	rep, err := f.svc.DeliverPending(ctx)
	require.NoError(t, err)
	assert.Equal(t, multiline.DeliveryReport{}, rep, "taken while the queuing call held its lease")
	f.clock.Advance(multiline.DefaultDeliveryPolicy.Lease)
	rep, err = f.svc.DeliverPending(ctx)
	require.NoError(t, err)
	assert.Equal(t, multiline.DeliveryReport{Sent: 1}, rep)
	require.Len(t, f.outbox.Messages(), 1)
	sent := f.outbox.Messages()[0]
	assert.Equal(t, "u1@acme.example", sent.To)
	assert.Contains(t, sent.Text, "https://multiline.example/activate/"+sent.Secret, "the body, not stored, is rendered again")
}

func TestCapacityInvariant(t *testing.T) {
	f := newFixture(t)
	f.numbers(t, f.sales.ID, nums("+14155550101", "+14155550102")...)
	// Two pending invitations without a number use up both Available numbers.
	for _, id := range []string{"a", "b"} {
		_, err := f.svc.SaveAndInvite(ctx, f.salesAdmin, f.sales.ID, input(id), multiline.InviteOptions{})
		require.NoError(t, err)
	}
	// Taking one of them for a saved account would leave a pending
	// invitation without a number to pick: refused.
	in := input("c")
	in.AssignNumber = "+14155550101"
	_, err := f.svc.Save(ctx, f.salesAdmin, f.sales.ID, in)
	require.ErrorIs(t, err, numberpool.ErrNotEnoughNumbers)
	// Allocating one away from the org is refused the same way.
	require.ErrorIs(t, f.svc.WithdrawNumbers(ctx, f.root, f.sales.ID, []string{"+14155550102"}), numberpool.ErrNotEnoughNumbers)
	// A plain Save without a number is not an invitation: fine.
	_, err = f.svc.Save(ctx, f.salesAdmin, f.sales.ID, input("d"))
	require.NoError(t, err)
}

func TestConcurrentInvitesKeepCapacity(t *testing.T) {
	f := newFixture(t)
	const avail, tries = 5, 40
	var ns []string
	for i := range avail {
		ns = append(ns, fmt.Sprintf("+1415555%04d", 101+i))
	}
	f.numbers(t, f.sales.ID, nums(ns...)...)
	var ok, refused atomic.Int32
	var wg sync.WaitGroup
	for i := range tries {
		wg.Go(func() {
			in := input(fmt.Sprintf("u%d", i))
			if i%2 == 0 {
				in.AssignNumber = ns[i%avail] // half race for explicit numbers
			}
			_, err := f.svc.SaveAndInvite(ctx, f.salesAdmin, f.sales.ID, in, multiline.InviteOptions{})
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, numberpool.ErrNotEnoughNumbers), errors.Is(err, numberpool.ErrNotAvailable):
				refused.Add(1)
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int32(avail), ok.Load(), "every Available number serves exactly one invitation")
	assert.Equal(t, int32(tries-avail), refused.Load())
	holders := map[string]int{}
	l, err := f.svc.ListAccounts(ctx, f.salesAdmin, f.sales.ID, multiline.Page{Limit: 100})
	require.NoError(t, err)
	for _, a := range l.Items {
		if a.Number != "" {
			holders[a.Number]++
		}
	}
	for n, c := range holders {
		assert.Equal(t, 1, c, "number %s", n)
	}
}

func TestPagination(t *testing.T) {
	f := newFixture(t)
	var want []string
	for i := range 7 {
		id := fmt.Sprintf("u%d", i)
		_, err := f.svc.Save(ctx, f.salesAdmin, f.sales.ID, input(id))
		require.NoError(t, err)
		want = append(want, id)
	}
	var got []string
	p := multiline.Page{Limit: 3}
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10)
		l, err := f.svc.ListAccounts(ctx, f.salesAdmin, f.sales.ID, p)
		require.NoError(t, err)
		require.LessOrEqual(t, len(l.Items), 3)
		for _, a := range l.Items {
			got = append(got, a.AccountID)
		}
		if l.Next == "" {
			break
		}
		p.After = l.Next
	}
	assert.Equal(t, want, got, "every account once, oldest first")
}

func TestDirectoryRules(t *testing.T) {
	f := newFixture(t)
	// Nobody grants what they do not hold.
	_, err := f.svc.CreateAdmin(ctx, f.salesAdmin, multiline.AdminInput{Name: "x", Email: "x@acme.example",
		Roles: []permissions.Role{{Privileges: []permissions.Privilege{permissions.Accounts}, Orgs: []org.ID{f.sales.ID}}}})
	require.ErrorIs(t, err, permissions.ErrForbidden, "Accounts alone cannot create administrators")
	// Numbers enter at the root only.
	_, err = f.svc.AddNumbers(ctx, f.root, f.sales.ID, nums("+14155550101"))
	require.ErrorIs(t, err, mlerr.ErrInvalid)
	// Bad numbers are all reported, and none is added.
	_, err = f.svc.AddNumbers(ctx, f.root, f.acme.Org.ID, nums("+14155550101", "bogus", "+14155550101", "1.41556E+10"))
	assert.Len(t, mlerr.Fields(err), 3)
	l, err := f.svc.ListNumbers(ctx, f.root, f.acme.Org.ID, multiline.Page{})
	require.NoError(t, err)
	assert.Empty(t, l.Items)
	// A number already in any pool cannot be added again, even by another tenant.
	f.numbers(t, f.acme.Org.ID, nums("+14155550101")...)
	_, err = f.svc.AddNumbers(ctx, f.globexAdmin, f.globex.Org.ID, nums("+14155550101"))
	require.ErrorIs(t, err, mlerr.ErrAlreadyExists)
	// Allocation only to a direct child, and withdrawal back to the parent.
	require.NoError(t, f.svc.AllocateNumbers(ctx, f.root, f.acme.Org.ID, f.sales.ID, []string{"+14155550101"}))
	require.ErrorIs(t, f.svc.AllocateNumbers(ctx, f.root, f.acme.Org.ID, f.support.ID, []string{"+14155550101"}), numberpool.ErrNotAvailable)
	require.NoError(t, f.svc.WithdrawNumbers(ctx, f.root, f.sales.ID, []string{"+14155550101"}))
	l, err = f.svc.ListNumbers(ctx, f.root, f.acme.Org.ID, multiline.Page{})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	assert.Equal(t, f.acme.Org.ID, l.Items[0].OrgID)
	// A second default profile on one org is refused.
	_, err = f.svc.CreateProfile(ctx, f.root, f.acme.Org.ID, multiline.ProfileInput{Name: "Other", Default: true})
	require.ErrorIs(t, err, mlerr.ErrAlreadyExists)
}

func TestProfiles(t *testing.T) {
	f := newFixture(t)
	salesDefault, err := f.svc.CreateProfile(ctx, f.root, f.sales.ID, multiline.ProfileInput{Name: "Sales CoS", Default: true})
	require.NoError(t, err)
	supportOnly, err := f.svc.CreateProfile(ctx, f.root, f.support.ID, multiline.ProfileInput{Name: "Support CoS"})
	require.NoError(t, err)
	a, err := f.svc.Save(ctx, f.salesAdmin, f.sales.ID, input("u1"))
	require.NoError(t, err)
	assert.Equal(t, salesDefault.ID, a.ProfileID, "the sub-org's own default overrides the inherited one")
	b, err := f.svc.Save(ctx, f.supportAdmin, f.support.ID, input("u2"))
	require.NoError(t, err)
	assert.Equal(t, f.acme.Profile.ID, b.ProfileID, "the root's default is inherited")
	in := input("u3")
	in.Profile = supportOnly.ID
	_, err = f.svc.Save(ctx, f.salesAdmin, f.sales.ID, in)
	require.ErrorIs(t, err, mlerr.ErrInvalid, "a sibling's profile is not visible")
	in.Profile = f.acme.Profile.ID
	c, err := f.svc.Save(ctx, f.salesAdmin, f.sales.ID, in)
	require.NoError(t, err)
	assert.Equal(t, f.acme.Profile.ID, c.ProfileID, "an ancestor's profile is visible")
}

func TestEveryChangeIsAudited(t *testing.T) {
	f := newFixture(t)
	f.numbers(t, f.sales.ID, nums("+14155550101")...)
	in := input("u1")
	in.AssignNumber = "+14155550101"
	res, err := f.svc.SaveAndInvite(ctx, f.salesAdmin, f.sales.ID, in, multiline.InviteOptions{})
	require.NoError(t, err)
	var actions []string
	require.NoError(t, f.store.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		ev, _, err := tx.ListAudit(ctx, []org.ID{f.sales.ID}, multiline.Page{Limit: 10})
		require.NoError(t, err)
		for _, e := range ev {
			if e.Subject == string(res.Account.ID) || e.Subject == "+14155550101" || e.Subject == string(res.Invitation.Message) {
				actions = append(actions, e.Action)
				switch e.Action {
				case "number.transferred":
					assert.Equal(t, f.root, e.Actor)
				default:
					assert.Equal(t, f.salesAdmin, e.Actor)
				}
				assert.NotContains(t, string(e.After), "TokenHash")
			}
		}
		return nil
	}))
	// Newest first. The delivery is not audited: its record is the
	// message's own (Sent).
	assert.Equal(t, []string{"invitation.created", "number.assigned", "account.created", "number.transferred"}, actions)
}

func BenchmarkSaveAndInvite(b *testing.B) {
	f := newFixture(b)
	var ns []multiline.NumberInput
	for i := range b.N {
		ns = append(ns, multiline.NumberInput{Number: fmt.Sprintf("+1415%07d", 2000000+i)})
	}
	_, err := f.svc.AddNumbers(ctx, f.root, f.acme.Org.ID, ns)
	require.NoError(b, err)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := f.svc.SaveAndInvite(ctx, f.root, f.acme.Org.ID, input(fmt.Sprintf("b%d", i)), multiline.InviteOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

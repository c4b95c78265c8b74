package multiline_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
)

func ptr[T any](v T) *T { return &v }

// events returns the audit events of o with the given action, oldest first.
func (f *fixture) events(t *testing.T, o org.ID, action string) []multiline.AuditEvent {
	t.Helper()
	l, err := f.svc.ListAudit(ctx, f.root, o, multiline.Page{Limit: multiline.MaxPageSize})
	require.NoError(t, err)
	var out []multiline.AuditEvent
	for i := len(l.Items) - 1; i >= 0; i-- {
		if l.Items[i].Action == action {
			out = append(out, l.Items[i])
		}
	}
	return out
}

func (f *fixture) number(t *testing.T, o org.ID, e164 string) numberpool.Number {
	t.Helper()
	l, err := f.svc.ListNumbers(ctx, f.root, o, multiline.Page{Limit: multiline.MaxPageSize})
	require.NoError(t, err)
	for _, n := range l.Items {
		if n.E164 == e164 {
			return n
		}
	}
	t.Fatalf("no number %s", e164)
	return numberpool.Number{}
}

func TestEditAccountFields(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.UpdateOrgSettings(ctx, f.root, f.sales.ID, org.Settings{Features: org.Set([]org.Feature{org.FeatureCallRecording})})
	require.NoError(t, err)
	a, err := f.svc.Save(ctx, f.salesAdmin, f.sales.ID, input("u1"))
	require.NoError(t, err)

	got, err := f.svc.EditAccount(ctx, f.salesAdmin, a.ID, multiline.AccountEdit{
		FirstName: ptr("  Grace "), LastName: ptr("Hopper"), AccountID: ptr("ghopper"),
		Forwarding: ptr("+44 20 7946 0958"), Language: ptr("Italian"),
		Features: ptr([]org.Feature{org.FeatureCallRecording}),
	})
	require.NoError(t, err)
	want := a
	want.FirstName, want.LastName, want.AccountID = "Grace", "Hopper", "ghopper"
	want.Forwarding, want.Language, want.Features = "+442079460958", "it", []org.Feature{org.FeatureCallRecording}
	want.Updated = got.Updated
	assert.Equal(t, want, got)
	stored, err := f.svc.Account(ctx, f.salesAdmin, a.ID)
	require.NoError(t, err)
	assert.Equal(t, got, stored)

	ev := f.events(t, f.sales.ID, "account.edited")
	require.Len(t, ev, 1, "one audit event per edit")
	var before, after map[string]any
	require.NoError(t, json.Unmarshal(ev[0].Before, &before))
	require.NoError(t, json.Unmarshal(ev[0].After, &after))
	assert.Equal(t, "User", before["FirstName"])
	assert.Equal(t, "Grace", after["FirstName"])
	assert.Equal(t, f.salesAdmin, ev[0].Actor)

	// An edit that changes nothing writes nothing.
	same, err := f.svc.EditAccount(ctx, f.salesAdmin, a.ID, multiline.AccountEdit{FirstName: ptr("Grace")})
	require.NoError(t, err)
	assert.Equal(t, got, same)
	assert.Len(t, f.events(t, f.sales.ID, "account.edited"), 1)
}

func TestEditAccountRefusals(t *testing.T) {
	f := newFixture(t)
	a, err := f.svc.Save(ctx, f.salesAdmin, f.sales.ID, input("u1"))
	require.NoError(t, err)
	_, err = f.svc.Save(ctx, f.salesAdmin, f.sales.ID, input("u2"))
	require.NoError(t, err)
	globexProfile := f.globex.Profile.ID
	cases := []struct {
		name  string
		edit  multiline.AccountEdit
		codes []string
	}{
		{"every field error at once", multiline.AccountEdit{
			FirstName: ptr("Line\nbreak"), Forwarding: ptr("12"), Language: ptr("Klingon"),
			Applications: ptr([]org.Application{}), Profile: &globexProfile,
		}, []string{"first_name.control_character", account.CodeApplicationsRequired, account.CodeProfileNotVisible, account.CodeForwardingLength, account.CodeLanguageUnknown}},
		{"a destination is required", multiline.AccountEdit{Email: ptr(""), Device: ptr("")}, []string{account.CodeDestinationRequired}},
		{"feature not enabled", multiline.AccountEdit{Features: ptr([]org.Feature{org.FeatureTeamsCalling})}, []string{account.CodeFeatureNotEnabled}},
		{"account id taken", multiline.AccountEdit{AccountID: ptr("u2")}, []string{account.CodeAccountIDExists}},
		{"username taken", multiline.AccountEdit{Email: ptr("U2@acme.example")}, []string{account.CodeUsernameExists}},
		{"number not in the pool", multiline.AccountEdit{Number: ptr("+14155550999")}, []string{account.CodeAssignNotAvailable}},
		{"number that is no number", multiline.AccountEdit{Number: ptr("12")}, []string{account.CodeAssignFormat}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := f.snapshot(t)
			_, err := f.svc.EditAccount(ctx, f.salesAdmin, a.ID, c.edit)
			require.Error(t, err)
			var codes []string
			for _, fe := range mlerr.Fields(err) {
				codes = append(codes, fe.Code)
			}
			assert.ElementsMatch(t, c.codes, codes)
			assert.Equal(t, c.codes[0] != "", mlerr.CodeOf(err) != "")
			assert.Equal(t, before, f.snapshot(t), "a refused edit changes nothing")
			got, err := f.svc.Account(ctx, f.salesAdmin, a.ID)
			require.NoError(t, err)
			assert.Equal(t, a, got)
		})
	}
}

func TestEditDestinationWithdrawsInvitation(t *testing.T) {
	f := newFixture(t)
	f.numbers(t, f.sales.ID, nums("+14155550101")...)
	res, err := f.svc.SaveAndInvite(ctx, f.salesAdmin, f.sales.ID, input("u1"), multiline.InviteOptions{})
	require.NoError(t, err)
	old := f.lastToken(t, "u1@acme.example")
	require.Equal(t, 1, f.capacity(t, f.sales.ID).Pending)

	got, err := f.svc.EditAccount(ctx, f.salesAdmin, res.Account.ID, multiline.AccountEdit{Email: ptr("New@Acme.example")})
	require.NoError(t, err)
	assert.Equal(t, account.NotInvited, got.Status)
	assert.Equal(t, "new@acme.example", got.Username)
	assert.Equal(t, 0, f.capacity(t, f.sales.ID).Pending, "no longer a pending invitation")
	inv, _, err := f.svc.Invitation(ctx, f.salesAdmin, res.Account.ID)
	require.NoError(t, err)
	assert.Equal(t, invite.Withdrawn, inv.State)
	_, err = f.svc.Activate(ctx, old, "+14155550101")
	require.ErrorIs(t, err, invite.ErrTokenWithdrawn)
	assert.Equal(t, "invitation.withdrawn", mlerr.CodeOf(err))
	assert.Len(t, f.events(t, f.sales.ID, "invitation.withdrawn"), 1)

	// The old username is free again; the account is invited anew at the
	// new address, and activates with the new link only.
	reuse := input("u9")
	reuse.Email = "u1@acme.example"
	_, err = f.svc.Save(ctx, f.salesAdmin, f.sales.ID, reuse)
	require.NoError(t, err)
	rs, err := f.svc.Resend(ctx, f.salesAdmin, []account.ID{res.Account.ID}, multiline.InviteOptions{})
	require.NoError(t, err)
	assert.Equal(t, account.Invited, rs[0].Account.Status)
	assert.Equal(t, "New@Acme.example", rs[0].Invitation.Destination)
	_, err = f.svc.Activate(ctx, old, "+14155550101")
	require.ErrorIs(t, err, invite.ErrTokenRotated)
	act, err := f.svc.Activate(ctx, f.lastToken(t, "New@Acme.example"), "+14155550101")
	require.NoError(t, err)
	assert.Equal(t, account.Activated, act.Account.Status)
}

func TestEditWithdrawCancelsQueuedMessage(t *testing.T) {
	f := newFixture(t)
	f.numbers(t, f.sales.ID, nums("+14155550101")...)
	f.outbox.Fail(errors.New("mail server down"))
	res, err := f.svc.SaveAndInvite(ctx, f.salesAdmin, f.sales.ID, input("u1"), multiline.InviteOptions{})
	require.NoError(t, err)
	require.Equal(t, invite.Failed, res.Delivery.State)
	_, err = f.svc.EditAccount(ctx, f.salesAdmin, res.Account.ID, multiline.AccountEdit{Email: ptr("new@acme.example")})
	require.NoError(t, err)
	_, d, err := f.svc.Invitation(ctx, f.salesAdmin, res.Account.ID)
	require.NoError(t, err)
	assert.Equal(t, invite.Cancelled, d.State, "the withdrawn invitation's message never goes out")
}

func TestEditNumber(t *testing.T) {
	f := newFixture(t)
	f.numbers(t, f.sales.ID, nums("+14155550101", "+14155550102")...)
	f.numbers(t, f.sales.ID, multiline.NumberInput{Number: "+14155550103", Tag: "PORTED"})
	a, err := f.svc.Save(ctx, f.salesAdmin, f.sales.ID, input("u1"))
	require.NoError(t, err)

	a, err = f.svc.EditAccount(ctx, f.salesAdmin, a.ID, multiline.AccountEdit{Number: ptr("+1 415 555 0101")})
	require.NoError(t, err)
	assert.Equal(t, "+14155550101", a.Number)
	assert.Equal(t, numberpool.Assigned, f.number(t, f.sales.ID, "+14155550101").State)

	a, err = f.svc.EditAccount(ctx, f.salesAdmin, a.ID, multiline.AccountEdit{Number: ptr("ported")})
	require.NoError(t, err)
	assert.Equal(t, "+14155550103", a.Number, "changed by tag")
	assert.Equal(t, numberpool.Available, f.number(t, f.sales.ID, "+14155550101").State, "the old number is released")

	a, err = f.svc.EditAccount(ctx, f.salesAdmin, a.ID, multiline.AccountEdit{Number: ptr("")})
	require.NoError(t, err)
	assert.Empty(t, a.Number)
	n := f.number(t, f.sales.ID, "+14155550103")
	assert.Equal(t, numberpool.Reserved, n.State, "released to where it came from")
	assert.Equal(t, "PORTED", n.Tag)
	assert.Len(t, f.events(t, f.sales.ID, "number.released"), 2)
}

func TestEditNumberKeepsCapacity(t *testing.T) {
	f := newFixture(t)
	f.numbers(t, f.sales.ID, nums("+14155550101", "+14155550102")...)
	f.numbers(t, f.sales.ID, multiline.NumberInput{Number: "+14155550103", Tag: "PORTED"})
	// One pending invitation without a number: one of the two Available
	// numbers is spoken for.
	_, err := f.svc.SaveAndInvite(ctx, f.salesAdmin, f.sales.ID, input("p1"), multiline.InviteOptions{})
	require.NoError(t, err)
	saved, err := f.svc.Save(ctx, f.salesAdmin, f.sales.ID, input("s1"))
	require.NoError(t, err)
	other, err := f.svc.Save(ctx, f.salesAdmin, f.sales.ID, input("s2"))
	require.NoError(t, err)
	_, err = f.svc.EditAccount(ctx, f.salesAdmin, saved.ID, multiline.AccountEdit{Number: ptr("+14155550101")})
	require.NoError(t, err)
	before := f.snapshot(t)
	_, err = f.svc.EditAccount(ctx, f.salesAdmin, other.ID, multiline.AccountEdit{Number: ptr("+14155550102")})
	require.ErrorIs(t, err, numberpool.ErrNotEnoughNumbers)
	assert.Equal(t, before, f.snapshot(t))
	// A Reserved number takes nothing from the Available ones.
	_, err = f.svc.EditAccount(ctx, f.salesAdmin, other.ID, multiline.AccountEdit{Number: ptr("PORTED")})
	require.NoError(t, err)
	requireInvariants(t, f.store, f.sales.ID)
}

// TestEditReleaseOfPendingInvitation: a pending invitation that gives its
// number back becomes one without a number, which needs an Available number
// of its own.
func TestEditReleaseOfPendingInvitation(t *testing.T) {
	f := newFixture(t)
	f.numbers(t, f.sales.ID, multiline.NumberInput{Number: "+14155550103", Tag: "PORTED"})
	in := input("p1")
	in.AssignNumber = "PORTED"
	res, err := f.svc.SaveAndInvite(ctx, f.salesAdmin, f.sales.ID, in, multiline.InviteOptions{})
	require.NoError(t, err)
	before := f.snapshot(t)
	_, err = f.svc.EditAccount(ctx, f.salesAdmin, res.Account.ID, multiline.AccountEdit{Number: ptr("")})
	require.ErrorIs(t, err, numberpool.ErrNotEnoughNumbers, "the number goes back to Reserved: no Available one is left for the invitation")
	assert.Equal(t, before, f.snapshot(t))

	f.numbers(t, f.sales.ID, nums("+14155550101")...)
	_, err = f.svc.EditAccount(ctx, f.salesAdmin, res.Account.ID, multiline.AccountEdit{Number: ptr("")})
	require.NoError(t, err)
	requireInvariants(t, f.store, f.sales.ID)
	assert.Equal(t, 1, f.capacity(t, f.sales.ID).Pending)
}

func TestEditActivatedAccount(t *testing.T) {
	f := newFixture(t)
	f.numbers(t, f.sales.ID, nums("+14155550101", "+14155550102")...)
	in := input("u1")
	in.Device = "+14155550199"
	res, err := f.svc.SaveAndInvite(ctx, f.salesAdmin, f.sales.ID, in, multiline.InviteOptions{})
	require.NoError(t, err)
	_, err = f.svc.Activate(ctx, f.lastToken(t, "u1@acme.example"), "+14155550101")
	require.NoError(t, err)

	before := f.snapshot(t)
	_, err = f.svc.EditAccount(ctx, f.salesAdmin, res.Account.ID, multiline.AccountEdit{
		Email: ptr("other@acme.example"), Device: ptr("+14155550198"), Number: ptr("+14155550102"), Language: ptr("Klingon"),
	})
	var codes []string
	for _, fe := range mlerr.Fields(err) {
		codes = append(codes, fe.Code)
	}
	assert.ElementsMatch(t, []string{account.CodeEmailActivated, account.CodeDeviceActivated, account.CodeNumberActivated, account.CodeLanguageUnknown}, codes)
	_, err = f.svc.EditAccount(ctx, f.salesAdmin, res.Account.ID, multiline.AccountEdit{Number: ptr("")})
	require.Equal(t, account.CodeNumberActivated, mlerr.CodeOf(err))
	assert.Equal(t, before, f.snapshot(t))

	// The same values, as a form sends them back, and the other fields.
	got, err := f.svc.EditAccount(ctx, f.salesAdmin, res.Account.ID, multiline.AccountEdit{
		Email: ptr("u1@acme.example"), Device: ptr("+1 415 555 0199"), Number: ptr("+14155550101"), FirstName: ptr("Ada"),
	})
	require.NoError(t, err)
	assert.Equal(t, "Ada", got.FirstName)
	assert.Equal(t, account.Activated, got.Status)
	assert.Equal(t, "+14155550101", got.Number)
}

// TestEditConcurrent races edits that take numbers, Account IDs and
// usernames against saves and an import that invite without a number: the capacity invariant and every
// unique key hold (run with -race).
func TestEditConcurrent(t *testing.T) {
	f := newFixture(t)
	const avail = 6
	var ns []string
	for i := range avail {
		ns = append(ns, fmt.Sprintf("+1415555%04d", 101+i))
	}
	f.numbers(t, f.sales.ID, nums(ns...)...)
	var saved []account.Account
	for i := range 10 {
		a, err := f.svc.Save(ctx, f.salesAdmin, f.sales.ID, input(fmt.Sprintf("s%d", i)))
		require.NoError(t, err)
		saved = append(saved, a)
	}
	var sameID, sameEmail atomic.Int32
	var wg sync.WaitGroup
	for i, a := range saved {
		wg.Go(func() {
			_, err := f.svc.EditAccount(ctx, f.salesAdmin, a.ID, multiline.AccountEdit{Number: ptr(ns[i%avail])})
			if err != nil && !errors.Is(err, numberpool.ErrNotEnoughNumbers) && !errors.Is(err, numberpool.ErrNotAvailable) {
				t.Error(err)
			}
		})
		wg.Go(func() {
			_, err := f.svc.SaveAndInvite(ctx, f.salesAdmin, f.sales.ID, input(fmt.Sprintf("p%d", i)), multiline.InviteOptions{})
			if err != nil && !errors.Is(err, numberpool.ErrNotEnoughNumbers) {
				t.Error(err)
			}
		})
		wg.Go(func() {
			_, err := f.svc.EditAccount(ctx, f.salesAdmin, a.ID, multiline.AccountEdit{AccountID: ptr("same")})
			if err == nil {
				sameID.Add(1)
			} else if mlerr.CodeOf(err) != account.CodeAccountIDExists {
				t.Error(err)
			}
		})
		wg.Go(func() {
			_, err := f.svc.EditAccount(ctx, f.salesAdmin, a.ID, multiline.AccountEdit{Email: ptr("same@acme.example")})
			if err == nil {
				sameEmail.Add(1)
			} else if mlerr.CodeOf(err) != account.CodeUsernameExists {
				t.Error(err)
			}
		})
	}
	wg.Go(func() {
		var rows []string
		for i := range 6 {
			rows = append(rows, fmt.Sprintf("Imp,%d,imp%d@acme.example,No,,auto,on,,", i, i))
		}
		_, err := f.svc.ImportBatch(ctx, f.salesAdmin, f.sales.ID, csvOf(rows...), multiline.BatchOptions{Mode: batch.ImportInvite})
		if err != nil {
			t.Error(err)
		}
	})
	wg.Wait()
	assert.Equal(t, int32(1), sameID.Load(), "one account takes the Account ID")
	assert.Equal(t, int32(1), sameEmail.Load(), "one account takes the username")
	requireInvariants(t, f.store, f.sales.ID)
}

// requireInvariants checks an organization's capacity invariant, that no
// number is held by two accounts, and that the numbers' states agree with
// the accounts that hold them.
func requireInvariants(t *testing.T, store multiline.Store, o org.ID) {
	t.Helper()
	require.NoError(t, store.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		c, err := tx.Capacity(ctx, o)
		require.NoError(t, err)
		assert.LessOrEqual(t, c.Pending, c.Available, "capacity invariant")
		as, _, err := tx.ListAccounts(ctx, o, multiline.Page{Limit: multiline.MaxPageSize})
		require.NoError(t, err)
		holders := map[string]account.ID{}
		pending := 0
		for _, a := range as {
			if (a.Status == account.Invited || a.Status == account.InvitationFailed) && a.Number == "" {
				pending++
			}
			if a.Number == "" {
				continue
			}
			_, dup := holders[a.Number]
			assert.False(t, dup, "number %s held twice", a.Number)
			holders[a.Number] = a.ID
		}
		assert.Equal(t, pending, c.Pending)
		ns, _, err := tx.ListNumbers(ctx, o, multiline.Page{Limit: multiline.MaxPageSize})
		require.NoError(t, err)
		avail := 0
		for _, n := range ns {
			if n.State == numberpool.Available {
				avail++
			}
			id, held := holders[n.E164]
			assert.Equal(t, held, n.State == numberpool.Assigned || n.State == numberpool.Registered, "number %s is %s", n.E164, n.State)
			if held {
				assert.Equal(t, string(id), n.AccountID)
			}
		}
		assert.Equal(t, avail, c.Available)
		return nil
	}))
}

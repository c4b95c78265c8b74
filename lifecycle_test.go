package multiline_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/notify"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/store/memory"
)

// lastToken is the token of the last message sent to `to`.
func (f *fixture) lastToken(t *testing.T, to string) string {
	t.Helper()
	ms := f.outbox.Messages()
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].To == to {
			require.NotEmpty(t, ms[i].Secret)
			return ms[i].Secret
		}
	}
	t.Fatalf("no message to %s", to)
	return ""
}

func TestInviteResendActivate(t *testing.T) {
	f := newFixture(t)
	f.numbers(t, f.sales.ID, nums("+14155550101", "+14155550102")...)
	in := input("u1")
	in.AssignNumber = "+14155550101"
	res, err := f.svc.SaveAndInvite(ctx, f.salesAdmin, f.sales.ID, in, multiline.InviteOptions{})
	require.NoError(t, err)
	first := f.lastToken(t, "u1@acme.example")

	rs, err := f.svc.Resend(ctx, f.salesAdmin, []account.ID{res.Account.ID}, multiline.InviteOptions{})
	require.NoError(t, err)
	require.Len(t, rs, 1)
	assert.Equal(t, 2, rs[0].Invitation.TokenVersion)
	assert.Equal(t, invite.Sent, rs[0].Delivery.State)
	second := f.lastToken(t, "u1@acme.example")
	require.NotEqual(t, first, second)
	assert.Equal(t, invite.IdempotencyKey(res.Invitation.ID, 2), f.outbox.Messages()[1].IdempotencyKey)

	// The old link died at once.
	_, err = f.svc.Activate(ctx, first, "")
	require.ErrorIs(t, err, invite.ErrTokenRotated)

	act, err := f.svc.Activate(ctx, second, "")
	require.NoError(t, err)
	assert.Equal(t, account.Activated, act.Account.Status)
	assert.Equal(t, "+14155550101", act.Number)
	l, err := f.svc.ListNumbers(ctx, f.salesAdmin, f.sales.ID, multiline.Page{})
	require.NoError(t, err)
	assert.Equal(t, numberpool.Registered, l.Items[0].State)

	// Used once; resend refused for an Activated account.
	_, err = f.svc.Activate(ctx, second, "")
	require.ErrorIs(t, err, invite.ErrTokenUsed)
	_, err = f.svc.Resend(ctx, f.salesAdmin, []account.ID{res.Account.ID}, multiline.InviteOptions{})
	require.ErrorIs(t, err, invite.ErrNotInvitable)
}

func TestRedeemFailures(t *testing.T) {
	f := newFixture(t)
	f.numbers(t, f.sales.ID, nums("+14155550101", "+14155550102", "+14155550103")...)
	_, err := f.svc.SaveAndInvite(ctx, f.salesAdmin, f.sales.ID, input("exp"), multiline.InviteOptions{})
	require.NoError(t, err)
	expiring := f.lastToken(t, "exp@acme.example")
	susp, err := f.svc.SaveAndInvite(ctx, f.salesAdmin, f.sales.ID, input("susp"), multiline.InviteOptions{})
	require.NoError(t, err)
	require.NoError(t, f.svc.Suspend(ctx, f.salesAdmin, []account.ID{susp.Account.ID}))
	suspended := f.lastToken(t, "susp@acme.example")

	valid := expiring
	cases := []struct {
		name  string
		token string
		is    error
	}{
		{"unknown", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", invite.ErrTokenUnknown},
		{"malformed", "not a token", invite.ErrTokenUnknown},
		{"truncated", valid[:20], invite.ErrTokenUnknown},
		{"over-long", valid + "A", invite.ErrTokenUnknown},
		{"non-UTF-8", "\xff\xfe" + valid[2:], invite.ErrTokenUnknown},
		{"suspended account", suspended, account.ErrStatus},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.Activate(ctx, c.token, "+14155550101")
			assert.ErrorIs(t, err, c.is)
			_, err = f.svc.ShortList(ctx, c.token)
			assert.ErrorIs(t, err, c.is)
		})
	}
	f.clock.Advance(7*24*time.Hour + time.Second)
	_, err = f.svc.Activate(ctx, expiring, "+14155550101")
	assert.ErrorIs(t, err, invite.ErrTokenExpired)
	// A wrong token says nothing about any other: same error text as garbage.
	_, e1 := f.svc.Activate(ctx, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "")
	_, e2 := f.svc.Activate(ctx, "x", "")
	assert.Equal(t, e1.Error(), e2.Error())
}

func TestShortListPickRace(t *testing.T) {
	f := newFixture(t)
	f.numbers(t, f.sales.ID, multiline.NumberInput{Number: "+14155550100", Tag: "PORTED"})
	f.numbers(t, f.sales.ID, nums("+14155550101", "+14155550102")...)
	var tokens []string
	for _, id := range []string{"a", "b"} {
		_, err := f.svc.SaveAndInvite(ctx, f.salesAdmin, f.sales.ID, input(id), multiline.InviteOptions{})
		require.NoError(t, err)
		tokens = append(tokens, f.lastToken(t, id+"@acme.example"))
	}
	list, err := f.svc.ShortList(ctx, tokens[0])
	require.NoError(t, err)
	assert.Equal(t, []string{"+14155550101", "+14155550102"}, list, "Available only: never the Reserved one")

	// Reserved and foreign numbers are not on offer.
	_, err = f.svc.Activate(ctx, tokens[0], "+14155550100")
	var pe *multiline.PickError
	require.ErrorAs(t, err, &pe)
	_, err = f.svc.Activate(ctx, tokens[0], "")
	require.ErrorAs(t, err, &pe)
	assert.ErrorIs(t, err, mlerr.ErrInvalid)

	// Both race for the same number: exactly one gets it; the other gets a
	// clear error and a fresh short list without it.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() { _, errs[i] = f.svc.Activate(ctx, tokens[i], "+1 415 555 0101") })
	}
	wg.Wait()
	winner, loser := 0, 1
	if errs[0] != nil {
		winner, loser = 1, 0
	}
	require.NoError(t, errs[winner])
	require.ErrorAs(t, errs[loser], &pe)
	assert.ErrorIs(t, errs[loser], numberpool.ErrNotAvailable)
	assert.Equal(t, []string{"+14155550102"}, pe.ShortList)
	act, err := f.svc.Activate(ctx, tokens[loser], pe.ShortList[0])
	require.NoError(t, err)
	assert.Equal(t, "+14155550102", act.Number)
	c := f.capacity(t, f.sales.ID)
	assert.Equal(t, numberpool.Capacity{Held: 2, Total: 3}, c)
}

func TestResendRules(t *testing.T) {
	f := newFixture(t, multiline.WithDeliveryPolicy(multiline.DeliveryPolicy{MaxAttempts: 5, Backoff: time.Minute, MaxBackoff: time.Hour, Lease: time.Minute}))
	f.numbers(t, f.sales.ID, nums("+14155550101", "+14155550102", "+14155550103")...)
	saved, err := f.svc.Save(ctx, f.salesAdmin, f.sales.ID, input("saved"))
	require.NoError(t, err)
	smsIn := input("sms")
	smsIn.Email, smsIn.Device = "", "+14155550123"
	sms, err := f.svc.SaveAndInvite(ctx, f.salesAdmin, f.sales.ID, smsIn, multiline.InviteOptions{SMSConsent: true})
	require.NoError(t, err)

	// SMS consent is required again.
	_, err = f.svc.Resend(ctx, f.salesAdmin, []account.ID{saved.ID, sms.Account.ID}, multiline.InviteOptions{})
	require.ErrorIs(t, err, invite.ErrConsentRequired)
	a, err := f.svc.Account(ctx, f.salesAdmin, saved.ID)
	require.NoError(t, err)
	assert.Equal(t, account.NotInvited, a.Status, "all or none: the saved account was not invited either")

	// A failed, still-queued message is cancelled by the resend and never
	// delivered.
	f.outbox.Fail(errors.New("down"))
	rs, err := f.svc.Resend(ctx, f.salesAdmin, []account.ID{saved.ID, sms.Account.ID}, multiline.InviteOptions{SMSConsent: true, Disclaimer: "Consent given on the phone"})
	require.NoError(t, err)
	assert.Equal(t, account.Invited, rs[0].Account.Status, "a Not Invited account gets its first invitation")
	assert.Equal(t, "Consent given on the phone", rs[1].Invitation.Consent.Disclaimer)
	oldMsg := rs[1].Invitation.Message
	rs2, err := f.svc.Resend(ctx, f.salesAdmin, []account.ID{sms.Account.ID}, multiline.InviteOptions{SMSConsent: true})
	require.NoError(t, err)
	f.outbox.Fail(nil)
	f.clock.Advance(time.Hour)
	rep, err := f.svc.DeliverPending(ctx)
	require.NoError(t, err)
	assert.Equal(t, multiline.DeliveryReport{Sent: 2}, rep, "the saved account's and the latest SMS, not the superseded one")
	require.NoError(t, f.store.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		m, err := tx.Message(ctx, oldMsg)
		require.NoError(t, err)
		assert.Equal(t, invite.Cancelled, m.State)
		return nil
	}))
	assert.NotEqual(t, oldMsg, rs2[0].Invitation.Message)

	// Suspended accounts are refused.
	require.NoError(t, f.svc.Suspend(ctx, f.salesAdmin, []account.ID{saved.ID}))
	_, err = f.svc.Resend(ctx, f.salesAdmin, []account.ID{saved.ID}, multiline.InviteOptions{})
	require.ErrorIs(t, err, invite.ErrNotInvitable)
	require.NoError(t, f.svc.Reactivate(ctx, f.salesAdmin, []account.ID{saved.ID}))
	a, err = f.svc.Account(ctx, f.salesAdmin, saved.ID)
	require.NoError(t, err)
	assert.Equal(t, account.Invited, a.Status, "reactivated to where it stood")

	// Bad selections.
	_, err = f.svc.Resend(ctx, f.salesAdmin, nil, multiline.InviteOptions{})
	assert.ErrorIs(t, err, mlerr.ErrInvalid)
	_, err = f.svc.Resend(ctx, f.salesAdmin, []account.ID{saved.ID, saved.ID}, multiline.InviteOptions{})
	assert.ErrorIs(t, err, mlerr.ErrInvalid)
}

func TestLocalizedCustomizedInvitation(t *testing.T) {
	f := newFixture(t)
	f.numbers(t, f.sales.ID, nums("+14155550101")...)
	// Acme writes its own Italian SMS; Sales inherits it.
	_, err := f.svc.UpdateOrgSettings(ctx, f.root, f.acme.Org.ID, org.Settings{InvitationTemplates: org.Set([]org.TemplateText{
		{Language: "it", Part: "sms", Source: "Ciao {f_name}, attiva MultiLine: {web_app_link}"},
	})})
	require.NoError(t, err)
	// An unknown placeholder is refused when saved, not at send time.
	_, err = f.svc.UpdateOrgSettings(ctx, f.root, f.acme.Org.ID, org.Settings{InvitationTemplates: org.Set([]org.TemplateText{
		{Language: "it", Part: "sms", Source: "Ciao {nome} {web_app_link}"},
	})})
	require.ErrorIs(t, err, mlerr.ErrInvalid)

	in := input("it")
	in.Email, in.Device, in.Language = "", "+393331234567", "Italian"
	_, err = f.svc.SaveAndInvite(ctx, f.salesAdmin, f.sales.ID, in, multiline.InviteOptions{SMSConsent: true})
	require.NoError(t, err)
	ms := f.outbox.Messages()
	require.Len(t, ms, 1)
	assert.Regexp(t, `^Ciao User, attiva MultiLine: https://multiline.example/activate/[A-Za-z0-9_-]{43}$`, ms[0].Text)

	r, err := f.svc.PreviewInvitation(ctx, f.root, f.sales.ID, "it", invite.SMS)
	require.NoError(t, err)
	assert.Contains(t, r.Text, "Ciao Maria")
}

// Invite, resend, activate: the whole lifecycle of an invitation.
func ExampleService_Activate() {
	ctx := context.Background()
	outbox := notify.NewRecorder()
	svc, _ := multiline.New(memory.New(), multiline.WithNotifier(outbox))
	acme, _ := svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Acme", AdminName: "Ada", AdminEmail: "ada@acme.example"})
	admin, orgID := acme.Admin.ID, acme.Org.ID
	_, _ = svc.AddNumbers(ctx, admin, orgID, []multiline.NumberInput{{Number: "+1 415 555 0101"}, {Number: "+1 415 555 0102"}})

	res, _ := svc.SaveAndInvite(ctx, admin, orgID, account.Input{
		FirstName: "Grace", LastName: "Hopper", AccountID: "grace",
		Applications: []org.Application{org.AppMobile}, Email: "grace@acme.example",
	}, multiline.InviteOptions{})
	first := outbox.Messages()[0].Secret // the token in the invitee's link

	_, _ = svc.Resend(ctx, admin, []account.ID{res.Account.ID}, multiline.InviteOptions{})
	second := outbox.Messages()[1].Secret

	_, err := svc.Activate(ctx, first, "")
	fmt.Println(err)
	list, _ := svc.ShortList(ctx, second)
	fmt.Println(list)
	act, err := svc.Activate(ctx, second, list[1])
	fmt.Println(act.Account.Status, act.Number, err)
	// Output:
	// invite: this activation link was replaced by a newer invitation; use the latest one
	// [+14155550101 +14155550102]
	// Activated +14155550102 <nil>
}

func TestDelete(t *testing.T) {
	f := newFixture(t)
	f.numbers(t, f.sales.ID, nums("+14155550101", "+14155550102", "+14155550103")...)
	in := input("a")
	in.AssignNumber = "+14155550101"
	withNumber, err := f.svc.SaveAndInvite(ctx, f.salesAdmin, f.sales.ID, in, multiline.InviteOptions{})
	require.NoError(t, err)
	token := f.lastToken(t, "a@acme.example")
	pending, err := f.svc.SaveAndInvite(ctx, f.salesAdmin, f.sales.ID, input("b"), multiline.InviteOptions{})
	require.NoError(t, err)
	activated, err := f.svc.SaveAndInvite(ctx, f.salesAdmin, f.sales.ID, input("c"), multiline.InviteOptions{})
	require.NoError(t, err)
	_, err = f.svc.Activate(ctx, f.lastToken(t, "c@acme.example"), "+14155550102")
	require.NoError(t, err)

	// All or none: an unknown ID in the selection deletes nothing.
	before := f.snapshot(t)
	err = f.svc.Delete(ctx, f.salesAdmin, []account.ID{withNumber.Account.ID, "nope"})
	require.ErrorIs(t, err, mlerr.ErrNotFound)
	assert.Equal(t, before, f.snapshot(t))

	require.NoError(t, f.svc.Delete(ctx, f.salesAdmin, []account.ID{withNumber.Account.ID, pending.Account.ID, activated.Account.ID}))
	l, err := f.svc.ListAccounts(ctx, f.salesAdmin, f.sales.ID, multiline.Page{})
	require.NoError(t, err)
	assert.Empty(t, l.Items)
	assert.Equal(t, numberpool.Capacity{Available: 3, Total: 3}, f.capacity(t, f.sales.ID), "the held numbers released, no pending left")
	_, err = f.svc.Activate(ctx, token, "")
	assert.ErrorIs(t, err, invite.ErrTokenUnknown, "the deleted account's link is dead")
	_, err = f.svc.Save(ctx, f.salesAdmin, f.sales.ID, input("a"))
	assert.NoError(t, err, "the username and Account ID are free again")
}

package multiline_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/notify"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/store/memory"
)

// person is a valid single-form input.
func person(first, id string) account.Input {
	return account.Input{FirstName: first, LastName: "Example", AccountID: id,
		Applications: []org.Application{org.AppMobile}, Email: id + "@acme.example"}
}

// Re-sending invitations to a selection: a new token for each (the old link
// stops working), refused as a whole when one account cannot be invited.
func ExampleService_Resend() {
	ctx := context.Background()
	outbox := notify.NewRecorder()
	svc, _ := multiline.New(memory.New(), multiline.WithNotifier(outbox))
	acme, _ := svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Acme", AdminName: "Ada", AdminEmail: "ada@acme.example"})
	admin := acme.Admin.ID
	_, _ = svc.AddNumbers(ctx, admin, acme.Org.ID, []multiline.NumberInput{{Number: "+1 415 555 0101"}, {Number: "+1 415 555 0102"}})
	saved, _ := svc.Save(ctx, admin, acme.Org.ID, person("Grace", "grace"))
	invited, _ := svc.SaveAndInvite(ctx, admin, acme.Org.ID, person("Alan", "alan"), multiline.InviteOptions{})

	res, err := svc.Resend(ctx, admin, []account.ID{saved.ID, invited.Account.ID}, multiline.InviteOptions{})
	for _, r := range res {
		fmt.Println(r.Account.Username, r.Account.Status, r.Invitation.TokenVersion, r.Delivery.State)
	}
	fmt.Println(err, len(outbox.Messages()))

	// An SMS invitee needs the consent attestation again: nothing is sent.
	sms := person("Ada", "ada")
	sms.Email, sms.Device = "", "+44 7400 123456"
	dev, _ := svc.Save(ctx, admin, acme.Org.ID, sms)
	_, err = svc.Resend(ctx, admin, []account.ID{saved.ID, dev.ID}, multiline.InviteOptions{})
	fmt.Println(mlerr.CodeOf(err), len(outbox.Messages()))
	// Output:
	// grace@acme.example Invited 1 Sent
	// alan@acme.example Invited 2 Sent
	// <nil> 3
	// sms_consent.required 3
}

// Deleting accounts: all of the selection or none; the numbers they held go
// back to the pool.
func ExampleService_Delete() {
	ctx := context.Background()
	svc, _ := multiline.New(memory.New(), multiline.WithNotifier(notify.NewRecorder()))
	acme, _ := svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Acme", AdminName: "Ada", AdminEmail: "ada@acme.example"})
	admin := acme.Admin.ID
	_, _ = svc.AddNumbers(ctx, admin, acme.Org.ID, []multiline.NumberInput{{Number: "+1 415 555 0101"}})
	in := person("Grace", "grace")
	in.AssignNumber = "+1 415 555 0101"
	grace, _ := svc.Save(ctx, admin, acme.Org.ID, in)

	err := svc.Delete(ctx, admin, []account.ID{grace.ID, "no-such-account"})
	fmt.Println(mlerr.CodeOf(err))
	err = svc.Delete(ctx, admin, []account.ID{grace.ID})
	fmt.Println(err)
	nums, _ := svc.ListNumbers(ctx, admin, acme.Org.ID, multiline.Page{})
	fmt.Println(nums.Items[0].E164, nums.Items[0].State)
	// Output:
	// not_found
	// <nil>
	// +14155550101 Available
}

// Suspending an account, which then cannot activate, and reactivating it.
func ExampleService_Suspend() {
	ctx := context.Background()
	outbox := notify.NewRecorder()
	svc, _ := multiline.New(memory.New(), multiline.WithNotifier(outbox))
	acme, _ := svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Acme", AdminName: "Ada", AdminEmail: "ada@acme.example"})
	admin := acme.Admin.ID
	_, _ = svc.AddNumbers(ctx, admin, acme.Org.ID, []multiline.NumberInput{{Number: "+1 415 555 0101"}})
	res, _ := svc.SaveAndInvite(ctx, admin, acme.Org.ID, person("Grace", "grace"), multiline.InviteOptions{})
	token := outbox.Messages()[0].Secret
	ids := []account.ID{res.Account.ID}

	fmt.Println(svc.Suspend(ctx, admin, ids))
	_, err := svc.Activate(ctx, token, "+14155550101")
	fmt.Println(mlerr.CodeOf(err))
	fmt.Println(mlerr.CodeOf(svc.Suspend(ctx, admin, ids)))
	fmt.Println(svc.Reactivate(ctx, admin, ids))
	a, _ := svc.Account(ctx, admin, res.Account.ID)
	fmt.Println(a.Status)
	// Output:
	// <nil>
	// account.status
	// account.status
	// <nil>
	// Invited
}

// Undoing an upload: the accounts it created go, unless they activated
// meanwhile; a batch is undone once.
func ExampleService_UndoBatch() {
	ctx := context.Background()
	svc, _ := multiline.New(memory.New(), multiline.WithNotifier(notify.NewRecorder()))
	acme, _ := svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Acme", AdminName: "Ada", AdminEmail: "ada@acme.example"})
	admin := acme.Admin.ID
	file := strings.NewReader("firstname,lastname,email address or device,social_messaging,monitor_calls,monitor_sms\n" +
		"Grace,Hopper,grace@acme.example,No,auto,on\n" +
		"Alan,Turing,alan@acme.example,No,off,off\n")
	rec, _ := svc.ImportBatch(ctx, admin, acme.Org.ID, file, multiline.BatchOptions{Mode: batch.Import})
	fmt.Printf("%+v\n", rec.Summary)

	undone, err := svc.UndoBatch(ctx, admin, rec.ID)
	fmt.Println(len(undone.Deleted), len(undone.Kept), err)
	_, err = svc.UndoBatch(ctx, admin, rec.ID)
	fmt.Println(errors.Is(err, multiline.ErrBatchNotUndoable), mlerr.CodeOf(err))
	// Output:
	// {Total:2 Imported:2 Invited:0 Valid:0 Failed:0}
	// 2 0 <nil>
	// true batch.not_undoable
}

// Asking, before moving, whether a move would go through and what the
// destination's settings would change.
func ExampleService_CanMove() {
	ctx := context.Background()
	svc, _ := multiline.New(memory.New(), multiline.WithNotifier(notify.NewRecorder()))
	acme, _ := svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Acme", AdminName: "Ada", AdminEmail: "ada@acme.example"})
	admin := acme.Admin.ID
	sales, _ := svc.CreateOrg(ctx, admin, acme.Org.ID, multiline.OrgInput{Name: "Sales"})
	support, _ := svc.CreateOrg(ctx, admin, acme.Org.ID, multiline.OrgInput{Name: "Support"})
	_, _ = svc.UpdateOrgSettings(ctx, admin, sales.ID, org.Settings{SocialMessaging: org.Set(true)})
	in := person("Grace", "grace")
	in.SocialMessaging = true
	grace, _ := svc.Save(ctx, admin, sales.ID, in)
	ids := []account.ID{grace.ID}

	plan, err := svc.CanMove(ctx, admin, ids, support.ID, multiline.MoveOptions{})
	for _, c := range plan.Accounts[0].Changes {
		fmt.Println(c.Field, c.From, "->", c.To)
	}
	fmt.Println(err)
	_, err = svc.CanMove(ctx, admin, ids, sales.ID, multiline.MoveOptions{})
	var refused *multiline.MoveError
	if errors.As(err, &refused) {
		fmt.Println(refused.Message, mlerr.CodeOf(err))
	}
	a, _ := svc.Account(ctx, admin, grace.ID)
	fmt.Println(a.OrgID == sales.ID, a.SocialMessaging)
	// Output:
	// social_messaging Yes -> No
	// <nil>
	// the accounts are already in "Sales" move.same_org
	// true true
}

// Retrying the messages a mail server refused: the host calls DeliverPending
// on a timer (or runs RunDelivery), and each message is delivered once.
func ExampleService_DeliverPending() {
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	outbox := notify.NewRecorder()
	svc, _ := multiline.New(memory.New(), multiline.WithNotifier(outbox), multiline.WithClock(func() time.Time { return now }))
	acme, _ := svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Acme", AdminName: "Ada", AdminEmail: "ada@acme.example"})
	admin := acme.Admin.ID
	_, _ = svc.AddNumbers(ctx, admin, acme.Org.ID, []multiline.NumberInput{{Number: "+1 415 555 0101"}})

	outbox.Fail(errors.New("smtp: 421 try again later"))
	res, _ := svc.SaveAndInvite(ctx, admin, acme.Org.ID, person("Grace", "grace"), multiline.InviteOptions{})
	fmt.Println(res.Account.Status, res.Delivery.State, res.Delivery.Attempts)

	outbox.Fail(nil) // the server is back
	rep, err := svc.DeliverPending(ctx)
	fmt.Println(rep.Sent, rep.Failed, len(rep.Problems), err) // not due yet: the backoff has not passed
	now = now.Add(time.Hour)
	rep, err = svc.DeliverPending(ctx)
	fmt.Println(rep.Sent, rep.Failed, len(rep.Problems), err)
	rep, _ = svc.DeliverPending(ctx)
	fmt.Println(rep.Sent, rep.Failed, len(outbox.Messages()))
	// Output:
	// Invited Failed 1
	// 0 0 0 <nil>
	// 1 0 0 <nil>
	// 0 0 1
}

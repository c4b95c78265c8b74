package multiline_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/notify"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/store/memory"
)

// The README's quick start: a tenant with a number pool, and one account
// added with Save & Invite.
func Example() {
	ctx := context.Background()
	outbox := notify.NewRecorder()
	svc, err := multiline.New(memory.New(), multiline.WithNotifier(outbox))
	if err != nil {
		panic(err)
	}
	acme, err := svc.CreateTenant(ctx, multiline.TenantInput{
		OrgName: "Acme Corp", AdminName: "Ada Admin", AdminEmail: "ada@acme.example",
	})
	if err != nil {
		panic(err)
	}
	admin, orgID := acme.Admin.ID, acme.Org.ID
	_, err = svc.AddNumbers(ctx, admin, orgID, []multiline.NumberInput{
		{Number: "+1 415 555 0101"}, {Number: "+1 415 555 0102"},
	})
	if err != nil {
		panic(err)
	}
	res, err := svc.SaveAndInvite(ctx, admin, orgID, account.Input{
		FirstName: "Grace", LastName: "Hopper", AccountID: "ghopper",
		Applications: []org.Application{org.AppMobile},
		Email:        "Grace@Acme.example", AssignNumber: "+14155550101",
	}, multiline.InviteOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Account.Username, res.Account.Status, res.Account.Number, res.Delivery.State)
	for _, m := range outbox.Messages() {
		fmt.Printf("to %s: %s\n", m.To, m.Subject)
	}
	// Output:
	// grace@acme.example Invited +14155550101 Sent
	// to Grace@Acme.example: Acme Corp invites you to MultiLine
}

// Save adds an account without inviting it; a number picked by tag comes
// from the Reserved numbers under that tag.
func ExampleService_Save() {
	ctx := context.Background()
	svc, _ := multiline.New(memory.New(), multiline.WithNotifier(notify.NewRecorder()))
	acme, _ := svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Acme Corp", AdminName: "Ada", AdminEmail: "ada@acme.example"})
	admin, orgID := acme.Admin.ID, acme.Org.ID
	_, _ = svc.AddNumbers(ctx, admin, orgID, []multiline.NumberInput{
		{Number: "+39 06 1234 5678"}, {Number: "+39 06 1234 5679", Tag: "PORTED"},
	})

	a, err := svc.Save(ctx, admin, orgID, account.Input{
		FirstName: "Enzo", LastName: "Ferrari", AccountID: "enzo",
		Applications: []org.Application{org.AppMobile},
		Device:       "+39 333 123 4567", AssignNumber: "ported", Language: "Italian",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(a.Username, a.Status, a.Number, a.Language)

	// Bad input gets every field error at once, each naming field and rule.
	_, err = svc.Save(ctx, admin, orgID, account.Input{
		FirstName: "Bad\tName", AccountID: "x", Applications: []org.Application{org.AppMobile},
		Email: "Bad Person <bad@acme.example>", Forwarding: "12",
	})
	fmt.Println(errors.Is(err, mlerr.ErrInvalid))
	for _, fe := range mlerr.Fields(err) {
		fmt.Println(fe.Code)
	}
	// Output:
	// +393331234567 Not Invited +390612345679 it
	// true
	// first_name.control_character
	// last_name.required
	// email.display_name
	// forwarding_number.length
}

// Save & Invite by SMS needs the administrator's attestation that the
// recipient consented; without one, nothing is saved.
func ExampleService_SaveAndInvite() {
	ctx := context.Background()
	outbox := notify.NewRecorder()
	svc, _ := multiline.New(memory.New(), multiline.WithNotifier(outbox))
	acme, _ := svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Acme Corp", AdminName: "Ada", AdminEmail: "ada@acme.example"})
	admin, orgID := acme.Admin.ID, acme.Org.ID
	_, _ = svc.AddNumbers(ctx, admin, orgID, []multiline.NumberInput{{Number: "+1 415 555 0101"}})

	in := account.Input{
		FirstName: "Alan", LastName: "Turing", AccountID: "alan",
		Applications: []org.Application{org.AppMobile}, Device: "+44 7400 123456",
	}
	_, err := svc.SaveAndInvite(ctx, admin, orgID, in, multiline.InviteOptions{})
	fmt.Println(err)

	res, err := svc.SaveAndInvite(ctx, admin, orgID, in, multiline.InviteOptions{SMSConsent: true})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Account.Status, res.Invitation.Channel, res.Invitation.Consent != nil, res.Delivery.State)
	// No number of its own: it will pick one at activation, so it holds one
	// of the org's Available numbers until then. The next such invitation
	// finds none left.
	in.AccountID, in.Device = "alan2", "+44 7400 123457"
	_, err = svc.SaveAndInvite(ctx, admin, orgID, in, multiline.InviteOptions{SMSConsent: true})
	fmt.Println(err)
	fmt.Println(len(outbox.Messages()))
	// Output:
	// invite: SMS invitations need the administrator's attestation that the recipient consented to receive SMS
	// Invited sms true Sent
	// numberpool: not enough numbers available: 1 Available, 2 needed
	// 1
}

// Moving accounts between two organizations of one tree: the pre-check says
// why a move would be refused, or what it would change.
func ExampleService_Move() {
	ctx := context.Background()
	svc, _ := multiline.New(memory.New(), multiline.WithNotifier(notify.NewRecorder()))
	acme, _ := svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Acme", AdminName: "Ada", AdminEmail: "ada@acme.example"})
	admin := acme.Admin.ID
	sales, _ := svc.CreateOrg(ctx, admin, acme.Org.ID, multiline.OrgInput{Name: "Sales"})
	support, _ := svc.CreateOrg(ctx, admin, acme.Org.ID, multiline.OrgInput{Name: "Support"})
	_, _ = svc.AddNumbers(ctx, admin, acme.Org.ID, []multiline.NumberInput{{Number: "+1 415 555 0101"}, {Number: "+1 415 555 0102"}})
	_ = svc.AllocateNumbers(ctx, admin, acme.Org.ID, sales.ID, []string{"+14155550101"})

	// A pending invitation without a number of its own.
	res, _ := svc.SaveAndInvite(ctx, admin, sales.ID, account.Input{
		FirstName: "Grace", LastName: "Hopper", AccountID: "grace",
		Applications: []org.Application{org.AppMobile}, Email: "grace@acme.example",
	}, multiline.InviteOptions{})
	ids := []account.ID{res.Account.ID}

	_, err := svc.CanMove(ctx, admin, ids, support.ID, multiline.MoveOptions{})
	var refused *multiline.MoveError
	if errors.As(err, &refused) {
		fmt.Println(refused.Message)
	}
	_ = svc.AllocateNumbers(ctx, admin, acme.Org.ID, support.ID, []string{"+14155550102"})
	plan, err := svc.Move(ctx, admin, ids, support.ID, multiline.MoveOptions{})
	fmt.Println(len(plan.Accounts), err)
	moved, _ := svc.Account(ctx, admin, res.Account.ID)
	fmt.Println(moved.OrgID == support.ID)
	// Output:
	// Unable to move account(s). You do not have enough numbers available in the selected organization
	// 1 <nil>
	// true
}

// Reading the audit log of an organization, newest first, one page at a time.
func ExampleService_ListAudit() {
	ctx := context.Background()
	svc, _ := multiline.New(memory.New(), multiline.WithNotifier(notify.NewRecorder()))
	acme, _ := svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Acme", AdminName: "Ada", AdminEmail: "ada@acme.example"})
	admin := acme.Admin.ID
	_, _ = svc.AddNumbers(ctx, admin, acme.Org.ID, []multiline.NumberInput{{Number: "+1 415 555 0101"}})
	_, _ = svc.SaveAndInvite(ctx, admin, acme.Org.ID, account.Input{
		FirstName: "Grace", LastName: "Hopper", AccountID: "grace",
		Applications: []org.Application{org.AppMobile}, Email: "grace@acme.example", AssignNumber: "+14155550101",
	}, multiline.InviteOptions{})

	page := multiline.Page{Limit: 4}
	for {
		l, err := svc.ListAudit(ctx, admin, acme.Org.ID, page)
		if err != nil {
			panic(err)
		}
		for _, e := range l.Items {
			fmt.Println(e.Action)
		}
		if l.Next == "" {
			break
		}
		page.After = l.Next
	}
	// Output:
	// invitation.created
	// number.assigned
	// account.created
	// number.added
	// admin.created
	// profile.created
	// org.created
}

// A CSV upload with Import & Invite, and its Batch Operations Report.
func ExampleService_ImportBatch() {
	ctx := context.Background()
	svc, _ := multiline.New(memory.New(), multiline.WithNotifier(notify.NewRecorder()))
	acme, _ := svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Acme", AdminName: "Ada", AdminEmail: "ada@acme.example"})
	admin := acme.Admin.ID
	_, _ = svc.AddNumbers(ctx, admin, acme.Org.ID, []multiline.NumberInput{{Number: "+1 415 555 0101"}})

	file := strings.NewReader("firstname,lastname,email address or device,social_messaging,monitor_calls,monitor_sms\n" +
		"Grace,Hopper,grace@acme.example,No,auto,on\n" +
		"Alan,Turing,alan@acme.example,No,off,off\n" +
		"Ada,Lovelace,ada@,No,auto,on\n")
	rec, err := svc.ImportBatch(ctx, admin, acme.Org.ID, file, multiline.BatchOptions{Mode: batch.ImportInvite})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%+v\n", rec.Summary)
	_ = batch.WriteReport(os.Stdout, rec.Rows)
	// Output:
	// {Total:3 Imported:0 Invited:1 Valid:0 Failed:2}
	// row,email address or device,firstname,lastname,multiline_number,status,error,error_code
	// 2,grace@acme.example,Grace,Hopper,,invited,,
	// 3,alan@acme.example,Alan,Turing,,failed,multiline_number: not enough numbers available in the organization for this row,number.not_enough
	// 4,ada@,Ada,Lovelace,,failed,email address or device: Email must be a single address like name@example.com,email.format
}

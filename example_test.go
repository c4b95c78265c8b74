package multiline_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
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

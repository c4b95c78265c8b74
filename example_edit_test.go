package multiline_test

import (
	"context"
	"fmt"
	"os"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/notify"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/store/memory"
)

// exampleTenant is Acme Corp with three numbers and its administrator.
func exampleTenant() (*multiline.Service, multiline.Tenant) {
	ctx := context.Background()
	svc, _ := multiline.New(memory.New(), multiline.WithNotifier(notify.NewRecorder()))
	acme, _ := svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Acme Corp", AdminName: "Ada", AdminEmail: "ada@acme.example"})
	_, _ = svc.AddNumbers(ctx, acme.Admin.ID, acme.Org.ID, []multiline.NumberInput{
		{Number: "+1 415 555 0101"}, {Number: "+1 415 555 0102"}, {Number: "+1 415 555 0103"},
	})
	return svc, acme
}

// EditAccount fixes a typo, changes the email of a pending invitation (which
// withdraws it until it is re-sent) and gives the account a number. Bad
// input gets every field error at once.
func ExampleService_EditAccount() {
	ctx := context.Background()
	svc, acme := exampleTenant()
	admin := acme.Admin.ID
	res, _ := svc.SaveAndInvite(ctx, admin, acme.Org.ID, account.Input{
		FirstName: "Grcae", LastName: "Hopper", AccountID: "ghopper",
		Applications: []org.Application{org.AppMobile}, Email: "grace@acme.example",
	}, multiline.InviteOptions{})

	first, email, number := "Grace", "g.hopper@acme.example", "+14155550102"
	a, err := svc.EditAccount(ctx, admin, res.Account.ID, multiline.AccountEdit{FirstName: &first, Email: &email, Number: &number})
	if err != nil {
		panic(err)
	}
	fmt.Println(a.FirstName, a.Username, a.Status, a.Number)

	bad, lang := "Grace\n", "Klingon"
	_, err = svc.EditAccount(ctx, admin, a.ID, multiline.AccountEdit{FirstName: &bad, Language: &lang})
	for _, fe := range mlerr.Fields(err) {
		fmt.Println(fe.Code)
	}
	// Output:
	// Grace g.hopper@acme.example Not Invited +14155550102
	// first_name.control_character
	// language.unknown
}

// SearchAccounts finds the accounts whose first name, last name, username,
// Account ID or number starts with the query, in any case, here among the
// Invited ones.
func ExampleService_SearchAccounts() {
	ctx := context.Background()
	svc, acme := exampleTenant()
	admin := acme.Admin.ID
	for _, p := range []struct{ first, last, id string }{{"Ada", "Lovelace", "ada"}, {"Adam", "Smith", "asmith"}, {"Alan", "Turing", "alan"}} {
		_, _ = svc.SaveAndInvite(ctx, admin, acme.Org.ID, account.Input{
			FirstName: p.first, LastName: p.last, AccountID: p.id,
			Applications: []org.Application{org.AppMobile}, Email: p.id + "@acme.example",
		}, multiline.InviteOptions{})
	}
	l, err := svc.SearchAccounts(ctx, admin, acme.Org.ID, multiline.AccountFilter{
		Query: "AD", Status: []account.Status{account.Invited},
	}, multiline.Page{})
	if err != nil {
		panic(err)
	}
	for _, a := range l.Items {
		fmt.Println(a.FirstName, a.LastName, a.Status)
	}
	// Output:
	// Ada Lovelace Invited
	// Adam Smith Invited
}

// ExportAccounts writes the filtered list as CSV, page by page; a cell a
// spreadsheet would run as a formula is neutralized with a leading quote.
func ExampleService_ExportAccounts() {
	ctx := context.Background()
	svc, acme := exampleTenant()
	admin := acme.Admin.ID
	_, _ = svc.Save(ctx, admin, acme.Org.ID, account.Input{
		FirstName: "=HYPERLINK(\"http://evil.example\")", LastName: "Smith", AccountID: "smith",
		Applications: []org.Application{org.AppMobile}, Email: "smith@acme.example", AssignNumber: "+14155550101",
	})
	if err := svc.ExportAccounts(ctx, admin, acme.Org.ID, multiline.AccountFilter{}, os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// First Name,Last Name,Username,Account ID,Organization,Status,MultiLine Number,User Permissions,Language,Invited At,Activated At
	// "'=HYPERLINK(""http://evil.example"")",Smith,smith@acme.example,smith,Acme Corp,Not Invited,+14155550101,Standard,en,,
}

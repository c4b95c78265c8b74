// Command quickstart runs the MultiLine SDK on its embedded defaults: it sets
// up a demo organization with a number pool, adds a few accounts with Save and
// Save & Invite (by email, and by SMS with the administrator's consent
// attestation), shows an input the SDK refuses, and prints every message that
// was sent, with the activation token shortened as in logs.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/notify"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/store/memory"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	printer := notify.Func(func(_ context.Context, m invite.Message) error {
		fmt.Fprintf(out, "  sent %s to %s: %s\n", m.Channel, m.To, firstLine(m.Redact(m.Text)))
		return nil
	})
	svc, err := multiline.New(memory.New(), multiline.WithNotifier(printer),
		multiline.WithActivationURL("https://portal.example.com/activate/"))
	if err != nil {
		return err
	}
	demo, err := svc.CreateTenant(ctx, multiline.TenantInput{
		OrgName: "Demo Corp", AdminName: "Demo Admin", AdminEmail: "admin@demo.example",
	})
	if err != nil {
		return err
	}
	admin, orgID := demo.Admin.ID, demo.Org.ID
	pool, err := svc.AddNumbers(ctx, admin, orgID, []multiline.NumberInput{
		{Number: "+1 415 555 0101"}, {Number: "+1 415 555 0102"}, {Number: "+1 415 555 0103"},
		{Number: "+1 415 555 0199", Tag: "PORTED"},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "organization %q with %d numbers\n", demo.Org.Name, len(pool))

	mobile := []org.Application{org.AppMobile}
	steps := []struct {
		what   string
		in     account.Input
		invite bool
		opts   multiline.InviteOptions
	}{
		{"Save", account.Input{FirstName: "Ada", LastName: "Lovelace", AccountID: "ada", Applications: mobile, Email: "ada@demo.example"}, false, multiline.InviteOptions{}},
		{"Save & Invite", account.Input{FirstName: "Grace", LastName: "Hopper", AccountID: "grace", Applications: mobile, Email: "grace@demo.example", AssignNumber: "+14155550101"}, true, multiline.InviteOptions{}},
		{"Save & Invite", account.Input{FirstName: "Enzo", LastName: "Ferrari", AccountID: "enzo", Applications: mobile, Device: "+39 333 123 4567", AssignNumber: "PORTED", Language: "it"}, true, multiline.InviteOptions{SMSConsent: true}},
		{"Save & Invite", account.Input{FirstName: "Alan", LastName: "Turing", AccountID: "alan", Applications: mobile, Email: "Alan Turing <alan@demo>", Forwarding: "12"}, true, multiline.InviteOptions{}},
	}
	for _, st := range steps {
		fmt.Fprintf(out, "%s %s %s:\n", st.what, st.in.FirstName, st.in.LastName)
		var a account.Account
		if st.invite {
			var res multiline.Invited
			res, err = svc.SaveAndInvite(ctx, admin, orgID, st.in, st.opts)
			a = res.Account
		} else {
			a, err = svc.Save(ctx, admin, orgID, st.in)
		}
		switch {
		case errors.Is(err, mlerr.ErrInvalid):
			for _, fe := range mlerr.Fields(err) {
				fmt.Fprintf(out, "  refused: %s [%s]\n", fe.Message, fe.Code)
			}
		case err != nil:
			return err
		default:
			number := a.Number
			if number == "" {
				number = "none yet"
			}
			fmt.Fprintf(out, "  %s is %s, number %s\n", a.Username, a.Status, number)
		}
	}
	return nil
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}

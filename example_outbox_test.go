package multiline_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/notify"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/store/memory"
)

// ListMessages is the outbox view of an administrator with Reports: each
// message's recipient, kind and delivery (state, attempts, last error, next
// attempt), newest first, never its body or link. DeliverPending retries
// what is due and reports, per message, what it could not do.
func ExampleService_ListMessages() {
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	outbox := notify.NewRecorder()
	svc, _ := multiline.New(memory.New(), multiline.WithNotifier(outbox), multiline.WithClock(func() time.Time { return now }),
		multiline.WithLogger(slog.New(slog.DiscardHandler)))
	acme, _ := svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Acme Corp", AdminName: "Ada", AdminEmail: "ada@acme.example"})
	admin, orgID := acme.Admin.ID, acme.Org.ID
	_, _ = svc.AddNumbers(ctx, admin, orgID, []multiline.NumberInput{{Number: "+1 415 555 0101"}, {Number: "+1 415 555 0102"}})
	invite := func(id string) {
		_, err := svc.SaveAndInvite(ctx, admin, orgID, account.Input{
			FirstName: "User", LastName: id, AccountID: id,
			Applications: []org.Application{org.AppMobile}, Email: id + "@acme.example",
		}, multiline.InviteOptions{})
		if err != nil {
			panic(err)
		}
	}

	invite("grace")
	outbox.Fail(errors.New("421 mail server down"))
	now = now.Add(time.Second)
	invite("alan")

	show := func() {
		l, err := svc.ListMessages(ctx, admin, orgID, multiline.Page{Limit: 10})
		if err != nil {
			panic(err)
		}
		for _, m := range l.Items {
			fmt.Printf("%s %s %s attempts=%d last_error=%q\n", m.To, m.Kind, m.State, m.Attempts, m.LastError)
		}
	}
	show()

	// The server comes back; an hour later the retry is due.
	outbox.Fail(nil)
	now = now.Add(time.Hour)
	rep, err := svc.DeliverPending(ctx)
	fmt.Println(rep.Sent, rep.Failed, len(rep.Problems), err)
	show()
	// Output:
	// alan@acme.example invitation Failed attempts=1 last_error="421 mail server down"
	// grace@acme.example invitation Sent attempts=1 last_error=""
	// 1 0 0 <nil>
	// alan@acme.example invitation Sent attempts=2 last_error=""
	// grace@acme.example invitation Sent attempts=1 last_error=""
}

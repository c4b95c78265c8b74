package smtp_test

import (
	"context"
	"log"

	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/notify"
	"github.com/multilinehq/multiline/notify/smtp"
)

// A host creates one Notifier at start-up and routes email to it; SMS goes
// to another notifier. The result is what it passes to
// multiline.WithNotifier.
func ExampleNew() {
	mailer, err := smtp.New(smtp.Config{
		Host:     "smtp.example.com",
		Port:     587,
		From:     "MultiLine <noreply@example.com>",
		Username: "multiline",
		Password: "from-a-secret-store",
		Auth:     smtp.AuthPlain,
		TLS:      smtp.TLSMandatory,
	})
	if err != nil {
		log.Fatal(err)
	}
	sms := notify.NewLogger(nil) // stands in for an SMS gateway
	route := notify.Func(func(ctx context.Context, m invite.Message) error {
		if m.Channel == invite.Email {
			return mailer.Send(ctx, m)
		}
		return sms.Send(ctx, m)
	})
	_ = route
}

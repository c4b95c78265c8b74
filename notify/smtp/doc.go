// Package smtp is the production email notifier: a notify.Notifier that
// delivers invite.Message values of channel invite.Email to an SMTP server,
// built on github.com/wneessen/go-mail.
//
// It lives in its own Go module (github.com/multilinehq/multiline/notify/smtp)
// so that go-mail and its dependencies never enter the core module's go.mod:
// a host that does not send email through SMTP does not download them.
//
// # Wiring
//
// Create one Notifier at start-up and hand it to the service. SMTP carries
// email only, so a host that also invites by SMS routes on the channel:
//
//	mailer, err := smtp.New(smtp.Config{
//		Host:     "smtp.example.com",
//		Port:     587,
//		From:     "MultiLine <noreply@example.com>",
//		Username: "multiline",
//		Password: os.Getenv("SMTP_PASSWORD"),
//		Auth:     smtp.AuthPlain,
//		TLS:      smtp.TLSMandatory,
//	})
//	if err != nil {
//		return err
//	}
//	route := notify.Func(func(ctx context.Context, m invite.Message) error {
//		if m.Channel == invite.Email {
//			return mailer.Send(ctx, m)
//		}
//		return smsGateway.Send(ctx, m)
//	})
//	svc, err := multiline.New(store, multiline.WithNotifier(route))
//
// During development inside this repository the module's go.mod replaces
// github.com/multilinehq/multiline with ../.. ; a host depending on released
// versions needs no replace directive.
//
// # Delivery
//
// Send opens one connection per message: it dials, reads the greeting, says
// EHLO, applies the TLS policy, authenticates, transfers the message and says
// QUIT. The outbox sends messages one at a time and retries failures later,
// so connection reuse would buy little and would add state to keep correct
// across failures; a host sending large volumes should point Host at a local
// relay.
//
// A text-only message is sent as text/plain; a message with HTML as
// multipart/alternative with the text part first. Both are UTF-8, encoded as
// quoted-printable, and the subject is MIME-encoded when it is not ASCII.
//
// The message's IdempotencyKey becomes its Message-ID, <key@domain> where
// domain is the domain of Config.From, and is repeated verbatim in the
// X-MultiLine-Idempotency-Key header. A key that is not valid on the left of
// a Message-ID is replaced there by a hash of itself, so a retried message
// still carries the same Message-ID (see Notifier.MessageID).
//
// # Errors
//
// Every error Send returns is an *Error and matches exactly one of
// ErrPermanent and ErrTemporary with errors.Is. Permanent means sending the
// same message with the same configuration will fail the same way: a 5xx
// reply, a message this notifier cannot send (ErrUnsupportedChannel,
// ErrInvalidMessage), a server that does not offer what the configuration
// requires (ErrStartTLSUnavailable, ErrAuthUnavailable), or a TLS peer that
// cannot be verified. Everything else is temporary: 4xx replies, network
// failures, timeouts and cancellation, and anything not recognised, so that
// an unclassified failure is retried rather than dropped.
//
// A send interrupted after the message data was transferred but before the
// server confirmed it may still have been delivered; it is reported as
// temporary, and the stable Message-ID lets the duplicate that a retry may
// cause be recognised downstream.
package smtp

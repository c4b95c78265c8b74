// Package multiline is the MultiLine provisioning SDK: everything behind a
// MultiLine management portal's Accounts screen, embeddable in a carrier's
// portal, an enterprise admin service or a provisioning job.
//
// A Service wires a Store (store/memory is the embedded default; a
// PostgreSQL store lives in its own module) and a notify.Notifier to the
// domain packages:
//
//   - org: organizations, their tree, their inherited settings;
//   - permissions: administrators, privileges (Accounts, Reports, Setup) and
//     user-permission profiles;
//   - numberpool: business numbers and their states (Available, Reserved,
//     Assigned, Registered, Aging) and the capacity invariant;
//   - account: accounts, their statuses and the validation of every field;
//   - invite: invitations, tokens, SMS consent, outbound messages;
//   - notify: delivering messages.
//
// Every operation takes a context and the acting administrator, and is
// authorized: it needs a privilege on the organization it touches, and an
// administrator learns nothing of an organization it does not cover — an
// organization there is refused exactly like one that does not exist
// (permissions.ErrForbidden), and an account there is not found exactly like
// one that does not exist (mlerr.ErrNotFound). The calls that set a tenant up
// or run the outbox (CreateTenant, DeliverPending, RunDelivery) are the
// host's own and take no administrator.
//
// Every operation happens whole or not at all: it runs in one store
// transaction, together with the audit events it writes and the messages it
// queues. Messages are delivered only after that transaction commits (the
// outbox, SPEC §7); a failed delivery never fails the operation, it is retried
// by DeliverPending with exponential backoff and jitter. A message in a final
// state (Sent, Cancelled, Abandoned) never changes again, outcomes are
// recorded per message, and DeliverPending goes on past one message's trouble,
// reporting it in DeliveryReport.Problems. ListMessages is the outbox view.
//
// Errors: bad input gets every field error at once, joined, each a
// *mlerr.FieldError that names the field, the rule and its stable code;
// callers test the kind of failure with errors.Is against mlerr.ErrInvalid,
// mlerr.ErrNotFound, mlerr.ErrAlreadyExists, permissions.ErrForbidden,
// numberpool.ErrNotEnoughNumbers, numberpool.ErrNotAvailable and
// invite.ErrConsentRequired. Every refusal an administrator or end user can
// meet also carries a stable code, which mlerr.CodeOf returns however the
// error is wrapped: a field error's own ("first_name.required"), a
// sentinel's ("forbidden", "not_found", "number.not_enough",
// "sms_consent.required", "token.expired", ...) or a structured error's
// (MoveError: "move.not_enough_numbers"; PickError: "number.taken"). An
// internal failure (a store or network error) has none and passes through
// unchanged. Each code is a documented constant beside the rule it names
// (mlerr.CodeNotFound, numberpool.CodeNotEnough, CodeBatchRunning, ...), as
// are the unique keys of a *UniqueError (KeyUsername, ...) and the audit
// actions (ActionAccountCreated, ...).
//
// # Concurrency
//
// Several Service instances may share one store (SPEC §8). A change that
// weighs an organization's capacity locks the organization (Tx.LockOrg)
// before it reads the counts, so such changes of one organization are
// serialized. An import's group of rows is the exception, for throughput:
// it decides its rows on the counts as last committed, writes them, and
// locks the organization last, checking the invariant on the counts its
// writes left (createGroup in batchgroup.go). Concurrent uploads into one
// organization then wait for each other only from a group's last round
// trip to its commit. A group that cannot vouch that its outcome is the
// one the lock-first way gives (a row refused for capacity, the invariant
// broken at the end, the utilization alert's threshold crossed) is rolled
// back and run again the lock-first way, so the report, the counts and the
// alert are always what they would be one group at a time.
//
// # Source files
//
// The rules live in the domain packages; the root holds the recipe of each
// operation: authorize → load → domain rule → write → audit → deliver. Its
// files depend one way: each refers only to files listed before it.
//
//   - id.go: the service's IDs; accountquery.go, store.go: the Store
//     contract; codes.go, auditaction.go: the Service's codes, unique keys
//     and audit actions;
//   - auditjson.go, auditsnapshot.go: the audit log's hand-built JSON;
//   - service.go: the Service, its options, authorize and audit;
//   - audit.go, alert.go: the audit log and the utilization alert;
//   - outbox.go, outboxview.go: delivering messages and the outbox view;
//   - accounts.go: adding accounts (Save, SaveAndInvite) and reading them;
//   - edit.go, lifecycle.go, move.go: editing; resending, activating,
//     suspending, deleting; moving;
//   - setup.go, orgview.go: tenants, organizations, profiles,
//     administrators, number pools, and the organization view;
//   - search.go, export.go: searching and exporting accounts;
//   - batchlease.go, batchgroup.go, batchimport.go, workbook.go: a batch's
//     record and lease, a group of rows, the upload itself.
//
// Decisions where the specification is silent:
//   - New numbers enter a tree at its root (AddNumbers); sub-organizations
//     get theirs by AllocateNumbers and give them back by WithdrawNumbers.
//   - Managing organizations, profiles, administrators and number pools needs
//     Setup; an administrator may grant only privileges it holds itself.
//   - Listing numbers needs Accounts, since administrators pick numbers when
//     they add accounts.
//   - A failed invitation message is retried with capped exponential backoff
//     until its link expires; after DeliveryPolicy.MaxAttempts failures the
//     account shows Invitation Failed until a later attempt succeeds. An
//     admin notification is abandoned after MaxAttempts.
//   - The utilization alert fires when a change takes an organization's share
//     of Assigned and Registered numbers from below its threshold to at or
//     above it (once per crossing, not on every change while above); it is
//     queued to the alert recipients and delivered by DeliverPending.
//   - A batch upload's lifecycle (SPEC §6, see ImportBatch): its record is
//     stored Running with a lease (WithBatchLease, default DefaultBatchLease,
//     one minute), renewed as each group of rows commits and every third of
//     the lease besides; the progress (Done of Total rows and the report
//     lines done) is stored in the same transaction as each group. A
//     store keeps a batch's report lines apart from its header and only
//     appends to them (Tx.AppendBatchRows): each group appends its own
//     lines and updates the header, rather than rewriting every line done
//     so far, which made an upload's cost grow with the square of its
//     rows; the lines are read (Tx.BatchRows) only to show, download, undo
//     or resume a batch, and ListBatches returns headers only. A run
//     that stops early stores it Interrupted; one whose process died or whose
//     last commit failed leaves it Running, and it reads Interrupted once the
//     lease lapses. The same upload under the same idempotency key resumes
//     an Interrupted batch to one Finished record. "The same upload" means
//     the same bytes (SHA-256, stored on the record), mode and profile: a
//     re-upload that differs is refused with ErrBatchFileChanged
//     (batch.file_changed) and changes nothing, rather than mixing two files
//     in one report; such a batch can still be undone, and the new file
//     uploaded under another key. A batch that stopped can be undone too.
//   - No callback (BatchOptions.Progress, OnStart, a notifier's Send) runs
//     inside a store transaction. Validate-only checks every row in one
//     rolled-back transaction, so that each row sees the rows before it as
//     Import would; its Progress steps are reported after that transaction.
//   - An expired invitation still counts as a pending invitation for the
//     capacity invariant until it is resent, redeemed or its account deleted:
//     the portal still shows the account Invited, and a resend must find a
//     number for it.
//   - EditAccount validates the whole edited account under the rules it was
//     created under (the form's, or a CSV row's for an imported account)
//     against its organization's settings as they are now. A changed email
//     or device withdraws a pending invitation only when it changes where
//     the invitation goes (the email, else the device).
//   - The outbox stores an invitation message without its body (SPEC §7
//     asks that the message be stored, queued, in the transaction that
//     caused it, and that nothing be lost by a crash before the send). The
//     call that queues it makes the first attempt with the body it
//     rendered; when DeliverPending sends it (a retry, or after a crash),
//     it renders the body again from what the store keeps: the message's
//     secret (the token, until the message is sent), its invitation (the
//     token's version, the expiry) and the account and organization as
//     they are then. Nothing is lost: everything the body says is stored,
//     in its own record. An account or organization renamed, or templates
//     changed, between two attempts shows in the later one, as it would
//     in a resend. An admin notification, which says what happened at the
//     moment it was queued, is stored whole. The body was two thirds of
//     the bytes an imported row wrote to the outbox (1.8 of 3.6 KB of
//     PostgreSQL WAL): written, and then cleared at the send.
//   - A successful delivery is not an audit event. SPEC §8 audits the
//     changes of accounts, invitations, numbers and batches; a delivery
//     changes none of them, and its outcome is recorded on the message
//     itself (Sent, its time and attempts), which ListMessages and the
//     invitation's Delivery show. A failed attempt and a cancelled message
//     are still audited (message.failed, message.cancelled): they are what
//     an administrator looks into, and rare; an outcome that changes the
//     account's status is audited as that change (account.status_changed).
//     Auditing every delivery cost an imported row a third audit event
//     (0.65 KB of PostgreSQL WAL of its 9.4 KB) for nothing the outbox view
//     does not show.
//   - A search (SearchAccounts, ExportAccounts) with a text lists accounts
//     by the matching text, then oldest first: the order that lets a SQL
//     store read one index range per field (AccountQuery).
package multiline

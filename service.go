package multiline

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/notify"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// Service is the MultiLine provisioning service: every operation of the
// portal's Accounts screen, authorized, validated and stored whole or not at
// all. It is safe for concurrent use, and several Services (in one process or
// many) may share one Store.
type Service struct {
	store      Store
	notifier   notify.Notifier
	now        func() time.Time
	rand       io.Reader
	log        *slog.Logger
	linkBase   string
	delivery   DeliveryPolicy
	quarantine time.Duration
	batchLease time.Duration
	workbook   batch.WorkbookReader // reads .xlsx uploads; nil refuses them
}

// DeliveryPolicy says how the outbox retries a message that failed.
type DeliveryPolicy struct {
	// MaxAttempts is how many failed attempts make an account show
	// Invitation Failed, and after which an admin notification is abandoned.
	MaxAttempts int
	// Backoff is the wait after the first failure; it doubles with each
	// further failure, up to MaxBackoff.
	Backoff    time.Duration
	MaxBackoff time.Duration
	// Lease is how long a message being sent is hidden from other
	// deliverers, so two instances do not send it at once. DeliverPending
	// sends messages 100 at a time under one lease, from the moment it
	// claims them; an import sends each group's invitations (up to
	// batch.MaxGroupSize, 800) under the lease they were queued with at the
	// group's commit. It should exceed the time the notifier takes to send
	// 800.
	Lease time.Duration
}

// DefaultDeliveryPolicy is used where no WithDeliveryPolicy option is given.
var DefaultDeliveryPolicy = DeliveryPolicy{MaxAttempts: 5, Backoff: 30 * time.Second, MaxBackoff: time.Hour, Lease: time.Minute}

// DefaultBatchLease is how long a running batch's lease lasts where no
// WithBatchLease option is given.
const DefaultBatchLease = time.Minute

// Option configures a Service.
type Option func(*Service) error

// WithNotifier delivers messages through n. The default is a notify.Logger on
// slog.Default().
func WithNotifier(n notify.Notifier) Option {
	return func(s *Service) error {
		if n == nil {
			return errors.New("multiline: WithNotifier: nil notifier")
		}
		s.notifier = n
		return nil
	}
}

// WithClock makes the service read the time from now (tests use a fixed one).
func WithClock(now func() time.Time) Option {
	return func(s *Service) error {
		if now == nil {
			return errors.New("multiline: WithClock: nil clock")
		}
		s.now = now
		return nil
	}
}

// WithRandom draws invitation tokens from r instead of crypto/rand. Only tests
// should use it: tokens must be unguessable.
func WithRandom(r io.Reader) Option {
	return func(s *Service) error {
		if r == nil {
			return errors.New("multiline: WithRandom: nil reader")
		}
		s.rand = r
		return nil
	}
}

// WithLogger logs the service's own events (deliveries that failed) to l.
func WithLogger(l *slog.Logger) Option {
	return func(s *Service) error {
		if l == nil {
			return errors.New("multiline: WithLogger: nil logger")
		}
		s.log = l
		return nil
	}
}

// WithActivationURL sets the activation link: the token is appended to base,
// e.g. "https://portal.example.com/activate?token=".
func WithActivationURL(base string) Option {
	return func(s *Service) error {
		if base == "" {
			return errors.New("multiline: WithActivationURL: empty URL")
		}
		s.linkBase = base
		return nil
	}
}

// WithDeliveryPolicy sets how failed messages are retried.
func WithDeliveryPolicy(p DeliveryPolicy) Option {
	return func(s *Service) error {
		if p.MaxAttempts < 1 || p.Backoff <= 0 || p.MaxBackoff < p.Backoff || p.Lease <= 0 {
			return fmt.Errorf("multiline: WithDeliveryPolicy: %+v: need MaxAttempts ≥ 1, 0 < Backoff ≤ MaxBackoff, Lease > 0", p)
		}
		s.delivery = p
		return nil
	}
}

// WithQuarantine makes released numbers go through Aging for d before they
// can be handed out again. The default is none.
func WithQuarantine(d time.Duration) Option {
	return func(s *Service) error {
		if d < 0 {
			return errors.New("multiline: WithQuarantine: negative duration")
		}
		s.quarantine = d
		return nil
	}
}

// New returns a Service on store, configured by opts.
func New(store Store, opts ...Option) (*Service, error) {
	if store == nil {
		return nil, errors.New("multiline: New: nil store")
	}
	s := &Service{
		store:      store,
		notifier:   notify.NewLogger(nil),
		now:        time.Now,
		rand:       rand.Reader,
		log:        slog.Default(),
		linkBase:   "https://multiline.example/activate/",
		delivery:   DefaultDeliveryPolicy,
		batchLease: DefaultBatchLease,
	}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	// Every time the service records is in UTC to the microsecond, what SQL
	// stores keep: a record reads back equal to what was written, whatever
	// the store.
	clock := s.now
	s.now = func() time.Time { return clock().UTC().Truncate(time.Microsecond) }
	return s, nil
}

// newID returns a time-ordered unique ID (UUIDv7), so that records listed by
// ID come out in creation order.
func newID() string { return ids.next() }

// maxDepth bounds an organization tree's depth, so that a corrupt parent link
// cannot loop forever.
const maxDepth = 32

// lineage returns the organization and its ancestors, nearest first. An
// organization that does not exist has an empty lineage.
func lineage(ctx context.Context, tx Tx, id org.ID) ([]org.Org, error) {
	var out []org.Org
	for id != "" {
		if len(out) == maxDepth {
			return nil, fmt.Errorf("multiline: organization tree deeper than %d", maxDepth)
		}
		o, err := tx.Org(ctx, id)
		if errors.Is(err, mlerr.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, o)
		id = o.ParentID
	}
	return out, nil
}

// scope is an authorized administrator's view of one organization.
type scope struct {
	admin    permissions.Admin
	lineage  []org.Org
	ids      []org.ID
	settings org.Effective
	// templates are the organization's invitation texts, parsed once for
	// all the invitations a scope sends (a batch sends up to a thousand).
	templates func() invite.Templates
}

func (sc scope) org() org.Org { return sc.lineage[0] }

// authorize loads the actor and the organization and checks that the actor
// holds priv on it. An unknown actor, an unknown organization and an
// organization the actor does not cover all get the same ErrForbidden.
func authorize(ctx context.Context, tx Tx, actor permissions.AdminID, priv permissions.Privilege, id org.ID) (scope, error) {
	admin, err := tx.Admin(ctx, actor)
	if errors.Is(err, mlerr.ErrNotFound) {
		return scope{}, permissions.ErrForbidden
	}
	if err != nil {
		return scope{}, err
	}
	lin, err := lineage(ctx, tx, id)
	if err != nil {
		return scope{}, err
	}
	ids := org.IDs(lin)
	if err := permissions.Authorize(admin, priv, ids); err != nil {
		return scope{}, err
	}
	e := org.Resolve(lin)
	return scope{admin: admin, lineage: lin, ids: ids, settings: e,
		templates: sync.OnceValue(func() invite.Templates { return invite.OrgTemplates(e) })}, nil
}

// audit appends an audit event to tx.
func (s *Service) audit(ctx context.Context, tx Tx, actor permissions.AdminID, o org.ID, action, subject string, before, after any) error {
	return s.auditJSON(ctx, tx, actor, o, action, subject, snapshot(before), snapshot(after))
}

// auditJSON is audit with the records' snapshots written already: an
// import's rows write theirs with accountJSON, numberJSON and
// invitationJSON, as snapshot would, without boxing each record in an
// interface (an allocation of its own for all but the smallest).
func (s *Service) auditJSON(ctx context.Context, tx Tx, actor permissions.AdminID, o org.ID, action, subject string, before, after json.RawMessage) error {
	return tx.AppendAudit(ctx, AuditEvent{
		ID: newID(), At: s.now(), Actor: actor, OrgID: o, Action: action, Subject: subject,
		Before: before, After: after,
	})
}

// snapshot is the JSON form of a record for the audit log; nil stays nil.
func snapshot(v any) json.RawMessage {
	switch v := v.(type) {
	case nil:
		return nil
	case json.RawMessage:
		return v
	}
	if b, ok := knownSnapshot(v); ok {
		return b
	}
	b, err := json.Marshal(v)
	if err != nil {
		// Every audited record is plain data; this cannot fail for them.
		return json.RawMessage(fmt.Sprintf("%q", err.Error()))
	}
	return b
}

// List is one page of a list, and the cursor of the next (empty at the end).
type List[T any] struct {
	Items []T
	Next  string
}

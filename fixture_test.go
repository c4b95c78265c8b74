package multiline_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/multilinetest"
	"github.com/multilinehq/multiline/notify"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
	"github.com/multilinehq/multiline/store/memory"
)

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fixture is a tree Acme → {Sales, Support} plus an unrelated tenant Globex,
// with administrators of every kind the tests need.
type fixture struct {
	svc     *multiline.Service
	store   multiline.Store
	outbox  *notify.Recorder
	clock   *clock
	acme    multiline.Tenant
	sales   org.Org
	support org.Org
	globex  multiline.Tenant
	tree    multilinetest.Tree

	root         permissions.AdminID // every privilege on Acme
	salesAdmin   permissions.AdminID // Accounts on Sales
	salesReports permissions.AdminID // Reports on Sales
	supportAdmin permissions.AdminID // Accounts on Support
	globexAdmin  permissions.AdminID // every privilege on Globex
}

func newFixture(t testing.TB, opts ...multiline.Option) *fixture {
	t.Helper()
	return newFixtureOn(t, memory.New(), opts...)
}

// newFixtureOn is newFixture on a store of the caller's.
func newFixtureOn(t testing.TB, store multiline.Store, opts ...multiline.Option) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{store: store, outbox: notify.NewRecorder(), clock: &clock{now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}}
	svc, err := multiline.New(f.store, append([]multiline.Option{multiline.WithNotifier(f.outbox), multiline.WithClock(f.clock.Now), multiline.WithLogger(slog.New(slog.DiscardHandler))}, opts...)...)
	require.NoError(t, err)
	f.svc = svc
	f.tree, err = multilinetest.NewTree(ctx, svc)
	require.NoError(t, err)
	f.acme, f.sales, f.support, f.globex = f.tree.Acme, f.tree.Sales, f.tree.Support, f.tree.Globex
	f.root, f.globexAdmin = f.tree.Root(), f.globex.Admin.ID
	f.salesAdmin = f.admin(t, "sales@acme.example", f.sales.ID, permissions.Accounts)
	f.salesReports = f.admin(t, "reports@acme.example", f.sales.ID, permissions.Reports)
	f.supportAdmin = f.admin(t, "support@acme.example", f.support.ID, permissions.Accounts)
	return f
}

func (f *fixture) admin(t testing.TB, email string, o org.ID, privs ...permissions.Privilege) permissions.AdminID {
	t.Helper()
	a, err := f.tree.Admin(context.Background(), f.svc, email, []org.ID{o}, privs...)
	require.NoError(t, err)
	return a
}

// numbers adds numbers to Acme and allocates those for o there.
func (f *fixture) numbers(t testing.TB, o org.ID, in ...multiline.NumberInput) {
	t.Helper()
	require.NoError(t, f.tree.Numbers(context.Background(), f.svc, o, in...))
}

// input is a valid single-form input for user i.
func input(id string) account.Input {
	return account.Input{
		FirstName: "User", LastName: id, AccountID: id,
		Applications: []org.Application{org.AppMobile},
		Email:        id + "@acme.example",
	}
}

func nums(ns ...string) []multiline.NumberInput {
	out := make([]multiline.NumberInput, len(ns))
	for i, n := range ns {
		out[i] = multiline.NumberInput{Number: n}
	}
	return out
}

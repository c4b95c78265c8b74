package multiline_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
	"github.com/multilinehq/multiline/store/faultstore"
	"github.com/multilinehq/multiline/store/memory"
)

// faultWorld is a fixture on a faultstore over a memory store, with a record
// of every kind an operation of the Service may need.
type faultWorld struct {
	*fixture
	fs        *faultstore.Store
	inner     multiline.Store
	saved     account.Account // Not Invited, with a number
	invited   account.Account // Invited, its invitation Sent
	token     string          // invited's activation token
	suspended account.Account
	batchID   string // a finished import of one row
	rootFree  string // an Available number of Acme, not allocated
	salesFree string // an Available number of Sales
}

func newFaultWorld(t *testing.T) *faultWorld {
	t.Helper()
	inner := memory.New()
	fs := faultstore.New(inner)
	w := &faultWorld{fixture: newFixtureOn(t, fs, multiline.WithQuarantine(time.Hour)), fs: fs, inner: inner}
	f := w.fixture
	f.numbers(t, f.sales.ID, nums("+14155550101", "+14155550102", "+14155550103", "+14155550104", "+14155550105",
		"+14155550106", "+14155550107", "+14155550108", "+14155550109")...)
	f.numbers(t, f.acme.Org.ID, nums("+14155550120")...)
	w.rootFree, w.salesFree = "+14155550120", "+14155550104"

	in := input("saved")
	in.AssignNumber = "+14155550101"
	var err error
	w.saved, err = f.svc.Save(ctx, f.root, f.sales.ID, in)
	require.NoError(t, err)
	inv, err := f.svc.SaveAndInvite(ctx, f.root, f.sales.ID, input("invited"), multiline.InviteOptions{})
	require.NoError(t, err)
	w.invited, w.token = inv.Account, f.lastToken(t, "invited@acme.example")

	// A delivery that failed: DeliverPending has it to retry.
	f.outbox.Fail(errors.New("smtp down"))
	_, err = f.svc.SaveAndInvite(ctx, f.root, f.sales.ID, input("retry"), multiline.InviteOptions{})
	require.NoError(t, err)
	f.outbox.Fail(nil)

	w.suspended, err = f.svc.Save(ctx, f.root, f.sales.ID, input("suspended"))
	require.NoError(t, err)
	require.NoError(t, f.svc.Suspend(ctx, f.root, []account.ID{w.suspended.ID}))

	rec, err := f.svc.ImportBatch(ctx, f.root, f.sales.ID, csvOf("Ann,Lee,ann@acme.example,No,,auto,on,,"), multiline.BatchOptions{Mode: batch.Import})
	require.NoError(t, err)
	w.batchID = rec.ID

	// A number in quarantine whose time is up: EndQuarantines has it.
	aged := input("aged")
	aged.AssignNumber = "+14155550105"
	a, err := f.svc.Save(ctx, f.root, f.sales.ID, aged)
	require.NoError(t, err)
	require.NoError(t, f.svc.Delete(ctx, f.root, []account.ID{a.ID}))

	f.clock.Advance(2 * time.Hour)
	return w
}

// storeState is everything the public reads of a store show about the
// world's organizations (and any sub-organization made since), its
// administrators, and the messages and numbers due of any organization.
type storeState struct {
	Orgs        []org.Org
	Admins      []permissions.Admin
	Profiles    []permissions.Profile
	Numbers     []numberpool.Number
	Capacity    []numberpool.Capacity
	Accounts    []account.Account
	Invitations []invite.Invitation
	Messages    []invite.Message
	Batches     []batch.Record
	Audit       []multiline.AuditEvent
	Due         []invite.Message
	Aged        []numberpool.Number
}

func (w *faultWorld) state(t *testing.T) storeState {
	t.Helper()
	var s storeState
	require.NoError(t, w.inner.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		queue := []org.ID{w.acme.Org.ID, w.globex.Org.ID}
		for len(queue) > 0 {
			id := queue[0]
			queue = queue[1:]
			o, err := tx.Org(ctx, id)
			require.NoError(t, err)
			s.Orgs = append(s.Orgs, o)
			kids, err := tx.Children(ctx, id)
			require.NoError(t, err)
			for _, k := range kids {
				queue = append(queue, k.ID)
			}
			ps, err := tx.Profiles(ctx, []org.ID{id})
			require.NoError(t, err)
			s.Profiles = append(s.Profiles, ps...)
			c, err := tx.Capacity(ctx, id)
			require.NoError(t, err)
			s.Capacity = append(s.Capacity, c)
			s.Numbers = append(s.Numbers, all(t, func(p multiline.Page) ([]numberpool.Number, string, error) { return tx.ListNumbers(ctx, id, p) })...)
			as := all(t, func(p multiline.Page) ([]account.Account, string, error) { return tx.ListAccounts(ctx, id, p) })
			s.Accounts = append(s.Accounts, as...)
			for _, a := range as {
				inv, err := tx.Invitation(ctx, a.ID)
				if !errors.Is(err, mlerr.ErrNotFound) {
					require.NoError(t, err)
					s.Invitations = append(s.Invitations, inv)
				}
			}
			s.Messages = append(s.Messages, all(t, func(p multiline.Page) ([]invite.Message, string, error) { return tx.Messages(ctx, id, p) })...)
			s.Batches = append(s.Batches, all(t, func(p multiline.Page) ([]batch.Record, string, error) { return tx.ListBatches(ctx, id, p) })...)
			s.Audit = append(s.Audit, all(t, func(p multiline.Page) ([]multiline.AuditEvent, string, error) {
				return tx.ListAudit(ctx, []org.ID{id}, p)
			})...)
		}
		for _, id := range []permissions.AdminID{w.root, w.salesAdmin, w.salesReports, w.supportAdmin, w.globexAdmin} {
			a, err := tx.Admin(ctx, id)
			require.NoError(t, err)
			s.Admins = append(s.Admins, a)
		}
		var err error
		far := w.clock.Now().Add(1000 * time.Hour)
		s.Due, err = tx.DueMessages(ctx, far, multiline.MaxPageSize)
		require.NoError(t, err)
		s.Aged, err = tx.AgedNumbers(ctx, far, multiline.MaxPageSize)
		require.NoError(t, err)
		return nil
	}))
	return s
}

// diffState names what differs between two states: each list whose items
// differ, with the first item that does.
func diffState(a, b storeState) []string {
	var out []string
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	for i := range va.NumField() {
		fa, fb := va.Field(i), vb.Field(i)
		if reflect.DeepEqual(fa.Interface(), fb.Interface()) {
			continue
		}
		d := fmt.Sprintf("%s: %d items before, %d after", va.Type().Field(i).Name, fa.Len(), fb.Len())
		for j := range min(fa.Len(), fb.Len()) + 1 {
			if j == fa.Len() || j == fb.Len() {
				break
			}
			if !reflect.DeepEqual(fa.Index(j).Interface(), fb.Index(j).Interface()) {
				d += fmt.Sprintf("; item %d was %+v, is %+v", j, fa.Index(j).Interface(), fb.Index(j).Interface())
				break
			}
		}
		out = append(out, d)
	}
	return out
}

// all reads every page of a list.
func all[T any](t *testing.T, list func(multiline.Page) ([]T, string, error)) []T {
	var out []T
	p := multiline.Page{Limit: multiline.MaxPageSize}
	for {
		items, next, err := list(p)
		require.NoError(t, err)
		out = append(out, items...)
		if next == "" {
			return out
		}
		p.After = next
	}
}

// faultOps are every exported operation of the Service, each run on a reusable
// faultWorld, where without a fault it succeeds.
var faultOps = map[string]func(w *faultWorld) error{
	"CreateTenant": func(w *faultWorld) error {
		_, err := w.svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Initech", AdminName: "I", AdminEmail: "i@initech.example"})
		return err
	},
	"CreateOrg": func(w *faultWorld) error {
		_, err := w.svc.CreateOrg(ctx, w.root, w.sales.ID, multiline.OrgInput{Name: "Inside Sales"})
		return err
	},
	"UpdateOrgSettings": func(w *faultWorld) error {
		_, err := w.svc.UpdateOrgSettings(ctx, w.root, w.sales.ID, org.Settings{UtilizationAlert: org.Set(10), AlertRecipients: org.Set([]string{"ops@acme.example"})})
		return err
	},
	"CreateProfile": func(w *faultWorld) error {
		_, err := w.svc.CreateProfile(ctx, w.root, w.sales.ID, multiline.ProfileInput{Name: "Night shift"})
		return err
	},
	"CreateAdmin": func(w *faultWorld) error {
		_, err := w.svc.CreateAdmin(ctx, w.root, multiline.AdminInput{Name: "N", Email: "n@acme.example",
			Roles: []permissions.Role{{Privileges: []permissions.Privilege{permissions.Accounts}, Orgs: []org.ID{w.sales.ID}}}})
		return err
	},
	"AddNumbers": func(w *faultWorld) error {
		_, err := w.svc.AddNumbers(ctx, w.root, w.acme.Org.ID, nums("+14155550130", "+14155550131"))
		return err
	},
	"AllocateNumbers": func(w *faultWorld) error {
		return w.svc.AllocateNumbers(ctx, w.root, w.acme.Org.ID, w.sales.ID, []string{w.rootFree})
	},
	"WithdrawNumbers": func(w *faultWorld) error {
		return w.svc.WithdrawNumbers(ctx, w.root, w.sales.ID, []string{w.salesFree})
	},
	"Save": func(w *faultWorld) error {
		in := input("new")
		in.AssignNumber = "+14155550102"
		_, err := w.svc.Save(ctx, w.root, w.sales.ID, in)
		return err
	},
	"SaveAndInvite": func(w *faultWorld) error {
		_, err := w.svc.SaveAndInvite(ctx, w.root, w.sales.ID, input("new"), multiline.InviteOptions{})
		return err
	},
	"Account": func(w *faultWorld) error {
		_, err := w.svc.Account(ctx, w.root, w.saved.ID)
		return err
	},
	"Invitation": func(w *faultWorld) error {
		_, _, err := w.svc.Invitation(ctx, w.root, w.invited.ID)
		return err
	},
	"ListAccounts": func(w *faultWorld) error {
		_, err := w.svc.ListAccounts(ctx, w.root, w.sales.ID, multiline.Page{})
		return err
	},
	"SearchAccounts": func(w *faultWorld) error {
		l, err := w.svc.SearchAccounts(ctx, w.root, w.sales.ID, multiline.AccountFilter{Query: w.saved.FirstName}, multiline.Page{})
		if err == nil && len(l.Items) == 0 {
			return errors.New("search: nothing found")
		}
		return err
	},
	"ExportAccounts": func(w *faultWorld) error {
		return w.svc.ExportAccounts(ctx, w.root, w.sales.ID, multiline.AccountFilter{}, io.Discard)
	},
	"EditAccount": func(w *faultWorld) error {
		name := "Edited"
		_, err := w.svc.EditAccount(ctx, w.root, w.saved.ID, multiline.AccountEdit{FirstName: &name})
		return err
	},
	"ListNumbers": func(w *faultWorld) error {
		_, err := w.svc.ListNumbers(ctx, w.root, w.sales.ID, multiline.Page{})
		return err
	},
	"ListAudit": func(w *faultWorld) error {
		_, err := w.svc.ListAudit(ctx, w.root, w.acme.Org.ID, multiline.Page{})
		return err
	},
	"ImportBatch": func(w *faultWorld) error {
		for _, mode := range []batch.Mode{batch.Import, batch.ImportInvite, batch.ValidateOnly} {
			// Each mode is run in a world of its own by faultRun's caller
			// through the name; here the modes share one, in turn, so a
			// fault lands in each of them as n grows.
			rec, err := w.svc.ImportBatch(ctx, w.root, w.sales.ID, csvOf(
				"Bo,Ray,bo"+fmt.Sprint(int(mode))+"@acme.example,No,"+map[batch.Mode]string{batch.Import: "+14155550103"}[mode]+",auto,on,,",
				"Cy,Dee,cy"+fmt.Sprint(int(mode))+"@acme.example,No,,auto,on,,"),
				multiline.BatchOptions{Mode: mode, IdempotencyKey: fmt.Sprint("key-", int(mode))})
			if err != nil {
				return err
			}
			if mode != batch.ValidateOnly && rec.Summary.Imported+rec.Summary.Invited != 2 {
				return fmt.Errorf("import %s: %+v %+v", mode, rec.Summary, rec.Rows)
			}
		}
		return nil
	},
	"Batch": func(w *faultWorld) error {
		_, err := w.svc.Batch(ctx, w.root, w.batchID)
		return err
	},
	"ListBatches": func(w *faultWorld) error {
		_, err := w.svc.ListBatches(ctx, w.root, w.sales.ID, multiline.Page{})
		return err
	},
	"WriteBatchReport": func(w *faultWorld) error {
		return w.svc.WriteBatchReport(ctx, w.root, w.batchID, io.Discard)
	},
	"UndoBatch": func(w *faultWorld) error {
		_, err := w.svc.UndoBatch(ctx, w.root, w.batchID)
		return err
	},
	"PreviewInvitation": func(w *faultWorld) error {
		_, err := w.svc.PreviewInvitation(ctx, w.root, w.sales.ID, "it", invite.Email)
		return err
	},
	"Resend": func(w *faultWorld) error {
		_, err := w.svc.Resend(ctx, w.root, []account.ID{w.invited.ID, w.saved.ID}, multiline.InviteOptions{})
		return err
	},
	"ShortList": func(w *faultWorld) error {
		_, err := w.svc.ShortList(ctx, w.token)
		return err
	},
	"Activate": func(w *faultWorld) error {
		_, err := w.svc.Activate(ctx, w.token, "+14155550102")
		return err
	},
	"Suspend": func(w *faultWorld) error {
		return w.svc.Suspend(ctx, w.root, []account.ID{w.saved.ID, w.invited.ID})
	},
	"Reactivate": func(w *faultWorld) error {
		return w.svc.Reactivate(ctx, w.root, []account.ID{w.suspended.ID})
	},
	"Delete": func(w *faultWorld) error {
		return w.svc.Delete(ctx, w.root, []account.ID{w.saved.ID, w.invited.ID})
	},
	"CanMove": func(w *faultWorld) error {
		_, err := w.svc.CanMove(ctx, w.root, []account.ID{w.saved.ID}, w.support.ID, multiline.MoveOptions{})
		return err
	},
	"Move": func(w *faultWorld) error {
		_, err := w.svc.Move(ctx, w.root, []account.ID{w.saved.ID}, w.support.ID, multiline.MoveOptions{})
		return err
	},
	"DeliverPending": func(w *faultWorld) error {
		r, err := w.svc.DeliverPending(ctx)
		if err == nil && len(r.Problems) > 0 {
			// The run went on past a message it could not record; its
			// problems say why.
			return errors.Join(r.Problems...)
		}
		if err == nil && r.Sent == 0 {
			return errors.New("deliver: nothing was due")
		}
		return err
	},
	"ListMessages": func(w *faultWorld) error {
		l, err := w.svc.ListMessages(ctx, w.root, w.invited.OrgID, multiline.Page{})
		if err == nil && len(l.Items) == 0 {
			return errors.New("list messages: none listed")
		}
		return err
	},
	"EndQuarantines": func(w *faultWorld) error {
		n, err := w.svc.EndQuarantines(ctx)
		if err == nil && n == 0 {
			return errors.New("quarantine: nothing ended")
		}
		return err
	},
}

// faultExempt are the exported operations the test does not run, and why.
var faultExempt = map[string]string{
	"RunDelivery": "a loop of DeliverPending and EndQuarantines that logs their errors and returns only when its context ends",
}

// TestEveryOperationCovered: every exported method of *Service is in
// faultOps or faultExempt, so a new operation cannot escape
// TestStoreFailuresPassThrough.
func TestEveryOperationCovered(t *testing.T) {
	st := reflect.TypeFor[*multiline.Service]()
	for i := range st.NumMethod() {
		name := st.Method(i).Name
		_, run := faultOps[name]
		_, exempt := faultExempt[name]
		assert.True(t, run || exempt, "%s: add it to faultOps (or, with the reason, to faultExempt)", name)
	}
}

// TestStoreFailuresPassThrough runs every operation of the Service with a
// store failure injected at its first call, then its second, and so on
// through its last: a failure in the operation's first transaction comes
// back as itself (no code, so not ErrInvalid, ErrForbidden or ErrNotFound)
// and leaves the store as it was. A failure in a later step of an
// operation that commits in steps (the delivery after the commit, an
// import's next group) may be absorbed, and what committed before it
// stays, but it is never turned into a refusal either.
func TestStoreFailuresPassThrough(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every operation hundreds of times")
	}
	names := make([]string, 0, len(faultOps))
	for name := range faultOps {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			op := faultOps[name]
			w := newFaultWorld(t)
			w.fs.FailCall(0)
			require.NoError(t, op(w), "without a fault the operation succeeds")
			calls := w.fs.Calls()
			require.Positive(t, calls)
			// A world is used again after a failure that changed nothing, as
			// the assertions below check; any other run needs a reusable one.
			w, reusable := newFaultWorld(t), true
			for n := 1; n <= calls; n++ {
				if !reusable {
					w = newFaultWorld(t)
				}
				reusable = false
				before := w.state(t)
				w.fs.FailCall(n)
				err := op(w)
				fault := w.fs.Injected()
				require.NotNil(t, fault, "call %d of %d was not made", n, calls)
				at := fmt.Sprintf("call %d of %d (%s)", n, calls, fault.Method)
				if w.fs.CommitsBefore() > 0 {
					// A later step of an operation that commits in steps
					// (the delivery after the commit, an import's groups):
					// it may absorb the failure, and what committed stays,
					// but it never turns the failure into a refusal.
					if err != nil {
						assertStoreFailure(t, err, at)
					}
					continue
				}
				if err == nil && retrying[name] {
					// It took the failed step again and did its work (the
					// op checks that it did).
					continue
				}
				// In the first transaction: the failure itself, and nothing
				// changed.
				if !assertStoreFailure(t, err, at) {
					continue
				}
				diff := diffState(before, w.state(t))
				assert.Empty(t, diff, "%s: the failed operation changed the store", at)
				reusable = len(diff) == 0
			}
		})
	}
}

// retrying names the operations that take a failed step again rather than
// give up: DeliverPending claims each due message alone when claiming them
// together failed (SPEC §7: a run always goes on). A fault may leave no trace
// in their result, provided they still did their work.
var retrying = map[string]bool{"DeliverPending": true}

// assertStoreFailure asserts that err is the injected store failure, and
// nothing an administrator would read as a refusal: no code, not invalid
// input, forbidden or not found.
func assertStoreFailure(t *testing.T, err error, at string) bool {
	t.Helper()
	ok := assert.ErrorIs(t, err, faultstore.ErrInjected, at)
	ok = assert.Empty(t, mlerr.CodeOf(err), "%s: a store failure carries no code", at) && ok
	for _, refusal := range []error{mlerr.ErrInvalid, permissions.ErrForbidden, mlerr.ErrNotFound} {
		ok = assert.NotErrorIs(t, err, refusal, at) && ok
	}
	return ok
}

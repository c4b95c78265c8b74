package multiline_test

import (
	"context"
	"errors"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// The authorization matrix: every exported method of *Service × every kind
// of administrator. A new method must join the table, or
// TestMatrixCoversEveryMethod fails.

// target is what an operation acts on; the matrix swaps in IDs that exist
// nowhere to check that a refusal leaks nothing.
type target struct {
	org  org.ID     // the organization addressed
	acct account.ID // an account of Sales, Invited
}

type matrixOp struct {
	// privs are what the operation needs on the grant organizations.
	privs []permissions.Privilege
	// grant returns the organizations the privileges are needed on
	// (default: Sales).
	grant func(f *fixture) []org.ID
	// tgt returns the target (default: Sales and its invited account).
	tgt  func(f *fixture, acct account.ID) target
	call func(f *fixture, actor permissions.AdminID, tg target) error
	// prep, when set, brings the fixture to the state call acts on.
	prep func(t *testing.T, f *fixture, tg target)
	// host marks the calls that take no administrator: the host's own
	// (CreateTenant, DeliverPending, RunDelivery, EndQuarantines) and the end
	// user's, which the invitation token authorizes (ShortList, Activate;
	// tested in lifecycle_test.go).
	host bool
	// self marks the calls that read the administrator's own view and need
	// no privilege on an organization (OrgTree): every administrator may
	// make them and sees only what it covers; TestOrgTreeByRole holds them
	// to that, role by role.
	self bool
}

var (
	accounts = []permissions.Privilege{permissions.Accounts}
	setup    = []permissions.Privilege{permissions.Setup}
	reports  = []permissions.Privilege{permissions.Reports}
)

func onAcme(f *fixture, _ account.ID) target { return target{org: f.acme.Org.ID} }

// withBatch targets a batch of Sales (its ID in the acct slot, which the
// matrix swaps for a missing one like any other ID).
func withBatch(f *fixture, _ account.ID) target {
	rec, err := f.svc.ImportBatch(ctx, f.root, f.sales.ID, csvOf("W,W,w@acme.example,No,,auto,on,,"), multiline.BatchOptions{})
	if err != nil {
		panic(err)
	}
	return target{org: f.sales.ID, acct: account.ID(rec.ID)}
}

var matrix = map[string]matrixOp{
	"CreateTenant":   {host: true},
	"DeliverPending": {host: true},
	"RunDelivery":    {host: true},
	"EndQuarantines": {host: true},
	"ShortList":      {host: true},
	"Activate":       {host: true},
	"PreviewInvitation": {privs: setup, call: func(f *fixture, a permissions.AdminID, tg target) error {
		_, err := f.svc.PreviewInvitation(ctx, a, tg.org, "it", invite.Email)
		return err
	}},
	"Resend": {privs: accounts, call: func(f *fixture, a permissions.AdminID, tg target) error {
		_, err := f.svc.Resend(ctx, a, []account.ID{tg.acct}, multiline.InviteOptions{})
		return err
	}},
	"Delete": {privs: accounts, call: func(f *fixture, a permissions.AdminID, tg target) error {
		return f.svc.Delete(ctx, a, []account.ID{tg.acct})
	}},
	"Suspend": {privs: accounts, call: func(f *fixture, a permissions.AdminID, tg target) error {
		return f.svc.Suspend(ctx, a, []account.ID{tg.acct})
	}},
	"Reactivate": {privs: accounts,
		prep: func(t *testing.T, f *fixture, tg target) {
			require.NoError(t, f.svc.Suspend(ctx, f.root, []account.ID{tg.acct}))
		},
		call: func(f *fixture, a permissions.AdminID, tg target) error {
			return f.svc.Reactivate(ctx, a, []account.ID{tg.acct})
		}},
	"CreateOrg": {privs: setup, call: func(f *fixture, a permissions.AdminID, tg target) error {
		_, err := f.svc.CreateOrg(ctx, a, tg.org, multiline.OrgInput{Name: "Team"})
		return err
	}},
	"UpdateOrgSettings": {privs: setup, call: func(f *fixture, a permissions.AdminID, tg target) error {
		_, err := f.svc.UpdateOrgSettings(ctx, a, tg.org, org.Settings{SocialMessaging: org.Set(true)})
		return err
	}},
	"CreateProfile": {privs: setup, call: func(f *fixture, a permissions.AdminID, tg target) error {
		_, err := f.svc.CreateProfile(ctx, a, tg.org, multiline.ProfileInput{Name: "CoS"})
		return err
	}},
	"CreateAdmin": {privs: []permissions.Privilege{permissions.Setup, permissions.Accounts}, call: func(f *fixture, a permissions.AdminID, tg target) error {
		_, err := f.svc.CreateAdmin(ctx, a, multiline.AdminInput{Name: "New", Email: "new@acme.example",
			Roles: []permissions.Role{{Privileges: accounts, Orgs: []org.ID{tg.org}}}})
		return err
	}},
	"AddNumbers": {privs: setup, grant: func(f *fixture) []org.ID { return []org.ID{f.acme.Org.ID} }, tgt: onAcme,
		call: func(f *fixture, a permissions.AdminID, tg target) error {
			_, err := f.svc.AddNumbers(ctx, a, tg.org, nums("+14155550999"))
			return err
		}},
	"AllocateNumbers": {privs: setup, grant: func(f *fixture) []org.ID { return []org.ID{f.acme.Org.ID} }, tgt: onAcme,
		call: func(f *fixture, a permissions.AdminID, tg target) error {
			return f.svc.AllocateNumbers(ctx, a, tg.org, f.sales.ID, []string{"+14155550301"})
		}},
	"WithdrawNumbers": {privs: setup, grant: func(f *fixture) []org.ID { return []org.ID{f.acme.Org.ID} },
		call: func(f *fixture, a permissions.AdminID, tg target) error {
			return f.svc.WithdrawNumbers(ctx, a, tg.org, []string{"+14155550102"})
		}},
	"Save": {privs: accounts, call: func(f *fixture, a permissions.AdminID, tg target) error {
		_, err := f.svc.Save(ctx, a, tg.org, input("m1"))
		return err
	}},
	"SaveAndInvite": {privs: accounts, call: func(f *fixture, a permissions.AdminID, tg target) error {
		_, err := f.svc.SaveAndInvite(ctx, a, tg.org, input("m1"), multiline.InviteOptions{})
		return err
	}},
	"ListAccounts": {privs: accounts, call: func(f *fixture, a permissions.AdminID, tg target) error {
		_, err := f.svc.ListAccounts(ctx, a, tg.org, multiline.Page{})
		return err
	}},
	"SearchAccounts": {privs: accounts, call: func(f *fixture, a permissions.AdminID, tg target) error {
		_, err := f.svc.SearchAccounts(ctx, a, tg.org, multiline.AccountFilter{Query: "inv", SubOrgs: true}, multiline.Page{})
		return err
	}},
	"ExportAccounts": {privs: accounts, call: func(f *fixture, a permissions.AdminID, tg target) error {
		return f.svc.ExportAccounts(ctx, a, tg.org, multiline.AccountFilter{}, io.Discard)
	}},
	"EditAccount": {privs: accounts, call: func(f *fixture, a permissions.AdminID, tg target) error {
		name := "Edited"
		_, err := f.svc.EditAccount(ctx, a, tg.acct, multiline.AccountEdit{FirstName: &name})
		return err
	}},
	"ListNumbers": {privs: accounts, call: func(f *fixture, a permissions.AdminID, tg target) error {
		_, err := f.svc.ListNumbers(ctx, a, tg.org, multiline.Page{})
		return err
	}},
	"Account": {privs: accounts, call: func(f *fixture, a permissions.AdminID, tg target) error {
		_, err := f.svc.Account(ctx, a, tg.acct)
		return err
	}},
	"Invitation": {privs: accounts, call: func(f *fixture, a permissions.AdminID, tg target) error {
		_, _, err := f.svc.Invitation(ctx, a, tg.acct)
		return err
	}},
	"CanMove": {privs: accounts, grant: func(f *fixture) []org.ID { return []org.ID{f.sales.ID, f.support.ID} },
		call: func(f *fixture, a permissions.AdminID, tg target) error {
			_, err := f.svc.CanMove(ctx, a, []account.ID{tg.acct}, f.support.ID, multiline.MoveOptions{})
			return err
		}},
	"Move": {privs: accounts, grant: func(f *fixture) []org.ID { return []org.ID{f.sales.ID, f.support.ID} },
		call: func(f *fixture, a permissions.AdminID, tg target) error {
			_, err := f.svc.Move(ctx, a, []account.ID{tg.acct}, f.support.ID, multiline.MoveOptions{})
			return err
		}},
	"ImportBatch": {privs: accounts, call: func(f *fixture, a permissions.AdminID, tg target) error {
		_, err := f.svc.ImportBatch(ctx, a, tg.org, csvOf("M,M,m@acme.example,No,,auto,on,,"), multiline.BatchOptions{})
		return err
	}},
	"Batch": {privs: reports, tgt: withBatch, call: func(f *fixture, a permissions.AdminID, tg target) error {
		_, err := f.svc.Batch(ctx, a, string(tg.acct))
		return err
	}},
	"WriteBatchReport": {privs: reports, tgt: withBatch, call: func(f *fixture, a permissions.AdminID, tg target) error {
		return f.svc.WriteBatchReport(ctx, a, string(tg.acct), io.Discard)
	}},
	"UndoBatch": {privs: accounts, tgt: withBatch, call: func(f *fixture, a permissions.AdminID, tg target) error {
		_, err := f.svc.UndoBatch(ctx, a, string(tg.acct))
		return err
	}},
	"ListBatches": {privs: reports, call: func(f *fixture, a permissions.AdminID, tg target) error {
		_, err := f.svc.ListBatches(ctx, a, tg.org, multiline.Page{})
		return err
	}},
	"ListMessages": {privs: reports, call: func(f *fixture, a permissions.AdminID, tg target) error {
		_, err := f.svc.ListMessages(ctx, a, tg.org, multiline.Page{})
		return err
	}},
	"OrgTree": {self: true, call: func(f *fixture, a permissions.AdminID, _ target) error {
		_, err := f.svc.OrgTree(ctx, a)
		return err
	}},
	"Profiles": {privs: accounts, call: func(f *fixture, a permissions.AdminID, tg target) error {
		_, err := f.svc.Profiles(ctx, a, tg.org)
		return err
	}},
	"WriteBatchTemplate": {privs: accounts, call: func(f *fixture, a permissions.AdminID, tg target) error {
		return f.svc.WriteBatchTemplate(ctx, a, tg.org, io.Discard)
	}},
	"ListAudit": {privs: reports, call: func(f *fixture, a permissions.AdminID, tg target) error {
		_, err := f.svc.ListAudit(ctx, a, tg.org, multiline.Page{})
		return err
	}},
}

// The roles, and whether each may act.
var roles = []struct {
	name  string
	allow bool
}{
	{"needed privilege in the org", true},
	{"only other privileges", false},
	{"admin of another tree", false},
	{"admin of the parent org", true},
	{"admin of a sibling sub-org", false},
	{"admin of both orgs", true},
	{"unknown admin", false},
}

// roleAdmin creates the administrator of a role for op, writing it straight
// to the store (granting across trees is not something an administrator can
// do through the service).
func roleAdmin(t *testing.T, f *fixture, role string, op matrixOp) permissions.AdminID {
	t.Helper()
	grant := []org.ID{f.sales.ID}
	if op.grant != nil {
		grant = op.grant(f)
	}
	var others []permissions.Privilege
	for _, p := range permissions.Privileges {
		if !slices.Contains(op.privs, p) {
			others = append(others, p)
		}
	}
	var rs []permissions.Role
	switch role {
	case "needed privilege in the org":
		rs = []permissions.Role{{Privileges: op.privs, Orgs: grant}}
	case "only other privileges":
		rs = []permissions.Role{{Privileges: others, Orgs: grant}}
	case "admin of another tree":
		rs = []permissions.Role{{Privileges: permissions.Privileges, Orgs: []org.ID{f.globex.Org.ID}}}
	case "admin of the parent org":
		rs = []permissions.Role{{Privileges: op.privs, Orgs: []org.ID{f.acme.Org.ID}}}
	case "admin of a sibling sub-org":
		sib := f.support.ID
		if slices.Contains(grant, sib) {
			sib = f.sales.ID // for moves Support is needed: the sibling is the other one
			rs = []permissions.Role{{Privileges: permissions.Privileges, Orgs: []org.ID{f.support.ID}}}
			break
		}
		rs = []permissions.Role{{Privileges: permissions.Privileges, Orgs: []org.ID{sib}}}
	case "admin of both orgs":
		rs = []permissions.Role{{Privileges: op.privs, Orgs: grant}, {Privileges: permissions.Privileges, Orgs: []org.ID{f.globex.Org.ID}}}
	case "unknown admin":
		return permissions.AdminID(uuid.NewString())
	}
	a := permissions.Admin{ID: permissions.AdminID(uuid.NewString()), Name: role, Roles: rs}
	require.NoError(t, f.store.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error { return tx.CreateAdmin(ctx, a) }))
	return a.ID
}

// matrixFixture is the fixture with what every operation needs to succeed:
// numbers in Acme and Sales, an invited account in Sales.
func matrixFixture(t *testing.T) (*fixture, account.ID) {
	f := newFixture(t)
	f.numbers(t, f.acme.Org.ID, nums("+14155550301")...)
	f.numbers(t, f.sales.ID, nums("+14155550101", "+14155550102", "+14155550103")...)
	f.numbers(t, f.support.ID, nums("+14155550201")...)
	r, err := f.svc.SaveAndInvite(ctx, f.root, f.sales.ID, input("invited"), multiline.InviteOptions{})
	require.NoError(t, err)
	return f, r.Account.ID
}

func TestAuthorizationMatrix(t *testing.T) {
	cells := 0
	for name, op := range matrix {
		if op.host || op.self {
			continue
		}
		for _, role := range roles {
			t.Run(name+"/"+role.name, func(t *testing.T) {
				cells++
				f, acct := matrixFixture(t)
				tg := target{org: f.sales.ID, acct: acct}
				if op.tgt != nil {
					tg = op.tgt(f, acct)
				}
				actor := roleAdmin(t, f, role.name, op)
				if op.prep != nil {
					op.prep(t, f, tg)
				}
				before := f.snapshot(t)
				err := op.call(f, actor, tg)
				if role.allow {
					require.NoError(t, err)
					return
				}
				require.Error(t, err)
				require.True(t, errors.Is(err, permissions.ErrForbidden) || errors.Is(err, mlerr.ErrNotFound),
					"a refusal is forbidden or not found, got %v", err)
				assert.Equal(t, before, f.snapshot(t), "a refusal changes nothing")
				// Same answer for IDs that exist nowhere: no existence leak.
				missing := target{org: org.ID(uuid.NewString()), acct: account.ID(uuid.NewString())}
				err2 := op.call(f, actor, missing)
				require.Error(t, err2)
				norm := func(err error, tg target) string {
					s := err.Error()
					for _, id := range []string{string(tg.org), string(tg.acct)} {
						if id != "" {
							s = strings.ReplaceAll(s, id, "<id>")
						}
					}
					return s
				}
				assert.Equal(t, norm(err, tg), norm(err2, missing), "refusal for an existing ID and a missing one")
			})
		}
	}
	t.Logf("authorization matrix: %d operations × %d roles = %d cells", len(matrix)-hostCalls(), len(roles), cells)
}

// TestMatrixCoversEveryMethod fails when an exported method of *Service is
// missing from the matrix, or when the matrix names one that is gone.
func TestMatrixCoversEveryMethod(t *testing.T) {
	typ := reflect.TypeFor[*multiline.Service]()
	adminType := reflect.TypeFor[permissions.AdminID]()
	var methods []string
	for i := range typ.NumMethod() {
		m := typ.Method(i)
		methods = append(methods, m.Name)
		op, ok := matrix[m.Name]
		if !assert.True(t, ok, "Service.%s is missing from the authorization matrix", m.Name) {
			continue
		}
		// Receiver, ctx, then the acting administrator — except host calls.
		takesActor := m.Type.NumIn() > 2 && m.Type.In(2) == adminType
		assert.Equal(t, !op.host, takesActor, "Service.%s: host calls take no administrator, all others do", m.Name)
	}
	for name := range matrix {
		assert.Contains(t, methods, name, "the matrix names a method Service no longer has")
	}
}

// Host calls act without an administrator; RunDelivery stops with its ctx.
func TestHostCalls(t *testing.T) {
	f := newFixture(t)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, f.svc.RunDelivery(cctx, 1), context.Canceled)
	_, err := f.svc.DeliverPending(ctx)
	assert.NoError(t, err)
}

func hostCalls() int {
	n := 0
	for _, op := range matrix {
		if op.host || op.self {
			n++
		}
	}
	return n
}

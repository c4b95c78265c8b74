package multiline_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// capacity reads an organization's capacity counts straight from the store.
func (f *fixture) capacity(t *testing.T, o org.ID) numberpool.Capacity {
	t.Helper()
	var c numberpool.Capacity
	require.NoError(t, f.store.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		var err error
		c, err = tx.Capacity(ctx, o)
		return err
	}))
	return c
}

func TestMove(t *testing.T) {
	f := newFixture(t)
	f.numbers(t, f.sales.ID, nums("+14155550101", "+14155550102")...)
	withNumber := input("num")
	withNumber.AssignNumber = "+14155550101"
	saved, err := f.svc.Save(ctx, f.root, f.sales.ID, withNumber)
	require.NoError(t, err)
	pending, err := f.svc.SaveAndInvite(ctx, f.root, f.sales.ID, input("pend"), multiline.InviteOptions{})
	require.NoError(t, err)
	ids := []account.ID{saved.ID, pending.Account.ID}

	// Support has no Available number: the pending invitation without a
	// number cannot move there, and nothing moves.
	before := f.snapshot(t)
	_, err = f.svc.CanMove(ctx, f.root, ids, f.support.ID, multiline.MoveOptions{})
	var me *multiline.MoveError
	require.ErrorAs(t, err, &me)
	assert.Equal(t, multiline.MoveCapacityMessage, me.Message)
	assert.ErrorIs(t, err, numberpool.ErrNotEnoughNumbers)
	_, err = f.svc.Move(ctx, f.root, ids, f.support.ID, multiline.MoveOptions{})
	require.ErrorAs(t, err, &me)
	assert.Equal(t, "Unable to move account(s). You do not have enough numbers available in the selected organization", me.Message)
	assert.Equal(t, before, f.snapshot(t), "a refused move changes nothing")

	// The account with a number alone moves, and takes its number along.
	plan, err := f.svc.Move(ctx, f.root, ids[:1], f.support.ID, multiline.MoveOptions{})
	require.NoError(t, err)
	require.Len(t, plan.Accounts, 1)
	assert.Equal(t, "+14155550101", plan.Accounts[0].Number)
	a, err := f.svc.Account(ctx, f.root, saved.ID)
	require.NoError(t, err)
	assert.Equal(t, f.support.ID, a.OrgID)
	l, err := f.svc.ListNumbers(ctx, f.root, f.support.ID, multiline.Page{})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	assert.Equal(t, numberpool.Number{E164: "+14155550101", OrgID: f.support.ID, State: numberpool.Assigned, Account: string(saved.ID), Origin: numberpool.Available}, l.Items[0])
	// The sales admin no longer sees it: it is not found, as if it never was.
	_, err = f.svc.Account(ctx, f.salesAdmin, saved.ID)
	assert.ErrorIs(t, err, mlerr.ErrNotFound)

	// With a number Available in Support, the pending invitation moves too.
	f.numbers(t, f.support.ID, nums("+14155550103")...)
	_, err = f.svc.Move(ctx, f.root, ids[1:], f.support.ID, multiline.MoveOptions{})
	require.NoError(t, err)
	for _, o := range []org.ID{f.sales.ID, f.support.ID} {
		c := f.capacity(t, o)
		assert.LessOrEqual(t, c.Pending, c.Available, "capacity of %s", o)
	}
	assert.Equal(t, numberpool.Capacity{Available: 1, Pending: 1, Held: 1, Total: 2}, f.capacity(t, f.support.ID))
	_, _, err = f.svc.Invitation(ctx, f.supportAdmin, pending.Account.ID)
	require.NoError(t, err, "the invitation moved with its account")
}

func TestMoveAppliesDestinationSettings(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.UpdateOrgSettings(ctx, f.root, f.sales.ID, org.Settings{
		Features: org.Set([]org.Feature{org.FeatureTeamsCalling}), SocialMessaging: org.Set(true),
	})
	require.NoError(t, err)
	salesOnly, err := f.svc.CreateProfile(ctx, f.root, f.sales.ID, multiline.ProfileInput{Name: "Sales CoS"})
	require.NoError(t, err)
	supportCoS, err := f.svc.CreateProfile(ctx, f.root, f.support.ID, multiline.ProfileInput{Name: "Support CoS"})
	require.NoError(t, err)
	in := input("u1")
	in.Profile, in.Features, in.SocialMessaging, in.RestrictIncomingSocial = salesOnly.ID, []org.Feature{org.FeatureTeamsCalling}, true, true
	a, err := f.svc.Save(ctx, f.root, f.sales.ID, in)
	require.NoError(t, err)
	ids := []account.ID{a.ID}

	want := []multiline.Change{
		{Field: "user_permissions", From: string(salesOnly.ID), To: string(f.acme.Profile.ID)},
		{Field: "features", From: "ms_teams_calling", To: "off"},
		{Field: "social_messaging", From: "Yes", To: "No"},
		{Field: "restrict_incoming_social_messaging", From: "true", To: "false"},
	}
	before := f.snapshot(t)
	plan, err := f.svc.CanMove(ctx, f.root, ids, f.support.ID, multiline.MoveOptions{})
	require.NoError(t, err)
	assert.Equal(t, want, plan.Accounts[0].Changes, "the pre-check lists every change")
	assert.Equal(t, before, f.snapshot(t), "the pre-check changes nothing")

	// A profile the destination cannot use is refused; one it can is taken.
	_, err = f.svc.Move(ctx, f.root, ids, f.support.ID, multiline.MoveOptions{Profile: salesOnly.ID})
	require.ErrorIs(t, err, mlerr.ErrInvalid)
	plan, err = f.svc.Move(ctx, f.root, ids, f.support.ID, multiline.MoveOptions{Profile: supportCoS.ID})
	require.NoError(t, err)
	want[0].To = string(supportCoS.ID)
	assert.Equal(t, want, plan.Accounts[0].Changes)
	moved, err := f.svc.Account(ctx, f.root, a.ID)
	require.NoError(t, err)
	assert.Equal(t, supportCoS.ID, moved.ProfileID)
	assert.Empty(t, moved.Features)
	assert.False(t, moved.SocialMessaging)
	assert.False(t, moved.RestrictIncomingSocial)
}

func TestMoveBadInput(t *testing.T) {
	f := newFixture(t)
	a, err := f.svc.Save(ctx, f.root, f.sales.ID, input("u1"))
	require.NoError(t, err)
	g, err := f.svc.Save(ctx, f.globexAdmin, f.globex.Org.ID, input("g1"))
	require.NoError(t, err)
	big := make([]account.ID, multiline.MaxMoveSelection+1)
	for i := range big {
		big[i] = account.ID(fmt.Sprint(i))
	}
	cases := []struct {
		name  string
		actor permissions.AdminID
		ids   []account.ID
		to    org.ID
		is    error
	}{
		{"empty selection", f.root, nil, f.support.ID, mlerr.ErrInvalid},
		{"duplicate in selection", f.root, []account.ID{a.ID, a.ID}, f.support.ID, mlerr.ErrInvalid},
		{"over the maximum", f.root, big, f.support.ID, mlerr.ErrInvalid},
		{"account of another tenant", f.root, []account.ID{a.ID, g.ID}, f.support.ID, mlerr.ErrNotFound},
		{"account that does not exist", f.root, []account.ID{"nope"}, f.support.ID, mlerr.ErrNotFound},
		{"same org", f.root, []account.ID{a.ID}, f.sales.ID, org.ErrMove},
		{"other tree", f.root, []account.ID{a.ID}, f.globex.Org.ID, permissions.ErrForbidden},
		{"other tree, admin of both", f.rootOfBoth(t), []account.ID{a.ID}, f.globex.Org.ID, org.ErrMove},
		{"destination does not exist", f.root, []account.ID{a.ID}, "nowhere", permissions.ErrForbidden},
		{"no Accounts on destination", f.salesAdmin, []account.ID{a.ID}, f.support.ID, permissions.ErrForbidden},
		{"no Accounts on source", f.supportAdmin, []account.ID{a.ID}, f.support.ID, mlerr.ErrNotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := f.snapshot(t)
			_, err := f.svc.CanMove(ctx, c.actor, c.ids, c.to, multiline.MoveOptions{})
			assert.ErrorIs(t, err, c.is, "CanMove")
			_, err = f.svc.Move(ctx, c.actor, c.ids, c.to, multiline.MoveOptions{})
			assert.ErrorIs(t, err, c.is, "Move")
			assert.Equal(t, before, f.snapshot(t))
		})
	}
}

// rootOfBoth is an administrator with every privilege on Acme and Globex.
func (f *fixture) rootOfBoth(t testing.TB) permissions.AdminID {
	t.Helper()
	a, err := f.svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Scratch", AdminName: "Both", AdminEmail: fmt.Sprintf("both%p@x.example", f)})
	require.NoError(t, err)
	// Tenants' first admins cannot grant across trees; write the role
	// directly, as a host provisioning a carrier-wide operator would.
	both := a.Admin
	both.ID = permissions.AdminID("both-" + string(a.Admin.ID))
	both.Email = "both-" + both.Email
	both.Roles = []permissions.Role{{Privileges: permissions.Privileges, Orgs: []org.ID{f.acme.Org.ID, f.globex.Org.ID}}}
	require.NoError(t, f.store.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error { return tx.CreateAdmin(ctx, both) }))
	return both.ID
}

// Two moves and an invitation race for the same destination's last numbers:
// the capacity invariant holds in every organization afterwards.
func TestMoveRaceKeepsCapacity(t *testing.T) {
	f := newFixture(t)
	f.numbers(t, f.sales.ID, nums("+14155550101", "+14155550102", "+14155550103", "+14155550104")...)
	f.numbers(t, f.support.ID, nums("+14155550201", "+14155550202")...)
	var pend []account.ID
	for i := range 4 {
		r, err := f.svc.SaveAndInvite(ctx, f.root, f.sales.ID, input(fmt.Sprintf("p%d", i)), multiline.InviteOptions{})
		require.NoError(t, err)
		pend = append(pend, r.Account.ID)
	}
	var wg sync.WaitGroup
	results := make([]error, 3)
	var imported batch.Record
	wg.Go(func() { _, results[0] = f.svc.Move(ctx, f.root, pend[:2], f.support.ID, multiline.MoveOptions{}) })
	wg.Go(func() { _, results[1] = f.svc.Move(ctx, f.root, pend[2:], f.support.ID, multiline.MoveOptions{}) })
	wg.Go(func() {
		_, results[2] = f.svc.SaveAndInvite(ctx, f.root, f.support.ID, input("s1"), multiline.InviteOptions{})
	})
	wg.Go(func() {
		var err error
		imported, err = f.svc.ImportBatch(ctx, f.root, f.support.ID, csvOf(
			"I,I,i1@acme.example,No,,auto,on,,", "J,J,i2@acme.example,No,,auto,on,,"), multiline.BatchOptions{Mode: batch.ImportInvite})
		assert.NoError(t, err, "an import succeeds as a file even when its rows fail for capacity")
	})
	wg.Wait()
	ok := imported.Summary.Invited
	for _, r := range imported.Rows {
		if r.Status == batch.StatusFailed {
			assert.Equal(t, "number.not_enough", r.ErrorCode, "the refusal's own code, as SaveAndInvite answers it")
		}
	}
	for _, err := range results {
		if err == nil {
			ok++
			continue
		}
		assert.True(t, errors.Is(err, numberpool.ErrNotEnoughNumbers), "unexpected error %v", err)
	}
	for _, o := range []org.ID{f.sales.ID, f.support.ID} {
		c := f.capacity(t, o)
		assert.LessOrEqual(t, c.Pending, c.Available, "capacity of %s", o)
	}
	// Support's two numbers serve exactly two pending invitations, however
	// the race went: a move of two, or an import's two rows, or any two
	// single ones that fit.
	assert.Equal(t, 2, f.capacity(t, f.support.ID).Pending)
	assert.GreaterOrEqual(t, ok, 1)
}

func TestListAudit(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.Save(ctx, f.salesAdmin, f.sales.ID, input("u1"))
	require.NoError(t, err)
	_, err = f.svc.Save(ctx, f.supportAdmin, f.support.ID, input("u2"))
	require.NoError(t, err)

	// Sales reports see Sales only; the root sees the whole tree.
	l, err := f.svc.ListAudit(ctx, f.salesReports, f.sales.ID, multiline.Page{})
	require.NoError(t, err)
	require.NotEmpty(t, l.Items)
	for _, e := range l.Items {
		assert.Equal(t, f.sales.ID, e.OrgID)
	}
	assert.Equal(t, "account.created", l.Items[0].Action, "newest first")
	all, err := f.svc.ListAudit(ctx, f.root, f.acme.Org.ID, multiline.Page{Limit: multiline.MaxPageSize})
	require.NoError(t, err)
	orgs := map[org.ID]bool{}
	for i, e := range all.Items {
		orgs[e.OrgID] = true
		if i > 0 {
			assert.GreaterOrEqual(t, all.Items[i-1].ID, e.ID, "newest first")
		}
	}
	assert.True(t, orgs[f.sales.ID] && orgs[f.support.ID] && orgs[f.acme.Org.ID])
	assert.False(t, orgs[f.globex.Org.ID])

	// Accounts without Reports cannot read it; neither can other tenants.
	_, err = f.svc.ListAudit(ctx, f.salesAdmin, f.sales.ID, multiline.Page{})
	assert.ErrorIs(t, err, permissions.ErrForbidden)
	_, err = f.svc.ListAudit(ctx, f.globexAdmin, f.sales.ID, multiline.Page{})
	assert.ErrorIs(t, err, permissions.ErrForbidden)
}

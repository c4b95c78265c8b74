package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
)

// TestConcurrentEdits races, from two service instances with connections of
// their own, edits that take numbers, Account IDs and usernames against
// saves and an Import & Invite that add pending invitations without a
// number: the capacity invariant holds, no number is held twice, the
// numbers' states agree with their holders, and each contested key goes to
// one account.
func TestConcurrentEdits(t *testing.T) {
	schema := newSchema(t)
	a, b := newInstance(t, schema, 4), newInstance(t, schema, 4)
	ctx := context.Background()
	acme, err := a.svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Acme", AdminName: "Root", AdminEmail: "root@acme.example"})
	require.NoError(t, err)
	root := acme.Admin.ID
	sales, err := a.svc.CreateOrg(ctx, root, acme.Org.ID, multiline.OrgInput{Name: "Sales"})
	require.NoError(t, err)
	const avail = 8
	var ns []multiline.NumberInput
	var es []string
	for i := range avail {
		e := fmt.Sprintf("+1415555%04d", 101+i)
		ns, es = append(ns, multiline.NumberInput{Number: e}), append(es, e)
	}
	_, err = a.svc.AddNumbers(ctx, root, acme.Org.ID, ns)
	require.NoError(t, err)
	require.NoError(t, a.svc.AllocateNumbers(ctx, root, acme.Org.ID, sales.ID, es))
	in := func(id string) account.Input {
		return account.Input{FirstName: "User", LastName: id, AccountID: id,
			Applications: []org.Application{org.AppMobile}, Email: id + "@acme.example"}
	}
	var saved []account.Account
	for i := range 24 {
		s, err := a.svc.Save(ctx, root, sales.ID, in(fmt.Sprintf("s%d", i)))
		require.NoError(t, err)
		saved = append(saved, s)
	}

	var sameID, sameEmail atomic.Int32
	var wg sync.WaitGroup
	check := func(err error, allowed ...error) {
		if err == nil {
			return
		}
		for _, a := range allowed {
			if errors.Is(err, a) {
				return
			}
		}
		t.Error(err)
	}
	for i, s := range saved {
		svc := []*multiline.Service{a.svc, b.svc}[i%2]
		wg.Go(func() {
			n := es[i%avail]
			_, err := svc.EditAccount(ctx, root, s.ID, multiline.AccountEdit{Number: &n})
			check(err, numberpool.ErrNotEnoughNumbers, numberpool.ErrNotAvailable)
		})
		wg.Go(func() {
			_, err := svc.SaveAndInvite(ctx, root, sales.ID, in(fmt.Sprintf("p%d", i)), multiline.InviteOptions{})
			check(err, numberpool.ErrNotEnoughNumbers)
		})
		wg.Go(func() {
			id := "same"
			_, err := svc.EditAccount(ctx, root, s.ID, multiline.AccountEdit{AccountID: &id})
			if err == nil {
				sameID.Add(1)
			} else if mlerr.CodeOf(err) != account.CodeAccountIDExists {
				t.Error(err)
			}
		})
		wg.Go(func() {
			email := "same@acme.example"
			_, err := svc.EditAccount(ctx, root, s.ID, multiline.AccountEdit{Email: &email})
			if err == nil {
				sameEmail.Add(1)
			} else if mlerr.CodeOf(err) != account.CodeUsernameExists {
				t.Error(err)
			}
		})
	}
	wg.Go(func() {
		var rows []string
		for i := range 6 {
			rows = append(rows, fmt.Sprintf("Imp,%d,imp%d@acme.example,No,,auto,on,,", i, i))
		}
		csv := "firstname,lastname,email address or device,social_messaging,multiline_number,monitor_calls,monitor_sms,forwarding_number,Language\n" +
			strings.Join(rows, "\n") + "\n"
		_, err := b.svc.ImportBatch(ctx, root, sales.ID, strings.NewReader(csv), multiline.BatchOptions{Mode: batch.ImportInvite})
		check(err)
	})
	wg.Wait()
	assert.Equal(t, int32(1), sameID.Load(), "one account takes the Account ID")
	assert.Equal(t, int32(1), sameEmail.Load(), "one account takes the username")

	require.NoError(t, a.store.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		c, err := tx.Capacity(ctx, sales.ID)
		require.NoError(t, err)
		assert.LessOrEqual(t, c.Pending, c.Available, "capacity invariant")
		as, _, err := tx.ListAccounts(ctx, sales.ID, multiline.Page{Limit: multiline.MaxPageSize})
		require.NoError(t, err)
		holders := map[string]account.ID{}
		pending := 0
		for _, ac := range as {
			if (ac.Status == account.Invited || ac.Status == account.InvitationFailed) && ac.Number == "" {
				pending++
			}
			if ac.Number != "" {
				_, dup := holders[ac.Number]
				assert.False(t, dup, "number %s held twice", ac.Number)
				holders[ac.Number] = ac.ID
			}
		}
		assert.Equal(t, pending, c.Pending, "the stored pending count is the accounts'")
		nums, _, err := tx.ListNumbers(ctx, sales.ID, multiline.Page{Limit: multiline.MaxPageSize})
		require.NoError(t, err)
		free := 0
		for _, n := range nums {
			if n.State == numberpool.Available {
				free++
			}
			id, held := holders[n.E164]
			assert.Equal(t, held, n.State == numberpool.Assigned, "number %s is %s", n.E164, n.State)
			if held {
				assert.Equal(t, string(id), n.AccountID)
			}
		}
		assert.Equal(t, free, c.Available, "the stored Available count is the numbers'")
		t.Logf("after the race: %d accounts, %d numbers held, %d pending without a number, %d Available", len(as), len(holders), pending, free)
		return nil
	}))
}

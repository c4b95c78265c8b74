package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
)

// transition is one numberpool.Number method, as the service applies it.
type transition struct {
	name string
	do   func(numberpool.Number) (numberpool.Number, error)
}

// The holder a number is assigned to, and the quarantine of an Aging number.
const (
	holder     = "holder-1"
	quarantine = time.Hour
)

var (
	reserve       = transition{"Reserve", func(n numberpool.Number) (numberpool.Number, error) { return n.Reserve("ported") }}
	unreserve     = transition{"Unreserve", numberpool.Number.Unreserve}
	assign        = transition{"Assign", func(n numberpool.Number) (numberpool.Number, error) { return n.Assign(holder) }}
	register      = transition{"Register", numberpool.Number.Register}
	release       = transition{"Release", func(n numberpool.Number) (numberpool.Number, error) { return n.Release(base, 0) }}
	releaseAging  = transition{"ReleaseToAging", func(n numberpool.Number) (numberpool.Number, error) { return n.Release(base, quarantine) }}
	endAging      = transition{"EndAging", func(n numberpool.Number) (numberpool.Number, error) { return n.EndAging(base.Add(2 * quarantine)) }}
	endAgingEarly = transition{"EndAgingEarly", func(n numberpool.Number) (numberpool.Number, error) { return n.EndAging(base.Add(quarantine / 2)) }}

	transitions = []transition{reserve, unreserve, assign, register, release, releaseAging, endAging, endAgingEarly}
)

// testNumberTransitions applies every transition to a stored number in every
// state, stores the result through a Tx and reads it back: an allowed one is
// seen by Number, ListNumbers, PickNumber and Capacity; a refused one returns
// numberpool.ErrTransition and leaves the stored number as it was.
func testNumberTransitions(t *testing.T, newStore func(*testing.T) multiline.Store) {
	// Each starting state is reached from Available by the path given, each
	// step stored in a transaction of its own. allowed maps the transitions
	// the state machine allows from it to the state they lead to; every other
	// transition is refused.
	starts := []struct {
		name    string
		path    []transition
		allowed map[string]numberpool.State
	}{
		{"Available", nil, map[string]numberpool.State{
			reserve.name: numberpool.Reserved, assign.name: numberpool.Assigned,
		}},
		{"Reserved", []transition{reserve}, map[string]numberpool.State{
			unreserve.name: numberpool.Available, assign.name: numberpool.Assigned,
		}},
		{"AssignedFromAvailable", []transition{assign}, map[string]numberpool.State{
			register.name: numberpool.Registered, release.name: numberpool.Available, releaseAging.name: numberpool.Aging,
		}},
		{"AssignedFromReserved", []transition{reserve, assign}, map[string]numberpool.State{
			register.name: numberpool.Registered, release.name: numberpool.Reserved, releaseAging.name: numberpool.Aging,
		}},
		{"RegisteredFromAvailable", []transition{assign, register}, map[string]numberpool.State{
			release.name: numberpool.Available, releaseAging.name: numberpool.Aging,
		}},
		{"RegisteredFromReserved", []transition{reserve, assign, register}, map[string]numberpool.State{
			release.name: numberpool.Reserved, releaseAging.name: numberpool.Aging,
		}},
		{"AgingFromAvailable", []transition{assign, releaseAging}, map[string]numberpool.State{
			endAging.name: numberpool.Available,
		}},
		{"AgingFromReserved", []transition{reserve, assign, register, releaseAging}, map[string]numberpool.State{
			endAging.name: numberpool.Reserved,
		}},
	}
	for _, st := range starts {
		t.Run(st.name, func(t *testing.T) {
			for _, tr := range transitions {
				want, ok := st.allowed[tr.name]
				t.Run(tr.name, func(t *testing.T) {
					f := newFixture(t, newStore)
					o := f.createOrg("")
					n := f.createNumbers(o.ID, 1)[0]
					for _, step := range st.path {
						require.NoError(t, f.apply(n.E164, step), "reaching %s", st.name)
					}
					before := f.number(n.E164)

					err := f.apply(n.E164, tr)
					if !ok {
						require.ErrorIs(t, err, numberpool.ErrTransition)
						f.requireSeen(before)
						return
					}
					require.NoError(t, err)
					wantN, err := tr.do(before)
					require.NoError(t, err)
					require.Equal(t, want, wantN.State)
					got := f.number(n.E164)
					require.Equal(t, wantN, got)
					f.requireSeen(got)
					if before.State != got.State {
						_, err := f.pick(multiline.NumberQuery{Org: o.ID, State: before.State})
						assert.ErrorIs(t, err, mlerr.ErrNotFound, "the number is still picked as %s", before.State)
					}
				})
			}
		})
	}
}

// apply reads a number in a transaction, applies tr and stores the result,
// as the service does; a refused transition fails the transaction.
func (f *fixture) apply(e164 string, tr transition) error {
	return f.do(func(ctx context.Context, tx multiline.Tx) error {
		n, err := tx.Number(ctx, e164)
		if err != nil {
			return err
		}
		if n, err = tr.do(n); err != nil {
			return err
		}
		return tx.UpdateNumber(ctx, n)
	})
}

// requireSeen checks that the only number of n's organization is n, as
// Number, ListNumbers, PickNumber (by state, and by tag for a tagged number)
// and Capacity see it.
func (f *fixture) requireSeen(n numberpool.Number) {
	f.t.Helper()
	t := f.t
	require.Equal(t, n, f.number(n.E164))
	require.Equal(t, []numberpool.Number{n}, listAll(f, numbersOf(n.OrgID)))
	got, err := f.pick(multiline.NumberQuery{Org: n.OrgID, State: n.State})
	require.NoError(t, err, "PickNumber by state %s", n.State)
	require.Equal(t, n, got)
	if n.Tag != "" {
		got, err := f.pick(multiline.NumberQuery{Org: n.OrgID, State: n.State, Tag: n.Tag})
		require.NoError(t, err, "PickNumber by state %s and tag %s", n.State, n.Tag)
		require.Equal(t, n, got)
	}
	want := numberpool.Capacity{Total: 1}
	switch n.State {
	case numberpool.Available:
		want.Available = 1
	case numberpool.Assigned, numberpool.Registered:
		want.Held = 1
	}
	require.Equal(t, want, f.capacity(n.OrgID))
}

// testNumberTransfer checks that UpdateNumber moves a number between
// organizations, as allocation to a sub-organization and withdrawal to the
// parent do: every list, count and pick follows it.
func testNumberTransfer(t *testing.T, newStore func(*testing.T) multiline.Store) {
	f := newFixture(t, newStore)
	parent := f.createOrg("")
	child := f.createOrg(parent.ID)
	ns := f.createNumbers(parent.ID, 3)
	move := func(e164 string, to org.ID) {
		t.Helper()
		f.must(func(ctx context.Context, tx multiline.Tx) error {
			n, err := tx.Number(ctx, e164)
			if err != nil {
				return err
			}
			if n, err = n.Transfer(to); err != nil {
				return err
			}
			return tx.UpdateNumber(ctx, n)
		})
	}

	move(ns[1].E164, child.ID)
	moved := ns[1]
	moved.OrgID = child.ID
	assert.Equal(t, moved, f.number(moved.E164))
	assert.Equal(t, []numberpool.Number{ns[0], ns[2]}, listAll(f, numbersOf(parent.ID)))
	assert.Equal(t, []numberpool.Number{moved}, listAll(f, numbersOf(child.ID)))
	assert.Equal(t, numberpool.Capacity{Available: 2, Total: 2}, f.capacity(parent.ID))
	assert.Equal(t, numberpool.Capacity{Available: 1, Total: 1}, f.capacity(child.ID))
	got, err := f.pick(multiline.NumberQuery{Org: child.ID, State: numberpool.Available})
	require.NoError(t, err)
	assert.Equal(t, moved, got)

	move(ns[1].E164, parent.ID)
	assert.Equal(t, ns, listAll(f, numbersOf(parent.ID)))
	assert.Empty(t, listAll(f, numbersOf(child.ID)))
	assert.Equal(t, numberpool.Capacity{}, f.capacity(child.ID))
	_, err = f.pick(multiline.NumberQuery{Org: child.ID, State: numberpool.Available})
	assert.ErrorIs(t, err, mlerr.ErrNotFound)
}

// testPickNumber checks that PickNumber selects by state and tag, only in
// the organization asked, and sees the transaction's own writes.
func testPickNumber(t *testing.T, newStore func(*testing.T) multiline.Store) {
	f := newFixture(t, newStore)
	a, b, empty := f.createOrg(""), f.createOrg(""), f.createOrg("")

	// Organization a: two untagged Available numbers, one Available number
	// that keeps the PORTED label, Reserved numbers under PORTED and VIP, and
	// one Assigned number. Organization b has numbers of every kind too, so
	// that a pick that strays across organizations finds one.
	mk := func(o org.ID, tag string, path ...transition) numberpool.Number {
		t.Helper()
		n := f.createNumbers(o, 1)[0]
		for _, tr := range path {
			if tr.name == reserve.name {
				tr = transition{"Reserve", func(n numberpool.Number) (numberpool.Number, error) { return n.Reserve(tag) }}
			}
			require.NoError(t, f.apply(n.E164, tr))
		}
		return f.number(n.E164)
	}
	avail := []numberpool.Number{mk(a.ID, ""), mk(a.ID, "")}
	portedLabel := mk(a.ID, "PORTED", reserve, unreserve)
	ported := mk(a.ID, "PORTED", reserve)
	vip := mk(a.ID, "VIP", reserve)
	assigned := mk(a.ID, "", assign)
	for range 3 {
		mk(b.ID, "")
		mk(b.ID, "PORTED", reserve)
		mk(b.ID, "PORTED", reserve, unreserve)
		mk(b.ID, "GOLD", reserve)
		mk(b.ID, "", assign)
	}

	tests := []struct {
		name string
		q    multiline.NumberQuery
		want []numberpool.Number // any one of them; none: ErrNotFound
	}{
		{"AvailableAnyTag", multiline.NumberQuery{Org: a.ID, State: numberpool.Available}, append(avail, portedLabel)},
		{"AvailableByTag", multiline.NumberQuery{Org: a.ID, State: numberpool.Available, Tag: "PORTED"}, []numberpool.Number{portedLabel}},
		{"ReservedAnyTag", multiline.NumberQuery{Org: a.ID, State: numberpool.Reserved}, []numberpool.Number{ported, vip}},
		{"ReservedByTag", multiline.NumberQuery{Org: a.ID, State: numberpool.Reserved, Tag: "PORTED"}, []numberpool.Number{ported}},
		{"ReservedByOtherTag", multiline.NumberQuery{Org: a.ID, State: numberpool.Reserved, Tag: "VIP"}, []numberpool.Number{vip}},
		{"Assigned", multiline.NumberQuery{Org: a.ID, State: numberpool.Assigned}, []numberpool.Number{assigned}},
		{"TagOfAnotherOrg", multiline.NumberQuery{Org: a.ID, State: numberpool.Reserved, Tag: "GOLD"}, nil},
		{"UnknownTag", multiline.NumberQuery{Org: a.ID, State: numberpool.Reserved, Tag: "NOPE"}, nil},
		{"NoneInState", multiline.NumberQuery{Org: a.ID, State: numberpool.Registered}, nil},
		{"EmptyOrg", multiline.NumberQuery{Org: empty.ID, State: numberpool.Available}, nil},
		{"UnknownOrg", multiline.NumberQuery{Org: "no-such-org", State: numberpool.Available}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := f.with(t)
			got, err := f.pick(tt.q)
			if tt.want == nil {
				require.ErrorIs(t, err, mlerr.ErrNotFound)
				return
			}
			require.NoError(t, err)
			assert.Contains(t, tt.want, got)
		})
	}

	// Drain: one transaction picks and assigns until nothing is left. Every
	// pick sees the assignments before it, and never strays into b.
	t.Run("Drain", func(t *testing.T) {
		f := f.with(t)
		picked := get(f, func(ctx context.Context, tx multiline.Tx) ([]numberpool.Number, error) {
			var picked []numberpool.Number
			for range 100 {
				n, err := tx.PickNumber(ctx, multiline.NumberQuery{Org: a.ID, State: numberpool.Available})
				if err != nil {
					if errors.Is(err, mlerr.ErrNotFound) {
						return picked, nil
					}
					return nil, err
				}
				picked = append(picked, n)
				if n, err = n.Assign(holder); err != nil {
					return nil, err
				}
				if err := tx.UpdateNumber(ctx, n); err != nil {
					return nil, err
				}
			}
			return nil, errors.New("PickNumber returned the same numbers again and again")
		})
		assert.ElementsMatch(t, append(avail, portedLabel), picked)
		// a's six numbers: the three Available ones are now Assigned too.
		assert.Equal(t, numberpool.Capacity{Held: 4, Total: 6}, f.capacity(a.ID))
		assert.Equal(t, 3*2, f.capacity(b.ID).Available, "picks in a changed b")
	})
}

// testFreeNumbers checks the short list: up to limit numbers of the
// organization in the state (and under the tag) asked, lowest first.
func testFreeNumbers(t *testing.T, newStore func(*testing.T) multiline.Store) {
	f := newFixture(t, newStore)
	// b's numbers are made first, so they sort before a's: a list that
	// strays across organizations shows them first.
	b, a, empty := f.createOrg(""), f.createOrg(""), f.createOrg("")
	f.createNumbers(b.ID, 3)
	ns := make([]numberpool.Number, 6)
	for i := range ns {
		ns[i] = f.newNumber(a.ID)
	}
	// Stored highest first, so that a list in storage order fails.
	f.must(func(ctx context.Context, tx multiline.Tx) error {
		for _, n := range slices.Backward(ns) {
			if err := tx.CreateNumber(ctx, n); err != nil {
				return err
			}
		}
		return nil
	})
	// ns[1] is Reserved under PORTED, ns[3] Available with the PORTED
	// label it kept, ns[4] Assigned.
	require.NoError(t, f.apply(ns[1].E164, reserve))
	require.NoError(t, f.apply(ns[3].E164, reserve))
	require.NoError(t, f.apply(ns[3].E164, unreserve))
	require.NoError(t, f.apply(ns[4].E164, assign))
	for _, i := range []int{1, 3, 4} {
		ns[i] = f.number(ns[i].E164)
	}

	tests := []struct {
		name  string
		q     multiline.NumberQuery
		limit int
		want  []numberpool.Number
	}{
		{"Lowest", multiline.NumberQuery{Org: a.ID, State: numberpool.Available}, 2, []numberpool.Number{ns[0], ns[2]}},
		{"All", multiline.NumberQuery{Org: a.ID, State: numberpool.Available}, 100, []numberpool.Number{ns[0], ns[2], ns[3], ns[5]}},
		{"Exact", multiline.NumberQuery{Org: a.ID, State: numberpool.Available}, 4, []numberpool.Number{ns[0], ns[2], ns[3], ns[5]}},
		{"ByTag", multiline.NumberQuery{Org: a.ID, State: numberpool.Available, Tag: "PORTED"}, 10, []numberpool.Number{ns[3]}},
		{"Reserved", multiline.NumberQuery{Org: a.ID, State: numberpool.Reserved}, 10, []numberpool.Number{ns[1]}},
		{"Assigned", multiline.NumberQuery{Org: a.ID, State: numberpool.Assigned}, 10, []numberpool.Number{ns[4]}},
		{"UnknownTag", multiline.NumberQuery{Org: a.ID, State: numberpool.Available, Tag: "NOPE"}, 10, nil},
		{"EmptyOrg", multiline.NumberQuery{Org: empty.ID, State: numberpool.Available}, 10, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := f.with(t)
			got := get(f, func(ctx context.Context, tx multiline.Tx) ([]numberpool.Number, error) {
				return tx.FreeNumbers(ctx, tt.q, tt.limit)
			})
			if tt.want == nil {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, tt.want, got)
		})
	}

	// A limit of zero or less asks for nothing: no numbers, and no panic.
	t.Run("NoLimit", func(t *testing.T) {
		f := f.with(t)
		for _, limit := range []int{0, -1} {
			got, err := try(f, func(ctx context.Context, tx multiline.Tx) ([]numberpool.Number, error) {
				return tx.FreeNumbers(ctx, multiline.NumberQuery{Org: a.ID, State: numberpool.Available}, limit)
			})
			if err == nil {
				assert.Empty(t, got, "limit %d", limit)
			}
		}
	})

	// The list sees the transaction's own writes.
	t.Run("OwnWrites", func(t *testing.T) {
		f := f.with(t)
		got, err := try(f, func(ctx context.Context, tx multiline.Tx) ([]numberpool.Number, error) {
			n, err := ns[0].Assign(holder)
			if err != nil {
				return nil, err
			}
			if err := tx.UpdateNumber(ctx, n); err != nil {
				return nil, err
			}
			got, err := tx.FreeNumbers(ctx, multiline.NumberQuery{Org: a.ID, State: numberpool.Available}, 2)
			if err != nil {
				return nil, err
			}
			return got, errRollback
		})
		require.ErrorIs(t, err, errRollback)
		assert.Equal(t, []numberpool.Number{ns[2], ns[3]}, got)
	})
}

// testCapacity checks what Capacity counts: the organization's Available
// numbers, its accounts that are Invited or Invitation Failed and hold no
// number, its Assigned and Registered numbers, and all its numbers; nothing
// of other organizations, parents or children.
func testCapacity(t *testing.T, newStore func(*testing.T) multiline.Store) {
	f := newFixture(t, newStore)
	a, b := f.createOrg(""), f.createOrg("")
	child := f.createOrg(a.ID)

	// a: three Available numbers, one Reserved, one Assigned, one
	// Registered, one Aging. Held counts Assigned and Registered ones,
	// Total all.
	ns := f.createNumbers(a.ID, 7)
	require.NoError(t, f.apply(ns[3].E164, reserve))
	require.NoError(t, f.apply(ns[4].E164, assign))
	require.NoError(t, f.apply(ns[5].E164, assign))
	require.NoError(t, f.apply(ns[5].E164, register))
	require.NoError(t, f.apply(ns[6].E164, assign))
	require.NoError(t, f.apply(ns[6].E164, releaseAging))
	// Numbers elsewhere do not count for a.
	f.createNumbers(b.ID, 2)
	f.createNumbers(child.ID, 4)

	status := func(s account.Status) func(*account.Account) {
		return func(acc *account.Account) { acc.Status = s }
	}
	withNumber := func(acc *account.Account) { acc.Number = ns[4].E164 }
	invited := f.createAccount(a.ID, status(account.Invited))
	f.createAccount(a.ID, status(account.InvitationFailed))
	f.createAccount(a.ID, status(account.Invited), withNumber)
	f.createAccount(a.ID, status(account.InvitationFailed), withNumber)
	f.createAccount(a.ID, status(account.NotInvited))
	f.createAccount(a.ID, status(account.Activated))
	f.createAccount(a.ID, status(account.Suspended), func(acc *account.Account) { acc.SuspendedFrom = account.Invited })
	// Pending accounts elsewhere do not count for a.
	f.createAccount(b.ID, status(account.Invited))
	f.createAccount(child.ID, status(account.InvitationFailed))
	f.createAccount(child.ID, status(account.Invited))

	assert.Equal(t, numberpool.Capacity{Available: 3, Pending: 2, Held: 2, Total: 7}, f.capacity(a.ID))
	assert.Equal(t, numberpool.Capacity{Available: 2, Pending: 1, Total: 2}, f.capacity(b.ID))
	assert.Equal(t, numberpool.Capacity{Available: 4, Pending: 2, Total: 4}, f.capacity(child.ID))
	assert.Equal(t, numberpool.Capacity{}, f.capacity("no-such-org"))

	// Giving the Invited account a number takes it out of the count; moving
	// it to b takes it into b's.
	invited.Number = ns[3].E164
	f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.UpdateAccount(ctx, invited) })
	assert.Equal(t, numberpool.Capacity{Available: 3, Pending: 1, Held: 2, Total: 7}, f.capacity(a.ID))
	invited.Number, invited.OrgID = "", b.ID
	f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.UpdateAccount(ctx, invited) })
	assert.Equal(t, numberpool.Capacity{Available: 3, Pending: 1, Held: 2, Total: 7}, f.capacity(a.ID))
	assert.Equal(t, numberpool.Capacity{Available: 2, Pending: 2, Total: 2}, f.capacity(b.ID))
}

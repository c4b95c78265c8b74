package account_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
)

func ptr[T any](v T) *T { return &v }

func TestEditInput(t *testing.T) {
	a := account.Account{FirstName: "Ann", LastName: "Lee", AccountID: "ann", Email: "ann@example.com",
		Number: "+14155550100", Applications: []org.Application{"mobile"}, RecordCalls: true}
	in := account.Edit{LastName: ptr("Li"), Number: ptr("PORTED"), Features: &[]org.Feature{}}.Input(a)
	assert.Equal(t, "Ann", in.FirstName, "unchanged fields keep the account's values")
	assert.Equal(t, "Li", in.LastName)
	assert.Equal(t, "PORTED", in.AssignNumber)
	assert.Equal(t, []org.Feature{}, in.Features)
	assert.True(t, in.RecordCalls)

	a.Status = account.Activated
	assert.Empty(t, account.Edit{Number: ptr("")}.Input(a).AssignNumber, "an activated account's number is not edited")

	assert.Equal(t, account.SingleForm, account.FormOf(a))
	a.BatchID = "b1"
	assert.Equal(t, account.CSVRow, account.FormOf(a))
}

func TestPlanNumber(t *testing.T) {
	holder := account.Account{Number: "+14155550100", Status: account.Invited}
	none := account.Account{Status: account.NotInvited}
	tag := account.Draft{Number: numberpool.Selector{Tag: "PORTED"}}
	other := account.Draft{Number: numberpool.Selector{E164: "+14155550101"}}
	keeps := func(keep bool) func(numberpool.Selector) (bool, error) {
		return func(numberpool.Selector) (bool, error) { return keep, nil }
	}
	for _, tc := range []struct {
		name   string
		a      account.Account
		d      account.Draft
		edited bool
		keep   bool
		want   account.NumberEdit
	}{
		{"not edited", holder, other, false, false, account.NumberEdit{}},
		{"released", holder, account.Draft{}, true, false, account.NumberEdit{Release: true}},
		{"nothing to release", none, account.Draft{}, true, false, account.NumberEdit{}},
		{"the same number", holder, account.Draft{Number: numberpool.Selector{E164: "+14155550100"}}, true, false, account.NumberEdit{}},
		{"another number", holder, other, true, false, account.NumberEdit{Pick: other.Number, Release: true}},
		{"a first number", none, other, true, false, account.NumberEdit{Pick: other.Number}},
		{"a tag it carries", holder, tag, true, true, account.NumberEdit{}},
		{"a tag it does not carry", holder, tag, true, false, account.NumberEdit{Pick: tag.Number, Release: true}},
		{"activated", account.Account{Number: "+14155550100", Status: account.Activated}, other, true, false, account.NumberEdit{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := account.PlanNumber(tc.a, tc.d, tc.edited, keeps(tc.keep))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	boom := errors.New("store down")
	_, err := account.PlanNumber(holder, tag, true, func(numberpool.Selector) (bool, error) { return false, boom })
	assert.ErrorIs(t, err, boom)
}

func TestWithdrawInvitation(t *testing.T) {
	a := account.Account{Email: "ann@example.com", Status: account.Invited}
	b := a
	b.Email = "ann@example.org"
	got, ok := account.WithdrawInvitation(a, b)
	assert.True(t, ok)
	assert.Equal(t, account.NotInvited, got.Status)

	_, ok = account.WithdrawInvitation(a, a)
	assert.False(t, ok, "same destination")

	s := account.Account{Email: "ann@example.com", Status: account.Suspended, SuspendedFrom: account.InvitationFailed}
	sb := s
	sb.Email = ""
	sb.Device = "+14155550102"
	got, ok = account.WithdrawInvitation(s, sb)
	assert.True(t, ok)
	assert.Equal(t, account.Suspended, got.Status)
	assert.Equal(t, account.NotInvited, got.SuspendedFrom)

	act := account.Account{Email: "ann@example.com", Status: account.Activated}
	actb := act
	actb.Email = "x@example.com"
	_, ok = account.WithdrawInvitation(act, actb)
	assert.False(t, ok, "no pending invitation")
}

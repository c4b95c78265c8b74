package multiline_test

import (
	"context"
	"errors"
	"io"
	"reflect"
	"strings"
	"sync/atomic"
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
	"github.com/multilinehq/multiline/store/memory"
)

// TestSentinelCodes pins the code of every sentinel a host tests with
// errors.Is: the HTTP API and the hosts' translations rely on them.
func TestSentinelCodes(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code string
	}{
		{permissions.ErrForbidden, "forbidden"},
		{mlerr.ErrNotFound, "not_found"},
		{mlerr.ErrAlreadyExists, "already_exists"},
		{mlerr.ErrConflict, "conflict"},
		{mlerr.ErrInvalid, "invalid"},
		{numberpool.ErrNotEnoughNumbers, "number.not_enough"},
		{numberpool.ErrNotAvailable, "number.not_available"},
		{numberpool.ErrTransition, "number.transition"},
		{invite.ErrConsentRequired, "sms_consent.required"},
		{invite.ErrNotInvitable, "account.not_invitable"},
		{invite.ErrTokenUnknown, "token.unknown"},
		{invite.ErrTokenExpired, "token.expired"},
		{invite.ErrTokenUsed, "token.used"},
		{invite.ErrTokenRotated, "token.rotated"},
		{invite.ErrTokenMalformed, "token.malformed"},
		{account.ErrStatus, "account.status"},
		{&account.StatusError{From: account.Activated, To: account.Invited}, "account.status"},
		{org.ErrMove, "move.refused"},
		{multiline.ErrBatchRunning, "batch.running"},
		{multiline.ErrBatchNotUndoable, "batch.not_undoable"},
		{batch.ErrFileRejected, "file.rejected"},
		{&batch.FileError{Reason: batch.ReasonNotCSV}, "not_csv"},
		{&multiline.UniqueError{Key: multiline.KeyUsername, Value: "a@b.example"}, "username.exists"},
		{&multiline.UniqueError{Key: multiline.KeyAccountID, Value: "a1"}, "account_id.exists"},
		{&multiline.MoveError{Message: multiline.MoveCapacityMessage, Err: numberpool.ErrNotEnoughNumbers}, "move.not_enough_numbers"},
		{&multiline.PickError{Reason: "taken", Err: numberpool.ErrNotAvailable, Code: numberpool.CodeTaken}, "number.taken"},
	} {
		t.Run(tc.err.Error(), func(t *testing.T) {
			assert.Equal(t, tc.code, mlerr.CodeOf(tc.err))
			assert.Equal(t, tc.code, mlerr.CodeOf(errors.Join(errors.New("internal"), tc.err)), "found however wrapped")
		})
	}
}

// failingStore fails every transaction once fail is set: an internal
// failure, which carries no code.
type failingStore struct {
	multiline.Store
	fail atomic.Bool
}

var errStoreDown = errors.New("store: connection reset by peer")

func (s *failingStore) Tx(ctx context.Context, fn func(context.Context, multiline.Tx) error) error {
	if s.fail.Load() {
		return errStoreDown
	}
	return s.Store.Tx(ctx, fn)
}

// refusal is one refusal of one operation and the code it must carry.
type refusal struct {
	op   string // the Service method
	name string
	// call returns the refusal, on a fresh fixture whose Sales has the
	// numbers +14155550101 and +14155550102 and an account saved and one
	// invited (with their tokens).
	call func(t *testing.T, f *codeFixture) error
	code string // the exact code
	is   error  // the sentinel the refusal wraps, if any
}

type codeFixture struct {
	*fixture
	store   *failingStore
	saved   account.ID // Not Invited
	invited account.ID // Invited, without a number
	token   string     // invited's token
}

func newCodeFixture(t *testing.T) *codeFixture {
	st := &failingStore{Store: memory.New()}
	f := &codeFixture{fixture: newFixtureOn(t, st), store: st}
	f.numbers(t, f.sales.ID, nums("+14155550101", "+14155550102")...)
	a, err := f.svc.Save(ctx, f.root, f.sales.ID, input("saved"))
	require.NoError(t, err)
	r, err := f.svc.SaveAndInvite(ctx, f.root, f.sales.ID, input("invited"), multiline.InviteOptions{})
	require.NoError(t, err)
	f.saved, f.invited, f.token = a.ID, r.Account.ID, f.lastToken(t, "invited@acme.example")
	return f
}

// sms is an input whose invitation goes by SMS.
func sms(id, device string) account.Input {
	in := input(id)
	in.Email, in.Device = "", device
	return in
}

// activated activates the invited account with the first number of the
// short list.
func (f *codeFixture) activated(t *testing.T) {
	list, err := f.svc.ShortList(ctx, f.token)
	require.NoError(t, err)
	_, err = f.svc.Activate(ctx, f.token, list[0])
	require.NoError(t, err)
}

func (f *codeFixture) importOne(t *testing.T) batch.Record {
	rec, err := f.svc.ImportBatch(ctx, f.root, f.sales.ID, csvOf("W,W,w@acme.example,No,,auto,on,,"), multiline.BatchOptions{})
	require.NoError(t, err)
	return rec
}

var refusals = []refusal{
	// The host's own calls and the end user's.
	{op: "CreateTenant", name: "invalid input", code: "org_name.required", is: mlerr.ErrInvalid, call: func(t *testing.T, f *codeFixture) error {
		_, err := f.svc.CreateTenant(ctx, multiline.TenantInput{AdminName: "A", AdminEmail: "a@new.example"})
		return err
	}},
	{op: "CreateTenant", name: "administrator email taken", code: "admin_email.exists", is: mlerr.ErrAlreadyExists, call: func(t *testing.T, f *codeFixture) error {
		_, err := f.svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "New", AdminName: "A", AdminEmail: "root@acme.example"})
		return err
	}},
	{op: "ShortList", name: "unknown token", code: "token.unknown", is: invite.ErrTokenUnknown, call: func(t *testing.T, f *codeFixture) error {
		_, err := f.svc.ShortList(ctx, "not-a-token")
		return err
	}},
	{op: "ShortList", name: "suspended account", code: "account.status", is: account.ErrStatus, call: func(t *testing.T, f *codeFixture) error {
		require.NoError(t, f.svc.Suspend(ctx, f.root, []account.ID{f.invited}))
		_, err := f.svc.ShortList(ctx, f.token)
		return err
	}},
	{op: "Activate", name: "malformed token", code: "token.unknown", is: invite.ErrTokenUnknown, call: func(t *testing.T, f *codeFixture) error {
		_, err := f.svc.Activate(ctx, "x\r\n", "")
		return err
	}},
	{op: "Activate", name: "used token", code: "token.used", is: invite.ErrTokenUsed, call: func(t *testing.T, f *codeFixture) error {
		f.activated(t)
		_, err := f.svc.Activate(ctx, f.token, "+14155550102")
		return err
	}},
	{op: "Activate", name: "expired token", code: "token.expired", is: invite.ErrTokenExpired, call: func(t *testing.T, f *codeFixture) error {
		f.clock.Advance(8 * 24 * time.Hour)
		_, err := f.svc.Activate(ctx, f.token, "+14155550101")
		return err
	}},
	{op: "Activate", name: "rotated token", code: "token.rotated", is: invite.ErrTokenRotated, call: func(t *testing.T, f *codeFixture) error {
		_, err := f.svc.Resend(ctx, f.root, []account.ID{f.invited}, multiline.InviteOptions{})
		require.NoError(t, err)
		_, err = f.svc.Activate(ctx, f.token, "+14155550101")
		return err
	}},
	{op: "Activate", name: "suspended account", code: "account.status", is: account.ErrStatus, call: func(t *testing.T, f *codeFixture) error {
		require.NoError(t, f.svc.Suspend(ctx, f.root, []account.ID{f.invited}))
		_, err := f.svc.Activate(ctx, f.token, "+14155550101")
		return err
	}},
	{op: "Activate", name: "no number chosen", code: "number.required", is: mlerr.ErrInvalid, call: func(t *testing.T, f *codeFixture) error {
		_, err := f.svc.Activate(ctx, f.token, "")
		return err
	}},
	{op: "Activate", name: "choice not a number", code: "number.format", is: mlerr.ErrInvalid, call: func(t *testing.T, f *codeFixture) error {
		_, err := f.svc.Activate(ctx, f.token, "call me")
		return err
	}},
	{op: "Activate", name: "number taken meanwhile", code: "number.taken", is: numberpool.ErrNotAvailable, call: func(t *testing.T, f *codeFixture) error {
		in := input("holder")
		in.AssignNumber = "+14155550102"
		_, err := f.svc.Save(ctx, f.root, f.sales.ID, in)
		require.NoError(t, err)
		_, err = f.svc.Activate(ctx, f.token, "+14155550102")
		return err
	}},
	{op: "DeliverPending", name: "store failure", code: "", call: func(t *testing.T, f *codeFixture) error {
		f.store.fail.Store(true)
		_, err := f.svc.DeliverPending(ctx)
		return err
	}},
	{op: "EndQuarantines", name: "store failure", code: "", call: func(t *testing.T, f *codeFixture) error {
		f.store.fail.Store(true)
		_, err := f.svc.EndQuarantines(ctx)
		return err
	}},
	{op: "RunDelivery", name: "stopped", code: "", is: context.Canceled, call: func(t *testing.T, f *codeFixture) error {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		return f.svc.RunDelivery(cctx, time.Second)
	}},

	// Adding accounts.
	{op: "Save", name: "forbidden", code: "forbidden", is: permissions.ErrForbidden, call: func(t *testing.T, f *codeFixture) error {
		_, err := f.svc.Save(ctx, f.salesAdmin, f.support.ID, input("x"))
		return err
	}},
	{op: "Save", name: "invalid input", code: "first_name.required", is: mlerr.ErrInvalid, call: func(t *testing.T, f *codeFixture) error {
		in := input("x")
		in.FirstName = ""
		_, err := f.svc.Save(ctx, f.root, f.sales.ID, in)
		return err
	}},
	{op: "Save", name: "username taken", code: "username.exists", is: mlerr.ErrAlreadyExists, call: func(t *testing.T, f *codeFixture) error {
		in := input("saved")
		in.AccountID = "other"
		_, err := f.svc.Save(ctx, f.root, f.sales.ID, in)
		return err
	}},
	{op: "Save", name: "number not available", code: "assign_number.not_available", is: numberpool.ErrNotAvailable, call: func(t *testing.T, f *codeFixture) error {
		in := input("x")
		in.AssignNumber = "+14155550999"
		_, err := f.svc.Save(ctx, f.root, f.sales.ID, in)
		return err
	}},
	{op: "Save", name: "store failure", code: "", call: func(t *testing.T, f *codeFixture) error {
		f.store.fail.Store(true)
		_, err := f.svc.Save(ctx, f.root, f.sales.ID, input("x"))
		return err
	}},
	{op: "SaveAndInvite", name: "consent missing", code: "sms_consent.required", is: invite.ErrConsentRequired, call: func(t *testing.T, f *codeFixture) error {
		_, err := f.svc.SaveAndInvite(ctx, f.root, f.sales.ID, sms("x", "+44 7400 123456"), multiline.InviteOptions{})
		return err
	}},
	{op: "SaveAndInvite", name: "not enough numbers", code: "number.not_enough", is: numberpool.ErrNotEnoughNumbers, call: func(t *testing.T, f *codeFixture) error {
		_, err := f.svc.SaveAndInvite(ctx, f.root, f.sales.ID, input("x"), multiline.InviteOptions{})
		require.NoError(t, err, "the second Available number")
		_, err = f.svc.SaveAndInvite(ctx, f.root, f.sales.ID, input("y"), multiline.InviteOptions{})
		return err
	}},
	{op: "Account", name: "not found", code: "not_found", is: mlerr.ErrNotFound, call: func(t *testing.T, f *codeFixture) error {
		_, err := f.svc.Account(ctx, f.supportAdmin, f.saved)
		return err
	}},
	{op: "Invitation", name: "none", code: "not_found", is: mlerr.ErrNotFound, call: func(t *testing.T, f *codeFixture) error {
		_, _, err := f.svc.Invitation(ctx, f.root, f.saved)
		return err
	}},

	// Actions on a selection.
	{op: "Resend", name: "activated account", code: "account.not_invitable", is: invite.ErrNotInvitable, call: func(t *testing.T, f *codeFixture) error {
		f.activated(t)
		_, err := f.svc.Resend(ctx, f.root, []account.ID{f.invited}, multiline.InviteOptions{})
		return err
	}},
	{op: "Resend", name: "consent missing", code: "sms_consent.required", is: invite.ErrConsentRequired, call: func(t *testing.T, f *codeFixture) error {
		a, err := f.svc.Save(ctx, f.root, f.sales.ID, sms("x", "+44 7400 123456"))
		require.NoError(t, err)
		_, err = f.svc.Resend(ctx, f.root, []account.ID{a.ID}, multiline.InviteOptions{})
		return err
	}},
	{op: "Resend", name: "empty selection", code: "accounts.required", is: mlerr.ErrInvalid, call: func(t *testing.T, f *codeFixture) error {
		_, err := f.svc.Resend(ctx, f.root, nil, multiline.InviteOptions{})
		return err
	}},
	{op: "Delete", name: "account selected twice", code: "accounts.duplicate", is: mlerr.ErrInvalid, call: func(t *testing.T, f *codeFixture) error {
		return f.svc.Delete(ctx, f.root, []account.ID{f.saved, f.saved})
	}},
	{op: "Delete", name: "too many", code: "accounts.too_many", is: mlerr.ErrInvalid, call: func(t *testing.T, f *codeFixture) error {
		return f.svc.Delete(ctx, f.root, make([]account.ID, account.MaxSelection+1))
	}},
	{op: "Delete", name: "not found", code: "not_found", is: mlerr.ErrNotFound, call: func(t *testing.T, f *codeFixture) error {
		return f.svc.Delete(ctx, f.root, []account.ID{"nope"})
	}},
	{op: "Suspend", name: "suspended already", code: "account.status", is: account.ErrStatus, call: func(t *testing.T, f *codeFixture) error {
		require.NoError(t, f.svc.Suspend(ctx, f.root, []account.ID{f.saved}))
		return f.svc.Suspend(ctx, f.root, []account.ID{f.saved})
	}},
	{op: "Reactivate", name: "not suspended", code: "account.status", is: account.ErrStatus, call: func(t *testing.T, f *codeFixture) error {
		return f.svc.Reactivate(ctx, f.root, []account.ID{f.saved})
	}},
	{op: "Reactivate", name: "not enough numbers", code: "number.not_enough", is: numberpool.ErrNotEnoughNumbers, call: func(t *testing.T, f *codeFixture) error {
		require.NoError(t, f.svc.Suspend(ctx, f.root, []account.ID{f.invited}))
		_, err := f.svc.SaveAndInvite(ctx, f.root, f.sales.ID, input("x"), multiline.InviteOptions{})
		require.NoError(t, err)
		_, err = f.svc.SaveAndInvite(ctx, f.root, f.sales.ID, input("y"), multiline.InviteOptions{})
		require.NoError(t, err)
		return f.svc.Reactivate(ctx, f.root, []account.ID{f.invited})
	}},
	{op: "Move", name: "not enough numbers", code: "move.not_enough_numbers", is: numberpool.ErrNotEnoughNumbers, call: func(t *testing.T, f *codeFixture) error {
		_, err := f.svc.Move(ctx, f.root, []account.ID{f.invited}, f.support.ID, multiline.MoveOptions{})
		return err
	}},
	{op: "Move", name: "same organization", code: "move.same_org", is: org.ErrMove, call: func(t *testing.T, f *codeFixture) error {
		_, err := f.svc.Move(ctx, f.root, []account.ID{f.saved}, f.sales.ID, multiline.MoveOptions{})
		return err
	}},
	{op: "Move", name: "destination requires an email", code: account.CodeEmailRequiredOffload, is: mlerr.ErrInvalid, call: func(t *testing.T, f *codeFixture) error {
		a, err := f.svc.Save(ctx, f.root, f.sales.ID, sms("x", "+44 7400 123456"))
		require.NoError(t, err)
		_, err = f.svc.UpdateOrgSettings(ctx, f.root, f.support.ID, org.Settings{SMTPDataOffload: org.Set(true)})
		require.NoError(t, err)
		_, err = f.svc.Move(ctx, f.root, []account.ID{a.ID}, f.support.ID, multiline.MoveOptions{})
		return err
	}},
	{op: "Move", name: "email domain not allowed", code: account.CodeEmailDomainNotAllowed, is: mlerr.ErrInvalid, call: func(t *testing.T, f *codeFixture) error {
		_, err := f.svc.UpdateOrgSettings(ctx, f.root, f.support.ID, org.Settings{EmailDomains: org.Set([]string{"@support.example"})})
		require.NoError(t, err)
		_, err = f.svc.Move(ctx, f.root, []account.ID{f.saved}, f.support.ID, multiline.MoveOptions{})
		return err
	}},
	{op: "CanMove", name: "empty selection", code: "accounts.required", is: mlerr.ErrInvalid, call: func(t *testing.T, f *codeFixture) error {
		_, err := f.svc.CanMove(ctx, f.root, nil, f.support.ID, multiline.MoveOptions{})
		return err
	}},
	{op: "CanMove", name: "profile the destination cannot use", code: account.CodeProfileNotVisible, is: mlerr.ErrInvalid, call: func(t *testing.T, f *codeFixture) error {
		p, err := f.svc.CreateProfile(ctx, f.root, f.sales.ID, multiline.ProfileInput{Name: "Sales CoS"})
		require.NoError(t, err)
		_, err = f.svc.CanMove(ctx, f.root, []account.ID{f.saved}, f.support.ID, multiline.MoveOptions{Profile: p.ID})
		return err
	}},

	// Batches.
	{op: "ImportBatch", name: "file rejected", code: string(batch.ReasonEmpty), is: batch.ErrFileRejected, call: func(t *testing.T, f *codeFixture) error {
		_, err := f.svc.ImportBatch(ctx, f.root, f.sales.ID, strings.NewReader(""), multiline.BatchOptions{})
		return err
	}},
	{op: "ImportBatch", name: "batch running", code: "batch.running", is: multiline.ErrBatchRunning, call: func(t *testing.T, f *codeFixture) error {
		require.NoError(t, f.store.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
			return tx.CreateBatch(ctx, batch.Record{ID: "running", OrgID: f.sales.ID, Actor: f.root, Key: "k", State: batch.Running, Created: f.clock.Now(),
				LeaseUntil: f.clock.Now().Add(time.Hour)}) // a live lease: another run holds it
		}))
		_, err := f.svc.ImportBatch(ctx, f.root, f.sales.ID, csvOf("W,W,w@acme.example,No,,auto,on,,"), multiline.BatchOptions{IdempotencyKey: "k"})
		return err
	}},
	{op: "UndoBatch", name: "undone already", code: "batch.not_undoable", is: multiline.ErrBatchNotUndoable, call: func(t *testing.T, f *codeFixture) error {
		rec := f.importOne(t)
		_, err := f.svc.UndoBatch(ctx, f.root, rec.ID)
		require.NoError(t, err)
		_, err = f.svc.UndoBatch(ctx, f.root, rec.ID)
		return err
	}},
	{op: "Batch", name: "not found", code: "not_found", is: mlerr.ErrNotFound, call: func(t *testing.T, f *codeFixture) error {
		_, err := f.svc.Batch(ctx, f.root, "nope")
		return err
	}},
	{op: "WriteBatchReport", name: "no Reports privilege", code: "not_found", is: mlerr.ErrNotFound, call: func(t *testing.T, f *codeFixture) error {
		rec := f.importOne(t)
		return f.svc.WriteBatchReport(ctx, f.salesAdmin, rec.ID, io.Discard)
	}},

	// Setting up.
	{op: "CreateOrg", name: "invalid input", code: "org_name.required", is: mlerr.ErrInvalid, call: func(t *testing.T, f *codeFixture) error {
		_, err := f.svc.CreateOrg(ctx, f.root, f.acme.Org.ID, multiline.OrgInput{})
		return err
	}},
	{op: "UpdateOrgSettings", name: "invalid input", code: "invitation_ttl.range", is: mlerr.ErrInvalid, call: func(t *testing.T, f *codeFixture) error {
		_, err := f.svc.UpdateOrgSettings(ctx, f.root, f.sales.ID, org.Settings{InvitationTTL: org.Set(time.Minute)})
		return err
	}},
	{op: "CreateProfile", name: "invalid input", code: permissions.CodeProfileNameRequired, is: mlerr.ErrInvalid, call: func(t *testing.T, f *codeFixture) error {
		_, err := f.svc.CreateProfile(ctx, f.root, f.sales.ID, multiline.ProfileInput{})
		return err
	}},
	{op: "CreateAdmin", name: "invalid input", code: "roles.required", is: mlerr.ErrInvalid, call: func(t *testing.T, f *codeFixture) error {
		_, err := f.svc.CreateAdmin(ctx, f.root, multiline.AdminInput{Name: "N", Email: "n@acme.example"})
		return err
	}},
	{op: "AddNumbers", name: "invalid input", code: "number.format", is: mlerr.ErrInvalid, call: func(t *testing.T, f *codeFixture) error {
		_, err := f.svc.AddNumbers(ctx, f.root, f.acme.Org.ID, nums("12"))
		return err
	}},
	{op: "AddNumbers", name: "in a pool already", code: "number.exists", is: mlerr.ErrAlreadyExists, call: func(t *testing.T, f *codeFixture) error {
		_, err := f.svc.AddNumbers(ctx, f.root, f.acme.Org.ID, nums("+14155550101"))
		return err
	}},
	{op: "AllocateNumbers", name: "not a free number", code: "number.not_available", is: numberpool.ErrNotAvailable, call: func(t *testing.T, f *codeFixture) error {
		return f.svc.AllocateNumbers(ctx, f.root, f.acme.Org.ID, f.support.ID, []string{"+14155550101"})
	}},
	{op: "WithdrawNumbers", name: "none selected", code: "numbers.required", is: mlerr.ErrInvalid, call: func(t *testing.T, f *codeFixture) error {
		return f.svc.WithdrawNumbers(ctx, f.root, f.sales.ID, nil)
	}},
	{op: "PreviewInvitation", name: "forbidden", code: "forbidden", is: permissions.ErrForbidden, call: func(t *testing.T, f *codeFixture) error {
		_, err := f.svc.PreviewInvitation(ctx, f.salesAdmin, f.sales.ID, "en", invite.Email)
		return err
	}},
	{op: "ListAudit", name: "store failure", code: "", call: func(t *testing.T, f *codeFixture) error {
		f.store.fail.Store(true)
		_, err := f.svc.ListAudit(ctx, f.root, f.sales.ID, multiline.Page{})
		return err
	}},
}

// TestRefusalCodes calls the refusals of the Service's operations and finds
// the stable code of each, however the operation wrapped it (SPEC §5), and
// no code on an internal failure.
func TestRefusalCodes(t *testing.T) {
	for _, r := range refusals {
		t.Run(r.op+"/"+r.name, func(t *testing.T) {
			f := newCodeFixture(t)
			err := r.call(t, f)
			require.Error(t, err)
			if r.is != nil {
				assert.ErrorIs(t, err, r.is)
			}
			assert.Equal(t, r.code, mlerr.CodeOf(err), "%v", err)
			if r.code == "" && r.is == nil {
				assert.ErrorIs(t, err, errStoreDown, "an internal failure passes through unchanged")
			}
		})
	}
}

// TestEveryOperationRefusesWithACode: every operation that takes an
// administrator refuses one who may not act with a coded error (through the
// authorization matrix, which names every method), and every other one has
// a case in refusals.
func TestEveryOperationRefusesWithACode(t *testing.T) {
	covered := map[string]bool{}
	for _, r := range refusals {
		covered[r.op] = true
	}
	typ := reflect.TypeFor[*multiline.Service]()
	for i := range typ.NumMethod() {
		name := typ.Method(i).Name
		op, ok := matrix[name]
		if !ok || op.host {
			assert.True(t, covered[name], "Service.%s: no refusal in the refusals table", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			f, acct := matrixFixture(t)
			tg := target{org: f.sales.ID, acct: acct}
			if op.tgt != nil {
				tg = op.tgt(f, acct)
			}
			err := op.call(f, "unknown-admin", tg)
			require.Error(t, err)
			assert.Contains(t, []string{permissions.CodeForbidden, mlerr.CodeNotFound}, mlerr.CodeOf(err), "%v", err)
		})
	}
}

// This file wraps every method of multiline.Tx. TestEveryTxMethodWrapped fails
// when store.go gains a method that is not wrapped here.

package faultstore

import (
	"context"
	"time"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// CreateOrg is one counted call.
func (t *tx) CreateOrg(ctx context.Context, o org.Org) (err error) {
	if err = t.s.hit("CreateOrg"); err != nil {
		return
	}
	return t.Tx.CreateOrg(ctx, o)
}

// Org is one counted call.
func (t *tx) Org(ctx context.Context, id org.ID) (r0 org.Org, err error) {
	if err = t.s.hit("Org"); err != nil {
		return
	}
	return t.Tx.Org(ctx, id)
}

// UpdateOrg is one counted call.
func (t *tx) UpdateOrg(ctx context.Context, o org.Org) (err error) {
	if err = t.s.hit("UpdateOrg"); err != nil {
		return
	}
	return t.Tx.UpdateOrg(ctx, o)
}

// Children is one counted call.
func (t *tx) Children(ctx context.Context, id org.ID) (r0 []org.Org, err error) {
	if err = t.s.hit("Children"); err != nil {
		return
	}
	return t.Tx.Children(ctx, id)
}

// LockOrg is one counted call.
func (t *tx) LockOrg(ctx context.Context, id org.ID) (err error) {
	if err = t.s.hit("LockOrg"); err != nil {
		return
	}
	return t.Tx.LockOrg(ctx, id)
}

// CreateAdmin is one counted call.
func (t *tx) CreateAdmin(ctx context.Context, a permissions.Admin) (err error) {
	if err = t.s.hit("CreateAdmin"); err != nil {
		return
	}
	return t.Tx.CreateAdmin(ctx, a)
}

// Admin is one counted call.
func (t *tx) Admin(ctx context.Context, id permissions.AdminID) (r0 permissions.Admin, err error) {
	if err = t.s.hit("Admin"); err != nil {
		return
	}
	return t.Tx.Admin(ctx, id)
}

// CreateProfile is one counted call.
func (t *tx) CreateProfile(ctx context.Context, p permissions.Profile) (err error) {
	if err = t.s.hit("CreateProfile"); err != nil {
		return
	}
	return t.Tx.CreateProfile(ctx, p)
}

// Profiles is one counted call.
func (t *tx) Profiles(ctx context.Context, orgs []org.ID) (r0 []permissions.Profile, err error) {
	if err = t.s.hit("Profiles"); err != nil {
		return
	}
	return t.Tx.Profiles(ctx, orgs)
}

// CreateNumber is one counted call.
func (t *tx) CreateNumber(ctx context.Context, n numberpool.Number) (err error) {
	if err = t.s.hit("CreateNumber"); err != nil {
		return
	}
	return t.Tx.CreateNumber(ctx, n)
}

// Number is one counted call.
func (t *tx) Number(ctx context.Context, e164 string) (r0 numberpool.Number, err error) {
	if err = t.s.hit("Number"); err != nil {
		return
	}
	return t.Tx.Number(ctx, e164)
}

// UpdateNumber is one counted call.
func (t *tx) UpdateNumber(ctx context.Context, n numberpool.Number) (err error) {
	if err = t.s.hit("UpdateNumber"); err != nil {
		return
	}
	return t.Tx.UpdateNumber(ctx, n)
}

// PickNumber is one counted call.
func (t *tx) PickNumber(ctx context.Context, q multiline.NumberQuery) (r0 numberpool.Number, err error) {
	if err = t.s.hit("PickNumber"); err != nil {
		return
	}
	return t.Tx.PickNumber(ctx, q)
}

// FreeNumbers is one counted call.
func (t *tx) FreeNumbers(ctx context.Context, q multiline.NumberQuery, limit int) (r0 []numberpool.Number, err error) {
	if err = t.s.hit("FreeNumbers"); err != nil {
		return
	}
	return t.Tx.FreeNumbers(ctx, q, limit)
}

// AgedNumbers is one counted call.
func (t *tx) AgedNumbers(ctx context.Context, until time.Time, limit int) (r0 []numberpool.Number, err error) {
	if err = t.s.hit("AgedNumbers"); err != nil {
		return
	}
	return t.Tx.AgedNumbers(ctx, until, limit)
}

// ListNumbers is one counted call.
func (t *tx) ListNumbers(ctx context.Context, o org.ID, p multiline.Page) (r0 []numberpool.Number, r1 string, err error) {
	if err = t.s.hit("ListNumbers"); err != nil {
		return
	}
	return t.Tx.ListNumbers(ctx, o, p)
}

// Capacity is one counted call.
func (t *tx) Capacity(ctx context.Context, o org.ID) (r0 numberpool.Capacity, err error) {
	if err = t.s.hit("Capacity"); err != nil {
		return
	}
	return t.Tx.Capacity(ctx, o)
}

// CreateAccount is one counted call.
func (t *tx) CreateAccount(ctx context.Context, a account.Account) (err error) {
	if err = t.s.hit("CreateAccount"); err != nil {
		return
	}
	return t.Tx.CreateAccount(ctx, a)
}

// Account is one counted call.
func (t *tx) Account(ctx context.Context, id account.ID) (r0 account.Account, err error) {
	if err = t.s.hit("Account"); err != nil {
		return
	}
	return t.Tx.Account(ctx, id)
}

// UpdateAccount is one counted call.
func (t *tx) UpdateAccount(ctx context.Context, a account.Account) (err error) {
	if err = t.s.hit("UpdateAccount"); err != nil {
		return
	}
	return t.Tx.UpdateAccount(ctx, a)
}

// DeleteAccount is one counted call.
func (t *tx) DeleteAccount(ctx context.Context, id account.ID) (err error) {
	if err = t.s.hit("DeleteAccount"); err != nil {
		return
	}
	return t.Tx.DeleteAccount(ctx, id)
}

// ListAccounts is one counted call.
func (t *tx) ListAccounts(ctx context.Context, o org.ID, p multiline.Page) (r0 []account.Account, r1 string, err error) {
	if err = t.s.hit("ListAccounts"); err != nil {
		return
	}
	return t.Tx.ListAccounts(ctx, o, p)
}

// CreateInvitation is one counted call.
func (t *tx) CreateInvitation(ctx context.Context, inv invite.Invitation) (err error) {
	if err = t.s.hit("CreateInvitation"); err != nil {
		return
	}
	return t.Tx.CreateInvitation(ctx, inv)
}

// Invitation is one counted call.
func (t *tx) Invitation(ctx context.Context, a account.ID) (r0 invite.Invitation, err error) {
	if err = t.s.hit("Invitation"); err != nil {
		return
	}
	return t.Tx.Invitation(ctx, a)
}

// InvitationByToken is one counted call.
func (t *tx) InvitationByToken(ctx context.Context, hash []byte) (r0 invite.Invitation, err error) {
	if err = t.s.hit("InvitationByToken"); err != nil {
		return
	}
	return t.Tx.InvitationByToken(ctx, hash)
}

// UpdateInvitation is one counted call.
func (t *tx) UpdateInvitation(ctx context.Context, inv invite.Invitation) (err error) {
	if err = t.s.hit("UpdateInvitation"); err != nil {
		return
	}
	return t.Tx.UpdateInvitation(ctx, inv)
}

// Enqueue is one counted call.
func (t *tx) Enqueue(ctx context.Context, m invite.Message) (err error) {
	if err = t.s.hit("Enqueue"); err != nil {
		return
	}
	return t.Tx.Enqueue(ctx, m)
}

// Message is one counted call.
func (t *tx) Message(ctx context.Context, id invite.MessageID) (r0 invite.Message, err error) {
	if err = t.s.hit("Message"); err != nil {
		return
	}
	return t.Tx.Message(ctx, id)
}

// UpdateMessage is one counted call.
func (t *tx) UpdateMessage(ctx context.Context, m invite.Message) (err error) {
	if err = t.s.hit("UpdateMessage"); err != nil {
		return
	}
	return t.Tx.UpdateMessage(ctx, m)
}

// DueMessages is one counted call.
func (t *tx) DueMessages(ctx context.Context, now time.Time, limit int) (r0 []invite.Message, err error) {
	if err = t.s.hit("DueMessages"); err != nil {
		return
	}
	return t.Tx.DueMessages(ctx, now, limit)
}

// Messages is one counted call.
func (t *tx) Messages(ctx context.Context, o org.ID, p multiline.Page) (r0 []invite.Message, r1 string, err error) {
	if err = t.s.hit("Messages"); err != nil {
		return
	}
	return t.Tx.Messages(ctx, o, p)
}

// CreateBatch is one counted call.
func (t *tx) CreateBatch(ctx context.Context, b batch.Record) (err error) {
	if err = t.s.hit("CreateBatch"); err != nil {
		return
	}
	return t.Tx.CreateBatch(ctx, b)
}

// Batch is one counted call.
func (t *tx) Batch(ctx context.Context, id string) (r0 batch.Record, err error) {
	if err = t.s.hit("Batch"); err != nil {
		return
	}
	return t.Tx.Batch(ctx, id)
}

// BatchByKey is one counted call.
func (t *tx) BatchByKey(ctx context.Context, o org.ID, key string) (r0 batch.Record, err error) {
	if err = t.s.hit("BatchByKey"); err != nil {
		return
	}
	return t.Tx.BatchByKey(ctx, o, key)
}

// UpdateBatch is one counted call.
func (t *tx) UpdateBatch(ctx context.Context, b batch.Record) (err error) {
	if err = t.s.hit("UpdateBatch"); err != nil {
		return
	}
	return t.Tx.UpdateBatch(ctx, b)
}

// ListBatches is one counted call.
func (t *tx) ListBatches(ctx context.Context, o org.ID, p multiline.Page) (r0 []batch.Record, r1 string, err error) {
	if err = t.s.hit("ListBatches"); err != nil {
		return
	}
	return t.Tx.ListBatches(ctx, o, p)
}

// AppendBatchRows is one counted call.
func (t *tx) AppendBatchRows(ctx context.Context, id string, rows []batch.ReportRow, accounts []account.ID) (err error) {
	if err = t.s.hit("AppendBatchRows"); err != nil {
		return
	}
	return t.Tx.AppendBatchRows(ctx, id, rows, accounts)
}

// BatchRows is one counted call.
func (t *tx) BatchRows(ctx context.Context, id string) (r0 []batch.ReportRow, r1 []account.ID, err error) {
	if err = t.s.hit("BatchRows"); err != nil {
		return
	}
	return t.Tx.BatchRows(ctx, id)
}

// AppendAudit is one counted call.
func (t *tx) AppendAudit(ctx context.Context, e multiline.AuditEvent) (err error) {
	if err = t.s.hit("AppendAudit"); err != nil {
		return
	}
	return t.Tx.AppendAudit(ctx, e)
}

// ListAudit is one counted call.
func (t *tx) ListAudit(ctx context.Context, orgs []org.ID, p multiline.Page) (r0 []multiline.AuditEvent, r1 string, err error) {
	if err = t.s.hit("ListAudit"); err != nil {
		return
	}
	return t.Tx.ListAudit(ctx, orgs, p)
}

// Numbers is one counted call.
func (t *tx) Numbers(ctx context.Context, e164s []string) (r0 []numberpool.Number, err error) {
	if err = t.s.hit("Numbers"); err != nil {
		return
	}
	return t.Tx.Numbers(ctx, e164s)
}

// AccountConflicts is one counted call.
func (t *tx) AccountConflicts(ctx context.Context, as []account.Account) (r0 []error, err error) {
	if err = t.s.hit("AccountConflicts"); err != nil {
		return
	}
	return t.Tx.AccountConflicts(ctx, as)
}

// CreateAccounts is one counted call.
func (t *tx) CreateAccounts(ctx context.Context, as []account.Account) (err error) {
	if err = t.s.hit("CreateAccounts"); err != nil {
		return
	}
	return t.Tx.CreateAccounts(ctx, as)
}

// CreateInvitations is one counted call.
func (t *tx) CreateInvitations(ctx context.Context, invs []invite.Invitation) (err error) {
	if err = t.s.hit("CreateInvitations"); err != nil {
		return
	}
	return t.Tx.CreateInvitations(ctx, invs)
}

// EnqueueAll is one counted call.
func (t *tx) EnqueueAll(ctx context.Context, ms []invite.Message) (err error) {
	if err = t.s.hit("EnqueueAll"); err != nil {
		return
	}
	return t.Tx.EnqueueAll(ctx, ms)
}

// ListMessages is one counted call.
func (t *tx) ListMessages(ctx context.Context, o org.ID, p multiline.Page) (r0 []invite.Message, r1 string, err error) {
	if err = t.s.hit("ListMessages"); err != nil {
		return
	}
	return t.Tx.ListMessages(ctx, o, p)
}

// SearchAccounts is one counted call.
func (t *tx) SearchAccounts(ctx context.Context, q multiline.AccountQuery, p multiline.Page) (r0 []account.Account, r1 string, err error) {
	if err = t.s.hit("SearchAccounts"); err != nil {
		return
	}
	return t.Tx.SearchAccounts(ctx, q, p)
}

// MessagesByID is one counted call.
func (t *tx) MessagesByID(ctx context.Context, ids []invite.MessageID) (r0 []invite.Message, err error) {
	if err = t.s.hit("MessagesByID"); err != nil {
		return
	}
	return t.Tx.MessagesByID(ctx, ids)
}

// Invitations is one counted call.
func (t *tx) Invitations(ctx context.Context, accounts []account.ID) (r0 []invite.Invitation, err error) {
	if err = t.s.hit("Invitations"); err != nil {
		return
	}
	return t.Tx.Invitations(ctx, accounts)
}

// SwapDeliveries is one counted call.
func (t *tx) SwapDeliveries(ctx context.Context, was, ms []invite.Message) (r0 []bool, err error) {
	if err = t.s.hit("SwapDeliveries"); err != nil {
		return
	}
	return t.Tx.SwapDeliveries(ctx, was, ms)
}

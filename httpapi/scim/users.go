package scim

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
)

// create is POST /Users: Save, or Save & Invite when the client says so;
// a user that arrives inactive is saved, then suspended.
func (h *Handler) create(w http.ResponseWriter, r *http.Request, c Client) {
	o, err := decodeObject(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	next, err := fromResource(o, state{Active: true})
	if err == nil {
		next, err = reconcile(state{}, next)
	}
	if err == nil {
		err = h.checkExternalID(state{}, next)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if next.AccountID == "" {
		// Okta's default mapping sends no employeeNumber; the form requires
		// an Account ID, unique in the organization, as the username is.
		// A mobile number is taken as E.164, the form's Account ID
		// characters having no space.
		next.AccountID = next.UserName
		if e164, err := numberpool.ParseE164(next.UserName); err == nil && !strings.Contains(next.UserName, "@") {
			next.AccountID = e164
		}
	}
	in := account.Input{FirstName: next.Given, LastName: next.Family, AccountID: next.AccountID,
		Applications: c.Applications, Email: next.Email, Device: next.Device, Profile: c.Profile}
	ctx := r.Context()
	var a account.Account
	// A user that arrives inactive is saved, never invited: an invitation
	// to an account that is suspended at once could not be redeemed.
	if c.Invite && next.Active {
		var inv multiline.Invited
		inv, err = h.svc.SaveAndInvite(ctx, c.Admin, c.Org, in, multiline.InviteOptions{SMSConsent: c.SMSConsent})
		a = inv.Account
	} else {
		a, err = h.svc.Save(ctx, c.Admin, c.Org, in)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// Saving and suspending are two transactions: the root has no call
	// that creates an account suspended. A failure between them leaves an
	// active account, which the error reports.
	if !next.Active {
		if err := h.svc.Suspend(ctx, c.Admin, []account.ID{a.ID}); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if h.ext != nil && next.ExternalID != "" {
		if err := h.ext.Set(ctx, c.Org, a.ID, next.ExternalID); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.answer(w, r, c, a.ID, http.StatusCreated)
}

// answer reads the account back and answers it.
func (h *Handler) answer(w http.ResponseWriter, r *http.Request, c Client, id account.ID, status int) {
	a, ext, err := h.load(r.Context(), c, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u := h.resourceOf(r, a, ext)
	if status == http.StatusCreated {
		w.Header().Set("Location", u.Meta.Location)
	}
	h.write(w, status, u)
}

// load reads an account of the client's organization and its externalId;
// an account elsewhere is not found, exactly like one that does not exist.
func (h *Handler) load(ctx context.Context, c Client, id account.ID) (account.Account, string, error) {
	a, err := h.svc.Account(ctx, c.Admin, id)
	if err != nil {
		return account.Account{}, "", err
	}
	if a.OrgID != c.Org {
		return account.Account{}, "", mlerr.ErrNotFound
	}
	var ext string
	if h.ext != nil {
		if ext, err = h.ext.Get(ctx, c.Org, id); err != nil {
			return account.Account{}, "", err
		}
	}
	return a, ext, nil
}

// get is GET /Users/{id}.
func (h *Handler) get(w http.ResponseWriter, r *http.Request, c Client) {
	h.answer(w, r, c, account.ID(r.PathValue("id")), http.StatusOK)
}

// replace is PUT /Users/{id}.
func (h *Handler) replace(w http.ResponseWriter, r *http.Request, c Client) {
	id := account.ID(r.PathValue("id"))
	a, ext, err := h.load(r.Context(), c, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	o, err := decodeObject(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cur := stateOf(a, ext)
	next, err := fromResource(o, cur)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.commit(w, r, c, a, cur, next)
}

// patch is PATCH /Users/{id}.
func (h *Handler) patch(w http.ResponseWriter, r *http.Request, c Client) {
	id := account.ID(r.PathValue("id"))
	a, ext, err := h.load(r.Context(), c, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	o, err := decodeObject(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ops, err := parsePatch(o)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cur := stateOf(a, ext)
	next, err := applyPatch(cur, a.Number, ops)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.commit(w, r, c, a, cur, next)
}

// commit turns the change from cur to next into the Service's calls: an
// edit of the fields that changed, a suspension or a reactivation, and the
// externalId. Each call is its own transaction (the root has no call that
// edits and suspends at once); a deactivation edits first, a reactivation
// reactivates first, so a refused edit leaves the user as active as it was.
func (h *Handler) commit(w http.ResponseWriter, r *http.Request, c Client, a account.Account, cur, next state) {
	next, err := reconcile(cur, next)
	if err == nil {
		err = h.checkExternalID(cur, next)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ctx := r.Context()
	ids := []account.ID{a.ID}
	steps := []func() error{}
	if !next.Active && cur.Active {
		steps = append(steps, func() error { return h.edit(ctx, c, a.ID, cur, next) },
			func() error { return h.svc.Suspend(ctx, c.Admin, ids) })
	} else if next.Active && !cur.Active {
		steps = append(steps, func() error { return h.svc.Reactivate(ctx, c.Admin, ids) },
			func() error { return h.edit(ctx, c, a.ID, cur, next) })
	} else {
		steps = append(steps, func() error { return h.edit(ctx, c, a.ID, cur, next) })
	}
	if h.ext != nil && next.ExternalID != cur.ExternalID {
		steps = append(steps, func() error { return h.ext.Set(ctx, c.Org, a.ID, next.ExternalID) })
	}
	for _, step := range steps {
		if err := step(); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.answer(w, r, c, a.ID, http.StatusOK)
}

// edit edits what changed from cur to next; nothing changed is no call.
func (h *Handler) edit(ctx context.Context, c Client, id account.ID, cur, next state) error {
	var e multiline.AccountEdit
	changed := false
	set := func(dst **string, before, after string) {
		if before != after {
			v := after
			*dst, changed = &v, true
		}
	}
	set(&e.FirstName, cur.Given, next.Given)
	set(&e.LastName, cur.Family, next.Family)
	set(&e.AccountID, cur.AccountID, next.AccountID)
	set(&e.Email, cur.Email, next.Email)
	if next.Device != cur.Device && !(next.Device != "" && samePhone(next.Device, cur.Device)) {
		v := next.Device
		e.Device, changed = &v, true
	}
	if !changed {
		return nil
	}
	_, err := h.svc.EditAccount(ctx, c.Admin, id, e)
	return err
}

// checkExternalID refuses an externalId the handler has no place for.
func (h *Handler) checkExternalID(cur, next state) error {
	if h.ext == nil && next.ExternalID != cur.ExternalID {
		return badRequest(typeInvalidValue, CodeExternalID,
			"externalId cannot be kept: the host configured no place for it (scim.WithExternalIDs)")
	}
	return nil
}

// delete is DELETE /Users/{id}: the account is deleted (Service.Delete),
// as Entra ID's hard delete expects (a later GET is 404); a deprovisioned
// user that should stay is deactivated with active=false instead, which
// both Okta and Entra ID send first.
func (h *Handler) delete(w http.ResponseWriter, r *http.Request, c Client) {
	id := account.ID(r.PathValue("id"))
	ctx := r.Context()
	if _, _, err := h.load(ctx, c, id); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.svc.Delete(ctx, c.Admin, []account.ID{id}); err != nil {
		h.fail(w, r, err)
		return
	}
	if h.ext != nil {
		if err := h.ext.Set(ctx, c.Org, id, ""); err != nil && !errors.Is(err, mlerr.ErrNotFound) {
			h.log.Error("scim: forget externalId", "err", err)
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

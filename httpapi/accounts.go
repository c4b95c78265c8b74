package httpapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// maxSelection is the most IDs one action takes, as on the Accounts screen.
const maxSelection = multiline.MaxMoveSelection

func (h *Handler) saveAccount(w http.ResponseWriter, r *http.Request, actor permissions.AdminID) {
	var in accountInput
	if err := decode(w, r, &in, false); err != nil {
		h.problem(w, r, err)
		return
	}
	o := org.ID(r.PathValue("org"))
	var v accountJSON
	if in.Invite {
		res, err := h.svc.SaveAndInvite(r.Context(), actor, o, in.input(), h.inviteOptions(in.SMSConsent, in.Disclaimer))
		if err != nil {
			h.problem(w, r, err)
			return
		}
		v = invitedView(res)
	} else {
		if in.SMSConsent || in.Disclaimer != "" {
			h.problem(w, r, mlerr.Invalid("sms_consent", "sms_consent.without_invite", "", "SMS consent is attested only with invite"))
			return
		}
		a, err := h.svc.Save(r.Context(), actor, o, in.input())
		if err != nil {
			h.problem(w, r, err)
			return
		}
		v = accountView(a)
	}
	// Relative to /orgs/{org}/accounts, wherever the host mounted the API.
	w.Header().Set("Location", "../../accounts/"+url.PathEscape(v.ID))
	writeJSON(w, http.StatusCreated, v)
}

func (h *Handler) inviteOptions(consent bool, disclaimer string) multiline.InviteOptions {
	if consent && disclaimer == "" {
		disclaimer = h.disclaim
	}
	return multiline.InviteOptions{SMSConsent: consent, Disclaimer: disclaimer}
}

func (h *Handler) getAccount(w http.ResponseWriter, r *http.Request, actor permissions.AdminID) {
	id := account.ID(r.PathValue("id"))
	a, err := h.svc.Account(r.Context(), actor, id)
	if err != nil {
		h.problem(w, r, err)
		return
	}
	v := accountView(a)
	inv, d, err := h.svc.Invitation(r.Context(), actor, id)
	switch {
	case err == nil:
		v.Invitation = invitationView(inv, d)
	case !errors.Is(err, mlerr.ErrNotFound):
		// Not found: a saved account never invited has no invitation.
		h.problem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// idsInput is a selection of accounts.
type idsInput struct {
	IDs []string `json:"ids"`
}

// resendInput is a Resend Invitation.
type resendInput struct {
	IDs        []string `json:"ids"`
	SMSConsent bool     `json:"sms_consent"`
	Disclaimer string   `json:"disclaimer"`
}

// selection checks a selection's size and converts it.
func selection(ids []string) ([]account.ID, error) {
	if len(ids) == 0 || len(ids) > maxSelection {
		return nil, mlerr.Invalid("ids", "ids.count", "", "Select from 1 to 1000 accounts.")
	}
	out := make([]account.ID, len(ids))
	for i, id := range ids {
		out[i] = account.ID(id)
	}
	return out, nil
}

func (h *Handler) resend(w http.ResponseWriter, r *http.Request, actor permissions.AdminID) {
	var in resendInput
	if err := decode(w, r, &in, false); err != nil {
		h.problem(w, r, err)
		return
	}
	ids, err := selection(in.IDs)
	if err != nil {
		h.problem(w, r, err)
		return
	}
	res, err := h.svc.Resend(r.Context(), actor, ids, h.inviteOptions(in.SMSConsent, in.Disclaimer))
	if err != nil {
		h.problem(w, r, err)
		return
	}
	out := struct {
		Items []accountJSON `json:"items"`
	}{Items: make([]accountJSON, len(res))}
	for i, x := range res {
		out.Items[i] = invitedView(x)
	}
	writeJSON(w, http.StatusOK, out)
}

// each runs one of the all-or-nothing actions on a selection.
func (h *Handler) each(w http.ResponseWriter, r *http.Request, actor permissions.AdminID,
	act func(context.Context, permissions.AdminID, []account.ID) error) {
	var in idsInput
	if err := decode(w, r, &in, false); err != nil {
		h.problem(w, r, err)
		return
	}
	ids, err := selection(in.IDs)
	if err != nil {
		h.problem(w, r, err)
		return
	}
	if err := act(r.Context(), actor, ids); err != nil {
		h.problem(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) suspend(w http.ResponseWriter, r *http.Request, actor permissions.AdminID) {
	h.each(w, r, actor, h.svc.Suspend)
}

func (h *Handler) reactivate(w http.ResponseWriter, r *http.Request, actor permissions.AdminID) {
	h.each(w, r, actor, h.svc.Reactivate)
}

func (h *Handler) deleteAccounts(w http.ResponseWriter, r *http.Request, actor permissions.AdminID) {
	h.each(w, r, actor, h.svc.Delete)
}

// moveInput is a move, or its check.
type moveInput struct {
	IDs     []string `json:"ids"`
	To      string   `json:"to"`
	Profile string   `json:"profile"`
}

func (h *Handler) checkMove(w http.ResponseWriter, r *http.Request, actor permissions.AdminID) {
	h.moveWith(w, r, actor, (*multiline.Service).CanMove)
}

func (h *Handler) move(w http.ResponseWriter, r *http.Request, actor permissions.AdminID) {
	h.moveWith(w, r, actor, (*multiline.Service).Move)
}

func (h *Handler) moveWith(w http.ResponseWriter, r *http.Request, actor permissions.AdminID,
	fn func(*multiline.Service, context.Context, permissions.AdminID, []account.ID, org.ID, multiline.MoveOptions) (multiline.MovePlan, error)) {
	var in moveInput
	if err := decode(w, r, &in, false); err != nil {
		h.problem(w, r, err)
		return
	}
	ids, err := selection(in.IDs)
	if err != nil {
		h.problem(w, r, err)
		return
	}
	if in.To == "" {
		h.problem(w, r, mlerr.Invalid("to", "to.required", "", "Choose the destination organization."))
		return
	}
	plan, err := fn(h.svc, r.Context(), actor, ids, org.ID(in.To), multiline.MoveOptions{Profile: permissions.ProfileID(in.Profile)})
	if err != nil {
		h.problem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, moveView(plan))
}

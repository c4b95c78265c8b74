package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// optional is a member of a PATCH body: absent leaves the field as it is.
// null is refused (400 request.null): "" or [] clears a field, so null
// would only be a third way to say one of the two.
type optional[T any] struct {
	set, null bool
	v         T
}

func (o *optional[T]) UnmarshalJSON(b []byte) error {
	o.set = true
	if string(b) == "null" {
		o.null = true
		return nil
	}
	return json.Unmarshal(b, &o.v)
}

// ptr is the service's form of o: nil when absent.
func (o optional[T]) ptr() *T {
	if !o.set {
		return nil
	}
	v := o.v
	return &v
}

// accountEdit is the body of PATCH /accounts/{id}: the edit form's fields,
// each optional.
type accountEdit struct {
	FirstName    optional[string]   `json:"first_name"`
	LastName     optional[string]   `json:"last_name"`
	AccountID    optional[string]   `json:"account_id"`
	Applications optional[[]string] `json:"applications"`
	Email        optional[string]   `json:"email"`
	Device       optional[string]   `json:"device"`
	AssignNumber optional[string]   `json:"assign_number"`
	Profile      optional[string]   `json:"profile"`
	Forwarding   optional[string]   `json:"forwarding_number"`
	Features     optional[[]string] `json:"features"`
	Language     optional[string]   `json:"language"`
}

// nulls names the members sent as null, in the body's field order.
func (e accountEdit) nulls() []string {
	var out []string
	for _, m := range []struct {
		name string
		null bool
	}{
		{"first_name", e.FirstName.null}, {"last_name", e.LastName.null}, {"account_id", e.AccountID.null},
		{"applications", e.Applications.null}, {"email", e.Email.null}, {"device", e.Device.null},
		{"assign_number", e.AssignNumber.null}, {"profile", e.Profile.null}, {"forwarding_number", e.Forwarding.null},
		{"features", e.Features.null}, {"language", e.Language.null},
	} {
		if m.null {
			out = append(out, m.name)
		}
	}
	return out
}

func (e accountEdit) edit() multiline.AccountEdit {
	out := multiline.AccountEdit{FirstName: e.FirstName.ptr(), LastName: e.LastName.ptr(), AccountID: e.AccountID.ptr(),
		Email: e.Email.ptr(), Device: e.Device.ptr(), Number: e.AssignNumber.ptr(), Forwarding: e.Forwarding.ptr(),
		Language: e.Language.ptr()}
	if e.Applications.set {
		apps := make([]org.Application, len(e.Applications.v))
		for i, a := range e.Applications.v {
			apps[i] = org.Application(a)
		}
		out.Applications = &apps
	}
	if e.Features.set {
		fs := make([]org.Feature, len(e.Features.v))
		for i, f := range e.Features.v {
			fs[i] = org.Feature(f)
		}
		out.Features = &fs
	}
	if e.Profile.set {
		p := permissions.ProfileID(e.Profile.v)
		out.Profile = &p
	}
	return out
}

// editAccount is the edit form's Save: the members sent change, the others
// stay; all of it or none of it, every field error at once.
func (h *Handler) editAccount(w http.ResponseWriter, r *http.Request, actor permissions.AdminID) {
	var in accountEdit
	if err := decode(w, r, &in, false); err != nil {
		h.problem(w, r, err)
		return
	}
	if ns := in.nulls(); len(ns) > 0 {
		h.problem(w, r, badRequest("request.null", "The member \""+ns[0]+"\" is null: leave a member out to keep its value, or send \"\" or [] to clear it."))
		return
	}
	a, err := h.svc.EditAccount(r.Context(), actor, account.ID(r.PathValue("id")), in.edit())
	if err != nil {
		h.problem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, accountView(a))
}

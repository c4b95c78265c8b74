package httpapi

import (
	"net/http"
)

// The activation routes are the end user's: the token in the path
// authorizes them, and no answer or log line repeats it.

func (h *Handler) activationOffer(w http.ResponseWriter, r *http.Request) {
	list, err := h.svc.ShortList(r.Context(), r.PathValue("token"))
	if err != nil {
		h.problem(w, r, err)
		return
	}
	if list == nil {
		list = []string{}
	}
	writeJSON(w, http.StatusOK, struct {
		ShortList []string `json:"short_list"`
	}{list})
}

// activationInput is the end user's choice.
type activationInput struct {
	Choice string `json:"choice"`
}

func (h *Handler) activate(w http.ResponseWriter, r *http.Request) {
	var in activationInput
	if err := decode(w, r, &in, true); err != nil {
		h.problem(w, r, err)
		return
	}
	a, err := h.svc.Activate(r.Context(), r.PathValue("token"), in.Choice)
	if err != nil {
		h.problem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Username string `json:"username"`
		Number   string `json:"number"`
		Status   string `json:"status"`
	}{a.Account.Username, a.Number, statusName(a.Account.Status)})
}

package httpapi

import (
	"net/http"

	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// listNumbers answers a page of the pool. state and tag filter within the
// page the service returns, so a page may hold fewer than limit numbers
// while next_cursor goes on.
func (h *Handler) listNumbers(w http.ResponseWriter, r *http.Request, actor permissions.AdminID) {
	p, err := page(r)
	if err != nil {
		h.problem(w, r, err)
		return
	}
	q := r.URL.Query()
	state, tag := numberpool.State(q.Get("state")), q.Get("tag")
	switch state {
	case "", numberpool.Available, numberpool.Reserved, numberpool.Assigned, numberpool.Registered, numberpool.Aging:
	default:
		h.problem(w, r, badRequest("request.state", "state must be Available, Reserved, Assigned, Registered or Aging."))
		return
	}
	l, err := h.svc.ListNumbers(r.Context(), actor, org.ID(r.PathValue("org")), p)
	if err != nil {
		h.problem(w, r, err)
		return
	}
	out := listOf(l, numberView)
	kept := out.Items[:0]
	for i, n := range l.Items {
		if (state == "" || n.State == state) && (tag == "" || n.Tag == tag) {
			kept = append(kept, out.Items[i])
		}
	}
	out.Items = kept
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) listAudit(w http.ResponseWriter, r *http.Request, actor permissions.AdminID) {
	p, err := page(r)
	if err != nil {
		h.problem(w, r, err)
		return
	}
	l, err := h.svc.ListAudit(r.Context(), actor, org.ID(r.PathValue("org")), p)
	if err != nil {
		h.problem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listOf(l, auditView))
}

func (h *Handler) previewInvitation(w http.ResponseWriter, r *http.Request, actor permissions.AdminID) {
	q := r.URL.Query()
	ch := invite.Channel(q.Get("channel"))
	switch ch {
	case "":
		ch = invite.Email
	case invite.Email, invite.SMS:
	default:
		h.problem(w, r, badRequest("request.channel", "channel must be email or sms."))
		return
	}
	t, err := h.svc.PreviewInvitation(r.Context(), actor, org.ID(r.PathValue("org")), q.Get("lang"), ch)
	if err != nil {
		h.problem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Subject string `json:"subject"`
		Text    string `json:"text"`
		HTML    string `json:"html"`
	}{t.Subject, t.Text, t.HTML})
}

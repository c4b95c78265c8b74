package httpapi

import (
	"net/http"
	"strings"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// messageJSON is one message of the outbox (the Reports screen): what it
// is, to whom, and where its delivery stands. Never its body, nor the
// activation link or token in it: MessageView holds neither.
type messageJSON struct {
	ID       string       `json:"id"`
	Kind     string       `json:"kind"`
	Channel  string       `json:"channel"`
	To       string       `json:"to"`
	Account  string       `json:"account"`
	Created  string       `json:"created"`
	Delivery deliveryJSON `json:"delivery"`
}

func messageView(m multiline.MessageView) messageJSON {
	d := m.Delivery
	return messageJSON{ID: string(m.ID), Kind: string(m.Kind), Channel: string(m.Channel), To: m.To,
		Account: string(m.AccountID), Created: stamp(m.Created),
		Delivery: deliveryJSON{State: strings.ToLower(string(d.State)), Attempts: d.Attempts, LastError: d.LastError,
			NextAttempt: d.NextAttempt, SentAt: d.SentAt}}
}

// listMessages answers a page of an organization's outbox, newest first
// (Reports).
func (h *Handler) listMessages(w http.ResponseWriter, r *http.Request, actor permissions.AdminID) {
	p, err := page(r)
	if err != nil {
		h.problem(w, r, err)
		return
	}
	l, err := h.svc.ListMessages(r.Context(), actor, org.ID(r.PathValue("org")), p)
	if err != nil {
		h.problem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listOf(l, messageView))
}

package httpapi

import (
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// accountStatuses are the API's names of the account statuses.
var accountStatuses = map[string]account.Status{}

func init() {
	for _, s := range []account.Status{account.NotInvited, account.Invited, account.InvitationFailed, account.Activated, account.Suspended} {
		accountStatuses[statusName(s)] = s
	}
}

// accountFilter reads the Accounts screen's filter from the query: status
// (repeatable, or a comma list, of the API's status words), q (the search
// text, checked by the service) and sub_orgs. It reports whether any was
// given.
func accountFilter(r *http.Request) (multiline.AccountFilter, bool, error) {
	q := r.URL.Query()
	var f multiline.AccountFilter
	for _, v := range q["status"] {
		for _, w := range strings.Split(v, ",") {
			st, ok := accountStatuses[strings.TrimSpace(w)]
			if !ok {
				return f, false, badRequest("request.status", "status must be not_invited, invited, invitation_failed, activated or suspended.")
			}
			f.Status = append(f.Status, st)
		}
	}
	f.Query = q.Get("q")
	if s := q.Get("sub_orgs"); s != "" {
		v, err := strconv.ParseBool(s)
		if err != nil {
			return f, false, badRequest("request.sub_orgs", "sub_orgs must be true or false.")
		}
		f.SubOrgs = v
	}
	return f, q.Has("status") || q.Has("q") || q.Has("sub_orgs"), nil
}

func (h *Handler) listAccounts(w http.ResponseWriter, r *http.Request, actor permissions.AdminID) {
	p, err := page(r)
	if err != nil {
		h.problem(w, r, err)
		return
	}
	f, filtered, err := accountFilter(r)
	if err != nil {
		h.problem(w, r, err)
		return
	}
	o := org.ID(r.PathValue("org"))
	var l multiline.List[account.Account]
	if filtered {
		l, err = h.svc.SearchAccounts(r.Context(), actor, o, f, p)
	} else {
		l, err = h.svc.ListAccounts(r.Context(), actor, o, p)
	}
	if err != nil {
		h.problem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listOf(l, accountView))
}

// exportAccounts answers the CSV of the filtered list. The export streams a
// page at a time; its headers go with its first bytes, so that a refusal
// (which comes before any) is still a problem answer. A failure after the
// first bytes cannot be answered any more: the connection is cut, so that
// the client sees a broken download rather than a short file.
func (h *Handler) exportAccounts(w http.ResponseWriter, r *http.Request, actor permissions.AdminID) {
	f, _, err := accountFilter(r)
	if err != nil {
		h.problem(w, r, err)
		return
	}
	o := org.ID(r.PathValue("org"))
	out := &csvDownload{w: w, name: "accounts-" + safeName(string(o)) + ".csv"}
	if err := h.svc.ExportAccounts(r.Context(), actor, o, f, out); err != nil {
		if !out.started {
			h.problem(w, r, err)
			return
		}
		h.log.Error("httpapi: export failed after its first bytes", "route", r.Pattern, "error", err)
		panic(http.ErrAbortHandler)
	}
	if !out.started {
		out.start()
	}
}

// csvDownload is a CSV attachment whose headers are set on its first write.
type csvDownload struct {
	w       http.ResponseWriter
	name    string
	started bool
}

func (d *csvDownload) start() {
	d.started = true
	d.w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	d.w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.name}))
	d.w.WriteHeader(http.StatusOK)
}

func (d *csvDownload) Write(b []byte) (int, error) {
	if !d.started {
		d.start()
	}
	return d.w.Write(b)
}

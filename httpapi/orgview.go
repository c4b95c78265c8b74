package httpapi

import (
	"bytes"
	"mime"
	"net/http"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// orgNodeJSON is one organization of the administrator's tree, with the
// settings in force there that the Accounts screen uses.
type orgNodeJSON struct {
	ID              string        `json:"id"`
	Name            string        `json:"name"`
	Parent          string        `json:"parent"`
	Applications    []string      `json:"applications"`
	Features        []string      `json:"features"`
	SocialMessaging bool          `json:"social_messaging"`
	Privileges      []string      `json:"privileges"`
	Children        []orgNodeJSON `json:"children"`
}

func orgNodeView(n multiline.OrgNode) orgNodeJSON {
	v := orgNodeJSON{ID: string(n.ID), Name: n.Name, Parent: string(n.ParentID), SocialMessaging: n.SocialMessaging,
		Applications: make([]string, len(n.Applications)), Features: make([]string, len(n.Features)),
		Privileges: make([]string, len(n.Privileges)), Children: make([]orgNodeJSON, len(n.Children))}
	for i, a := range n.Applications {
		v.Applications[i] = string(a)
	}
	for i, f := range n.Features {
		v.Features[i] = string(f)
	}
	for i, p := range n.Privileges {
		v.Privileges[i] = string(p)
	}
	for i, c := range n.Children {
		v.Children[i] = orgNodeView(c)
	}
	return v
}

// orgTree answers the organizations the administrator covers, as trees.
func (h *Handler) orgTree(w http.ResponseWriter, r *http.Request, actor permissions.AdminID) {
	tree, err := h.svc.OrgTree(r.Context(), actor)
	if err != nil {
		h.problem(w, r, err)
		return
	}
	out := struct {
		Items []orgNodeJSON `json:"items"`
	}{Items: make([]orgNodeJSON, len(tree))}
	for i, n := range tree {
		out.Items[i] = orgNodeView(n)
	}
	writeJSON(w, http.StatusOK, out)
}

// profileJSON is a profile an organization can give its accounts; default
// marks the one in force when an account names none.
type profileJSON struct {
	ID      string `json:"id"`
	Org     string `json:"org"`
	Name    string `json:"name"`
	Default bool   `json:"default"`
}

func (h *Handler) listProfiles(w http.ResponseWriter, r *http.Request, actor permissions.AdminID) {
	ps, err := h.svc.Profiles(r.Context(), actor, org.ID(r.PathValue("org")))
	if err != nil {
		h.problem(w, r, err)
		return
	}
	out := struct {
		Items []profileJSON `json:"items"`
	}{Items: make([]profileJSON, len(ps.Items))}
	for i, p := range ps.Items {
		out.Items[i] = profileJSON{ID: string(p.ID), Org: string(p.OrgID), Name: p.Name, Default: p.ID == ps.Default}
	}
	writeJSON(w, http.StatusOK, out)
}

// batchTemplate answers the organization's CSV template. It is a few
// hundred bytes: buffered, so that a refusal is still a problem answer.
func (h *Handler) batchTemplate(w http.ResponseWriter, r *http.Request, actor permissions.AdminID) {
	var buf bytes.Buffer
	if err := h.svc.WriteBatchTemplate(r.Context(), actor, org.ID(r.PathValue("org")), &buf); err != nil {
		h.problem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "accounts-template.csv"}))
	_, _ = w.Write(buf.Bytes())
}

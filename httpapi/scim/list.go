package scim

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	filter "github.com/scim2/filter-parser/v2"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
)

// Page sizes of GET /Users.
const (
	defaultCount = 100
	maxCount     = multiline.MaxPageSize
	maxFilterLen = 512
	// maxNesting bounds the brackets of a filter: the parser backtracks,
	// and a kilobyte of "(" costs it a CPU-second fraction per request,
	// while the lookups identity providers send nest nothing.
	maxNesting = 8
)

// listResponse is a page of users (RFC 7644 §3.4.2).
type listResponse struct {
	Schemas      []string       `json:"schemas"`
	TotalResults int            `json:"totalResults"`
	StartIndex   int            `json:"startIndex"`
	ItemsPerPage int            `json:"itemsPerPage"`
	Resources    []userResource `json:"Resources"`
}

// query is what a supported filter selects: each set field must match.
type query struct {
	userName, externalID, email *string
}

// parseFilter reads the filters identity providers send to find a user:
// userName eq, externalId eq, emails eq / emails.value eq /
// emails[value eq …], joined with "and". Anything else is invalidFilter.
func parseFilter(s string) (q query, err error) {
	if len(s) > maxFilterLen || strings.Count(s, "(")+strings.Count(s, "[") > maxNesting {
		return query{}, badRequest(typeInvalidFilter, CodeFilter, "the filter is too long or too nested")
	}
	defer func() {
		// Third-party parser, hostile input: a panic is a refused filter.
		if recover() != nil {
			q, err = query{}, badRequest(typeInvalidFilter, CodeFilter, "the filter cannot be read")
		}
	}()
	e, err := filter.ParseFilter([]byte(s))
	if err != nil {
		return query{}, badRequest(typeInvalidFilter, CodeFilter, "the filter cannot be read")
	}
	if err := q.add(e); err != nil {
		return query{}, err
	}
	return q, nil
}

func (q *query) add(e filter.Expression) error {
	unsupported := badRequest(typeInvalidFilter, CodeFilter,
		`only userName eq, externalId eq and emails eq, joined with "and", are supported`)
	switch x := e.(type) {
	case *filter.LogicalExpression:
		if x.Operator != filter.AND {
			return unsupported
		}
		if err := q.add(x.Left); err != nil {
			return err
		}
		return q.add(x.Right)
	case *filter.ValuePath:
		if !strings.EqualFold(x.AttributePath.AttributeName, "emails") || x.AttributePath.SubAttribute != nil {
			return unsupported
		}
		v, ok := x.ValueFilter.(*filter.AttributeExpression)
		if !ok || !strings.EqualFold(v.AttributePath.AttributeName, "value") {
			return unsupported
		}
		return q.set(&q.email, v)
	case *filter.AttributeExpression:
		attr := x.AttributePath
		if u, ok := stripURN(attr.URI()); attr.URIPrefix != nil && (!ok || u.enterprise) {
			return unsupported
		}
		name, sub := strings.ToLower(attr.AttributeName), strings.ToLower(attr.SubAttributeName())
		switch {
		case name == "username" && sub == "":
			return q.set(&q.userName, x)
		case name == "externalid" && sub == "":
			return q.set(&q.externalID, x)
		case name == "emails" && (sub == "" || sub == "value"):
			return q.set(&q.email, x)
		}
	}
	return unsupported
}

func (q *query) set(dst **string, x *filter.AttributeExpression) error {
	s, ok := x.CompareValue.(string)
	if x.Operator != filter.EQ || !ok {
		return badRequest(typeInvalidFilter, CodeFilter, "only eq with a string is supported")
	}
	if *dst != nil && **dst != s {
		s = "\x00" // two different values of one attribute: nothing matches
	}
	*dst = &s
	return nil
}

// matches reports whether a (with its externalId) is selected. userName
// and emails compare case-insensitively (caseExact false, RFC 7643 §4.1).
func (q query) matches(a account.Account, ext string) bool {
	if q.userName != nil && !strings.EqualFold(a.Username, strings.TrimSpace(*q.userName)) &&
		!(a.Email == "" && samePhone(a.Username, *q.userName)) {
		return false
	}
	if q.email != nil && (a.Email == "" || !strings.EqualFold(a.Email, strings.TrimSpace(*q.email))) {
		return false
	}
	if q.externalID != nil && ext != *q.externalID {
		return false
	}
	return true
}

// list is GET /Users: every user of the organization, or those the filter
// selects, a page at a time (startIndex is 1-based).
func (h *Handler) list(w http.ResponseWriter, r *http.Request, c Client) {
	v := r.URL.Query()
	start, err := intParam(v.Get("startIndex"), 1)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	count, err := intParam(v.Get("count"), defaultCount)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	start, count = max(start, 1), min(max(count, 0), maxCount)
	var q query
	filtered := strings.TrimSpace(v.Get("filter")) != ""
	if filtered {
		if q, err = parseFilter(v.Get("filter")); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	res := listResponse{Schemas: []string{schemaList}, StartIndex: start, Resources: []userResource{}}
	err = h.each(r.Context(), c, q, filtered, func(a account.Account, ext string) {
		res.TotalResults++
		if res.TotalResults >= start && len(res.Resources) < count {
			res.Resources = append(res.Resources, h.resourceOf(r, a, ext))
		}
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	res.ItemsPerPage = len(res.Resources)
	h.write(w, http.StatusOK, res)
}

// each calls fn for every account of the client's organization that q
// selects, oldest first. A filter on userName or email reads only the
// accounts whose text starts with that value (Service.SearchAccounts), one
// on externalId only those the ExternalIDs hold; an unfiltered list walks
// the organization's pages, as totalResults needs them all.
func (h *Handler) each(ctx context.Context, c Client, q query, filtered bool, fn func(account.Account, string)) error {
	emit := func(a account.Account) error {
		if a.OrgID != c.Org {
			return nil
		}
		var ext string
		if h.ext != nil {
			var err error
			if ext, err = h.ext.Get(ctx, c.Org, a.ID); err != nil {
				return err
			}
		}
		if q.matches(a, ext) {
			fn(a, ext)
		}
		return nil
	}
	if q.externalID != nil {
		if h.ext == nil {
			return nil // nothing has an externalId
		}
		ids, err := h.ext.Find(ctx, c.Org, *q.externalID)
		if err != nil {
			return err
		}
		for _, id := range ids {
			a, err := h.svc.Account(ctx, c.Admin, id)
			if err != nil {
				if errors.Is(err, mlerr.ErrNotFound) {
					continue
				}
				return err
			}
			if err := emit(a); err != nil {
				return err
			}
		}
		return nil
	}
	text := ""
	switch {
	case q.userName != nil:
		text = strings.TrimSpace(*q.userName)
	case q.email != nil:
		text = strings.TrimSpace(*q.email)
	}
	if filtered && !searchable(text) {
		return nil // no stored username, email or number can match it
	}
	page := multiline.Page{Limit: multiline.MaxPageSize}
	for {
		var l multiline.List[account.Account]
		var err error
		if text != "" {
			l, err = h.svc.SearchAccounts(ctx, c.Admin, c.Org, multiline.AccountFilter{Query: text}, page)
		} else {
			l, err = h.svc.ListAccounts(ctx, c.Admin, c.Org, page)
		}
		if err != nil {
			return err
		}
		for _, a := range l.Items {
			if err := emit(a); err != nil {
				return err
			}
		}
		if l.Next == "" {
			return nil
		}
		page.After = l.Next
	}
}

// searchable reports whether text is a search the Service accepts: the
// filter value of a lookup is hostile input like any other, and one the
// search box would refuse can match no account.
func searchable(text string) bool {
	return text != "" && utf8.ValidString(text) && utf8.RuneCountInString(text) <= 256 &&
		strings.IndexFunc(text, unicode.IsControl) < 0
}

// intParam reads a query integer; empty is def.
func intParam(s string, def int) (int, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, badRequest(typeInvalidValue, CodeValue, "startIndex and count must be integers")
	}
	return n, nil
}

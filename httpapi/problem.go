package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// Problem is an error answer (RFC 9457) with the SDK's stable code.
type Problem struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail"`
	Code   string       `json:"code"`
	Errors []FieldError `json:"errors,omitempty"`
}

// FieldError is one field's error in a Problem.
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// statusError is a refusal of the HTTP layer itself (bad JSON, a wrong
// content type, …), with its status, code and text.
type statusError struct {
	status int
	code   string
	detail string
}

func (e *statusError) Error() string     { return "httpapi: " + e.detail }
func (e *statusError) ErrorCode() string { return e.code }

var (
	errUnauthenticated = &statusError{status: http.StatusUnauthorized, code: "unauthenticated", detail: "Sign in first."}
	errInternal        = &statusError{status: http.StatusInternalServerError, detail: "Something went wrong on our side; nothing was said about it here."}
	errClosing         = &statusError{status: http.StatusServiceUnavailable, code: "unavailable", detail: "The server is shutting down; upload again shortly."}
)

// badRequest is a 400 with code and detail.
func badRequest(code, detail string) error {
	return &statusError{status: http.StatusBadRequest, code: code, detail: detail}
}

// refusal is how one kind of error is answered: its status, and a fixed
// detail when the error's own text must not be shown. Its code is always
// the error's own (mlerr.CodeOf): the handler keeps no codes of its own for
// the service's refusals.
type refusal struct {
	err    error
	status int
	detail string
}

// refusals are matched in order with errors.Is. Forbidden and not found
// have fixed details, so that an ID the administrator may not see and one
// that does not exist get the same body.
var refusals = []refusal{
	{permissions.ErrForbidden, http.StatusForbidden, "You do not have the privilege for this in the organization."},
	{mlerr.ErrNotFound, http.StatusNotFound, "Not found."},
	{invite.ErrTokenUnknown, http.StatusNotFound, ""},
	// The service answers a malformed token as an unknown one; this keeps
	// the two alike should a malformed one ever come through.
	{invite.ErrTokenMalformed, http.StatusNotFound, invite.ErrTokenUnknown.Error()},
	{invite.ErrTokenExpired, http.StatusConflict, ""},
	{invite.ErrTokenUsed, http.StatusConflict, ""},
	{invite.ErrTokenRotated, http.StatusConflict, ""},
	{invite.ErrConsentRequired, http.StatusUnprocessableEntity, ""},
	{invite.ErrNotInvitable, http.StatusConflict, ""},
	{batch.ErrFileRejected, http.StatusUnprocessableEntity, ""},
	{numberpool.ErrNotEnoughNumbers, http.StatusConflict, ""},
	{numberpool.ErrNotAvailable, http.StatusConflict, ""},
	{numberpool.ErrTransition, http.StatusConflict, ""},
	{multiline.ErrBatchRunning, http.StatusConflict, ""},
	{multiline.ErrBatchNotUndoable, http.StatusConflict, ""},
	{multiline.ErrBatchFileChanged, http.StatusConflict, ""},
	{multiline.ErrBatchLeaseLost, http.StatusConflict, ""},
	{account.ErrStatus, http.StatusConflict, ""},
	{org.ErrMove, http.StatusUnprocessableEntity, ""},
	{mlerr.ErrAlreadyExists, http.StatusConflict, ""},
	{mlerr.ErrConflict, http.StatusConflict, ""},
	{mlerr.ErrInvalid, http.StatusUnprocessableEntity, ""},
}

// problemOf is the answer to err.
func problemOf(err error) Problem {
	var se *statusError
	if errors.As(err, &se) {
		return Problem{Type: "about:blank", Title: http.StatusText(se.status), Status: se.status, Detail: se.detail, Code: se.code}
	}
	p := Problem{Type: "about:blank", Status: http.StatusInternalServerError, Detail: errInternal.detail}
	for _, r := range refusals {
		if !errors.Is(err, r.err) {
			continue
		}
		p.Status, p.Code, p.Detail = r.status, mlerr.CodeOf(err), r.detail
		if p.Detail == "" {
			p.Detail = detail(err)
		}
		break
	}
	if p.Status == http.StatusInternalServerError {
		// An internal failure: its text may name tables, hosts, anything.
		p.Code = ""
	}
	var fe *batch.FileError
	if errors.As(err, &fe) {
		p.Detail = fe.Message
	}
	if p.Status != http.StatusForbidden && p.Status != http.StatusNotFound {
		for _, f := range mlerr.Fields(err) {
			p.Errors = append(p.Errors, FieldError{Field: f.Field, Code: f.Code, Message: f.Message})
		}
		if len(p.Errors) > 0 && p.Status == http.StatusUnprocessableEntity {
			p.Detail = "Correct the fields listed in errors."
		}
	}
	p.Title = http.StatusText(p.Status)
	return p
}

// detail is the administrator-facing text of a refusal: the move refusal's
// own message, else the error's text without its package prefix.
func detail(err error) string {
	var me *multiline.MoveError
	if errors.As(err, &me) {
		return me.Message
	}
	s := err.Error()
	if i := strings.Index(s, ": "); i > 0 && !strings.Contains(s[:i], " ") {
		s = s[i+2:]
	}
	return s
}

// problem writes err's answer; a 500 is logged by route pattern.
func (h *Handler) problem(w http.ResponseWriter, r *http.Request, err error) {
	p := problemOf(err)
	if p.Status >= 500 {
		h.log.Error("httpapi: request failed", "method", r.Method, "route", r.Pattern, "status", p.Status, "error", err)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Del("Content-Disposition")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

package scim

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/permissions"
)

// The scimType values of RFC 7644 §3.12 this server answers with.
const (
	typeInvalidFilter = "invalidFilter"
	typeTooMany       = "tooMany"
	typeUniqueness    = "uniqueness"
	typeMutability    = "mutability"
	typeInvalidSyntax = "invalidSyntax"
	typeInvalidPath   = "invalidPath"
	typeNoTarget      = "noTarget"
	typeInvalidValue  = "invalidValue"
)

// The codes of the refusals this package makes itself, beside the SDK's.
const (
	// CodeSyntax is a body that is not the JSON a SCIM request needs.
	CodeSyntax = "scim.syntax"
	// CodeFilter is a filter this server does not answer.
	CodeFilter = "scim.filter"
	// CodePath is a PATCH path this server cannot apply.
	CodePath = "scim.path"
	// CodeValue is a value of the wrong type, or a userName that is not
	// the user's email or mobile number.
	CodeValue = "scim.value"
	// CodeReadOnly is a PATCH that changes a read-only attribute (id,
	// meta, the work phone number: the MultiLine number).
	CodeReadOnly = "scim.read_only"
	// CodeExternalID is an externalId the host gave no place to keep.
	CodeExternalID = "scim.external_id"
	// CodeUnauthorized is a request the host's credential mapping refused.
	CodeUnauthorized = "scim.unauthorized"
	// CodeTooLarge is a body over the size limit.
	CodeTooLarge = "scim.too_large"
)

// Error is a refusal this package makes itself, before the Service is
// asked: a body, filter or path it cannot read or apply.
type Error struct {
	Status   int    // the HTTP status
	ScimType string // RFC 7644 §3.12's scimType, "" when none fits
	Code     string // the stable code (Code... constants)
	Detail   string // what the identity provider's administrator reads
}

// Error returns the detail, with the package prefix.
func (e *Error) Error() string { return "scim: " + e.Detail }

// ErrorCode returns the stable code, for mlerr.CodeOf.
func (e *Error) ErrorCode() string { return e.Code }

func badRequest(scimType, code, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, ScimType: scimType, Code: code, Detail: fmt.Sprintf(format, args...)}
}

// errorBody is the SCIM error response (RFC 7644 §3.12).
type errorBody struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	ScimType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail"`
}

// errorOf maps an error of the SDK or of this package to a SCIM error
// body. The detail starts with the stable code (mlerr.CodeOf), then says
// what an administrator reads; an internal failure says nothing more than
// that it is one, so nothing of the store leaks to the identity provider.
func errorOf(err error) (int, errorBody) {
	body := errorBody{Schemas: []string{schemaError}}
	status, scimType := http.StatusInternalServerError, ""
	var se *Error
	switch {
	case errors.As(err, &se):
		status, scimType = se.Status, se.ScimType
	case errors.Is(err, mlerr.ErrAlreadyExists):
		status, scimType = http.StatusConflict, typeUniqueness
	case errors.Is(err, mlerr.ErrInvalid), errors.Is(err, invite.ErrConsentRequired):
		status, scimType = http.StatusBadRequest, typeInvalidValue
	case errors.Is(err, mlerr.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, permissions.ErrForbidden):
		status = http.StatusForbidden
	case errors.Is(err, numberpool.ErrNotEnoughNumbers), errors.Is(err, numberpool.ErrNotAvailable),
		errors.Is(err, account.ErrStatus), errors.Is(err, mlerr.ErrConflict):
		// The request is well formed; the organization's state refuses it.
		status = http.StatusConflict
	}
	body.Status = fmt.Sprint(status)
	body.ScimType = scimType
	code := mlerr.CodeOf(err)
	switch {
	case code == "":
		body.Detail = "internal error"
	case se != nil:
		body.Detail = code + ": " + se.Detail
	default:
		body.Detail = code + ": " + message(err)
	}
	return status, body
}

// message is what an administrator reads of a refusal: the field error's
// message (the code leads the detail already), every field error's message
// with its own code when there are several, else the error's text.
func message(err error) string {
	fs := mlerr.Fields(err)
	switch len(fs) {
	case 0:
		return err.Error()
	case 1:
		return fs[0].Message
	}
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.Message + " (" + f.Code + ")"
	}
	return strings.Join(parts, "; ")
}

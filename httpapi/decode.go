package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/multilinehq/multiline"
)

// decode reads r's JSON body into v: application/json, at most
// MaxBodyBytes, one value, no unknown field. An empty body is refused unless
// emptyOK, when it leaves v as it is.
func decode(w http.ResponseWriter, r *http.Request, v any, emptyOK bool) error {
	if r.ContentLength == 0 && emptyOK && r.Header.Get("Content-Type") == "" {
		return nil
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return &statusError{status: http.StatusUnsupportedMediaType, code: "request.content_type", detail: "The body must be application/json."}
	}
	if r.ContentLength > MaxBodyBytes {
		return errTooLarge(MaxBodyBytes)
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if dec.More() {
			return badRequest("request.malformed", "The body must hold one JSON value.")
		}
		if _, err = dec.Token(); !errors.Is(err, io.EOF) {
			return badRequest("request.malformed", "The body must hold one JSON value.")
		}
		return nil
	}
	var tooBig *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooBig):
		return errTooLarge(MaxBodyBytes)
	case errors.Is(err, io.EOF):
		if emptyOK {
			return nil
		}
		return badRequest("request.empty", "The body is empty.")
	case errors.Is(err, io.ErrUnexpectedEOF), errors.As(err, &syntax):
		return badRequest("request.malformed", "The body is not well-formed JSON.")
	case errors.As(err, &typ):
		return badRequest("request.type", fmt.Sprintf("The member %q has the wrong type.", typ.Field))
	}
	// DisallowUnknownFields's error has no type of its own; its text names
	// the field, which the caller sent.
	if s := err.Error(); strings.HasPrefix(s, "json: unknown field ") {
		return badRequest("request.unknown_field", "The body has an "+strings.TrimPrefix(s, "json: ")+".")
	}
	return badRequest("request.malformed", "The body could not be read as JSON.")
}

// errTooLarge refuses a body over limit bytes.
func errTooLarge(limit int64) error {
	return &statusError{status: http.StatusRequestEntityTooLarge, code: "request.too_large",
		detail: fmt.Sprintf("The body is larger than %d bytes.", limit)}
}

// page reads the cursor and limit query parameters.
func page(r *http.Request) (multiline.Page, error) {
	q := r.URL.Query()
	p := multiline.Page{After: q.Get("cursor")}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > multiline.MaxPageSize {
			return p, badRequest("request.limit", fmt.Sprintf("limit must be a whole number from 1 to %d.", multiline.MaxPageSize))
		}
		p.Limit = n
	}
	return p, nil
}

// writeJSON answers v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

package scim

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// The schema and message URNs of RFC 7643/7644.
const (
	schemaUser       = "urn:ietf:params:scim:schemas:core:2.0:User"
	schemaEnterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	schemaList       = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	schemaPatch      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	schemaError      = "urn:ietf:params:scim:api:messages:2.0:Error"
	schemaSPConfig   = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	schemaResType    = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	schemaSchema     = "urn:ietf:params:scim:schemas:core:2.0:Schema"
)

// contentType is the media type of every SCIM body (RFC 7644 §3.1).
const contentType = "application/scim+json"

// maxBody caps a request body: a user is a few hundred bytes.
const maxBody = 1 << 20

// Client is what the host's credential mapping says of one SCIM client
// (one Okta or Entra ID application): the organization it provisions, the
// administrator every change is made and audited as, and how users are
// created.
type Client struct {
	// Org is the organization whose accounts the client sees and creates.
	Org org.ID
	// Admin is the acting administrator: it needs the Accounts privilege on
	// Org, and every audit event of the client's changes names it.
	Admin permissions.AdminID
	// Profile is the user-permissions profile of created accounts; empty is
	// the organization's default.
	Profile permissions.ProfileID
	// Applications are the applications of created accounts (the form
	// requires at least one).
	Applications []org.Application
	// Invite makes a created user Save & Invite instead of Save.
	Invite bool
	// SMSConsent is the host's attestation, for this client, that users
	// with a mobile number and no email consented to SMS; without it such
	// a user is refused when Invite is set (SPEC §5).
	SMSConsent bool
}

// Authenticate maps a request's credential to its client; an error is a
// 401. The SDK never sees the credential itself.
type Authenticate func(*http.Request) (Client, error)

// Handler serves SCIM 2.0 for the clients Authenticate admits. Mount it
// with http.StripPrefix, e.g. at /scim/v2/.
type Handler struct {
	svc     *multiline.Service
	auth    Authenticate
	ext     ExternalIDs
	log     *slog.Logger
	baseURL string
	mux     *http.ServeMux
}

// Option configures a Handler.
type Option func(*Handler)

// WithExternalIDs keeps each user's externalId in ids. Without it, a
// request that sets an externalId is refused (CodeExternalID): the account
// has no field for it, and dropping it silently would break an identity
// provider that matches users by it.
func WithExternalIDs(ids ExternalIDs) Option { return func(h *Handler) { h.ext = ids } }

// WithLogger logs internal failures and recovered panics to l.
func WithLogger(l *slog.Logger) Option { return func(h *Handler) { h.log = l } }

// WithBaseURL is the absolute URL the handler is mounted at (e.g.
// https://portal.example/scim/v2), for meta.location. Without it the
// location is built from the request's host and /scim/v2.
func WithBaseURL(u string) Option {
	return func(h *Handler) { h.baseURL = strings.TrimRight(u, "/") }
}

// New returns the SCIM handler for svc; auth maps each request to its
// client.
func New(svc *multiline.Service, auth Authenticate, opts ...Option) (*Handler, error) {
	if svc == nil || auth == nil {
		return nil, errors.New("scim: a service and an authentication function are required")
	}
	h := &Handler{svc: svc, auth: auth, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(h)
	}
	m := http.NewServeMux()
	m.HandleFunc("POST /Users", h.withClient(h.create))
	m.HandleFunc("GET /Users", h.withClient(h.list))
	m.HandleFunc("GET /Users/{id}", h.withClient(h.get))
	m.HandleFunc("PUT /Users/{id}", h.withClient(h.replace))
	m.HandleFunc("PATCH /Users/{id}", h.withClient(h.patch))
	m.HandleFunc("DELETE /Users/{id}", h.withClient(h.delete))
	m.HandleFunc("GET /ServiceProviderConfig", h.withClient(h.serviceProviderConfig))
	m.HandleFunc("GET /ResourceTypes", h.withClient(h.resourceTypes))
	m.HandleFunc("GET /ResourceTypes/{name}", h.withClient(h.resourceType))
	m.HandleFunc("GET /Schemas", h.withClient(h.schemas))
	m.HandleFunc("GET /Schemas/{urn}", h.withClient(h.schema))
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, &Error{Status: http.StatusNotFound, Code: "not_found", Detail: "no such SCIM endpoint"})
	})
	h.mux = m
	return h, nil
}

// ServeHTTP serves one request; a panic is a 500 with a SCIM error body.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			h.log.Error("scim: panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(p))
			h.fail(w, r, fmt.Errorf("scim: panic: %v", p))
		}
	}()
	w.Header().Set("Cache-Control", "no-store")
	h.mux.ServeHTTP(w, r)
}

// withClient admits the request's client, or answers 401.
func (h *Handler) withClient(fn func(http.ResponseWriter, *http.Request, Client)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := h.auth(r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="scim"`)
			h.fail(w, r, &Error{Status: http.StatusUnauthorized, Code: CodeUnauthorized, Detail: "the credential is missing or not accepted"})
			return
		}
		fn(w, r, c)
	}
}

// write answers v as SCIM JSON.
func (h *Handler) write(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		h.log.Error("scim: encode", "err", err)
		status, b = http.StatusInternalServerError, []byte(`{"schemas":["`+schemaError+`"],"status":"500","detail":"internal error"}`)
	}
	w.Header().Set("Content-Type", contentType+"; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// fail answers err as a SCIM error body, logging internal failures.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, body := errorOf(err)
	if status == http.StatusInternalServerError {
		h.log.Error("scim: internal failure", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	h.write(w, status, body)
}

// location is the absolute URL of a resource path ("Users/…").
func (h *Handler) location(r *http.Request, path string) string {
	base := h.baseURL
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host + "/scim/v2"
	}
	return base + "/" + path
}

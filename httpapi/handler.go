package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/permissions"
)

// MaxBodyBytes is the cap on every request body but an upload's.
const MaxBodyBytes = 1 << 20

// Authenticate is the host's authentication: it names the administrator a
// request acts for, or refuses it with an error (answered 401; the error's
// text is not shown).
type Authenticate func(*http.Request) (permissions.AdminID, error)

// Handler is the API. It is an http.Handler; Close stops the imports that
// run after their upload was answered.
type Handler struct {
	svc  *multiline.Service
	auth Authenticate
	mux  *http.ServeMux
	log  *slog.Logger

	maxUpload int64
	maxRows   int
	disclaim  string

	// life is the server's lifetime: uploads import under it, not under the
	// request's context, which ends with the answer.
	life    context.Context
	stop    context.CancelFunc
	mu      sync.Mutex
	closed  bool
	running sync.WaitGroup
}

// Option configures a Handler.
type Option func(*Handler) error

// WithLogger logs failures (500 answers, panics) to l, by route pattern,
// never by path: an activation path holds a token. The default is
// slog.Default().
func WithLogger(l *slog.Logger) Option {
	return func(h *Handler) error {
		if l == nil {
			return errors.New("httpapi: WithLogger: nil logger")
		}
		h.log = l
		return nil
	}
}

// WithUploadLimits sets the largest upload in bytes and rows (0 keeps
// batch.DefaultMaxBytes or batch.DefaultMaxRows).
func WithUploadLimits(maxBytes int64, maxRows int) Option {
	return func(h *Handler) error {
		if maxBytes < 0 || maxRows < 0 {
			return errors.New("httpapi: WithUploadLimits: negative limit")
		}
		if maxBytes > 0 {
			h.maxUpload = maxBytes
		}
		if maxRows > 0 {
			h.maxRows = maxRows
		}
		return nil
	}
}

// WithDisclaimer sets the SMS consent text an administrator attests with
// sms_consent when the request names none; the default is the SDK's.
func WithDisclaimer(text string) Option {
	return func(h *Handler) error {
		h.disclaim = text
		return nil
	}
}

// New returns the API on svc, authenticating requests with auth.
func New(svc *multiline.Service, auth Authenticate, opts ...Option) (*Handler, error) {
	if svc == nil || auth == nil {
		return nil, errors.New("httpapi: New: nil service or authentication")
	}
	h := &Handler{svc: svc, auth: auth, mux: http.NewServeMux(), log: slog.Default(),
		maxUpload: batch.DefaultMaxBytes, maxRows: batch.DefaultMaxRows}
	for _, o := range opts {
		if err := o(h); err != nil {
			return nil, err
		}
	}
	h.life, h.stop = context.WithCancel(context.Background())
	h.routes()
	return h, nil
}

// routes registers every route of the OpenAPI document.
func (h *Handler) routes() {
	h.public("GET /openapi.json", h.serveOpenAPI)

	h.admin("GET /orgs", h.orgTree)
	h.admin("GET /orgs/{org}/profiles", h.listProfiles)
	h.admin("GET /orgs/{org}/batch-template", h.batchTemplate)
	h.admin("GET /orgs/{org}/accounts", h.listAccounts)
	h.admin("POST /orgs/{org}/accounts", h.saveAccount)
	h.admin("GET /orgs/{org}/accounts/export", h.exportAccounts)
	h.admin("GET /accounts/{id}", h.getAccount)
	h.admin("PATCH /accounts/{id}", h.editAccount)
	h.admin("POST /accounts/resend", h.resend)
	h.admin("POST /accounts/suspend", h.suspend)
	h.admin("POST /accounts/reactivate", h.reactivate)
	h.admin("POST /accounts/delete", h.deleteAccounts)
	h.admin("POST /accounts/move/check", h.checkMove)
	h.admin("POST /accounts/move", h.move)

	h.admin("POST /orgs/{org}/batches", h.upload)
	h.admin("GET /orgs/{org}/batches", h.listBatches)
	h.admin("GET /batches/{id}", h.getBatch)
	h.admin("GET /batches/{id}/report", h.batchReport)
	h.admin("POST /batches/{id}/undo", h.undoBatch)

	h.admin("GET /orgs/{org}/numbers", h.listNumbers)
	h.admin("GET /orgs/{org}/audit", h.listAudit)
	h.admin("GET /orgs/{org}/messages", h.listMessages)
	h.admin("GET /orgs/{org}/invitation-preview", h.previewInvitation)

	h.public("GET /activation/{token}", h.activationOffer)
	h.public("POST /activation/{token}", h.activate)
}

// adminFunc is a route that acts for an authenticated administrator.
type adminFunc func(w http.ResponseWriter, r *http.Request, actor permissions.AdminID)

// admin registers a route that needs an administrator.
func (h *Handler) admin(pattern string, fn adminFunc) {
	h.public(pattern, func(w http.ResponseWriter, r *http.Request) {
		actor, err := h.auth(r)
		if err != nil || actor == "" {
			h.problem(w, r, errUnauthenticated)
			return
		}
		fn(w, r, actor)
	})
}

// public registers a route, with the hygiene every route has: no caching,
// and a panic answered with a 500 problem rather than a dropped connection.
func (h *Handler) public(pattern string, fn http.HandlerFunc) {
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		rw := &recorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				// The pattern, not the path: a path may hold a token.
				h.log.Error("httpapi: panic", "route", pattern, "panic", fmt.Sprint(v))
				if !rw.wrote {
					h.problem(rw, r, errInternal)
				}
			}
		}()
		fn(rw, r)
	})
}

// ServeHTTP answers a request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if next, pattern := h.mux.Handler(r); pattern == "" {
		// No route: the mux's own 404 or 405 (with its Allow header), as a
		// problem body rather than plain text.
		c := &capture{header: w.Header()}
		next.ServeHTTP(c, r)
		h.problem(w, r, &statusError{status: c.status, detail: http.StatusText(c.status)})
		return
	}
	h.mux.ServeHTTP(w, r)
}

// capture keeps the status and headers of the mux's answer to a request
// no route takes, and drops its plain-text body.
type capture struct {
	header http.Header
	status int
}

func (c *capture) Header() http.Header { return c.header }
func (c *capture) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
}
func (c *capture) Write(b []byte) (int, error) {
	c.WriteHeader(http.StatusOK)
	return len(b), nil
}

// Close cancels the imports still running after their upload was answered
// and waits for them to stop (their batches then say so on their records).
// Uploads after Close are refused with 503.
func (h *Handler) Close() error {
	h.mu.Lock()
	h.closed = true
	h.stop()
	h.mu.Unlock()
	h.running.Wait()
	return nil
}

// track registers a background import; false after Close.
func (h *Handler) track() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.running.Add(1)
	return true
}

// recorder remembers whether the answer's header went out, so that a panic
// after it is not answered twice.
type recorder struct {
	http.ResponseWriter
	wrote bool
}

func (r *recorder) WriteHeader(code int) {
	r.wrote = true
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/httpapi"
	"github.com/multilinehq/multiline/multilinetest"
	"github.com/multilinehq/multiline/notify"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
	"github.com/multilinehq/multiline/store/memory"
)

func init() {
	// The report and uploads are strings to the document; kin's own CSV
	// decoder would refuse the hostile files the tests upload on purpose.
	openapi3filter.RegisterBodyDecoder("text/csv", openapi3filter.PlainBodyDecoder)
}

// bearer is the tests' authentication: the bearer token is the admin's ID.
// A token "panic" panics, for the recovery test.
func bearer(r *http.Request) (permissions.AdminID, error) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return "", errors.New("no token")
	}
	if tok == "panic" {
		panic("the host's authentication failed hard")
	}
	return permissions.AdminID(tok), nil
}

// fixture is a tree Acme → {Sales, Support} and an unrelated tenant Globex,
// behind a real listening server.
type fixture struct {
	svc     *multiline.Service
	outbox  *notify.Recorder
	h       *httpapi.Handler
	srv     *httptest.Server
	router  routers.Router
	logs    *syncBuffer
	acme    multiline.Tenant
	sales   org.Org
	support org.Org
	globex  multiline.Tenant
	tree    multilinetest.Tree

	root         permissions.AdminID // every privilege on Acme
	salesAdmin   permissions.AdminID // Accounts on Sales
	salesReports permissions.AdminID // Reports on Sales
	salesSetup   permissions.AdminID // Setup on Sales
	globexAdmin  permissions.AdminID // every privilege on Globex
}

// syncBuffer is a log sink safe for the handler's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newFixture(t testing.TB, svcOpts []multiline.Option, opts ...httpapi.Option) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{outbox: notify.NewRecorder(), logs: &syncBuffer{}}
	svc, err := multiline.New(memory.New(), append([]multiline.Option{multiline.WithNotifier(f.outbox),
		multiline.WithLogger(slog.New(slog.DiscardHandler))}, svcOpts...)...)
	require.NoError(t, err)
	f.svc = svc
	f.tree, err = multilinetest.NewTree(ctx, svc)
	require.NoError(t, err)
	f.acme, f.sales, f.support, f.globex = f.tree.Acme, f.tree.Sales, f.tree.Support, f.tree.Globex
	f.root, f.globexAdmin = f.tree.Root(), f.globex.Admin.ID
	f.salesAdmin = f.admin(t, "sales@acme.example", f.sales.ID, permissions.Accounts)
	f.salesReports = f.admin(t, "reports@acme.example", f.sales.ID, permissions.Reports)
	f.salesSetup = f.admin(t, "setup@acme.example", f.sales.ID, permissions.Setup)

	opts = append([]httpapi.Option{httpapi.WithLogger(slog.New(slog.NewTextHandler(f.logs, nil)))}, opts...)
	f.h, err = httpapi.New(svc, bearer, opts...)
	require.NoError(t, err)
	f.srv = httptest.NewServer(f.h)
	t.Cleanup(func() {
		f.srv.Close()
		require.NoError(t, f.h.Close())
	})
	f.router = newRouter(t, f.srv.URL)
	return f
}

// newRouter loads the embedded document, for the server at base.
func newRouter(t testing.TB, base string) routers.Router {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(httpapi.OpenAPI())
	require.NoError(t, err)
	require.True(t, doc.IsOpenAPI31OrLater(), "the document is OpenAPI 3.1")
	require.NoError(t, doc.Validate(loader.Context))
	doc.Servers = openapi3.Servers{{URL: base}}
	r, err := legacy.NewRouter(doc)
	require.NoError(t, err)
	return r
}

func (f *fixture) admin(t testing.TB, email string, o org.ID, privs ...permissions.Privilege) permissions.AdminID {
	t.Helper()
	a, err := f.tree.Admin(context.Background(), f.svc, email, []org.ID{o}, privs...)
	require.NoError(t, err)
	return a
}

// numbers adds numbers to Acme and allocates them to o.
func (f *fixture) numbers(t testing.TB, o org.ID, ns ...string) {
	t.Helper()
	in := make([]multiline.NumberInput, len(ns))
	for i, n := range ns {
		in[i] = multiline.NumberInput{Number: n}
	}
	require.NoError(t, f.tree.Numbers(context.Background(), f.svc, o, in...))
}

// lastToken is the activation token of the last message sent to `to`.
func (f *fixture) lastToken(t testing.TB, to string) string {
	t.Helper()
	ms := f.outbox.Messages()
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].To == to && ms[i].Secret != "" {
			return ms[i].Secret
		}
	}
	t.Fatalf("no message to %s", to)
	return ""
}

// saved creates an account directly, for the tests that need one.
func (f *fixture) saved(t testing.TB, o org.ID, id string) account.Account {
	t.Helper()
	a, err := f.svc.Save(context.Background(), f.root, o, account.Input{FirstName: "User", LastName: id, AccountID: id,
		Applications: []org.Application{org.AppMobile}, Email: id + "@acme.example"})
	require.NoError(t, err)
	return a
}

// req is one request of a test.
type req struct {
	method, path string
	as           permissions.AdminID // empty: no Authorization header
	json         any                 // marshalled as the body, application/json
	body         string              // the raw body, with ctype
	ctype        string
	header       map[string]string
	// invalid marks a request the document itself refuses (bad input):
	// it is checked to be refused by the document too, not to pass.
	invalid bool
	// unchecked skips the request's check against the document, for what
	// the document cannot say (a body over the size limit, two JSON values).
	unchecked bool
}

// resp is an answer, validated against the document.
type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) decode(t testing.TB, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.body, v), "%s", r.body)
}

func (r resp) problem(t testing.TB) httpapi.Problem {
	t.Helper()
	require.Equal(t, "application/problem+json", r.header.Get("Content-Type"), "%d %s", r.status, r.body)
	var p httpapi.Problem
	r.decode(t, &p)
	require.Equal(t, r.status, p.Status)
	return p
}

// do sends rq to the server and validates the request and the answer
// against the OpenAPI document.
func (f *fixture) do(t testing.TB, rq req) resp {
	t.Helper()
	var body []byte
	ctype := rq.ctype
	switch {
	case rq.json != nil:
		var err error
		body, err = json.Marshal(rq.json)
		require.NoError(t, err)
		if ctype == "" {
			ctype = "application/json"
		}
	case rq.body != "":
		body = []byte(rq.body)
	}
	build := func() *http.Request {
		r, err := http.NewRequest(rq.method, f.srv.URL+rq.path, bytes.NewReader(body))
		require.NoError(t, err)
		if ctype != "" {
			r.Header.Set("Content-Type", ctype)
		}
		if rq.as != "" {
			r.Header.Set("Authorization", "Bearer "+string(rq.as))
		}
		for k, v := range rq.header {
			r.Header.Set(k, v)
		}
		return r
	}

	ctx := context.Background()
	vr := build()
	route, params, err := f.router.FindRoute(vr)
	require.NoError(t, err, "%s %s is not in the document", rq.method, rq.path)
	in := &openapi3filter.RequestValidationInput{Request: vr, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	verr := openapi3filter.ValidateRequest(ctx, in)
	switch {
	case rq.unchecked:
	case rq.invalid:
		require.Error(t, verr, "%s %s: the document should refuse this request too", rq.method, rq.path)
	default:
		require.NoError(t, verr, "%s %s: request against the document", rq.method, rq.path)
	}

	hr, err := http.DefaultClient.Do(build())
	require.NoError(t, err)
	defer hr.Body.Close()
	got, err := io.ReadAll(hr.Body)
	require.NoError(t, err)
	out := resp{status: hr.StatusCode, header: hr.Header, body: got}

	require.Equal(t, "no-store", hr.Header.Get("Cache-Control"), "%s %s", rq.method, rq.path)
	in.Request = build() // the validated one's body was read
	err = openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{RequestValidationInput: in,
		Status: hr.StatusCode, Header: hr.Header, Body: io.NopCloser(bytes.NewReader(got)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}})
	require.NoError(t, err, "%s %s answered %d %s: not as the document says", rq.method, rq.path, hr.StatusCode, got)
	return out
}

// eventually waits for cond, for the background imports.
func eventually(t testing.TB, cond func() bool) {
	t.Helper()
	require.Eventually(t, cond, 10*time.Second, 5*time.Millisecond)
}

// accountInputOf is the account.Input of a form, for direct calls.
func accountInputOf(m map[string]any) account.Input {
	in := account.Input{FirstName: m["first_name"].(string), LastName: m["last_name"].(string),
		AccountID: m["account_id"].(string), Email: m["email"].(string)}
	for _, app := range m["applications"].([]string) {
		in.Applications = append(in.Applications, org.Application(app))
	}
	return in
}

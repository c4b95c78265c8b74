package scim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/httpapi/scim"
	"github.com/multilinehq/multiline/multilinetest"
	"github.com/multilinehq/multiline/notify"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
	"github.com/multilinehq/multiline/store/memory"
)

// fixture is a tenant Acme with Sales (three numbers) and Support (none),
// an unrelated tenant Globex, an administrator "scim" with Accounts on
// Sales and Support, and the SCIM handler behind a real listening server.
// Each bearer token is one SCIM client.
type fixture struct {
	svc     *multiline.Service
	outbox  *notify.Recorder
	srv     *httptest.Server
	ext     *scim.MemoryExternalIDs
	acme    multiline.Tenant
	sales   org.Org
	support org.Org
	globex  multiline.Tenant
	root    permissions.AdminID
	admin   permissions.AdminID // the SCIM clients' acting administrator
	clients map[string]scim.Client
}

func newFixture(t testing.TB, opts ...scim.Option) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{outbox: notify.NewRecorder(), ext: scim.NewMemoryExternalIDs()}
	svc, err := multiline.New(memory.New(), multiline.WithNotifier(f.outbox), multiline.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	f.svc = svc
	tr, err := multilinetest.NewTree(ctx, svc)
	require.NoError(t, err)
	f.acme, f.sales, f.support, f.globex, f.root = tr.Acme, tr.Sales, tr.Support, tr.Globex, tr.Root()
	f.admin, err = tr.Admin(ctx, svc, "scim@acme.example", []org.ID{f.sales.ID, f.support.ID}, permissions.Accounts, permissions.Reports)
	require.NoError(t, err)
	require.NoError(t, tr.Numbers(ctx, svc, f.sales.ID, multiline.NumberInput{Number: "+12025550101"},
		multiline.NumberInput{Number: "+12025550102"}, multiline.NumberInput{Number: "+12025550103"}))

	apps := []org.Application{org.AppMobile}
	f.clients = map[string]scim.Client{
		"okta":          {Org: f.sales.ID, Admin: f.admin, Applications: apps},
		"entra":         {Org: f.sales.ID, Admin: f.admin, Applications: apps, Invite: true},
		"entra-sms":     {Org: f.sales.ID, Admin: f.admin, Applications: apps, Invite: true, SMSConsent: true},
		"support":       {Org: f.support.ID, Admin: f.admin, Applications: apps, Invite: true},
		"globex":        {Org: f.globex.Org.ID, Admin: f.globex.Admin.ID, Applications: apps},
		"no-privileges": {Org: f.acme.Org.ID, Admin: f.admin, Applications: apps},
	}
	auth := func(r *http.Request) (scim.Client, error) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if tok == "panic" {
			panic("the host's credential mapping failed hard")
		}
		c, known := f.clients[tok]
		if !ok || !known {
			return scim.Client{}, errors.New("unknown client")
		}
		return c, nil
	}
	h, err := scim.New(svc, auth, append([]scim.Option{scim.WithExternalIDs(f.ext)}, opts...)...)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", h))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// pageAll is a page as large as a page gets.
var pageAll = multiline.Page{Limit: multiline.MaxPageSize}

// answer is a response: its status, headers and decoded JSON body.
type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// do sends one request as a SCIM client would: body is marshalled unless
// it is a string, sent as is.
func (f *fixture) do(t testing.TB, client, method, path string, body any) answer {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		require.NoError(t, err)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, f.srv.URL+"/scim/v2"+path, rd)
	require.NoError(t, err)
	if client != "" {
		req.Header.Set("Authorization", "Bearer "+client)
	}
	req.Header.Set("Accept", "application/scim+json")
	if rd != nil {
		req.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	a := answer{status: res.StatusCode, header: res.Header, raw: string(raw)}
	if len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, &a.body), "body: %s", raw)
		require.Equal(t, "application/scim+json; charset=utf-8", res.Header.Get("Content-Type"))
	}
	return a
}

// must checks the status, showing the body when it differs.
func (a answer) must(t testing.TB, status int) answer {
	t.Helper()
	require.Equal(t, status, a.status, "body: %s", a.raw)
	return a
}

// scimError checks a SCIM error body: its status, scimType and the code
// its detail starts with.
func (a answer) scimError(t testing.TB, status int, scimType, code string) {
	t.Helper()
	a.must(t, status)
	require.Equal(t, []any{"urn:ietf:params:scim:api:messages:2.0:Error"}, a.body["schemas"], a.raw)
	require.Equal(t, jsonString(status), a.body["status"], a.raw)
	if scimType == "" {
		require.NotContains(t, a.body, "scimType", a.raw)
	} else {
		require.Equal(t, scimType, a.body["scimType"], a.raw)
	}
	detail := a.body["detail"].(string)
	if status == http.StatusInternalServerError {
		// An internal failure has no code and says nothing more.
		require.Equal(t, code, detail)
		return
	}
	require.True(t, strings.HasPrefix(detail, code+": "), "detail %q does not start with %q", detail, code)
}

func jsonString(status int) string {
	b, _ := json.Marshal(status)
	return string(b)
}

// account reads the account as the portal's administrator sees it.
func (f *fixture) account(t testing.TB, id any) account.Account {
	t.Helper()
	s, _ := id.(string)
	if x, ok := id.(account.ID); ok {
		s = string(x)
	}
	a, err := f.svc.Account(context.Background(), f.root, account.ID(s))
	require.NoError(t, err)
	return a
}

// audit is the events on subject in o, oldest first.
func (f *fixture) audit(t testing.TB, o org.ID, subject string) []multiline.AuditEvent {
	t.Helper()
	l, err := f.svc.ListAudit(context.Background(), f.root, o, multiline.Page{Limit: multiline.MaxPageSize})
	require.NoError(t, err)
	var out []multiline.AuditEvent
	for _, e := range l.Items {
		if e.Subject == subject {
			out = append(out, e)
		}
	}
	slices.Reverse(out) // the log lists newest first
	return out
}

// str reads a string member of a decoded body.
func get(m map[string]any, path ...string) any {
	var v any = m
	for _, p := range path {
		o, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = o[p]
	}
	return v
}

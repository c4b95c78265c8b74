package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/httpapi"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/store/faultstore"
	"github.com/multilinehq/multiline/store/memory"
)

// TestExportStoreFailure: a store failure at each call of an export of two
// pages is either a 500 problem without an attachment (before the first
// byte) or a download cut short that the client sees as broken (after it);
// never a 200 with a file that looks whole but is short.
func TestExportStoreFailure(t *testing.T) {
	ctx := context.Background()
	fs := faultstore.New(memory.New())
	svc, err := multiline.New(fs, multiline.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	acme, err := svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Acme", AdminName: "A", AdminEmail: "a@acme.example"})
	require.NoError(t, err)
	n := multiline.MaxPageSize + 1
	for i := range n {
		_, err := svc.Save(ctx, acme.Admin.ID, acme.Org.ID, account.Input{FirstName: "U", LastName: fmt.Sprint(i), AccountID: fmt.Sprint(i),
			Applications: []org.Application{org.AppMobile}, Email: fmt.Sprintf("u%d@acme.example", i)})
		require.NoError(t, err)
	}
	h, err := httpapi.New(svc, bearer, httpapi.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		require.NoError(t, h.Close())
	})
	get := func() (*http.Response, []byte, error) {
		rq, err := http.NewRequest("GET", srv.URL+"/orgs/"+string(acme.Org.ID)+"/accounts/export", nil)
		require.NoError(t, err)
		rq.Header.Set("Authorization", "Bearer "+string(acme.Admin.ID))
		hr, err := http.DefaultClient.Do(rq)
		if err != nil {
			return nil, nil, err
		}
		defer hr.Body.Close()
		body, err := io.ReadAll(hr.Body)
		return hr, body, err
	}

	fs.FailCall(0)
	hr, whole, err := get()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, hr.StatusCode)
	calls := fs.Calls()
	require.Greater(t, calls, 4)

	before, cut := 0, 0
	for call := 1; call <= calls; call++ {
		fs.FailCall(call)
		hr, body, err := get()
		require.NotNil(t, fs.Injected(), "call %d", call)
		switch {
		case err != nil:
			cut++ // the connection was cut: the client knows the file is broken
		case hr.StatusCode == http.StatusInternalServerError:
			before++
			assert.Equal(t, "application/problem+json", hr.Header.Get("Content-Type"))
			assert.Empty(t, hr.Header.Get("Content-Disposition"))
		default:
			t.Fatalf("call %d (%s): %d with %d of %d bytes", call, fs.Injected().Method, hr.StatusCode, len(body), len(whole))
		}
	}
	assert.Positive(t, before, "failures before the first byte are problems")
	assert.Positive(t, cut, "failures after it cut the download")
}

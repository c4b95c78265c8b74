package main

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/multilinehq/multiline/notify"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testScreen(t *testing.T) *screen {
	t.Helper()
	s, err := newScreen(demo{admin: "admin-1", orgs: []org.Org{{ID: "o1", Name: "Demo Carrier"}}}, newInbox(notify.NewRecorder(), "http://x/activate/"))
	require.NoError(t, err)
	return s
}

// TestCookieAuthentication checks the sign-in cookie and the CSRF guards
// of a cookie-authenticated call (screen.go's doc comment).
func TestCookieAuthentication(t *testing.T) {
	s := testScreen(t)
	bearer := func(r *http.Request) (permissions.AdminID, error) {
		if r.Header.Get("Authorization") == "Bearer good" {
			return "bearer-admin", nil
		}
		return "", errors.New("bad token")
	}
	auth := s.authenticate(bearer)
	cookie := &http.Cookie{Name: sessionCookie, Value: s.secret}
	tests := []struct {
		name    string
		method  string
		cookie  *http.Cookie
		headers map[string]string
		want    permissions.AdminID
	}{
		{"bearer", "POST", nil, map[string]string{"Authorization": "Bearer good"}, "bearer-admin"},
		{"a wrong bearer is not saved by the cookie", "GET", cookie, map[string]string{"Authorization": "Bearer bad"}, ""},
		{"nothing", "GET", nil, nil, ""},
		{"a wrong cookie", "GET", &http.Cookie{Name: sessionCookie, Value: strings.Repeat("0", 64)}, nil, ""},
		{"cookie GET", "GET", cookie, nil, "admin-1"},
		{"cookie POST without the header", "POST", cookie, nil, ""},
		{"cookie POST with a wrong header value", "POST", cookie, map[string]string{csrfHeader: "yes"}, ""},
		{"cookie POST with the header", "POST", cookie, map[string]string{csrfHeader: "1"}, "admin-1"},
		{"cookie POST with the header, same origin", "POST", cookie, map[string]string{csrfHeader: "1", "Origin": "http://portal.test"}, "admin-1"},
		{"cookie POST from another origin", "POST", cookie, map[string]string{csrfHeader: "1", "Origin": "http://evil.test"}, ""},
		{"cookie PATCH without the header", "PATCH", cookie, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "http://portal.test/api/v1/accounts/resend", nil)
			if tt.cookie != nil {
				r.AddCookie(tt.cookie)
			}
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			got, err := auth(r)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.want == "", err != nil)
		})
	}
}

// TestPageHeaders checks the sign-in cookie's attributes and the
// Content-Security-Policy of the pages, and that the activation page signs
// nobody in.
func TestPageHeaders(t *testing.T) {
	s := testScreen(t)
	mux := http.NewServeMux()
	s.mount(mux)
	for _, path := range []string{"/", "/add", "/reports", "/inbox", "/activate/sometoken", "/static/portal.js"} {
		t.Run(path, func(t *testing.T) {
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
			require.Equal(t, http.StatusOK, w.Code)
			assert.Equal(t, contentSecurityPolicy, w.Header().Get("Content-Security-Policy"))
			assert.Equal(t, "no-referrer", w.Header().Get("Referrer-Policy"))
			cookies := w.Result().Cookies()
			if path == "/activate/sometoken" || strings.HasPrefix(path, "/static/") {
				assert.Empty(t, cookies)
				return
			}
			require.Len(t, cookies, 1)
			c := cookies[0]
			assert.Equal(t, sessionCookie, c.Name)
			assert.True(t, c.HttpOnly)
			assert.Equal(t, http.SameSiteStrictMode, c.SameSite)
			assert.NotContains(t, w.Body.String(), "<script>", "no inline script")
		})
	}
	t.Run("the template needs the cookie", func(t *testing.T) {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest("GET", "/template.csv", nil))
		assert.Equal(t, http.StatusUnauthorized, w.Code)
		r := httptest.NewRequest("GET", "/template.csv", nil)
		r.AddCookie(&http.Cookie{Name: sessionCookie, Value: s.secret})
		w = httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		assert.Equal(t, http.StatusOK, w.Code)
		assert.True(t, strings.HasPrefix(w.Body.String(), "firstname,lastname,"))
	})
}

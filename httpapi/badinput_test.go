package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/httpapi"
)

// TestBadJSONBodies: every JSON body is refused when malformed, with an
// unknown field, of the wrong content type, over 1 MiB or empty, each with
// its status and code, and the document refuses the same requests.
func TestBadJSONBodies(t *testing.T) {
	f := newFixture(t, nil)
	huge := `{"first_name":"` + strings.Repeat("a", httpapi.MaxBodyBytes) + `"}`
	paths := []string{"/orgs/" + string(f.sales.ID) + "/accounts", "/accounts/resend", "/accounts/suspend",
		"/accounts/reactivate", "/accounts/delete", "/accounts/move/check", "/accounts/move", "/activation/sometoken"}
	for _, path := range paths {
		for _, tc := range []struct {
			name, body, ctype  string
			status             int
			code               string
			invalid, unchecked bool
		}{
			{"malformed", `{"ids": [`, "application/json", 400, "request.malformed", true, false},
			{"two values", `{} {}`, "application/json", 400, "request.malformed", false, true},
			{"unknown field", `{"bogus": 1}`, "application/json", 400, "request.unknown_field", true, false},
			{"wrong type", `[]`, "application/json", 400, "request.type", true, false},
			{"content type", `{}`, "text/plain", 415, "request.content_type", true, false},
			{"oversize", huge, "application/json", 413, "request.too_large", false, true},
			{"empty", "", "application/json", 400, "request.empty", true, false},
		} {
			if tc.name == "empty" && strings.HasPrefix(path, "/activation/") {
				continue // its body is optional
			}
			t.Run(path+" "+tc.name, func(t *testing.T) {
				r := f.do(t, req{method: "POST", path: path, as: f.root, body: tc.body, ctype: tc.ctype, invalid: tc.invalid, unchecked: tc.unchecked})
				p := r.problem(t)
				assert.Equal(t, tc.status, p.Status, "%s", r.body)
				assert.Equal(t, tc.code, p.Code)
			})
		}
	}
}

// TestBadUploads: an upload of the wrong type, over the byte limit, empty,
// or a multipart body without its file.
func TestBadUploads(t *testing.T) {
	f := newFixture(t, nil, httpapi.WithUploadLimits(1000, 0))
	path := "/orgs/" + string(f.sales.ID) + "/batches"
	for _, tc := range []struct {
		name, body, ctype string
		status            int
		code              string
		invalid           bool
	}{
		{"content type", csvRows("x", 1), "application/json", 415, "request.content_type", true},
		{"no content type", csvRows("x", 1), "", 415, "request.content_type", true},
		{"oversize", csvRows("x", 40), "text/csv", 413, "request.too_large", false},
		{"empty", "", "text/csv", 400, "request.empty", true},
		{"multipart without file", "--b\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--b--\r\n",
			"multipart/form-data; boundary=b", 400, "request.empty", true},
		{"multipart oversize", "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\nContent-Type: text/csv\r\n\r\n" +
			csvRows("x", 40) + "\r\n--b--\r\n", "multipart/form-data; boundary=b", 413, "request.too_large", false},
		{"multipart broken", "--b\r\nno headers end", "multipart/form-data; boundary=b", 400, "request.malformed", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(t, req{method: "POST", path: path, as: f.root, body: tc.body, ctype: tc.ctype, invalid: tc.invalid})
			p := r.problem(t)
			assert.Equal(t, tc.status, p.Status, "%s", r.body)
			assert.Equal(t, tc.code, p.Code)
		})
	}
}

// TestPanicIsAProblem: a panic in a handler (here the host's
// authentication) is a 500 problem, logged by route, never by path.
func TestPanicIsAProblem(t *testing.T) {
	f := newFixture(t, nil)
	r := f.do(t, req{method: "GET", path: "/accounts/SECRET-IN-PATH", as: "panic"})
	p := r.problem(t)
	assert.Equal(t, http.StatusInternalServerError, p.Status)
	assert.Empty(t, p.Code, "an internal failure has no code")
	assert.NotContains(t, string(r.body), "authentication failed", "nothing internal is said")
	logs := f.logs.String()
	assert.Contains(t, logs, "GET /accounts/{id}")
	assert.NotContains(t, logs, "SECRET-IN-PATH")
}

// TestNoRoute: a path or method the API does not have is a problem too.
func TestNoRoute(t *testing.T) {
	f := newFixture(t, nil)
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/nowhere", http.StatusNotFound},
		{"DELETE", "/accounts/x", http.StatusMethodNotAllowed},
	} {
		rq, err := http.NewRequest(tc.method, f.srv.URL+tc.path, nil)
		require.NoError(t, err)
		hr, err := http.DefaultClient.Do(rq)
		require.NoError(t, err)
		body, _ := io.ReadAll(hr.Body)
		hr.Body.Close()
		assert.Equal(t, tc.status, hr.StatusCode)
		assert.Equal(t, "application/problem+json", hr.Header.Get("Content-Type"))
		assert.Equal(t, "no-store", hr.Header.Get("Cache-Control"))
		var p httpapi.Problem
		require.NoError(t, json.Unmarshal(body, &p))
		assert.Equal(t, tc.status, p.Status)
	}
}

// TestMatrixCoversTheDocument: every operation of the document that needs
// an administrator is in the authorization matrix.
func TestMatrixCoversTheDocument(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(httpapi.OpenAPI(), &doc))
	n := 0
	for _, item := range doc.Paths {
		for method, op := range item {
			if method == "parameters" {
				continue
			}
			if !strings.Contains(string(op), `"security": []`) && !strings.Contains(string(op), `"security":[]`) {
				n++
			}
		}
	}
	assert.Equal(t, len(matrix), n)
}

// TestOversizeWithoutLength: a body sent without Content-Length (chunked)
// is cut at the limit as it is read.
func TestOversizeWithoutLength(t *testing.T) {
	f := newFixture(t, nil, httpapi.WithUploadLimits(1000, 0))
	for _, tc := range []struct{ path, ctype, body string }{
		{"/orgs/" + string(f.sales.ID) + "/batches", "text/csv", csvRows("x", 40)},
		{"/accounts/resend", "application/json", `{"ids": ["` + strings.Repeat("x", httpapi.MaxBodyBytes) + `"]}`},
	} {
		// A reader of unknown length makes the client send it chunked.
		rq, err := http.NewRequest("POST", f.srv.URL+tc.path, io.MultiReader(strings.NewReader(tc.body)))
		require.NoError(t, err)
		rq.Header.Set("Content-Type", tc.ctype)
		rq.Header.Set("Authorization", "Bearer "+string(f.root))
		hr, err := http.DefaultClient.Do(rq)
		require.NoError(t, err)
		body, _ := io.ReadAll(hr.Body)
		hr.Body.Close()
		assert.Equal(t, http.StatusRequestEntityTooLarge, hr.StatusCode, "%s", body)
	}
}

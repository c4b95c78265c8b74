package httpapi_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/multilinehq/multiline/httpapi"
)

// FuzzJSONBody: whatever the body of a JSON route, the answer is a success
// or a problem of the client's making, never a 500 or a panic.
func FuzzJSONBody(f *testing.F) {
	for _, s := range []string{`{"ids":["x"]}`, `{"ids":[`, `{"bogus":1}`, `[]`, `{} {}`, "", `{"ids":["\u0000"]}`,
		`{"first_name":"a\nb","applications":["mobile"],"email":"x@y.z"}`, `{"choice":"+14155550101"}`, "\xff\xfe{", `{"first_name":null,"assign_number":""}`} {
		f.Add(s)
	}
	fx := newFixture(f, nil)
	paths := []string{"/accounts/resend", "/accounts/suspend", "/accounts/move/check", "/orgs/" + string(fx.sales.ID) + "/accounts", "/activation/x"}
	// The edit, of an account of its own (PATCH; its body's members are
	// all optional).
	edited := "PATCH /accounts/" + string(fx.saved(f, fx.sales.ID, "fuzzed").ID)
	paths = append(paths, edited)
	f.Fuzz(func(t *testing.T, body string) {
		for _, path := range paths {
			method := "POST"
			if m, p, ok := strings.Cut(path, " "); ok {
				method, path = m, p
			}
			rq := httptest.NewRequest(method, path, strings.NewReader(body))
			rq.Header.Set("Content-Type", "application/json")
			rq.Header.Set("Authorization", "Bearer "+string(fx.salesAdmin))
			w := httptest.NewRecorder()
			fx.h.ServeHTTP(w, rq)
			if w.Code >= 500 {
				t.Fatalf("%s %q: %d %s", path, body, w.Code, w.Body)
			}
			if w.Code >= 400 {
				var p httpapi.Problem
				if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || p.Status != w.Code || p.Code == "" {
					t.Fatalf("%s %q: not a problem with a code: %s", path, body, w.Body)
				}
			}
		}
	})
}

package scim

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// seeds adds every file of testdata/<dir> to the corpus: the request
// bodies and filters of the tests, the shapes Okta and Entra ID send.
func seeds(f *testing.F, dir string) {
	files, err := filepath.Glob(filepath.Join("testdata", dir, "*"))
	if err != nil {
		f.Fatal(err)
	}
	if len(files) == 0 {
		f.Fatalf("no seeds in testdata/%s", dir)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
}

// FuzzPatch decodes and applies any PATCH body: it never panics, a refusal
// is always a SCIM error of this package (a 400 with a scimType and a
// code), and an accepted patch keeps the work number read-only.
func FuzzPatch(f *testing.F) {
	seeds(f, "patch")
	cur := state{UserName: "ann@acme.example", Given: "Ann", Family: "Lee", Email: "ann@acme.example", AccountID: "A1", Active: true}
	f.Fuzz(func(t *testing.T, body string) {
		ops, err := decodePatch([]byte(body))
		if err == nil {
			_, err = applyPatch(cur, "+12025550199", ops)
		}
		if err == nil {
			return
		}
		var se *Error
		if !errors.As(err, &se) {
			t.Fatalf("%q: a refusal that is not a SCIM error: %v", body, err)
		}
		if se.Status != http.StatusBadRequest || se.ScimType == "" || se.Code == "" || !utf8.ValidString(se.Detail) && utf8.ValidString(body) {
			t.Fatalf("%q: refusal %+v", body, se)
		}
	})
}

// FuzzFilter parses any filter: it never panics, and a refusal is
// invalidFilter with its code.
func FuzzFilter(f *testing.F) {
	seeds(f, "filter")
	f.Fuzz(func(t *testing.T, s string) {
		q, err := parseFilter(s)
		if err != nil {
			var se *Error
			if !errors.As(err, &se) || se.ScimType != typeInvalidFilter || se.Code != CodeFilter {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if q.userName == nil && q.externalID == nil && q.email == nil {
			t.Fatalf("%q: accepted a filter that selects nothing", s)
		}
	})
}

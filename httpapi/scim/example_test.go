package scim_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/httpapi/scim"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/store/memory"
)

// An identity provider creates a user, finds it by userName, deactivates it
// (a PATCH without path, as Okta sends) and tries to create it again. The
// host maps its bearer token to the organization, the acting administrator
// and the applications of created accounts.
func Example() {
	ctx := context.Background()
	svc, _ := multiline.New(memory.New(), multiline.WithLogger(slog.New(slog.DiscardHandler)))
	tenant, _ := svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Acme", AdminName: "Root", AdminEmail: "root@acme.example"})

	h, _ := scim.New(svc, func(r *http.Request) (scim.Client, error) {
		if r.Header.Get("Authorization") != "Bearer okta-secret" {
			return scim.Client{}, errors.New("unknown SCIM client")
		}
		return scim.Client{Org: tenant.Org.ID, Admin: tenant.Admin.ID, Applications: []org.Application{org.AppMobile}}, nil
	}, scim.WithExternalIDs(scim.NewMemoryExternalIDs()))
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", h))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	send := func(method, path, body string, show string) map[string]any {
		req, _ := http.NewRequest(method, srv.URL+"/scim/v2"+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer okta-secret")
		req.Header.Set("Content-Type", "application/scim+json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		var out map[string]any
		_ = json.Unmarshal(b, &out)
		fmt.Println(method, show, res.StatusCode)
		return out
	}

	user := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann.lee@acme.example",
		"name":{"givenName":"Ann","familyName":"Lee"},"emails":[{"primary":true,"type":"work","value":"ann.lee@acme.example"}],"active":true}`
	created := send("POST", "/Users", user, "/Users")
	id := created["id"].(string)
	found := send("GET", `/Users?filter=userName+eq+%22ann.lee%40acme.example%22`, "", `/Users?filter=userName eq "ann.lee@acme.example"`)
	fmt.Println("found:", found["totalResults"])
	send("PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`, "/Users/{id}")
	a, _ := svc.Account(ctx, tenant.Admin.ID, account.ID(id))
	fmt.Println("status:", a.Status)
	dup := send("POST", "/Users", user, "/Users")
	fmt.Println(dup["scimType"], "-", strings.SplitN(dup["detail"].(string), ":", 2)[0])
	// Output:
	// POST /Users 201
	// GET /Users?filter=userName eq "ann.lee@acme.example" 200
	// found: 1
	// PATCH /Users/{id} 200
	// status: Suspended
	// POST /Users 409
	// uniqueness - username.exists
}

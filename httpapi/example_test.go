package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/httpapi"
	"github.com/multilinehq/multiline/notify"
	"github.com/multilinehq/multiline/permissions"
	"github.com/multilinehq/multiline/store/memory"
)

// A host mounts the API under a prefix of its own, with its own
// authentication: here a bearer token that names the demo administrator.
func Example() {
	ctx := context.Background()
	svc, _ := multiline.New(memory.New(), multiline.WithNotifier(notify.NewRecorder()))
	acme, _ := svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Acme", AdminName: "Ada", AdminEmail: "ada@acme.example"})

	auth := func(r *http.Request) (permissions.AdminID, error) {
		if r.Header.Get("Authorization") != "Bearer s3cret" {
			return "", fmt.Errorf("no session")
		}
		return acme.Admin.ID, nil
	}
	api, _ := httpapi.New(svc, auth)
	defer api.Close()
	mux := http.NewServeMux()
	mux.Handle("/api/v1/", http.StripPrefix("/api/v1", api))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	body := `{"first_name":"Grace","last_name":"Hopper","account_id":"grace","applications":["mobile"],"email":"grace@acme.example"}`
	rq, _ := http.NewRequest("POST", srv.URL+"/api/v1/orgs/"+string(acme.Org.ID)+"/accounts", strings.NewReader(body))
	rq.Header.Set("Authorization", "Bearer s3cret")
	rq.Header.Set("Content-Type", "application/json")
	res, _ := http.DefaultClient.Do(rq)
	res.Body.Close()
	fmt.Println(res.Status)
	// Location is relative to the request, so it holds under any prefix.
	loc, _ := res.Request.URL.Parse(res.Header.Get("Location"))
	fmt.Println(strings.HasPrefix(loc.Path, "/api/v1/accounts/"))

	res, _ = http.Get(srv.URL + "/api/v1/orgs/" + string(acme.Org.ID) + "/accounts")
	problem, _ := io.ReadAll(res.Body)
	res.Body.Close()
	fmt.Println(res.Status, res.Header.Get("Content-Type"))
	fmt.Print(string(problem))
	// Output:
	// 201 Created
	// true
	// 401 Unauthorized application/problem+json
	// {"type":"about:blank","title":"Unauthorized","status":401,"detail":"Sign in first.","code":"unauthenticated"}
}

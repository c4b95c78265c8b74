package main

import (
	"log/slog"
	"net/http"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/httpapi"
	"github.com/multilinehq/multiline/httpapi/scim"
	"github.com/multilinehq/multiline/org"
)

// scimHandler serves SCIM 2.0 (SPEC §12) for the demo's one SCIM client: an
// identity provider holding the portal's bearer token provisions users into
// Sales, as the demo administrator, invited on creation. A host maps each
// client's own credential to its organization, profile and administrator.
func scimHandler(svc *multiline.Service, d demo, auth httpapi.Authenticate, log *slog.Logger, base string) (http.Handler, error) {
	sales := d.orgs[0].ID
	for _, o := range d.orgs {
		if o.Name == "Sales" {
			sales = o.ID
		}
	}
	client := func(r *http.Request) (scim.Client, error) {
		admin, err := auth(r)
		if err != nil {
			return scim.Client{}, err
		}
		return scim.Client{Org: sales, Admin: admin, Applications: []org.Application{org.AppMobile}, Invite: true}, nil
	}
	h, err := scim.New(svc, client, scim.WithExternalIDs(scim.NewMemoryExternalIDs()), scim.WithLogger(log),
		scim.WithBaseURL(base+"scim/v2"))
	if err != nil {
		return nil, err
	}
	return http.StripPrefix("/scim/v2", h), nil
}

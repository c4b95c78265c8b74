// Package scim serves SCIM 2.0 (RFC 7643, RFC 7644) provisioning for the
// MultiLine SDK (SPEC §12): an identity provider — Okta, Microsoft Entra
// ID — creates, updates, deactivates and deletes the accounts of one
// organization. The host mounts the Handler, typically at /scim/v2/:
//
//	h, err := scim.New(svc, func(r *http.Request) (scim.Client, error) {
//		// map the request's bearer credential to its client
//	}, scim.WithExternalIDs(ids))
//	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", h))
//
// Each SCIM client (one Okta or Entra application) is mapped by the host's
// function to a Client: the organization it provisions, the administrator
// every change is made as (authorization and audit are the Service's,
// unchanged: the audit events name that administrator), the profile and
// applications of created accounts, and whether a created user is saved or
// saved and invited. Every SDK rule holds: usernames are unique (409
// uniqueness), the capacity invariant refuses an invitation without a
// number when the organization has none to spare (409), field rules are
// the form's (400 invalidValue), and an account of another organization is
// not found, exactly like one that does not exist.
//
// # Endpoints
//
// /Users: POST, GET (startIndex, count; filter userName eq, externalId eq,
// emails eq, joined with "and"), GET /Users/{id}, PUT, PATCH, DELETE;
// /ServiceProviderConfig, /ResourceTypes, /Schemas. Bodies are
// application/scim+json (application/json is accepted), at most 1 MiB.
// Errors are SCIM error bodies (urn:ietf:params:scim:api:messages:2.0:Error)
// with status, scimType where RFC 7644 has one, and a detail that starts
// with the stable code of SPEC §5 (mlerr.CodeOf), e.g.
// "email.exists: Email is already the username of another account (...)".
//
// # Mapping
//
//	userName                          the username: the lower-cased email, else the mobile number
//	name.givenName, name.familyName   First Name, Last Name
//	emails (primary, else work)       Email (one is kept)
//	phoneNumbers[type eq "mobile"]    Device #
//	phoneNumbers[type eq "work"]      the MultiLine number the account holds (read-only)
//	active                            false: Suspended (Service.Suspend / Reactivate)
//	enterprise employeeNumber         Account ID (absent on create: the userName)
//	externalId                        kept by the host's ExternalIDs (see below)
//
// userName must be the user's email (or, for a user without one, the
// mobile number): MultiLine's username is derived from them, and an
// identity provider looks the user up again by userName. A userName that
// is neither is refused (400 invalidValue, scim.value) rather than stored
// somewhere the lookup would not find it; map userName to the user's email
// (Okta: Email or Username; Entra ID: mail or userPrincipalName when it is
// the mail). A PATCH that changes userName alone changes the email with it.
//
// externalId: the account record has no field for it and this package may
// not change the root's. The host passes an ExternalIDs (WithExternalIDs;
// NewMemoryExternalIDs for a single process); without one, a request that
// sets externalId is refused with scim.external_id instead of dropping it
// silently — Entra ID sends one on every create, so Entra needs it.
//
// Attributes of the core schema MultiLine does not keep (displayName, which
// is made of the names, title, locale, addresses, password, …) are accepted
// and not stored, as RFC 7644 lets a server do; a path that names no User
// attribute is refused (invalidPath).
//
// DELETE deletes the account (Service.Delete): Okta never sends DELETE (it
// deactivates with active=false), and Entra ID sends it only for a hard
// delete, after a soft delete that was a PATCH active=false, and then
// expects GET to answer 404. Deactivation is suspension; reactivation
// returns the account to the status it had.
//
// PATCH takes the shapes both providers send: with a path (name.givenName,
// emails[type eq "work"].value, phoneNumbers[type eq "mobile"].value,
// active, the enterprise extension's URN-prefixed employeeNumber) and
// without one, whose value is a map of attributes ({"active": false}) or of
// attribute paths ({"name.givenName": "Ann"}); op names in any case
// ("Replace"), and booleans as "True"/"False" strings, as Entra ID sends
// them.
//
// A change that is an edit and a (de)activation at once is two Service
// calls, each its own transaction (the root has no call that does both): a
// deactivation edits first, a reactivation reactivates first, so a refused
// edit never leaves the account more active than it was; a create with
// active=false is Save (never Save & Invite) then Suspend, and reactivating
// it later sends nothing: Resend invites it.
//
// # Why our own handlers
//
// The package is net/http handlers of its own with
// github.com/scim2/filter-parser/v2 (a tagged release, v2.3.1, with one
// small dependency) for filters and PATCH paths, rather than
// github.com/elimity-com/scim, which has only untagged pseudo-versions
// (no release to pin or read a changelog for). That library models
// resources as untyped attribute maps (ResourceAttributes) validated
// against its own schema types and answers errors its own way: the
// MultiLine mapping (userName derived from the email, the read-only work
// number, Suspend for active, the §5 code in every error) would still be
// written by hand against those maps, while the shapes Okta and Entra ID
// actually send (value-map PATCH without a path, "False" strings,
// capitalized ops) would be left to its reading of the RFC. It depends on
// the same filter parser. What SCIM needs here is five routes and a
// mapping; owning them keeps the errors, codes and limits the SDK's.
package scim

// Package httpapi serves the Accounts screen of a MultiLine management portal
// as an HTTP API (SPEC §10): one http.Handler that a host mounts under a
// prefix of its choice, with its own authentication.
//
// The contract is the OpenAPI 3.1 document embedded in the package (OpenAPI,
// served at GET /openapi.json). Errors are application/problem+json (RFC 9457)
// with the stable code of the refusal (mlerr.CodeOf) and, for bad input,
// every field error. Status codes:
//
//   - 400: the body cannot be read as the operation's JSON (malformed, an
//     unknown field, empty, a wrong type) or a query parameter is wrong;
//   - 401: the host's authentication function refused the request;
//   - 403: permissions.ErrForbidden (no privilege, an organization outside
//     the administrator's tree, or one that does not exist: one answer);
//   - 404: mlerr.ErrNotFound (a record that does not exist or that the
//     administrator may not see: one answer, the ID never echoed);
//   - 409: the state refuses it (already exists, not enough numbers, a
//     number taken, a batch running or not undoable, an account's status,
//     a used or replaced activation link);
//   - 413: over the body limit; 415: a wrong content type;
//   - 422: the input was read but breaks a rule (mlerr.ErrInvalid, field
//     errors, a file refused as a whole, SMS consent missing);
//   - 500: anything else, a panic included, with no internals in the body.
//
// Edits: PATCH /accounts/{id} changes the members its body holds and keeps
// the others; "" or [] clears a member, and null is refused (400
// request.null) rather than read as either.
//
// Downloads: the CSV routes answer a refusal as a problem. The account
// export streams page by page, so a failure after its first bytes cannot
// be answered any more: the connection is then cut, and the client sees a
// broken download rather than a short file.
//
// Tokens: the activation routes carry the invitation token in their path.
// The handler never logs a request's path, only its route pattern, and no
// answer repeats the token.
package httpapi

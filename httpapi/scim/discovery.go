package scim

import (
	"net/http"
	"strings"
)

// serviceProviderConfig is GET /ServiceProviderConfig (RFC 7643 §5).
func (h *Handler) serviceProviderConfig(w http.ResponseWriter, r *http.Request, _ Client) {
	h.write(w, http.StatusOK, map[string]any{
		"schemas":          []string{schemaSPConfig},
		"documentationUri": "https://github.com/multilinehq/multiline",
		"patch":            map[string]any{"supported": true},
		"bulk":             map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":           map[string]any{"supported": true, "maxResults": maxCount},
		"changePassword":   map[string]any{"supported": false},
		"sort":             map[string]any{"supported": false},
		"etag":             map[string]any{"supported": false},
		"authenticationSchemes": []map[string]any{{
			"type": "oauthbearertoken", "name": "OAuth Bearer Token", "primary": true,
			"description": "Authentication with the bearer token the host issued to the SCIM client",
		}},
		"meta": map[string]any{"resourceType": "ServiceProviderConfig", "location": h.location(r, "ServiceProviderConfig")},
	})
}

// userType is the User resource type.
func (h *Handler) userType(r *http.Request) map[string]any {
	return map[string]any{
		"schemas":     []string{schemaResType},
		"id":          "User",
		"name":        "User",
		"endpoint":    "/Users",
		"description": "A MultiLine account",
		"schema":      schemaUser,
		"schemaExtensions": []map[string]any{{
			"schema": schemaEnterprise, "required": false,
		}},
		"meta": map[string]any{"resourceType": "ResourceType", "location": h.location(r, "ResourceTypes/User")},
	}
}

// resourceTypes is GET /ResourceTypes: only User.
func (h *Handler) resourceTypes(w http.ResponseWriter, r *http.Request, _ Client) {
	h.write(w, http.StatusOK, listOf([]any{h.userType(r)}))
}

// resourceType is GET /ResourceTypes/{name}.
func (h *Handler) resourceType(w http.ResponseWriter, r *http.Request, _ Client) {
	if r.PathValue("name") != "User" {
		h.fail(w, r, &Error{Status: http.StatusNotFound, Code: "not_found", Detail: "no such resource type"})
		return
	}
	h.write(w, http.StatusOK, h.userType(r))
}

// schemas is GET /Schemas: the attributes this server keeps.
func (h *Handler) schemas(w http.ResponseWriter, r *http.Request, _ Client) {
	h.write(w, http.StatusOK, listOf([]any{h.userSchema(r), h.enterpriseSchema(r)}))
}

// schema is GET /Schemas/{urn}.
func (h *Handler) schema(w http.ResponseWriter, r *http.Request, _ Client) {
	switch urn := r.PathValue("urn"); {
	case strings.EqualFold(urn, schemaUser):
		h.write(w, http.StatusOK, h.userSchema(r))
	case strings.EqualFold(urn, schemaEnterprise):
		h.write(w, http.StatusOK, h.enterpriseSchema(r))
	default:
		h.fail(w, r, &Error{Status: http.StatusNotFound, Code: "not_found", Detail: "no such schema"})
	}
}

func listOf(items []any) map[string]any {
	return map[string]any{"schemas": []string{schemaList}, "totalResults": len(items), "startIndex": 1,
		"itemsPerPage": len(items), "Resources": items}
}

// attr describes one attribute (RFC 7643 §7).
func attr(name, typ, mutability, desc string, required bool, uniqueness string, subs ...map[string]any) map[string]any {
	a := map[string]any{
		"name": name, "type": typ, "multiValued": false, "description": desc, "required": required,
		"caseExact": false, "mutability": mutability, "returned": "default", "uniqueness": uniqueness,
	}
	if len(subs) > 0 {
		a["subAttributes"] = subs
	}
	return a
}

func multi(a map[string]any) map[string]any {
	a["multiValued"] = true
	return a
}

func (h *Handler) userSchema(r *http.Request) map[string]any {
	typed := func(desc string) []map[string]any {
		return []map[string]any{
			attr("value", "string", "readWrite", desc, false, "none"),
			attr("type", "string", "readWrite", "work or mobile", false, "none"),
			attr("primary", "boolean", "readWrite", "The primary value", false, "none"),
		}
	}
	return map[string]any{
		"schemas":     []string{schemaSchema},
		"id":          schemaUser,
		"name":        "User",
		"description": "A MultiLine account",
		"attributes": []map[string]any{
			attr("userName", "string", "readWrite", "The MultiLine username: the lower-cased email, else the mobile number (E.164)", true, "server"),
			attr("name", "complex", "readWrite", "The first and last name", false, "none",
				attr("givenName", "string", "readWrite", "First Name", false, "none"),
				attr("familyName", "string", "readWrite", "Last Name", false, "none"),
				attr("formatted", "string", "readOnly", "First and last name", false, "none")),
			attr("displayName", "string", "readOnly", "First and last name", false, "none"),
			attr("active", "boolean", "readWrite", "false: the account is Suspended", false, "none"),
			attr("externalId", "string", "readWrite", "The identity provider's identifier", false, "none"),
			multi(attr("emails", "complex", "readWrite", "The account's email (one)", false, "none", typed("The email")...)),
			multi(attr("phoneNumbers", "complex", "readWrite",
				`type "mobile": the account's device number; type "work": the MultiLine number it holds (read-only)`, false, "none",
				typed("The number")...)),
		},
		"meta": map[string]any{"resourceType": "Schema", "location": h.location(r, "Schemas/"+schemaUser)},
	}
}

func (h *Handler) enterpriseSchema(r *http.Request) map[string]any {
	return map[string]any{
		"schemas":     []string{schemaSchema},
		"id":          schemaEnterprise,
		"name":        "EnterpriseUser",
		"description": "Enterprise User",
		"attributes": []map[string]any{
			attr("employeeNumber", "string", "readWrite", "The portal's Account ID, unique in the organization", false, "server"),
		},
		"meta": map[string]any{"resourceType": "Schema", "location": h.location(r, "Schemas/"+schemaEnterprise)},
	}
}

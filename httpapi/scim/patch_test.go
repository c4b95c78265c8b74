package scim

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodePatch reads a PATCH body as the handler does.
func decodePatch(body []byte) ([]operation, error) {
	var o map[string]any
	if err := json.Unmarshal(body, &o); err != nil || o == nil {
		return nil, badRequest(typeInvalidSyntax, CodeSyntax, "not an object")
	}
	return parsePatch(object(o))
}

func TestApplyPatch(t *testing.T) {
	cur := state{UserName: "ann@acme.example", Given: "Ann", Family: "Lee", Email: "ann@acme.example",
		Device: "+12025550100", AccountID: "A1", ExternalID: "x1", Active: true}
	const number = "+12025550199"
	tests := []struct {
		name string
		body string
		edit func(*state)
		code string // the refusal's code, "" when it applies
		typ  string
	}{
		{"okta deactivate", `{"Operations":[{"op":"replace","value":{"active":false}}]}`, func(s *state) { s.Active = false }, "", ""},
		{"entra False string with path", `{"Operations":[{"op":"Replace","path":"active","value":"False"}]}`, func(s *state) { s.Active = false }, "", ""},
		{"entra value map of paths", `{"Operations":[{"op":"Replace","value":{"name.givenName":"Bo","name.familyName":"Ng"}}]}`, func(s *state) { s.Given, s.Family = "Bo", "Ng" }, "", ""},
		{"name object", `{"Operations":[{"op":"replace","path":"name","value":{"givenName":"Bo"}}]}`, func(s *state) { s.Given = "Bo" }, "", ""},
		{"name object in a value map", `{"Operations":[{"op":"replace","value":{"name":{"familyName":"Ng","formatted":"x"}}}]}`, func(s *state) { s.Family = "Ng" }, "", ""},
		{"remove name", `{"Operations":[{"op":"remove","path":"name"}]}`, func(s *state) { s.Given, s.Family = "", "" }, "", ""},
		{"work email by filter", `{"Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":"b@acme.example"}]}`, func(s *state) { s.Email = "b@acme.example" }, "", ""},
		{"emails list", `{"Operations":[{"op":"add","path":"emails","value":[{"value":"c@x.example","type":"home"},{"value":"b@acme.example","primary":true}]}]}`, func(s *state) { s.Email = "b@acme.example" }, "", ""},
		{"emails in value map", `{"Operations":[{"op":"replace","value":{"emails":[{"value":"b@acme.example","type":"work"}]}}]}`, func(s *state) { s.Email = "b@acme.example" }, "", ""},
		{"remove emails", `{"Operations":[{"op":"remove","path":"emails"}]}`, func(s *state) { s.Email = "" }, "", ""},
		{"mobile by filter", `{"Operations":[{"op":"add","path":"phoneNumbers[type eq \"mobile\"].value","value":"+12025550111"}]}`, func(s *state) { s.Device = "+12025550111" }, "", ""},
		{"mobile object by filter", `{"Operations":[{"op":"add","path":"phoneNumbers[type eq \"mobile\"]","value":{"value":"+12025550111"}}]}`, func(s *state) { s.Device = "+12025550111" }, "", ""},
		{"phone list", `{"Operations":[{"op":"replace","path":"phoneNumbers","value":[{"type":"work","value":"+1999"},{"type":"mobile","value":"+12025550111"}]}]}`, func(s *state) { s.Device = "+12025550111" }, "", ""},
		{"remove mobile", `{"Operations":[{"op":"remove","path":"phoneNumbers[type eq \"mobile\"]"}]}`, func(s *state) { s.Device = "" }, "", ""},
		{"fax is not kept", `{"Operations":[{"op":"add","path":"phoneNumbers[type eq \"fax\"].value","value":"+1"}]}`, nil, "", ""},
		{"work number repeated", `{"Operations":[{"op":"replace","path":"phoneNumbers[type eq \"work\"].value","value":"+1 202 555 0199"}]}`, nil, "", ""},
		{"work number changed", `{"Operations":[{"op":"replace","path":"phoneNumbers[type eq \"work\"].value","value":"+12025550000"}]}`, nil, CodeReadOnly, typeMutability},
		{"work number removed", `{"Operations":[{"op":"remove","path":"phoneNumbers[type eq \"work\"]"}]}`, nil, CodeReadOnly, typeMutability},
		{"employeeNumber by urn path", `{"Operations":[{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":"A2"}]}`, func(s *state) { s.AccountID = "A2" }, "", ""},
		{"enterprise object", `{"Operations":[{"op":"add","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"A3","manager":{"value":"m"}}}}]}`, func(s *state) { s.AccountID = "A3" }, "", ""},
		{"core urn path", `{"Operations":[{"op":"replace","path":"urn:ietf:params:scim:schemas:core:2.0:User:name.givenName","value":"Bo"}]}`, func(s *state) { s.Given = "Bo" }, "", ""},
		{"externalId", `{"Operations":[{"op":"add","path":"externalId","value":"x2"}]}`, func(s *state) { s.ExternalID = "x2" }, "", ""},
		{"ops applied in order", `{"Operations":[{"op":"replace","path":"name.givenName","value":"A"},{"op":"replace","path":"name.givenName","value":"B"}]}`, func(s *state) { s.Given = "B" }, "", ""},
		{"not kept attributes", `{"Operations":[{"op":"replace","value":{"displayName":"X","title":"T","preferredLanguage":"en-US","addresses":[{"type":"work"}]}}]}`, nil, "", ""},
		{"active true string", `{"Operations":[{"op":"replace","value":{"active":"TRUE"}}]}`, nil, "", ""},
		{"active number", `{"Operations":[{"op":"replace","path":"active","value":1}]}`, nil, CodeValue, typeInvalidValue},
		{"active removed", `{"Operations":[{"op":"remove","path":"active"}]}`, nil, CodePath, typeMutability},
		{"name not a string", `{"Operations":[{"op":"replace","path":"name.givenName","value":["x"]}]}`, nil, CodeValue, typeInvalidValue},
		{"value map not an object", `{"Operations":[{"op":"replace","value":"x"}]}`, nil, CodeValue, typeInvalidValue},
		{"phone sub without filter", `{"Operations":[{"op":"replace","path":"phoneNumbers.value","value":"+1"}]}`, nil, CodePath, typeInvalidPath},
		{"phone filter without type", `{"Operations":[{"op":"replace","path":"phoneNumbers[primary eq true].value","value":"+1"}]}`, nil, CodePath, typeInvalidPath},
		{"garbage path", `{"Operations":[{"op":"replace","path":"emails[type eq","value":"x"}]}`, nil, CodePath, typeInvalidPath},
		{"userName sub-attribute", `{"Operations":[{"op":"replace","path":"userName.x","value":"x"}]}`, nil, CodePath, typeInvalidPath},
		{"meta", `{"Operations":[{"op":"replace","path":"meta","value":{}}]}`, nil, CodeReadOnly, typeMutability},
		{"too many operations", `{"Operations":[` + repeat(`{"op":"add","path":"title","value":"x"}`, 101) + `]}`, nil, CodeSyntax, typeTooMany},
		{"operation not an object", `{"Operations":[1]}`, nil, CodeSyntax, typeInvalidSyntax},
		{"add without value", `{"Operations":[{"op":"add","path":"title"}]}`, nil, CodeValue, typeInvalidValue},
		{"path not a string", `{"Operations":[{"op":"add","path":7,"value":"x"}]}`, nil, CodePath, typeInvalidPath},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops, err := decodePatch([]byte(tt.body))
			var got state
			if err == nil {
				got, err = applyPatch(cur, number, ops)
			}
			if tt.code != "" {
				var se *Error
				require.True(t, errors.As(err, &se), "want %s, got %v", tt.code, err)
				assert.Equal(t, tt.code, se.Code)
				assert.Equal(t, tt.typ, se.ScimType)
				return
			}
			require.NoError(t, err)
			want := cur
			if tt.edit != nil {
				tt.edit(&want)
			}
			assert.Equal(t, want, got)
		})
	}
}

func repeat(s string, n int) string {
	out := s
	for range n - 1 {
		out += "," + s
	}
	return out
}

func TestReconcile(t *testing.T) {
	cur := state{UserName: "ann@acme.example", Email: "ann@acme.example", Device: "+12025550100"}
	tests := []struct {
		name    string
		next    state
		email   string
		device  string
		refused bool
	}{
		{"unchanged", cur, "ann@acme.example", "+12025550100", false},
		{"userName alone renames the email", state{UserName: "bo@acme.example", Email: "ann@acme.example", Device: "+12025550100"}, "bo@acme.example", "+12025550100", false},
		{"userName and email together", state{UserName: "bo@acme.example", Email: "BO@acme.example"}, "BO@acme.example", "", false},
		{"email alone: the userName no longer matches", state{UserName: "ann@acme.example", Email: "bo@acme.example"}, "", "", true},
		{"no email: the userName is it", state{UserName: "bo@acme.example"}, "bo@acme.example", "", false},
		{"a userName that is no email nor phone", state{UserName: "ann", Email: "ann@acme.example"}, "", "", true},
		{"empty userName", state{Email: "ann@acme.example"}, "", "", true},
		{"mobile userName without email", state{UserName: "+1 202 555 0100", Device: "+12025550100"}, "", "+12025550100", false},
		{"mobile userName alone renames the device", state{UserName: "+12025550101", Device: "+12025550100"}, "", "+12025550101", false},
		{"mobile userName, another device", state{UserName: "+12025550101", Device: "+12025550102"}, "", "", true},
		{"mobile userName, the email kept", state{UserName: "+12025550100", Email: "bo@acme.example", Device: "+12025550100"}, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := reconcile(cur, tt.next)
			if tt.refused {
				require.Error(t, err)
				assert.Equal(t, CodeValue, err.(*Error).Code)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.email, got.Email)
			assert.Equal(t, tt.device, got.Device)
		})
	}
}

func TestParseFilter(t *testing.T) {
	s := func(v string) *string { return &v }
	tests := []struct {
		filter string
		want   query
		ok     bool
	}{
		{`userName eq "a@b.example"`, query{userName: s("a@b.example")}, true},
		{`externalId eq "x" and emails.value eq "a@b.example"`, query{externalID: s("x"), email: s("a@b.example")}, true},
		{`emails[value eq "a@b.example"]`, query{email: s("a@b.example")}, true},
		{`userName sw "a"`, query{}, false},
		{`userName pr`, query{}, false},
		{`not (userName eq "a")`, query{}, false},
		{`userName eq 1`, query{}, false},
		{`emails[type eq "work"]`, query{}, false},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "1"`, query{}, false},
		{`userName eq "a" or externalId eq "b"`, query{}, false},
		{`"`, query{}, false},
		{strings.Repeat("(", 9) + `userName eq "a"` + strings.Repeat(")", 9), query{}, false},
		{`userName eq "` + strings.Repeat("a", 500) + `"`, query{}, false},
		{``, query{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			got, err := parseFilter(tt.filter)
			if !tt.ok {
				require.Error(t, err)
				assert.Equal(t, CodeFilter, err.(*Error).Code)
				assert.Equal(t, typeInvalidFilter, err.(*Error).ScimType)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

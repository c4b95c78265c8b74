package scim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/numberpool"
)

// userResource is a User as this server answers it.
type userResource struct {
	Schemas      []string     `json:"schemas"`
	ID           string       `json:"id"`
	ExternalID   string       `json:"externalId,omitempty"`
	UserName     string       `json:"userName"`
	Name         userName     `json:"name"`
	DisplayName  string       `json:"displayName,omitempty"`
	Emails       []multiValue `json:"emails,omitempty"`
	PhoneNumbers []multiValue `json:"phoneNumbers,omitempty"`
	Active       bool         `json:"active"`
	Enterprise   enterprise   `json:"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`
	Meta         meta         `json:"meta"`
}

type userName struct {
	GivenName  string `json:"givenName,omitempty"`
	FamilyName string `json:"familyName,omitempty"`
	Formatted  string `json:"formatted,omitempty"`
}

type multiValue struct {
	Value   string `json:"value"`
	Type    string `json:"type"`
	Primary bool   `json:"primary,omitempty"`
}

type enterprise struct {
	EmployeeNumber string `json:"employeeNumber,omitempty"`
}

type meta struct {
	ResourceType string `json:"resourceType"`
	Created      string `json:"created,omitempty"`
	LastModified string `json:"lastModified,omitempty"`
	Location     string `json:"location,omitempty"`
}

// state is what SCIM sees of an account: the attributes it maps.
type state struct {
	UserName, Given, Family, Email, Device, AccountID, ExternalID string
	Active                                                        bool
}

// stateOf is the SCIM view of a.
func stateOf(a account.Account, externalID string) state {
	return state{UserName: a.Username, Given: a.FirstName, Family: a.LastName, Email: a.Email, Device: a.Device,
		AccountID: a.AccountID, ExternalID: externalID, Active: a.Status != account.Suspended}
}

// resourceOf is the User resource of a.
func (h *Handler) resourceOf(r *http.Request, a account.Account, externalID string) userResource {
	u := userResource{
		Schemas:    []string{schemaUser, schemaEnterprise},
		ID:         string(a.ID),
		ExternalID: externalID,
		UserName:   a.Username,
		Name: userName{GivenName: a.FirstName, FamilyName: a.LastName,
			Formatted: strings.TrimSpace(a.FirstName + " " + a.LastName)},
		DisplayName: strings.TrimSpace(a.FirstName + " " + a.LastName),
		Active:      a.Status != account.Suspended,
		Enterprise:  enterprise{EmployeeNumber: a.AccountID},
		Meta: meta{ResourceType: "User", Created: rfc3339(a.Created), LastModified: rfc3339(a.Updated),
			Location: h.location(r, "Users/"+string(a.ID))},
	}
	if a.Email != "" {
		u.Emails = []multiValue{{Value: a.Email, Type: "work", Primary: true}}
	}
	if a.Device != "" {
		u.PhoneNumbers = append(u.PhoneNumbers, multiValue{Value: a.Device, Type: "mobile"})
	}
	if a.Number != "" {
		u.PhoneNumbers = append(u.PhoneNumbers, multiValue{Value: a.Number, Type: "work"})
	}
	return u
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// object is a decoded JSON object whose members are looked up
// case-insensitively, as SCIM attribute names are (RFC 7643 §2.1).
type object map[string]any

// get returns the member named name, in any case.
func (o object) get(name string) (any, bool) {
	if v, ok := o[name]; ok {
		return v, true
	}
	for k, v := range o {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

// decodeObject reads a request body that must be one JSON object.
func decodeObject(w http.ResponseWriter, r *http.Request) (object, error) {
	body := http.MaxBytesReader(w, r.Body, maxBody)
	dec := json.NewDecoder(body)
	var o map[string]any
	if err := dec.Decode(&o); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge, Detail: fmt.Sprintf("the body is over %d bytes", maxBody)}
		}
		return nil, badRequest(typeInvalidSyntax, CodeSyntax, "the body is not a JSON object")
	}
	if o == nil {
		return nil, badRequest(typeInvalidSyntax, CodeSyntax, "the body is not a JSON object")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, badRequest(typeInvalidSyntax, CodeSyntax, "the body holds more than one JSON value")
	}
	return object(o), nil
}

// str reads a string attribute; null is "".
func str(name string, v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	}
	return "", badRequest(typeInvalidValue, CodeValue, "%s must be a string", name)
}

// boolean reads a boolean attribute. Entra ID sends "True" and "False" as
// strings in PATCH operations, so those are accepted too, in any case.
func boolean(name string, v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, badRequest(typeInvalidValue, CodeValue, "%s must be true or false", name)
}

// list reads a multi-valued attribute as its objects; a single object is
// taken as a list of one (some clients send that in PATCH).
func list(name string, v any) ([]object, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		return []object{x}, nil
	case []any:
		out := make([]object, 0, len(x))
		for _, e := range x {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, badRequest(typeInvalidValue, CodeValue, "%s must be a list of objects", name)
			}
			out = append(out, m)
		}
		return out, nil
	}
	return nil, badRequest(typeInvalidValue, CodeValue, "%s must be a list of objects", name)
}

// primaryEmail is the email of a list of emails: the primary one, else the
// work one, else the first. MultiLine keeps one email per account.
func primaryEmail(es []object) (string, error) {
	pick := -1
	for i, e := range es {
		p, _ := e.get("primary")
		if b, err := boolean("emails.primary", p); err == nil && b {
			pick = i
			break
		}
		if t, _ := e.get("type"); pick < 0 && strings.EqualFold(fmt.Sprint(t), "work") {
			pick = i
		}
	}
	if pick < 0 && len(es) > 0 {
		pick = 0
	}
	if pick < 0 {
		return "", nil
	}
	v, _ := es[pick].get("value")
	return str("emails.value", v)
}

// mobile is the mobile number of a list of phone numbers ("" when none);
// the work number is the MultiLine number, read-only, and other types are
// not kept.
func mobile(ps []object) (string, error) {
	for _, p := range ps {
		if t, _ := p.get("type"); strings.EqualFold(fmt.Sprint(t), "mobile") {
			v, _ := p.get("value")
			return str("phoneNumbers.value", v)
		}
	}
	return "", nil
}

// fromResource reads the attributes of a User body (POST or PUT) over cur:
// what the body leaves out is cleared, except active, externalId and the
// employeeNumber (Account ID), which keep cur's — Okta's PUT carries no
// employeeNumber, and an account cannot be without an Account ID.
func fromResource(o object, cur state) (state, error) {
	next := cur
	var err error
	v, _ := o.get("userName")
	if next.UserName, err = str("userName", v); err != nil {
		return state{}, err
	}
	next.Given, next.Family = "", ""
	if v, ok := o.get("name"); ok && v != nil {
		n, isObj := v.(map[string]any)
		if !isObj {
			return state{}, badRequest(typeInvalidValue, CodeValue, "name must be an object")
		}
		g, _ := object(n).get("givenName")
		f, _ := object(n).get("familyName")
		if next.Given, err = str("name.givenName", g); err != nil {
			return state{}, err
		}
		if next.Family, err = str("name.familyName", f); err != nil {
			return state{}, err
		}
	}
	v, _ = o.get("emails")
	es, err := list("emails", v)
	if err != nil {
		return state{}, err
	}
	if next.Email, err = primaryEmail(es); err != nil {
		return state{}, err
	}
	v, _ = o.get("phoneNumbers")
	ps, err := list("phoneNumbers", v)
	if err != nil {
		return state{}, err
	}
	if next.Device, err = mobile(ps); err != nil {
		return state{}, err
	}
	if v, ok := o.get("active"); ok && v != nil {
		if next.Active, err = boolean("active", v); err != nil {
			return state{}, err
		}
	}
	if v, ok := o.get("externalId"); ok && v != nil {
		if next.ExternalID, err = str("externalId", v); err != nil {
			return state{}, err
		}
	}
	if v, ok := o.get(schemaEnterprise); ok && v != nil {
		e, isObj := v.(map[string]any)
		if !isObj {
			return state{}, badRequest(typeInvalidValue, CodeValue, "the enterprise extension must be an object")
		}
		if n, ok := object(e).get("employeeNumber"); ok && n != nil {
			if next.AccountID, err = str("employeeNumber", n); err != nil {
				return state{}, err
			}
		}
	}
	return next, nil
}

// reconcile makes next's email and device agree with its userName, which
// is MultiLine's username: the lower-cased email, else the mobile number.
// A userName that changed while the email (or device) did not carries the
// email (or device) with it, so a PATCH of userName alone renames the user.
// A userName that is neither the user's email nor, without one, its mobile
// number is refused: MultiLine could not find the user by it again.
func reconcile(cur, next state) (state, error) {
	un := strings.TrimSpace(next.UserName)
	if un == "" {
		return state{}, badRequest(typeInvalidValue, CodeValue, "userName is required")
	}
	next.UserName = un
	renamed := !strings.EqualFold(un, cur.UserName)
	if strings.Contains(un, "@") {
		switch {
		case next.Email == "" || (renamed && next.Email == cur.Email):
			next.Email = un
		case !strings.EqualFold(strings.TrimSpace(next.Email), un):
			return state{}, badRequest(typeInvalidValue, CodeValue,
				"userName %q must be the user's primary email (%q): MultiLine's username is the email", cut(un), cut(next.Email))
		}
		return next, nil
	}
	e164, err := numberpool.ParseE164(un)
	if err != nil {
		return state{}, badRequest(typeInvalidValue, CodeValue,
			"userName %q must be the user's email or, for a user without one, the mobile number", cut(un))
	}
	if next.Email != "" {
		if !renamed || next.Email != cur.Email {
			return state{}, badRequest(typeInvalidValue, CodeValue,
				"userName %q must be the user's email (%q): MultiLine's username is the email when there is one", cut(un), cut(next.Email))
		}
		next.Email = "" // renamed to the mobile number: the email goes
	}
	switch {
	case next.Device == "" || (renamed && samePhone(next.Device, cur.Device)):
		next.Device = e164
	case !samePhone(next.Device, e164):
		return state{}, badRequest(typeInvalidValue, CodeValue,
			"userName %q must be the user's mobile number (%q) when the user has no email", cut(un), cut(next.Device))
	}
	return next, nil
}

// samePhone reports whether a and b are one phone number, as E.164 when
// they parse, else as typed.
func samePhone(a, b string) bool {
	ea, errA := numberpool.ParseE164(a)
	eb, errB := numberpool.ParseE164(b)
	if errA == nil && errB == nil {
		return ea == eb
	}
	return strings.TrimSpace(a) == strings.TrimSpace(b)
}

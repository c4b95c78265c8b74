package scim

import (
	"maps"
	"slices"
	"strings"

	"github.com/multilinehq/multiline/mlerr"

	filter "github.com/scim2/filter-parser/v2"
)

// maxOps bounds the operations of one PATCH request.
const maxOps = 100

// operation is one PATCH operation (RFC 7644 §3.5.2).
type operation struct {
	Op    string // add, replace or remove, lower-cased (Entra ID sends "Replace")
	Path  string // empty: Value is a map of attribute paths to values
	Value any
}

// parsePatch reads a PatchOp body.
func parsePatch(o object) ([]operation, error) {
	v, _ := o.get("Operations")
	raw, ok := v.([]any)
	if !ok || len(raw) == 0 {
		return nil, badRequest(typeInvalidSyntax, CodeSyntax, "a PATCH needs Operations, a list of operations")
	}
	if len(raw) > maxOps {
		return nil, badRequest(typeTooMany, CodeSyntax, "a PATCH may hold at most %d operations", maxOps)
	}
	ops := make([]operation, 0, len(raw))
	for i, e := range raw {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, badRequest(typeInvalidSyntax, CodeSyntax, "operation %d is not an object", i+1)
		}
		op, _ := object(m).get("op")
		name, _ := op.(string)
		name = strings.ToLower(name)
		if name != "add" && name != "replace" && name != "remove" {
			return nil, badRequest(typeInvalidSyntax, CodeSyntax, "operation %d: op must be add, replace or remove", i+1)
		}
		p, _ := object(m).get("path")
		path, err := str("path", p)
		if err != nil {
			return nil, badRequest(typeInvalidPath, CodePath, "operation %d: path must be a string", i+1)
		}
		val, hasValue := object(m).get("value")
		if name != "remove" && (!hasValue || val == nil) {
			return nil, badRequest(typeInvalidValue, CodeValue, "operation %d: %s needs a value", i+1, name)
		}
		if name == "remove" && path == "" {
			return nil, badRequest(typeNoTarget, CodePath, "operation %d: remove needs a path", i+1)
		}
		ops = append(ops, operation{Op: name, Path: strings.TrimSpace(path), Value: val})
	}
	return ops, nil
}

// applyPatch applies ops, in order, to cur. number is the account's
// MultiLine number, the read-only work phone.
func applyPatch(cur state, number string, ops []operation) (state, error) {
	st := cur
	for _, op := range ops {
		if op.Path != "" {
			if err := st.apply(op.Op, op.Path, op.Value, number); err != nil {
				return state{}, err
			}
			continue
		}
		// No path: the value is a map of attributes (Okta's
		// {"active": false}) or of attribute paths (Entra ID's
		// {"name.givenName": "…"}), each applied as if it were the path.
		m, ok := op.Value.(map[string]any)
		if !ok {
			return state{}, badRequest(typeInvalidValue, CodeValue, "an operation without a path needs an object value")
		}
		for _, k := range sortedKeys(m) {
			if err := st.apply(op.Op, k, m[k], number); err != nil {
				return state{}, err
			}
		}
	}
	return st, nil
}

// apply applies one operation at one path.
func (st *state) apply(op, path string, v any, number string) error {
	attr, ok := stripURN(path)
	if !ok {
		return badRequest(typeInvalidPath, CodePath, "path %q names an unknown schema", cut(path))
	}
	if attr.enterprise {
		return st.applyEnterprise(op, attr.rest, v)
	}
	if attr.rest == "" {
		// The core schema's URN itself: its value is an object of
		// attributes.
		m, ok := v.(map[string]any)
		if !ok || op == "remove" {
			return badRequest(typeInvalidValue, CodeValue, "the core schema needs an object value")
		}
		for _, k := range sortedKeys(m) {
			if err := st.apply(op, k, m[k], number); err != nil {
				return err
			}
		}
		return nil
	}
	p, err := parsePath(attr.rest)
	if err != nil {
		return err
	}
	name := strings.ToLower(p.AttributePath.AttributeName)
	sub := strings.ToLower(p.AttributePath.SubAttributeName())
	if p.SubAttribute != nil {
		sub = strings.ToLower(*p.SubAttribute)
	}
	remove := op == "remove"
	setStr := func(dst *string, label string) error {
		if remove {
			*dst = ""
			return nil
		}
		s, err := str(label, v)
		*dst = s
		return err
	}
	switch name {
	case "username":
		if p.ValueExpression != nil || sub != "" {
			return badRequest(typeInvalidPath, CodePath, "userName has no sub-attributes")
		}
		return setStr(&st.UserName, "userName")
	case "externalid":
		return setStr(&st.ExternalID, "externalId")
	case "active":
		if remove {
			return badRequest(typeMutability, CodePath, "active cannot be removed")
		}
		b, err := boolean("active", v)
		st.Active = b
		return err
	case "name":
		return st.applyName(op, sub, v)
	case "emails":
		return st.applyEmails(op, p, sub, v)
	case "phonenumbers":
		return st.applyPhones(op, p, sub, v, number)
	case "id", "meta":
		return badRequest(typeMutability, CodeReadOnly, "%s is read-only", name)
	case "schemas", "displayname", "nickname", "title", "usertype", "preferredlanguage", "locale", "timezone",
		"profileurl", "password", "addresses", "ims", "photos", "groups", "entitlements", "roles", "x509certificates":
		// Core attributes MultiLine does not keep (displayName is made of
		// the names): accepted and not stored, as RFC 7644 lets a server
		// do with attributes it does not support.
		return nil
	}
	return badRequest(typeInvalidPath, CodePath, "path %q names no attribute of a User", cut(path))
}

// applyName applies an operation on name or one of its sub-attributes.
func (st *state) applyName(op, sub string, v any) error {
	switch sub {
	case "givenname":
		return setOrClear(op, &st.Given, "name.givenName", v)
	case "familyname":
		return setOrClear(op, &st.Family, "name.familyName", v)
	case "":
		if op == "remove" {
			st.Given, st.Family = "", ""
			return nil
		}
		m, ok := v.(map[string]any)
		if !ok {
			return badRequest(typeInvalidValue, CodeValue, "name must be an object")
		}
		for _, k := range sortedKeys(m) {
			if err := st.applyName(op, strings.ToLower(k), m[k]); err != nil {
				return err
			}
		}
		return nil
	}
	return nil // formatted, middleName, honorifics: not kept
}

// applyEmails applies an operation on emails: the list, a filtered entry
// (emails[type eq "work"]), or its value. MultiLine keeps one email.
func (st *state) applyEmails(op string, p filter.Path, sub string, v any) error {
	switch {
	case sub == "value":
		return setOrClear(op, &st.Email, "emails.value", v)
	case sub != "":
		return nil // type, primary, display: not kept
	case op == "remove":
		st.Email = ""
		return nil
	}
	es, err := list("emails", v)
	if err != nil {
		return err
	}
	email, err := primaryEmail(es)
	if err != nil {
		return err
	}
	if email != "" || op == "replace" {
		st.Email = email
	}
	return nil
}

// applyPhones applies an operation on phoneNumbers. The mobile number is
// the device; the work number is the MultiLine number, read-only (an
// operation that would change it is refused; one that repeats it is
// accepted); the other types are not kept.
func (st *state) applyPhones(op string, p filter.Path, sub string, v any, number string) error {
	if p.ValueExpression == nil {
		if sub != "" {
			return badRequest(typeInvalidPath, CodePath, "phoneNumbers.%s needs a filter such as [type eq \"mobile\"]", sub)
		}
		if op == "remove" {
			st.Device = ""
			return nil
		}
		ps, err := list("phoneNumbers", v)
		if err != nil {
			return err
		}
		m, err := mobile(ps)
		if err != nil {
			return err
		}
		if m != "" || op == "replace" {
			st.Device = m
		}
		return nil
	}
	typ, ok := typeOf(p.ValueExpression)
	if !ok {
		return badRequest(typeInvalidPath, CodePath, "phoneNumbers needs a filter on type, such as [type eq \"mobile\"]")
	}
	if sub != "" && sub != "value" {
		return nil // type, primary, display: not kept
	}
	val := v
	if sub == "" && op != "remove" {
		// phoneNumbers[type eq "mobile"] with an object (or a list of one).
		ps, err := list("phoneNumbers", v)
		if err != nil || len(ps) != 1 {
			return badRequest(typeInvalidValue, CodeValue, "phoneNumbers[type eq %q] needs one phone number object", typ)
		}
		val, _ = ps[0].get("value")
	}
	switch typ {
	case "mobile":
		return setOrClear(op, &st.Device, "phoneNumbers.value", val)
	case "work":
		if s, _ := val.(string); op != "remove" && s != "" && samePhone(s, number) {
			return nil
		}
		return badRequest(typeMutability, CodeReadOnly, "the work phone number is the MultiLine number, which is read-only")
	}
	return nil
}

// applyEnterprise applies an operation on the enterprise extension; its
// employeeNumber is the Account ID, the rest is not kept.
func (st *state) applyEnterprise(op, rest string, v any) error {
	switch strings.ToLower(rest) {
	case "employeenumber":
		return setOrClear(op, &st.AccountID, "employeeNumber", v)
	case "":
		if op == "remove" {
			st.AccountID = ""
			return nil
		}
		m, ok := v.(map[string]any)
		if !ok {
			return badRequest(typeInvalidValue, CodeValue, "the enterprise extension must be an object")
		}
		for _, k := range sortedKeys(m) {
			if err := st.applyEnterprise(op, k, m[k]); err != nil {
				return err
			}
		}
	}
	return nil // department, manager, costCenter, ...: not kept
}

func setOrClear(op string, dst *string, label string, v any) error {
	if op == "remove" {
		*dst = ""
		return nil
	}
	s, err := str(label, v)
	if err != nil {
		return err
	}
	*dst = s
	return nil
}

// urnPath is a path with its schema URN taken off.
type urnPath struct {
	enterprise bool
	rest       string
}

// stripURN takes a schema URN off path: the core User's, or the enterprise
// extension's (whose attribute follows a colon). A path with another URN
// names a schema this server does not have.
func stripURN(path string) (urnPath, bool) {
	low := strings.ToLower(path)
	for _, s := range []struct {
		urn        string
		enterprise bool
	}{{schemaEnterprise, true}, {schemaUser, false}} {
		u := strings.ToLower(s.urn)
		if low == u {
			return urnPath{enterprise: s.enterprise}, true
		}
		if strings.HasPrefix(low, u+":") {
			return urnPath{enterprise: s.enterprise, rest: path[len(u)+1:]}, true
		}
	}
	if strings.HasPrefix(low, "urn:") {
		return urnPath{}, false
	}
	return urnPath{rest: path}, true
}

// parsePath parses an attribute path of the core schema with the filter
// parser, refusing what it cannot read.
func parsePath(s string) (p filter.Path, err error) {
	if len(s) > 512 || strings.Count(s, "(")+strings.Count(s, "[") > maxNesting {
		return filter.Path{}, badRequest(typeInvalidPath, CodePath, "the path is too long or too nested")
	}
	defer func() {
		// The parser is third-party code on hostile input: a panic in it
		// is a refused path, not a dropped request.
		if recover() != nil {
			p, err = filter.Path{}, badRequest(typeInvalidPath, CodePath, "path %q cannot be read", cut(s))
		}
	}()
	p, err = filter.ParsePath([]byte(s))
	if err != nil {
		return filter.Path{}, badRequest(typeInvalidPath, CodePath, "path %q cannot be read", cut(s))
	}
	return p, nil
}

// typeOf returns the value of a `type eq "…"` in a value filter (alone, or
// in an "and"), lower-cased.
func typeOf(e filter.Expression) (string, bool) {
	switch x := e.(type) {
	case *filter.AttributeExpression:
		if strings.EqualFold(x.AttributePath.AttributeName, "type") && x.Operator == filter.EQ {
			if s, ok := x.CompareValue.(string); ok {
				return strings.ToLower(s), true
			}
		}
	case *filter.LogicalExpression:
		if x.Operator == filter.AND {
			if t, ok := typeOf(x.Left); ok {
				return t, true
			}
			return typeOf(x.Right)
		}
	}
	return "", false
}

// cut shortens a value quoted back in an error.
func cut(s string) string { return mlerr.Truncate(s) }

func sortedKeys(m map[string]any) []string {
	// Applied in a fixed order so a request always means the same thing.
	return slices.Sorted(maps.Keys(m))
}

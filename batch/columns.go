package batch

import (
	"strconv"
	"strings"
)

// Column is one column of the upload, in the order of the portal's template
// (SPEC §6).
type Column int

// The columns of an upload, in template order.
const (
	FirstName Column = iota
	LastName
	EmailOrDevice
	SocialMessaging
	MultilineNumber
	MonitorCalls
	MonitorSMS
	ForwardingNumber
	RestrictIncomingSocial
	Language

	numColumns // the number of columns; not a column
)

// columnNames are the canonical header names, as the template writes them.
var columnNames = [numColumns]string{
	FirstName:              "firstname",
	LastName:               "lastname",
	EmailOrDevice:          "email address or device",
	SocialMessaging:        "social_messaging",
	MultilineNumber:        "multiline_number",
	MonitorCalls:           "monitor_calls",
	MonitorSMS:             "monitor_sms",
	ForwardingNumber:       "forwarding_number",
	RestrictIncomingSocial: "restrict_incoming_social_messaging",
	Language:               "Language",
}

// mandatory marks the columns an upload must have.
var mandatory = [numColumns]bool{
	EmailOrDevice:   true,
	SocialMessaging: true,
	MonitorCalls:    true,
	MonitorSMS:      true,
}

// Columns lists every column in template order.
var Columns = []Column{
	FirstName, LastName, EmailOrDevice, SocialMessaging, MultilineNumber,
	MonitorCalls, MonitorSMS, ForwardingNumber, RestrictIncomingSocial, Language,
}

// String returns the column's header name as the template writes it, e.g.
// "monitor_calls". It is also the Field of the row errors about the column.
func (c Column) String() string {
	if c < 0 || c >= numColumns {
		return "column(" + strconv.Itoa(int(c)) + ")"
	}
	return columnNames[c]
}

// Mandatory reports whether an upload must have the column.
func (c Column) Mandatory() bool { return c >= 0 && c < numColumns && mandatory[c] }

// headerAliases maps a normalized header name to its column. A header name
// is normalized by trimming it, lower-casing it and collapsing inner runs of
// white space to one space, so " Email  Address or Device " is the
// email-or-device column. primary_number is the older name of
// multiline_number (SPEC §6).
var headerAliases = func() map[string]Column {
	m := make(map[string]Column, numColumns+1)
	for c := range numColumns {
		m[strings.ToLower(columnNames[c])] = c
	}
	m["primary_number"] = MultilineNumber
	return m
}()

// normalizeHeader returns the lookup key of a header cell.
func normalizeHeader(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// fieldOrder sorts row errors: the columns in template order first, then
// whatever else (user_permissions, applications, row) in a fixed order.
func fieldOrder(field string) int {
	for c := range numColumns {
		if columnNames[c] == field {
			return int(c)
		}
	}
	return int(numColumns)
}

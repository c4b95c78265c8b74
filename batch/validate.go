package batch

import (
	"cmp"
	"errors"
	"slices"
	"strings"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
)

// accountFields maps the fields of account.Validate's errors to the columns
// of the upload, so that every row error names a column the administrator
// can find in the file. Fields without a column (user_permissions,
// applications, features, account_id) keep their names.
var accountFields = map[string]Column{
	"first_name":                         FirstName,
	"last_name":                          LastName,
	"email":                              EmailOrDevice,
	"device":                             EmailOrDevice,
	"assign_number":                      MultilineNumber,
	"forwarding_number":                  ForwardingNumber,
	"language":                           Language,
	"social_messaging":                   SocialMessaging,
	"restrict_incoming_social_messaging": RestrictIncomingSocial,
}

// ValidateRow checks a parsed row against the account rules of the
// organization it goes to and returns the draft to import, or all of the
// row's errors at once: the parse errors of r.Err and those of
// account.Validate, as an errors.Join of *mlerr.FieldError in column order.
// p.Form is taken as account.CSVRow whatever it says.
//
// The errors of account.Validate are given the column's name as Field and,
// unless the message already starts with it, a "column: " prefix
// ("firstname: First Name must be at most 100 characters"); their codes are
// unchanged.
func ValidateRow(r Row, p account.Policy) (account.Draft, error) {
	p.Form = account.CSVRow
	// Parse has read the device and the multiline_number with
	// numberpool.ParseE164 already, the rule account.Validate applies to them
	// (a number in E.164 reads as itself: FuzzNumberCell checks it); reading
	// them again would double the most expensive work of a row, phone
	// metadata matching, for nothing.
	// The function captures the three strings, not r: a closure over r
	// moved every row to the heap.
	device, e164, assign := r.Input.Device, r.device, r.Input.AssignNumber
	p.ParseNumber = func(s string) (string, error) {
		switch {
		case s == device && e164 != "":
			return e164, nil
		case s == assign:
			return s, nil
		}
		return numberpool.ParseE164(s)
	}
	d, err := account.Validate(r.Input, p)
	if err == nil && r.Err == nil {
		return d, nil
	}
	fields := mlerr.Fields(r.Err)
	for _, fe := range mlerr.Fields(err) {
		fe = toColumn(fe)
		if r.badColumn(fe.Field) {
			continue // the cell's kind is the error (cell.date, cell.formula)
		}
		fields = append(fields, fe)
	}
	return account.Draft{}, joinFields(fields)
}

// toColumn returns fe with its Field renamed to the upload's column and its
// message prefixed with it, as ValidateRow describes. fe is not modified.
func toColumn(fe *mlerr.FieldError) *mlerr.FieldError {
	c, ok := accountFields[fe.Field]
	if !ok {
		return fe
	}
	out := *fe
	out.Field = c.String()
	if !strings.HasPrefix(out.Message, out.Field) {
		out.Message = out.Field + ": " + out.Message
	}
	return &out
}

// joinFields sorts field errors by column, stably, and joins them.
func joinFields(fields []*mlerr.FieldError) error {
	slices.SortStableFunc(fields, func(a, b *mlerr.FieldError) int {
		return cmp.Compare(fieldOrder(a.Field), fieldOrder(b.Field))
	})
	errs := make([]error, len(fields))
	for i, fe := range fields {
		errs[i] = fe
	}
	return errors.Join(errs...)
}

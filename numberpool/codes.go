package numberpool

// The stable codes of this package's sentinels (see mlerr.CodeOf).
const (
	// CodeNotEnough is ErrNotEnoughNumbers's code: too few Available
	// numbers for the pending invitations, or none fits the request.
	CodeNotEnough = "number.not_enough"
	// CodeNotAvailable is ErrNotAvailable's code: the number is not free in
	// the organization. It is also the code of a number a setup call names
	// that is not free there.
	CodeNotAvailable = "number.not_available"
	// CodeTransition is ErrTransition's code: the number's state forbids the
	// change.
	CodeTransition = "number.transition"
	// CodeTaken is the code of a number that was free when it was offered
	// and was taken by someone else before it was chosen (an activation's
	// pick that lost a race).
	CodeTaken = "number.taken"
	// CodePickRequired is the code of an activation without the number the
	// end user must pick from the short list.
	CodePickRequired = "number.required"
)

// The stable codes of the setup rules about numbers, "<field>.<rule>", as a
// host adding, allocating or withdrawing numbers meets them.
const (
	// CodeNumberFormat: a number is not a phone number with its country code.
	CodeNumberFormat = "number.format"
	// CodeNumberDuplicate: a number is listed twice in one call.
	CodeNumberDuplicate = "number.duplicate"
	// CodeNumberExists: the number is in a number pool already.
	CodeNumberExists = "number.exists"
	// CodeTagFormat: a tag is not 1 to 32 letters, digits, dashes or
	// underscores.
	CodeTagFormat = "tag.format"
	// CodeNumbersRequired: a call that moves numbers names none.
	CodeNumbersRequired = "numbers.required"
	// CodeNumbersNotRoot: numbers are added to an organization that is not
	// the root of its tree.
	CodeNumbersNotRoot = "numbers.not_root"
	// CodeNumbersNoParent: numbers are withdrawn from a root organization.
	CodeNumbersNoParent = "numbers.no_parent"
	// CodeOrgNotChild: numbers are allocated to an organization that is not
	// a direct sub-organization.
	CodeOrgNotChild = "org.not_child"
)

package account

// The codes of the rules whose code is built from the field's name (see
// checkName and checkPhone): a name's and the device's. They are spelled out
// here so that a host can refer to each; TestPatternCodes holds them equal to
// what Validate reports.
const (
	// CodeFirstNameRequired: the single form's First Name is empty.
	CodeFirstNameRequired = "first_name.required"
	// CodeFirstNameTooLong: more than 100 characters.
	CodeFirstNameTooLong = "first_name.too_long"
	// CodeFirstNameControl: a line break, tab or other control character.
	CodeFirstNameControl = "first_name.control_character"
	// CodeFirstNameNotPrintable: a character that is not printable.
	CodeFirstNameNotPrintable = "first_name.not_printable"
	// CodeFirstNameEncoding: bytes that are not UTF-8 text.
	CodeFirstNameEncoding = "first_name.encoding"

	// CodeLastNameRequired: the single form's Last Name is empty.
	CodeLastNameRequired = "last_name.required"
	// CodeLastNameTooLong: more than 100 characters.
	CodeLastNameTooLong = "last_name.too_long"
	// CodeLastNameControl: a line break, tab or other control character.
	CodeLastNameControl = "last_name.control_character"
	// CodeLastNameNotPrintable: a character that is not printable.
	CodeLastNameNotPrintable = "last_name.not_printable"
	// CodeLastNameEncoding: bytes that are not UTF-8 text.
	CodeLastNameEncoding = "last_name.encoding"

	// CodeDeviceFormat: the Device # is not a phone number.
	CodeDeviceFormat = "device.format"
	// CodeDeviceCountryCode: the Device # lacks its country code.
	CodeDeviceCountryCode = "device.country_code"
	// CodeDeviceScientific: a spreadsheet turned the Device # into
	// scientific notation, losing digits.
	CodeDeviceScientific = "device.scientific_notation"
)

package batch_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/mlerr"
)

// Parsing an upload: each row's input for account.Validate, and the errors
// of the column rules this package checks, with their codes. A file broken
// as a whole is rejected with a *FileError.
func ExampleParse() {
	file := "firstname,lastname,email address or device,social_messaging,monitor_calls,monitor_sms\n" +
		"Grace,Hopper,grace@acme.example,No,auto,on\n" +
		"Alan,Turing,+1 415 555 0101,maybe,off,off\n"
	rows, err := batch.Parse(strings.NewReader(file), batch.Options{})
	if err != nil {
		panic(err)
	}
	for _, r := range rows {
		fmt.Printf("line %d: %s email=%q device=%q error code=%q\n", r.Line, r.Input.FirstName, r.Input.Email, r.Input.Device, mlerr.CodeOf(r.Err))
	}

	_, err = batch.Parse(strings.NewReader("firstname,lastname\nGrace,Hopper\n"), batch.Options{})
	fmt.Println(err)
	fmt.Println(mlerr.CodeOf(err))
	// Output:
	// line 2: Grace email="grace@acme.example" device="" error code=""
	// line 3: Alan email="" device="+1 415 555 0101" error code="social_messaging.value"
	// batch: line 1: missing mandatory columns "email address or device", "social_messaging", "monitor_calls", "monitor_sms"
	// missing_column
}

// The portal's ".CSV template", as an administrator downloads it.
func ExampleWriteTemplate() {
	if err := batch.WriteTemplate(os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// firstname,lastname,email address or device,social_messaging,multiline_number,monitor_calls,monitor_sms,forwarding_number,restrict_incoming_social_messaging,Language
	// Jane,Doe,jane.doe@example.com,No,,auto,off,,,English
	// Note: fill in one row per account below the header and delete the example row and this Note line before uploading. Mandatory columns: email address or device (an email or a phone number with its country code) - social_messaging (Yes or No) - monitor_calls (auto or off) - monitor_sms (on or off).,,,,,,,,,
}

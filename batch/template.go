package batch

import (
	"encoding/csv"
	"io"

	"github.com/gocarina/gocsv"
)

// templateRow is one line of the template; its tags are the header, in the
// order of SPEC §6.
type templateRow struct {
	FirstName       string `csv:"firstname"`
	LastName        string `csv:"lastname"`
	EmailOrDevice   string `csv:"email address or device"`
	SocialMessaging string `csv:"social_messaging"`
	MultilineNumber string `csv:"multiline_number"`
	MonitorCalls    string `csv:"monitor_calls"`
	MonitorSMS      string `csv:"monitor_sms"`
	Forwarding      string `csv:"forwarding_number"`
	Restrict        string `csv:"restrict_incoming_social_messaging"`
	Language        string `csv:"Language"`
}

// TemplateNote is the template's instruction line. An upload that still has
// it (any line whose only cell starts with the word "Note") is refused as a
// whole. It has no comma or semicolon, so that it stays one cell even when
// pasted into a file by hand.
const TemplateNote = "Note: fill in one row per account below the header and delete the example row and this Note line before uploading. " +
	"Mandatory columns: email address or device (an email or a phone number with its country code) - social_messaging (Yes or No) - monitor_calls (auto or off) - monitor_sms (on or off)."

// templateRows are the example row and the Note. The example leaves
// multiline_number empty (a number of the pool is picked), and
// restrict_incoming_social_messaging empty so that the template uploads
// as it is to an organization without social messaging.
var templateRows = []templateRow{
	{
		FirstName:       "Jane",
		LastName:        "Doe",
		EmailOrDevice:   "jane.doe@example.com",
		SocialMessaging: "No",
		MonitorCalls:    "auto",
		MonitorSMS:      "off",
		Language:        "English",
	},
	{FirstName: TemplateNote},
}

// WriteTemplate writes the portal's ".CSV template": the header line in the
// order of SPEC §6, one example row, and the instruction line (TemplateNote).
func WriteTemplate(w io.Writer) error {
	// A writer of our own per call, never gocsv's shared package settings.
	if err := gocsv.MarshalCSV(templateRows, csv.NewWriter(w)); err != nil {
		return wrapWrite("template", err)
	}
	return nil
}

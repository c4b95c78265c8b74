package batchtest

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"errors"
	htmltemplate "html/template"
	"io"
	"net/mail"
	"strings"
	texttemplate "text/template"

	"github.com/nyaruka/phonenumbers"
)

// The texts FairBaseline renders: the built-in English invitation (subject,
// plain-text body, HTML body) written for the standard library's template
// packages, with the alternative wording for an account without a number.
const (
	fairText = `{{.OrgName}} invites you to MultiLine

Hello {{.FirstName}},

{{.OrgName}} has set up MultiLine for you: a business phone number on your own phone, separate from your personal number.

{{if .Number}}Your MultiLine number: {{.Number}}{{else}}You will choose your MultiLine number when you activate your account.{{end}}
Your username: {{.Username}}

To activate your account, open this link:
{{.Link}}

The link is personal and works only once. It expires on {{.Expires}}.

If you were not expecting this invitation, you can ignore this message.
`
	fairHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.OrgName}} invites you to MultiLine</title>
</head>
<body style="margin:0;padding:24px;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1f2933;background:#ffffff">
<p>Hello {{.FirstName}},</p>
<p>{{.OrgName}} has set up MultiLine for you: a business phone number on your own phone, separate from your personal number.</p>
<p>{{if .Number}}Your MultiLine number: {{.Number}}{{else}}You will choose your MultiLine number when you activate your account.{{end}}<br>
Your username: {{.Username}}</p>
<p><a href="{{.Link}}" style="display:inline-block;padding:12px 24px;background:#0b5cff;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:bold">Activate MultiLine</a></p>
<p style="font-size:13px;color:#52606d">If the button does not work, copy this link into your browser:<br>
{{.Link}}</p>
<p>The link is personal and works only once. It expires on {{.Expires}}.</p>
<p style="font-size:13px;color:#52606d">If you were not expecting this invitation, you can ignore this message.</p>
</body>
</html>
`
)

var (
	fairTextTmpl = texttemplate.Must(texttemplate.New("text").Parse(fairText))
	fairHTMLTmpl = htmltemplate.Must(htmltemplate.New("html").Parse(fairHTML))
)

// fairValues are the values of one row's invitation.
type fairValues struct {
	FirstName, LastName, Username, OrgName, Number, Link, Expires string
}

// Fair is the fair baseline of an Import & Invite of data (SPEC §13,
// FairBaseline1000): the libraries' own cost of the rules, with none of the
// SDK's work around them. It runs encoding/csv over every record; per phone
// cell (a device, a multiline_number) phonenumbers.Parse, IsValidNumber and
// the E.164 format; per email net/mail.ParseAddress; and, for every row,
// since every row of data is invited, 32 bytes of crypto/rand, base64url
// and SHA-256 (the token and its stored hash), one text/template (subject
// and plain text) and one html/template (the HTML body) executed with the
// row's values and kept as strings. data is a file in GenerateCSV's column
// order. It returns the number of data rows and the bytes rendered, so that
// the compiler keeps the work.
func Fair(data []byte) (rows, rendered int, err error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil {
		return 0, 0, err
	}
	const first, last, dest, number = 0, 1, 2, 4 // columns of Header
	const linkBase = "https://ml.example.com/i/"
	const expires = "16 March 2026, 17:00 UTC"
	var buf bytes.Buffer
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return rows, rendered, nil
		}
		if err != nil {
			return rows, rendered, err
		}
		rows++
		v := fairValues{FirstName: rec[first], LastName: rec[last], OrgName: "Acme", Expires: expires}
		if strings.Contains(rec[dest], "@") {
			a, err := mail.ParseAddress(rec[dest])
			if err != nil {
				return rows, rendered, err
			}
			v.Username = a.Address
		} else if v.Username, err = validE164(rec[dest]); err != nil {
			return rows, rendered, err
		}
		if rec[number] != "" {
			if v.Number, err = validE164(rec[number]); err != nil {
				return rows, rendered, err
			}
		}
		var tok [32]byte
		if _, err := rand.Read(tok[:]); err != nil {
			return rows, rendered, err
		}
		t := base64.RawURLEncoding.EncodeToString(tok[:])
		hash := sha256.Sum256([]byte(t))
		v.Link = linkBase + t
		buf.Reset()
		if err := fairTextTmpl.Execute(&buf, v); err != nil {
			return rows, rendered, err
		}
		text := buf.String()
		buf.Reset()
		if err := fairHTMLTmpl.Execute(&buf, v); err != nil {
			return rows, rendered, err
		}
		html := buf.String()
		rendered += len(text) + len(html) + int(hash[0]&1)
	}
}

// validE164 parses a phone cell, checks that it is a valid number and
// returns its E.164 form.
func validE164(s string) (string, error) {
	num, err := phonenumbers.Parse(s, "")
	if err != nil {
		return "", err
	}
	if !phonenumbers.IsValidNumber(num) {
		return "", errors.New("batchtest: not a valid number: " + s)
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

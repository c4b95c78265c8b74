package batchtest

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"net/mail"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Irreducible does the work no import of data can skip, the baseline that
// benchmarks of the parser and of a whole import are measured against:
// encoding/csv reading every record, one phonenumbers.Parse and E.164 format
// per phone cell (a device, a multiline_number), one net/mail.ParseAddress
// per email. data is a file in GenerateCSV's column order. It returns the
// number of data rows.
func Irreducible(data []byte) (int, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil {
		return 0, err
	}
	const dest, number = 2, 4 // columns of Header
	n := 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
		if strings.Contains(rec[dest], "@") {
			if _, err := mail.ParseAddress(rec[dest]); err != nil {
				return n, err
			}
		} else if err := e164(rec[dest]); err != nil {
			return n, err
		}
		if rec[number] != "" {
			if err := e164(rec[number]); err != nil {
				return n, err
			}
		}
	}
}

func e164(s string) error {
	num, err := phonenumbers.Parse(s, "")
	if err != nil {
		return err
	}
	_ = phonenumbers.Format(num, phonenumbers.E164)
	return nil
}

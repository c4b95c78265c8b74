package batch

import (
	"bytes"
	"encoding/csv"
	"io"
	"net/mail"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"

	"github.com/multilinehq/multiline/batch/batchtest"
)

// BenchmarkParse1000 parses a valid 1000-row upload.
func BenchmarkParse1000(b *testing.B) {
	data := batchtest.GenerateCSV(1000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rows, err := Parse(bytes.NewReader(data), Options{})
		if err != nil || len(rows) != 1000 {
			b.Fatal(len(rows), err)
		}
	}
}

// BenchmarkParseValidate1000 parses the same upload and runs ValidateRow on
// every row: all the work of a batch before the store.
func BenchmarkParseValidate1000(b *testing.B) {
	data := batchtest.GenerateCSV(1000)
	p := testPolicy(false)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rows, err := Parse(bytes.NewReader(data), Options{})
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range rows {
			if _, err := ValidateRow(r, p); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkBaselineIrreducible1000 is the irreducible work on the same
// bytes: encoding/csv reading every record, one phonenumbers.Parse and
// E.164 format per phone cell (device and multiline_number), one
// net/mail.ParseAddress per email.
func BenchmarkBaselineIrreducible1000(b *testing.B) {
	data := batchtest.GenerateCSV(1000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if n := baselineIrreducible(b, data); n != 1000 {
			b.Fatal(n)
		}
	}
}

func baselineIrreducible(b *testing.B, data []byte) int {
	r := csv.NewReader(bytes.NewReader(data))
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil {
		b.Fatal(err)
	}
	n := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return n
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
		if dest := rec[EmailOrDevice]; strings.Contains(dest, "@") {
			if _, err := mail.ParseAddress(dest); err != nil {
				b.Fatal(err)
			}
		} else {
			phone(b, dest)
		}
		if num := rec[MultilineNumber]; num != "" {
			phone(b, num)
		}
	}
}

func phone(b *testing.B, s string) {
	num, err := phonenumbers.Parse(s, "")
	if err != nil {
		b.Fatal(err)
	}
	_ = phonenumbers.Format(num, phonenumbers.E164)
}

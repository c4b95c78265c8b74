package xlsx

import (
	"bytes"
	"os"
	"testing"

	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/batch/batchtest"
)

// BenchmarkImport1000 parses and validates the same 1000 rows
// (batchtest.GenerateCSV(1000)) as the CSV and as the workbook LibreOffice
// Calc wrote from it (testdata/bench1000.xlsx): all the work of a batch
// before the store, in one run, so that the ratio of the two is the cost
// of reading a workbook rather than a CSV.
func BenchmarkImport1000(b *testing.B) {
	csv := batchtest.GenerateCSV(1000)
	book, err := os.ReadFile("testdata/bench1000.xlsx")
	if err != nil {
		b.Fatal(err)
	}
	if src, err := os.ReadFile("testdata/src/bench1000.csv"); err != nil || !bytes.Equal(src, csv) {
		b.Fatal("testdata/src/bench1000.csv is not batchtest.GenerateCSV(1000): run make.sh again", err)
	}
	p := policy(false)
	for _, bm := range []struct {
		name string
		data []byte
	}{{"csv", csv}, {"xlsx", book}} {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(int64(len(bm.data)))
			b.ReportAllocs()
			for b.Loop() {
				rows, err := parse(bm.data, batch.Options{})
				if err != nil || len(rows) != 1000 {
					b.Fatal(len(rows), err)
				}
				for _, r := range rows {
					if _, err := batch.ValidateRow(r, p); err != nil {
						b.Fatal(r.Line, err)
					}
				}
			}
		})
	}
}
